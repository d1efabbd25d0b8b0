//! Argon2id password hashes: parameters within safe bounds, the PHC string a directory
//! stores, hashing a new password and verifying one against a stored hash.

use std::fmt;

use argon2::password_hash::phc;
use argon2::{Algorithm, Argon2, PasswordHasher, PasswordVerifier, Version};
use rand::CryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::Password;

/// Bytes of salt drawn for every new hash.
pub const SALT_BYTES: usize = 16;

/// The longest PHC string [`PasswordHash::parse`] reads; longer input is refused before any
/// parsing.
pub const MAX_HASH_BYTES: usize = 256;

/// The most memory any hash may ask for: 1 GiB, in KiB.
pub const MAX_M_COST_KIB: u32 = 1024 * 1024;

/// The most passes any hash may ask for.
pub const MAX_T_COST: u32 = 20;

/// The most lanes any hash may ask for.
pub const MAX_P_COST: u32 = 16;

/// The algorithm identifier in every hash.
const ALGORITHM: &str = "argon2id";

/// Argon2 version 1.3 (0x13), the only one read or written.
const VERSION: u32 = 19;

/// Argon2id costs for new hashes: memory in KiB, passes, lanes.
///
/// Validated on creation against OWASP's password storage minimums (one of m = 47104 KiB
/// with t = 1, m = 19456 with t = 2, m = 12288 with t = 3, m = 9216 with t = 4, or
/// m = 7168 with t ≥ 5) and against absurd costs ([`MAX_M_COST_KIB`], [`MAX_T_COST`],
/// [`MAX_P_COST`]). [`Default`] is m = 19456, t = 2, p = 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HashParams {
    m_cost: u32,
    t_cost: u32,
    p_cost: u32,
}

/// Argon2id costs outside the safe bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HashParamsError {
    /// The memory is below OWASP's minimum for the number of passes.
    #[error(
        "argon2id with {t_cost} passes needs at least {min_m_cost} KiB of memory, not {m_cost}"
    )]
    MemoryTooLittle {
        /// The memory asked for, in KiB.
        m_cost: u32,
        /// The passes asked for.
        t_cost: u32,
        /// The least memory for that many passes, in KiB.
        min_m_cost: u32,
    },
    /// The memory is above [`MAX_M_COST_KIB`].
    #[error("argon2id memory of {m_cost} KiB is above the limit of {MAX_M_COST_KIB} KiB")]
    MemoryTooMuch {
        /// The memory asked for, in KiB.
        m_cost: u32,
    },
    /// The passes are 0 or above [`MAX_T_COST`].
    #[error("argon2id passes must be between 1 and {MAX_T_COST}, not {t_cost}")]
    PassesOutOfRange {
        /// The passes asked for.
        t_cost: u32,
    },
    /// The lanes are 0 or above [`MAX_P_COST`].
    #[error("argon2id lanes must be between 1 and {MAX_P_COST}, not {p_cost}")]
    LanesOutOfRange {
        /// The lanes asked for.
        p_cost: u32,
    },
}

impl HashParams {
    /// The design's costs: m = 19456 KiB, t = 2, p = 1 (OWASP's first choice).
    pub const DEFAULT: HashParams = HashParams {
        m_cost: 19456,
        t_cost: 2,
        p_cost: 1,
    };

    /// Costs for new hashes, or why they are unsafe.
    pub const fn new(m_cost: u32, t_cost: u32, p_cost: u32) -> Result<Self, HashParamsError> {
        if t_cost == 0 || t_cost > MAX_T_COST {
            return Err(HashParamsError::PassesOutOfRange { t_cost });
        }
        if p_cost == 0 || p_cost > MAX_P_COST {
            return Err(HashParamsError::LanesOutOfRange { p_cost });
        }
        let min_m_cost = owasp_min_memory(t_cost);
        if m_cost < min_m_cost {
            return Err(HashParamsError::MemoryTooLittle {
                m_cost,
                t_cost,
                min_m_cost,
            });
        }
        if m_cost > MAX_M_COST_KIB {
            return Err(HashParamsError::MemoryTooMuch { m_cost });
        }
        Ok(HashParams {
            m_cost,
            t_cost,
            p_cost,
        })
    }

