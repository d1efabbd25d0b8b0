//! The layout of a picture: where each character goes, how it is turned, warped and
//! styled, and the smooth wave over the whole picture. Nothing is drawn here.

use super::dice::{Dice, cos_turns, sin_turns};
use super::{MARGIN, MAX_CHARS, MAX_HEIGHT, MAX_WIDTH};
use crate::challenge::difficulty::ImageHardness;
use crate::challenge::glyph::{Atlas, Glyph, PAD, Style};
use crate::challenge::{ChallengeError, ChallengeKind, ChallengeLength, ImageSize};

/// Extra room, in pixels, between a character's computed reach and the margin: absorbs
/// float rounding and the fixed-point stepping of the sampler.
const SLACK: f32 = 1.5;

/// The smooth displacement of the whole picture: a pixel at (x, y) shows what the
/// undistorted text has at (x + `dx[y]`, y + `dy[x]`).
pub(super) struct Wave {
    pub(super) dx: [f32; MAX_HEIGHT],
    pub(super) dy: [f32; MAX_WIDTH],
    /// Largest |dx|.
    pub(super) reach_x: f32,
    /// Largest |dy|.
    pub(super) reach_y: f32,
}

impl Wave {
    /// Draws a wave for a picture of `width` × `height`: two harmonics per axis, a few
    /// pixels at most.
    fn draw(width: usize, height: usize, dice: &mut Dice) -> Self {
        let (w, h) = (width as f32, height as f32);
        let (reach_x, reach_y) = (h * dice.range(0.02, 0.035), h * dice.range(0.025, 0.04));
        let mut wave = Wave {
            dx: [0.0; MAX_HEIGHT],
            dy: [0.0; MAX_WIDTH],
            reach_x,
            reach_y,
        };
        // Weighted to sum to at most the reach.
        let (px, qx) = (h * dice.range(0.8, 1.4), h * dice.range(0.35, 0.5));
        let (ax, bx) = (dice.unit(), dice.unit());
        for (y, d) in wave.dx.iter_mut().enumerate().take(height) {
            let y = y as f32;
            *d = reach_x * (0.75 * sin_turns(y / px + ax) + 0.25 * sin_turns(y / qx + bx));
        }
        let (py, qy) = (w * dice.range(0.35, 0.6), w * dice.range(0.12, 0.2));
        let (ay, by) = (dice.unit(), dice.unit());
        for (x, d) in wave.dy.iter_mut().enumerate().take(width) {
            let x = x as f32;
            *d = reach_y * (0.8 * sin_turns(x / py + ay) + 0.2 * sin_turns(x / qy + by));
        }
        wave
    }
}

/// A glyph's own local warp, in glyph pixels: a sample at (u, v) reads the glyph at
/// (u + `across(v)`, v + `down(u)`), each a sine of its own period and phase.
#[derive(Clone, Copy, Default)]
pub(super) struct Warp {
    /// Amplitude, period and phase of the shift across, as a function of the row.
    pub(super) across: [f32; 3],
    /// Amplitude, period and phase of the shift down, as a function of the column.
    pub(super) down: [f32; 3],
}

impl Warp {
    fn draw(hardness: &ImageHardness, cap: f32, dice: &mut Dice) -> Self {
        let mut wave = || {
            [
                dice.within(hardness.warp),
                cap * dice.range(0.9, 1.6),
                dice.unit(),
            ]
        };
        Warp {
            across: wave(),
            down: wave(),
        }
    }

    /// The shift at `t` of the sine `[amplitude, period, phase]`.
    pub(super) fn shift([amplitude, period, phase]: [f32; 3], t: f32) -> f32 {
        amplitude * sin_turns(t / period.max(1.0) + phase)
    }
}

