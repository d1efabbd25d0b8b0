//! The glyphs of the image alphabet, taken once per process from the `captcha` crate's
//! font through its public API and kept as ink-coverage bitmaps.
//!
//! The `captcha` crate keeps its font private; rendering one character with it, cropping to
//! the text area and encoding as PNG is the public way to reach each glyph. That costs a
//! few milliseconds in all, so it is done once ([`atlas`]) and never per challenge.

use std::io::Cursor;
use std::sync::OnceLock;

use super::{ChallengeError, ChallengeKind, IMAGE_ALPHABET};

/// Empty columns and rows kept around each trimmed glyph: room for the widest style
/// ([`Style::Outline`] grows the ink by [`OUTLINE`] pixels) plus one, so that sampling
/// between pixels fades to paper at every edge without a special case.
pub(crate) const PAD: usize = OUTLINE + 1;

/// How far, in glyph pixels, [`Style::Bold`] grows the ink on every side.
const BOLD: usize = 1;

/// How far, in glyph pixels, [`Style::Outline`] draws its ring around the ink.
const OUTLINE: usize = 2;

/// How a glyph is drawn: its plain ink, heavier, or as a hollow outline. More than one
/// style means an attacker needs more examples of every character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// The font's own strokes.
    Solid,
    /// Strokes grown by [`BOLD`] pixels on every side.
    Bold,
    /// A ring of [`OUTLINE`] pixels around the strokes, the strokes themselves left as paper.
    Outline,
}

impl Style {
    /// Every style, in the order the atlas keeps them.
    pub(crate) const ALL: [Style; 3] = [Style::Solid, Style::Bold, Style::Outline];

    const fn index(self) -> usize {
        match self {
            Style::Solid => 0,
            Style::Bold => 1,
            Style::Outline => 2,
        }
    }
}

/// Largest glyph side, in pixels (the glyphs are about 40 pixels); anything larger is
/// treated as broken assets.
const MAX_SIDE: usize = 256;

/// Largest side of a decoded asset picture, in pixels (the sheet is 23 cells wide).
const MAX_SHEET_SIDE: usize = 4096;

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
    /// A glyph of `width` × `height` coverage values, its outline found from the ink;
    /// `None` when the sizes disagree or are too large for the outline's coordinates.
    fn from_coverage(width: usize, height: usize, ink: Vec<u8>) -> Option<Glyph> {
        if ink.len() != width.checked_mul(height)? || width == 0 {
            return None;
        }
        let mut outline = Vec::with_capacity(2 * height);
        for (y, row) in ink.chunks_exact(width).enumerate() {
            let first = row.iter().position(|&c| c > 0);
            let last = row.iter().rposition(|&c| c > 0);
            if let (Some(first), Some(last)) = (first, last) {
                let y = u16::try_from(y).ok()?;
                outline.push([u16::try_from(first).ok()?, y]);
                outline.push([u16::try_from(last).ok()?, y]);
            }
        }
        Some(Glyph {
            width,
            height,
            ink,
            outline,
        })
    }

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

/// The glyphs of [`IMAGE_ALPHABET`] in every typeface and every [`Style`].
#[derive(Debug)]
pub(crate) struct Atlas {
    /// Face by face, each in the alphabet's order, each in every style.
    glyphs: Vec<[Glyph; 3]>,
    /// How many typefaces: the `captcha` crate's and those of [`SHEET`].
    faces: usize,
    /// Ink height of a capital letter, in glyph pixels.
    cap_height: usize,
    /// Typical width of a solid stroke, in glyph pixels.
    stem: f32,
}

impl Atlas {
    /// The glyph of `ch` in typeface `face` drawn in `style`, or `None` if `ch` is not in
    /// [`IMAGE_ALPHABET`] or there is no such face.
    pub(crate) fn glyph(&self, ch: u8, face: usize, style: Style) -> Option<&Glyph> {
        let index = IMAGE_ALPHABET.iter().position(|&c| c == ch)?;
        self.nth(index, face, style)
    }

    /// The glyph at `index` of the alphabet in typeface `face` and `style`, or `None`
    /// outside the alphabet or the faces.
    pub(crate) fn nth(&self, index: usize, face: usize, style: Style) -> Option<&Glyph> {
        if index >= IMAGE_ALPHABET.len() || face >= self.faces {
            return None;
        }
        let styles = self.glyphs.get(face * IMAGE_ALPHABET.len() + index)?;
        styles.get(style.index())
    }

