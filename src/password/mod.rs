//! New passwords: the secret itself, the rules it must meet, and its Argon2id hash.
//!
//! A typed password becomes a [`Password`] (Unicode NFKC, wiped on drop, never printed).
//! [`PasswordRules::check`] decides, without I/O, whether it may become the user's
//! password, and says why not with a [`PasswordRefusal`] a person can act on.
//! [`hash_password`] turns it into the [`PasswordHash`] a directory stores;
//! [`verify_password`] checks a password against a stored one.
//!
//! ```
//! use sspr::password::{Password, PasswordRefusal, PasswordRules};
//! use sspr::UserId;
//!
//! let rules = PasswordRules::builder()
//!     .min_chars(10)
//!     .banned_terms(["contoso"])
//!     .build()?;
//! let user = UserId::parse("jan.jansen@contoso.nl")?;
//!
//! let typed = |s: &str| Password::new(s);
//! assert_eq!(
//!     rules.check(&typed("short"), &typed("short"), &user),
//!     Err(PasswordRefusal::TooShort { min: 10 })
//! );
//! assert_eq!(
//!     rules.check(&typed("C0nt0so-2024!"), &typed("C0nt0so-2024!"), &user),
//!     Err(PasswordRefusal::Banned)
//! );
//! let good = "plum kettle orbit 71";
//! assert_eq!(rules.check(&typed(good), &typed(good), &user), Ok(()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Hashing costs tens of milliseconds of CPU (more in a debug build); an async host runs it
//! off its worker threads:
//!
//! ```
//! use sspr::password::{HashParams, Password, hash_password, verify_password};
//! use rand::SeedableRng;
//!
//! let mut rng = rand::rngs::ChaCha20Rng::seed_from_u64(1); // the OS RNG in production
//! let password = Password::new("plum kettle orbit 71");
//! let hash = hash_password(&password, &HashParams::default(), &mut rng)?;
//! assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
//! assert!(verify_password(&password, &hash));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use rand::{CryptoRng, RngExt};
use unicode_normalization::UnicodeNormalization;
use zeroize::{Zeroize, ZeroizeOnDrop};

mod banned;
mod hash;
mod rules;
mod strength;

pub use banned::{MAX_BANNED_TERM_CHARS, MAX_BANNED_TERMS, MIN_BANNED_TERM_CHARS};
pub use hash::{
    HashError, HashFailure, HashParams, HashParamsError, MAX_HASH_BYTES, MAX_M_COST_KIB,
    MAX_P_COST, MAX_T_COST, PasswordHash, PasswordHashError, SALT_BYTES, hash_password,
    hash_password_with_os_rng, verify_password,
};
pub use rules::{
    MAX_CHARS_FLOOR, MAX_CHARS_LIMIT, MAX_SCORE, MIN_CHARS_CEILING, MIN_CHARS_FLOOR,
    PasswordRefusal, PasswordRule, PasswordRules, PasswordRulesBuilder, PasswordRulesError,
};
pub use strength::{STRENGTH_PREFIX_CHARS, StrengthHint};

/// Characters of temporary passwords: digits and letters without the look-alikes 0/O/o,
/// 1/I/l/i.
pub const TEMPORARY_ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz";

/// Length of a temporary password, in characters (about 92 bits).
pub const TEMPORARY_CHARS: usize = 16;

/// The most bytes of a typed password: four for each of the [`MAX_CHARS_LIMIT`] characters
/// any rules allow. A longer input is not normalised, kept or hashed (see [`Password`]).
pub const MAX_PASSWORD_BYTES: usize = MAX_CHARS_LIMIT * 4;

/// A password as a person typed it, in Unicode NFKC (so full-width "ｐａｓｓ" is "pass"),
/// wiped from memory on drop.
///
/// Typed input over [`MAX_PASSWORD_BYTES`] bytes is measured before anything else is done
/// with it, then wiped: such a password is *over-long*. It holds nothing (its
/// [`expose_secret`](Password::expose_secret) is empty), [`PasswordRules::check`] refuses
/// it as [`PasswordRefusal::TooLong`], [`verify_password`] says `false` to it without
/// hashing, and [`hash_password`] refuses it ([`HashError::PasswordTooLong`]). So a
/// megabyte typed into a password box costs one comparison, not a normalisation.
///
/// No `Clone`, `PartialEq`, `Display` or `Serialize`; `Debug` prints
/// `Password([REDACTED])`; reading it is [`expose_secret`](Password::expose_secret).
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct Password {
    text: String,
    over_long: bool,
}

impl Password {
    /// Takes a typed password and normalises it to NFKC; a replaced original is wiped.
    /// Input over [`MAX_PASSWORD_BYTES`] bytes is wiped unread and gives an over-long
    /// password (see [`Password`]).
    pub fn new(secret: impl Into<String>) -> Self {
        Password::from(secret.into())
    }

    /// The password, NFKC-normalised (empty for an over-long one). For hashing and
    /// checking only: never log or show it.
    pub fn expose_secret(&self) -> &str {
        &self.text
    }

    /// Whether the typed input was over [`MAX_PASSWORD_BYTES`] bytes, and so was dropped
    /// before normalisation.
    pub fn is_over_long(&self) -> bool {
        self.over_long
    }

