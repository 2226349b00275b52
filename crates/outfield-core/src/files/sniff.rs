//! The type of an upload, decided from its first bytes: names and `Content-Type` headers lie, signatures
//! do not (and a file served back is only ever given one of these types).

/// How many leading bytes the decision needs.
pub(crate) const HEAD_BYTES: usize = 12;

/// The image and audio formats phones produce, and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    /// JPEG, what phone cameras write.
    Jpeg,
    /// PNG.
    Png,
    /// WebP, what browsers re-encode photos to.
    Webp,
    /// WebM with Opus, what Chromium's `MediaRecorder` writes.
    Webm,
    /// Ogg with Opus, what Firefox's `MediaRecorder` writes.
    Ogg,
    /// MP4/M4A with AAC, what Safari's `MediaRecorder` and voice-memo apps write.
    Mp4Audio,
    /// MP3.
    Mp3,
    /// WAV.
    Wav,
}

impl MediaType {
    /// Recognises a format from the start of a file; `None` for anything else (HTML, scripts, PDFs …).
    pub(crate) fn sniff(head: &[u8]) -> Option<MediaType> {
        let at = |offset: usize, signature: &[u8]| {
            head.get(offset..offset + signature.len()) == Some(signature)
        };
        if at(0, &[0xFF, 0xD8, 0xFF]) {
            Some(MediaType::Jpeg)
        } else if at(0, b"\x89PNG\r\n\x1a\n") {
            Some(MediaType::Png)
        } else if at(0, b"RIFF") && at(8, b"WEBP") {
            Some(MediaType::Webp)
        } else if at(0, b"RIFF") && at(8, b"WAVE") {
            Some(MediaType::Wav)
        } else if at(0, &[0x1A, 0x45, 0xDF, 0xA3]) {
            Some(MediaType::Webm)
        } else if at(0, b"OggS") {
            Some(MediaType::Ogg)
        } else if at(4, b"ftyp") {
            Some(MediaType::Mp4Audio)
        } else if at(0, b"ID3")
            || at(0, &[0xFF, 0xFB])
            || at(0, &[0xFF, 0xF3])
            || at(0, &[0xFF, 0xF2])
        {
            Some(MediaType::Mp3)
        } else {
            None
        }
    }

    /// The type the file is stored and served with.
    pub fn content_type(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Webp => "image/webp",
            MediaType::Webm => "audio/webm",
            MediaType::Ogg => "audio/ogg",
            MediaType::Mp4Audio => "audio/mp4",
            MediaType::Mp3 => "audio/mpeg",
            MediaType::Wav => "audio/wav",
        }
    }

    /// The type a stored content type names (what [`MediaType::content_type`] gave at upload).
    pub(crate) fn of_content_type(content_type: &str) -> Option<MediaType> {
        [
            MediaType::Jpeg,
            MediaType::Png,
            MediaType::Webp,
            MediaType::Webm,
            MediaType::Ogg,
            MediaType::Mp4Audio,
            MediaType::Mp3,
            MediaType::Wav,
        ]
        .into_iter()
        .find(|m| m.content_type() == content_type)
    }

    /// Words for error messages.
    pub fn description(self) -> &'static str {
        if self.is_image() {
            "an image"
        } else {
            "a sound recording"
        }
    }

    /// Whether it is a picture.
    pub(crate) fn is_image(self) -> bool {
        matches!(self, MediaType::Jpeg | MediaType::Png | MediaType::Webp)
    }

    /// Whether it is a recording.
    pub(crate) fn is_audio(self) -> bool {
        !self.is_image()
    }
}

#[cfg(test)]
mod tests {
    use super::MediaType;

    #[test]
    fn signatures_decide_the_type() {
        let cases: [(&[u8], Option<MediaType>); 10] = [
            (b"\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01", Some(MediaType::Jpeg)),
            (b"\x89PNG\r\n\x1a\n\0\0\0\x0d", Some(MediaType::Png)),
            (b"RIFF\x24\0\0\0WEBPVP8 ", Some(MediaType::Webp)),
            (b"RIFF\x24\0\0\0WAVEfmt ", Some(MediaType::Wav)),
            (
                b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81",
                Some(MediaType::Webm),
            ),
            (b"OggS\0\x02\0\0\0\0\0\0", Some(MediaType::Ogg)),
            (b"\0\0\0\x1cftypM4A ", Some(MediaType::Mp4Audio)),
            (b"ID3\x04\0\0\0\0\0\x23TSS", Some(MediaType::Mp3)),
            (b"<html><script>alert(1)", None),
            (b"%PDF-1.7\n%\xe2\xe3", None),
        ];
        for (head, expected) in cases {
            assert_eq!(MediaType::sniff(head), expected, "{head:?}");
        }
    }

    #[test]
    fn short_or_empty_files_are_unknown() {
        assert_eq!(MediaType::sniff(b""), None);
        assert_eq!(MediaType::sniff(b"RIFF"), None);
        assert_eq!(MediaType::sniff(b"\xFF\xD8"), None);
    }
}