    /// Memory, in KiB.
    pub const fn m_cost(&self) -> u32 {
        self.m_cost
    }

    /// Passes over the memory.
    pub const fn t_cost(&self) -> u32 {
        self.t_cost
    }

    /// Lanes (degree of parallelism).
    pub const fn p_cost(&self) -> u32 {
        self.p_cost
    }

    fn context(&self) -> Result<Argon2<'static>, HashError> {
        let params = argon2::Params::new(self.m_cost, self.t_cost, self.p_cost, None)
            .map_err(|e| HashError::Failed(HashFailure(Failure::Params(e))))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

impl Default for HashParams {
    fn default() -> Self {
        HashParams::DEFAULT
    }
}

/// OWASP's least memory (KiB) for argon2id with `t_cost` passes and one lane.
const fn owasp_min_memory(t_cost: u32) -> u32 {
    match t_cost {
        0 | 1 => 47104,
        2 => 19456,
        3 => 12288,
        4 => 9216,
        _ => 7168,
    }
}

/// Hashing could not be done.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HashError {
    /// The operating system's random number generator gave no salt.
    #[error("no random salt could be drawn from the operating system")]
    Entropy,
    /// The Argon2 implementation refused the work (for example, out of memory).
    #[error("the password could not be hashed")]
    Failed(#[source] HashFailure),
    /// The password was typed with more than
    /// [`MAX_PASSWORD_BYTES`](super::MAX_PASSWORD_BYTES) bytes and holds nothing to hash
    /// ([`Password::is_over_long`]). The password rules refuse it first.
    #[error("the password is too long to hash")]
    PasswordTooLong,
}

/// That the Argon2 implementation refused the parameters or the hashing. Its error is the
/// [`source`](std::error::Error::source): a fixed description such as "memory cost is
/// too small", never the password or the salt.
#[derive(Debug)]
pub struct HashFailure(Failure);

#[derive(Debug)]
enum Failure {
    Params(argon2::Error),
    Hash(argon2::password_hash::Error),
}

impl fmt::Display for HashFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match &self.0 {
            Failure::Params(_) => "Argon2 refused the parameters",
            Failure::Hash(_) => "Argon2 failed to hash",
        })
    }
}

impl std::error::Error for HashFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.0 {
            Failure::Params(e) => Some(e),
            Failure::Hash(e) => Some(e),
        }
    }
}

/// A stored password hash: an Argon2id PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`).
///
/// Only made by [`hash_password`] or [`PasswordHash::parse`], so it always holds a
/// well-formed Argon2id hash with bounded costs. `Debug` shows the algorithm and costs and
/// hides the salt and hash; there is no `Display` or `PartialEq` (compare passwords with
/// [`verify_password`], never hashes with each other).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct PasswordHash {
    phc: String,
    #[zeroize(skip)]
    costs: (u32, u32, u32),
}

/// Why a stored string is not a usable password hash. Messages never repeat the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PasswordHashError {
    /// The string is longer than [`MAX_HASH_BYTES`].
    #[error("a password hash has at most {MAX_HASH_BYTES} bytes")]
    TooLong,
    /// The string is not a complete PHC string with a salt and a hash.
    #[error("the password hash is not a well-formed PHC string")]
    Malformed,
    /// The hash is not Argon2id version 19, or has parameters other than m, t and p.
    #[error("the password hash is not an argon2id (v=19) hash with m, t and p parameters")]
    Unsupported,
    /// The costs are out of bounds (see [`MAX_M_COST_KIB`], [`MAX_T_COST`], [`MAX_P_COST`]).
    #[error("the password hash asks for costs out of bounds")]
    CostsOutOfRange,
}

impl PasswordHash {
    /// Reads a stored PHC string. Any input gives an answer, never a panic; costs below
    /// today's minimums are accepted (old hashes must still verify, see
    /// [`needs_rehash`](Self::needs_rehash)), absurd ones are not.
    pub fn parse(input: &str) -> Result<Self, PasswordHashError> {
        if input.len() > MAX_HASH_BYTES {
            return Err(PasswordHashError::TooLong);
        }
        let parsed = phc::PasswordHash::new(input).map_err(|_| PasswordHashError::Malformed)?;
        if parsed.salt.is_none() || parsed.hash.is_none() {
            return Err(PasswordHashError::Malformed);
        }
        if parsed.algorithm.as_str() != ALGORITHM || parsed.version != Some(VERSION) {
            return Err(PasswordHashError::Unsupported);
        }
        let costs = read_costs(&parsed.params)?;
        Ok(PasswordHash {
            phc: input.to_owned(),
            costs,
        })
    }

