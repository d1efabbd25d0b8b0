//! User IDs: user principal names as a person types them, normalised so that the same
//! account is always the same ID.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

use crate::message::{Arg, Message};

/// The longest user ID, in bytes after normalisation.
pub const MAX_USER_ID_BYTES: usize = 256;

/// A user principal name (`name@organisation.example`), normalised: surrounding white
/// space trimmed, Unicode NFKC, lower case. Two IDs that differ only in case or width are
/// equal.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(String);

/// Why a typed user ID was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UserIdError {
    /// Nothing was typed.
    #[error("enter your user ID, for example name@organisation.example")]
    Empty,
    /// The ID is longer than [`MAX_USER_ID_BYTES`] bytes.
    #[error("a user ID has at most {max_bytes} bytes")]
    TooLong {
        /// The most bytes allowed.
        max_bytes: usize,
    },
    /// The ID holds a control character or white space inside it.
    #[error("a user ID cannot contain spaces or control characters")]
    InvalidCharacter,
}

impl Message for UserIdError {
    fn message_id(&self) -> &'static str {
        match self {
            UserIdError::Empty => "user-id-empty",
            UserIdError::TooLong { .. } => "user-id-too-long",
            UserIdError::InvalidCharacter => "user-id-invalid-character",
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
    /// Parses a typed user ID: trims it, applies NFKC and lower case, and refuses empty,
    /// over-long (more than [`MAX_USER_ID_BYTES`] bytes) or control-character input.
    pub fn parse(input: &str) -> Result<Self, UserIdError> {
        let too_long = UserIdError::TooLong {
            max_bytes: MAX_USER_ID_BYTES,
        };
        // NFKC can grow text; a bound on the raw input keeps the work small.
        if input.len() > MAX_USER_ID_BYTES * 4 {
            return Err(too_long);
        }
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(UserIdError::Empty);
        }
        if trimmed
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || is_invisible(c))
        {
            return Err(UserIdError::InvalidCharacter);
        }
        // ASCII is already NFKC: skip the normaliser on the common path.
        let normalized = if trimmed.is_ascii() {
            trimmed.to_ascii_lowercase()
        } else {
            trimmed.nfkc().collect::<String>().to_lowercase()
        };
        if normalized.len() > MAX_USER_ID_BYTES {
            return Err(too_long);
        }
        if normalized
            .chars()
            .any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(UserIdError::InvalidCharacter);
        }
        Ok(UserId(normalized))
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

/// Zero-width and formatting characters that would make two IDs look equal but differ.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
    )
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
    fn refuses_bad_input_with_typed_errors() {
        assert_eq!(UserId::parse(""), Err(UserIdError::Empty));
        assert_eq!(UserId::parse(" \t "), Err(UserIdError::Empty));
        assert_eq!(
            UserId::parse("a\u{0}b@x"),
            Err(UserIdError::InvalidCharacter)
        );
        assert_eq!(UserId::parse("a b@x"), Err(UserIdError::InvalidCharacter));
        assert_eq!(
            UserId::parse("ab\u{200B}@x"),
            Err(UserIdError::InvalidCharacter)
        );
        let long = format!("{}@x.nl", "a".repeat(300));
        assert!(matches!(
            UserId::parse(&long),
            Err(UserIdError::TooLong { .. })
        ));
        assert!(matches!(
            UserId::parse(&"a".repeat(10_000_000)),
            Err(UserIdError::TooLong { .. })
        ));
        // A ligature grows under NFKC past the bound.
        assert!(matches!(
            UserId::parse(&"\u{FDFA}".repeat(20)),
            Err(UserIdError::TooLong { .. })
        ));
    }

    #[test]
    fn no_at_sign_is_allowed_and_the_whole_id_is_local() {
        let id = UserId::parse("admin").expect("valid");
        assert_eq!(id.local_part(), "admin");
        assert_eq!(id.domain(), None);
    }
}
