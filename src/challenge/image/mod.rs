//! The image challenge: the answer's glyphs laid out, distorted and drawn with light noise
//! into a small grayscale PNG. Every random choice comes from the challenge's seed, so the
//! same challenge always gives the same bytes.
//!
//! Steps: [`Scene::plan`] draws the layout (per character rotation, shear, scale, vertical
//! jitter and kerning; one smooth wave over the whole picture) and scales it so that no
//! character ink comes closer than [`MARGIN`] pixels to an edge, wave included. Then a
//! faint background, the characters, one or two thin strokes and a few speckles are drawn
//! into an ink-coverage canvas, which is packed to 16 grey levels and encoded.

use rand::Rng;
use rand::rngs::ChaCha20Rng;

use super::glyph::{self, Atlas, Glyph, PAD, Sampler};
use super::{Answer, ChallengeError, ChallengeLength, IMAGE_STREAM, ImageSize, Seed};

/// Paper kept free of character ink along every edge, in pixels.
const MARGIN: usize = 4;

/// Widest and tallest picture, for the fixed-size tables of the wave.
const MAX_WIDTH: usize = ImageSize::MAX_WIDTH as usize;
const MAX_HEIGHT: usize = ImageSize::MAX_HEIGHT as usize;

/// Most characters in one picture.
const MAX_CHARS: usize = ChallengeLength::MAX;

/// Length of a background stripe table: the widest row plus the largest shift.
const STRIPES: usize = MAX_WIDTH + 2 * MAX_HEIGHT;

/// Extra room, in pixels, between a character's computed reach and the margin: absorbs
/// float rounding and the fixed-point stepping of the sampler.
const SLACK: f32 = 1.5;

/// Sharpens upscaled glyph edges: coverage up to 40 becomes paper, from 200 on full ink.
fn sharpen(ink: u8) -> u8 {
    (u16::from(ink.clamp(40, 200) - 40) * 255 / 160) as u8
}

/// Ink coverage 0..=255 to a 4-bit grey level (15 = paper, 0 = full ink), rounded.
const fn grey4(ink: u8) -> u8 {
    15 - ((ink as u16 * 15 + 128) >> 8) as u8
}

/// Renders the challenge picture of `answer` as a grayscale PNG of `size`.
pub(crate) fn render(
    answer: &Answer,
    seed: &Seed,
    size: ImageSize,
) -> Result<Vec<u8>, ChallengeError> {
    let mut canvas = paint(answer.expose_secret(), seed, size, true)?;
    encode(&mut canvas, size)
}

/// Draws the picture as ink coverage (0 = paper, 255 = ink), row by row; without `noise`
/// only the characters (to check where their ink is).
fn paint(
    text: &[u8],
    seed: &Seed,
    size: ImageSize,
    noise: bool,
) -> Result<Vec<u8>, ChallengeError> {
    let atlas = glyph::atlas()?;
    let mut dice = Dice(seed.stream(IMAGE_STREAM));
    let scene = Scene::plan(atlas, text, size, &mut dice)?;
    let mut canvas = Canvas::blank(size);
    if noise {
        scene.background(&mut canvas, &mut dice);
    }
    scene.characters(&mut canvas);
    if noise {
        scene.strokes(&mut canvas, &mut dice);
        scene.speckles(&mut canvas, &mut dice);
    }
    Ok(canvas.ink)
}

/// Uniform random numbers from the seed's stream, built from raw 32-bit outputs so the
/// picture depends only on the ChaCha20 stream, not on a library's sampling algorithm.
struct Dice(ChaCha20Rng);

impl Dice {
    /// A number in `[0, 1)`.
    fn unit(&mut self) -> f32 {
        (self.0.next_u32() >> 8) as f32 * (1.0 / 16_777_216.0)
    }

    /// A number in `[low, high)`.
    fn range(&mut self, low: f32, high: f32) -> f32 {
        low + (high - low) * self.unit()
    }
}

