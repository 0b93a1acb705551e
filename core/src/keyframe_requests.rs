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

use rtc::interceptor::{Attribute, AttributedPacket, Packet, TaggedPacket};
use rtc::rtcp::payload_feedbacks::full_intra_request::FullIntraRequest;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;

use crate::inbound_interceptor::Inbound;

pub(crate) struct KeyframeRequests {
    /// The connection's send-side estimate in bits per second (0 before the first).
    pub(crate) estimate: Arc<AtomicU32>,
}

fn is_keyframe_request(packet: &dyn rtc::rtcp::Packet) -> bool {
    let any = packet.as_any();
    any.is::<PictureLossIndication>() || any.is::<FullIntraRequest>()
}

impl Inbound for KeyframeRequests {
    fn read(&mut self, mut msg: TaggedPacket, out: &mut VecDeque<TaggedPacket>) {
        let estimate = msg.message.get(&Attribute::TargetBitrateChanged { bits_per_second: 0.0 });
        let carries_estimate = if let Some(Attribute::TargetBitrateChanged { bits_per_second }) = estimate {
            self.estimate.store(bits_per_second.clamp(1.0, u32::MAX as f64) as u32, Ordering::Relaxed);
            true
        } else {
            false
        };
        let Packet::Rtcp(packets) = &msg.message.packet else {
            out.push_back(msg);
            return;
        };
        let (requests, rest): (Vec<_>, Vec<_>) = packets.iter().cloned().partition(|p| is_keyframe_request(p.as_ref()));
        // The rest (reports, NACKs, TWCC feedback) was acted on by the interceptors before
        // this one; it goes on unmarked, so webrtc-rs counts it in its stats and drops it.
        let (now, transport) = (msg.now, msg.transport);
        if !rest.is_empty() || carries_estimate {
            msg.message.packet = Packet::Rtcp(rest);
            out.push_back(msg);
        }
        // The keyframe requests alone are marked for the application (the senders).
        if !requests.is_empty() {
            let mut message = AttributedPacket::from(Packet::Rtcp(requests));
            message.add(Attribute::DeliverToApplication);
            out.push_back(TaggedPacket { now, transport, message });
        }
    }
}
