//! Placeholder replaced by the audio renderer.
use super::{Answer, ChallengeError, Seed};

pub(crate) fn render(_answer: &Answer, _seed: &Seed) -> Result<Vec<u8>, ChallengeError> {
    Err(ChallengeError::Encode("WAV"))
}
