//! What is drawn besides the characters: paper of varying darkness, curves of the
//! characters' own ink and stroke width across the text, pieces of other glyphs on the
//! text's edges, and a few speckles. It is made to look like the characters, so that no
//! darkness threshold or stroke width tells them apart.

use super::dice::{Dice, sin_turns};
use super::ink::Canvas;
use super::scene::Scene;
use super::{MAX_HEIGHT, MAX_WIDTH};
use crate::challenge::IMAGE_ALPHABET;
use crate::challenge::difficulty::ImageHardness;
use crate::challenge::glyph::{Atlas, Style};

/// Width, in pixels, over which the edges of the negative band soften.
const SOFT: f32 = 1.5;

/// Length of a paper stripe table: the widest row plus the largest shift.
const STRIPES: usize = MAX_WIDTH + 2 * MAX_HEIGHT;

impl Scene<'_> {
    /// Paper of two crossing families of soft stripes, dark enough in places that a single
    /// darkness threshold keeps paper or loses light ink: drawn first, on the blank
    /// canvas. Along a row each family is one table read from a start that shifts from row
    /// to row, which keeps it to an addition per pixel.
    pub(super) fn paper(&self, canvas: &mut Canvas, hardness: &ImageHardness, dice: &mut Dice) {
        let (width, height) = (self.width, self.height);
        let strength = dice.within(hardness.paper);
        let mut tables = [[0u8; STRIPES]; 2];
        let mut slopes = [0.0f32; 2];
        for ((table, slope), share) in tables.iter_mut().zip(slopes.iter_mut()).zip([0.6, 0.4]) {
            let period = width as f32 / dice.range(1.2, 2.5);
            let phase = dice.unit();
            *slope = dice.range(0.4, 1.6);
            let used = width + (*slope * height as f32) as usize + 2;
            for (j, cell) in table.iter_mut().take(used).enumerate() {
                let wave = 0.5 + 0.5 * sin_turns(j as f32 / period + phase);
                *cell = (16.0 * share * strength * wave).min(255.0) as u8; // in 1/16 ink
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

    /// Curves as dark as the characters and as wide as their thinner strokes (the font's
    /// bars and serifs are about half its stems), running across the text.
    pub(super) fn curves(&self, canvas: &mut Canvas, hardness: &ImageHardness, dice: &mut Dice) {
        let [left, top, right, bottom] = self.text;
        let band = bottom - top;
        for _ in 0..dice.count(hardness.curves) {
            let thickness = (self.stem * dice.range(0.45, 0.6)).clamp(1.2, 8.0);
            let length = right - left;
            let start = (left + length * dice.range(-0.1, 0.3)).max(1.0);
            let end = (right - length * dice.range(-0.1, 0.3)).min(self.width as f32 - 2.0);
            let base = top + band * dice.range(0.25, 0.75);
            // Gentle bends: a steep curve through a letter reads as one of its strokes.
            let amplitude = band * dice.within(hardness.bend);
            let (period, phase) = (length * dice.range(0.55, 1.1), dice.unit());
            let slope = dice.range(-0.2, 0.2) * band / length.max(1.0);
            let curve =
                |x: f32| base + amplitude * sin_turns(x / period + phase) + slope * (x - left);
            let half = thickness / 2.0;
            let mut x = start as i32;
            while (x as f32) <= end {
                let fx = x as f32;
                let centre = curve(fx);
                let rise = (curve(fx + 0.5) - curve(fx - 0.5)).abs();
                let reach = half * (1.0 + rise * rise).sqrt();
                let tone = self.tone_at(fx);
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

    /// Pieces of glyphs (a third to a half of one, in any face and style), turned and
    /// warped like the characters and laid just beyond the top or bottom edge of the text.
    pub(super) fn fragments(
        &self,
        canvas: &mut Canvas,
        atlas: &Atlas,
        hardness: &ImageHardness,
        dice: &mut Dice,
    ) {
        let [left, top, right, bottom] = self.text;
        let cap = atlas.cap_height() as f32;
        for _ in 0..dice.count(hardness.fragments) {
            let style = Style::ALL[dice.below(Style::ALL.len())];
            let (index, face) = (dice.below(IMAGE_ALPHABET.len()), dice.below(atlas.faces()));
            let Some(glyph) = atlas.nth(index, face, style) else {
                continue;
            };
            let (w, h) = (dice.range(0.3, 0.5), dice.range(0.25, 0.4));
            let (u, v) = (dice.range(0.0, 1.0 - w), dice.range(0.0, 1.0 - h));
            let x = dice.range(left, right);
            // The glyph sits half a capital or more off the edge: its piece lies beyond
            // the edge or just touches it, so it never reads as part of a character.
            let off = cap * self.scale * dice.range(0.5, 0.7);
            let y = if dice.unit() < 0.5 {
                top - off
            } else {
                bottom + off
            };
            let piece = self.piece(glyph, cap, [u, v, u + w, v + h], [x, y], hardness, dice);
            canvas.glyph(self, &piece);
        }
    }

    /// Sometimes (as `hardness` says) a slanted band across the picture in negative: light
    /// ink on dark paper. People read it as easily; a darkness threshold keeps the band's
    /// paper as one blob and loses its characters.
    pub(super) fn negative(&self, canvas: &mut Canvas, hardness: &ImageHardness, dice: &mut Dice) {
        if dice.unit() >= hardness.negative {
            return;
        }
        let (w, h) = (self.width as f32, self.height as f32);
        let band = w * dice.range(0.25, 0.45);
        let start = dice.range(-0.1 * w, w - 0.6 * band);
        // Horizontal shift of the band per row: slanted up to about 20° either way.
        let lean = dice.range(-0.35, 0.35);
        for (y, row) in canvas.ink.chunks_exact_mut(self.width).enumerate() {
            let shift = lean * (y as f32 - h / 2.0);
            let (from, to) = (start + shift, start + shift + band);
            let first = (from - SOFT).max(0.0) as usize;
            let last = ((to + SOFT).max(0.0) as usize + 1).min(self.width);
            for (x, cell) in row.iter_mut().enumerate().take(last).skip(first) {
                let x = x as f32 + 0.5;
                let inside = ((x - from) / SOFT).min((to - x) / SOFT).clamp(0.0, 1.0);
                let ink = f32::from(*cell);
                *cell = (ink + inside * (255.0 - 2.0 * ink)) as u8;
            }
        }
    }

    /// A sprinkle of small soft dots over the whole picture.
    pub(super) fn speckles(&self, canvas: &mut Canvas, dice: &mut Dice) {
        let (w, h) = (self.width as f32, self.height as f32);
        let count = (w * h / dice.range(1200.0, 2000.0)) as usize;
        for _ in 0..count {
            let (cx, cy) = (dice.range(0.0, w), dice.range(0.0, h));
            let radius = dice.range(0.6, 1.6) * self.scale.clamp(0.8, 1.6);
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
