//! AAC-LC, as MP4 files hold it (what ffmpeg, PyAV and aiortc's MediaRecorder write), decoded
//! by Symphonia: WebRTC has no AAC, so it plays as PCM frames the sender encodes.

use symphonia_codec_aac::AacDecoder;
use symphonia_core::codecs::audio::well_known::CODEC_ID_AAC;
use symphonia_core::codecs::audio::{AudioCodecParameters, AudioDecoder, AudioDecoderOptions};
use symphonia_core::packet::PacketRef;

use crate::error::{Error, ErrorKind, Result};
use crate::frame::AudioFrame;

pub(crate) struct Aac {
    decoder: AacDecoder,
}

impl Aac {
    /// A decoder for the AudioSpecificConfig of an MP4 track's esds.
    pub(crate) fn new(config: &[u8]) -> Result<Self> {
        let mut params = AudioCodecParameters::new();
        params.for_codec(CODEC_ID_AAC).with_extra_data(config.into());
        let decoder = AacDecoder::try_new(&params, &AudioDecoderOptions::default()).map_err(|e| {
            Error::new(
                ErrorKind::NotSupportedError,
                format!("this AAC track cannot be played ({e}): rtckit plays AAC-LC, mono or stereo"),
            )
        })?;
        Ok(Self { decoder })
    }

    pub(crate) fn decode(&mut self, packet: &[u8]) -> Result<Option<AudioFrame>> {
        let packet = PacketRef::new(0, 0.into(), 0u64.into(), packet);
        let decoded = match self.decoder.decode_ref(&packet) {
            Ok(decoded) => decoded,
            Err(e) => {
                log::debug!("rtckit skipped an AAC packet that did not decode: {e}");
                return Ok(None);
            }
        };
        if decoded.frames() == 0 {
            return Ok(None);
        }
        let (rate, channels) = (decoded.spec().rate(), decoded.spec().channels().count() as u16);
        let mut samples: Vec<i16> = Vec::with_capacity(decoded.frames() * channels as usize);
        decoded.copy_to_vec_interleaved(&mut samples);
        AudioFrame::new(samples, rate, channels).map(Some)
    }
}
