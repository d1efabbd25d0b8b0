//! User IDs: user principal names as a person types them, normalised so that the same
//! account is always the same ID, and refused when they hide characters a person cannot
//! see.
//!
//! The folding is Unicode's NFKC_Casefold (Unicode 3.13, UAX #44): compatibility
//! normalisation and full case folding, repeated until nothing changes. Its data (and that
//! of the properties below) comes from ICU4X (`icu_normalizer`, `icu_casemap`,
//! `icu_properties`), all of one Unicode version.

use std::fmt;

use icu_casemap::CaseMapper;
use icu_normalizer::ComposingNormalizerBorrowed;
use icu_properties::props::{BidiControl, DefaultIgnorableCodePoint, GeneralCategory};
use icu_properties::{CodePointMapData, CodePointSetData};

use crate::message::{Arg, Message};

/// The longest user ID, in bytes after normalisation; also the most characters a typed ID
/// (trimmed) may have before it is normalised.
pub const MAX_USER_ID_BYTES: usize = 256;

/// The most bytes of typed input looked at: anything longer is refused before it is
/// trimmed, scanned or normalised (four bytes for each of [`MAX_USER_ID_BYTES`] characters).
pub const MAX_TYPED_USER_ID_BYTES: usize = MAX_USER_ID_BYTES * 4;

/// Folding passes before giving up on a fixed point. One pass (NFKC, then case folding,
/// then NFKC) is stable for every code point; the bound only keeps the work finite.
const MAX_FOLD_PASSES: usize = 4;

/// A user principal name (`name@organisation.example`), normalised: surrounding white
/// space trimmed, then Unicode NFKC_Casefold (compatibility normalisation and full case
/// folding). Two IDs that differ only in case, width or canonical form are equal:
///
/// - `JAN.JANSEN@CONTOSO.NL`, `ｊａｎ.ｊａｎｓｅｎ@contoso.nl` → `jan.jansen@contoso.nl`;
/// - `ΣΑΣ`, `σας`, `σασ` → `σασ` (final sigma folds to sigma);
/// - `STRASSE`, `Straße`, `STRAẞE` → `strasse` (`ß` and `ẞ` fold to `ss`);
/// - `ﬁnance` → `finance`; `e` + U+0301 → `é`.
///
/// Characters that would let two IDs look alike but differ are refused, never dropped
/// (dropping them would let a look-alike silently become someone else's ID in an audit
/// log): bidirectional controls ([`UserIdError::BidiControl`]), any other default-ignorable
/// code point such as a soft hyphen, zero-width space, variation selector or tag character
/// ([`UserIdError::InvisibleCharacter`]), and control characters, white space inside the ID
/// and unassigned code points ([`UserIdError::InvalidCharacter`]; an unassigned code point
/// could fold differently in a later Unicode version).
///
/// ```
/// use sspr::{UserId, UserIdError};
///
/// let id = UserId::parse("  Jan.Jansen@Contoso.NL ")?;
/// assert_eq!(id.as_str(), "jan.jansen@contoso.nl");
/// assert_eq!(UserId::parse("ΣΑΣ@contoso.gr")?, UserId::parse("σας@contoso.gr")?);
/// assert_eq!(UserId::parse("Straße@contoso.de")?.as_str(), "strasse@contoso.de");
/// // A soft hyphen (invisible in most fonts) is refused, not dropped.
/// assert_eq!(
///     UserId::parse("Jan.Jan\u{AD}sen@contoso.nl"),
///     Err(UserIdError::InvisibleCharacter)
/// );
/// # Ok::<(), UserIdError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(String);

