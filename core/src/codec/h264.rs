//! H.264 (constrained baseline, what browsers offer with packetization-mode 1) through
//! OpenH264, built from its bundled source.

use openh264::decoder::{DecodedYUV, Decoder, DecoderConfig, Flush};
use openh264::encoder::{BitRate, Encoder, EncoderConfig, FrameRate, IntraFramePeriod};
use openh264::formats::{YUVSlices, YUVSource};
use openh264::OpenH264API;

use rtc::rtp::codec::h264::H264Packet;

use super::{Decoder as RtpDecoder, Encoded, Encoder as FrameEncoder, VideoAssembler};
use crate::error::{Error, Result};
use crate::frame::VideoFrame;
use crate::track::MediaFrame;

/// The SDP fmtp line of the H.264 rtckit sends: constrained baseline, level 3.1.
pub const H264_FMTP: &str = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f";

fn codec_error(what: &str, err: openh264::Error) -> Error {
    Error::operation(format!("H.264 {what} failed: {err}"))
}

/// Encodes frames to H.264 Annex-B access units; the size follows the frames.
pub struct H264Encoder {
    /// The encoder, its frame size and its target bitrate.
    encoder: Option<(Encoder, u32, u32, u32)>,
    bitrate: Option<u32>,
    max_bitrate: Option<u32>,
    fps: f32,
    clock: super::EncodeClock,
    keys: super::KeyFrameClock,
}

impl H264Encoder {
    /// `bitrate` in bits per second; None picks one for each frame size.
    pub fn new(bitrate: Option<u32>, fps: f32) -> Self {
        Self { encoder: None, bitrate, max_bitrate: None, fps, clock: Default::default(), keys: Default::default() }
    }

    /// One access unit (Annex-B NAL units); a key frame when `key` or the size changed.
    pub fn encode(&mut self, frame: &VideoFrame, key: bool) -> Result<Vec<u8>> {
        let (w, h) = (frame.width(), frame.height());
        if w % 2 != 0 || h % 2 != 0 {
            return Err(Error::type_error(format!("H.264 needs even frame sizes, not {w}x{h}")));
        }
        let fresh = !matches!(&self.encoder, Some((_, ew, eh, _)) if *ew == w && *eh == h);
        if fresh {
            let target = super::target_bitrate(self.bitrate, self.max_bitrate, w, h);
            let config = EncoderConfig::new()
                .bitrate(BitRate::from_bps(target))
                .max_frame_rate(FrameRate::from_hz(self.fps))
                // OpenH264 controls the bitrate only by skipping frames (see EncodeClock).
                .skip_frames(true)
                // Key frames every two seconds of real time come from KeyFrameClock.
                .intra_frame_period(IntraFramePeriod::from_num_frames(super::KeyFrameClock::MAX_FRAMES));
            let encoder = Encoder::with_api_config(OpenH264API::from_source(), config)
                .map_err(|e| codec_error("encoder setup", e))?;
            self.encoder = Some((encoder, w, h, target));
        }
        let (encoder, _, _, _) = self.encoder.as_mut().expect("set above");
        if self.keys.key(key || fresh) && !fresh {
            encoder.force_intra_frame();
        }
        let (w, h) = (w as usize, h as usize);
        let data = frame.i420();
        let (y, rest) = data.split_at(w * h);
        let (u, v) = rest.split_at((w / 2) * (h / 2));
        let source = YUVSlices::new((y, u, v), (w, h), (w, w / 2, w / 2));
        // The rate control spends the bitrate per second of timestamps (all-zero ones had it
        // assume its maximum frame rate).
        let at = openh264::Timestamp::from_millis(self.clock.at(frame) as u64);
        let bitstream = encoder.encode_at(&source, at).map_err(|e| codec_error("encoding", e))?;
        Ok(bitstream.to_vec())
    }
}

impl FrameEncoder for H264Encoder {
    fn encode(&mut self, frame: &MediaFrame, key: bool) -> Result<Vec<Encoded>> {
        let MediaFrame::Video(frame) = frame else { return Ok(vec![]) };
        let unit = H264Encoder::encode(self, frame, key)?;
        Ok(if unit.is_empty() { vec![] } else { vec![Encoded { data: unit, ticks: None }] })
    }

