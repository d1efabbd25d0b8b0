//! How hard a challenge's media is for a machine to solve: presets a policy picks from.
//!
//! The attacker of an open-source CAPTCHA is white-box: anyone can run this generator to
//! make labelled pictures and train a solver on them. So each preset's strength is
//! measured with the attack kit in the repository's `scripts/attack/` (Tesseract OCR, a
//! segmentation attacker with a trained classifier, an end-to-end CNN), each trained on
//! this generator and tested on 200 fresh challenges; the full tables, with the command
//! that reproduces them, are in the repository's `BENCHMARKS.md`.

/// How hard a challenge picture is to solve, traded against how quickly people read it.
///
/// Both presets keep every character whole and inside the picture, drawn from the
/// [`IMAGE_ALPHABET`](super::IMAGE_ALPHABET) without confusable characters, in one of
/// eight typefaces and three styles (solid, bold, hollow). The audio clip is the same at
/// both.
///
/// Measured at the default size and length (6 characters, 220×120; share of 200 fresh
/// pictures solved whole):
///
/// | | Tesseract | segmentation + SVM (2,000 pictures) | CNN (20,000 pictures, 1,800 CPU-s) | people (read right) |
/// | --- | --- | --- | --- | --- |
/// | first generator, for scale | 34.5 % | 98.5 % | 88.0 % | 30 of 30 |
/// | `Standard` | 0.5 % | 3.0 % | 28.5 % | 30 of 30, 28 at a glance |
/// | `Strong` | 0.0 % | 0.0 % | 4.0 % | 12 of 15 |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Difficulty {
    /// The default: touching neighbours, each character with its own typeface, style,
    /// height, warp and tilt, a curve of the characters' ink and stroke width across the
    /// text, ink and paper whose darkness varies across the picture, and in half the
    /// pictures a band drawn in negative.
    #[default]
    Standard,
    /// More of each: neighbours overlap, warps are stronger, two curves, more pieces of
    /// glyphs, a band in negative in 70 % of pictures. For flows under attack; people
    /// misread about one picture in five.
    Strong,
}

/// The numbers behind a [`Difficulty`] for pictures. Ranges are `(low, high)` and each
/// challenge draws its own value from them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ImageHardness {
    /// Overlap of neighbouring characters, in capital heights.
    pub(crate) overlap: (f32, f32),
    /// Largest rotation either way, in turns.
    pub(crate) rotation: f32,
    /// Largest shear either way.
    pub(crate) shear: f32,
    /// Vertical jitter of each character either way, in capital heights.
    pub(crate) baseline: f32,
    /// Height of each character relative to the others.
    pub(crate) stretch: (f32, f32),
    /// Size of the whole text relative to the largest that fits; what is left over
    /// moves it around the picture.
    pub(crate) size: (f32, f32),
    /// Chance that a slanted band across the picture is drawn in negative (light ink on
    /// dark paper).
    pub(crate) negative: f32,
    /// Amplitude of each character's own warp, in glyph pixels.
    pub(crate) warp: (f32, f32),
    /// Share of characters drawn bold, and drawn hollow; the rest are solid.
    pub(crate) bold: f32,
    /// See `bold`.
    pub(crate) outline: f32,
    /// Curves of the characters' ink and stroke width across the text: fewest, most.
    pub(crate) curves: (u8, u8),
    /// How far a curve bends up and down, in heights of the text.
    pub(crate) bend: (f32, f32),
    /// Pieces of other glyphs strewn over the text's edges: fewest, most.
    pub(crate) fragments: (u8, u8),
    /// How much lighter the lightest ink is than full ink, 0..=255.
    pub(crate) fade: (f32, f32),
    /// Darkness of the paper's texture at its darkest, 0..=255.
    pub(crate) paper: (f32, f32),
}

impl Difficulty {
    /// The picture settings of this preset.
    pub(crate) const fn image(self) -> ImageHardness {
        match self {
            Difficulty::Standard => ImageHardness {
                overlap: (-0.02, 0.06),
                rotation: 0.04,
                shear: 0.15,
                baseline: 0.12,
                stretch: (0.82, 1.15),
                size: (0.8, 1.0),
                negative: 0.5,
                warp: (0.5, 1.1),
                bold: 0.25,
                outline: 0.2,
                curves: (1, 1),
                bend: (0.08, 0.2),
                fragments: (1, 2),
                fade: (40.0, 80.0),
                paper: (50.0, 90.0),
            },
            Difficulty::Strong => ImageHardness {
                overlap: (0.05, 0.15),
                rotation: 0.045,
                shear: 0.18,
                baseline: 0.14,
                stretch: (0.8, 1.2),
                size: (0.78, 1.0),
                negative: 0.7,
                warp: (1.0, 1.8),
                bold: 0.25,
                outline: 0.35,
                curves: (2, 2),
                bend: (0.1, 0.3),
                fragments: (2, 3),
                fade: (50.0, 90.0),
                paper: (60.0, 100.0),
            },
        }
    }
}