/// One glyph's place in the picture: a character of the answer, or a piece of clutter.
#[derive(Clone, Copy)]
pub(super) struct Placement<'a> {
    pub(super) glyph: &'a Glyph,
    /// The part of the glyph drawn, as shares of its width and height.
    pub(super) window: [f32; 4],
    /// Undistorted canvas position to glyph position:
    /// `u = m[0]·x + m[1]·y + m[2]`, `v = m[3]·x + m[4]·y + m[5]`.
    pub(super) inverse: [f32; 6],
    pub(super) warp: Warp,
    /// The rectangle outside which the glyph has no ink, waves included:
    /// `[left, top, right, bottom]`, exclusive.
    pub(super) reach: [f32; 4],
    /// Darkness of full ink, 0..=255.
    pub(super) tone: f32,
}

/// The shape of one glyph before it is scaled and placed: drawn first, for all
/// characters, so that the scale can fit them all.
#[derive(Clone, Copy)]
struct Shape<'a> {
    glyph: &'a Glyph,
    /// Glyph offset from the anchor to undistorted canvas offset, at scale 1.
    forward: [f32; 4],
    /// Glyph anchor (the centre of the cap box).
    anchor: [f32; 2],
    warp: Warp,
    /// Reach of the ink from the anchor at scale 1, warp included:
    /// `[left, top, right, bottom]`.
    extent: [f32; 4],
    /// Anchor position at scale 1 in the line of text.
    at: [f32; 2],
}

/// The planned picture: wave, characters and the band they occupy.
pub(super) struct Scene<'a> {
    pub(super) width: usize,
    pub(super) height: usize,
    pub(super) wave: Wave,
    pub(super) chars: [Option<Placement<'a>>; MAX_CHARS],
    /// Undistorted rectangle of the text, `[left, top, right, bottom]`.
    pub(super) text: [f32; 4],
    /// Canvas pixels per glyph pixel.
    pub(super) scale: f32,
    /// Typical stroke width of the characters, in canvas pixels.
    pub(super) stem: f32,
    /// How dark ink is along the picture: full darkness minus a sine of this
    /// amplitude, period and phase of `x`.
    pub(super) fade: [f32; 3],
}

