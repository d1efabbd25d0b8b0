//! The suspended face of the machine: a [`Wizard`] at any step as a few hundred bytes
//! ([`FlowSnapshot`]) that a web host stores between two requests, and resumes as a
//! closed enum of steps ([`AnyStep`](crate::AnyStep)).
//!
//! The encoding is versioned and compact: a clear header (version byte, the flow's
//! 16-byte store key, a one-way digest of its ID, and an 8-byte step nonce) and a sealed
//! body: the key's 4-byte identifier, a
//! random 24-byte nonce, and the [postcard](https://docs.rs/postcard) body encrypted and
//! authenticated with XChaCha20-Poly1305 under the host's [`Keys`], with the header as
//! associated data. So the store sees no answer, seed, user ID or contact address, and a
//! body that was changed, moved to another flow, or made by anyone without the key does
//! not open. The body holds no media (a challenge is its answer and seed) and the one-time
//! code only as its HMAC. The step nonce is fresh for every snapshot, so a store can tell
//! the current snapshot of a flow from a stale one (see
//! [`FlowStore::take`](crate::store::FlowStore)).
//!
//! Decoding is bounded and strict: an unknown version, damaged, truncated or over-long
//! bytes, a body that does not open, trailing bytes, another flow's snapshot, or a field
//! out of range or beyond what any policy gives is a typed [`SnapshotError`], never a
//! panic.

mod record;

use std::fmt;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use rand::TryRng;
use rand::rngs::SysRng;
use zeroize::Zeroize;

use crate::flow::FlowId;
use crate::keys::{KEY_ID_BYTES, Keys, Opened, SEAL_NONCE_BYTES, SEAL_TAG_BYTES, SealError};
use crate::next::{AnyStep, each_step};
use crate::state::{ChooseMethod, Identify, NewPassword, SelectAccount, Verify};
use crate::wizard::{Step, Wizard};

/// The encoding version written first in every snapshot. Older versions (1: before the
/// step states became enums; 2: before snapshots were sealed; 3: before the header told
/// anonymous flows apart; 4: before challenges recorded their language) are refused as
/// [`SnapshotError::UnknownVersion`]: a flow in progress across the upgrade starts again.
pub const VERSION: u8 = 5;

/// The longest snapshot the decoder reads; longer input is refused before decoding.
pub const MAX_SNAPSHOT_BYTES: usize = 2048;

/// The most contact methods a snapshot holds.
pub const MAX_METHODS: usize = 8;

/// The longest contact address (email address or phone number) a snapshot holds, in bytes.
pub const MAX_ADDRESS_BYTES: usize = 254;

/// Bytes of the fixed header: version, stage, flow store key, step nonce.
const HEADER: usize = 1 + 1 + 16 + 8;

/// Where the header's stage byte is (after the version): a store reads it to tell
/// anonymous flows apart without opening the body (the Redis store's eviction script).
pub(crate) const STAGE_BYTE: usize = 1;

/// The header's stage of a flow before its challenge is solved (SelectAccount, Identify).
pub(crate) const ANONYMOUS: u8 = 0;

/// The header's stage of a flow whose challenge was solved (it names an account).
const IDENTIFIED: u8 = 1;

