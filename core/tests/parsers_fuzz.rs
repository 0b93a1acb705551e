//! Seeded property runs over every parser of bytes from outside: the file readers (IVF, Ogg,
//! WAV, Y4M, H.264 Annex-B, WebM, MP4), the RTP depacketizers and decoders, ICE candidate
//! lines and remote SDP. Each input is a valid file or packet the writers made, mutated
//! (bytes flipped, lengths set huge, cut short, spliced), or plain noise. Every case must end
//! in a value or an error: no panic, no hang, and no allocation sized by a length field
//! (a WAV header that asks for 4 GiB must not get it).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Cursor;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use rtckit_core::container::{annexb, ivf, matroska, mp4, ogg, wav, y4m, Format, Reader};
use rtckit_core::device::test_pattern;
use rtckit_core::{
    AudioFrame, Configuration, IceCandidate, MediaFrame, PeerConnection, SessionDescription, SignalingState, TrackKind,
};

/// The largest single allocation a case made, on its own thread (the tests run side by side):
/// a parser must bound what a length field asks.
struct Watched;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}
const ALLOCATION_LIMIT: usize = 256 << 20;

fn granted(ptr: *mut u8, size: usize) -> *mut u8 {
    if !ptr.is_null() {
        let _ = LARGEST.try_with(|l| l.set(l.get().max(size)));
    }
    ptr
}

/// Runs `case` and returns the largest single allocation it made.
fn largest_allocation(case: impl FnOnce()) -> usize {
    LARGEST.with(|l| l.set(0));
    case();
    LARGEST.with(|l| l.get())
}

unsafe impl GlobalAlloc for Watched {
    // Counted when granted: a fallible reservation the system refuses costs nothing.
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        granted(unsafe { System.alloc(layout) }, layout.size())
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        granted(unsafe { System.alloc_zeroed(layout) }, layout.size())
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        granted(unsafe { System.realloc(ptr, layout, new_size) }, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Watched = Watched;

/// Cases per parser; fixed seeds, so a failure names its input and repeats.
const CASES: u32 = 2000;

fn runner(seed: u8, cases: u32) -> TestRunner {
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]))
}

/// One edit of a valid input.
#[derive(Debug, Clone)]
enum Edit {
    /// A byte set to a value.
    Byte(usize, u8),
    /// Four bytes set to a huge or random length, both byte orders.
    Length(usize, u32, bool),
    /// A range taken out.
    Cut(usize, usize),
    /// A range repeated.
    Repeat(usize, usize),
    /// Everything after a point dropped.
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let huge = prop_oneof![Just(u32::MAX), Just(u32::MAX / 2), Just(0x8000_0000), Just(0), any::<u32>()];
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::Byte(at, b)),
        (any::<usize>(), huge, any::<bool>()).prop_map(|(at, v, be)| Edit::Length(at, v, be)),
        (any::<usize>(), 0usize..64).prop_map(|(at, n)| Edit::Cut(at, n)),
        (any::<usize>(), 0usize..64).prop_map(|(at, n)| Edit::Repeat(at, n)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply(mut data: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = data.len().max(1);
        match *e {
            Edit::Byte(at, b) => {
                if let Some(x) = data.get_mut(at % len) {
                    *x = b;
                }
            }
            Edit::Length(at, v, be) => {
                let at = at % len;
                let bytes = if be { v.to_be_bytes() } else { v.to_le_bytes() };
                for (i, b) in bytes.into_iter().enumerate() {
                    if let Some(x) = data.get_mut(at + i) {
                        *x = b;
                    }
                }
            }
            Edit::Cut(at, n) => {
                let at = at % len;
                let end = (at + n).min(data.len());
                if at < end {
                    data.drain(at..end);
                }
            }
            Edit::Repeat(at, n) => {
                let at = at % len;
                let end = (at + n).min(data.len());
                if at < end {
                    let piece = data[at..end].to_vec();
                    data.splice(at..at, piece);
                }
            }
            Edit::Truncate(at) => data.truncate(at % len),
        }
    }
    data
}

