//! WAV: RIFF with a "fmt " chunk (16-bit PCM) and a "data" chunk of interleaved samples.

use std::io::{Read, Seek, SeekFrom, Write};
use std::time::Duration;

use super::{io_error, malformed, Reader, Sample, Stream, Writer};
use crate::error::{Error, ErrorKind, Result};
use crate::frame::AudioFrame;
use crate::track::{MediaFrame, TrackKind};

/// Samples a frame holds: 20 ms.
const FRAME_MS: u64 = 20;

pub struct WavReader<R> {
    reader: R,
    sample_rate: u32,
    channels: u16,
    /// Bytes of the data chunk not read yet.
    left: u64,
    samples: u64,
}

fn u32_at(b: &[u8]) -> u32 {
    u32::from_le_bytes(b[..4].try_into().unwrap())
}

impl<R: Read + Send> WavReader<R> {
    pub fn new(mut reader: R) -> Result<Self> {
        let mut riff = [0u8; 12];
        reader.read_exact(&mut riff).map_err(|_| malformed("WAV file (no RIFF header)"))?;
        if &riff[..4] != b"RIFF" || &riff[8..] != b"WAVE" {
            return Err(malformed("WAV file (no RIFF/WAVE header)"));
        }
        let mut format = None;
        loop {
            let mut chunk = [0u8; 8];
            reader.read_exact(&mut chunk).map_err(|_| malformed("WAV file (no data chunk)"))?;
            let size = u32_at(&chunk[4..]) as u64;
            match &chunk[..4] {
                b"fmt " => {
                    // 16 to 40 bytes in every WAV there is; a size beyond is a broken header,
                    // not a reason to allocate what it says.
                    if size > 1024 {
                        return Err(malformed("WAV file (a fmt chunk of more than 1 KiB)"));
                    }
                    let mut fmt = vec![0u8; size as usize];
                    reader.read_exact(&mut fmt).map_err(|_| malformed("WAV file (a short fmt chunk)"))?;
                    if fmt.len() < 16 {
                        return Err(malformed("WAV file (a short fmt chunk)"));
                    }
                    let tag = u16::from_le_bytes([fmt[0], fmt[1]]);
                    let channels = u16::from_le_bytes([fmt[2], fmt[3]]);
                    let rate = u32_at(&fmt[4..]);
                    let bits = u16::from_le_bytes([fmt[14], fmt[15]]);
                    // 1: PCM; 0xFFFE: WAVE_FORMAT_EXTENSIBLE, PCM when 16-bit here.
                    if !(tag == 1 || tag == 0xfffe) || bits != 16 {
                        return Err(Error::new(
                            ErrorKind::NotSupportedError,
                            format!("this WAV file is format {tag} with {bits}-bit samples: rtckit plays 16-bit PCM"),
                        ));
                    }
                    // Checked here so a bad file fails at open, not at its first frame.
                    AudioFrame::new(vec![], rate, channels)?;
                    format = Some((rate, channels));
                    if size % 2 == 1 {
                        reader.read_exact(&mut [0u8; 1]).map_err(|_| malformed("WAV file"))?;
                    }
                }
                b"data" => {
                    let (sample_rate, channels) = format.ok_or_else(|| malformed("WAV file (data before fmt)"))?;
                    return Ok(Self { reader, sample_rate, channels, left: size, samples: 0 });
                }
                _ => {
                    std::io::copy(&mut (&mut reader).take(size + size % 2), &mut std::io::sink())
                        .map_err(|e| io_error("reading a WAV file", e))?;
                }
            }
        }
    }
}

impl<R: Read + Send> Reader for WavReader<R> {
    fn streams(&self) -> Vec<Stream> {
        vec![Stream::raw(TrackKind::Audio)]
    }

    fn next(&mut self) -> Result<Option<(usize, Sample, Duration)>> {
        let frame_bytes = self.sample_rate as u64 * FRAME_MS / 1000 * self.channels as u64 * 2;
        let want = frame_bytes.min(self.left) as usize / (2 * self.channels as usize) * (2 * self.channels as usize);
        if want == 0 {
            return Ok(None);
        }
        let mut data = vec![0u8; want];
        match self.reader.read_exact(&mut data) {
            Ok(()) => {}
            // A data chunk longer than the file (a recording cut short): play what is there.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(io_error("reading a WAV file", e)),
        }
        self.left -= want as u64;
        let frame = AudioFrame::from_le_bytes(&data, self.sample_rate, self.channels)?;
        let at = Duration::from_micros(self.samples * 1_000_000 / self.sample_rate as u64);
        self.samples += frame.samples_per_channel() as u64;
        Ok(Some((0, Sample::Frame(MediaFrame::Audio(frame)), at)))
    }
}

/// Writes 16-bit PCM at the first frame's rate and layout (other frames are skipped).
pub struct WavWriter<W> {
    writer: W,
    format: Option<(u32, u16)>,
    bytes: u64,
    count: u64,
}

impl<W: Write + Seek + Send> WavWriter<W> {
    pub fn new(writer: W) -> Self {
        Self { writer, format: None, bytes: 0, count: 0 }
    }

    fn header(&mut self) -> std::io::Result<()> {
        let (rate, channels) = self.format.unwrap_or((48_000, 1));
        let data = self.bytes.min(u32::MAX as u64 - 36) as u32;
        let mut h = Vec::with_capacity(44);
        h.extend_from_slice(b"RIFF");
        h.extend_from_slice(&(36 + data).to_le_bytes());
        h.extend_from_slice(b"WAVEfmt ");
        h.extend_from_slice(&16u32.to_le_bytes());
        h.extend_from_slice(&1u16.to_le_bytes());
        h.extend_from_slice(&channels.to_le_bytes());
        h.extend_from_slice(&rate.to_le_bytes());
        h.extend_from_slice(&(rate * channels as u32 * 2).to_le_bytes());
        h.extend_from_slice(&(channels * 2).to_le_bytes());
        h.extend_from_slice(&16u16.to_le_bytes());
        h.extend_from_slice(b"data");
        h.extend_from_slice(&data.to_le_bytes());
        self.writer.write_all(&h)
    }
}

impl<W: Write + Seek + Send> Writer for WavWriter<W> {
    fn write(&mut self, _stream: usize, frame: &MediaFrame) -> Result<()> {
        let MediaFrame::Audio(audio) = frame else { return Ok(()) };
        let format = (audio.sample_rate(), audio.channels());
        match self.format {
            None => {
                self.format = Some(format);
                self.header().map_err(|e| io_error("writing a WAV header", e))?;
            }
            Some(first) if first != format => {
                log::warn!(
                    "rtckit's WAV recorder skipped a frame of {} Hz x{} (the file is {} Hz x{})",
                    format.0,
                    format.1,
                    first.0,
                    first.1
                );
                return Ok(());
            }
            Some(_) => {}
        }
        let bytes = audio.to_le_bytes();
        self.writer.write_all(&bytes).map_err(|e| io_error("writing WAV samples", e))?;
        self.bytes += bytes.len() as u64;
        self.count += 1;
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        let done = (|| {
            if self.format.is_some() {
                self.writer.seek(SeekFrom::Start(0))?;
            }
            self.header()?;
            self.writer.seek(SeekFrom::End(0))?;
            self.writer.flush()
        })();
        done.map_err(|e| io_error("finishing a WAV file", e))
    }

    fn count(&self) -> u64 {
        self.count
    }
}