impl<'a> Scene<'a> {
    /// Draws the layout of `text` and fits it into the picture with [`MARGIN`] to spare.
    pub(super) fn plan(
        atlas: &'a Atlas,
        text: &[u8],
        size: ImageSize,
        hardness: &ImageHardness,
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

        let mut shapes: [Option<Shape<'a>>; MAX_CHARS] = [None; MAX_CHARS];
        let mut pen = 0.0f32;
        let mut line = [f32::MAX, f32::MAX, f32::MIN, f32::MIN];
        for (&ch, slot) in text.iter().zip(shapes.iter_mut()) {
            let (face, style) = (dice.below(atlas.faces()), pick_style(hardness, dice));
            let glyph = atlas
                .glyph(ch, face, style)
                .ok_or(ChallengeError::Assets(ChallengeKind::Image))?;
            let mut shape = Shape::draw(glyph, cap, hardness, dice);
            let rise = cap * dice.either_way(hardness.baseline);
            shape.at = [pen - shape.extent[0], rise];
            // Neighbours touch or overlap: crowding leaves no gap to cut at.
            pen = shape.at[0] + shape.extent[2] - cap * dice.within(hardness.overlap);
            line[0] = line[0].min(shape.at[0] + shape.extent[0]);
            line[1] = line[1].min(shape.at[1] + shape.extent[1]);
            line[2] = line[2].max(shape.at[0] + shape.extent[2]);
            line[3] = line[3].max(shape.at[1] + shape.extent[3]);
            *slot = Some(shape);
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
        for shape in shapes.iter_mut().flatten() {
            shape.squeeze(squeeze);
        }
        let (line, line_w) = (
            [line[0] * squeeze, line[1], line[2] * squeeze, line[3]],
            line_w * squeeze,
        );
        let largest = (box_w / line_w).min(fit_h);
        let scale = largest * dice.within(hardness.size);
        let spare_x = (box_w - scale * line_w).max(0.0);
        let spare_y = (box_h - scale * line_h).max(0.0);
        let left = room_x + spare_x * dice.range(0.1, 0.9);
        let top = room_y + spare_y * dice.range(0.2, 0.8);

        let fade = [
            dice.within(hardness.fade) / 2.0,
            width as f32 * dice.range(0.5, 1.2),
            dice.unit(),
        ];
        let mut chars: [Option<Placement<'a>>; MAX_CHARS] = [None; MAX_CHARS];
        for (slot, shape) in chars.iter_mut().zip(shapes) {
            if let Some(shape) = shape {
                let centre = [
                    left + scale * (shape.at[0] - line[0]),
                    top + scale * (shape.at[1] - line[1]),
                ];
                let tone = ink_tone(fade, centre[0]);
                *slot = Some(shape.place(centre, scale, &wave, [0.0, 0.0, 1.0, 1.0], tone));
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
            stem: atlas.stem() * scale,
            fade,
        })
    }

    /// A piece (`window`) of `glyph`, turned and warped like a character, with its anchor
    /// at canvas `centre`: clutter that looks like the characters because it is made of
    /// them.
    pub(super) fn piece(
        &self,
        glyph: &'a Glyph,
        cap: f32,
        window: [f32; 4],
        centre: [f32; 2],
        hardness: &ImageHardness,
        dice: &mut Dice,
    ) -> Placement<'a> {
        let shape = Shape::draw(glyph, cap, hardness, dice);
        shape.place(
            centre,
            self.scale,
            &self.wave,
            window,
            self.tone_at(centre[0]),
        )
    }

    /// Darkness of full ink at column `x`.
    pub(super) fn tone_at(&self, x: f32) -> f32 {
        ink_tone(self.fade, x)
    }
}

/// Darkness of full ink at column `x` under `fade`.
fn ink_tone([depth, period, phase]: [f32; 3], x: f32) -> f32 {
    255.0 - depth * (1.0 + sin_turns(x / period.max(1.0) + phase))
}

/// Solid, bold or hollow, in the shares `hardness` gives.
fn pick_style(hardness: &ImageHardness, dice: &mut Dice) -> Style {
    let roll = dice.unit();
    if roll < hardness.bold {
        Style::Bold
    } else if roll < hardness.bold + hardness.outline {
        Style::Outline
    } else {
        Style::Solid
    }
}

impl<'a> Shape<'a> {
    /// Draws rotation, shear, scale and warp for `glyph`, and its reach at scale 1.
    fn draw(glyph: &'a Glyph, cap: f32, hardness: &ImageHardness, dice: &mut Dice) -> Self {
        let angle = dice.either_way(hardness.rotation);
        let shear = dice.either_way(hardness.shear);
        let sy = dice.within(hardness.stretch);
        let sx = sy * dice.range(0.78, 0.98);
        let (c, s) = (cos_turns(angle), sin_turns(angle));
        // Rotation after shear and scale: R · [[sx, shear·sy], [0, sy]].
        let forward = [c * sx, (c * shear - s) * sy, s * sx, (s * shear + c) * sy];
        let anchor = [glyph.width() as f32 - 1.0, 2.0 * PAD as f32 + cap - 1.0].map(|v| v / 2.0);
        let warp = Warp::draw(hardness, cap, dice);
        let ink = glyph.reach(forward, anchor);
        // The warp moves ink by up to its amplitudes in glyph pixels, which the forward
        // map turns into canvas offsets.
        let (a, b) = (warp.across[0].abs(), warp.down[0].abs());
        let grow_x = forward[0].abs() * a + forward[1].abs() * b;
        let grow_y = forward[2].abs() * a + forward[3].abs() * b;
        let extent = [
            ink[0] - grow_x,
            ink[1] - grow_y,
            ink[2] + grow_x,
            ink[3] + grow_y,
        ];
        Shape {
            glyph,
            forward,
            anchor,
            warp,
            extent,
            at: [0.0, 0.0],
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
    fn place(
        &self,
        centre: [f32; 2],
        scale: f32,
        wave: &Wave,
        window: [f32; 4],
        tone: f32,
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
            glyph: self.glyph,
            window,
            inverse,
            warp: self.warp,
            reach,
            tone,
        }
    }
}