/// Why a snapshot could not be made or resumed. Never holds the snapshot's contents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The snapshot was written by another version of the encoding.
    #[error("the stored flow has encoding version {0}, which this version cannot read")]
    UnknownVersion(u8),
    /// The bytes end before the snapshot does.
    #[error("the stored flow is truncated; start again")]
    Truncated,
    /// The bytes are longer than any snapshot.
    #[error("the stored flow is longer than {max} bytes; start again")]
    TooLong {
        /// The most bytes a snapshot has.
        max: usize,
    },
    /// The bytes are not a snapshot.
    #[error("the stored flow is damaged; start again")]
    Damaged,
    /// Bytes follow the end of the snapshot.
    #[error("the stored flow has trailing bytes; start again")]
    TrailingBytes,
    /// The snapshot belongs to another flow.
    #[error("the stored flow belongs to another flow")]
    OtherFlow,
    /// The sealed body does not open: it was changed, moved from another flow or step,
    /// or sealed under a key this service does not hold.
    #[error("the stored flow does not open with this service's keys; start again")]
    NotSealed,
    /// A field holds a value no wizard can have.
    #[error("the stored flow has an invalid {0}; start again")]
    InvalidField(&'static str),
    /// The wizard holds more than a snapshot can (too many methods, an over-long address).
    #[error("the flow's {0} is too large to suspend")]
    TooLarge(&'static str),
    /// The operating system's random number generator failed (the step nonce).
    #[error("the operating system's random number generator failed; try again")]
    Entropy,
}

/// A suspended wizard: the encoded bytes of one step of one flow.
///
/// It holds secrets (the challenge answer and seed, the code's HMAC): no `Clone`,
/// `Debug` shows the flow, nonce and length only, and the bytes are wiped on drop.
pub struct FlowSnapshot {
    bytes: Box<[u8]>,
}

impl Drop for FlowSnapshot {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl fmt::Debug for FlowSnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlowSnapshot")
            .field("flow", &self.flow_id())
            .field("nonce", &self.nonce())
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// A wizard step that can be suspended: every step.
pub(crate) trait Suspend: Step + record::Encode {
    /// Whether the flow is still before its solved challenge (see
    /// [`FlowSnapshot::is_anonymous`]).
    const ANONYMOUS: bool;
}

impl Suspend for SelectAccount {
    const ANONYMOUS: bool = true;
}
impl Suspend for Identify {
    const ANONYMOUS: bool = true;
}
impl Suspend for ChooseMethod {
    const ANONYMOUS: bool = false;
}
impl Suspend for Verify {
    const ANONYMOUS: bool = false;
}
impl Suspend for NewPassword {
    const ANONYMOUS: bool = false;
}

impl FlowSnapshot {
    /// Suspends a wizard at any step, sealed under `keys`, with a fresh step nonce. The
    /// wizard stays with the caller (keep it if storing the snapshot fails).
    pub(crate) fn of<S: Suspend>(wizard: &Wizard<S>, keys: &Keys) -> Result<Self, SnapshotError> {
        Self::with_nonce(wizard, next_nonce()?, keys)
    }

    /// Suspends a wizard with a given step nonce (tests).
    pub(crate) fn with_nonce<S: Suspend>(
        wizard: &Wizard<S>,
        nonce: u64,
        keys: &Keys,
    ) -> Result<Self, SnapshotError> {
        let mut bytes = Vec::with_capacity(256);
        bytes.push(VERSION);
        bytes.push(if S::ANONYMOUS { ANONYMOUS } else { IDENTIFIED });
        bytes.extend_from_slice(wizard.flow.id.store_key().as_bytes());
        bytes.extend_from_slice(&nonce.to_le_bytes());
        let mut encoded = Vec::with_capacity(BODY_BUCKET);
        record::encode(&wizard.flow, &wizard.step, &mut encoded)?;
        let body = pad(&encoded);
        encoded.zeroize();
        let mut body = body?;
        // The header is the associated data: a sealed body opens only under its own
        // version, stage, flow ID and step nonce.
        let sealed = keys.seal(&bytes, &body);
        body.zeroize();
        let sealed = sealed.map_err(|error| match error {
            SealError::Entropy => SnapshotError::Entropy,
            SealError::Seal => SnapshotError::TooLarge("snapshot"),
        })?;
        bytes.extend_from_slice(&sealed);
        if bytes.len() > MAX_SNAPSHOT_BYTES {
            return Err(SnapshotError::TooLarge("snapshot"));
        }
        Ok(FlowSnapshot {
            bytes: bytes.into_boxed_slice(),
        })
    }

    /// Takes stored bytes as a snapshot after checking its header (version, length); the
    /// body is checked when the flow is resumed ([`Flows::resume`](crate::store::Flows::resume)).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SnapshotError> {
        check_header(bytes)?;
        Ok(FlowSnapshot {
            bytes: bytes.into(),
        })
    }

    /// The encoded bytes, to store.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The key its flow is filed under in a store: [`FlowId::store_key`] of the flow's
    /// ID, never the ID itself (the person's bearer credential).
    pub fn flow_id(&self) -> FlowId {
        header_flow(&self.bytes).unwrap_or(FlowId::from_bytes([0; 16]))
    }

    /// Whether the flow has not solved its challenge yet (it is at SelectAccount or
    /// Identify): such a flow names no account, and anyone can start one without limit,
    /// so a store keeps these apart in a bounded pool that evicts the oldest first (as
    /// the crate's stores do), and never lets them crowd out flows past the challenge.
    /// The stage is in the clear header, sealed with the body as its associated data: a
    /// changed stage does not open.
    pub fn is_anonymous(&self) -> bool {
        self.bytes.get(STAGE_BYTE) == Some(&ANONYMOUS)
    }

    /// The step nonce: different for every snapshot, even of the same step.
    pub fn nonce(&self) -> u64 {
        header_nonce(&self.bytes).unwrap_or(0)
    }

    /// The encoded length in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Always `false`: a snapshot has at least its header.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Resumes this snapshot, which must belong to `expected_flow`.
    pub(crate) fn into_step(
        self,
        expected_flow: FlowId,
        keys: &Keys,
    ) -> Result<AnyStep, SnapshotError> {
        Self::resume(&self.bytes, expected_flow, keys)
    }

    /// Opens stored bytes under `keys` and decodes the step they hold. The flow must be
    /// `expected_flow` (the ID the request named). Bytes that were changed, moved to
    /// another flow, or sealed under another key do not open: every failure is a typed
    /// error, never a panic.
    pub(crate) fn resume(
        bytes: &[u8],
        expected_flow: FlowId,
        keys: &Keys,
    ) -> Result<AnyStep, SnapshotError> {
        check_header(bytes)?;
        let store_key = header_flow(bytes).ok_or(SnapshotError::Truncated)?;
        if store_key != expected_flow.store_key() {
            return Err(SnapshotError::OtherFlow);
        }
        let flow_id = expected_flow;
        let (header, sealed) = bytes
            .split_at_checked(HEADER)
            .ok_or(SnapshotError::Truncated)?;
        let Opened {
            plaintext: mut body,
            retired_at,
        } = keys.open(header, sealed).ok_or(SnapshotError::NotSealed)?;
        let step = unpad(&body).and_then(|encoded| record::decode(flow_id, encoded));
        body.zeroize();
        let step = step?;
        let anonymous = matches!(step, AnyStep::SelectAccount(_) | AnyStep::Identify(_));
        if header.get(STAGE_BYTE) != Some(if anonymous { &ANONYMOUS } else { &IDENTIFIED }) {
            return Err(SnapshotError::InvalidField("stage"));
        }
        // A retired key opens only the flows it sealed before it was retired.
        if retired_at.is_some_and(|at| step.started() > at) {
            return Err(SnapshotError::NotSealed);
        }
        Ok(step)
    }

    /// This snapshot's header with `body` sealed as it is (tests write bodies no encoder
    /// makes).
    #[cfg(test)]
    pub(crate) fn resealed(&self, body: &[u8], keys: &Keys) -> Self {
        let mut bytes = self.bytes.get(..HEADER).expect("a header").to_vec();
        let sealed = keys.seal(&bytes, body).expect("seals");
        bytes.extend_from_slice(&sealed);
        FlowSnapshot {
            bytes: bytes.into_boxed_slice(),
        }
    }

    /// The opened body (tests compare bodies: sealing draws a fresh nonce each time).
    #[cfg(test)]
    pub(crate) fn open_body(&self, keys: &Keys) -> Option<Vec<u8>> {
        let (header, sealed) = self.bytes.split_at_checked(HEADER)?;
        keys.open(header, sealed).map(|opened| opened.plaintext)
    }
}

/// Bodies are padded to a multiple of this many bytes before sealing (a 2-byte length,
/// the encoding, zeros), so that a snapshot's size tells nothing of its step, its
/// user ID's length or whether the account exists: every usual step seals to
/// `26 + 4 + 24 + 160 + 16` = 230 bytes.
const BODY_BUCKET: usize = 160;

/// The padded body: the encoding's length (2 bytes, little-endian), the encoding, zeros
/// up to the next multiple of [`BODY_BUCKET`].
fn pad(encoded: &[u8]) -> Result<Vec<u8>, SnapshotError> {
    let len = u16::try_from(encoded.len()).map_err(|_| SnapshotError::TooLarge("step"))?;
    let padded = (encoded.len() + 2).div_ceil(BODY_BUCKET) * BODY_BUCKET;
    let mut body = Vec::with_capacity(padded);
    body.extend_from_slice(&len.to_le_bytes());
    body.extend_from_slice(encoded);
    body.resize(padded, 0);
    Ok(body)
}

/// The encoding inside a padded body; the padding must be zeros.
fn unpad(body: &[u8]) -> Result<&[u8], SnapshotError> {
    let (len, rest) = body.split_at_checked(2).ok_or(SnapshotError::Truncated)?;
    let len = usize::from(u16::from_le_bytes([len[0], len[1]]));
    let (encoded, padding) = rest.split_at_checked(len).ok_or(SnapshotError::Truncated)?;
    if padding.iter().any(|&b| b != 0) {
        return Err(SnapshotError::TrailingBytes);
    }
    Ok(encoded)
}

/// The next step nonce: a process-wide counter that starts at a random point (drawn once
/// from the OS CSPRNG), so nonces never repeat in a process and hardly ever across
/// servers.
fn next_nonce() -> Result<u64, SnapshotError> {
    static NEXT: OnceLock<AtomicU64> = OnceLock::new();
    if let Some(next) = NEXT.get() {
        return Ok(next.fetch_add(1, Ordering::Relaxed));
    }
    let mut start = [0u8; 8];
    SysRng
        .try_fill_bytes(&mut start)
        .map_err(|_| SnapshotError::Entropy)?;
    let next = NEXT.get_or_init(|| AtomicU64::new(u64::from_le_bytes(start)));
    Ok(next.fetch_add(1, Ordering::Relaxed))
}

fn check_header(bytes: &[u8]) -> Result<(), SnapshotError> {
    let Some(&version) = bytes.first() else {
        return Err(SnapshotError::Truncated);
    };
    if version != VERSION {
        return Err(SnapshotError::UnknownVersion(version));
    }
    if bytes.len() > MAX_SNAPSHOT_BYTES {
        return Err(SnapshotError::TooLong {
            max: MAX_SNAPSHOT_BYTES,
        });
    }
    if bytes.len() < HEADER + KEY_ID_BYTES + SEAL_NONCE_BYTES + SEAL_TAG_BYTES {
        return Err(SnapshotError::Truncated);
    }
    if !matches!(bytes.get(STAGE_BYTE), Some(&(ANONYMOUS | IDENTIFIED))) {
        return Err(SnapshotError::InvalidField("stage"));
    }
    Ok(())
}

fn header_flow(bytes: &[u8]) -> Option<FlowId> {
    let id: [u8; 16] = bytes.get(2..18)?.try_into().ok()?;
    Some(FlowId::from_bytes(id))
}

fn header_nonce(bytes: &[u8]) -> Option<u64> {
    let nonce: [u8; 8] = bytes.get(18..HEADER)?.try_into().ok()?;
    Some(u64::from_le_bytes(nonce))
}

impl AnyStep {
    /// Suspends the step again (a fresh nonce), sealed under `keys`.
    pub(crate) fn snapshot(&self, keys: &Keys) -> Result<FlowSnapshot, SnapshotError> {
        each_step!(self, w => FlowSnapshot::of(w, keys))
    }
}

#[cfg(test)]
mod tests;
