//! Writes the picture and the audio clip of new challenges to a folder.
//!
//! ```text
//! cargo run --release --features danger-reveal-secrets --example challenge --
//!     --out DIR [--kind image|audio|both] [--length 4..10] [--count N] [--lang en|nl] [--lang en|nl]
//! ```
//!
//! Prints the paths and, labelled as demo output, the answers. A real host never shows
//! an answer: it keeps the challenge server-side and checks what the person types.

use std::path::PathBuf;
use std::process::ExitCode;

use sspr::challenge::{Challenge, ChallengeKind, ChallengeLength, Language};

struct Options {
    out: PathBuf,
    kinds: Vec<ChallengeKind>,
    length: ChallengeLength,
    count: usize,
    /// The language the audio clips speak.
    language: Language,
}

const USAGE: &str = "usage: challenge --out DIR [--kind image|audio|both] [--length 4..10] [--count N] [--lang en|nl]";

fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut out = None;
    let mut kinds = vec![ChallengeKind::Image, ChallengeKind::Audio];
    let mut length = ChallengeLength::DEFAULT;
    let mut count = 1;
    let mut language = Language::English;
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--out" => out = Some(PathBuf::from(value()?)),
            "--kind" => {
                kinds = match value()?.as_str() {
                    "image" => vec![ChallengeKind::Image],
                    "audio" => vec![ChallengeKind::Audio],
                    "both" => vec![ChallengeKind::Image, ChallengeKind::Audio],
                    other => return Err(format!("unknown kind {other:?}\n{USAGE}")),
                }
            }
            "--length" => {
                let n: usize = value()?.parse().map_err(|e| format!("--length: {e}"))?;
                length = ChallengeLength::new(n).map_err(|e| e.to_string())?;
            }
            "--count" => {
                count = value()?.parse().map_err(|e| format!("--count: {e}"))?;
                if !(1..=1000).contains(&count) {
                    return Err("--count takes 1..=1000".into());
                }
            }
            "--lang" => {
                let tag = value()?;
                language = Language::from_tag(&tag)
                    .ok_or(format!("--lang takes en or nl, not {tag:?}"))?;
            }
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let out = out.ok_or(format!("--out DIR is required\n{USAGE}"))?;
    Ok(Options {
        out,
        kinds,
        length,
        count,
        language,
    })
}

fn run(options: &Options) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(&options.out)?;
    for n in 1..=options.count {
        for &kind in &options.kinds {
            let challenge = Challenge::new(kind, options.length)?.in_language(options.language);
            let media = challenge.render()?;
            let name = if options.count == 1 {
                format!("challenge.{}", media.file_extension())
            } else {
                format!("challenge-{n:03}.{}", media.file_extension())
            };
            let path = options.out.join(name);
            std::fs::write(&path, media.as_bytes())?;
            println!(
                "{} ({} bytes)  demo answer: {}",
                path.display(),
                media.as_bytes().len(),
                demo_answer(&challenge)
            );
        }
    }
    Ok(())
}

/// The answer, through the door that only examples and tests open (the
/// `danger-reveal-secrets` feature, off for every crate that depends on sspr).
fn demo_answer(challenge: &Challenge) -> String {
    challenge.danger_reveal_answer()
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
