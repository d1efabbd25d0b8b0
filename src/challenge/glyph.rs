//! The glyphs of the image alphabet, taken once per process from the `captcha` crate's
//! font through its public API and kept as ink-coverage bitmaps.
//!
//! The `captcha` crate keeps its font private; rendering one character with it, cropping to
//! the text area and encoding as PNG is the public way to reach each glyph. That costs a
//! few milliseconds in all, so it is done once ([`atlas`]) and never per challenge.

use std::io::Cursor;
use std::sync::OnceLock;

use super::{ChallengeError, IMAGE_ALPHABET};

/// Empty columns and rows kept around each trimmed glyph, so that sampling between pixels
/// fades to paper at every edge without a special case.
pub(crate) const PAD: usize = 1;

/// Largest glyph side, in pixels, accepted from the `captcha` crate (its glyphs are about
/// 40 pixels); anything larger is treated as broken assets.
const MAX_SIDE: usize = 256;

/// One character's ink: coverage 0 (paper) ..= 255 (full ink), row by row, trimmed to the
/// ink with [`PAD`] empty pixels on every side.
#[derive(Debug)]
pub(crate) struct Glyph {
    width: usize,
    height: usize,
    ink: Vec<u8>,
    /// The first and last inked pixel of every row with ink, as `[x, y]`: their convex
    /// hull is the convex hull of all the ink.
    outline: Vec<[u16; 2]>,
}

impl Glyph {
    /// Width in pixels, padding included.
    pub(crate) fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels, padding included.
    pub(crate) fn height(&self) -> usize {
        self.height
    }

    /// Coverage row by row (`width * height` values).
    pub(crate) fn ink(&self) -> &[u8] {
        &self.ink
    }

    /// Where this glyph's ink can show under the linear map `m` (row by row: `x = m[0]·du +
    /// m[1]·dv`, `y = m[2]·du + m[3]·dv`, with `(du, dv)` the offset from `anchor`) and
    /// sampling between pixels: `[left, top, right, bottom]`, exclusive.
    pub(crate) fn reach(&self, m: [f32; 4], anchor: [f32; 2]) -> [f32; 4] {
        let mut reach = [f32::MAX, f32::MAX, f32::MIN, f32::MIN];
        // The outline's hull is the ink's hull, so its extremes are the ink's.
        for &[u, v] in &self.outline {
            let (du, dv) = (f32::from(u) - anchor[0], f32::from(v) - anchor[1]);
            let (x, y) = (m[0] * du + m[1] * dv, m[2] * du + m[3] * dv);
            reach = [
                reach[0].min(x),
                reach[1].min(y),
                reach[2].max(x),
                reach[3].max(y),
            ];
        }
        if reach[0] > reach[2] || reach[1] > reach[3] {
            reach = [0.0; 4]; // no ink: the atlas holds no such glyph
        }
        // Sampling spreads an inked pixel over the open square of ±1 pixel around it,
        // which the map stretches to ±(|m[0]| + |m[1]|) across and ±(|m[2]| + |m[3]|) down.
        let (across, down) = (m[0].abs() + m[1].abs(), m[2].abs() + m[3].abs());
        [
            reach[0] - across,
            reach[1] - down,
            reach[2] + across,
            reach[3] + down,
        ]
    }
}

/// The glyphs of [`IMAGE_ALPHABET`], in the alphabet's order.
#[derive(Debug)]
pub(crate) struct Atlas {
    glyphs: Vec<Glyph>,
    /// Ink height of a capital letter, in glyph pixels.
    cap_height: usize,
}

impl Atlas {
    /// The glyph of `ch`, or `None` if `ch` is not in [`IMAGE_ALPHABET`].
    pub(crate) fn glyph(&self, ch: u8) -> Option<&Glyph> {
        let index = IMAGE_ALPHABET.iter().position(|&c| c == ch)?;
        self.glyphs.get(index)
    }

    /// Ink height of a capital letter, in glyph pixels (padding excluded). Every glyph's ink
    /// starts at its cap line; a tail (Q) reaches below this height.
    pub(crate) fn cap_height(&self) -> usize {
        self.cap_height
    }
}

/// Reads a glyph's coverage between its pixels.
pub(crate) struct Sampler<'a> {
    ink: &'a [u8],
    width: usize,
    /// Position of the last column.
    pub(crate) last_u: f32,
    /// Position of the last row.
    pub(crate) last_v: f32,
    /// Inside is `0 < u < limit_u + 1` in 1/256 pixel.
    limit_u: u32,
    /// Inside is `0 < v < limit_v + 1` in 1/256 pixel.
    limit_v: u32,
}