    /// How many typefaces there are (at least one).
    pub(crate) fn faces(&self) -> usize {
        self.faces
    }

    /// Typical width of a solid stroke, in glyph pixels.
    pub(crate) fn stem(&self) -> f32 {
        self.stem
    }

    /// Ink height of a capital letter, in glyph pixels (padding excluded). Every glyph's ink
    /// starts at its cap line; a tail (Q) reaches below this height.
    pub(crate) fn cap_height(&self) -> usize {
        self.cap_height
    }
}

/// Reads a glyph's coverage between its pixels, inside a window of it (the whole glyph,
/// or a piece of it for clutter).
pub(crate) struct Sampler<'a> {
    ink: &'a [u8],
    width: usize,
    /// Position of the last column.
    pub(crate) last_u: f32,
    /// Position of the last row.
    pub(crate) last_v: f32,
    /// Inside is `low_u < u < low_u + limit_u + 1` in 1/256 pixel.
    low_u: i32,
    limit_u: u32,
    /// Inside is `low_v < v < low_v + limit_v + 1` in 1/256 pixel.
    low_v: i32,
    limit_v: u32,
}

impl<'a> Sampler<'a> {
    /// A reader of the whole of `glyph`.
    #[cfg(test)]
    pub(crate) fn new(glyph: &'a Glyph) -> Self {
        Self::window(glyph, [0.0, 0.0, 1.0, 1.0])
    }

    /// A reader of the part of `glyph` within `[left, top, right, bottom]`, given as
    /// shares (0..=1) of its width and height; paper elsewhere.
    pub(crate) fn window(glyph: &'a Glyph, window: [f32; 4]) -> Self {
        let (last_u, last_v) = (
            glyph.width().saturating_sub(1),
            glyph.height().saturating_sub(1),
        );
        let at = |share: f32, last: usize| (share.clamp(0.0, 1.0) * last as f32) as usize;
        let (u0, u1) = (at(window[0], last_u), at(window[2], last_u));
        let (v0, v1) = (at(window[1], last_v), at(window[3], last_v));
        // An empty window gets limits of 0: everything is outside.
        let limit = |low: usize, high: usize| {
            u32::try_from((high.saturating_sub(low) << 8).saturating_sub(1)).unwrap_or(0)
        };
        let low = |first: usize| i32::try_from(first << 8).unwrap_or(0);
        Sampler {
            ink: glyph.ink(),
            width: glyph.width(),
            last_u: last_u as f32,
            last_v: last_v as f32,
            low_u: low(u0),
            limit_u: limit(u0, u1),
            low_v: low(v0),
            limit_v: limit(v0, v1),
        }
    }

    /// Coverage at (`u`, `v`) in 1/256 glyph pixel, interpolated between the four nearest
    /// pixels; 0 outside the window.
    pub(crate) fn at(&self, u: i32, v: i32) -> u8 {
        // One unsigned comparison per axis tests low < u < low + limit + 1.
        if (u.wrapping_sub(self.low_u).wrapping_sub(1) as u32) >= self.limit_u
            || (v.wrapping_sub(self.low_v).wrapping_sub(1) as u32) >= self.limit_v
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
        Err(_) => Err(ChallengeError::Assets(ChallengeKind::Image)),
    }
}

/// The extra typefaces (DejaVu Sans, Sans Mono, Serif Condensed; Liberation Serif Italic
/// and Bold, Sans Narrow, Mono), rendered once by
/// `scripts/make-glyph-sheet`: one row of [`SHEET_CELL`]-pixel cells per face, one cell
/// per character of the alphabet in its order, dark ink on white, capitals as high as the
/// `captcha` crate's.
const SHEET: &[u8] = include_bytes!("../../assets/glyphs.png");

/// Side of one cell of [`SHEET`], in pixels.
const SHEET_CELL: usize = 64;

