//! H.264 as MP4 and Matroska hold it (ISO 14496-15: an avcC record with the parameter sets,
//! samples of length-prefixed NAL units) turned into the Annex-B access units that rtckit's
//! decoder and senders take.

use super::malformed;
use crate::error::Result;

pub(crate) struct AvcConfig {
    /// profile_idc: 66 is (constrained) baseline, which has no B-frames.
    pub(crate) profile: u8,
    /// Bytes of each NAL unit's length prefix (1, 2 or 4).
    length_size: usize,
    /// SPS and PPS, each after a start code.
    parameter_sets: Vec<u8>,
}

impl AvcConfig {
    /// Parses an AVCDecoderConfigurationRecord.
    pub(crate) fn parse(record: &[u8]) -> Result<Self> {
        let bad = || malformed("H.264 configuration (avcC)");
        if record.len() < 7 || record[0] != 1 {
            return Err(bad());
        }
        let length_size = (record[4] & 3) as usize + 1;
        let mut at = 5;
        let mut parameter_sets = Vec::new();
        // The SPS count (5 bits), then the PPS count (8 bits), each set a u16 length + data.
        for mask in [0x1f, 0xff] {
            let count = *record.get(at).ok_or_else(bad)? & mask;
            at += 1;
            for _ in 0..count {
                let len = u16::from_be_bytes([*record.get(at).ok_or_else(bad)?, *record.get(at + 1).ok_or_else(bad)?])
                    as usize;
                let set = record.get(at + 2..at + 2 + len).ok_or_else(bad)?;
                parameter_sets.extend_from_slice(&[0, 0, 0, 1]);
                parameter_sets.extend_from_slice(set);
                at += 2 + len;
            }
        }
        if length_size == 3 {
            return Err(bad());
        }
        Ok(Self { profile: record[1], length_size, parameter_sets })
    }

    /// A sample as an Annex-B access unit; an IDR sample without in-band SPS gets the record's.
    pub(crate) fn to_annexb(&self, sample: &[u8]) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(sample.len() + self.parameter_sets.len() + 16);
        let mut nals = Vec::new();
        let mut at = 0;
        while at < sample.len() {
            let prefix =
                sample.get(at..at + self.length_size).ok_or_else(|| malformed("H.264 sample (a cut NAL length)"))?;
            let len = prefix.iter().fold(0usize, |n, &b| n << 8 | b as usize);
            let nal = sample
                .get(at + self.length_size..at + self.length_size + len)
                .ok_or_else(|| malformed("H.264 sample (a cut NAL unit)"))?;
            nals.push(nal);
            at += self.length_size + len;
        }
        let has = |kind: u8| nals.iter().any(|n| n.first().is_some_and(|b| b & 0x1f == kind));
        if has(5) && !has(7) {
            out.extend_from_slice(&self.parameter_sets);
        }
        for nal in nals {
            out.extend_from_slice(&[0, 0, 0, 1]);
            out.extend_from_slice(nal);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sample_becomes_an_access_unit_with_its_parameter_sets() {
        let record = [1, 0x42, 0xc0, 0x1f, 0xff, 0xe1, 0, 2, 0x67, 0xaa, 1, 0, 1, 0x68];
        let config = AvcConfig::parse(&record).unwrap();
        let sample = [0, 0, 0, 2, 0x65, 0x88, 0, 0, 0, 1, 0x06];
        assert_eq!(
            config.to_annexb(&sample).unwrap(),
            [0, 0, 0, 1, 0x67, 0xaa, 0, 0, 0, 1, 0x68, 0, 0, 0, 1, 0x65, 0x88, 0, 0, 0, 1, 0x06]
        );
        let p_frame = [0, 0, 0, 2, 0x41, 0x88];
        assert_eq!(config.to_annexb(&p_frame).unwrap(), [0, 0, 0, 1, 0x41, 0x88]);
        assert!(config.to_annexb(&[0, 0, 0, 9, 0x65]).is_err());
        assert!(AvcConfig::parse(&[1, 2]).is_err());
    }
}