/// `sin(2πt)` from `+ − ×` and `floor` only, so every platform draws the same picture
/// (error below 0.002, plenty for a wave).
fn sin_turns(t: f32) -> f32 {
    let x = t - floor(t + 0.5);
    let y = 8.0 * x - 16.0 * x * x.abs();
    0.225 * (y * y.abs() - y) + y
}

/// `t` rounded down, for |t| < 2³¹ (all this module needs), without a library call.
fn floor(t: f32) -> f32 {
    let whole = t as i32 as f32;
    if whole > t { whole - 1.0 } else { whole }
}

/// `cos(2πt)`, as [`sin_turns`].
fn cos_turns(t: f32) -> f32 {
    sin_turns(t + 0.25)
}

/// The ink-coverage canvas.
struct Canvas {
    width: usize,
    ink: Vec<u8>,
}

impl Canvas {
    /// All paper.
    fn blank(size: ImageSize) -> Self {
        let (width, height) = (size.width() as usize, size.height() as usize);
        Canvas {
            width,
            ink: vec![0; width * height],
        }
    }

    /// Darkens pixel (`x`, `y`) to at least `amount` (0..=1) of `tone`; a pixel outside
    /// the canvas is left alone.
    fn blend(&mut self, x: i32, y: i32, amount: f32, tone: f32) {
        if x >= 0
            && y >= 0
            && (x as usize) < self.width
            && let Some(cell) = self.ink.get_mut(y as usize * self.width + x as usize)
        {
            *cell = (*cell).max((amount.clamp(0.0, 1.0) * tone) as u8);
        }
    }
}

/// The smooth displacement of the whole picture: a pixel at (x, y) shows what the
/// undistorted text has at (x + `dx[y]`, y + `dy[x]`).
struct Wave {
    dx: [f32; MAX_HEIGHT],
    dy: [f32; MAX_WIDTH],
    /// Largest |dx|.
    reach_x: f32,
    /// Largest |dy|.
    reach_y: f32,
}

impl Wave {
    /// Draws a wave for a picture of `width` × `height`: two harmonics per axis, a few
    /// pixels at most.
    fn draw(width: usize, height: usize, dice: &mut Dice) -> Self {
        let (w, h) = (width as f32, height as f32);
        let (reach_x, reach_y) = (h * dice.range(0.02, 0.035), h * dice.range(0.025, 0.04));
        let (dx, dy) = ([0.0; MAX_HEIGHT], [0.0; MAX_WIDTH]);
        let mut wave = Wave {
            dx,
            dy,
            reach_x,
            reach_y,
        };
        // Weighted to sum to at most the reach.
        let (px, qx) = (h * dice.range(0.8, 1.4), h * dice.range(0.35, 0.5));
        let (ax, bx) = (dice.range(0.0, 1.0), dice.range(0.0, 1.0));
        for (y, d) in wave.dx.iter_mut().enumerate().take(height) {
            let y = y as f32;
            *d = reach_x * (0.75 * sin_turns(y / px + ax) + 0.25 * sin_turns(y / qx + bx));
        }
        let (py, qy) = (w * dice.range(0.35, 0.6), w * dice.range(0.12, 0.2));
        let (ay, by) = (dice.range(0.0, 1.0), dice.range(0.0, 1.0));
        for (x, d) in wave.dy.iter_mut().enumerate().take(width) {
            let x = x as f32;
            *d = reach_y * (0.8 * sin_turns(x / py + ay) + 0.2 * sin_turns(x / qy + by));
        }
        wave
    }
}

/// One character's place in the picture.
#[derive(Clone, Copy)]
struct Placement<'a> {
    glyph: &'a Glyph,
    /// Undistorted canvas position to glyph position:
    /// `u = m[0]·x + m[1]·y + m[2]`, `v = m[3]·x + m[4]·y + m[5]`.
    inverse: [f32; 6],
    /// The rectangle outside which the character has no ink, wave included:
    /// `[left, top, right, bottom]`, exclusive.
    reach: [f32; 4],
    /// Darkness of full ink, 0..=255.
    tone: f32,
}

