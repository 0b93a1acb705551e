//! Turns an arriving retransmission (RTX, RFC 4588) back into the packet it repairs before
//! webrtc-rs's NACK generator sees it, so that the repaired packet counts as arrived.
//!
//! webrtc-rs unwraps RTX only at the end of its chain, after the generator, which logs
//! arrivals by SSRC and sequence number: a packet repaired over RTX stayed "missing" there,
//! and was asked for again every 100 ms until it left the log. On a link losing 10% that
//! was more packets resent than sent (296 against 160 in 3 s, from getStats), which also
//! held the bandwidth estimate down. Unwrapped here, a lost packet is asked for until it
//! arrives, and the generator is also capped at a few requests per packet (peer_connection.rs).

use std::collections::{HashMap, VecDeque};

use rtc::interceptor::{Packet, StreamInfo, TaggedPacket};

use crate::inbound_interceptor::Inbound;

#[derive(Default)]
pub(crate) struct RepairedPackets {
    /// RTX SSRC → (primary SSRC, RTX payload type, primary payload type).
    repairs: HashMap<u32, (u32, u8, u8)>,
}

impl Inbound for RepairedPackets {
    fn read(&mut self, mut msg: TaggedPacket, out: &mut VecDeque<TaggedPacket>) {
        if let Packet::Rtp(packet) = &mut msg.message.packet {
            let header = &mut packet.header;
            if let Some(&(primary, rtx_type, primary_type)) = self.repairs.get(&header.ssrc) {
                // Without its 2-byte original sequence number it is padding (a bandwidth
                // probe): webrtc-rs drops it further on.
                if header.payload_type == rtx_type && packet.payload.len() >= 2 {
                    header.sequence_number = u16::from_be_bytes([packet.payload[0], packet.payload[1]]);
                    header.ssrc = primary;
                    header.payload_type = primary_type;
                    header.padding = false;
                    packet.payload = packet.payload.slice(2..);
                }
            }
        }
        out.push_back(msg);
    }

    fn bind_remote_stream(&mut self, info: &StreamInfo) {
        if let (Some(rtx), Some(rtx_type)) = (info.ssrc_rtx, info.payload_type_rtx) {
            self.repairs.insert(rtx, (info.ssrc, rtx_type, info.payload_type));
        }
    }

    fn unbind_remote_stream(&mut self, info: &StreamInfo) {
        if let Some(rtx) = info.ssrc_rtx {
            self.repairs.remove(&rtx);
        }
    }
}
