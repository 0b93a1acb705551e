//! Core errors cross as napi errors whose `code` is the kind's DOMException name
//! ("InvalidStateError") and whose message is the core's message; the JS layer looks the
//! code up and throws a DOMException, TypeError or RangeError with that name. Nothing is
//! parsed back out of a message.

use std::future::Future;

use napi::bindgen_prelude::{JsError, PromiseRaw, ToNapiValue};
use napi::{Env, Status};

/// What a thrown error's `code` says: a core kind, or one of napi's own statuses.
pub enum Code {
    Kind(rtckit_core::ErrorKind),
    Napi(Status),
}

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        match self {
            Code::Kind(kind) => kind.name(),
            Code::Napi(status) => status.as_ref(),
        }
    }
}

/// The result of every function of this binding that can fail.
pub type Result<T> = std::result::Result<T, napi::Error<Code>>;

pub fn to_napi(err: rtckit_core::Error) -> napi::Error<Code> {
    napi::Error::new(Code::Kind(err.kind), err.message)
}

pub trait IntoNapi<T> {
    fn napi(self) -> Result<T>;
}

impl<T> IntoNapi<T> for rtckit_core::Result<T> {
    fn napi(self) -> Result<T> {
        self.map_err(to_napi)
    }
}

/// Runs a core future on napi's runtime and returns its promise. A core error rejects it
/// with an error built here, on the JS thread, carrying the kind as `code` (napi's own
/// async path only knows its fixed statuses).
pub fn spawn<'env, T, F>(env: &'env Env, fut: F) -> Result<PromiseRaw<'env, T>>
where
    T: ToNapiValue + Send + 'static,
    F: Future<Output = rtckit_core::Result<T>> + Send + 'static,
{
    env.spawn_future_with_callback(async move { Ok(fut.await) }, |env, result| match result {
        Ok(value) => Ok(value),
        Err(err) => Err(napi::Error::from(JsError::from(to_napi(err)).into_unknown(*env))),
    })
    .map_err(from_status)
}

/// One of napi's own errors (a wrong argument, a failed call into Node) as this binding's.
pub fn from_status(err: napi::Error) -> napi::Error<Code> {
    napi::Error::new(Code::Napi(err.status), err.reason)
}

/// Every kind's DOMException name.
#[napi_derive::napi]
pub fn error_kinds() -> Vec<&'static str> {
    rtckit_core::ErrorKind::ALL.iter().map(|k| k.name()).collect()
}

/// Panics inside the core, for the test that checks a panic becomes an OperationError here
/// and the process goes on (every synchronous function is `catch_unwind`; napi rejects the
/// promise of a future that panics).
#[napi_derive::napi(catch_unwind)]
pub fn panic_for_test() -> Result<()> {
    rtckit_core::error::panic_for_test().napi()
}

#[napi_derive::napi(ts_return_type = "Promise<void>")]
pub fn panic_for_test_async(env: &Env) -> Result<PromiseRaw<'_, ()>> {
    spawn(env, rtckit_core::error::panic_for_test_async())
}
