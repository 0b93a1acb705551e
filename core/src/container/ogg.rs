//! Ogg Opus (RFC 7845): an OpusHead page, an OpusTags page, then pages of Opus packets
//! whose granule position counts 48 kHz samples.

use std::io::{Read, Write};
use std::time::Duration;

use bytes::Bytes;

use super::{io_error, malformed, Reader, Sample, Stream, UnitSource, Writer};
use crate::codec::CodecName;
use crate::error::Result;
use crate::frame::EncodedUnit;
use crate::track::MediaFrame;

const RATE: u64 = 48_000;

pub struct OggReader<R> {
    reader: R,
    /// Packets read from pages and not yet given out.
    packets: std::collections::VecDeque<Vec<u8>>,
    /// A packet that continues on the next page.
    partial: Vec<u8>,
    channels: u16,
    /// Samples before the current packet.
    samples: u64,
}

impl<R: Read + Send> OggReader<R> {
    pub fn new(reader: R) -> Result<Self> {
        let mut this = Self { reader, packets: Default::default(), partial: Vec::new(), channels: 0, samples: 0 };
        let head = this.packet()?.ok_or_else(|| malformed("Ogg file (empty)"))?;
        if head.len() < 19 || &head[..8] != b"OpusHead" {
            return Err(malformed("Ogg Opus file (no OpusHead): rtckit plays Opus in Ogg"));
        }
        this.channels = head[9] as u16;
        let tags = this.packet()?.ok_or_else(|| malformed("Ogg Opus file (no OpusTags)"))?;
        if !tags.starts_with(b"OpusTags") {
            return Err(malformed("Ogg Opus file (no OpusTags)"));
        }
        Ok(this)
    }

    /// The next packet, across page boundaries.
    fn packet(&mut self) -> Result<Option<Vec<u8>>> {
        while self.packets.is_empty() {
            if !self.page()? {
                return Ok(None);
            }
        }
        Ok(self.packets.pop_front())
    }

    /// Reads one page; false at the end of the file.
    fn page(&mut self) -> Result<bool> {
        let mut header = [0u8; 27];
        match self.reader.read_exact(&mut header) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(false),
            Err(e) => return Err(io_error("reading an Ogg page", e)),
        }
        if &header[..4] != b"OggS" {
            return Err(malformed("Ogg file (no OggS capture pattern)"));
        }
        let mut lacing = vec![0u8; header[26] as usize];
        self.reader.read_exact(&mut lacing).map_err(|_| malformed("Ogg file (a truncated page)"))?;
        let mut body = vec![0u8; lacing.iter().map(|&l| l as usize).sum()];
        self.reader.read_exact(&mut body).map_err(|_| malformed("Ogg file (a truncated page)"))?;
        let mut at = 0;
        for &l in &lacing {
            self.partial.extend_from_slice(&body[at..at + l as usize]);
            at += l as usize;
            if l < 255 {
                self.packets.push_back(std::mem::take(&mut self.partial));
            }
        }
        Ok(true)
    }
}

impl<R: Read + Send> Reader for OggReader<R> {
    fn next(&mut self) -> Result<Option<(usize, Sample, Duration)>> {
        loop {
            let Some(packet) = self.packet()? else { return Ok(None) };
            if packet.is_empty() {
                continue;
            }
            let at = Duration::from_micros(self.samples * 1_000_000 / RATE);
            let samples = opus::packet::get_nb_samples(&packet, RATE as u32).map_err(|_| malformed("Opus packet"))?;
            self.samples += samples as u64;
            let unit = EncodedUnit { codec: CodecName::Opus, data: Bytes::from(packet) };
            return Ok(Some((0, Sample::Unit(unit), at)));
        }
    }

    fn streams(&self) -> Vec<Stream> {
        vec![Stream { channels: self.channels.clamp(1, 2), ..Stream::encoded(CodecName::Opus) }]
    }
}