impl<'a> Sampler<'a> {
    /// A reader of `glyph`.
    pub(crate) fn new(glyph: &'a Glyph) -> Self {
        let (last_u, last_v) = (
            glyph.width().saturating_sub(1),
            glyph.height().saturating_sub(1),
        );
        // An empty bitmap gets limits of 0: everything is outside.
        let limit = |last: usize| u32::try_from((last << 8).saturating_sub(1)).unwrap_or(0);
        Sampler {
            ink: glyph.ink(),
            width: glyph.width(),
            last_u: last_u as f32,
            last_v: last_v as f32,
            limit_u: limit(last_u),
            limit_v: limit(last_v),
        }
    }

    /// Coverage at (`u`, `v`) in 1/256 glyph pixel, interpolated between the four nearest
    /// pixels; 0 outside the bitmap.
    pub(crate) fn at(&self, u: i32, v: i32) -> u8 {
        // One unsigned comparison per axis tests 0 < u < last.
        if (u.wrapping_sub(1) as u32) >= self.limit_u || (v.wrapping_sub(1) as u32) >= self.limit_v
        {
            return 0;
        }
        let (iu, iv) = ((u >> 8) as usize, (v >> 8) as usize);
        let (au, av) = ((u & 255) as u32, (v & 255) as u32);
        let at = iv * self.width + iu;
        let below = at + self.width;
        let (Some(&[a, b]), Some(&[c, d])) =
            (self.ink.get(at..at + 2), self.ink.get(below..below + 2))
        else {
            return 0;
        };
        if a | b | c | d == 0 {
            return 0; // paper, the common case
        }
        let upper = u32::from(a) * (256 - au) + u32::from(b) * au;
        let lower = u32::from(c) * (256 - au) + u32::from(d) * au;
        ((upper * (256 - av) + lower * av) >> 16) as u8
    }
}

/// The glyph atlas, decoded on first use and shared for the life of the process.
pub(crate) fn atlas() -> Result<&'static Atlas, ChallengeError> {
    static ATLAS: OnceLock<Result<Atlas, ChallengeError>> = OnceLock::new();
    match ATLAS.get_or_init(build) {
        Ok(atlas) => Ok(atlas),
        Err(_) => Err(ChallengeError::Assets("glyphs")),
    }
}

/// Renders every character of the alphabet with the `captcha` crate and decodes it.
fn build() -> Result<Atlas, ChallengeError> {
    let mut glyphs = Vec::with_capacity(IMAGE_ALPHABET.len());
    for &ch in IMAGE_ALPHABET {
        let png = captcha_png(char::from(ch)).ok_or(ChallengeError::Assets("glyphs"))?;
        let glyph = decode(&png).ok_or(ChallengeError::Assets("glyphs"))?;
        glyphs.push(glyph);
    }
    // The `captcha` crate crops each glyph to its ink, so every glyph starts at the cap
    // line; most end at the base line, a tail (Q) below it.
    let mut heights: Vec<usize> = glyphs.iter().map(|g| g.height - 2 * PAD).collect();
    heights.sort_unstable();
    let cap_height = heights.get(heights.len() / 2).copied().unwrap_or(1).max(1);
    Ok(Atlas { glyphs, cap_height })
}

/// One character drawn by the `captcha` crate, cropped to its text area, as PNG.
fn captcha_png(ch: char) -> Option<Vec<u8>> {
    let mut captcha = captcha::Captcha::new();
    captcha.set_chars(&[ch]).add_char();
    if captcha.chars() != [ch] {
        return None;
    }
    let area = captcha.text_area();
    captcha.extract(area);
    captcha.as_png()
}

