//! rtckit._native.VideoFrame / AudioFrame wrap core's frames; rtckit.VideoFrame and
//! rtckit.AudioFrame (Python) add numpy on top.

use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes};

use crate::error::IntoPyResult;

#[pyclass(name = "VideoFrame", module = "rtckit._native")]
pub struct PyVideoFrame {
    pub inner: rtckit_core::VideoFrame,
}

#[pymethods]
impl PyVideoFrame {
    /// A black frame.
    #[new]
    fn new(width: u32, height: u32) -> PyResult<Self> {
        Ok(Self { inner: rtckit_core::VideoFrame::black(width, height).py_err()? })
    }

    /// A frame from `format` pixels (converted to I420).
    #[staticmethod]
    fn from_pixels(width: u32, height: u32, format: &str, data: &[u8]) -> PyResult<Self> {
        let format = rtckit_core::PixelFormat::parse(format).py_err()?;
        Ok(Self { inner: rtckit_core::VideoFrame::from_pixels(width, height, format, data).py_err()? })
    }

    #[getter]
    fn width(&self) -> u32 {
        self.inner.width()
    }
    #[getter]
    fn height(&self) -> u32 {
        self.inner.height()
    }
    #[getter]
    fn pts(&self) -> Option<i64> {
        self.inner.pts
    }
    #[setter]
    fn set_pts(&mut self, pts: Option<i64>) {
        self.inner.pts = pts
    }
    #[getter]
    fn time_base(&self) -> (u32, u32) {
        self.inner.time_base
    }
    #[setter]
    fn set_time_base(&mut self, time_base: (u32, u32)) -> PyResult<()> {
        if time_base.0 == 0 || time_base.1 == 0 {
            return Err(crate::error::to_py(rtckit_core::Error::new(
                rtckit_core::ErrorKind::RangeError,
                "a time base is a positive fraction",
            )));
        }
        self.inner.time_base = time_base;
        Ok(())
    }

    /// The pixels in `format`, as a bytearray (so numpy views of it are writable).
    fn to_pixels<'py>(&self, py: Python<'py>, format: &str) -> PyResult<Bound<'py, PyByteArray>> {
        let format = rtckit_core::PixelFormat::parse(format).py_err()?;
        let pixels = py.detach(|| self.inner.to_pixels(format));
        Ok(PyByteArray::new(py, &pixels))
    }

    fn to_png<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let png = py.detach(|| self.inner.to_png());
        PyBytes::new(py, &png)
    }
}

#[pyclass(name = "AudioFrame", module = "rtckit._native")]
pub struct PyAudioFrame {
    pub inner: rtckit_core::AudioFrame,
}

#[pymethods]
impl PyAudioFrame {
    /// From little-endian signed 16-bit interleaved samples.
    #[new]
    fn new(data: &[u8], sample_rate: u32, channels: u16) -> PyResult<Self> {
        Ok(Self { inner: rtckit_core::AudioFrame::from_le_bytes(data, sample_rate, channels).py_err()? })
    }
    #[getter]
    fn samples(&self) -> usize {
        self.inner.samples_per_channel()
    }
    #[getter]
    fn sample_rate(&self) -> u32 {
        self.inner.sample_rate()
    }
    #[getter]
    fn channels(&self) -> u16 {
        self.inner.channels()
    }
    #[getter]
    fn pts(&self) -> Option<i64> {
        self.inner.pts
    }
    #[setter]
    fn set_pts(&mut self, pts: Option<i64>) {
        self.inner.pts = pts
    }
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyByteArray> {
        PyByteArray::new(py, &self.inner.to_le_bytes())
    }
}
