//! CAPTCHA challenges: an answer and a private seed, from which an image (PNG) or an audio
//! clip (WAV) is rendered on demand.
//!
//! A challenge is a few dozen bytes. Its media is rendered deterministically from the
//! answer and the seed, so re-fetching the picture or the clip of one challenge gives the
//! same bytes (no new samples for an attacker), while two challenges with the same answer
//! look and sound different.

mod answer;
mod audio;
mod difficulty;
mod glyph;
mod image;
mod recording;

use std::fmt;

use rand::rngs::{ChaCha20Rng, SysRng};
use rand::{CryptoRng, RngExt, SeedableRng};
use zeroize::{Zeroize, ZeroizeOnDrop};

pub(crate) use answer::Answer;
pub use answer::{AUDIO_ALPHABET, IMAGE_ALPHABET, InputRejected, MAX_INPUT_CHARS, NormalizedInput};
pub use difficulty::Difficulty;
pub use recording::Language;

/// Whether a challenge is a picture to read or an audio clip to listen to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChallengeKind {
    /// Characters drawn in a distorted picture (PNG).
    Image,
    /// Digits spoken in an audio clip (WAV), for people who cannot see the picture.
    Audio,
}

impl ChallengeKind {
    /// The other kind: what "switch to audio" (or back to the picture) asks for.
    pub const fn other(self) -> Self {
        match self {
            ChallengeKind::Image => ChallengeKind::Audio,
            ChallengeKind::Audio => ChallengeKind::Image,
        }
    }

    /// The media type of what this kind renders: `image/png` or `audio/wav`.
    pub const fn content_type(self) -> &'static str {
        match self {
            ChallengeKind::Image => "image/png",
            ChallengeKind::Audio => "audio/wav",
        }
    }

    /// The usual file extension of what this kind renders: `png` or `wav`.
    pub const fn file_extension(self) -> &'static str {
        match self {
            ChallengeKind::Image => "png",
            ChallengeKind::Audio => "wav",
        }
    }
}

impl fmt::Display for ChallengeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChallengeKind::Image => "image",
            ChallengeKind::Audio => "audio",
        })
    }
}

/// How many characters a challenge has: 4..=10, 6 by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChallengeLength(u8);

impl ChallengeLength {
    /// The fewest characters allowed.
    pub const MIN: usize = 4;
    /// The most characters allowed.
    pub const MAX: usize = 10;
    /// The default: 6 characters.
    pub const DEFAULT: ChallengeLength = ChallengeLength(6);

    /// A length, or [`ChallengeError::LengthOutOfRange`] outside 4..=10.
    pub const fn new(length: usize) -> Result<Self, ChallengeError> {
        if length < Self::MIN || length > Self::MAX {
            return Err(ChallengeError::LengthOutOfRange {
                length,
                min: Self::MIN,
                max: Self::MAX,
            });
        }
        Ok(ChallengeLength(length as u8))
    }

    /// The number of characters.
    pub const fn get(self) -> usize {
        self.0 as usize
    }
}

impl Default for ChallengeLength {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The size of a challenge picture in pixels: 220×120 by default, within
/// [`ImageSize::MIN_WIDTH`]..=[`ImageSize::MAX_WIDTH`] ×
/// [`ImageSize::MIN_HEIGHT`]..=[`ImageSize::MAX_HEIGHT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ImageSize {
    width: u16,
    height: u16,
}

impl ImageSize {
    /// Narrowest picture allowed.
    pub const MIN_WIDTH: u32 = 160;
    /// Widest picture allowed.
    pub const MAX_WIDTH: u32 = 480;
    /// Lowest picture allowed.
    pub const MIN_HEIGHT: u32 = 60;
    /// Tallest picture allowed.
    pub const MAX_HEIGHT: u32 = 240;
    /// The default: 220×120.
    pub const DEFAULT: ImageSize = ImageSize {
        width: 220,
        height: 120,
    };

