//! Core errors cross as napi errors whose message starts with the kind
//! ("InvalidStateError: ..."); the JS layer turns them into DOMException, TypeError or
//! RangeError with that name.

pub fn to_napi(err: rtckit_core::Error) -> napi::Error {
    napi::Error::new(napi::Status::GenericFailure, err.to_string())
}

pub trait IntoNapi<T> {
    fn napi(self) -> napi::Result<T>;
}

impl<T> IntoNapi<T> for rtckit_core::Result<T> {
    fn napi(self) -> napi::Result<T> {
        self.map_err(to_napi)
    }
}

/// Every kind's DOMException name.
#[napi_derive::napi]
pub fn error_kinds() -> Vec<&'static str> {
    rtckit_core::ErrorKind::ALL.iter().map(|k| k.name()).collect()
}

/// Panics inside the core, for the test that checks a panic becomes an OperationError here
/// and the process goes on (every synchronous function is `catch_unwind`; napi rejects the
/// promise of an async one that panics).
#[napi_derive::napi(catch_unwind)]
pub fn panic_for_test() -> napi::Result<()> {
    rtckit_core::error::panic_for_test().napi()
}

#[napi_derive::napi]
pub async fn panic_for_test_async() -> napi::Result<()> {
    rtckit_core::error::panic_for_test_async().await.napi()
}