/// Takes every character of the alphabet from the `captcha` crate and from [`SHEET`], and
/// makes each glyph's styles.
fn build() -> Result<Atlas, ChallengeError> {
    let broken = || ChallengeError::Assets(ChallengeKind::Image);
    let mut solids = Vec::new();
    for &ch in IMAGE_ALPHABET {
        let png = captcha_png(char::from(ch)).ok_or_else(broken)?;
        let bitmap = Bitmap::read(&png).ok_or_else(broken)?;
        solids.push(
            bitmap
                .glyph([0, 0, bitmap.width, bitmap.height])
                .ok_or_else(broken)?,
        );
    }
    let sheet = Bitmap::read(SHEET).ok_or_else(broken)?;
    let sheet_faces = sheet.height / SHEET_CELL;
    if sheet.width < IMAGE_ALPHABET.len() * SHEET_CELL {
        return Err(broken());
    }
    for face in 0..sheet_faces {
        for index in 0..IMAGE_ALPHABET.len() {
            let cell = [
                index * SHEET_CELL,
                face * SHEET_CELL,
                SHEET_CELL,
                SHEET_CELL,
            ];
            solids.push(sheet.glyph(cell).ok_or_else(broken)?);
        }
    }
    // Every glyph is cropped to its ink, so it starts at the cap line; most end at the
    // base line, a tail (Q) below it. The faces share one capital height.
    let captcha_face = solids.get(..IMAGE_ALPHABET.len()).ok_or_else(broken)?;
    let mut heights: Vec<usize> = captcha_face.iter().map(|g| g.height - 2 * PAD).collect();
    heights.sort_unstable();
    let cap_height = heights.get(heights.len() / 2).copied().unwrap_or(1).max(1);
    let stem = stem_width(captcha_face.iter());
    let glyphs = solids
        .into_iter()
        .map(styles)
        .collect::<Option<Vec<_>>>()
        .ok_or_else(broken)?;
    Ok(Atlas {
        glyphs,
        faces: 1 + sheet_faces,
        cap_height,
        stem,
    })
}

/// A solid glyph with its bold and hollow styles, in [`Style::ALL`]'s order.
fn styles(solid: Glyph) -> Option<[Glyph; 3]> {
    let (w, h) = (solid.width, solid.height);
    let grown = |r: usize| dilate(&solid.ink, w, h, r);
    let bold = Glyph::from_coverage(w, h, grown(BOLD))?;
    let ring: Vec<u8> = grown(OUTLINE)
        .iter()
        .zip(&solid.ink)
        .map(|(&outer, &inner)| outer.saturating_sub(inner))
        .collect();
    let outline = Glyph::from_coverage(w, h, ring)?;
    Some([solid, bold, outline])
}

/// The median length of the horizontal runs of ink (coverage ≥ 128) over `glyphs`: the
/// width of a typical vertical stroke.
fn stem_width<'a>(glyphs: impl Iterator<Item = &'a Glyph>) -> f32 {
    let mut runs = Vec::new();
    for glyph in glyphs {
        for row in glyph.ink.chunks_exact(glyph.width.max(1)) {
            let mut run = 0usize;
            for &c in row.iter().chain(std::iter::once(&0)) {
                if c >= 128 {
                    run += 1;
                } else if run > 0 {
                    runs.push(run);
                    run = 0;
                }
            }
        }
    }
    runs.sort_unstable();
    runs.get(runs.len() / 2).copied().unwrap_or(1).max(1) as f32
}

