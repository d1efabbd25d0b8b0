//! One-time codes: drawn from the CSPRNG, delivered once, stored only as an HMAC under the
//! host's key, compared in constant time.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use rand::rngs::SysRng;
use rand::{RngExt, SeedableRng, TryRng};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::flow::FlowId;

/// The fewest digits a code may have.
pub const MIN_CODE_DIGITS: usize = 6;
/// The most digits a code may have.
pub const MAX_CODE_DIGITS: usize = 10;

/// A one-time code as delivered to a person. Secret: `Debug` redacts it, no `Clone`,
/// wiped on drop. Only a [`CodeSender`](crate::sender::CodeSender) reads it.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct OneTimeCode {
    digits: [u8; MAX_CODE_DIGITS],
    len: u8,
}

impl OneTimeCode {
    /// Draws `len` decimal digits (clamped to 6..=10) uniformly from the operating
    /// system's CSPRNG.
    pub(crate) fn generate(len: usize) -> Result<Self, CodeError> {
        let len = len.clamp(MIN_CODE_DIGITS, MAX_CODE_DIGITS);
        let mut rng =
            rand::rngs::ChaCha20Rng::try_from_rng(&mut SysRng).map_err(|_| CodeError::Entropy)?;
        let mut digits = [0u8; MAX_CODE_DIGITS];
        for d in digits.iter_mut().take(len) {
            *d = b'0' + rng.random_range(0..10u8);
        }
        Ok(OneTimeCode {
            digits,
            len: len as u8,
        })
    }

    /// The digits, for delivery.
    pub fn expose_secret(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.digits[..usize::from(self.len)]).unwrap_or("")
    }

    /// Number of digits.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Always `false`: a code has at least six digits.
    pub fn is_empty(&self) -> bool {
        false
    }
}

impl fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimeCode([REDACTED])")
    }
}

/// Errors of making a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodeError {
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed; try again")]
    Entropy,
}

/// The host's secret key under which codes are stored as HMAC-SHA-256. Servers that
/// share flows must share the key. Secret: `Debug` redacts it, wiped on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct CodeKey([u8; 32]);

impl CodeKey {
    /// A key from 32 secret bytes (keep them in the host's secret store).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        CodeKey(bytes)
    }

    /// A fresh random key: fine for a single process; flows do not survive a restart.
    pub fn generate() -> Result<Self, CodeError> {
        let mut bytes = [0u8; 32];
        SysRng
            .try_fill_bytes(&mut bytes)
            .map_err(|_| CodeError::Entropy)?;
        Ok(CodeKey(bytes))
    }

    /// The keyed digest of a reset link's `token` for the account `user`.
    pub(crate) fn link_digest(&self, user: &str, token: &[u8; 32]) -> [u8; 32] {
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&self.0);
        let mut mac = <Hmac<Sha256> as KeyInit>::new(&block.into());
        block.zeroize();
        mac.update(b"sspr reset link v1");
        mac.update(user.as_bytes());
        mac.update(&[0]);
        mac.update(token);
        mac.finalize().into_bytes().into()
    }

    /// The keyed digest of `code` for one flow and one issue of a code: the same code in
    /// another flow or another issue has another digest.
    pub(crate) fn digest(&self, flow: &FlowId, issue: u8, code: &[u8]) -> CodeDigest {
        // HMAC pads a short key with zeros to the block size: the same as this 32-byte key.
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&self.0);
        let mut mac = <Hmac<Sha256> as KeyInit>::new(&block.into());
        block.zeroize();
        mac.update(b"sspr one-time code v1");
        mac.update(flow.as_bytes());
        mac.update(&[issue]);
        mac.update(code);
        CodeDigest(mac.finalize().into_bytes().into())
    }
}

impl fmt::Debug for CodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeKey([REDACTED])")
    }
}

/// The stored form of a code: an HMAC, compared in constant time.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct CodeDigest(pub(crate) [u8; 32]);

impl CodeDigest {
    pub(crate) fn matches(&self, other: &CodeDigest) -> bool {
        bool::from(self.0.ct_eq(&other.0))
    }
}

impl fmt::Debug for CodeDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeDigest([REDACTED])")
    }
}