/// The shape of one character before it is scaled and placed: drawn first, for all
/// characters, so that the scale can fit them all.
#[derive(Clone, Copy, Default)]
struct Shape {
    /// Glyph offset from the anchor to undistorted canvas offset, at scale 1.
    forward: [f32; 4],
    /// Glyph anchor (the centre of the cap box).
    anchor: [f32; 2],
    /// Reach of the ink from the anchor at scale 1: `[left, top, right, bottom]`.
    extent: [f32; 4],
    /// Anchor position at scale 1 in the line of text.
    at: [f32; 2],
    tone: f32,
}

/// The planned picture: wave, characters and the band they occupy.
struct Scene<'a> {
    width: usize,
    height: usize,
    wave: Wave,
    chars: [Option<Placement<'a>>; MAX_CHARS],
    /// Undistorted rectangle of the text, `[left, top, right, bottom]`.
    text: [f32; 4],
    /// Canvas pixels per glyph pixel.
    scale: f32,
}

impl<'a> Scene<'a> {
    /// Draws the layout of `text` and fits it into the picture with [`MARGIN`] to spare.
    fn plan(
        atlas: &'a Atlas,
        text: &[u8],
        size: ImageSize,
        dice: &mut Dice,
    ) -> Result<Self, ChallengeError> {
        if text.len() < ChallengeLength::MIN || text.len() > MAX_CHARS {
            return Err(ChallengeError::LengthOutOfRange {
                length: text.len(),
                min: ChallengeLength::MIN,
                max: MAX_CHARS,
            });
        }
        let (width, height) = (size.width() as usize, size.height() as usize);
        let wave = Wave::draw(width, height, dice);
        let cap = atlas.cap_height() as f32;

        let mut glyphs: [Option<&Glyph>; MAX_CHARS] = [None; MAX_CHARS];
        let mut shapes = [Shape::default(); MAX_CHARS];
        let mut pen = 0.0f32;
        let mut line = [f32::MAX, f32::MAX, f32::MIN, f32::MIN];
        for ((&ch, slot), shape) in text.iter().zip(glyphs.iter_mut()).zip(shapes.iter_mut()) {
            let glyph = atlas.glyph(ch).ok_or(ChallengeError::Assets("glyphs"))?;
            *slot = Some(glyph);
            *shape = Shape::draw(glyph, cap, dice);
            shape.at = [pen - shape.extent[0], cap * dice.range(-0.09, 0.09)];
            pen = shape.at[0] + shape.extent[2] - cap * dice.range(-0.1, 0.03);
            line[0] = line[0].min(shape.at[0] + shape.extent[0]);
            line[1] = line[1].min(shape.at[1] + shape.extent[1]);
            line[2] = line[2].max(shape.at[0] + shape.extent[2]);
            line[3] = line[3].max(shape.at[1] + shape.extent[3]);
        }

        // The box the undistorted text must stay in, and the scale that fits it there.
        let room_x = MARGIN as f32 + wave.reach_x + SLACK;
        let room_y = MARGIN as f32 + wave.reach_y + SLACK;
        let (box_w, box_h) = (
            width as f32 - 1.0 - 2.0 * room_x,
            height as f32 - 1.0 - 2.0 * room_y,
        );
        let (line_w, line_h) = ((line[2] - line[0]).max(1.0), (line[3] - line[1]).max(1.0));
        let fit_h = (box_h / line_h).min(0.62 * height as f32 / cap);
        // A long answer in a narrow picture: condense the line (down to 85 %) before
        // shrinking it.
        let squeeze = (box_w / line_w / fit_h).clamp(0.85, 1.0);
        for shape in &mut shapes {
            shape.squeeze(squeeze);
        }
        let (line, line_w) = (
            [line[0] * squeeze, line[1], line[2] * squeeze, line[3]],
            line_w * squeeze,
        );
        let largest = (box_w / line_w).min(fit_h);
        let scale = largest * dice.range(0.9, 1.0);
        let spare_x = (box_w - scale * line_w).max(0.0);
        let spare_y = (box_h - scale * line_h).max(0.0);
        let left = room_x + spare_x * dice.range(0.25, 0.75);
        let top = room_y + spare_y * dice.range(0.3, 0.7);

        let mut chars: [Option<Placement<'a>>; MAX_CHARS] = [None; MAX_CHARS];
        for ((slot, glyph), shape) in chars.iter_mut().zip(glyphs).zip(shapes) {
            if let Some(glyph) = glyph {
                let centre = [
                    left + scale * (shape.at[0] - line[0]),
                    top + scale * (shape.at[1] - line[1]),
                ];
                *slot = Some(shape.place(glyph, centre, scale, &wave));
            }
        }
        let text = [left, top, left + scale * line_w, top + scale * line_h];
        Ok(Scene {
            width,
            height,
            wave,
            chars,
            text,
            scale,
        })
    }

    /// A faint texture of two crossing families of soft stripes: drawn first, on the
    /// blank canvas. Along a row each family is one table read from a start that shifts
    /// from row to row, which keeps it to an addition per pixel.
    fn background(&self, canvas: &mut Canvas, dice: &mut Dice) {
        let (width, height) = (self.width, self.height);
        let strength = dice.range(12.0, 24.0);
        let mut tables = [[0u8; STRIPES]; 2];
        let mut slopes = [0.0f32; 2];
        for ((table, slope), share) in tables.iter_mut().zip(slopes.iter_mut()).zip([0.6, 0.4]) {
            let period = width as f32 / dice.range(1.5, 3.0);
            let phase = dice.range(0.0, 1.0);
            *slope = dice.range(0.4, 1.6);
            let used = width + (*slope * height as f32) as usize + 2;
            for (j, cell) in table.iter_mut().take(used).enumerate() {
                let wave = 0.5 + 0.5 * sin_turns(j as f32 / period + phase);
                *cell = (16.0 * share * strength * wave) as u8; // in 1/16 ink
            }
        }
        let [rising, falling] = &tables;
        // Each family's start along the table, in 1/16 pixel, so that stripes run smoothly.
        let start = |shift: f32| ((shift * 16.0) as usize >> 4, (shift * 16.0) as u16 & 15);
        for (y, row) in canvas.ink.chunks_exact_mut(width).enumerate() {
            let (a, fa) = start(y as f32 * slopes[0]);
            let (b, fb) = start((height - 1 - y) as f32 * slopes[1]);
            let (Some(a0), Some(a1), Some(b0), Some(b1)) = (
                rising.get(a..a + width),
                rising.get(a + 1..a + 1 + width),
                falling.get(b..b + width),
                falling.get(b + 1..b + 1 + width),
            ) else {
                continue;
            };
            let pairs = a0.iter().zip(a1).zip(b0.iter().zip(b1));
            for (cell, ((&p0, &p1), (&q0, &q1))) in row.iter_mut().zip(pairs) {
                let p = u16::from(p0) * (16 - fa) + u16::from(p1) * fa;
                let q = u16::from(q0) * (16 - fb) + u16::from(q1) * fb;
                *cell = ((p + q) >> 8) as u8;
            }
        }
    }

    /// The characters, sampled from their glyphs through the layout and the wave, in
    /// fixed point (16 fractional bits) from each row's start.
    fn characters(&self, canvas: &mut Canvas) {
        const ONE: f32 = 65536.0;
        let (w, h) = (self.width, self.height);
        let reach_y = self.wave.reach_y;
        // The wave's vertical shift of each column, as its effect on u and on v.
        let mut shift_u = [0i32; MAX_WIDTH];
        let mut shift_v = [0i32; MAX_WIDTH];
        for placement in self.chars.iter().flatten() {
            let [left, top, right, bottom] = placement.reach;
            let (x0, x1) = (left.max(0.0) as usize, (right.max(0.0) as usize + 1).min(w));
            let (y0, y1) = (top.max(0.0) as usize, (bottom.max(0.0) as usize + 1).min(h));
            let m = placement.inverse;
            let columns = shift_u
                .iter_mut()
                .zip(shift_v.iter_mut())
                .zip(self.wave.dy.iter());
            for ((su, sv), &dy) in columns.take(x1).skip(x0) {
                (*su, *sv) = ((m[1] * dy * ONE) as i32, (m[4] * dy * ONE) as i32);
            }
            let (step_u, step_v) = ((m[0] * ONE) as i32, (m[3] * ONE) as i32);
            let sampler = Sampler::new(placement.glyph);
            let tone = placement.tone.clamp(0.0, 255.0) as u32;
            let mut shade = [0u8; 256];
            for (ink, out) in (0..=255).zip(shade.iter_mut()) {
                *out = (u32::from(sharpen(ink)) * tone / 255) as u8;
            }
            for y in y0..y1 {
                let fy = y as f32;
                let dx = self.wave.dx.get(y).copied().unwrap_or(0.0);
                let u_row = m[0] * dx + m[1] * fy + m[2];
                let v_row = m[3] * dx + m[4] * fy + m[5];
                // Only where this row can meet the glyph (the wave moves it by ≤ reach_y).
                let (u_from, u_to) = span(u_row, m[0], (m[1] * reach_y).abs(), sampler.last_u);
                let (v_from, v_to) = span(v_row, m[3], (m[4] * reach_y).abs(), sampler.last_v);
                let from = u_from.max(v_from).max(x0 as f32) as usize;
                let to = (u_to.min(v_to).max(0.0) as usize + 1).min(x1).max(from);
                let (Some(cells), Some(su), Some(sv)) = (
                    canvas.ink.get_mut(y * w + from..y * w + to),
                    shift_u.get(from..to),
                    shift_v.get(from..to),
                ) else {
                    continue;
                };
                let fx = from as f32;
                let mut u = ((u_row + m[0] * fx) * ONE) as i32;
                let mut v = ((v_row + m[3] * fx) * ONE) as i32;
                for ((cell, &su), &sv) in cells.iter_mut().zip(su).zip(sv) {
                    let ink = sampler.at(u.wrapping_add(su) >> 8, v.wrapping_add(sv) >> 8);
                    u = u.wrapping_add(step_u);
                    v = v.wrapping_add(step_v);
                    *cell = (*cell).max(shade[usize::from(ink)]);
                }
            }
        }
    }

    /// One or two thin curved strokes across the text.
    fn strokes(&self, canvas: &mut Canvas, dice: &mut Dice) {
        let [left, top, right, bottom] = self.text;
        let band = bottom - top;
        let count = if dice.unit() < 0.65 { 1 } else { 2 };
        for _ in 0..count {
            let thickness = (self.scale * dice.range(1.1, 1.6)).clamp(1.0, 2.4);
            let tone = dice.range(140.0, 200.0);
            let length = right - left;
            let start = (left + length * dice.range(-0.08, 0.1)).max(1.0);
            let end = (right - length * dice.range(-0.08, 0.1)).min(self.width as f32 - 2.0);
            let base = top + band * dice.range(0.3, 0.7);
            let amplitude = band * dice.range(0.1, 0.28);
            let (period, phase) = (length * dice.range(0.35, 0.9), dice.range(0.0, 1.0));
            let slope = dice.range(-0.12, 0.12) * band / length.max(1.0);
            let wave = |x: f32| amplitude * sin_turns(x / period + phase);
            let curve = |x: f32| base + wave(x) + slope * (x - left);
            let half = thickness / 2.0;
            let mut x = start as i32;
            while (x as f32) <= end {
                let fx = x as f32;
                let centre = curve(fx);
                let rise = (curve(fx + 0.5) - curve(fx - 0.5)).abs();
                let reach = half * (1.0 + rise * rise).sqrt();
                let mut y = (centre - reach - 1.0) as i32;
                while (y as f32) <= centre + reach + 1.0 {
                    let cover = reach + 0.5 - (y as f32 - centre).abs();
                    canvas.blend(x, y, cover, tone);
                    y += 1;
                }
                x += 1;
            }
        }
    }

    /// A sprinkle of small soft dots over the whole picture.
    fn speckles(&self, canvas: &mut Canvas, dice: &mut Dice) {
        let (w, h) = (self.width as f32, self.height as f32);
        let count = (w * h / dice.range(550.0, 900.0)) as usize;
        for _ in 0..count {
            let (cx, cy) = (dice.range(0.0, w), dice.range(0.0, h));
            let radius = dice.range(0.5, 1.5) * self.scale.clamp(0.8, 1.6);
            let tone = dice.range(110.0, 230.0);
            let reach = radius as i32 + 1;
            for dy in -reach..=reach {
                for dx in -reach..=reach {
                    let (x, y) = (cx as i32 + dx, cy as i32 + dy);
                    let (ex, ey) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
                    let cover = radius + 0.5 - (ex * ex + ey * ey).sqrt();
                    canvas.blend(x, y, cover, tone);
                }
            }
        }
    }
}

impl Shape {
    /// Draws rotation, shear, scale and tone for `glyph`, and its reach at scale 1.
    fn draw(glyph: &Glyph, cap: f32, dice: &mut Dice) -> Self {
        let angle = dice.range(-0.033, 0.033); // turns: ±12°
        let shear = dice.range(-0.12, 0.12);
        let (sx, sy) = (dice.range(0.8, 0.95), dice.range(0.92, 1.08));
        let tone = dice.range(215.0, 255.0);
        let (c, s) = (cos_turns(angle), sin_turns(angle));
        // Rotation after shear and scale: R · [[sx, shear·sy], [0, sy]].
        let forward = [c * sx, (c * shear - s) * sy, s * sx, (s * shear + c) * sy];
        let anchor = [glyph.width() as f32 - 1.0, 2.0 * PAD as f32 + cap - 1.0].map(|v| v / 2.0);
        let extent = glyph.reach(forward, anchor);
        Shape {
            forward,
            anchor,
            extent,
            at: [0.0, 0.0],
            tone,
        }
    }