/// Decodes a PNG of dark ink on light paper into a trimmed, padded coverage bitmap.
fn decode(png_bytes: &[u8]) -> Option<Glyph> {
    let mut decoder = png::Decoder::new(Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().ok()?;
    let mut buffer = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buffer).ok()?;
    let (width, height) = (info.width as usize, info.height as usize);
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return None;
    }
    let channels = info.color_type.samples();
    let line = info.line_size;
    // Coverage: darkness of the first (grey or red) sample of each pixel.
    let coverage = |x: usize, y: usize| -> u8 {
        buffer
            .get(y * line + x * channels)
            .map_or(0, |&light| 255 - light)
    };
    let inked = |x: usize, y: usize| coverage(x, y) > 0;
    let rows_with_ink: Vec<usize> = (0..height)
        .filter(|&y| (0..width).any(|x| inked(x, y)))
        .collect();
    let cols_with_ink: Vec<usize> = (0..width)
        .filter(|&x| (0..height).any(|y| inked(x, y)))
        .collect();
    let (&y0, &y1) = (rows_with_ink.first()?, rows_with_ink.last()?);
    let (&x0, &x1) = (cols_with_ink.first()?, cols_with_ink.last()?);
    let trimmed_width = x1 - x0 + 1 + 2 * PAD;
    let trimmed_height = y1 - y0 + 1 + 2 * PAD;
    let mut ink = vec![0; trimmed_width * trimmed_height];
    for (row, y) in (y0..=y1).enumerate() {
        for (col, x) in (x0..=x1).enumerate() {
            if let Some(cell) = ink.get_mut((row + PAD) * trimmed_width + col + PAD) {
                *cell = coverage(x, y);
            }
        }
    }
    let mut outline = Vec::with_capacity(2 * trimmed_height);
    for (y, row) in ink.chunks_exact(trimmed_width).enumerate() {
        let first = row.iter().position(|&c| c > 0);
        let last = row.iter().rposition(|&c| c > 0);
        if let (Some(first), Some(last)) = (first, last) {
            let y = u16::try_from(y).ok()?;
            outline.push([u16::try_from(first).ok()?, y]);
            outline.push([u16::try_from(last).ok()?, y]);
        }
    }
    Some(Glyph {
        width: trimmed_width,
        height: trimmed_height,
        ink,
        outline,
    })
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a failed expectation is a failed test
mod tests {
    use super::*;

    #[test]
    fn every_alphabet_character_has_a_padded_glyph() {
        let atlas = atlas().expect("glyphs load");
        for &ch in IMAGE_ALPHABET {
            let glyph = atlas.glyph(ch).expect("glyph");
            assert!(glyph.width() > 2 * PAD && glyph.height() > 2 * PAD);
            assert_eq!(glyph.ink().len(), glyph.width() * glyph.height());
            let w = glyph.width();
            let h = glyph.height();
            for x in 0..w {
                assert_eq!(glyph.ink()[x], 0, "{}", char::from(ch));
                assert_eq!(glyph.ink()[(h - 1) * w + x], 0, "{}", char::from(ch));
            }
            for y in 0..h {
                assert_eq!(glyph.ink()[y * w], 0, "{}", char::from(ch));
                assert_eq!(glyph.ink()[y * w + w - 1], 0, "{}", char::from(ch));
            }
            assert!(glyph.ink().contains(&255), "{}", char::from(ch));
            for (i, &c) in glyph.ink().iter().enumerate() {
                let (x, y) = (i % w, i / w);
                let in_row = glyph.outline.iter().filter(|p| usize::from(p[1]) == y);
                let xs: Vec<usize> = in_row.map(|p| usize::from(p[0])).collect();
                if c > 0 {
                    assert!(xs.len() == 2 && xs[0] <= x && x <= xs[1]);
                }
            }
        }
        assert!(atlas.glyph(b'O').is_none());
        assert!(atlas.cap_height() > 10);
    }

    #[test]
    fn sampling_interpolates_inside_and_is_paper_outside() {
        let glyph = atlas().expect("glyphs load").glyph(b'H').expect("glyph");
        let sampler = Sampler::new(glyph);
        let w = glyph.width();
        let (x, y) = (1..w - 1)
            .flat_map(|x| (1..glyph.height() - 1).map(move |y| (x, y)))
            .find(|&(x, y)| glyph.ink()[y * w + x] == 255 && glyph.ink()[y * w + x + 1] == 0)
            .expect("an edge of the ink");
        let (u, v) = ((x as i32) << 8, (y as i32) << 8);
        assert_eq!(sampler.at(u, v), 255);
        assert_eq!(sampler.at(u + 256, v), 0);
        assert!((100..=155).contains(&sampler.at(u + 128, v)));
        for (u, v) in [
            (0, v),
            (-5, v),
            (u, 0),
            (i32::MIN, v),
            (u, i32::MAX),
            (w as i32 * 256, v),
        ] {
            assert_eq!(sampler.at(u, v), 0, "{u},{v}");
        }
    }

    #[test]
    fn broken_png_is_none_not_a_panic() {
        assert!(decode(b"").is_none());
        assert!(decode(b"\x89PNG\r\n\x1a\nnot really").is_none());
    }

    #[test]
    fn the_atlas_is_built_once() {
        let a: *const Atlas = atlas().expect("glyphs load");
        let b: *const Atlas = atlas().expect("glyphs load");
        assert_eq!(a, b);
    }
}