    fn set_max_bitrate(&mut self, max: Option<u32>) -> Option<u32> {
        self.max_bitrate = max;
        let (encoder, w, h, target) = self.encoder.as_mut()?;
        let wanted = super::target_bitrate(self.bitrate, max, *w, *h);
        if super::worth_changing(*target, wanted) {
            let mut info =
                openh264_sys2::SBitrateInfo { iLayer: openh264_sys2::SPATIAL_LAYER_ALL, iBitrate: wanted as i32 };
            // SAFETY: the encoder is initialised (it has encoded a frame) and SetOption only
            // reads the struct for the call.
            let done = unsafe {
                encoder.raw_api().set_option(openh264_sys2::ENCODER_OPTION_BITRATE, std::ptr::addr_of_mut!(info).cast())
            };
            if done == 0 {
                *target = wanted;
            }
        }
        Some(*target)
    }
}

/// RTP in, decoded frames out.
pub(crate) fn rtp_decoder() -> Result<Box<dyn RtpDecoder>> {
    let mut decoder = H264Decoder::new()?;
    Ok(Box::new(VideoAssembler::new(super::CodecName::H264, H264Packet::default(), move |unit: &[u8]| {
        decoder.decode(unit)
    })))
}

/// Decodes H.264 Annex-B access units into frames.
pub struct H264Decoder {
    decoder: Decoder,
}

impl H264Decoder {
    pub fn new() -> Result<Self> {
        let decoder = Decoder::new().map_err(|e| codec_error("decoder setup", e))?;
        Ok(Self { decoder })
    }

    /// A decoder that holds pictures back to give B-frames in display order (files from
    /// ffmpeg have them; WebRTC's profiles do not): [`flush`](Self::flush) gives the last ones.
    pub fn reordering() -> Result<Self> {
        let config = DecoderConfig::new().flush_after_decode(Flush::NoFlush);
        let decoder = Decoder::with_api_config(OpenH264API::from_source(), config)
            .map_err(|e| codec_error("decoder setup", e))?;
        Ok(Self { decoder })
    }

    /// The picture an access unit completes, if any.
    pub fn decode(&mut self, access_unit: &[u8]) -> Result<Option<VideoFrame>> {
        match self.decoder.decode(access_unit).map_err(|e| codec_error("decoding", e))? {
            Some(image) => picture(&image).map(Some),
            None => Ok(None),
        }
    }

    /// The pictures a reordering decoder still holds, at the end of the stream.
    pub fn flush(&mut self) -> Result<Vec<VideoFrame>> {
        let images = self.decoder.flush_remaining().map_err(|e| codec_error("flushing", e))?;
        images.iter().map(picture).collect()
    }
}

fn picture(image: &DecodedYUV<'_>) -> Result<VideoFrame> {
    let (w, h) = image.dimensions();
    let (sy, su, sv) = image.strides();
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let mut out = Vec::with_capacity(w * h + 2 * cw * ch);
    for row in 0..h {
        out.extend_from_slice(&image.y()[row * sy..row * sy + w]);
    }
    for row in 0..ch {
        out.extend_from_slice(&image.u()[row * su..row * su + cw]);
    }
    for row in 0..ch {
        out.extend_from_slice(&image.v()[row * sv..row * sv + cw]);
    }
    VideoFrame::from_i420(w as u32, h as u32, bytes::Bytes::from(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::{read_frame_number, test_pattern};

    #[test]
    fn frame_numbers_survive_an_h264_round_trip() {
        let mut encoder = H264Encoder::new(Some(1_000_000), 30.0);
        let mut decoder = H264Decoder::new().unwrap();
        for n in 0..10u32 {
            let unit = encoder.encode(&test_pattern(320, 240, n), n == 0).unwrap();
            let frame = decoder.decode(&unit).unwrap().expect("a picture per access unit");
            assert_eq!((frame.width(), frame.height()), (320, 240));
            assert_eq!(read_frame_number(&frame), n);
        }
        assert_eq!(
            encoder.encode(&VideoFrame::black(3, 2).unwrap(), false).unwrap_err().kind,
            crate::ErrorKind::TypeError
        );
    }
}
