//! Brings audio frames of any rate, channel count and length to what an audio encoder takes:
//! its rate and channels, in packets of a fixed number of samples.

use crate::frame::AudioFrame;

pub(crate) struct AudioChunker {
    rate: u32,
    channels: usize,
    /// Samples per channel in one packet.
    packet: usize,
    resampler: Option<Resampler>,
    pending: Vec<i16>,
}

impl AudioChunker {
    pub(crate) fn new(rate: u32, channels: u16, packet: usize) -> Self {
        Self { rate, channels: channels as usize, packet, resampler: None, pending: Vec::new() }
    }

    /// Takes a frame; returns the whole packets now ready, interleaved.
    pub(crate) fn push(&mut self, frame: &AudioFrame) -> Vec<Vec<i16>> {
        let mixed = remix(frame.samples(), frame.channels() as usize, self.channels);
        let resampled = if frame.sample_rate() == self.rate {
            mixed
        } else {
            let (from, to, channels) = (frame.sample_rate(), self.rate, self.channels);
            // A new input rate starts a fresh resampler.
            if !matches!(&self.resampler, Some(r) if r.from == from) {
                self.resampler = Some(Resampler::new(from, to, channels));
            }
            self.resampler.as_mut().expect("set above").process(&mixed)
        };
        self.pending.extend_from_slice(&resampled);
        let size = self.packet * self.channels;
        let mut packets = Vec::new();
        while self.pending.len() >= size {
            let rest = self.pending.split_off(size);
            packets.push(std::mem::replace(&mut self.pending, rest));
        }
        packets
    }
}

/// Interleaved samples from `from` channels to `to`: mono is copied out, more are averaged in.
pub(crate) fn remix(samples: &[i16], from: usize, to: usize) -> Vec<i16> {
    if from == to {
        return samples.to_vec();
    }
    let mut out = Vec::with_capacity(samples.len() / from * to);
    for frame in samples.chunks_exact(from) {
        if to == 1 {
            let sum: i32 = frame.iter().map(|&s| s as i32).sum();
            out.push((sum / from as i32) as i16);
        } else if from == 1 {
            out.extend(std::iter::repeat_n(frame[0], to));
        } else {
            out.extend((0..to).map(|c| frame[c.min(from - 1)]));
        }
    }
    out
}

/// Linear-interpolating resampler that carries its phase across frames, so a tone stays
/// continuous at frame boundaries.
struct Resampler {
    from: u32,
    channels: usize,
    step: f64,
    /// Where the next output sample falls, in input samples from the current frame's first
    /// (-1 is the previous frame's last, kept in `prev`).
    phase: f64,
    prev: Vec<i16>,
}

impl Resampler {
    fn new(from: u32, to: u32, channels: usize) -> Self {
        Self { from, channels, step: from as f64 / to as f64, phase: 0.0, prev: vec![0; channels] }
    }

    fn process(&mut self, input: &[i16]) -> Vec<i16> {
        let ch = self.channels;
        let n = input.len() / ch;
        if n == 0 {
            return Vec::new();
        }
        let at = |i: isize, c: usize| if i < 0 { self.prev[c] } else { input[i as usize * ch + c] } as f64;
        let mut out = Vec::with_capacity(((n as f64 / self.step) as usize + 1) * ch);
        while self.phase <= (n - 1) as f64 {
            let i = self.phase.floor() as isize;
            let frac = self.phase - i as f64;
            for c in 0..ch {
                let (a, b) = (at(i, c), at(i + 1, c));
                out.push((a + (b - a) * frac).round() as i16);
            }
            self.phase += self.step;
        }
        self.phase -= n as f64;
        self.prev.copy_from_slice(&input[(n - 1) * ch..n * ch]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packets_come_out_whole_at_the_encoder_rate() {
        let mut chunker = AudioChunker::new(8000, 1, 160);
        // 10 ms of 48 kHz stereo at a time: 80 mono samples at 8 kHz each.
        let frame = AudioFrame::new(vec![100; 480 * 2], 48_000, 2).unwrap();
        assert!(chunker.push(&frame).is_empty());
        let packets = chunker.push(&frame);
        assert_eq!(packets.len(), 1);
        assert_eq!(packets[0].len(), 160);
        assert!(packets[0].iter().all(|&s| s == 100));
        assert_eq!(remix(&[1, 3, 5, 7], 2, 1), vec![2, 6]);
        assert_eq!(remix(&[1, 2], 1, 2), vec![1, 1, 2, 2]);
    }
}