/// A valid input mutated by up to 8 edits, or noise behind its first `magic` bytes.
fn inputs(valid: Vec<u8>, magic: usize) -> impl Strategy<Value = Vec<u8>> {
    let head = valid[..magic.min(valid.len())].to_vec();
    prop_oneof![
        4 => vec(edit(), 1..8).prop_map(move |edits| apply(valid.clone(), &edits)),
        1 => vec(any::<u8>(), 0..512).prop_map(move |noise| [head.clone(), noise].concat()),
    ]
}

/// Reads every sample (a bounded number) and returns how many; errors end the read.
fn drain(reader: rtckit_core::Result<impl Reader>) -> usize {
    let Ok(mut reader) = reader else { return 0 };
    let _ = reader.streams();
    let mut n = 0;
    while n < 2000 {
        match reader.next() {
            Ok(Some(_)) => n += 1,
            Ok(None) | Err(_) => break,
        }
    }
    n
}

/// Runs `parse` over mutations of `valid`; the allocation bound is checked after each case.
fn fuzz(name: &str, seed: u8, valid: Vec<u8>, magic: usize, parse: impl Fn(Vec<u8>) -> usize) {
    // The valid input itself parses: the mutations start from something the reader reads.
    assert!(parse(valid.clone()) > 0, "{name}: the valid input reads no sample");
    runner(seed, CASES)
        .run(&inputs(valid, magic), |data| {
            let largest = largest_allocation(|| {
                parse(data);
            });
            prop_assert!(largest < ALLOCATION_LIMIT, "{name}: one allocation of {largest} bytes");
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
}

/// The valid input of a reader: a file its writer made, kept in tests/fuzz_seeds so that the
/// cases are the same on every run (writers time what they write by the clock). Written
/// there when missing: `RTCKIT_FUZZ_SEEDS=write` writes them again.
fn written(extension: &str, kinds: &[TrackKind], frames: &[(usize, MediaFrame)]) -> Vec<u8> {
    let kept =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_seeds").join(format!("valid.{extension}"));
    if std::env::var("RTCKIT_FUZZ_SEEDS").as_deref() != Ok("write") {
        if let Ok(data) = std::fs::read(&kept) {
            return data;
        }
    }
    let dir = std::env::temp_dir().join(format!("rtckit-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("valid.{extension}"));
    let mut writer = Format::of(&path).unwrap().create(&path, kinds).unwrap();
    for (stream, frame) in frames {
        writer.write(*stream, frame).unwrap();
    }
    writer.finish().unwrap();
    let data = std::fs::read(&path).unwrap();
    std::fs::create_dir_all(kept.parent().unwrap()).unwrap();
    std::fs::write(&kept, &data).unwrap();
    data
}

fn video(n: usize) -> Vec<(usize, MediaFrame)> {
    (0..n).map(|i| (0, MediaFrame::Video(test_pattern(64, 48, i as u32)))).collect()
}

fn audio(stream: usize, n: usize) -> Vec<(usize, MediaFrame)> {
    (0..n)
        .map(|i| {
            let samples = (0..960).map(|s| (((i * 960 + s) as f64 * 0.06).sin() * 8000.0) as i16).collect();
            (stream, MediaFrame::Audio(AudioFrame::new(samples, 48000, 1).unwrap()))
        })
        .collect()
}

#[test]
fn ivf_reader() {
    let valid = written("ivf", &[TrackKind::Video], &video(6));
    fuzz("IVF", 1, valid, 4, |d| drain(ivf::IvfReader::new(Cursor::new(d))));
}

#[test]
fn ogg_reader() {
    let valid = written("ogg", &[TrackKind::Audio], &audio(0, 10));
    fuzz("Ogg", 2, valid, 4, |d| drain(ogg::OggReader::new(Cursor::new(d))));
}

#[test]
fn wav_reader() {
    let valid = written("wav", &[TrackKind::Audio], &audio(0, 4));
    fuzz("WAV", 3, valid.clone(), 12, |d| drain(wav::WavReader::new(Cursor::new(d))));
    // The data chunk's size says 4 GiB, and the file ends at once.
    let mut huge = valid[..44].to_vec();
    huge[40..44].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(
        largest_allocation(|| {
            drain(wav::WavReader::new(Cursor::new(huge)));
        }) < ALLOCATION_LIMIT
    );
}

#[test]
fn y4m_reader() {
    let valid = written("y4m", &[TrackKind::Video], &video(4));
    fuzz("Y4M", 4, valid, 10, |d| drain(y4m::Y4mReader::new(Cursor::new(d))));
    // A header naming a picture of 100000 x 100000.
    let huge = b"YUV4MPEG2 W100000 H100000 F30:1 C420jpeg\nFRAME\n\x80\x80".to_vec();
    assert!(
        largest_allocation(|| {
            drain(y4m::Y4mReader::new(Cursor::new(huge)));
        }) < ALLOCATION_LIMIT
    );
}

#[test]
fn annexb_reader() {
    let valid = written("h264", &[TrackKind::Video], &video(6));
    fuzz("H.264 Annex-B", 5, valid, 4, |d| drain(annexb::AnnexBReader::new(Cursor::new(d))));
}

#[test]
fn webm_reader() {
    let mut frames = video(4);
    frames.extend(audio(1, 6));
    let valid = written("webm", &[TrackKind::Video, TrackKind::Audio], &frames);
    fuzz("WebM", 6, valid, 4, |d| drain(matroska::MatroskaReader::new(Cursor::new(d))));
}

#[test]
fn mp4_reader() {
    let mut frames = video(4);
    frames.extend(audio(1, 6));
    let valid = written("mp4", &[TrackKind::Video, TrackKind::Audio], &frames);
    fuzz("MP4", 7, valid, 8, |d| drain(mp4::Mp4Reader::new(Cursor::new(d))));
}

/// Random RTP payloads, and runs of them, into each codec's depacketizer and decoder.
#[test]
fn rtp_depacketizers_and_decoders() {
    use rtc::rtp_transceiver::rtp_sender::RTCRtpCodec;
    let codecs = [
        ("video/VP8", 90000, 0),
        ("video/VP9", 90000, 0),
        ("video/H264", 90000, 0),
        ("audio/opus", 48000, 2),
        ("audio/PCMU", 8000, 1),
        ("audio/PCMA", 8000, 1),
    ];
    for (i, (mime, clock_rate, channels)) in codecs.into_iter().enumerate() {
        let codec = RTCRtpCodec { mime_type: mime.into(), clock_rate, channels, ..Default::default() };
        // Payload, marker, and a sequence-number step (in order, reordered, repeated, jumping).
        let packets = vec((vec(any::<u8>(), 0..1400), any::<bool>(), -3i32..40), 1..24);
        runner(20 + i as u8, 500)
            .run(&packets, |packets| {
                let largest = largest_allocation(|| {
                    // Both paths: payloads already in order (files), and packets off the network
                    // through the jitter buffer.
                    let mut decoder = rtckit_core::codec::decoder_for(&codec).expect("rtckit decodes it");
                    let mut network = rtckit_core::codec::decoder_for(&codec).expect("rtckit decodes it");
                    let mut seq = 65_530u16;
                    for (payload, marker, step) in packets {
                        let payload = bytes::Bytes::from(payload);
                        let _ = decoder.decode(&payload, marker);
                        seq = seq.wrapping_add(step as u16);
                        let _ = network.receive(seq, seq as u32 * 3000, &payload, marker);
                    }
                });
                prop_assert!(largest < ALLOCATION_LIMIT, "{mime}: one allocation of {largest} bytes");
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{mime}: {e}"));
    }
}

/// Candidate lines built from the tokens a real one has, shuffled and damaged.
#[test]
fn ice_candidate_lines() {
    let token = prop_oneof![
        Just("candidate:1".to_owned()),
        Just("udp".to_owned()),
        Just("tcp".to_owned()),
        Just("typ".to_owned()),
        Just("host".to_owned()),
        Just("raddr".to_owned()),
        Just("rport".to_owned()),
        Just("tcptype".to_owned()),
        Just("127.0.0.1".to_owned()),
        Just("::1".to_owned()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        "\\PC{0,12}",
    ];
    runner(30, 3000)
        .run(&vec(token, 0..14), |tokens| {
            let candidate =
                IceCandidate { candidate: tokens.join(" "), sdp_mid: Some("0".into()), ..Default::default() };
            if let Ok(fields) = candidate.fields() {
                prop_assert!(fields.protocol == "udp" || fields.protocol == "tcp");
            }
            Ok(())
        })
        .unwrap();
}

/// Remote offers damaged line by line: each is applied or refused with an error, and a
/// refused one leaves the connection as it was (a valid offer applies after it).
#[test]
fn remote_sdp() {
    let config = || Configuration { bind_addresses: Some(vec!["127.0.0.1".into()]), ..Default::default() };
    let offer = rtckit_core::runtime::block_on(async move {
        let pc = PeerConnection::build(config()).await.unwrap();
        pc.add_transceiver_of_kind(TrackKind::Audio, "sendrecv").await.unwrap();
        pc.add_transceiver_of_kind(TrackKind::Video, "sendrecv").await.unwrap();
        pc.create_data_channel("x", Default::default()).await.unwrap();
        let offer = pc.create_offer(false).await.unwrap();
        pc.close().await.unwrap();
        offer.sdp
    });
    let lines: Vec<String> = offer.lines().map(str::to_owned).collect();
    let n = lines.len();
    let line_edit = prop_oneof![
        (0..n).prop_map(|i| (i, None)),
        (0..n, "\\PC{0,40}").prop_map(|(i, s)| (i, Some(s))),
        (0..n, Just("a=mid:0".to_owned())).prop_map(|(i, s)| (i, Some(s))),
        (0..n, Just("m=video 99999999999 UDP/TLS/RTP/SAVPF 96".to_owned())).prop_map(|(i, s)| (i, Some(s))),
        (0..n, Just("a=rtpmap:4294967296 VP8/90000".to_owned())).prop_map(|(i, s)| (i, Some(s))),
        (0..n, Just("a=fingerprint:sha-256 00:11".to_owned())).prop_map(|(i, s)| (i, Some(s))),
        (0..n, Just("a=ssrc:99999999999 cname:x".to_owned())).prop_map(|(i, s)| (i, Some(s))),
    ];
    runner(40, 1000)
        .run(&vec(line_edit, 1..6), |edits| {
            let mut damaged = lines.clone();
            for (i, replacement) in edits {
                let i = i.min(damaged.len().saturating_sub(1));
                match replacement {
                    Some(line) => damaged.insert(i, line),
                    None if !damaged.is_empty() => drop(damaged.remove(i)),
                    None => {}
                }
            }
            let sdp = damaged.join("\r\n") + "\r\n";
            let offer = offer.clone();
            let state = rtckit_core::runtime::block_on(async move {
                let pc = PeerConnection::build(config()).await.unwrap();
                let applied = match SessionDescription::new("offer", sdp) {
                    Ok(description) => pc.set_remote_description(description).await.is_ok(),
                    Err(_) => false,
                };
                let state = pc.signaling_state();
                // A refusal left nothing behind: a valid offer still applies. (After an applied
                // one, webrtc-rs 0.21 refuses any later remote offer, rollback or not: its ICE
                // transport stays started.)
                let valid = if applied {
                    Ok(())
                } else {
                    pc.set_remote_description(SessionDescription::new("offer", offer).unwrap()).await
                };
                pc.close().await.unwrap();
                (state, valid, applied)
            });
            let expected = if state.2 { SignalingState::HaveRemoteOffer } else { SignalingState::Stable };
            prop_assert_eq!(state.0, expected);
            prop_assert!(state.1.is_ok(), "a valid offer after this one: {:?}", state.1);
            Ok(())
        })
        .unwrap();
}
