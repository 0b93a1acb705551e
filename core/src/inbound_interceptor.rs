//! The part every rtckit interceptor shares: they act on arriving packets only, so outgoing
//! ones pass straight through. An [`Inbound`] filter says what to do with an arriving packet;
//! [`OnInbound`] is the webrtc-rs interceptor around it.

use std::collections::VecDeque;
use std::time::Instant;

use rtc::interceptor::{Interceptor, StreamInfo, TaggedPacket};
use rtc::sansio::Protocol;
use rtc::shared::error::Error;

pub(crate) trait Inbound: Send + Sync {
    /// Takes an arriving packet and queues in `out` what goes on up the chain.
    fn read(&mut self, msg: TaggedPacket, out: &mut VecDeque<TaggedPacket>);
    fn bind_remote_stream(&mut self, _info: &StreamInfo) {}
    fn unbind_remote_stream(&mut self, _info: &StreamInfo) {}
}

pub(crate) struct OnInbound<F> {
    filter: F,
    read: VecDeque<TaggedPacket>,
    write: VecDeque<TaggedPacket>,
}

impl<F: Inbound> OnInbound<F> {
    pub(crate) fn new(filter: F) -> Self {
        Self { filter, read: VecDeque::new(), write: VecDeque::new() }
    }
}

impl<F: Inbound> Protocol<TaggedPacket, TaggedPacket, ()> for OnInbound<F> {
    type Rout = TaggedPacket;
    type Wout = TaggedPacket;
    type Eout = ();
    type Error = Error;
    type Time = Instant;

    fn handle_read(&mut self, msg: TaggedPacket) -> Result<(), Self::Error> {
        self.filter.read(msg, &mut self.read);
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

impl<F: Inbound> Interceptor for OnInbound<F> {
    fn bind_local_stream(&mut self, _info: &StreamInfo) {}
    fn unbind_local_stream(&mut self, _info: &StreamInfo) {}
    fn bind_remote_stream(&mut self, info: &StreamInfo) {
        self.filter.bind_remote_stream(info);
    }
    fn unbind_remote_stream(&mut self, info: &StreamInfo) {
        self.filter.unbind_remote_stream(info);
    }
}
