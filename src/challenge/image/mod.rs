//! The image challenge: the answer's glyphs laid out, distorted and drawn among clutter
//! that looks like them, into a small grayscale PNG. Every random choice comes from the
//! challenge's seed, so the same challenge always gives the same bytes.
//!
//! Steps: [`Scene::plan`] draws the layout (per character style, rotation, shear, scale,
//! warp, baseline and an overlap with its neighbour; one smooth wave over the whole
//! picture) and scales it so that no character ink comes closer than [`MARGIN`] pixels to
//! an edge, waves included. Then paper of varying darkness, the characters, curves of the
//! characters' ink and stroke width, pieces of other glyphs and a few speckles are drawn
//! into an ink-coverage canvas, which is packed to 16 grey levels and encoded. How much of
//! each is the [`Difficulty`]'s.

mod clutter;
mod dice;
mod ink;
mod scene;

use self::dice::Dice;
use self::ink::Canvas;
use self::scene::Scene;
use super::difficulty::Difficulty;
use super::glyph;
use super::{
    Answer, ChallengeError, ChallengeKind, ChallengeLength, IMAGE_STREAM, ImageSize, Seed,
};

/// Paper kept free of character ink along every edge, in pixels.
const MARGIN: usize = 4;

/// Widest and tallest picture, for the fixed-size tables of the wave.
const MAX_WIDTH: usize = ImageSize::MAX_WIDTH as usize;
const MAX_HEIGHT: usize = ImageSize::MAX_HEIGHT as usize;

/// Most characters in one picture.
const MAX_CHARS: usize = ChallengeLength::MAX;

/// Ink coverage 0..=255 to a 4-bit grey level (15 = paper, 0 = full ink), rounded.
const fn grey4(ink: u8) -> u8 {
    15 - ((ink as u16 * 15 + 128) >> 8) as u8
}

/// Renders the challenge picture of `answer` as a grayscale PNG of `size`.
pub(crate) fn render(
    answer: &Answer,
    seed: &Seed,
    size: ImageSize,
    difficulty: Difficulty,
) -> Result<Vec<u8>, ChallengeError> {
    let mut canvas = paint(answer.expose_secret(), seed, size, difficulty, true)?;
    encode(&mut canvas, size)
}

/// Draws the picture as ink coverage (0 = paper, 255 = ink), row by row; without
/// `clutter` only the characters (to check where their ink is).
fn paint(
    text: &[u8],
    seed: &Seed,
    size: ImageSize,
    difficulty: Difficulty,
    clutter: bool,
) -> Result<Vec<u8>, ChallengeError> {
    let atlas = glyph::atlas()?;
    let hardness = difficulty.image();
    let mut dice = Dice(seed.stream(IMAGE_STREAM));
    let scene = Scene::plan(atlas, text, size, &hardness, &mut dice)?;
    let mut canvas = Canvas::blank(size);
    if clutter {
        scene.paper(&mut canvas, &hardness, &mut dice);
    }
    for placement in scene.chars.iter().flatten() {
        canvas.glyph(&scene, placement);
    }
    if clutter {
        scene.curves(&mut canvas, &hardness, &mut dice);
        scene.fragments(&mut canvas, atlas, &hardness, &mut dice);
        scene.speckles(&mut canvas, &mut dice);
        scene.negative(&mut canvas, &hardness, &mut dice);
    }
    Ok(canvas.ink)
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
            return Err(ChallengeError::Encode(ChallengeKind::Image));
        };
        let (pairs, odd) = row.as_chunks::<2>();
        for (byte, &[a, b]) in out.iter_mut().zip(pairs) {
            *byte = (grey4(a) << 4) | grey4(b);
        }
        if let (Some(byte), &[a]) = (out.get_mut(pairs.len()), odd) {
            *byte = grey4(a) << 4;
        }
        let Some(target) = canvas.get_mut(y * row_bytes..(y + 1) * row_bytes) else {
            return Err(ChallengeError::Encode(ChallengeKind::Image));
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
    let failed = |_: png::EncodingError| ChallengeError::Encode(ChallengeKind::Image);
    let mut writer = encoder.write_header().map_err(failed)?;
    writer.write_image_data(canvas).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a failed expectation is a failed test
mod tests {
    use super::ink::sharpen;
    use super::*;
    use crate::challenge::ChallengeKind;
    use rand::rngs::ChaCha20Rng;
    use rand::{Rng, SeedableRng};

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
            let difficulty = [Difficulty::Standard, Difficulty::Strong][i % 2];
            let ink = paint(text, &seed, size, difficulty, false).expect("paint");
            let (w, h) = (w as usize, h as usize);
            assert!(ink.iter().filter(|&&c| c > 128).count() > text.len() * 20);
            for (at, &c) in ink.iter().enumerate() {
                let (x, y) = (at % w, at / w);
                let border = x < MARGIN || y < MARGIN || x >= w - MARGIN || y >= h - MARGIN;
                assert!(!border || c == 0, "ink {c} at {x},{y} in {w}x{h}, text {i}");
            }
            let hardness = difficulty.image();
            let mut dice = Dice(seed.stream(IMAGE_STREAM));
            let scene = Scene::plan(atlas, text, size, &hardness, &mut dice);
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
            let hardness = Difficulty::Standard.image();
            let scene = Scene::plan(
                atlas,
                a.expose_secret(),
                ImageSize::DEFAULT,
                &hardness,
                &mut dice,
            );
            let scene = scene.expect("plan");
            let cap = scene.scale * atlas.cap_height() as f32;
            assert!(cap >= 24.0, "capital letters {cap} pixels high");
            assert!(scene.text[2] - scene.text[0] >= 150.0);
        }
    }

    #[test]
    fn lengths_and_characters_outside_the_alphabet_are_errors_not_panics() {
        for text in [&b""[..], b"ABC", b"ABCDEFGHJKMN"] {
            let result = paint(
                text,
                &seed(1),
                ImageSize::DEFAULT,
                Difficulty::Standard,
                true,
            );
            assert!(matches!(
                result,
                Err(ChallengeError::LengthOutOfRange { .. })
            ));
        }
        let result = paint(
            b"AB0O",
            &seed(1),
            ImageSize::DEFAULT,
            Difficulty::Standard,
            true,
        );
        assert!(matches!(result, Err(ChallengeError::Assets(_))));
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