/// `ink` (`width` × `height`) grown by `radius` pixels: each pixel takes the largest
/// coverage within a square of side `2·radius + 1` around it (rows, then columns).
fn dilate(ink: &[u8], width: usize, height: usize, radius: usize) -> Vec<u8> {
    let mut rows = vec![0u8; ink.len()];
    for (src, dst) in ink.chunks_exact(width).zip(rows.chunks_exact_mut(width)) {
        for (x, out) in dst.iter_mut().enumerate() {
            let window = src.get(x.saturating_sub(radius)..(x + radius + 1).min(width));
            *out = window.and_then(|w| w.iter().max().copied()).unwrap_or(0);
        }
    }
    let mut grown = vec![0u8; ink.len()];
    for y in 0..height {
        for x in 0..width {
            let column = (y.saturating_sub(radius)..(y + radius + 1).min(height))
                .filter_map(|yy| rows.get(yy * width + x).copied());
            if let Some(cell) = grown.get_mut(y * width + x) {
                *cell = column.max().unwrap_or(0);
            }
        }
    }
    grown
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

/// A decoded picture of dark ink on light paper, as coverage (0 = paper, 255 = ink).
struct Bitmap {
    width: usize,
    height: usize,
    coverage: Vec<u8>,
}

impl Bitmap {
    /// Decodes a PNG (any colour type; the first sample of each pixel is read as its
    /// lightness); `None` when it is broken or larger than [`MAX_SHEET_SIDE`].
    fn read(png_bytes: &[u8]) -> Option<Bitmap> {
        let mut decoder = png::Decoder::new(Cursor::new(png_bytes));
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = decoder.read_info().ok()?;
        let mut buffer = vec![0; reader.output_buffer_size()?];
        let info = reader.next_frame(&mut buffer).ok()?;
        let (width, height) = (info.width as usize, info.height as usize);
        if width == 0 || height == 0 || width > MAX_SHEET_SIDE || height > MAX_SHEET_SIDE {
            return None;
        }
        let (channels, line) = (info.color_type.samples(), info.line_size);
        let mut coverage = Vec::with_capacity(width * height);
        for y in 0..height {
            for x in 0..width {
                let light = buffer.get(y * line + x * channels).copied()?;
                coverage.push(255 - light);
            }
        }
        Some(Bitmap {
            width,
            height,
            coverage,
        })
    }

    /// The ink within `[left, top, width, height]` of this bitmap, trimmed, with [`PAD`]
    /// empty pixels around it; `None` without ink or when larger than [`MAX_SIDE`].
    fn glyph(&self, [left, top, width, height]: [usize; 4]) -> Option<Glyph> {
        let coverage = |x: usize, y: usize| -> u8 {
            self.coverage
                .get((top + y) * self.width + left + x)
                .copied()
                .unwrap_or(0)
        };
        let width = width.min(self.width.saturating_sub(left));
        let height = height.min(self.height.saturating_sub(top));
        let inked = |x: usize, y: usize| coverage(x, y) > 0;
        let rows_with_ink: Vec<usize> = (0..height)
            .filter(|&y| (0..width).any(|x| inked(x, y)))
            .collect();
        let cols_with_ink: Vec<usize> = (0..width)
            .filter(|&x| (0..height).any(|y| inked(x, y)))
            .collect();
        let (&y0, &y1) = (rows_with_ink.first()?, rows_with_ink.last()?);
        let (&x0, &x1) = (cols_with_ink.first()?, cols_with_ink.last()?);
        if x1 - x0 >= MAX_SIDE || y1 - y0 >= MAX_SIDE {
            return None;
        }
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
        Glyph::from_coverage(trimmed_width, trimmed_height, ink)
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a failed expectation is a failed test
mod tests {
    use super::*;

    #[test]
    fn every_alphabet_character_has_a_padded_glyph_in_every_face_and_style() {
        let atlas = atlas().expect("glyphs load");
        assert_eq!(
            atlas.faces(),
            8,
            "the captcha crate's face and seven from the sheet"
        );
        let all = (0..atlas.faces())
            .flat_map(|face| IMAGE_ALPHABET.iter().map(move |c| (face, c)))
            .flat_map(|(face, c)| Style::ALL.map(|s| (face, c, s)));
        for (face, &ch, style) in all {
            let glyph = atlas.glyph(ch, face, style).expect("glyph");
            // Capitals of every face are about as high as the captcha crate's.
            let height = (glyph.height() - 2 * PAD) as f32;
            let cap = atlas.cap_height() as f32;
            assert!(
                height > 0.75 * cap && height < 1.5 * cap,
                "{} {face}",
                char::from(ch)
            );
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
        assert!(atlas.glyph(b'O', 0, Style::Solid).is_none());
        assert!(atlas.glyph(b'A', atlas.faces(), Style::Solid).is_none());
        assert!(atlas.nth(IMAGE_ALPHABET.len(), 0, Style::Solid).is_none());
        assert!(atlas.cap_height() > 10);
    }

    #[test]
    fn sampling_interpolates_inside_and_is_paper_outside() {
        let glyph = atlas()
            .expect("glyphs load")
            .glyph(b'H', 0, Style::Solid)
            .expect("glyph");
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
        assert!(Bitmap::read(b"").is_none());
        assert!(Bitmap::read(b"\x89PNG\r\n\x1a\nnot really").is_none());
        let blank = Bitmap {
            width: 8,
            height: 8,
            coverage: vec![0; 64],
        };
        assert!(blank.glyph([0, 0, 8, 8]).is_none(), "no ink, no glyph");
        assert!(
            blank.glyph([100, 100, 8, 8]).is_none(),
            "outside the bitmap"
        );
    }

    #[test]
    fn the_atlas_is_built_once() {
        let a: *const Atlas = atlas().expect("glyphs load");
        let b: *const Atlas = atlas().expect("glyphs load");
        assert_eq!(a, b);
    }
}
