//! The ink-coverage canvas and the drawing of glyphs onto it through their placement,
//! warp and the picture's wave.

use super::MAX_WIDTH;
use super::scene::{Placement, Scene, Warp};
use crate::challenge::ImageSize;
use crate::challenge::glyph::Sampler;

/// Entries of a warp table: one per glyph row or column, for the largest glyph the atlas
/// accepts with its padding.
const WARP_TABLE: usize = 272;

/// Sharpens upscaled glyph edges: coverage up to 40 becomes paper, from 200 on full ink.
pub(super) fn sharpen(ink: u8) -> u8 {
    (u16::from(ink.clamp(40, 200) - 40) * 255 / 160) as u8
}

/// The ink-coverage canvas: 0 = paper, 255 = full ink, row by row.
pub(super) struct Canvas {
    pub(super) width: usize,
    pub(super) ink: Vec<u8>,
}

impl Canvas {
    /// All paper.
    pub(super) fn blank(size: ImageSize) -> Self {
        let (width, height) = (size.width() as usize, size.height() as usize);
        Canvas {
            width,
            ink: vec![0; width * height],
        }
    }

    /// Darkens pixel (`x`, `y`) to at least `amount` (0..=1) of `tone`; a pixel outside
    /// the canvas is left alone.
    pub(super) fn blend(&mut self, x: i32, y: i32, amount: f32, tone: f32) {
        if x >= 0
            && y >= 0
            && (x as usize) < self.width
            && let Some(cell) = self.ink.get_mut(y as usize * self.width + x as usize)
        {
            *cell = (*cell).max((amount.clamp(0.0, 1.0) * tone) as u8);
        }
    }

    /// Draws `placement` through the scene's wave, sampling its glyph in fixed point
    /// (16 fractional bits) from each row's start.
    pub(super) fn glyph(&mut self, scene: &Scene<'_>, placement: &Placement<'_>) {
        const ONE: f32 = 65536.0;
        let (w, h) = (scene.width, scene.height);
        let wave = &scene.wave;
        let [left, top, right, bottom] = placement.reach;
        let (x0, x1) = (left.max(0.0) as usize, (right.max(0.0) as usize + 1).min(w));
        let (y0, y1) = (top.max(0.0) as usize, (bottom.max(0.0) as usize + 1).min(h));
        let m = placement.inverse;
        // The wave's vertical shift of each column, as its effect on u and on v.
        let mut shift_u = [0i32; MAX_WIDTH];
        let mut shift_v = [0i32; MAX_WIDTH];
        let columns = shift_u
            .iter_mut()
            .zip(shift_v.iter_mut())
            .zip(wave.dy.iter());
        for ((su, sv), &dy) in columns.take(x1).skip(x0) {
            (*su, *sv) = ((m[1] * dy * ONE) as i32, (m[4] * dy * ONE) as i32);
        }
        // The glyph's own warp, per glyph row (across) and column (down), in 1/256 pixel.
        // Only the glyph's own rows and columns; beyond them the sampler reads paper.
        let mut across = [0i32; WARP_TABLE];
        let mut down = [0i32; WARP_TABLE];
        let rows = placement.glyph.height();
        for (i, a) in across.iter_mut().enumerate().take(rows) {
            *a = (Warp::shift(placement.warp.across, i as f32) * 256.0) as i32;
        }
        let columns = placement.glyph.width();
        for (i, d) in down.iter_mut().enumerate().take(columns) {
            *d = (Warp::shift(placement.warp.down, i as f32) * 256.0) as i32;
        }
        let warp_reach = placement.warp.across[0]
            .abs()
            .max(placement.warp.down[0].abs());
        let (step_u, step_v) = ((m[0] * ONE) as i32, (m[3] * ONE) as i32);
        let sampler = Sampler::window(placement.glyph, placement.window);
        let tone = placement.tone.clamp(0.0, 255.0) as u32;
        let mut shade = [0u8; 256];
        for (ink, out) in (0..=255).zip(shade.iter_mut()) {
            *out = (u32::from(sharpen(ink)) * tone / 255) as u8;
        }
        for y in y0..y1 {
            let fy = y as f32;
            let dx = wave.dx.get(y).copied().unwrap_or(0.0);
            let u_row = m[0] * dx + m[1] * fy + m[2];
            let v_row = m[3] * dx + m[4] * fy + m[5];
            // Only where this row can meet the glyph (the wave moves it by ≤ reach_y, the
            // warp by ≤ its amplitude).
            let wobble_u = (m[1] * wave.reach_y).abs() + warp_reach;
            let wobble_v = (m[4] * wave.reach_y).abs() + warp_reach;
            let (u_from, u_to) = span(u_row, m[0], wobble_u, sampler.last_u);
            let (v_from, v_to) = span(v_row, m[3], wobble_v, sampler.last_v);
            let from = u_from.max(v_from).max(x0 as f32) as usize;
            let to = (u_to.min(v_to).max(0.0) as usize + 1).min(x1).max(from);
            let (Some(cells), Some(su), Some(sv)) = (
                self.ink.get_mut(y * w + from..y * w + to),
                shift_u.get(from..to),
                shift_v.get(from..to),
            ) else {
                continue;
            };
            let fx = from as f32;
            let mut u = ((u_row + m[0] * fx) * ONE) as i32;
            let mut v = ((v_row + m[3] * fx) * ONE) as i32;
            for ((cell, &su), &sv) in cells.iter_mut().zip(su).zip(sv) {
                let pu = u.wrapping_add(su) >> 8;
                let pv = v.wrapping_add(sv) >> 8;
                let du = across.get((pv >> 8) as usize).copied().unwrap_or(0);
                let dv = down.get((pu >> 8) as usize).copied().unwrap_or(0);
                let ink = sampler.at(pu.wrapping_add(du), pv.wrapping_add(dv));
                u = u.wrapping_add(step_u);
                v = v.wrapping_add(step_v);
                *cell = (*cell).max(shade[usize::from(ink)]);
            }
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
