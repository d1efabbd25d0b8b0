//! Flow IDs: the random name of one run of the wizard, safe to put in a URL.

use std::fmt;

use rand::TryRng;
use rand::rngs::SysRng;
use sha2::{Digest, Sha256};

use crate::message::Message;

/// 128 random bits from the operating system's CSPRNG, written as 32 lower-case hex
/// digits (URL-safe). Parsing is strict: exactly 32 characters `0-9a-f`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FlowId([u8; 16]);

/// Why a flow ID from outside input was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FlowIdError {
    /// Not 32 characters long.
    #[error("a flow ID has 32 characters")]
    Length,
    /// A character other than `0-9a-f`.
    #[error("a flow ID has only the characters 0-9 and a-f")]
    Character,
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed; try again")]
    Entropy,
}

impl Message for FlowIdError {
    fn message_id(&self) -> &'static str {
        match self {
            FlowIdError::Length => "flow-id-length",
            FlowIdError::Character => "flow-id-character",
            FlowIdError::Entropy => "flow-id-entropy",
        }
    }
}

impl FlowId {
    /// The length of the text form.
    pub const TEXT_LEN: usize = 32;

    /// A new random flow ID from the operating system's CSPRNG.
    pub fn generate() -> Result<Self, FlowIdError> {
        let mut bytes = [0u8; 16];
        SysRng
            .try_fill_bytes(&mut bytes)
            .map_err(|_| FlowIdError::Entropy)?;
        Ok(FlowId(bytes))
    }

    /// Parses the text form strictly; any other input is a typed error, never a panic.
    pub fn parse(text: &str) -> Result<Self, FlowIdError> {
        let text = text.as_bytes();
        if text.len() != Self::TEXT_LEN {
            return Err(FlowIdError::Length);
        }
        let mut bytes = [0u8; 16];
        for (byte, pair) in bytes.iter_mut().zip(text.chunks_exact(2)) {
            let (Some(high), Some(low)) = (hex_value(pair[0]), hex_value(pair[1])) else {
                return Err(FlowIdError::Character);
            };
            *byte = high << 4 | low;
        }
        Ok(FlowId(bytes))
    }

    /// The 16 bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// Rebuilds an ID from its bytes.
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        FlowId(bytes)
    }

    /// The key a flow store files this flow under: a one-way digest of the ID
    /// (SHA-256, 16 bytes). The flow ID is the person's bearer credential (in their
    /// cookie); the store never holds it, so whoever reads the store cannot resume a flow.
    pub fn store_key(&self) -> FlowId {
        let digest = Sha256::new()
            .chain_update(b"sspr flow store key v1")
            .chain_update(self.0)
            .finalize();
        let mut key = [0u8; 16];
        key.copy_from_slice(&digest[..16]);
        FlowId(key)
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

impl fmt::Display for FlowId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for FlowId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FlowId({self})")
    }
}

impl std::str::FromStr for FlowId {
    type Err = FlowIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FlowId::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_differs() {
        let a = FlowId::generate().expect("entropy");
        let b = FlowId::generate().expect("entropy");
        assert_ne!(a, b);
        assert_eq!(FlowId::parse(&a.to_string()), Ok(a));
        assert_eq!(a.to_string().len(), FlowId::TEXT_LEN);
    }

    #[test]
    fn parsing_is_strict() {
        assert_eq!(FlowId::parse(""), Err(FlowIdError::Length));
        assert_eq!(FlowId::parse(&"a".repeat(33)), Err(FlowIdError::Length));
        assert_eq!(FlowId::parse(&"A".repeat(32)), Err(FlowIdError::Character));
        assert_eq!(FlowId::parse(&"g".repeat(32)), Err(FlowIdError::Character));
        assert_eq!(FlowId::parse(&"é".repeat(16)), Err(FlowIdError::Character));
        assert!(FlowId::parse(&"0f".repeat(16)).is_ok());
    }
}