    /// The PHC string, to store.
    pub fn as_str(&self) -> &str {
        &self.phc
    }

    /// Whether this hash was made with other costs than `params`, so that the password
    /// should be hashed again (with `params`) the next time it is known.
    pub fn needs_rehash(&self, params: &HashParams) -> bool {
        self.costs != (params.m_cost, params.t_cost, params.p_cost)
    }
}

/// The m, t and p values of a PHC parameter string, each present once and within bounds.
fn read_costs(params: &phc::ParamsString) -> Result<(u32, u32, u32), PasswordHashError> {
    let (mut m, mut t, mut p) = (None, None, None);
    for (name, value) in params.iter() {
        let slot = match name.as_str() {
            "m" => &mut m,
            "t" => &mut t,
            "p" => &mut p,
            _ => return Err(PasswordHashError::Unsupported),
        };
        let value = value.decimal().map_err(|_| PasswordHashError::Malformed)?;
        if slot.replace(value).is_some() {
            return Err(PasswordHashError::Malformed);
        }
    }
    let (Some(m), Some(t), Some(p)) = (m, t, p) else {
        return Err(PasswordHashError::Malformed);
    };
    let costs_ok = (1..=MAX_P_COST).contains(&p)
        && (1..=MAX_T_COST).contains(&t)
        && (8 * p..=MAX_M_COST_KIB).contains(&m);
    if costs_ok {
        Ok((m, t, p))
    } else {
        Err(PasswordHashError::CostsOutOfRange)
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (m, t, p) = self.costs;
        write!(
            f,
            "PasswordHash(\"${ALGORITHM}$v={VERSION}$m={m},t={t},p={p}$[REDACTED]\")"
        )
    }
}

impl std::str::FromStr for PasswordHash {
    type Err = PasswordHashError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PasswordHash::parse(s)
    }
}

/// Hashes `password` with Argon2id and `params`, with a fresh 16-byte salt from `rng`.
///
/// CPU work of tens of milliseconds at the default costs: an async host runs it off its
/// worker threads (everything here is `Send`, so a closure owning a [`Password`], the
/// params and an RNG can go to `spawn_blocking`).
pub fn hash_password<R: CryptoRng + ?Sized>(
    password: &Password,
    params: &HashParams,
    rng: &mut R,
) -> Result<PasswordHash, HashError> {
    let mut salt = [0u8; SALT_BYTES];
    rng.fill_bytes(&mut salt);
    let hashed = hash_with_salt(password, params, &salt);
    salt.zeroize();
    hashed
}

/// [`hash_password`] with a salt from the operating system's random number generator.
pub fn hash_password_with_os_rng(
    password: &Password,
    params: &HashParams,
) -> Result<PasswordHash, HashError> {
    use rand::TryRng;

    let mut salt = [0u8; SALT_BYTES];
    rand::rngs::SysRng
        .try_fill_bytes(&mut salt)
        .map_err(|_| HashError::Entropy)?;
    let hashed = hash_with_salt(password, params, &salt);
    salt.zeroize();
    hashed
}

fn hash_with_salt(
    password: &Password,
    params: &HashParams,
    salt: &[u8; SALT_BYTES],
) -> Result<PasswordHash, HashError> {
    if password.is_over_long() {
        return Err(HashError::PasswordTooLong);
    }
    let hashed: phc::PasswordHash = params
        .context()?
        .hash_password_with_salt(password.expose_secret().as_bytes(), salt)
        .map_err(|e| HashError::Failed(HashFailure(Failure::Hash(e))))?;
    Ok(PasswordHash {
        phc: hashed.to_string(),
        costs: (params.m_cost, params.t_cost, params.p_cost),
    })
}

