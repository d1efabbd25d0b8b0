//! Image challenges through the public API: a grayscale PNG of the requested size with dark
//! characters on light paper, the same bytes for the same challenge, another picture for
//! another seed (even with the same answer), within 8 KB at the default size, and no
//! length, seed or size that fails to render.

#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use sspr::challenge::{Challenge, ChallengeKind, ChallengeLength, ImageSize};

fn challenge(length: usize, seed: u64) -> Challenge {
    let length = ChallengeLength::new(length).expect("a length of 4..=10");
    Challenge::generate(
        ChallengeKind::Image,
        length,
        &mut ChaCha20Rng::seed_from_u64(seed),
    )
}

/// A decoded picture: 8-bit grey levels, row by row.
struct Picture {
    width: u32,
    height: u32,
    grey: Vec<u8>,
}

impl Picture {
    fn decode(png_bytes: &[u8]) -> Picture {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().expect("a PNG header");
        let mut grey = vec![0; reader.output_buffer_size().expect("a sane size")];
        let info = reader
            .next_frame(&mut grey)
            .expect("the image data decodes");
        assert_eq!(info.color_type, png::ColorType::Grayscale);
        assert_eq!(
            info.bit_depth,
            png::BitDepth::Eight,
            "expanded from fewer bits"
        );
        grey.truncate(info.buffer_size());
        Picture {
            width: info.width,
            height: info.height,
            grey,
        }
    }

    /// Share of pixels darker than `level`.
    fn darker_than(&self, level: u8) -> f64 {
        self.grey.iter().filter(|&&g| g < level).count() as f64 / self.grey.len() as f64
    }
}

fn size(width: u32, height: u32) -> ImageSize {
    ImageSize::new(width, height).expect("a size within bounds")
}

#[test]
fn renders_a_png_of_the_requested_size() {
    let sizes = [
        (220, 120),
        (160, 60),
        (480, 240),
        (160, 240),
        (480, 60),
        (301, 97),
    ];
    for (i, (width, height)) in sizes.into_iter().enumerate() {
        let c = challenge(4 + i % 7, i as u64);
        let media = c.render_sized(size(width, height)).expect("renders");
        assert_eq!(media.content_type(), "image/png");
        assert_eq!(media.file_extension(), "png");
        let picture = Picture::decode(media.as_bytes());
        assert_eq!((picture.width, picture.height), (width, height));
        // Mostly light paper, with a fair amount of dark ink.
        let ink = picture.darker_than(100);
        assert!(
            (0.01..0.4).contains(&ink),
            "{ink} of {width}x{height} is ink"
        );
        assert!(picture.darker_than(200) < 0.5);
    }
    let default = challenge(6, 99).render().expect("renders");
    let picture = Picture::decode(default.as_bytes());
    assert_eq!((picture.width, picture.height), (220, 120));
}

#[test]
fn the_same_challenge_renders_the_same_bytes() {
    let c = challenge(6, 7);
    let first = c.render().expect("renders");
    assert_eq!(first, c.render().expect("renders"));
    assert_eq!(first, c.render_sized(ImageSize::DEFAULT).expect("renders"));
    // The same answer and seed, made again, render the same bytes too.
    assert_eq!(first, challenge(6, 7).render().expect("renders"));
    let other_size = c.render_sized(size(300, 100)).expect("renders");
    assert_eq!(other_size, c.render_sized(size(300, 100)).expect("renders"));
}

#[test]
fn other_seeds_render_other_pictures() {
    let pictures: HashSet<Vec<u8>> = (0..40)
        .map(|seed| challenge(6, seed).render().expect("renders").into_bytes())
        .collect();
    assert_eq!(pictures.len(), 40);
}

#[test]
fn the_same_answer_with_another_seed_renders_another_picture() {
    // Four characters from 23: two of a few thousand challenges share their answer.
    let mut seen: HashMap<String, Challenge> = HashMap::new();
    let (first, second) = (0..20_000)
        .find_map(|seed| {
            let c = challenge(4, seed);
            match seen.remove(&c.danger_reveal_answer()) {
                Some(earlier) => Some((earlier, c)),
                None => {
                    seen.insert(c.danger_reveal_answer(), c);
                    None
                }
            }
        })
        .expect("two challenges with the same answer");
    assert_eq!(first.danger_reveal_answer(), second.danger_reveal_answer());
    let a = Picture::decode(first.render().expect("renders").as_bytes());
    let b = Picture::decode(second.render().expect("renders").as_bytes());
    let differing = a
        .grey
        .iter()
        .zip(&b.grey)
        .filter(|(x, y)| x.abs_diff(**y) > 64)
        .count();
    assert!(
        differing * 20 > a.grey.len(),
        "only {differing} pixels differ clearly"
    );
}

#[test]
fn default_pictures_stay_within_8_kb() {
    let mut largest = 0;
    for seed in 0..300 {
        let c = challenge(ChallengeLength::DEFAULT.get(), 1_000 + seed);
        largest = largest.max(c.render().expect("renders").as_bytes().len());
    }
    assert!(largest <= 8 * 1024, "largest picture {largest} bytes");
    for length in ChallengeLength::MIN..=ChallengeLength::MAX {
        let bytes = challenge(length, 5).render().expect("renders").into_bytes();
        assert!(
            bytes.len() <= 8 * 1024,
            "{length} characters: {} bytes",
            bytes.len()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_length_seed_and_size_renders(
        length in ChallengeLength::MIN..=ChallengeLength::MAX,
        seed: u64,
        width in ImageSize::MIN_WIDTH..=ImageSize::MAX_WIDTH,
        height in ImageSize::MIN_HEIGHT..=ImageSize::MAX_HEIGHT,
    ) {
        let c = challenge(length, seed);
        let media = c.render_sized(size(width, height)).expect("renders");
        let picture = Picture::decode(media.as_bytes());
        prop_assert_eq!((picture.width, picture.height), (width, height));
        prop_assert!(picture.darker_than(100) > 0.01);
    }
}
