//! rtckit._native.DataChannel wraps core's DataChannel; rtckit.RTCDataChannel (Python)
//! adds events on top.

use bytes::Bytes;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::error::IntoPyResult;

#[pyclass(name = "DataChannel", module = "rtckit._native", frozen)]
pub struct PyDataChannel {
    pub inner: rtckit_core::DataChannel,
}

#[pymethods]
impl PyDataChannel {
    #[getter]
    fn label(&self) -> PyResult<&str> {
        crate::error::guard_value(|| self.inner.label())
    }
    #[getter]
    fn protocol(&self) -> PyResult<&str> {
        crate::error::guard_value(|| self.inner.protocol())
    }
    #[getter]
    fn ordered(&self) -> PyResult<bool> {
        crate::error::guard_value(|| self.inner.ordered())
    }
    #[getter]
    fn max_packet_life_time(&self) -> PyResult<Option<u16>> {
        crate::error::guard_value(|| self.inner.max_packet_life_time())
    }
    #[getter]
    fn max_retransmits(&self) -> PyResult<Option<u16>> {
        crate::error::guard_value(|| self.inner.max_retransmits())
    }
    #[getter]
    fn negotiated(&self) -> PyResult<bool> {
        crate::error::guard_value(|| self.inner.negotiated())
    }
    #[getter]
    fn id(&self) -> PyResult<Option<u16>> {
        crate::error::guard_value(|| self.inner.id())
    }
    #[getter]
    fn ready_state(&self) -> PyResult<&'static str> {
        crate::error::guard_value(|| self.inner.ready_state().as_str())
    }
    #[getter]
    fn buffered_amount(&self) -> PyResult<usize> {
        crate::error::guard_value(|| self.inner.buffered_amount())
    }
    #[getter]
    fn buffered_amount_low_threshold(&self) -> PyResult<u32> {
        crate::error::guard_value(|| self.inner.buffered_amount_low_threshold())
    }
    #[setter]
    fn set_buffered_amount_low_threshold(&self, value: u32) -> PyResult<()> {
        crate::error::guard_value(|| self.inner.set_buffered_amount_low_threshold(value))
    }
    #[getter]
    fn max_message_size(&self) -> PyResult<usize> {
        crate::error::guard_value(|| self.inner.max_message_size())
    }

    /// Queues text (str) or binary (bytes) data.
    fn send(&self, data: &Bound<'_, PyAny>) -> PyResult<()> {
        crate::error::guard(|| {
            let (bytes, is_string) = if let Ok(s) = data.cast::<PyString>() {
                (Bytes::copy_from_slice(s.to_cow()?.as_bytes()), true)
            } else if let Ok(b) = data.cast::<PyBytes>() {
                (Bytes::copy_from_slice(b.as_bytes()), false)
            } else {
                // Other bytes-like objects are turned into bytes by the Python layer.
                return Err(crate::error::to_py(rtckit_core::Error::type_error(format!(
                    "send() takes str or a bytes-like object, not {}",
                    data.get_type().name()?
                ))));
            };
            self.inner.send(bytes, is_string).py_err()
        })
    }

    fn close(&self) -> PyResult<()> {
        crate::error::guard_value(|| self.inner.close())
    }

    /// Delivers this channel's events through the hub under `key`.
    fn listen(&self, key: u64) -> PyResult<()> {
        crate::error::guard_value(|| self.inner.set_event_listener(crate::hub::listener(key)))
    }

    /// The waiting events as (name, value) pairs, and whether the stream has ended.
    fn take_events(&self, py: Python<'_>) -> PyResult<crate::hub::EventBatch<Py<PyAny>>> {
        crate::error::guard(|| {
            let (events, ended) = self.inner.take_events();
            let events = events
                .into_iter()
                .map(|e| {
                    let name = e.name();
                    let value: Py<PyAny> = match e {
                        rtckit_core::DataChannelEvent::Message(m) if m.is_string => {
                            PyString::new(py, &String::from_utf8_lossy(&m.data)).into_any().unbind()
                        }
                        rtckit_core::DataChannelEvent::Message(m) => PyBytes::new(py, &m.data).into_any().unbind(),
                        rtckit_core::DataChannelEvent::Error(err) => crate::error::to_py(err).into_value(py).into_any(),
                        _ => py.None(),
                    };
                    (name, value)
                })
                .collect();
            Ok((events, ended))
        })
    }
}