    /// Narrows this shape and its place in the line by `factor`.
    fn squeeze(&mut self, factor: f32) {
        self.forward[0] *= factor;
        self.forward[1] *= factor;
        self.extent[0] *= factor;
        self.extent[2] *= factor;
        self.at[0] *= factor;
    }

    /// The placement of this shape with its anchor at canvas `centre`, `scale` pixels per
    /// glyph pixel, under `wave`.
    fn place<'a>(
        &self,
        glyph: &'a Glyph,
        centre: [f32; 2],
        scale: f32,
        wave: &Wave,
    ) -> Placement<'a> {
        let [a, b, c, d] = self.forward;
        // Inverse of the forward map, divided by the scale.
        let det = (a * d - b * c) * scale;
        let (i00, i01, i10, i11) = (d / det, -b / det, -c / det, a / det);
        let inverse = [
            i00,
            i01,
            self.anchor[0] - i00 * centre[0] - i01 * centre[1],
            i10,
            i11,
            self.anchor[1] - i10 * centre[0] - i11 * centre[1],
        ];
        let [l, t, r, b] = self.extent;
        let reach = [
            centre[0] + scale * l - wave.reach_x,
            centre[1] + scale * t - wave.reach_y,
            centre[0] + scale * r + wave.reach_x,
            centre[1] + scale * b + wave.reach_y,
        ];
        Placement {
            glyph,
            inverse,
            reach,
            tone: self.tone,
        }
    }
}

