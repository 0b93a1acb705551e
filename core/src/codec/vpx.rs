//! VP8 and VP9 through libvpx (Debian's libvpx-dev): real-time, constant bitrate, no lag,
//! error resilient, as browsers run them.

use std::mem::MaybeUninit;
use std::os::raw::c_int;

use rtc::rtp::codec::vp8::Vp8Packet;
use rtc::rtp::codec::vp9::Vp9Packet;
use vpx_sys as vpx;

use super::{CodecName, Decoder, Encoded, Encoder, VideoAssembler};
use crate::error::{Error, Result};
use crate::frame::VideoFrame;
use crate::track::MediaFrame;

/// Which of libvpx's codecs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vpx {
    Vp8,
    Vp9,
}

impl Vpx {
    fn name(self) -> &'static str {
        match self {
            Self::Vp8 => "VP8",
            Self::Vp9 => "VP9",
        }
    }
}

fn check(codec: Vpx, what: &str, err: vpx::vpx_codec_err_t) -> Result<()> {
    if err == vpx::VPX_CODEC_OK {
        Ok(())
    } else {
        Err(Error::operation(format!("{} {what} failed: {err:?}", codec.name())))
    }
}

/// An initialised libvpx context, destroyed on drop.
struct Context(Box<vpx::vpx_codec_ctx_t>);

// libvpx contexts have no thread affinity; each is used by one owner at a time.
unsafe impl Send for Context {}

impl Drop for Context {
    fn drop(&mut self) {
        unsafe { vpx::vpx_codec_destroy(&mut *self.0) };
    }
}

/// An encoder's configuration (plain data, with a pointer libvpx leaves null here).
#[derive(Clone, Copy)]
struct Config(vpx::vpx_codec_enc_cfg_t);

unsafe impl Send for Config {}

pub struct VpxEncoder {
    codec: Vpx,
    /// The encoder, its configuration (kept for bitrate changes) and frame size.
    context: Option<(Context, Config, u32, u32)>,
    bitrate: Option<u32>,
    max_bitrate: Option<u32>,
    /// Its rate control spends the bitrate per millisecond of the frames' time, so a frame
    /// offered at 60 fps gets half the bits it gets at 30 (with a frame count as pts at a 1/30
    /// time base, 60 fps had been twice the bitrate).
    clock: super::EncodeClock,
    keys: super::KeyFrameClock,
}

impl VpxEncoder {
    /// `bitrate` in bits per second; None picks one for each frame size.
    pub fn new(codec: Vpx, bitrate: Option<u32>) -> Self {
        Self { codec, context: None, bitrate, max_bitrate: None, clock: Default::default(), keys: Default::default() }
    }

    fn open(&self, width: u32, height: u32) -> Result<(Context, Config)> {
        unsafe {
            let iface = match self.codec {
                Vpx::Vp8 => vpx::vpx_codec_vp8_cx(),
                Vpx::Vp9 => vpx::vpx_codec_vp9_cx(),
            };
            let mut cfg = MaybeUninit::<vpx::vpx_codec_enc_cfg_t>::zeroed();
            check(self.codec, "configuration", vpx::vpx_codec_enc_config_default(iface, cfg.as_mut_ptr(), 0))?;
            let mut cfg = cfg.assume_init();
            cfg.g_w = width;
            cfg.g_h = height;
            cfg.g_timebase = vpx::vpx_rational { num: 1, den: 1000 };
            cfg.rc_target_bitrate = super::target_bitrate(self.bitrate, self.max_bitrate, width, height) / 1000;
            cfg.rc_end_usage = vpx::vpx_rc_mode::VPX_CBR;
            cfg.g_lag_in_frames = 0;
            cfg.g_error_resilient = 1; // VPX_ERROR_RESILIENT_DEFAULT
                                       // libvpx's worker threads spin while they wait: at real-time pace a second thread
                                       // costs more CPU than it saves up to 720p (measured with examples/media_loop).
            cfg.g_threads = if width * height > 1280 * 720 { 2 } else { 1 };
            cfg.rc_dropframe_thresh = 0;
            cfg.rc_min_quantizer = 2;
            cfg.rc_max_quantizer = 56;
            cfg.rc_undershoot_pct = 100;
            cfg.rc_overshoot_pct = 15;
            cfg.rc_buf_initial_sz = 500;
            cfg.rc_buf_optimal_sz = 600;
            cfg.rc_buf_sz = 1000;
            // Key frames every two seconds of real time come from KeyFrameClock.
            cfg.kf_mode = vpx::vpx_kf_mode::VPX_KF_AUTO;
            cfg.kf_max_dist = super::KeyFrameClock::MAX_FRAMES;
            let mut ctx = Box::new(MaybeUninit::<vpx::vpx_codec_ctx_t>::zeroed().assume_init());
            check(
                self.codec,
                "encoder setup",
                vpx::vpx_codec_enc_init_ver(&mut *ctx, iface, &cfg, 0, vpx::VPX_ENCODER_ABI_VERSION as c_int),
            )?;
            // Speed over quality, as libwebrtc does on desktop (-6 for real time), and skip
            // unchanged blocks (libwebrtc's static threshold of 1).
            // VP9's real-time speeds run 5 to 9; libwebrtc uses 7 and up on desktop.
            let speed = match self.codec {
                Vpx::Vp8 => -6,
                Vpx::Vp9 => 8,
            };
            vpx::vpx_codec_control_(&mut *ctx, vpx::vp8e_enc_control_id::VP8E_SET_CPUUSED as c_int, speed as c_int);
            vpx::vpx_codec_control_(
                &mut *ctx,
                vpx::vp8e_enc_control_id::VP8E_SET_STATIC_THRESHOLD as c_int,
                1 as c_int,
            );
            Ok((Context(ctx), Config(cfg)))
        }
    }

