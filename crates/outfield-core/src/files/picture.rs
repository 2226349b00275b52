//! Pictures within bounds: the size a picture declares is read from its header at upload and refused
//! past [`MAX_PIXELS`] (a 74-byte PNG may claim 50,000 × 50,000), and the console shows a preview of
//! bounded size made from the original — decoded under memory limits, one or two at a time — never the
//! original itself, which stays available to download.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits};

use crate::files::MediaType;

/// Largest picture accepted: 40 megapixels, above any phone camera's full resolution.
pub(crate) const MAX_PIXELS: u64 = 40_000_000;
/// How much of the start of a picture is kept while it streams in, to read its size from: headers come
/// first, and a JPEG's frame header follows its metadata segments (at most 64 KiB each).
pub(crate) const HEADER_BYTES: usize = 512 * 1024;
/// The longest side of a preview, in pixels.
pub(crate) const PREVIEW_SIDE: u32 = 1280;
/// Most memory one decoding may allocate: a 40-megapixel picture with four bytes a pixel.
const MAX_DECODE_BYTES: u64 = MAX_PIXELS * 4 + 16 * 1024 * 1024;

fn format_of(media: MediaType) -> Option<ImageFormat> {
    match media {
        MediaType::Jpeg => Some(ImageFormat::Jpeg),
        MediaType::Png => Some(ImageFormat::Png),
        MediaType::Webp => Some(ImageFormat::WebP),
        _ => None,
    }
}

/// Checks the size a picture's header declares (from the picture's first [`HEADER_BYTES`]), in words
/// the uploader can act on.
pub(crate) fn check_dimensions(media: MediaType, head: &[u8]) -> Result<(u32, u32), String> {
    let Some(format) = format_of(media) else {
        return Err("is not a picture".into());
    };
    // Only the header is read; the size it declares is judged here, not by the decoder's limits.
    let mut reader = ImageReader::with_format(Cursor::new(head), format);
    reader.no_limits();
    let (width, height) = reader
        .into_dimensions()
        .map_err(|_| "is a picture whose size cannot be read".to_string())?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(format!(
            "is {width} × {height} pixels; a picture may have at most {} megapixels",
            MAX_PIXELS / 1_000_000
        ));
    }
    Ok((width, height))
}

/// A JPEG preview whose longest side is at most [`PREVIEW_SIDE`], decoded under memory limits so that a
/// picture that expands past them (a decompression bomb) fails instead of exhausting memory.
pub fn preview(media: MediaType, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let format = format_of(media).ok_or("is not a picture")?;
    check_dimensions(media, &bytes[..bytes.len().min(HEADER_BYTES)])?;
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let picture = reader
        .decode()
        .map_err(|e| format!("cannot be shown: {e}"))?;
    let small = if picture.width().max(picture.height()) > PREVIEW_SIDE {
        picture.thumbnail(PREVIEW_SIDE, PREVIEW_SIDE)
    } else {
        picture
    };
    let mut out = Cursor::new(Vec::new());
    small
        .to_rgb8()
        .write_to(&mut out, ImageFormat::Jpeg)
        .map_err(|e| format!("cannot be shown: {e}"))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut png = Cursor::new(Vec::new());
        picture.write_to(&mut png, ImageFormat::Png).unwrap();
        png.into_inner()
    }

    #[test]
    fn the_declared_size_is_read_from_the_header_alone() {
        let whole = png(400, 300);
        assert_eq!(
            check_dimensions(MediaType::Png, &whole[..100]),
            Ok((400, 300))
        );
        assert!(check_dimensions(MediaType::Png, b"\x89PNG\r\n\x1a\n").is_err());
        assert!(check_dimensions(MediaType::Ogg, &whole).is_err());
    }

    #[test]
    fn a_preview_is_a_small_jpeg() {
        let small = preview(MediaType::Png, &png(3000, 2000)).unwrap();
        let decoded = image::load_from_memory(&small).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (1280, 853));
        assert!(small.starts_with(&[0xFF, 0xD8, 0xFF]));
    }
}