/// Why a typed user ID was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UserIdError {
    /// Nothing was typed.
    #[error("enter your user ID, for example name@organisation.example")]
    Empty,
    /// The ID is longer than [`MAX_USER_ID_BYTES`] bytes once normalised, or was typed
    /// with more than [`MAX_USER_ID_BYTES`] characters or [`MAX_TYPED_USER_ID_BYTES`]
    /// bytes.
    #[error("a user ID has at most {max_bytes} bytes")]
    TooLong {
        /// The most bytes allowed.
        max_bytes: usize,
    },
    /// The ID holds a control character, white space inside it, or an unassigned code
    /// point.
    #[error("a user ID cannot contain spaces or control characters")]
    InvalidCharacter,
    /// The ID holds an invisible character: a Unicode default-ignorable code point such as
    /// a soft hyphen (U+00AD), a zero-width space or joiner (U+200B..U+200D), a variation
    /// selector (U+FE00..U+FE0F) or a tag character (U+E0000..U+E007F).
    #[error(
        "a user ID cannot contain invisible characters such as soft hyphens or zero-width spaces: type it instead of pasting it"
    )]
    InvisibleCharacter,
    /// The ID holds a bidirectional control (U+061C, U+200E, U+200F, U+202A..U+202E,
    /// U+2066..U+2069), which can make it read differently from what it is.
    #[error("a user ID cannot contain text-direction marks: type it instead of pasting it")]
    BidiControl,
}

impl Message for UserIdError {
    fn message_id(&self) -> &'static str {
        match self {
            UserIdError::Empty => "user-id-empty",
            UserIdError::TooLong { .. } => "user-id-too-long",
            UserIdError::InvalidCharacter => "user-id-invalid-character",
            UserIdError::InvisibleCharacter => "user-id-invisible-character",
            UserIdError::BidiControl => "user-id-bidi-control",
        }
    }

    /// `max_bytes` for [`UserIdError::TooLong`].
    fn message_args(&self) -> Vec<(&'static str, Arg)> {
        match *self {
            UserIdError::TooLong { max_bytes } => vec![("max_bytes", max_bytes.into())],
            _ => Vec::new(),
        }
    }
}

impl UserId {
    /// Parses a typed user ID: refuses input over [`MAX_TYPED_USER_ID_BYTES`] bytes, trims
    /// it, refuses more than [`MAX_USER_ID_BYTES`] characters (all before any
    /// normalisation), refuses the characters listed on [`UserId`], applies NFKC_Casefold
    /// and refuses a result over [`MAX_USER_ID_BYTES`] bytes.
    ///
    /// `UserId::parse(id.as_str())` is `id` for every parsed `id`.
    pub fn parse(input: &str) -> Result<Self, UserIdError> {
        let too_long = UserIdError::TooLong {
            max_bytes: MAX_USER_ID_BYTES,
        };
        // Sizes first, on the raw input: a megabyte costs one comparison.
        if input.len() > MAX_TYPED_USER_ID_BYTES {
            return Err(too_long);
        }
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(UserIdError::Empty);
        }
        if trimmed.chars().nth(MAX_USER_ID_BYTES).is_some() {
            return Err(too_long);
        }
        check_characters(trimmed)?;
        // ASCII is already NFKC, and folds as lower case: skip the tables on the common path.
        let folded = if trimmed.is_ascii() {
            trimmed.to_ascii_lowercase()
        } else {
            nfkc_casefold(trimmed).ok_or(UserIdError::InvalidCharacter)?
        };
        if folded.len() > MAX_USER_ID_BYTES {
            return Err(too_long);
        }
        // Compatibility forms can fold to white space (U+00A8 DIAERESIS is a space and
        // U+0308): checked again, so that `parse(id.as_str())` never refuses an ID it gave.
        check_characters(&folded)?;
        Ok(UserId(folded))
    }

    /// The normalised ID.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the last `@` (the whole ID when it has none).
    pub fn local_part(&self) -> &str {
        self.0
            .rsplit_once('@')
            .map_or(self.0.as_str(), |(local, _)| local)
    }

    /// The part after the last `@`, if any: the organisation's domain.
    pub fn domain(&self) -> Option<&str> {
        self.0.rsplit_once('@').map(|(_, domain)| domain)
    }
}

/// Whether `c` hides or reorders text: a bidi control or a default-ignorable code point
/// (zero-width and the like). Text a person types into a form never needs one, and it
/// can make what an admin reads differ from what is stored ("Trojan Source").
pub(crate) fn is_hidden_or_reordering(c: char) -> bool {
    CodePointSetData::new::<BidiControl>().contains(c)
        || CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
}

