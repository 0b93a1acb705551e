//! Puts a video stream's RTP packets back in order and hands out whole frames.
//!
//! Packets in sequence pass straight through (no added delay on a clean link). When one is
//! missing, the packets after it wait, up to [`MAX_WAIT`], for a NACK to bring it back;
//! duplicates and packets older than what was handed out are dropped. A frame that cannot be
//! completed in time is given up: the buffer skips to the next frame's first packet and says
//! so, and the caller waits for a key frame (asking for one with a PLI), since what follows
//! refers to the frame that was lost. Without this, a reordered or retransmitted packet was
//! glued into whatever frame was being assembled, and old frames were decoded again.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use bytes::Bytes;

/// How long packets wait behind a missing one: about a NACK round trip on a bad link.
pub(crate) const MAX_WAIT: Duration = Duration::from_millis(300);
/// Packets held at most while waiting; past this the missing one is given up at once.
const MAX_PACKETS: usize = 2048;

struct Entry {
    timestamp: u32,
    payload: Bytes,
    marker: bool,
    /// The codec says this payload starts a frame.
    head: bool,
}

/// One frame: its RTP timestamp, and its payloads in order (the last carried the marker).
pub(crate) type FramePayloads = (u32, Vec<Bytes>);

#[derive(Default)]
pub(crate) struct JitterBuffer {
    packets: BTreeMap<u64, Entry>,
    /// Extended sequence number of the next frame's first packet; None until a frame head.
    next: Option<u64>,
    highest: Option<u64>,
    /// When the buffer last got stuck on a missing packet.
    stuck_since: Option<Instant>,
}

impl JitterBuffer {
    /// Takes a packet; returns the frames now complete, in order, and whether a frame was
    /// given up on the way.
    pub(crate) fn push(
        &mut self,
        seq: u16,
        timestamp: u32,
        payload: Bytes,
        marker: bool,
        head: bool,
        now: Instant,
    ) -> (Vec<FramePayloads>, bool) {
        let ext = self.extend(seq);
        match self.next {
            None if !head => return (Vec::new(), false), // joining mid-frame: wait for a head
            None => self.next = Some(ext),
            Some(next) if ext < next => return (Vec::new(), false), // late, or a duplicate
            Some(_) => {}
        }
        self.highest = Some(self.highest.map_or(ext, |h| h.max(ext)));
        self.packets.entry(ext).or_insert(Entry { timestamp, payload, marker, head });
        let mut frames = Vec::new();
        let mut lost = false;
        loop {
            if self.drain(&mut frames) {
                self.stuck_since = None;
            }
            if self.packets.is_empty() {
                self.stuck_since = None;
                break;
            }
            let since = *self.stuck_since.get_or_insert(now);
            if now.duration_since(since) < MAX_WAIT && self.packets.len() < MAX_PACKETS {
                break;
            }
            lost = true;
            self.stuck_since = None;
            if !self.skip_to_next_head() {
                break;
            }
        }
        (frames, lost)
    }

    /// The 64-bit sequence number nearest the highest seen.
    fn extend(&self, seq: u16) -> u64 {
        let Some(highest) = self.highest else { return (1 << 16) + seq as u64 };
        let base = highest & !0xffff;
        let candidates = [base.wrapping_sub(1 << 16), base, base + (1 << 16)];
        candidates.into_iter().map(|b| b + seq as u64).min_by_key(|c| c.abs_diff(highest)).unwrap_or(highest)
    }

    /// Hands out every complete frame from `next` on; true if it handed out any.
    fn drain(&mut self, frames: &mut Vec<FramePayloads>) -> bool {
        let mut progressed = false;
        while let Some(start) = self.next {
            let mut end = start;
            loop {
                match self.packets.get(&end) {
                    None => return progressed,
                    Some(e) if e.marker => break,
                    Some(_) => end += 1,
                }
            }
            let timestamp = self.packets[&end].timestamp;
            let payloads = (start..=end).filter_map(|s| self.packets.remove(&s)).map(|e| e.payload).collect();
            frames.push((timestamp, payloads));
            self.next = Some(end + 1);
            progressed = true;
        }
        progressed
    }