/// A range of columns `x` (closed, possibly empty, a pixel or two to spare) holding every
/// column where `start + slope·x`, moved by at most `wobble`, lies strictly in (0, `limit`).
fn span(start: f32, slope: f32, wobble: f32, limit: f32) -> (f32, f32) {
    if slope.abs() < 1e-6 {
        return if start + wobble > 0.0 && start - wobble < limit {
            (f32::MIN, f32::MAX)
        } else {
            (f32::MAX, f32::MIN)
        };
    }
    let (a, b) = ((-wobble - start) / slope, (limit + wobble - start) / slope);
    let (low, high) = if slope > 0.0 { (a, b) } else { (b, a) };
    (low - 2.0, high + 2.0)
}

/// Packs the ink canvas to 4-bit grey in place and encodes it as PNG.
fn encode(canvas: &mut Vec<u8>, size: ImageSize) -> Result<Vec<u8>, ChallengeError> {
    let (width, height) = (size.width() as usize, size.height() as usize);
    let row_bytes = width.div_ceil(2);
    // Row y is packed through a buffer into y·row_bytes.., which ends before row y + 1
    // starts, so packing in place never overwrites a row not yet read.
    let mut packed = [0u8; MAX_WIDTH.div_ceil(2)];
    for y in 0..height {
        let (Some(row), Some(out)) = (
            canvas.get(y * width..(y + 1) * width),
            packed.get_mut(..row_bytes),
        ) else {
            return Err(ChallengeError::Encode("PNG"));
        };
        let (pairs, odd) = row.as_chunks::<2>();
        for (byte, &[a, b]) in out.iter_mut().zip(pairs) {
            *byte = (grey4(a) << 4) | grey4(b);
        }
        if let (Some(byte), &[a]) = (out.get_mut(pairs.len()), odd) {
            *byte = grey4(a) << 4;
        }
        let Some(target) = canvas.get_mut(y * row_bytes..(y + 1) * row_bytes) else {
            return Err(ChallengeError::Encode("PNG"));
        };
        target.copy_from_slice(out);
    }
    canvas.truncate(row_bytes * height);
    let mut out = Vec::with_capacity(8 * 1024);
    let mut encoder = png::Encoder::new(&mut out, size.width(), size.height());
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Four);
    encoder.set_compression(png::Compression::Fast);
    encoder.set_filter(png::Filter::Up);
    let failed = |_: png::EncodingError| ChallengeError::Encode("PNG");
    let mut writer = encoder.write_header().map_err(failed)?;
    writer.write_image_data(canvas).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a failed expectation is a failed test