/// The first refused character of `text`, as its error: bidirectional controls, then the
/// other default-ignorable code points, then control characters, white space and
/// unassigned code points.
fn check_characters(text: &str) -> Result<(), UserIdError> {
    let bidi = CodePointSetData::new::<BidiControl>();
    let ignorable = CodePointSetData::new::<DefaultIgnorableCodePoint>();
    let category = CodePointMapData::<GeneralCategory>::new();
    for c in text.chars() {
        if bidi.contains(c) {
            return Err(UserIdError::BidiControl);
        }
        if ignorable.contains(c) {
            return Err(UserIdError::InvisibleCharacter);
        }
        if c.is_control() || c.is_whitespace() || category.get(c) == GeneralCategory::Unassigned {
            return Err(UserIdError::InvalidCharacter);
        }
    }
    Ok(())
}

/// NFKC_Casefold of `text` (which holds no default-ignorable code point, so none is
/// removed): NFKC, then full case folding and NFKC until the text no longer changes.
/// `None` if it still changes after [`MAX_FOLD_PASSES`] passes (no known text does).
fn nfkc_casefold(text: &str) -> Option<String> {
    let nfkc = ComposingNormalizerBorrowed::new_nfkc();
    let fold = CaseMapper::new();
    let mut current = nfkc.normalize(text).into_owned();
    for _ in 0..MAX_FOLD_PASSES {
        let next = nfkc.normalize(&fold.fold_string(&current)).into_owned();
        if next == current {
            return Some(current);
        }
        current = next;
    }
    None
}