    /// One encoded frame; a key frame when `key` or the size changed.
    pub fn encode(&mut self, frame: &VideoFrame, key: bool) -> Result<Vec<u8>> {
        let (w, h) = (frame.width(), frame.height());
        let fresh = !matches!(&self.context, Some((_, _, ew, eh)) if *ew == w && *eh == h);
        if fresh {
            self.context = None;
            let (context, cfg) = self.open(w, h)?;
            self.context = Some((context, cfg, w, h));
        }
        let key = self.keys.key(key || fresh);
        let last = self.clock.last();
        let pts = self.clock.at(frame);
        let duration = last.map_or(33, |last| pts - last);
        let (context, _, _, _) = self.context.as_mut().expect("set above");
        let data = frame.i420();
        let mut out = Vec::new();
        unsafe {
            let mut image = MaybeUninit::<vpx::vpx_image_t>::zeroed();
            // libvpx only reads the planes; the cast is its C signature's.
            let wrapped = vpx::vpx_img_wrap(
                image.as_mut_ptr(),
                vpx::vpx_img_fmt::VPX_IMG_FMT_I420,
                w,
                h,
                1,
                data.as_ptr() as *mut u8,
            );
            if wrapped.is_null() {
                return Err(Error::operation(format!("{} could not wrap the frame", self.codec.name())));
            }
            // Odd sizes: the chroma planes are rounded up, as VideoFrame stores them.
            let image = &mut *wrapped;
            let (cw, ch) = (w.div_ceil(2) as usize, h.div_ceil(2) as usize);
            let y_size = (w * h) as usize;
            image.planes[1] = data.as_ptr().add(y_size) as *mut u8;
            image.planes[2] = data.as_ptr().add(y_size + cw * ch) as *mut u8;
            image.stride = [w as c_int, cw as c_int, cw as c_int, 0];
            let flags = if key && !fresh { vpx::VPX_EFLAG_FORCE_KF as i64 } else { 0 };
            check(
                self.codec,
                "encoding",
                vpx::vpx_codec_encode(&mut *context.0, image, pts, duration as _, flags, vpx::VPX_DL_REALTIME as _),
            )?;
            let mut iter = std::ptr::null();
            loop {
                let packet = vpx::vpx_codec_get_cx_data(&mut *context.0, &mut iter);
                if packet.is_null() {
                    break;
                }
                let packet = &*packet;
                if packet.kind == vpx::vpx_codec_cx_pkt_kind::VPX_CODEC_CX_FRAME_PKT {
                    let f = packet.data.frame;
                    out.extend_from_slice(std::slice::from_raw_parts(f.buf as *const u8, f.sz as usize));
                }
            }
        }
        Ok(out)
    }
}

impl Encoder for VpxEncoder {
    fn encode(&mut self, frame: &MediaFrame, key: bool) -> Result<Vec<Encoded>> {
        let MediaFrame::Video(frame) = frame else { return Ok(vec![]) };
        let data = VpxEncoder::encode(self, frame, key)?;
        Ok(if data.is_empty() { vec![] } else { vec![Encoded { data, ticks: None }] })
    }

    fn set_max_bitrate(&mut self, max: Option<u32>) -> Option<u32> {
        self.max_bitrate = max;
        let (context, cfg, w, h) = self.context.as_mut()?;
        let wanted = super::target_bitrate(self.bitrate, max, *w, *h) / 1000;
        if super::worth_changing(cfg.0.rc_target_bitrate, wanted) {
            let mut changed = *cfg;
            changed.0.rc_target_bitrate = wanted;
            // libvpx takes a new rate between frames; on failure the old one stays.
            if unsafe { vpx::vpx_codec_enc_config_set(&mut *context.0, &changed.0) }
                == vpx::vpx_codec_err_t::VPX_CODEC_OK
            {
                *cfg = changed;
            }
        }
        Some(cfg.0.rc_target_bitrate * 1000)
    }
}

pub struct VpxDecoder {
    codec: Vpx,
    context: Context,
}