mod tests {
    use super::*;
    use crate::challenge::ChallengeKind;
    use rand::SeedableRng;

    fn seed(n: u64) -> Seed {
        let mut rng = ChaCha20Rng::seed_from_u64(n);
        let mut bytes = [0u8; 32];
        rng.fill_bytes(&mut bytes);
        Seed(bytes)
    }

    fn answer(n: u64, length: usize) -> Answer {
        let mut rng = ChaCha20Rng::seed_from_u64(n ^ 0x5eed);
        let length = ChallengeLength::new(length).expect("length");
        Answer::generate(ChallengeKind::Image, length, &mut rng)
    }

    fn size(width: u32, height: u32) -> ImageSize {
        ImageSize::new(width, height).expect("size")
    }

    /// The sizes the margin test covers: the corners of the allowed range, the default and
    /// an odd one.
    const WIDTHS: [u32; 6] = [160, 220, 480, 160, 480, 317];
    const HEIGHTS: [u32; 6] = [60, 120, 240, 240, 60, 83];

    /// No character ink in the border band, for every length, several sizes and seeds, and
    /// for the widest, tallest and tailed glyphs repeated.
    #[test]
    fn character_ink_never_reaches_the_margin() {
        let atlas = glyph::atlas().expect("glyphs");
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for n in 0..24u64 {
            for length in ChallengeLength::MIN..=ChallengeLength::MAX {
                texts.push(answer(n, length).expose_secret().to_vec());
            }
        }
        for ch in [b'W', b'M', b'Q', b'J', b'A', b'7'] {
            texts.push(vec![ch; 4]);
            texts.push(vec![ch; 10]);
        }
        for (i, text) in texts.iter().enumerate() {
            let (w, h) = (WIDTHS[i % 6], HEIGHTS[i % 6]);
            let (size, seed) = (size(w, h), seed(i as u64));
            let ink = paint(text, &seed, size, false).expect("paint");
            let (w, h) = (w as usize, h as usize);
            assert!(ink.iter().filter(|&&c| c > 128).count() > text.len() * 20);
            for (at, &c) in ink.iter().enumerate() {
                let (x, y) = (at % w, at / w);
                let border = x < MARGIN || y < MARGIN || x >= w - MARGIN || y >= h - MARGIN;
                assert!(!border || c == 0, "ink {c} at {x},{y} in {w}x{h}, text {i}");
            }
            let scene = Scene::plan(atlas, text, size, &mut Dice(seed.stream(IMAGE_STREAM)));
            for placement in scene.expect("plan").chars.iter().flatten() {
                let [left, top, right, bottom] = placement.reach;
                assert!(left >= MARGIN as f32 && top >= MARGIN as f32);
                assert!(right <= (w - 1 - MARGIN) as f32 && bottom <= (h - 1 - MARGIN) as f32);
            }
        }
    }

