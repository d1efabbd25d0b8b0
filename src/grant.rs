//! Reset links: an admin (or the host on an admin's behalf) issues a single-use grant to
//! set a new password, and the user sets it. The admin never learns the password.
//!
//! [`Sspr::issue_reset_link`] checks that the admin may reset the account (the table of
//! [`roles`](crate::roles)), makes a random 256-bit token and stores only its keyed
//! digest ([`GrantStore`]), one per account: a new link voids the one before. The host
//! puts the token in a link (or reads it out as a code) for the user. With
//! [`Sspr::redeem_reset_link`] the user gives their user ID, the token and a new password
//! twice: the password passes the same rules as a self-service reset, the grant is used
//! up, and the account holder is told on every method. A wrong, used, revoked, expired or
//! unknown link gets one answer ([`LinkRefusal::NotValid`]), and each counts against the
//! user ID like a wrong code, so a link cannot be guessed. [`Sspr::revoke_reset_link`]
//! withdraws it. The temporary-password reset ([`Sspr::reset_by_admin`]) stays.

use std::fmt;
use std::future::Future;

use rand::TryRng;
use rand::rngs::SysRng;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;
use zeroize::{Zeroize, Zeroizing};

use crate::admin::AdminResetError;
use crate::change::{self, Change, NotChanged};
use crate::ending::{Completed, Locked};
use crate::error::Error;
use crate::event::{Actor, Detail};
use crate::message::{Arg, Message};
use crate::password::{Password, PasswordRefusal};
use crate::service::{Block, Sspr};
use crate::store::StoreError;
use crate::user_id::{UserId, UserIdError};

/// Characters of a link token: 32 random bytes as lowercase hex.
pub const TOKEN_CHARS: usize = 64;

/// A reset link's token, to give the user once (in a link, or read out): secret, wiped on
/// drop, redacted in `Debug`.
pub struct ResetLink {
    token: Zeroizing<String>,
    expires: OffsetDateTime,
}

impl ResetLink {
    /// The token: put it in the link the user opens, never in a log.
    pub fn expose_secret(&self) -> &str {
        &self.token
    }

    /// When it stops working.
    pub fn expires(&self) -> OffsetDateTime {
        self.expires
    }
}

impl fmt::Debug for ResetLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResetLink")
            .field("token", &"[REDACTED]")
            .field("expires", &self.expires)
            .finish()
    }
}

/// The keyed digest of a link token, which is all a [`GrantStore`] holds of it.
#[derive(Clone, PartialEq, Eq)]
pub struct GrantDigest(pub [u8; 32]);

impl GrantDigest {
    /// Whether two digests are equal, in constant time.
    pub fn matches(&self, other: &GrantDigest) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl fmt::Debug for GrantDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GrantDigest([REDACTED])")
    }
}

/// What a grant store holds for one account: the token's digest and when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredGrant {
    /// The token's keyed digest.
    pub digest: GrantDigest,
    /// When the grant stops working (the store may forget it then).
    pub expires: OffsetDateTime,
}

/// What taking a grant found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantTaken {
    /// The account's grant had this digest and had not expired: it is gone now.
    Taken {
        /// When it would have expired.
        expires: OffsetDateTime,
    },
    /// The account has a grant, with another digest: it stays.
    Wrong,
    /// The account has no grant (none issued, used, revoked, or expired).
    None,
}

