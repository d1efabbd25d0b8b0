//! The picture against the first thing a white-box attacker tries: keep the pixels darker
//! than some grey and read the connected components as characters. On the first
//! generator, grey 34 dropped every noise stroke and gave exactly the six characters in
//! 99.4 % of pictures. Now clutter has the characters' ink and neighbours touch, so at
//! every grey level the count of components is six only by chance (5–20 % of pictures,
//! and then mostly not the six characters; the attack kit's segmentation attacker, which
//! also merges and splits pieces, solves under 1 %).
//!
//! The full attack kit (with classifiers and a CNN) is in `scripts/attack/`; this is its
//! cheap first step, run on every change.

#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use sspr::challenge::{Challenge, ChallengeKind, ChallengeLength, Difficulty, ImageSize};

/// Pictures per difficulty.
const PICTURES: u64 = 120;

/// Components with fewer pixels than this are specks, not characters.
const SPECK: usize = 20;

/// The grey levels (8-bit) of the picture, row by row, and its width.
fn grey(challenge: &Challenge, difficulty: Difficulty) -> (Vec<u8>, usize) {
    let media = challenge
        .render_with(ImageSize::DEFAULT, difficulty)
        .expect("renders");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(media.as_bytes()));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut grey = vec![0; reader.output_buffer_size().expect("a sane size")];
    let info = reader.next_frame(&mut grey).expect("the image decodes");
    grey.truncate(info.buffer_size());
    (grey, info.width as usize)
}

/// How many 8-connected components of at least [`SPECK`] pixels the pixels at or below
/// `level` form.
fn components(grey: &[u8], width: usize, level: u8) -> usize {
    let height = grey.len() / width;
    let mut seen = vec![false; grey.len()];
    let mut count = 0;
    let mut stack = Vec::new();
    for start in 0..grey.len() {
        if seen[start] || grey[start] > level {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let mut size = 0;
        while let Some(at) = stack.pop() {
            size += 1;
            let (x, y) = ((at % width) as isize, (at / width) as isize);
            for (dx, dy) in [
                (-1, -1),
                (0, -1),
                (1, -1),
                (-1, 0),
                (1, 0),
                (-1, 1),
                (0, 1),
                (1, 1),
            ] {
                let (nx, ny) = (x + dx, y + dy);
                if nx < 0 || ny < 0 || nx >= width as isize || ny >= height as isize {
                    continue;
                }
                let next = ny as usize * width + nx as usize;
                if !seen[next] && grey[next] <= level {
                    seen[next] = true;
                    stack.push(next);
                }
            }
        }
        if size >= SPECK {
            count += 1;
        }
    }
    count
}

fn no_grey_level_gives_the_characters(difficulty: Difficulty) {
    let length = ChallengeLength::DEFAULT;
    // The 16 grey levels of the PNG, darkest first.
    let levels: Vec<u8> = (0..15).map(|g| g * 17).collect();
    let mut hits = vec![0u64; levels.len()];
    for seed in 0..PICTURES {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let challenge = Challenge::generate(ChallengeKind::Image, length, &mut rng);
        let (grey, width) = grey(&challenge, difficulty);
        for (hit, &level) in hits.iter_mut().zip(&levels) {
            if components(&grey, width, level) == length.get() {
                *hit += 1;
            }
        }
    }
    for (hit, level) in hits.iter().zip(&levels) {
        assert!(
            hit * 100 <= 25 * PICTURES,
            "{difficulty:?}: at grey {level}, {hit} of {PICTURES} pictures split into exactly \
             {} components",
            length.get()
        );
    }
}

#[test]
fn no_grey_level_splits_a_standard_picture_into_its_characters() {
    no_grey_level_gives_the_characters(Difficulty::Standard);
}

#[test]
fn no_grey_level_splits_a_strong_picture_into_its_characters() {
    no_grey_level_gives_the_characters(Difficulty::Strong);
}