    #[test]
    fn the_text_is_large_enough_to_read() {
        let atlas = glyph::atlas().expect("glyphs");
        for n in 0..50 {
            let a = answer(n, 6);
            let mut dice = Dice(seed(n).stream(IMAGE_STREAM));
            let scene = Scene::plan(atlas, a.expose_secret(), ImageSize::DEFAULT, &mut dice);
            let scene = scene.expect("plan");
            let cap = scene.scale * atlas.cap_height() as f32;
            assert!(cap >= 24.0, "capital letters {cap} pixels high");
            assert!(scene.text[2] - scene.text[0] >= 150.0);
        }
    }

    #[test]
    fn lengths_and_characters_outside_the_alphabet_are_errors_not_panics() {
        for text in [&b""[..], b"ABC", b"ABCDEFGHJKMN"] {
            let result = paint(text, &seed(1), ImageSize::DEFAULT, true);
            assert!(matches!(
                result,
                Err(ChallengeError::LengthOutOfRange { .. })
            ));
        }
        let result = paint(b"AB0O", &seed(1), ImageSize::DEFAULT, true);
        assert!(matches!(result, Err(ChallengeError::Assets(_))));
    }

    #[test]
    fn sine_is_close_and_bounded() {
        for i in -2000..2000 {
            let t = i as f32 / 997.0;
            let exact = (t * std::f32::consts::TAU).sin();
            assert!((sin_turns(t) - exact).abs() < 0.002, "{t}");
            assert!(sin_turns(t).abs() <= 1.0 && cos_turns(t).abs() <= 1.0);
        }
    }

