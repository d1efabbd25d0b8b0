//! Writes a labelled corpus of challenges for the attack kit (`scripts/attack/`): the
//! white-box attacker's view, who runs our generator to make training data.
//!
//! ```text
//! cargo run --release --features danger-reveal-secrets --example attack_corpus --
//!     --kind image|audio --count N --out DIR [--length 4..10] [--seed S]
//!     [--difficulty standard|strong]
//! ```
//!
//! Writes `DIR/000000.png` (or `.wav`) … and `DIR/labels.csv` (`file,answer`). Without
//! `--seed` every challenge comes from the operating system's CSPRNG, as in production;
//! with it the corpus is reproducible. The answers are read through the
//! `danger-reveal-secrets` door that only this crate's own examples and tests open.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use sspr::challenge::{Challenge, ChallengeKind, ChallengeLength, Difficulty, ImageSize};

const USAGE: &str = "usage: attack_corpus --kind image|audio --count N --out DIR \
                     [--length 4..10] [--seed S] [--difficulty standard|strong]";

struct Options {
    kind: ChallengeKind,
    count: usize,
    out: PathBuf,
    length: ChallengeLength,
    seed: Option<u64>,
    difficulty: Difficulty,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let (mut kind, mut count, mut out) = (None, None, None);
    let (mut length, mut seed) = (ChallengeLength::DEFAULT, None);
    let mut difficulty = Difficulty::default();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--kind" => {
                kind = Some(match value()?.as_str() {
                    "image" => ChallengeKind::Image,
                    "audio" => ChallengeKind::Audio,
                    other => return Err(format!("unknown kind {other:?}\n{USAGE}")),
                })
            }
            "--count" => {
                let n: usize = value()?.parse().map_err(|e| format!("--count: {e}"))?;
                if !(1..=1_000_000).contains(&n) {
                    return Err("--count takes 1..=1000000".into());
                }
                count = Some(n);
            }
            "--out" => out = Some(PathBuf::from(value()?)),
            "--length" => {
                let n: usize = value()?.parse().map_err(|e| format!("--length: {e}"))?;
                length = ChallengeLength::new(n).map_err(|e| e.to_string())?;
            }
            "--difficulty" => {
                difficulty = match value()?.as_str() {
                    "standard" => Difficulty::Standard,
                    "strong" => Difficulty::Strong,
                    other => return Err(format!("unknown difficulty {other:?}\n{USAGE}")),
                }
            }
            "--seed" => seed = Some(value()?.parse().map_err(|e| format!("--seed: {e}"))?),
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(Options {
        kind: kind.ok_or(format!("--kind is required\n{USAGE}"))?,
        count: count.ok_or(format!("--count is required\n{USAGE}"))?,
        out: out.ok_or(format!("--out is required\n{USAGE}"))?,
        length,
        seed,
        difficulty,
    })
}

/// Renders challenges `range` into `out`, returning their `file,answer` lines.
fn render_part(
    options: &Options,
    range: std::ops::Range<usize>,
    out: &Path,
) -> Result<Vec<String>, String> {
    let mut lines = Vec::with_capacity(range.len());
    for n in range {
        let challenge = match options.seed {
            // One stream per challenge, so the corpus is the same whatever the threads.
            Some(seed) => {
                let mut rng = ChaCha20Rng::seed_from_u64(seed);
                rng.set_stream(n as u64);
                Challenge::generate(options.kind, options.length, &mut rng)
            }
            None => Challenge::new(options.kind, options.length).map_err(|e| e.to_string())?,
        };
        let media = challenge
            .render_with(ImageSize::DEFAULT, options.difficulty)
            .map_err(|e| e.to_string())?;
        let name = format!("{n:06}.{}", media.file_extension());
        std::fs::write(out.join(&name), media.as_bytes()).map_err(|e| e.to_string())?;
        lines.push(format!("{name},{}", challenge.danger_reveal_answer()));
    }
    Ok(lines)
}

fn run(options: &Options) -> Result<(), String> {
    std::fs::create_dir_all(&options.out).map_err(|e| e.to_string())?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = options.count.div_ceil(threads);
    let parts: Vec<Result<Vec<String>, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let range = (t * chunk).min(options.count)..((t + 1) * chunk).min(options.count);
                scope.spawn(move || render_part(options, range, &options.out))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a render thread panicked".into()))
            })
            .collect()
    });
    let mut labels = String::from("file,answer\n");
    for part in parts {
        for line in part? {
            labels.push_str(&line);
            labels.push('\n');
        }
    }
    let mut file =
        std::fs::File::create(options.out.join("labels.csv")).map_err(|e| e.to_string())?;
    file.write_all(labels.as_bytes()).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
