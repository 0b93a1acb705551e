//! G.711 (PCMU and PCMA): 8 kHz mono, one byte a sample, 20 ms packets. The fallback every
//! WebRTC peer has; small enough to write out here rather than depend on a crate.

use super::audio_chunker::AudioChunker;
use super::{Decoder, Encoded, Encoder};
use crate::error::Result;
use crate::frame::AudioFrame;
use crate::track::MediaFrame;

const RATE: u32 = 8000;
const PACKET: usize = 160;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Law {
    /// PCMU
    Mu,
    /// PCMA
    A,
}

impl Law {
    pub fn encode(self, sample: i16) -> u8 {
        match self {
            Self::Mu => encode_mu(sample),
            Self::A => encode_a(sample),
        }
    }

    pub fn decode(self, byte: u8) -> i16 {
        match self {
            Self::Mu => decode_mu(byte),
            Self::A => decode_a(byte),
        }
    }
}

pub struct G711Encoder {
    law: Law,
    chunker: AudioChunker,
}

impl G711Encoder {
    pub fn new(law: Law) -> Self {
        Self { law, chunker: AudioChunker::new(RATE, 1, PACKET) }
    }
}

impl Encoder for G711Encoder {
    fn encode(&mut self, frame: &MediaFrame, _key: bool) -> Result<Vec<Encoded>> {
        let MediaFrame::Audio(frame) = frame else { return Ok(vec![]) };
        let law = self.law;
        Ok(self
            .chunker
            .push(frame)
            .into_iter()
            .map(|packet| Encoded { data: packet.iter().map(|&s| law.encode(s)).collect(), ticks: Some(PACKET as u32) })
            .collect())
    }
}

pub struct G711Decoder {
    law: Law,
}

impl G711Decoder {
    pub fn new(law: Law) -> Self {
        Self { law }
    }
}

impl Decoder for G711Decoder {
    fn decode(&mut self, payload: &bytes::Bytes, _marker: bool) -> Result<Option<MediaFrame>> {
        if payload.is_empty() {
            return Ok(None);
        }
        let samples = payload.iter().map(|&b| self.law.decode(b)).collect();
        let mut frame = AudioFrame::new(samples, RATE, 1)?;
        let codec = match self.law {
            Law::Mu => super::CodecName::Pcmu,
            Law::A => super::CodecName::Pcma,
        };
        frame.unit = Some(crate::frame::EncodedUnit { codec, data: payload.clone() });
        Ok(Some(MediaFrame::Audio(frame)))
    }
}

const BIAS: i32 = 0x84;
const CLIP: i32 = 32635;

pub fn encode_mu(sample: i16) -> u8 {
    let mut s = sample as i32;
    let sign = if s < 0 { 0x80 } else { 0 };
    if s < 0 {
        s = -s;
    }
    s = s.min(CLIP) + BIAS;
    // The position of the highest set bit among bits 7..14.
    let exponent = 7 - ((s >> 7) as u32).leading_zeros().saturating_sub(24).min(7) as i32;
    let mantissa = (s >> (exponent + 3)) & 0x0f;
    !(sign | (exponent << 4) | mantissa) as u8
}

pub fn decode_mu(byte: u8) -> i16 {
    let b = !byte as i32;
    let sign = b & 0x80;
    let exponent = (b >> 4) & 0x07;
    let mantissa = b & 0x0f;
    let magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
    (if sign != 0 { -magnitude } else { magnitude }) as i16
}

pub fn encode_a(sample: i16) -> u8 {
    let mut s = sample as i32;
    let sign = if s >= 0 { 0x80 } else { 0 };
    if s < 0 {
        s = -s - 1;
    }
    s = s.min(32767) >> 3;
    let byte = if s < 32 {
        s >> 1
    } else {
        let segment = 31 - (s as u32).leading_zeros() as i32 - 4; // 1..=7
        (segment << 4) | ((s >> segment) & 0x0f)
    };
    ((sign | byte) ^ 0x55) as u8
}

pub fn decode_a(byte: u8) -> i16 {
    let b = (byte ^ 0x55) as i32;
    let sign = b & 0x80;
    let exponent = (b >> 4) & 0x07;
    let mantissa = b & 0x0f;
    let magnitude = if exponent == 0 { (mantissa << 4) + 8 } else { ((mantissa << 4) + 0x108) << (exponent - 1) };
    (if sign != 0 { magnitude } else { -magnitude }) as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_laws_round_trip_within_their_step() {
        for law in [Law::Mu, Law::A] {
            for s in (-32768i32..32768).step_by(7) {
                let s = s as i16;
                let back = law.decode(law.encode(s));
                // Logarithmic steps: the error grows with the magnitude, about 1/16 of it.
                let tolerance = (s as i32).abs() / 16 + 40;
                assert!((back as i32 - s as i32).abs() <= tolerance, "{law:?} {s} -> {back}");
            }
        }
        // Known code points (ITU-T G.711 tables): silence.
        assert_eq!(encode_mu(0), 0xff);
        assert_eq!(encode_a(0), 0xd5);
    }
}