/// Writes Opus packets one to a page; the last page is marked the end of the stream.
pub struct OggWriter<W> {
    writer: W,
    units: UnitSource,
    serial: u32,
    sequence: u32,
    granule: u64,
    /// The last packet, held until the next shows whether it ends the stream.
    pending: Option<(Vec<u8>, u64)>,
    count: u64,
    header_written: bool,
}

impl<W: Write + Send> OggWriter<W> {
    pub fn new(writer: W) -> Self {
        let serial = crate::track::new_id().bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32));
        Self {
            writer,
            units: UnitSource::new(CodecName::Opus),
            serial,
            sequence: 0,
            granule: 0,
            pending: None,
            count: 0,
            header_written: false,
        }
    }

    fn page(&mut self, packet: &[u8], flags: u8, granule: u64) -> std::io::Result<()> {
        let mut page = Vec::with_capacity(27 + packet.len() / 255 + 1 + packet.len());
        page.extend_from_slice(b"OggS");
        page.push(0);
        page.push(flags);
        page.extend_from_slice(&granule.to_le_bytes());
        page.extend_from_slice(&self.serial.to_le_bytes());
        page.extend_from_slice(&self.sequence.to_le_bytes());
        page.extend_from_slice(&[0; 4]);
        let segments = packet.len() / 255 + 1;
        page.push(segments as u8);
        page.extend(std::iter::repeat_n(255u8, segments - 1));
        page.push((packet.len() % 255) as u8);
        page.extend_from_slice(packet);
        let crc = crc(&page);
        page[22..26].copy_from_slice(&crc.to_le_bytes());
        self.sequence += 1;
        self.writer.write_all(&page)
    }

    fn headers(&mut self, channels: u8) -> std::io::Result<()> {
        let mut head = b"OpusHead".to_vec();
        head.push(1);
        head.push(channels);
        head.extend_from_slice(&0u16.to_le_bytes()); // pre-skip
        head.extend_from_slice(&48_000u32.to_le_bytes());
        head.extend_from_slice(&0u16.to_le_bytes()); // gain
        head.push(0); // mapping family 0: mono or stereo
        self.page(&head, 2, 0)?;
        let vendor = b"rtckit";
        let mut tags = b"OpusTags".to_vec();
        tags.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
        tags.extend_from_slice(vendor);
        tags.extend_from_slice(&0u32.to_le_bytes());
        self.page(&tags, 0, 0)
    }
}

impl<W: Write + Send> Writer for OggWriter<W> {
    fn write(&mut self, _stream: usize, frame: &MediaFrame) -> Result<()> {
        for (packet, _) in self.units.units(frame)? {
            if !self.header_written {
                let channels = opus::packet::get_nb_channels(&packet).map(|c| c as u8).unwrap_or(2);
                self.headers(channels).map_err(|e| io_error("writing Ogg headers", e))?;
                self.header_written = true;
            }
            let samples = opus::packet::get_nb_samples(&packet, RATE as u32).unwrap_or(960) as u64;
            self.granule += samples;
            if let Some((previous, granule)) = self.pending.replace((packet, self.granule)) {
                self.page(&previous, 0, granule).map_err(|e| io_error("writing an Ogg page", e))?;
            }
            self.count += 1;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        let done = (|| {
            if !self.header_written {
                self.headers(2)?;
            }
            if let Some((last, granule)) = self.pending.take() {
                self.page(&last, 4, granule)?;
            }
            self.writer.flush()
        })();
        done.map_err(|e| io_error("finishing an Ogg file", e))
    }

    fn count(&self) -> u64 {
        self.count
    }
}

/// Ogg's CRC-32: polynomial 0x04c11db7, not reflected, starting at 0.
fn crc(data: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table = [0u32; 256];
        for (i, entry) in table.iter_mut().enumerate() {
            let mut r = (i as u32) << 24;
            for _ in 0..8 {
                r = if r & 0x8000_0000 != 0 { (r << 1) ^ 0x04c1_1db7 } else { r << 1 };
            }
            *entry = r;
        }
        table
    });
    data.iter().fold(0u32, |crc, &b| (crc << 8) ^ table[((crc >> 24) as u8 ^ b) as usize])
}
