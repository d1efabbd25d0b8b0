//! The host's secret keys: one master secret from configuration, from which the crate
//! derives its sub-keys with HMAC-SHA-256 (one per purpose: sealing suspended flows,
//! keying one-time code digests), and the sealing of suspended flows with
//! XChaCha20-Poly1305.
//!
//! Every app server of one deployment is given the same secret, so a flow started on one
//! server goes on on another. Rotation: [`Keys::retire`] keeps an older secret that still
//! opens the flows sealed under it (until they expire: at most the flow lifetime), while
//! the current secret seals everything new.

use std::fmt;
use std::sync::Arc;

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, KeyInit, Mac};
use rand::TryRng;
use rand::rngs::SysRng;
use sha2::Sha256;
use time::OffsetDateTime;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::code::{CodeError, CodeKey};

/// Bytes of a key's identifier in a sealed snapshot.
pub(crate) const KEY_ID_BYTES: usize = 4;
/// Bytes of the random XChaCha20 nonce in a sealed snapshot.
pub(crate) const SEAL_NONCE_BYTES: usize = 24;
/// Bytes of the Poly1305 tag.
pub(crate) const SEAL_TAG_BYTES: usize = 16;

/// The sub-keys of one master secret. Wiped on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
struct Derived {
    id: [u8; KEY_ID_BYTES],
    seal: [u8; 32],
    code: [u8; 32],
    store: [u8; 32],
}

impl Derived {
    fn from_secret(secret: &[u8; 32]) -> Self {
        let mut seal = derive(secret, b"sspr/v1/seal flows");
        let mut code = derive(secret, b"sspr/v1/code digests");
        let mut store = derive(secret, b"sspr/v1/store key names");
        let mut id_bytes = derive(secret, b"sspr/v1/key id");
        let mut id = [0u8; KEY_ID_BYTES];
        id.copy_from_slice(&id_bytes[..KEY_ID_BYTES]);
        id_bytes.zeroize();
        let derived = Derived {
            id,
            seal,
            code,
            store,
        };
        seal.zeroize();
        code.zeroize();
        store.zeroize();
        derived
    }
}

/// HMAC-SHA-256(secret, label): a sub-key for one purpose.
fn derive(secret: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret)
        .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new(&[0u8; 64].into()));
    mac.update(label);
    mac.finalize().into_bytes().into()
}

/// The host's secret keys: the current master secret (it seals) and any retired ones
/// (they still open). Cheap to clone; `Debug` shows only the keys' identifiers; wiped on
/// drop.
///
/// Give every server of a deployment the same secret, from the host's secret store:
///
/// ```
/// use sspr::host::Keys;
///
/// let secret = [7u8; 32]; // from configuration, never from source code
/// let keys = Keys::from_secret(secret);
/// // Rotation: a new secret seals; the old one still opens flows in progress.
/// let rotated_at = time::OffsetDateTime::now_utc();
/// let rotated = Keys::from_secret([8u8; 32]).retire(secret, rotated_at);
/// assert_ne!(keys.id(), rotated.id());
/// ```
#[derive(Clone)]
pub struct Keys {
    current: Arc<Derived>,
    /// Older secrets, each with when it was retired.
    retired: Vec<(Arc<Derived>, OffsetDateTime)>,
    ephemeral: bool,
}

impl Keys {
    /// Keys derived from a 32-byte master secret.
    pub fn from_secret(mut secret: [u8; 32]) -> Self {
        let current = Arc::new(Derived::from_secret(&secret));
        secret.zeroize();
        Keys {
            current,
            retired: Vec::new(),
            ephemeral: false,
        }
    }

    /// Random keys for this process only (from the OS CSPRNG): right for one process with
    /// an in-memory store, where flows end with the process anyway. A shared store
    /// refuses them ([`FlowsError::EphemeralKeys`](crate::store::FlowsError)), and a
    /// service with shared counters refuses to build without explicit keys.
    pub fn ephemeral() -> Result<Self, CodeError> {
        let mut secret = [0u8; 32];
        SysRng
            .try_fill_bytes(&mut secret)
            .map_err(|_| CodeError::Entropy)?;
        let mut keys = Self::from_secret(secret);
        keys.ephemeral = true;
        Ok(keys)
    }

    /// Keeps an older master secret, retired at `retired_at`, that still opens the flows
    /// it sealed before then (and checks the one-time codes it keyed, so a code sent
    /// before the rotation is still right after it). A flow that says it started later is refused: whoever
    /// learns a retired secret cannot use it to make new flows. Drop it from the
    /// configuration after the longest flow lifetime.
    #[must_use]
    pub fn retire(mut self, mut older: [u8; 32], retired_at: OffsetDateTime) -> Self {
        self.retired
            .push((Arc::new(Derived::from_secret(&older)), retired_at));
        older.zeroize();
        self
    }

    /// The current secret's public identifier (4 bytes of a one-way derivation), as
    /// stored beside each sealed flow: safe to log, to tell which key sealed what.
    pub fn id(&self) -> [u8; KEY_ID_BYTES] {
        self.current.id
    }

    /// Whether these are [`Keys::ephemeral`].
    pub fn is_ephemeral(&self) -> bool {
        self.ephemeral
    }