impl VpxDecoder {
    pub fn new(codec: Vpx) -> Result<Self> {
        unsafe {
            let mut ctx = Box::new(MaybeUninit::<vpx::vpx_codec_ctx_t>::zeroed().assume_init());
            check(
                codec,
                "decoder setup",
                vpx::vpx_codec_dec_init_ver(
                    &mut *ctx,
                    match codec {
                        Vpx::Vp8 => vpx::vpx_codec_vp8_dx(),
                        Vpx::Vp9 => vpx::vpx_codec_vp9_dx(),
                    },
                    std::ptr::null(),
                    0,
                    vpx::VPX_DECODER_ABI_VERSION as c_int,
                ),
            )?;
            Ok(Self { codec, context: Context(ctx) })
        }
    }

    /// The picture a frame completes, if any.
    pub fn decode(&mut self, data: &[u8]) -> Result<Option<VideoFrame>> {
        unsafe {
            check(
                self.codec,
                "decoding",
                vpx::vpx_codec_decode(&mut *self.context.0, data.as_ptr(), data.len() as _, std::ptr::null_mut(), 0),
            )?;
            let mut iter = std::ptr::null();
            let mut last = None;
            loop {
                let image = vpx::vpx_codec_get_frame(&mut *self.context.0, &mut iter);
                if image.is_null() {
                    break;
                }
                last = Some(copy_image(&*image)?);
            }
            Ok(last)
        }
    }
}

/// Copies a decoded I420 image into a packed VideoFrame.
unsafe fn copy_image(image: &vpx::vpx_image_t) -> Result<VideoFrame> {
    let (w, h) = (image.d_w as usize, image.d_h as usize);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let mut out = Vec::with_capacity(w * h + 2 * cw * ch);
    for (plane, pw, ph) in [(0, w, h), (1, cw, ch), (2, cw, ch)] {
        let stride = image.stride[plane] as usize;
        for row in 0..ph {
            let start = unsafe { image.planes[plane].add(row * stride) };
            out.extend_from_slice(unsafe { std::slice::from_raw_parts(start, pw) });
        }
    }
    VideoFrame::from_i420(w as u32, h as u32, bytes::Bytes::from(out))
}

/// RTP in, decoded frames out.
pub(crate) fn rtp_decoder(codec: Vpx) -> Result<Box<dyn Decoder>> {
    let mut decoder = VpxDecoder::new(codec)?;
    let decode = move |unit: &[u8]| decoder.decode(unit);
    Ok(match codec {
        Vpx::Vp8 => Box::new(VideoAssembler::new(CodecName::Vp8, Vp8Packet::default(), decode)),
        Vpx::Vp9 => Box::new(VideoAssembler::new(CodecName::Vp9, Vp9Packet::default(), decode)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::is_key_frame;
    use crate::device::{read_frame_number, test_pattern};

    #[test]
    fn frame_numbers_survive_a_round_trip_in_vp8_and_vp9() {
        for (codec, name) in [(Vpx::Vp8, CodecName::Vp8), (Vpx::Vp9, CodecName::Vp9)] {
            let mut encoder = VpxEncoder::new(codec, Some(1_000_000));
            let mut decoder = VpxDecoder::new(codec).unwrap();
            for n in 0..10u32 {
                let data = encoder.encode(&test_pattern(320, 240, n), n == 0 || n == 5).unwrap();
                assert_eq!(is_key_frame(name, &data), n == 0 || n == 5, "{codec:?} frame {n}");
                let frame = decoder.decode(&data).unwrap().expect("a picture per frame");
                assert_eq!((frame.width(), frame.height()), (320, 240));
                assert_eq!(read_frame_number(&frame), n);
            }
            // Odd sizes are encoded too (neither has an even-size rule).
            let data = encoder.encode(&VideoFrame::black(33, 17).unwrap(), false).unwrap();
            let frame = decoder.decode(&data).unwrap().unwrap();
            assert_eq!((frame.width(), frame.height()), (33, 17), "{codec:?}");
        }
    }

    /// A receiver that missed the key frame decodes nothing from the frames that refer to
    /// it, says it needs a key frame (the caller sends a PLI), and decodes from the next one.
    #[test]
    fn a_receiver_joining_after_the_key_frame_waits_for_the_next() {
        let mut encoder = VpxEncoder::new(Vpx::Vp8, Some(1_000_000));
        let mut receiver = rtp_decoder(Vpx::Vp8).unwrap();
        for n in 0..7u32 {
            let data = encoder.encode(&test_pattern(320, 240, n), n == 0 || n == 4).unwrap();
            if n == 0 {
                continue; // lost before the receiver started
            }
            // One packet per frame: a VP8 payload descriptor starting the partition (S bit).
            let payload = bytes::Bytes::from([&[0x10u8][..], &data].concat());
            let received = receiver.receive(n as u16, n * 3000, &payload, true).unwrap();
            if n < 4 {
                assert!(received.frames.is_empty() && received.needs_key_frame, "frame {n}");
            } else {
                assert!(!received.needs_key_frame, "frame {n}");
                let [crate::track::MediaFrame::Video(frame)] = &received.frames[..] else { panic!("frame {n}") };
                assert_eq!(read_frame_number(frame), n);
            }
        }
    }
}