/// Where grants live: one per account, keyed by the user ID, holding only a digest. The
/// memory and Redis flow stores are grant stores; the conformance suite
/// [`conformance::grant_store`](crate::conformance::grant_store) checks others.
pub trait GrantStore: Send + Sync {
    /// Stores `user`'s grant, replacing the one before.
    fn put(
        &self,
        user: &UserId,
        grant: StoredGrant,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Takes `user`'s grant if its digest is `digest` and it has not expired at `now`, in
    /// one step (two takes of one grant: one wins). A wrong digest leaves it.
    fn take(
        &self,
        user: &UserId,
        digest: &GrantDigest,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<GrantTaken, StoreError>> + Send;

    /// Removes `user`'s grant; whether there was one.
    fn revoke(&self, user: &UserId) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Why a reset link was not used. Nothing changed, except that a link that was not
/// valid counted against the user ID.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LinkRefusal {
    /// The user ID does not parse.
    #[error(transparent)]
    UserId(#[from] UserIdError),
    /// The link is wrong, used, revoked, expired, or for another account: one answer
    /// for all.
    #[error("this reset link does not work: ask your admin for a new one")]
    NotValid,
    /// The new password breaks a rule; the link still works.
    #[error(transparent)]
    Password(PasswordRefusal),
    /// Too many links that did not work for this user ID: blocked until then.
    #[error("too many reset links that did not work for this account")]
    Locked(Locked),
    /// A host part failed; the link still works.
    #[error("the service is unavailable; try again")]
    Unavailable(#[source] Error),
}

impl Message for LinkRefusal {
    fn message_id(&self) -> &'static str {
        match self {
            LinkRefusal::UserId(e) => e.message_id(),
            LinkRefusal::NotValid => "link-not-valid",
            LinkRefusal::Password(p) => p.message_id(),
            LinkRefusal::Locked(l) => l.message_id(),
            LinkRefusal::Unavailable(e) => e.message_id(),
        }
    }

    fn message_args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            LinkRefusal::UserId(e) => e.message_args(),
            LinkRefusal::Password(p) => p.message_args(),
            LinkRefusal::Locked(l) => l.message_args(),
            LinkRefusal::Unavailable(e) => e.message_args(),
            LinkRefusal::NotValid => Vec::new(),
        }
    }
}

/// A link token as typed: 64 lowercase hex characters (surrounding blanks and capitals
/// forgiven), else nothing.
fn parse_token(token: &str) -> Option<[u8; 32]> {
    let token = token.trim();
    if token.len() != TOKEN_CHARS {
        return None;
    }
    let mut bytes = [0u8; 32];
    for (i, pair) in token.as_bytes().chunks(2).enumerate() {
        let hex = |b: u8| char::from(b).to_digit(16);
        let (hi, lo) = (hex(pair[0])?, hex(pair[1])?);
        bytes[i] = u8::try_from(hi * 16 + lo).ok()?;
    }
    Some(bytes)
}

impl Sspr {
    /// The keyed digest of a link token for `user`: another account's grant with the
    /// same token has another digest.
    fn grant_digest(&self, user: &UserId, token: &[u8; 32]) -> GrantDigest {
        GrantDigest(self.code_key.link_digest(user.as_str(), token))
    }

    /// An admin issues a reset link for `user` (who may reset their password with it
    /// once, until the policy's `reset_link_lifetime` ends): the same check as
    /// [`Sspr::reset_by_admin`]; any earlier link of the account stops working. The
    /// token comes back once, to give the user; the store keeps its digest only.
    pub async fn issue_reset_link(
        &self,
        grants: &impl GrantStore,
        admin: &UserId,
        user: &UserId,
    ) -> Result<ResetLink, AdminResetError> {
        let (admin_record, record) = self.authorize_admin(admin, user).await?;
        let mut token = [0u8; 32];
        SysRng
            .try_fill_bytes(&mut token)
            .map_err(|_| AdminResetError::Unavailable(crate::code::CodeError::Entropy.into()))?;
        let now = self.now();
        let expires = now + self.policy.reset_link_lifetime;
        let digest = self.grant_digest(&record.id, &token);
        let text: String = token.iter().map(|b| format!("{b:02x}")).collect();
        token.zeroize();
        grants
            .put(&record.id, StoredGrant { digest, expires }, now)
            .await
            .map_err(|e| AdminResetError::Unavailable(e.into()))?;
        self.record_event(
            Actor::Admin(admin_record.id.clone()),
            None,
            Some(&record.id),
            Some(&record.tenant),
            Detail::ResetLinkIssued,
        );
        Ok(ResetLink {
            token: Zeroizing::new(text),
            expires,
        })
    }