/// Whether `password` is the one `hash` was made from. The comparison of the outputs is in
/// constant time; a hash that cannot be used gives `false`. Costs the same CPU work as
/// [`hash_password`] with the hash's own costs (none for an over-long password, which is
/// `false`).
pub fn verify_password(password: &Password, hash: &PasswordHash) -> bool {
    // An over-long password holds nothing: it is no one's password, and costs no hash.
    if password.is_over_long() {
        return false;
    }
    let Ok(parsed) = phc::PasswordHash::new(&hash.phc) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.expose_secret().as_bytes(), &parsed)
        .is_ok()
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a failed expectation is a failed test
mod tests {
    use super::*;

    /// "correct horse battery staple" with salt "somesaltsomesalt" at the default costs, from
    /// the reference implementation's CLI (phc-winner-argon2:
    /// `argon2 somesaltsomesalt -id -t 2 -k 19456 -p 1 -l 32 -e`).
    const KNOWN: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ISO7kkvFzh19GM8qB7patN3C3Y9HHsjlVTfEZ9T600Y";

    #[test]
    fn params_follow_owasp_and_refuse_absurd_costs() {
        assert_eq!(HashParams::default(), HashParams::DEFAULT);
        assert_eq!(
            HashParams::new(19456, 2, 1),
            Ok(HashParams::DEFAULT),
            "the design's costs"
        );
        for (m, t) in [(47104, 1), (12288, 3), (9216, 4), (7168, 5), (7168, 20)] {
            assert!(HashParams::new(m, t, 1).is_ok(), "m={m} t={t}");
        }
        for (m, t) in [(47103, 1), (19455, 2), (12287, 3), (9215, 4), (7167, 9)] {
            assert!(
                matches!(
                    HashParams::new(m, t, 1),
                    Err(HashParamsError::MemoryTooLittle { .. })
                ),
                "m={m} t={t}"
            );
        }
        assert_eq!(
            HashParams::new(MAX_M_COST_KIB + 1, 2, 1),
            Err(HashParamsError::MemoryTooMuch {
                m_cost: MAX_M_COST_KIB + 1
            })
        );
        assert!(matches!(
            HashParams::new(19456, 0, 1),
            Err(HashParamsError::PassesOutOfRange { t_cost: 0 })
        ));
        assert!(matches!(
            HashParams::new(19456, 21, 1),
            Err(HashParamsError::PassesOutOfRange { .. })
        ));
        assert!(matches!(
            HashParams::new(19456, 2, 0),
            Err(HashParamsError::LanesOutOfRange { .. })
        ));
        assert!(matches!(
            HashParams::new(19456, 2, 17),
            Err(HashParamsError::LanesOutOfRange { .. })
        ));
    }

    #[test]
    fn parse_reads_argon2id_and_refuses_everything_else() {
        let hash = PasswordHash::parse(KNOWN).expect("known hash parses");
        assert_eq!(hash.as_str(), KNOWN);
        assert!(!hash.needs_rehash(&HashParams::DEFAULT));
        let stronger = HashParams::new(47104, 1, 1).expect("valid");
        assert!(hash.needs_rehash(&stronger));

        let cases = [
            ("", PasswordHashError::Malformed),
            ("$", PasswordHashError::Malformed),
            ("argon2id", PasswordHashError::Malformed),
            (
                "$argon2id$v=19$m=19456,t=2,p=1",
                PasswordHashError::Malformed,
            ),
            (
                "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA",
                PasswordHashError::Malformed,
            ),
            (
                "$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ISO7kkvFzh19GM8qB7patN3C3Y9HHsjlVTfEZ9T600Y",
                PasswordHashError::Unsupported,
            ),
            (
                "$argon2id$v=16$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ISO7kkvFzh19GM8qB7patN3C3Y9HHsjlVTfEZ9T600Y",
                PasswordHashError::Unsupported,
            ),
            (
                "$argon2id$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ISO7kkvFzh19GM8qB7patN3C3Y9HHsjlVTfEZ9T600Y",
                PasswordHashError::Unsupported,
            ),
            (
                "$argon2id$v=19$m=19456,t=2,p=1,keyid=abc$c29tZXNhbHRzb21lc2FsdA$ISO7kkvFzh19GM8qB7patN3C3Y9HHsjlVTfEZ9T600Y",
                PasswordHashError::Unsupported,
            ),
            (
                "$argon2id$v=19$m=19456,t=2$c29tZXNhbHRzb21lc2FsdA$ISO7kkvFzh19GM8qB7patN3C3Y9HHsjlVTfEZ9T600Y",
                PasswordHashError::Malformed,
            ),
            (
                "$argon2id$v=19$m=4294967295,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ISO7kkvFzh19GM8qB7patN3C3Y9HHsjlVTfEZ9T600Y",
                PasswordHashError::CostsOutOfRange,
            ),
            (
                "$argon2id$v=19$m=19456,t=4000,p=1$c29tZXNhbHRzb21lc2FsdA$ISO7kkvFzh19GM8qB7patN3C3Y9HHsjlVTfEZ9T600Y",
                PasswordHashError::CostsOutOfRange,
            ),
            (
                "$argon2id$v=19$m=8,t=1,p=2$c29tZXNhbHRzb21lc2FsdA$ISO7kkvFzh19GM8qB7patN3C3Y9HHsjlVTfEZ9T600Y",
                PasswordHashError::CostsOutOfRange,
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                PasswordHash::parse(input).map(|h| h.costs),
                Err(expected),
                "{input}"
            );
        }
        let long = format!("{KNOWN}{}", "A".repeat(MAX_HASH_BYTES));
        assert!(matches!(
            PasswordHash::parse(&long),
            Err(PasswordHashError::TooLong)
        ));
    }