    /// A size, or [`ChallengeError::ImageSizeOutOfRange`] outside the bounds.
    pub const fn new(width: u32, height: u32) -> Result<Self, ChallengeError> {
        if width < Self::MIN_WIDTH
            || width > Self::MAX_WIDTH
            || height < Self::MIN_HEIGHT
            || height > Self::MAX_HEIGHT
        {
            return Err(ChallengeError::ImageSizeOutOfRange { width, height });
        }
        Ok(ImageSize {
            width: width as u16,
            height: height as u16,
        })
    }

    /// Width in pixels.
    pub const fn width(self) -> u32 {
        self.width as u32
    }

    /// Height in pixels.
    pub const fn height(self) -> u32 {
        self.height as u32
    }
}

impl Default for ImageSize {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Errors of making or rendering a challenge.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChallengeError {
    /// A challenge length outside the allowed range was asked for.
    #[error("a challenge has {min}..={max} characters, not {length}")]
    LengthOutOfRange {
        /// The length asked for.
        length: usize,
        /// The fewest allowed.
        min: usize,
        /// The most allowed.
        max: usize,
    },
    /// A picture size outside the allowed bounds was asked for.
    #[error(
        "a challenge picture is {}..={} × {}..={} pixels, not {width}×{height}",
        ImageSize::MIN_WIDTH,
        ImageSize::MAX_WIDTH,
        ImageSize::MIN_HEIGHT,
        ImageSize::MAX_HEIGHT
    )]
    ImageSizeOutOfRange {
        /// The width asked for.
        width: u32,
        /// The height asked for.
        height: u32,
    },
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed; try again")]
    Entropy,
    /// The glyphs (of pictures) or the recordings (of audio clips) could not be decoded.
    #[error("the CAPTCHA {} could not be loaded", assets_of(*.0))]
    Assets(ChallengeKind),
    /// Encoding the PNG (of a picture) or the WAV (of an audio clip) failed.
    #[error("the challenge {} could not be encoded", format_of(*.0))]
    Encode(ChallengeKind),
}

/// What a kind of challenge is made from.
fn assets_of(kind: ChallengeKind) -> &'static str {
    match kind {
        ChallengeKind::Image => "glyphs",
        ChallengeKind::Audio => "recordings",
    }
}

/// The file format a kind of challenge is encoded in.
fn format_of(kind: ChallengeKind) -> &'static str {
    match kind {
        ChallengeKind::Image => "PNG",
        ChallengeKind::Audio => "WAV",
    }
}

/// The private seed of a challenge: drives every random choice of its rendering.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct Seed([u8; 32]);

impl Seed {
    pub(crate) fn expose_secret(&self) -> &[u8; 32] {
        &self.0
    }

    /// A deterministic random stream for one purpose (image, audio) of this seed.
    pub(crate) fn stream(&self, purpose: u64) -> ChaCha20Rng {
        let mut rng = ChaCha20Rng::from_seed(self.0);
        rng.set_stream(purpose);
        rng
    }
}

/// A CAPTCHA challenge: the kind, the secret answer and a private seed.
///
/// No `Clone`, `PartialEq` or `Display`; `Debug` shows the kind and length only; the
/// answer and seed are wiped on drop. Render it with [`Challenge::render`].
#[derive(ZeroizeOnDrop)]
pub struct Challenge {
    #[zeroize(skip)]
    kind: ChallengeKind,
    #[zeroize(skip)]
    language: Language,
    answer: Answer,
    seed: Seed,
}

impl fmt::Debug for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Challenge")
            .field("kind", &self.kind)
            .field("language", &self.language)
            .field("length", &self.len())
            .field("answer", &format_args!("[REDACTED]"))
            .field("seed", &format_args!("[REDACTED]"))
            .finish()
    }
}

/// Stream numbers that keep the image and audio randomness of one seed apart.
pub(crate) const IMAGE_STREAM: u64 = 1;
pub(crate) const AUDIO_STREAM: u64 = 2;

impl Challenge {
    /// A new challenge from the operating system's CSPRNG, in English.
    pub fn new(kind: ChallengeKind, length: ChallengeLength) -> Result<Self, ChallengeError> {
        Self::new_in(kind, length, Language::English)
    }

