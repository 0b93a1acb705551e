//! rtckit._native.VideoFrame / AudioFrame wrap core's frames; rtckit.VideoFrame and
//! rtckit.AudioFrame (Python) hold PyAV-shaped planes on top. Pixels cross as bytes or
//! bytearray objects: the buffer protocol is not in the stable ABI before Python 3.11.

use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyByteArray, PyBytes, PyList, PyTuple};
use rtckit_core::frame::{Image, ImageMut, PixelFormat};

use crate::error::{to_py, IntoPyResult};

fn type_error(message: String) -> PyErr {
    to_py(rtckit_core::Error::type_error(message))
}

/// `data` as a list of buffers: a list or tuple of them, or one.
fn buffer_objects<'py>(data: &Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if data.is_instance_of::<PyList>() || data.is_instance_of::<PyTuple>() {
        data.try_iter()?.collect()
    } else {
        Ok(vec![data.clone()])
    }
}

/// The bytes of a `bytes` or `bytearray`. Sound while the GIL is held and no Python code
/// runs, which holds for every caller here: the borrows end before the call returns.
fn readable<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<&'a [u8]> {
    if let Ok(bytes) = obj.cast::<PyBytes>() {
        Ok(bytes.as_bytes())
    } else if let Ok(array) = obj.cast::<PyByteArray>() {
        Ok(unsafe { array.as_bytes() })
    } else {
        Err(type_error(format!("pixels are bytes or bytearray objects, not {}", obj.get_type().name()?)))
    }
}