    #[test]
    fn debug_shows_costs_and_hides_salt_and_hash() {
        let hash = PasswordHash::parse(KNOWN).expect("parses");
        let shown = format!("{hash:?}");
        assert_eq!(
            shown,
            "PasswordHash(\"$argon2id$v=19$m=19456,t=2,p=1$[REDACTED]\")"
        );
        assert!(!shown.contains("c29tZXNhbHRzb21lc2FsdA"));
    }

    #[test]
    fn hashes_what_the_argon2_crate_hashes_and_verifies_it() {
        let password = Password::new("correct horse battery staple");
        let hash =
            hash_with_salt(&password, &HashParams::DEFAULT, b"somesaltsomesalt").expect("hashes");
        assert_eq!(hash.as_str(), KNOWN);
        let known = PasswordHash::parse(KNOWN).expect("parses");
        assert!(verify_password(&password, &known));
        assert!(!verify_password(
            &Password::new("correct horse battery stapler"),
            &known
        ));
    }

    #[test]
    fn an_over_long_password_is_neither_hashed_nor_matched() {
        let over_long = Password::new("a".repeat(super::super::MAX_PASSWORD_BYTES + 1));
        assert!(matches!(
            hash_with_salt(&over_long, &HashParams::DEFAULT, b"somesaltsomesalt"),
            Err(HashError::PasswordTooLong)
        ));
        // Not even against the hash of the empty password it exposes.
        let empty = hash_with_salt(
            &Password::new(""),
            &HashParams::DEFAULT,
            b"somesaltsomesalt",
        )
        .expect("hashes");
        assert!(verify_password(&Password::new(""), &empty));
        assert!(!verify_password(&over_long, &empty));
    }

    #[test]
    fn a_failure_keeps_argon2s_error_as_its_source() {
        use std::error::Error as _;
        // Costs no builder lets through: Argon2 itself refuses them.
        let params = HashParams {
            m_cost: 1,
            t_cost: 1,
            p_cost: 1,
        };
        let secret = "correct horse battery staple";
        let error = hash_with_salt(&Password::new(secret), &params, b"somesaltsomesalt")
            .expect_err("refused");
        assert!(matches!(error, HashError::Failed(_)));
        assert_eq!(error.to_string(), "the password could not be hashed");
        let failure = error.source().expect("a HashFailure");
        assert_eq!(failure.to_string(), "Argon2 refused the parameters");
        let argon2 = failure.source().expect("argon2's error");
        assert_eq!(argon2.to_string(), "memory cost is too small");
        assert!(!format!("{error:?}").contains("horse"), "{error:?}");
    }

    #[test]
    fn everything_can_move_to_a_blocking_thread() {
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<Password>();
        send_sync::<PasswordHash>();
        send_sync::<HashParams>();
        send_sync::<HashError>();
    }
}
