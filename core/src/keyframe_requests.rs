//! An interceptor that hands inbound keyframe requests (PLI, FIR) to the application, where
//! the sender answers them with a key frame. webrtc-rs stops inbound RTCP at the end of its
//! interceptor chain unless one marks it for the application; this one sits last, after the
//! interceptors that act on the rest (reports, NACK, TWCC), and marks only these.
//!
//! It also reads the congestion controller's estimate off the packets going past (the
//! attribute GCC attaches to the feedback that moved it), for the senders' encoders.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Instant;

use rtc::interceptor::{Attribute, AttributedPacket, Interceptor, Packet, StreamInfo, TaggedPacket};
use rtc::rtcp::payload_feedbacks::full_intra_request::FullIntraRequest;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::sansio::Protocol;
use rtc::shared::error::Error;

#[derive(Default)]
pub(crate) struct KeyframeRequests {
    read: VecDeque<TaggedPacket>,
    write: VecDeque<TaggedPacket>,
    /// The connection's send-side estimate in bits per second (0 before the first).
    estimate: Arc<AtomicU32>,
}

impl KeyframeRequests {
    pub(crate) fn new(estimate: Arc<AtomicU32>) -> Self {
        Self { estimate, ..Default::default() }
    }
}

fn is_keyframe_request(packet: &dyn rtc::rtcp::Packet) -> bool {
    let any = packet.as_any();
    any.is::<PictureLossIndication>() || any.is::<FullIntraRequest>()
}

impl Protocol<TaggedPacket, TaggedPacket, ()> for KeyframeRequests {
    type Rout = TaggedPacket;
    type Wout = TaggedPacket;
    type Eout = ();
    type Error = Error;
    type Time = Instant;

    fn handle_read(&mut self, mut msg: TaggedPacket) -> Result<(), Self::Error> {
        let estimate = msg.message.get(&Attribute::TargetBitrateChanged { bits_per_second: 0.0 });
        let carries_estimate = if let Some(Attribute::TargetBitrateChanged { bits_per_second }) = estimate {
            self.estimate.store(bits_per_second.clamp(1.0, u32::MAX as f64) as u32, Ordering::Relaxed);
            true
        } else {
            false
        };
        let Packet::Rtcp(packets) = &msg.message.packet else {
            self.read.push_back(msg);
            return Ok(());
        };
        let (requests, rest): (Vec<_>, Vec<_>) = packets.iter().cloned().partition(|p| is_keyframe_request(p.as_ref()));
        // The rest (reports, NACKs, TWCC feedback) was acted on by the interceptors before
        // this one; it goes on unmarked, so webrtc-rs counts it in its stats and drops it.
        let (now, transport) = (msg.now, msg.transport);
        if !rest.is_empty() || carries_estimate {
            msg.message.packet = Packet::Rtcp(rest);
            self.read.push_back(msg);
        }
        // The keyframe requests alone are marked for the application (the senders).
        if !requests.is_empty() {
            let mut message = AttributedPacket::from(Packet::Rtcp(requests));
            message.add(Attribute::DeliverToApplication);
            self.read.push_back(TaggedPacket { now, transport, message });
        }
        Ok(())
    }

    fn poll_read(&mut self) -> Option<Self::Rout> {
        self.read.pop_front()
    }

    fn handle_write(&mut self, msg: TaggedPacket) -> Result<(), Self::Error> {
        self.write.push_back(msg);
        Ok(())
    }

    fn poll_write(&mut self) -> Option<Self::Wout> {
        self.write.pop_front()
    }
}

impl Interceptor for KeyframeRequests {
    fn bind_local_stream(&mut self, _info: &StreamInfo) {}
    fn unbind_local_stream(&mut self, _info: &StreamInfo) {}
    fn bind_remote_stream(&mut self, _info: &StreamInfo) {}
    fn unbind_remote_stream(&mut self, _info: &StreamInfo) {}
}