    #[test]
    fn the_png_holds_the_canvas_in_sixteen_greys() {
        let size = size(161, 61);
        let ink: Vec<u8> = (0..161 * 61).map(|i| (i * 7 % 256) as u8).collect();
        let png_bytes = encode(&mut ink.clone(), size).expect("png");
        let decoder = png::Decoder::new(std::io::Cursor::new(&png_bytes));
        let mut reader = decoder.read_info().expect("header");
        let mut packed = vec![0; reader.output_buffer_size().expect("size")];
        let info = reader.next_frame(&mut packed).expect("frame");
        assert_eq!((info.width, info.height), (161, 61));
        assert_eq!(info.bit_depth, png::BitDepth::Four);
        for (i, &c) in ink.iter().enumerate() {
            let (x, y) = (i % 161, i / 161);
            let byte = packed[y * info.line_size + x / 2];
            let grey = if x % 2 == 0 { byte >> 4 } else { byte & 15 };
            assert_eq!(grey, grey4(c));
        }
        assert_eq!(
            (grey4(0), grey4(255), sharpen(40), sharpen(200)),
            (15, 0, 0, 255)
        );
        for ink in 0..=255u8 {
            let exact = 15.0 - f32::from(ink) * 15.0 / 255.0;
            assert!((f32::from(grey4(ink)) - exact).abs() <= 0.53, "{ink}");
        }
    }
}