    /// A new challenge from the operating system's CSPRNG whose audio clip speaks
    /// `language`.
    pub fn new_in(
        kind: ChallengeKind,
        length: ChallengeLength,
        language: Language,
    ) -> Result<Self, ChallengeError> {
        let mut rng =
            ChaCha20Rng::try_from_rng(&mut SysRng).map_err(|_| ChallengeError::Entropy)?;
        Ok(Self::generate(kind, length, &mut rng).in_language(language))
    }

    /// The same challenge, its audio clip spoken in `language`.
    #[must_use]
    pub fn in_language(mut self, language: Language) -> Self {
        self.language = language;
        self
    }

    /// The language the audio clip speaks.
    pub fn language(&self) -> Language {
        self.language
    }

    /// A new challenge from the given cryptographically secure RNG (inject a seeded one in
    /// tests only).
    pub fn generate<R: CryptoRng + ?Sized>(
        kind: ChallengeKind,
        length: ChallengeLength,
        rng: &mut R,
    ) -> Self {
        let answer = Answer::generate(kind, length, rng);
        let seed = Seed(rng.random());
        Challenge {
            kind,
            language: Language::English,
            answer,
            seed,
        }
    }

    /// Rebuilds a stored challenge; `None` when the stored answer does not fit the kind.
    pub(crate) fn from_parts(
        kind: ChallengeKind,
        language: Language,
        answer: &[u8],
        seed: [u8; 32],
    ) -> Option<Self> {
        let answer = Answer::from_stored(kind, answer)?;
        Some(Challenge {
            kind,
            language,
            answer,
            seed: Seed(seed),
        })
    }

    /// The secret answer and seed, for storing a suspended flow.
    pub(crate) fn expose_parts(&self) -> (&[u8], &[u8; 32]) {
        (self.answer.expose_secret(), self.seed.expose_secret())
    }

    /// The answer in plain text, for examples and tests only: compiled in only with the
    /// `danger-reveal-secrets` feature, which is off by default. Never enable it in
    /// production.
    #[cfg(feature = "danger-reveal-secrets")]
    pub fn danger_reveal_answer(&self) -> String {
        self.answer
            .expose_secret()
            .iter()
            .map(|&c| char::from(c))
            .collect()
    }

    /// Whether this is a picture or an audio clip.
    pub fn kind(&self) -> ChallengeKind {
        self.kind
    }

    /// The number of characters to type.
    pub fn len(&self) -> usize {
        self.answer.expose_secret().len()
    }

    /// Always `false`: a challenge has at least [`ChallengeLength::MIN`] characters.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Whether `input` is the answer: NFKC, case, spaces and hyphens ignored; constant time
    /// for inputs of the same length. Input that cannot be an answer (empty, too long)
    /// is an `Err`, which a wizard may treat differently from a wrong answer.
    ///
    /// Behind the demo door (`danger-reveal-secrets`, tests and benchmarks only): a host
    /// never needs it, and it would answer without spending an attempt. The wizard's
    /// Identify step checks answers and counts them.
    #[cfg(any(test, feature = "danger-reveal-secrets"))]
    pub fn check(&self, input: &str) -> Result<bool, InputRejected> {
        self.is_answer(input)
    }

    /// [`Challenge::check`], for the wizard.
    pub(crate) fn is_answer(&self, input: &str) -> Result<bool, InputRejected> {
        let input = match self.kind {
            ChallengeKind::Image => NormalizedInput::new(input)?,
            // Digits may be typed as numerals or as words, in the clip's language or in
            // English.
            ChallengeKind::Audio => {
                NormalizedInput::spoken(input, answer::number_words(self.language))?
            }
        };
        Ok(self.answer.matches(&input))
    }

    /// Renders the challenge at the default picture size: a PNG for an image challenge,
    /// a WAV for an audio challenge. The same challenge always gives the same bytes.
    pub fn render(&self) -> Result<Media, ChallengeError> {
        self.render_sized(ImageSize::DEFAULT)
    }

    /// Renders the challenge with a picture of `size` (ignored for audio), at the default
    /// [`Difficulty`].
    pub fn render_sized(&self, size: ImageSize) -> Result<Media, ChallengeError> {
        self.render_with(size, Difficulty::default())
    }

