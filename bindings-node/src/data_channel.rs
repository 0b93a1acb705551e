//! NativeDataChannel wraps core's DataChannel; RTCDataChannel (JS) adds EventTarget.

use bytes::Bytes;
use napi::bindgen_prelude::{Buffer, Uint8Array};
use napi_derive::napi;

use crate::error::IntoNapi;

#[napi(object)]
pub struct DataChannelEventObj {
    pub name: String,
    pub text: Option<String>,
    pub binary: Option<Buffer>,
    /// An error event's message, and its kind's DOMException name in `error_kind`.
    pub error: Option<String>,
    pub error_kind: Option<String>,
}

#[napi]
pub struct NativeDataChannel {
    pub(crate) inner: rtckit_core::DataChannel,
}

#[napi]
impl NativeDataChannel {
    #[napi(getter, catch_unwind)]
    pub fn label(&self) -> String {
        self.inner.label().to_owned()
    }
    #[napi(getter, catch_unwind)]
    pub fn protocol(&self) -> String {
        self.inner.protocol().to_owned()
    }
    #[napi(getter, catch_unwind)]
    pub fn ordered(&self) -> bool {
        self.inner.ordered()
    }
    #[napi(getter, catch_unwind)]
    pub fn max_packet_life_time(&self) -> Option<u32> {
        self.inner.max_packet_life_time().map(u32::from)
    }
    #[napi(getter, catch_unwind)]
    pub fn max_retransmits(&self) -> Option<u32> {
        self.inner.max_retransmits().map(u32::from)
    }
    #[napi(getter, catch_unwind)]
    pub fn negotiated(&self) -> bool {
        self.inner.negotiated()
    }
    #[napi(getter, catch_unwind)]
    pub fn id(&self) -> Option<u32> {
        self.inner.id().map(u32::from)
    }
    #[napi(getter, catch_unwind)]
    pub fn ready_state(&self) -> &'static str {
        self.inner.ready_state().as_str()
    }
    #[napi(getter, catch_unwind)]
    pub fn buffered_amount(&self) -> f64 {
        self.inner.buffered_amount() as f64
    }
    #[napi(getter, catch_unwind)]
    pub fn buffered_amount_low_threshold(&self) -> u32 {
        self.inner.buffered_amount_low_threshold()
    }
    #[napi(setter, catch_unwind)]
    pub fn set_buffered_amount_low_threshold(&self, value: u32) {
        self.inner.set_buffered_amount_low_threshold(value)
    }
    #[napi(getter, catch_unwind)]
    pub fn max_message_size(&self) -> u32 {
        self.inner.max_message_size() as u32
    }

    #[napi(catch_unwind)]
    pub fn send_text(&self, text: String) -> crate::error::Result<()> {
        self.inner.send(Bytes::from(text.into_bytes()), true).napi()
    }

    #[napi(catch_unwind)]
    pub fn send_binary(&self, data: Uint8Array) -> crate::error::Result<()> {
        self.inner.send(Bytes::copy_from_slice(&data), false).napi()
    }

    #[napi(catch_unwind)]
    pub fn close(&self) {
        self.inner.close()
    }

    /// Starts telling the hub (as `key`) when events are waiting.
    #[napi(catch_unwind)]
    pub fn listen(&self, key: u32) {
        self.inner.set_event_listener(crate::hub::listener(key))
    }

    /// The events waiting; `ended` once the channel's events are over.
    #[napi(catch_unwind)]
    pub fn take_events(&self) -> DataChannelEvents {
        let (events, ended) = self.inner.take_events();
        DataChannelEvents { events: events.into_iter().map(event_obj).collect(), ended }
    }
}

#[napi(object)]
pub struct DataChannelEvents {
    pub events: Vec<DataChannelEventObj>,
    pub ended: bool,
}

fn event_obj(e: rtckit_core::DataChannelEvent) -> DataChannelEventObj {
    let name = e.name().to_owned();
    match e {
        rtckit_core::DataChannelEvent::Message(m) if m.is_string => DataChannelEventObj {
            name,
            text: Some(String::from_utf8_lossy(&m.data).into_owned()),
            binary: None,
            error: None,
            error_kind: None,
        },
        rtckit_core::DataChannelEvent::Message(m) => DataChannelEventObj {
            name,
            text: None,
            binary: Some(Buffer::from(Vec::<u8>::from(m.data))),
            error: None,
            error_kind: None,
        },
        rtckit_core::DataChannelEvent::Error(err) => DataChannelEventObj {
            name,
            text: None,
            binary: None,
            error: Some(err.message),
            error_kind: Some(err.kind.name().to_owned()),
        },
        _ => DataChannelEventObj { name, text: None, binary: None, error: None, error_kind: None },
    }
}
