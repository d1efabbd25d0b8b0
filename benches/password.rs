//! Password rules and Argon2id hashing. The `argon2` group hashes with the `argon2` crate
//! directly (same costs, a 16-byte salt, a PHC string out) beside `sspr::password` in the
//! same run, so the crate's overhead can be read off.
//!
//! `cargo bench -p sspr-benches --bench password`
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a failed expectation is a failed run

use std::hint::black_box;

use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version};
use criterion::{Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use sspr::UserId;
use sspr::password::{HashParams, Password, PasswordRules, hash_password, warm_up};

/// A strong 256-character password: words and digits, no control characters.
fn long_password() -> String {
    let words = [
        "plum", "kettle", "orbit", "lantern", "quartz", "meadow", "copper", "violin",
    ];
    let mut s = String::new();
    let mut i = 0usize;
    while s.chars().count() < 256 {
        s.push_str(words[(i * 5 + 3) % words.len()]);
        s.push(char::from(b'0' + (i % 10) as u8));
        s.push(' ');
        i += 1;
    }
    s.chars().take(256).collect()
}

fn rules(c: &mut Criterion) {
    warm_up();
    let user = UserId::parse("jan.jansen@contoso.nl").expect("valid user ID");
    let default_rules = PasswordRules::default();
    let banned: Vec<String> = (0..1000).map(|i| format!("term{i:04}x")).collect();
    let banned_rules = PasswordRules::builder()
        .banned_terms(banned)
        .build()
        .expect("valid rules");

    let typical = "kX9#mQ2vLp7w";
    let long = long_password();
    for (pw, rules) in [
        (typical, &default_rules),
        (long.as_str(), &default_rules),
        (long.as_str(), &banned_rules),
    ] {
        assert_eq!(
            rules.check(&Password::new(pw), &Password::new(pw), &user),
            Ok(())
        );
    }

    let mut group = c.benchmark_group("password_rules");
    let (new, confirm) = (Password::new(typical), Password::new(typical));
    group.bench_function("check_12_chars", |b| {
        b.iter(|| black_box(default_rules.check(black_box(&new), &confirm, &user)))
    });
    let (new, confirm) = (Password::new(long.clone()), Password::new(long.clone()));
    group.bench_function("check_256_chars", |b| {
        b.iter(|| black_box(default_rules.check(black_box(&new), &confirm, &user)))
    });
    group.bench_function("check_256_chars_1000_banned_terms", |b| {
        b.iter(|| black_box(banned_rules.check(black_box(&new), &confirm, &user)))
    });
    // The estimator's worst input known here: many kinds of look-alike symbols.
    let storm: String = "4@8({[<36!1|0$5+72%".repeat(14).chars().take(256).collect();
    let (new, confirm) = (Password::new(storm.clone()), Password::new(storm));
    group.bench_function("check_256_chars_symbol_storm", |b| {
        b.iter(|| black_box(default_rules.check(black_box(&new), &confirm, &user)))
    });
    group.finish();
}

fn argon2(c: &mut Criterion) {
    let password = Password::new("kX9#mQ2vLp7w");
    let params = HashParams::default();
    let mut rng = ChaCha20Rng::seed_from_u64(1);

    let mut group = c.benchmark_group("argon2");
    group.sample_size(20);
    group.bench_function("sspr", |b| {
        b.iter(|| black_box(hash_password(black_box(&password), &params, &mut rng).expect("hash")))
    });
    let raw = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(params.m_cost(), params.t_cost(), params.p_cost(), None).expect("valid params"),
    );
    let mut salt_rng = ChaCha20Rng::seed_from_u64(2);
    group.bench_function("argon2_crate", |b| {
        b.iter(|| {
            let mut salt = [0u8; 16];
            rand::Rng::fill_bytes(&mut salt_rng, &mut salt);
            let hash = raw
                .hash_password_with_salt(black_box(password.expose_secret().as_bytes()), &salt)
                .expect("hash");
            black_box(hash.to_string())
        })
    });
    group.finish();
}

criterion_group!(benches, rules, argon2);
criterion_main!(benches);