/// The most bytes of a typed code that are read: room for the longest code with a space or
/// hyphen between any two digits, each of them full-width, and more. Longer input is
/// refused before it is read.
pub(crate) const MAX_TYPED_CODE_BYTES: usize = 64 * 4;

/// Reads a typed code: ASCII or full-width digits, spaces and hyphens ignored. Returns the
/// digits, or `None` when anything else is typed, the count is not `digits`, or the input
/// is over [`MAX_TYPED_CODE_BYTES`] bytes (checked first: nothing is normalised, and a
/// megabyte costs one comparison).
pub(crate) fn parse_typed_code(input: &str, digits: usize) -> Option<[u8; MAX_CODE_DIGITS]> {
    if input.len() > MAX_TYPED_CODE_BYTES {
        return None;
    }
    let mut out = [0u8; MAX_CODE_DIGITS];
    let mut n = 0;
    for c in input.chars() {
        if c.is_whitespace() || c == '-' {
            continue;
        }
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            '\u{FF10}'..='\u{FF19}' => c as u32 - 0xFF10,
            _ => return None,
        };
        if n >= digits.min(MAX_CODE_DIGITS) {
            return None;
        }
        out[n] = b'0' + d as u8;
        n += 1;
    }
    (n == digits).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_digits_of_the_asked_length() {
        let code = OneTimeCode::generate(6).expect("entropy");
        assert_eq!(code.len(), 6);
        assert!(code.expose_secret().bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(OneTimeCode::generate(2).expect("entropy").len(), 6);
        assert_eq!(OneTimeCode::generate(99).expect("entropy").len(), 10);
        assert_eq!(format!("{code:?}"), "OneTimeCode([REDACTED])");
    }

    #[test]
    fn digest_is_standard_hmac_sha256() {
        // RFC 4231 style check: our padded-key HMAC equals HMAC with the 32-byte key.
        let key = CodeKey::from_bytes([0x0b; 32]);
        let flow = FlowId::from_bytes([0; 16]);
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&[0x0b; 32]).expect("any length");
        mac.update(b"sspr one-time code v1");
        mac.update(&[0; 16]);
        mac.update(&[3]);
        mac.update(b"999999");
        let expected: [u8; 32] = mac.finalize().into_bytes().into();
        assert_eq!(key.digest(&flow, 3, b"999999").0, expected);
    }

    #[test]
    fn digests_bind_key_flow_issue_and_code() {
        let key = CodeKey::from_bytes([7; 32]);
        let flow = FlowId::from_bytes([1; 16]);
        let d = key.digest(&flow, 0, b"123456");
        assert!(d.matches(&key.digest(&flow, 0, b"123456")));
        assert!(!d.matches(&key.digest(&flow, 0, b"123457")));
        assert!(!d.matches(&key.digest(&flow, 1, b"123456")));
        assert!(!d.matches(&key.digest(&FlowId::from_bytes([2; 16]), 0, b"123456")));
        assert!(!d.matches(&CodeKey::from_bytes([8; 32]).digest(&flow, 0, b"123456")));
    }

    #[test]
    fn typed_codes_are_read_strictly() {
        assert_eq!(&parse_typed_code("123 456", 6).expect("ok")[..6], b"123456");
        assert_eq!(
            &parse_typed_code("１２３-４５６", 6).expect("ok")[..6],
            b"123456"
        );
        assert!(parse_typed_code("12345", 6).is_none());
        assert!(parse_typed_code("1234567", 6).is_none());
        assert!(parse_typed_code("12345a", 6).is_none());
        assert!(parse_typed_code("", 6).is_none());
        assert!(parse_typed_code(&"1".repeat(100_000), 6).is_none());
        // The longest code, full-width, with spaces between: within the bound.
        let spaced = "\u{FF11} ".repeat(MAX_CODE_DIGITS);
        assert!(spaced.len() <= MAX_TYPED_CODE_BYTES);
        assert!(parse_typed_code(&spaced, MAX_CODE_DIGITS).is_some());
        // A megabyte of a right code padded with spaces: refused by its size.
        let megabyte = format!("123456{}", " ".repeat(1 << 20));
        assert!(parse_typed_code(&megabyte, 6).is_none());
    }
}
