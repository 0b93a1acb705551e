//! rtckit._native: the Python face of rtckit-core. Each file wraps the core file of the
//! same name; the `rtckit` package (python/rtckit) builds the public API on top.

use pyo3::prelude::*;

mod audio_output;
mod data_channel;
mod device;
mod error;
mod frame;
mod hub;
mod ice_candidate;
mod media_player;
mod media_recorder;
mod peer_connection;
mod rtp_sender;
mod rtp_transceiver;
mod runtime;
mod track;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    runtime::init();
    m.add_class::<peer_connection::PyPeerConnection>()?;
    m.add_class::<data_channel::PyDataChannel>()?;
    m.add_class::<rtp_sender::PyRtpSender>()?;
    m.add_class::<rtp_transceiver::PyRtpTransceiver>()?;
    m.add_function(wrap_pyfunction!(rtp_sender::codec_capabilities, m)?)?;
    m.add_class::<frame::PyVideoFrame>()?;
    m.add_class::<frame::PyAudioFrame>()?;
    m.add_class::<track::PyTrack>()?;
    m.add_class::<track::PyFrameReceiver>()?;
    m.add_class::<track::PyMediaStream>()?;
    m.add_class::<track::PyMediaSource>()?;
    m.add_class::<media_player::PyMediaPlayer>()?;
    m.add_class::<audio_output::PyAudioOutput>()?;
    m.add_class::<media_recorder::PyMediaRecorder>()?;
    m.add_function(wrap_pyfunction!(device::get_user_media, m)?)?;
    m.add_function(wrap_pyfunction!(device::enumerate_devices, m)?)?;
    m.add_function(wrap_pyfunction!(device::use_fake_devices, m)?)?;
    m.add_function(wrap_pyfunction!(device::read_frame_number, m)?)?;
    m.add_function(wrap_pyfunction!(ice_candidate::parse_candidate, m)?)?;
    m.add_function(wrap_pyfunction!(error::error_kinds, m)?)?;
    m.add_function(wrap_pyfunction!(error::_panic_for_test_async, m)?)?;
    m.add_function(wrap_pyfunction!(error::_panic_for_test, m)?)?;
    m.add_function(wrap_pyfunction!(runtime::_shutdown, m)?)?;
    m.add_function(wrap_pyfunction!(runtime::_runtime_tasks, m)?)?;
    m.add_function(wrap_pyfunction!(hub::hub_fd, m)?)?;
    m.add_function(wrap_pyfunction!(hub::hub_take, m)?)?;
    m.add("LOCAL_MAX_MESSAGE_SIZE", rtckit_core::data_channel::LOCAL_MAX_MESSAGE_SIZE)?;
    Ok(())
}
