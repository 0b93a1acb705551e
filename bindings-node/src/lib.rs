//! rtckit.node: the Node face of rtckit-core. Each file wraps the core file of the same
//! name; the JS layer (bindings-node/lib) builds the browser API on top.

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
mod track;

/// napi takes ownership of the runtime it runs async functions on: hand it core's.
#[napi_derive::module_init]
fn init() {
    if let Some(runtime) = rtckit_core::runtime::build_for_host() {
        napi::bindgen_prelude::create_custom_tokio_runtime(runtime);
    }
}

/// Tasks alive on rtckit's runtime, for the soak run's leak curve.
#[napi_derive::napi(catch_unwind)]
pub fn runtime_tasks() -> u32 {
    rtckit_core::runtime::alive_tasks() as u32
}
