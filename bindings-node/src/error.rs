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