    /// An admin withdraws `user`'s reset link (the same check as issuing one); whether
    /// there was one.
    pub async fn revoke_reset_link(
        &self,
        grants: &impl GrantStore,
        admin: &UserId,
        user: &UserId,
    ) -> Result<bool, AdminResetError> {
        let (admin_record, record) = self.authorize_admin(admin, user).await?;
        let revoked = grants
            .revoke(&record.id)
            .await
            .map_err(|e| AdminResetError::Unavailable(e.into()))?;
        self.record_event(
            Actor::Admin(admin_record.id.clone()),
            None,
            Some(&record.id),
            Some(&record.tenant),
            Detail::ResetLinkRevoked,
        );
        Ok(revoked)
    }

    /// The user sets a new password with a reset link: their user ID, the link's token
    /// and the new password twice.
    ///
    /// In this order: the user ID's block, the password rules (a refused password leaves
    /// the link working), then the link, taken at once so it works only once; then the
    /// password is set as in a self-service reset, and the account holder is told on
    /// every method. A link that does not work counts against the user ID like a wrong
    /// code and is one answer for every reason, whether or not the account exists.
    pub async fn redeem_reset_link(
        &self,
        grants: &impl GrantStore,
        user_id: &str,
        token: &str,
        new: Password,
        confirm: Password,
    ) -> Result<Completed, LinkRefusal> {
        let unavailable = |e: Error| LinkRefusal::Unavailable(e);
        let typed = UserId::parse(user_id)?;
        let now = self.now();
        let (user, record) = self
            .account_of(typed)
            .await
            .map_err(|e| unavailable(e.into()))?;
        if let Some(until) = self
            .counters
            .blocked_until(&user, now)
            .await
            .map_err(|e| unavailable(e.into()))?
        {
            return Err(LinkRefusal::Locked(self.lock_user(None, &user, until)));
        }
        self.policy
            .password_rules
            .check(&new, &confirm, &user)
            .map_err(LinkRefusal::Password)?;
        drop(confirm);
        // Unknown accounts and malformed tokens run the same digest and store step.
        let (well_formed, mut bytes) = match parse_token(token) {
            Some(bytes) => (true, bytes),
            None => (false, [0u8; 32]),
        };
        let digest = self.grant_digest(&user, &bytes);
        bytes.zeroize();
        let taken = grants
            .take(&user, &digest, now)
            .await
            .map_err(|e| unavailable(e.into()))?;
        let (Some(record), GrantTaken::Taken { expires }, true) = (record, taken, well_formed)
        else {
            let blocked = self
                .count_failure(&user, now, Block::Renew)
                .await
                .map_err(|e| unavailable(e.into()))?;
            if let Some(until) = blocked {
                return Err(LinkRefusal::Locked(self.lock_user(None, &user, until)));
            }
            self.record_event(
                Actor::Person,
                None,
                Some(&user),
                None,
                Detail::ResetLinkFailed,
            );
            return Err(LinkRefusal::NotValid);
        };
        let grant_back = StoredGrant { digest, expires };
        let change = Change {
            user: record.id.clone(),
            flow: None,
            actor: Actor::Person,
            tenant: Some(record.tenant.clone()),
            admin: record.is_admin(),
            detail: Detail::PasswordChangedWithLink,
            proved_by: Vec::new(),
            notify: record.methods.clone(),
            current: record.password_hash.clone(),
        };
        match change::set_password(self, change, new).await {
            Ok(completed) => Ok(completed),
            Err(NotChanged::SameAsCurrent) => {
                // Nothing changed: the link works again, until it would have expired.
                let _ = grants.put(&record.id, grant_back, now).await;
                Err(LinkRefusal::Password(PasswordRefusal::SameAsCurrent))
            }
            Err(NotChanged::Unavailable(error)) => {
                let _ = grants.put(&record.id, grant_back, now).await;
                Err(LinkRefusal::Unavailable(error))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_parse_only_as_64_hex_characters() {
        let hex = "ab".repeat(32);
        assert_eq!(parse_token(&hex), Some([0xab; 32]));
        assert_eq!(
            parse_token(&format!("  {}  ", hex.to_uppercase())),
            Some([0xab; 32])
        );
        assert_eq!(parse_token(&"ab".repeat(31)), None);
        assert_eq!(parse_token(&format!("{}zz", "ab".repeat(31))), None);
        assert_eq!(parse_token(&"é".repeat(32)), None);
        assert_eq!(parse_token(""), None);
    }
}