    /// Gives up the frame at `next`: moves to the first later packet that starts a frame
    /// (after a marker, or after a packet that never came). False if there is none yet.
    fn skip_to_next_head(&mut self) -> bool {
        let Some(next) = self.next else { return false };
        let head = self.packets.iter().find_map(|(&s, e)| {
            let after_frame = s > next && e.head && self.packets.get(&(s - 1)).is_none_or(|p| p.marker);
            after_frame.then_some(s)
        });
        match head {
            Some(head) => {
                self.packets = self.packets.split_off(&head);
                self.next = Some(head);
                true
            }
            None => {
                // Nothing to restart from yet: drop what is held and wait for a frame head.
                self.packets.clear();
                self.next = None;
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(seq: u16) -> Bytes {
        Bytes::copy_from_slice(&seq.to_be_bytes())
    }

    fn seq_of(payload: &Bytes) -> u16 {
        u16::from_be_bytes([payload[0], payload[1]])
    }

    /// Frames of two packets each: seq 2k is a head, 2k+1 carries the marker.
    fn push(jb: &mut JitterBuffer, seq: u16, now: Instant) -> (Vec<Vec<u16>>, bool) {
        let (frames, lost) = jb.push(seq, seq as u32 / 2, p(seq), !seq.is_multiple_of(2), seq.is_multiple_of(2), now);
        for (timestamp, payloads) in &frames {
            assert_eq!(*timestamp, seq_of(&payloads[0]) as u32 / 2, "a frame carries its packets' timestamp");
        }
        (frames.into_iter().map(|(_, f)| f.iter().map(seq_of).collect()).collect(), lost)
    }

    #[test]
    fn in_order_packets_pass_straight_through() {
        let (mut jb, t) = (JitterBuffer::default(), Instant::now());
        assert_eq!(push(&mut jb, 0, t), (vec![], false));
        assert_eq!(push(&mut jb, 1, t), (vec![vec![0, 1]], false));
        assert_eq!(push(&mut jb, 2, t), (vec![], false));
        assert_eq!(push(&mut jb, 3, t), (vec![vec![2, 3]], false));
    }

    #[test]
    fn reordered_and_duplicated_packets_come_out_once_in_order() {
        let (mut jb, t) = (JitterBuffer::default(), Instant::now());
        push(&mut jb, 0, t);
        assert_eq!(push(&mut jb, 3, t), (vec![], false));
        assert_eq!(push(&mut jb, 2, t), (vec![], false));
        assert_eq!(push(&mut jb, 1, t), (vec![vec![0, 1], vec![2, 3]], false));
        assert_eq!(push(&mut jb, 1, t), (vec![], false));
        assert_eq!(push(&mut jb, 3, t), (vec![], false));
    }

    #[test]
    fn a_retransmission_within_the_wait_fills_the_gap() {
        let (mut jb, t) = (JitterBuffer::default(), Instant::now());
        push(&mut jb, 0, t);
        push(&mut jb, 2, t);
        push(&mut jb, 3, t + Duration::from_millis(100));
        let (frames, lost) = push(&mut jb, 1, t + MAX_WAIT - Duration::from_millis(1));
        assert_eq!((frames, lost), (vec![vec![0, 1], vec![2, 3]], false));
    }

    #[test]
    fn a_frame_missing_too_long_is_given_up_and_said() {
        let (mut jb, t) = (JitterBuffer::default(), Instant::now());
        push(&mut jb, 0, t);
        push(&mut jb, 2, t);
        push(&mut jb, 3, t);
        let (frames, lost) = push(&mut jb, 4, t + MAX_WAIT);
        assert_eq!((frames, lost), (vec![vec![2, 3]], true));
        // The given-up packet arriving late is dropped.
        assert_eq!(push(&mut jb, 1, t + MAX_WAIT), (vec![], false));
        assert_eq!(push(&mut jb, 5, t + MAX_WAIT), (vec![vec![4, 5]], false));
    }

    #[test]
    fn sequence_numbers_wrap() {
        let (mut jb, t) = (JitterBuffer::default(), Instant::now());
        push(&mut jb, 65534, t);
        assert_eq!(push(&mut jb, 65535, t), (vec![vec![65534, 65535]], false));
        assert_eq!(push(&mut jb, 0, t), (vec![], false));
        assert_eq!(push(&mut jb, 1, t), (vec![vec![0, 1]], false));
    }

    #[test]
    fn joining_mid_frame_waits_for_a_head() {
        let (mut jb, t) = (JitterBuffer::default(), Instant::now());
        assert_eq!(push(&mut jb, 1, t), (vec![], false));
        push(&mut jb, 2, t);
        assert_eq!(push(&mut jb, 3, t), (vec![vec![2, 3]], false));
    }
}