impl fmt::Debug for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UserId({:?})", self.0)
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for UserId {
    type Err = UserIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UserId::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use icu_properties::props::ChangesWhenNfkcCasefolded;

    fn id(s: &str) -> String {
        UserId::parse(s).expect("valid").0
    }

    #[test]
    fn normalises_case_width_and_space() {
        let a = UserId::parse("  Jan.Jansen@Contoso.NL ").expect("valid");
        let b = UserId::parse("ｊａｎ.ｊａｎｓｅｎ@contoso.nl").expect("valid");
        assert_eq!(a, b);
        assert_eq!(a.as_str(), "jan.jansen@contoso.nl");
        assert_eq!(a.local_part(), "jan.jansen");
        assert_eq!(a.domain(), Some("contoso.nl"));
    }

    #[test]
    fn case_folds_instead_of_lower_casing() {
        // Greek: final sigma and capital sigma fold to sigma.
        assert_eq!(id("ΣΑΣ"), "σασ");
        assert_eq!(id("σας"), "σασ");
        assert_eq!(id("σασ"), "σασ");
        // German: sharp s folds to "ss", capital sharp s too.
        for typed in ["Straße", "STRASSE", "strasse", "STRAẞE"] {
            assert_eq!(id(typed), "strasse", "{typed}");
        }
        // Compatibility forms and canonical equivalents.
        assert_eq!(id("ﬁnance@contoso.nl"), "finance@contoso.nl");
        assert_eq!(id("E\u{301}mile"), "\u{e9}mile");
        assert_eq!(id("\u{C9}MILE"), "\u{e9}mile");
        assert_eq!(id("\u{212B}ngstr\u{F6}m"), "\u{e5}ngstr\u{f6}m"); // ANGSTROM SIGN
        assert_eq!(id("\u{2126}"), "\u{3c9}"); // OHM SIGN
        assert_eq!(id("\u{212A}elvin"), "kelvin"); // KELVIN SIGN
        // Dotted capital I folds to i and a combining dot (no Turkish special case);
        // dotless i stays itself.
        assert_eq!(id("\u{130}"), "i\u{307}");
        assert_eq!(id("\u{131}"), "\u{131}");
        // Cherokee folds to its upper case (Unicode's choice for that script).
        assert_eq!(id("\u{AB70}"), "\u{13A0}");
    }

    #[test]
    fn one_pass_is_a_fixed_point_and_matches_the_unicode_property() {
        // For every code point that may stand in an ID, the folding changes it exactly when
        // Unicode says NFKC_Casefold changes it (Changes_When_NFKC_Casefolded), folds it
        // to a fixed point, and brings in no refused character except white space.
        let changes = CodePointSetData::new::<ChangesWhenNfkcCasefolded>();
        let nfkc = ComposingNormalizerBorrowed::new_nfkc();
        let fold = CaseMapper::new();
        let mut checked = 0;
        for c in (0..=0x10FFFF_u32).filter_map(char::from_u32) {
            let text = c.to_string();
            if check_characters(&text).is_err() {
                continue;
            }
            let folded = nfkc_casefold(&text).expect("a fixed point");
            let one_pass = nfkc
                .normalize(&fold.fold_string(&nfkc.normalize(&text)))
                .into_owned();
            assert_eq!(folded, one_pass, "U+{:04X}", c as u32);
            assert_eq!(folded != text, changes.contains(c), "U+{:04X}", c as u32);
            match check_characters(&folded) {
                Ok(()) => {}
                Err(UserIdError::InvalidCharacter) => {
                    assert!(folded.contains(char::is_whitespace), "U+{:04X}", c as u32)
                }
                Err(e) => panic!("U+{:04X} folds to a refused character: {e:?}", c as u32),
            }
            checked += 1;
        }
        assert!(checked > 200_000, "{checked}");
    }

    #[test]
    fn refuses_bad_input_with_typed_errors() {
        assert_eq!(UserId::parse(""), Err(UserIdError::Empty));
        assert_eq!(UserId::parse(" \t "), Err(UserIdError::Empty));
        assert_eq!(
            UserId::parse("a\u{0}b@x"),
            Err(UserIdError::InvalidCharacter)
        );
        assert_eq!(UserId::parse("a b@x"), Err(UserIdError::InvalidCharacter));
        // U+00A8 DIAERESIS is a space and a combining mark under NFKC.
        assert_eq!(
            UserId::parse("a\u{A8}b@x"),
            Err(UserIdError::InvalidCharacter)
        );
        // Unassigned.
        assert_eq!(
            UserId::parse("a\u{378}b@x"),
            Err(UserIdError::InvalidCharacter)
        );
        assert_eq!(
            UserId::parse("a\u{FFFF}b@x"),
            Err(UserIdError::InvalidCharacter)
        );
        for invisible in [
            '\u{AD}',
            '\u{34F}',
            '\u{115F}',
            '\u{180E}',
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{2060}',
            '\u{2064}',
            '\u{3164}',
            '\u{FE00}',
            '\u{FE0F}',
            '\u{FEFF}',
            '\u{FFA0}',
            '\u{1D173}',
            '\u{E0001}',
            '\u{E0041}',
            '\u{E007F}',
            '\u{E0100}',
        ] {
            assert_eq!(
                UserId::parse(&format!("ab{invisible}@x")),
                Err(UserIdError::InvisibleCharacter),
                "U+{:04X}",
                invisible as u32
            );
        }
        for bidi in [
            '\u{61C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}',
            '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
        ] {
            assert_eq!(
                UserId::parse(&format!("ab{bidi}@x")),
                Err(UserIdError::BidiControl),
                "U+{:04X}",
                bidi as u32
            );
        }
    }

    #[test]
    fn sizes_are_checked_before_normalising() {
        let too_long = Err(UserIdError::TooLong {
            max_bytes: MAX_USER_ID_BYTES,
        });
        let long = format!("{}@x.nl", "a".repeat(300));
        assert_eq!(UserId::parse(&long), too_long);
        // A megabyte: refused by its byte length alone.
        assert_eq!(UserId::parse(&"a".repeat(1 << 20)), too_long);
        assert_eq!(UserId::parse(&"\u{FDFA}".repeat(1 << 18)), too_long);
        // More characters than an ID may have, within the byte bound.
        assert_eq!(UserId::parse(&"a".repeat(MAX_USER_ID_BYTES + 1)), too_long);
        assert_eq!(id(&"a".repeat(MAX_USER_ID_BYTES)).len(), MAX_USER_ID_BYTES);
        // White space around the ID does not count.
        let padded = format!("   {}   ", "a".repeat(MAX_USER_ID_BYTES));
        assert!(UserId::parse(&padded).is_ok());
        // A ligature grows under NFKC past the bound.
        assert_eq!(UserId::parse(&"\u{FB03}".repeat(100)), too_long);
    }

    #[test]
    fn no_at_sign_is_allowed_and_the_whole_id_is_local() {
        let id = UserId::parse("admin").expect("valid");
        assert_eq!(id.local_part(), "admin");
        assert_eq!(id.domain(), None);
    }
}