    /// The key of one-time code digests (current secret).
    pub(crate) fn code_key(&self) -> CodeKey {
        CodeKey::from_bytes(self.current.code)
    }

    /// The code sub-keys of the retired secrets: a code sent before a rotation is still
    /// right after it (its flow opens under the retired key that sealed it).
    pub(crate) fn retired_code_keys(&self) -> Vec<CodeKey> {
        self.retired
            .iter()
            .map(|(key, _)| CodeKey::from_bytes(key.code))
            .collect()
    }

    /// The sub-key of store key names (current secret), for a store that names keys
    /// after user IDs.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn store_key_bytes(&self) -> [u8; 32] {
        self.current.store
    }

    /// Seals `plaintext` under the current key with `associated` data: the key's
    /// identifier, a random nonce, then the ciphertext with its tag.
    pub(crate) fn seal(&self, associated: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0u8; SEAL_NONCE_BYTES];
        SysRng
            .try_fill_bytes(&mut nonce)
            .map_err(|_| SealError::Entropy)?;
        let cipher = XChaCha20Poly1305::new(&Key::from(self.current.seal));
        let sealed = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: associated,
                },
            )
            .map_err(|_| SealError::Seal)?;
        let mut out = Vec::with_capacity(KEY_ID_BYTES + SEAL_NONCE_BYTES + sealed.len());
        out.extend_from_slice(&self.current.id);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens what [`Keys::seal`] made, with the key its identifier names (current or
    /// retired). `None` for anything changed, sealed under another key, or cut short.
    /// A retired key's plaintext comes with the time it was retired: the caller refuses
    /// what started after it.
    pub(crate) fn open(&self, associated: &[u8], sealed: &[u8]) -> Option<Opened> {
        let (id, rest) = sealed.split_at_checked(KEY_ID_BYTES)?;
        let (nonce, ciphertext) = rest.split_at_checked(SEAL_NONCE_BYTES)?;
        let (key, retired_at) = std::iter::once((&self.current, None))
            .chain(self.retired.iter().map(|(key, at)| (key, Some(*at))))
            .find(|(key, _)| key.id[..] == *id)?;
        let nonce: [u8; SEAL_NONCE_BYTES] = nonce.try_into().ok()?;
        let plaintext = XChaCha20Poly1305::new(&Key::from(key.seal))
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: associated,
                },
            )
            .ok()?;
        Some(Opened {
            plaintext,
            retired_at,
        })
    }
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys")
            .field("id", &self.current.id)
            .field(
                "retired",
                &self.retired.iter().map(|(k, _)| k.id).collect::<Vec<_>>(),
            )
            .field("ephemeral", &self.ephemeral)
            .finish()
    }
}

/// What [`Keys::open`] gave.
pub(crate) struct Opened {
    /// The plaintext (the caller wipes it).
    pub(crate) plaintext: Vec<u8>,
    /// When the key that opened it was retired (`None`: the current key).
    pub(crate) retired_at: Option<OffsetDateTime>,
}

/// Sealing failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SealError {
    /// The OS CSPRNG failed (the nonce).
    Entropy,
    /// The cipher refused (a plaintext over its limit).
    Seal,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_bytes_open_only_unchanged_with_their_data_and_key() {
        let keys = Keys::from_secret([1; 32]);
        let sealed = keys.seal(b"ad", b"plain").expect("seals");
        let opened = keys.open(b"ad", &sealed).expect("opens");
        assert_eq!(opened.plaintext, b"plain");
        assert_eq!(opened.retired_at, None);
        assert!(keys.open(b"other", &sealed).is_none());
        for i in 0..sealed.len() * 8 {
            let mut flipped = sealed.clone();
            flipped[i / 8] ^= 1 << (i % 8);
            assert!(keys.open(b"ad", &flipped).is_none(), "bit {i}");
        }
        for len in 0..sealed.len() {
            assert!(keys.open(b"ad", &sealed[..len]).is_none(), "cut at {len}");
        }
        assert!(Keys::from_secret([2; 32]).open(b"ad", &sealed).is_none());
    }

    #[test]
    fn a_retired_secret_still_opens_and_never_seals() {
        let old = Keys::from_secret([1; 32]);
        let sealed = old.seal(b"ad", b"plain").expect("seals");
        let at = OffsetDateTime::UNIX_EPOCH;
        let new = Keys::from_secret([2; 32]).retire([1; 32], at);
        let opened = new.open(b"ad", &sealed).expect("opens");
        assert_eq!(opened.plaintext, b"plain");
        assert_eq!(opened.retired_at, Some(at));
        let resealed = new.seal(b"ad", b"plain").expect("seals");
        assert!(old.open(b"ad", &resealed).is_none());
        assert_eq!(&resealed[..KEY_ID_BYTES], &new.id());
    }

    #[test]
    fn sub_keys_differ_by_purpose_and_debug_shows_no_key() {
        let keys = Keys::from_secret([3; 32]);
        assert_ne!(keys.current.seal, keys.current.code);
        let shown = format!("{keys:?}");
        assert!(!shown.contains(&format!("{:?}", keys.current.seal)));
        assert!(!shown.contains("3, 3, 3"));
    }
}
