//! Challenge rendering and checking, each beside the `captcha` crate's own pipeline for the
//! same job in the same run.
//!
//! `cargo bench -p sspr-benches --bench challenge`

use std::hint::black_box;

use captcha::Captcha;
use captcha::filters::{Dots, Noise, Wave};
use criterion::{Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use sspr::challenge::{Challenge, ChallengeKind, ChallengeLength, Difficulty, ImageSize, warm_up};

/// Pictures per image benchmark: one challenge's time depends on its layout and clutter,
/// so each iteration renders the next of these in turn.
const PICTURES: u64 = 32;

fn image(c: &mut Criterion) {
    warm_up().expect("assets load");
    let challenges: Vec<Challenge> = (0..PICTURES)
        .map(|seed| {
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            Challenge::generate(ChallengeKind::Image, ChallengeLength::DEFAULT, &mut rng)
        })
        .collect();
    let mut group = c.benchmark_group("image");
    for (name, difficulty) in [
        ("sspr", Difficulty::Standard),
        ("sspr_strong", Difficulty::Strong),
    ] {
        let mut next = challenges.iter().cycle();
        group.bench_function(name, |b| {
            b.iter(|| {
                let challenge = next.next().expect("a cycle never ends");
                black_box(
                    challenge
                        .render_with(ImageSize::DEFAULT, difficulty)
                        .expect("renders"),
                )
            })
        });
    }
    group.bench_function("captcha_crate", |b| {
        b.iter(|| {
            let mut captcha = Captcha::new();
            captcha
                .add_chars(6)
                .apply_filter(Noise::new(0.4))
                .apply_filter(Wave::new(2.0, 20.0).horizontal())
                .apply_filter(Wave::new(2.0, 20.0).vertical())
                .view(220, 120)
                .apply_filter(Dots::new(15));
            black_box(captcha.as_png())
        })
    });
    group.finish();
}

fn audio(c: &mut Criterion) {
    warm_up().expect("assets load");
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let challenge = Challenge::generate(ChallengeKind::Audio, ChallengeLength::DEFAULT, &mut rng);
    let mut group = c.benchmark_group("audio");
    group.bench_function("sspr", |b| {
        b.iter(|| black_box(challenge.render().expect("renders")))
    });
    group.bench_function("captcha_crate", |b| {
        let mut captcha = Captcha::new();
        captcha
            .set_chars(&['1', '2', '3', '4', '5', '6', '7', '8', '9'])
            .add_chars(6);
        b.iter(|| black_box(captcha.as_wav()))
    });
    group.finish();
}

fn verify(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let challenge = Challenge::generate(ChallengeKind::Image, ChallengeLength::DEFAULT, &mut rng);
    let mut group = c.benchmark_group("verify");
    group.bench_function("wrong_answer", |b| {
        b.iter(|| black_box(challenge.check(black_box(" k7-mx 3p "))))
    });
    group.bench_function("full_width_input", |b| {
        b.iter(|| black_box(challenge.check(black_box("Ｋ７ＭＸ３Ｐ"))))
    });
    group.bench_function("overlong_input", |b| {
        let long = "A".repeat(10_000);
        b.iter(|| black_box(challenge.check(black_box(&long))))
    });
    group.finish();
}

criterion_group!(benches, image, audio, verify);
criterion_main!(benches);
