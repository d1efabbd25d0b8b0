//! Placeholder replaced by the image renderer.
use super::{Answer, ChallengeError, ImageSize, Seed};

pub(crate) fn render(_answer: &Answer, _seed: &Seed, _size: ImageSize) -> Result<Vec<u8>, ChallengeError> {
    Err(ChallengeError::Encode("PNG"))
}
