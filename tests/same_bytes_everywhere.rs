//! One challenge renders the same bytes in every process: two app servers that share a
//! flow store serve the same picture and the same clip. The test binary runs itself again
//! as child processes (fresh glyphs and recordings, decoded anew), each renders the
//! challenges and writes their bytes, and the parent compares them with its own.

#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

use std::path::Path;
use std::process::Command;

use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use sspr::challenge::{Challenge, ChallengeKind, ChallengeLength};

/// Set in a child process: the folder to write its renders into.
const CHILD_OUT: &str = "SSPR_SAME_BYTES_CHILD_OUT";

/// The challenges compared: each kind at a few seeds, with the file name of its render.
fn renders() -> Vec<(String, Vec<u8>)> {
    let mut renders = Vec::new();
    for kind in [ChallengeKind::Image, ChallengeKind::Audio] {
        for seed in [1u64, 2, 3] {
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            let challenge = Challenge::generate(kind, ChallengeLength::DEFAULT, &mut rng);
            let media = challenge.render().expect("renders");
            let name = format!("{kind}-{seed}.{}", media.file_extension());
            renders.push((name, media.into_bytes()));
        }
    }
    renders
}

/// In a child process (with [`CHILD_OUT`] set), writes every render into that folder;
/// otherwise does nothing.
#[test]
fn child_writes_its_renders() {
    let Some(out) = std::env::var_os(CHILD_OUT) else {
        return;
    };
    for (name, bytes) in renders() {
        std::fs::write(Path::new(&out).join(name), bytes).expect("writes");
    }
}

#[test]
fn child_processes_render_the_parents_png_and_wav_bytes() {
    if std::env::var_os(CHILD_OUT).is_some() {
        return;
    }
    let exe = std::env::current_exe().expect("the test binary");
    let mine = renders();
    assert!(mine.iter().any(|(name, _)| name.ends_with(".png")));
    assert!(mine.iter().any(|(name, _)| name.ends_with(".wav")));
    for child in 0..2 {
        let out =
            std::env::temp_dir().join(format!("sspr-same-bytes-{}-{child}", std::process::id()));
        std::fs::create_dir_all(&out).expect("a folder for the child");
        let output = Command::new(&exe)
            .args(["child_writes_its_renders", "--exact", "--test-threads=1"])
            .env(CHILD_OUT, &out)
            .output()
            .expect("the child runs");
        assert!(
            output.status.success(),
            "child {child}: {}\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        for (name, bytes) in &mine {
            let theirs = std::fs::read(out.join(name)).expect("the child wrote it");
            assert!(
                theirs == *bytes,
                "child {child} rendered other bytes for {name} ({} against {} bytes)",
                theirs.len(),
                bytes.len()
            );
        }
        std::fs::remove_dir_all(&out).expect("cleans up");
    }
}