    /// Renders the challenge with a picture of `size` at `difficulty` (both ignored for
    /// audio). The same challenge, size and difficulty always give the same bytes.
    pub fn render_with(
        &self,
        size: ImageSize,
        difficulty: Difficulty,
    ) -> Result<Media, ChallengeError> {
        let bytes = match self.kind {
            ChallengeKind::Image => image::render(&self.answer, &self.seed, size, difficulty)?,
            ChallengeKind::Audio => audio::render(&self.answer, &self.seed, self.language)?,
        };
        Ok(Media {
            kind: self.kind,
            bytes,
        })
    }
}

/// Loads the glyphs and recordings now rather than on the first render (each is decoded
/// once per process). Hosts may call it at start-up to keep the first request fast.
pub fn warm_up() -> Result<(), ChallengeError> {
    glyph::atlas()?;
    for language in Language::ALL {
        recording::recordings_of(language)?;
    }
    Ok(())
}

/// The rendered media of a challenge: PNG or WAV bytes with their content type.
#[derive(Clone, PartialEq, Eq)]
pub struct Media {
    kind: ChallengeKind,
    bytes: Vec<u8>,
}

impl fmt::Debug for Media {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Media")
            .field("content_type", &self.content_type())
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl Media {
    /// `image/png` or `audio/wav`.
    pub fn content_type(&self) -> &'static str {
        self.kind.content_type()
    }

    /// `png` or `wav`.
    pub fn file_extension(&self) -> &'static str {
        self.kind.file_extension()
    }

    /// Whether this is a picture or a clip.
    pub fn kind(&self) -> ChallengeKind {
        self.kind
    }

    /// The encoded bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The encoded bytes, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rng() -> ChaCha20Rng {
        ChaCha20Rng::seed_from_u64(42)
    }

    #[test]
    fn lengths_outside_four_to_ten_are_typed_errors() {
        for bad in [0, 3, 11, 1000] {
            assert!(matches!(
                ChallengeLength::new(bad),
                Err(ChallengeError::LengthOutOfRange { length, .. }) if length == bad
            ));
        }
        assert_eq!(ChallengeLength::default().get(), 6);
    }

    #[test]
    fn image_sizes_outside_bounds_are_typed_errors() {
        assert!(ImageSize::new(220, 120).is_ok());
        for (w, h) in [(0, 0), (100, 120), (220, 20), (5000, 120), (220, 5000)] {
            assert!(matches!(
                ImageSize::new(w, h),
                Err(ChallengeError::ImageSizeOutOfRange { .. })
            ));
        }
    }

    #[test]
    fn debug_shows_no_answer_or_seed() {
        let c = Challenge::generate(ChallengeKind::Image, ChallengeLength::DEFAULT, &mut rng());
        let answer = String::from_utf8(c.answer.expose_secret().to_vec()).expect("ascii");
        let debug = format!("{c:?}");
        assert!(!debug.contains(&answer), "{debug}");
        assert!(debug.contains("REDACTED"));
        assert!(c.check(&answer).expect("valid input"));
        assert!(c.check(&answer.to_lowercase()).expect("valid input"));
    }

    #[test]
    fn parts_round_trip() {
        let c = Challenge::generate(ChallengeKind::Audio, ChallengeLength::DEFAULT, &mut rng());
        let (answer, seed) = c.expose_parts();
        let back = Challenge::from_parts(ChallengeKind::Audio, Language::English, answer, *seed)
            .expect("valid");
        assert_eq!(back.expose_parts(), c.expose_parts());
        assert!(
            Challenge::from_parts(ChallengeKind::Audio, Language::English, b"ABCDEF", *seed)
                .is_none()
        );
    }

    #[test]
    fn os_rng_challenges_differ() {
        let a = Challenge::new(ChallengeKind::Image, ChallengeLength::DEFAULT).expect("entropy");
        let b = Challenge::new(ChallengeKind::Image, ChallengeLength::DEFAULT).expect("entropy");
        assert_ne!(a.expose_parts().1, b.expose_parts().1);
    }
}