    /// A password of text that is already NFKC (the crate's own temporary passwords).
    fn normalized(text: String) -> Self {
        Password {
            text,
            over_long: false,
        }
    }

    /// A random password for an admin reset, shown once and changed at the next sign-in:
    /// [`TEMPORARY_CHARS`] characters from [`TEMPORARY_ALPHABET`], with at least one upper
    /// case letter, one lower case letter and one digit (for directories that ask for
    /// them), and the top strength score, so it passes the default rules for any user ID.
    pub fn generate_temporary<R: CryptoRng + ?Sized>(rng: &mut R) -> Password {
        loop {
            let mut candidate = String::with_capacity(TEMPORARY_CHARS);
            for _ in 0..TEMPORARY_CHARS {
                let i = rng.random_range(0..TEMPORARY_ALPHABET.len());
                candidate.push(char::from(TEMPORARY_ALPHABET[i]));
            }
            let candidate = Password::normalized(candidate);
            // A uniform draw fails these checks rarely (well under 1 in 50): draw again.
            if candidate.is_strong_temporary() {
                return candidate;
            }
        }
    }

    fn is_strong_temporary(&self) -> bool {
        let s = self.expose_secret();
        s.bytes().any(|b| b.is_ascii_uppercase())
            && s.bytes().any(|b| b.is_ascii_lowercase())
            && s.bytes().any(|b| b.is_ascii_digit())
            && u8::from(zxcvbn::zxcvbn(s, &[]).score()) == MAX_SCORE
    }
}

impl From<String> for Password {
    /// As [`Password::new`].
    fn from(mut raw: String) -> Self {
        // The size first: nothing longer is normalised.
        if raw.len() > MAX_PASSWORD_BYTES {
            raw.zeroize();
            return Password {
                text: String::new(),
                over_long: true,
            };
        }
        Password::normalized(normalize(raw))
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([REDACTED])")
    }
}

/// NFKC of `raw`, leaving no unwiped copy: text already in NFKC is kept as it is;
/// otherwise the normalised text is written into a buffer that is wiped whenever it has to
/// grow, and `raw` is wiped.
fn normalize(mut raw: String) -> String {
    if unicode_normalization::is_nfkc(&raw) {
        return raw;
    }
    let mut out = String::with_capacity(raw.len() + raw.len() / 2);
    for c in raw.nfkc() {
        if out.len() + c.len_utf8() > out.capacity() {
            let mut bigger = String::with_capacity(out.capacity().saturating_mul(2).max(16));
            bigger.push_str(&out);
            out.zeroize();
            out = bigger;
        }
        out.push(c);
    }
    raw.zeroize();
    out
}

/// Runs the strength estimator once, so that the first [`PasswordRules::check`] does not
/// pay for loading its dictionaries (tens of milliseconds). Optional.
pub fn warm_up() {
    let _ = zxcvbn::zxcvbn("warm up the estimator", &[]);
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a failed expectation is a failed test
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::ChaCha20Rng;

    #[test]
    fn nfkc_on_creation() {
        assert_eq!(Password::new("ｐａｓｓ").expose_secret(), "pass");
        assert_eq!(Password::new("ﬁ").expose_secret(), "fi");
        assert_eq!(Password::new("e\u{301}").expose_secret(), "\u{e9}");
        assert_eq!(
            Password::new("already fine").expose_secret(),
            "already fine"
        );
        // Growth far past the first buffer (each U+FDFA becomes 18 characters).
        let grown = Password::new("\u{FDFA}".repeat(50));
        assert_eq!(
            grown.expose_secret(),
            "\u{FDFA}".nfkc().collect::<String>().repeat(50)
        );
    }

    #[test]
    fn over_long_input_is_dropped_before_normalising() {
        let at_the_bound = Password::new("a".repeat(MAX_PASSWORD_BYTES));
        assert!(!at_the_bound.is_over_long());
        assert_eq!(at_the_bound.expose_secret().len(), MAX_PASSWORD_BYTES);
        // A megabyte of text that NFKC would grow eighteen-fold.
        let megabyte = Password::new("\u{FDFA}".repeat(1 << 18));
        assert!(megabyte.is_over_long());
        assert_eq!(megabyte.expose_secret(), "");
        assert!(Password::new("a".repeat(MAX_PASSWORD_BYTES + 1)).is_over_long());
        assert!(!Password::new("kort").is_over_long());
        assert_eq!(format!("{megabyte:?}"), "Password([REDACTED])");
    }

    #[test]
    fn debug_is_redacted() {
        assert_eq!(
            format!("{:?}", Password::new("hunter22")),
            "Password([REDACTED])"
        );
    }

    #[test]
    fn temporary_passwords_are_strong_and_differ() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let rules = PasswordRules::default();
        let user = crate::user_id::UserId::parse("jan@contoso.nl").expect("valid");
        let mut seen = std::collections::HashSet::new();
        for _ in 0..20 {
            let p = Password::generate_temporary(&mut rng);
            let s = p.expose_secret();
            assert_eq!(s.chars().count(), TEMPORARY_CHARS);
            assert!(s.bytes().all(|b| TEMPORARY_ALPHABET.contains(&b)));
            let again = Password::new(s);
            assert_eq!(rules.check(&p, &again, &user), Ok(()));
            assert!(seen.insert(s.to_owned()));
        }
    }
}
