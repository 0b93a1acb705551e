//! Opus through libopus: 48 kHz, 20 ms packets, mono or stereo as the source is. The
//! receiver decodes to stereo when the negotiated fmtp asks for it (`stereo=1`), else mono.

use opus::{Application, Channels};
use rtc::rtp_transceiver::rtp_sender::RTCRtpCodec;

use super::audio_chunker::AudioChunker;
use super::{Decoder, Encoded, Encoder};
use crate::error::{Error, Result};
use crate::frame::AudioFrame;
use crate::track::MediaFrame;

const RATE: u32 = 48_000;
/// 20 ms, what browsers send.
const PACKET: usize = 960;
/// The largest packet libopus may write (RFC 6716: 1275 bytes per frame).
const MAX_PACKET: usize = 1500;

fn opus_error(what: &str, err: opus::Error) -> Error {
    Error::operation(format!("Opus {what} failed: {err}"))
}

fn channels_of(n: u16) -> Channels {
    if n >= 2 {
        Channels::Stereo
    } else {
        Channels::Mono
    }
}

#[derive(Default)]
pub struct OpusEncoder {
    /// The encoder and its channel count, made for the first frame's layout.
    encoder: Option<(opus::Encoder, AudioChunker, u16)>,
}

impl Encoder for OpusEncoder {
    fn encode(&mut self, frame: &MediaFrame, _key: bool) -> Result<Vec<Encoded>> {
        let MediaFrame::Audio(frame) = frame else { return Ok(vec![]) };
        let channels = frame.channels().min(2);
        if !matches!(&self.encoder, Some((_, _, c)) if *c == channels) {
            let encoder = opus::Encoder::new(RATE, channels_of(channels), Application::Audio)
                .map_err(|e| opus_error("encoder setup", e))?;
            self.encoder = Some((encoder, AudioChunker::new(RATE, channels, PACKET), channels));
        }
        let (encoder, chunker, _) = self.encoder.as_mut().expect("set above");
        let mut out = Vec::new();
        for packet in chunker.push(frame) {
            let data = encoder.encode_vec(&packet, MAX_PACKET).map_err(|e| opus_error("encoding", e))?;
            out.push(Encoded { data, ticks: Some(PACKET as u32) });
        }
        Ok(out)
    }
}

pub struct OpusDecoder {
    decoder: opus::Decoder,
    channels: u16,
    buffer: Vec<i16>,
}

impl OpusDecoder {
    pub fn new(codec: &RTCRtpCodec) -> Result<Self> {
        let stereo = codec.sdp_fmtp_line.split(';').any(|p| p.trim() == "stereo=1");
        Self::with_channels(if stereo { 2 } else { 1 })
    }

    /// A decoder giving `channels` (1 or 2) whatever the packets carry.
    pub fn with_channels(channels: u16) -> Result<Self> {
        let decoder = opus::Decoder::new(RATE, channels_of(channels)).map_err(|e| opus_error("decoder setup", e))?;
        // 120 ms is the longest packet Opus has.
        Ok(Self { decoder, channels, buffer: vec![0; 5760 * channels as usize] })
    }
}

impl Decoder for OpusDecoder {
    fn decode(&mut self, payload: &bytes::Bytes, _marker: bool) -> Result<Option<MediaFrame>> {
        if payload.is_empty() {
            return Ok(None);
        }
        let n = self.decoder.decode(payload, &mut self.buffer, false).map_err(|e| opus_error("decoding", e))?;
        let samples = self.buffer[..n * self.channels as usize].to_vec();
        let mut frame = AudioFrame::new(samples, RATE, self.channels)?;
        frame.unit = Some(crate::frame::EncodedUnit { codec: super::CodecName::Opus, data: payload.clone() });
        Ok(Some(MediaFrame::Audio(frame)))
    }
}