/// Runs `f` on writable views of distinct bytearrays that are not among `inputs` (so
/// nothing aliases); the views cannot outlive the call.
fn with_writable<R>(
    outputs: &[Bound<'_, PyAny>],
    inputs: &[Bound<'_, PyAny>],
    f: impl FnOnce(Vec<&mut [u8]>) -> PyResult<R>,
) -> PyResult<R> {
    let mut seen: Vec<*mut pyo3::ffi::PyObject> = inputs.iter().map(|o| o.as_ptr()).collect();
    let mut views = Vec::with_capacity(outputs.len());
    for obj in outputs {
        let Ok(array) = obj.cast::<PyByteArray>() else {
            return Err(type_error(format!("output buffers are bytearrays, not {}", obj.get_type().name()?)));
        };
        if seen.contains(&obj.as_ptr()) {
            return Err(type_error("an output buffer is also an input or another output".into()));
        }
        seen.push(obj.as_ptr());
        // Sound as in `readable`: distinct objects, the GIL held, no Python code runs in `f`.
        views.push(unsafe { array.as_bytes_mut() });
    }
    f(views)
}

/// A format's name and its planes' (width, height, line_size).
type Layout = (&'static str, Vec<(u32, u32, usize)>);

fn parse(format: &str) -> PyResult<PixelFormat> {
    PixelFormat::parse(format).py_err()
}

/// Converts and scales `src` into the `out` bytearrays (one for all planes, or one per plane).
fn reformat_to(
    src: &Image,
    format: &str,
    width: u32,
    height: u32,
    out: &Bound<'_, PyAny>,
    inputs: &[Bound<'_, PyAny>],
) -> PyResult<()> {
    let format = parse(format)?;
    let outputs = buffer_objects(out)?;
    with_writable(&outputs, inputs, |views| {
        let mut dst = ImageMut::new(format, width, height, views).py_err()?;
        rtckit_core::frame::reformat(src, &mut dst);
        Ok(())
    })
}

#[pyclass(name = "VideoFrame", module = "rtckit._native")]
pub struct PyVideoFrame {
    pub inner: rtckit_core::VideoFrame,
}

#[pymethods]
impl PyVideoFrame {
    /// A black frame.
    #[new]
    fn new(width: u32, height: u32) -> PyResult<Self> {
        crate::error::guard(|| Ok(Self { inner: rtckit_core::VideoFrame::black(width, height).py_err()? }))
    }

    /// A frame from `format` pixels (converted to I420): `data` is one buffer holding every
    /// plane, or a list of one per plane. One `bytes` of I420 is taken without a copy.
    #[staticmethod]
    fn from_pixels(width: u32, height: u32, format: &str, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        crate::error::guard(|| {
            let format = parse(format)?;
            if let (PixelFormat::I420, Ok(bytes)) = (format, data.cast::<PyBytes>()) {
                let owned = bytes::Bytes::from_owner(PyBackedBytes::from(bytes.clone()));
                return Ok(Self { inner: rtckit_core::VideoFrame::from_i420(width, height, owned).py_err()? });
            }
            let objects = buffer_objects(data)?;
            let buffers = objects.iter().map(readable).collect::<PyResult<Vec<_>>>()?;
            let image = Image::new(format, width, height, &buffers).py_err()?;
            Ok(Self { inner: rtckit_core::VideoFrame::from_image(&image).py_err()? })
        })
    }

    #[getter]
    fn width(&self) -> PyResult<u32> {
        crate::error::guard_value(|| self.inner.width())
    }
    #[getter]
    fn height(&self) -> PyResult<u32> {
        crate::error::guard_value(|| self.inner.height())
    }
    #[getter]
    fn pts(&self) -> PyResult<Option<i64>> {
        crate::error::guard_value(|| self.inner.pts)
    }
    #[setter]
    fn set_pts(&mut self, pts: Option<i64>) -> PyResult<()> {
        crate::error::guard_value(|| self.inner.pts = pts)
    }
    #[getter]
    fn time_base(&self) -> PyResult<(u32, u32)> {
        crate::error::guard_value(|| self.inner.time_base)
    }
    #[setter]
    fn set_time_base(&mut self, time_base: (u32, u32)) -> PyResult<()> {
        crate::error::guard(|| {
            if time_base.0 == 0 || time_base.1 == 0 {
                return Err(to_py(rtckit_core::Error::new(
                    rtckit_core::ErrorKind::RangeError,
                    "a time base is a positive fraction",
                )));
            }
            self.inner.time_base = time_base;
            Ok(())
        })
    }
    /// Whether it was decoded from a key frame.
    #[getter]
    fn key_frame(&self) -> PyResult<bool> {
        crate::error::guard_value(|| self.inner.unit.as_ref().is_some_and(|unit| unit.is_key_frame()))
    }

    /// The pixels in `format`, as a bytearray (so numpy views of it are writable).
    fn to_pixels<'py>(&self, py: Python<'py>, format: &str) -> PyResult<Bound<'py, PyByteArray>> {
        crate::error::guard(|| {
            let format = parse(format)?;
            let pixels = py.detach(|| self.inner.to_pixels(format));
            Ok(PyByteArray::new(py, &pixels))
        })
    }

    /// Writes the frame, converted to `format` and scaled to width x height, into `out`: one
    /// bytearray for all planes or a list of one per plane.
    fn reformat_into(&self, format: &str, width: u32, height: u32, out: &Bound<'_, PyAny>) -> PyResult<()> {
        crate::error::guard(|| reformat_to(&self.inner.image(), format, width, height, out, &[]))
    }

    /// The frame scaled to width x height (bilinear, area when shrinking), pts kept.
    fn scaled(&self, py: Python<'_>, width: u32, height: u32) -> PyResult<Self> {
        crate::error::guard(|| Ok(Self { inner: py.detach(|| self.inner.scaled(width, height)).py_err()? }))
    }

    fn to_png<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        crate::error::guard_value(|| {
            let png = py.detach(|| self.inner.to_png());
            PyBytes::new(py, &png)
        })
    }

    /// Converts and scales pixels held in Python (`data`: one buffer or one per plane) into `out`.
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    fn reformat_pixels(
        width: u32,
        height: u32,
        format: &str,
        data: &Bound<'_, PyAny>,
        to_format: &str,
        to_width: u32,
        to_height: u32,
        out: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        crate::error::guard(|| {
            let objects = buffer_objects(data)?;
            let buffers = objects.iter().map(readable).collect::<PyResult<Vec<_>>>()?;
            let src = Image::new(parse(format)?, width, height, &buffers).py_err()?;
            reformat_to(&src, to_format, to_width, to_height, out, &objects)
        })
    }

    /// The canonical name of `format` and the (width, height, line_size) of each plane of a
    /// width x height image in it.
    #[staticmethod]
    fn plane_layout(format: &str, width: u32, height: u32) -> PyResult<Layout> {
        crate::error::guard(|| {
            let format = parse(format)?;
            rtckit_core::frame::check_size(width, height).py_err()?;
            Ok((format.name(), format.planes(width, height).iter().map(|p| (p.width, p.height, p.line_size)).collect()))
        })
    }
}

#[pyclass(name = "AudioFrame", module = "rtckit._native")]
pub struct PyAudioFrame {
    pub inner: rtckit_core::AudioFrame,
}

#[pymethods]
impl PyAudioFrame {
    /// From little-endian signed 16-bit interleaved samples (bytes or bytearray).
    #[new]
    fn new(data: &Bound<'_, PyAny>, sample_rate: u32, channels: u16) -> PyResult<Self> {
        crate::error::guard(|| {
            Ok(Self { inner: rtckit_core::AudioFrame::from_le_bytes(readable(data)?, sample_rate, channels).py_err()? })
        })
    }
    #[getter]
    fn samples(&self) -> PyResult<usize> {
        crate::error::guard_value(|| self.inner.samples_per_channel())
    }
    #[getter]
    fn sample_rate(&self) -> PyResult<u32> {
        crate::error::guard_value(|| self.inner.sample_rate())
    }
    #[getter]
    fn channels(&self) -> PyResult<u16> {
        crate::error::guard_value(|| self.inner.channels())
    }
    #[getter]
    fn pts(&self) -> PyResult<Option<i64>> {
        crate::error::guard_value(|| self.inner.pts)
    }
    #[setter]
    fn set_pts(&mut self, pts: Option<i64>) -> PyResult<()> {
        crate::error::guard_value(|| self.inner.pts = pts)
    }
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyByteArray>> {
        crate::error::guard_value(|| PyByteArray::new(py, &self.inner.to_le_bytes()))
    }
    /// Writes the samples (little-endian s16, interleaved) into a bytearray of their size.
    fn copy_into(&self, out: &Bound<'_, PyAny>) -> PyResult<()> {
        crate::error::guard(|| {
            let samples = self.inner.samples();
            with_writable(std::slice::from_ref(out), &[], |mut views| {
                let view = &mut views[0];
                if view.len() != samples.len() * 2 {
                    return Err(type_error(format!(
                        "{} samples are {} bytes, not {}",
                        samples.len(),
                        samples.len() * 2,
                        view.len()
                    )));
                }
                for (dst, sample) in view.chunks_exact_mut(2).zip(samples) {
                    dst.copy_from_slice(&sample.to_le_bytes());
                }
                Ok(())
            })
        })
    }
}
