//! The host's user directory: who the user is, whether they may reset by themselves, how
//! to reach them, and where the new password hash goes.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use time::OffsetDateTime;

use crate::contact::ContactMethod;
use crate::password::PasswordHash;
use crate::user_id::UserId;

/// A role an account holds in its organisation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Role {
    /// An ordinary user.
    User,
    /// The organisation's global administrator.
    GlobalAdmin,
    /// Another administrator role (password, user, helpdesk admin, ...), by name.
    Admin(String),
}

impl Role {
    /// Whether this is an administrator role (which always needs two verification
    /// methods).
    pub fn is_admin(&self) -> bool {
        !matches!(self, Role::User)
    }
}

/// What the directory knows of an account.
#[derive(Debug, Clone)]
pub struct UserRecord {
    /// The account's user ID.
    pub id: UserId,
    /// The organisation (tenant) the account belongs to.
    pub tenant: String,
    /// The account's roles.
    pub roles: Vec<Role>,
    /// Whether the organisation's admin enabled self-service reset for this account.
    pub self_service_reset: bool,
    /// Registered contact methods, in the order the account holder prefers them.
    pub methods: Vec<ContactMethod>,
    /// The current password hash, if the account has a password.
    pub password_hash: Option<PasswordHash>,
}

impl UserRecord {
    /// Whether the account holds any administrator role.
    pub fn is_admin(&self) -> bool {
        self.roles.iter().any(Role::is_admin)
    }
}

/// A password to store: the hash, and whether it must be changed at next sign-in
/// (an admin's temporary password) with its expiry.
#[derive(Debug, Clone)]
pub struct NewPasswordHash {
    /// The Argon2id PHC string.
    pub hash: PasswordHash,
    /// Whether the user must change it at next sign-in.
    pub must_change: bool,
    /// When a temporary password stops working.
    pub expires: Option<OffsetDateTime>,
}

/// Whether an account's password must change at next sign-in (an admin set a temporary
/// one), and until when that temporary password works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordState {
    /// The user must choose a new password at next sign-in.
    pub must_change: bool,
    /// When the temporary password stops working.
    pub expires: Option<OffsetDateTime>,
}

/// A failure of the directory (a database, LDAP, an identity API).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DirectoryError {
    /// The directory could not be reached or failed; the step can be tried again. Made
    /// with [`DirectoryError::unavailable`].
    #[error("the user directory is unavailable")]
    Unavailable {
        /// What went wrong, for the host's logs. Must not hold a secret (a password, a
        /// connection string with credentials).
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The user disappeared between two steps.
    #[error("the account no longer exists")]
    NoSuchUser,
}

impl DirectoryError {
    /// The directory could not be reached or failed, because of `source` (an error, or a
    /// text): `Err(DirectoryError::unavailable(e))`.
    pub fn unavailable(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        DirectoryError::Unavailable {
            source: source.into(),
        }
    }
}

/// The host's user directory. Lookups are case-insensitive through [`UserId`].
pub trait Directory: Send + Sync {
    /// Finds an account; `Ok(None)` when there is none.
    fn find_user(
        &self,
        id: &UserId,
    ) -> impl Future<Output = Result<Option<UserRecord>, DirectoryError>> + Send;

    /// Whether the account must change its password at next sign-in; `Ok(None)` when
    /// there is no such account.
    fn password_state(
        &self,
        id: &UserId,
    ) -> impl Future<Output = Result<Option<PasswordState>, DirectoryError>> + Send;

    /// Stores a new password hash for an account.
    fn set_password(
        &self,
        id: &UserId,
        password: NewPasswordHash,
    ) -> impl Future<Output = Result<(), DirectoryError>> + Send;
}

/// An in-memory directory for tests, examples and small hosts. Clones share the users.
#[derive(Debug, Default, Clone)]
pub struct InMemoryDirectory {
    users: Arc<Mutex<HashMap<UserId, StoredUser>>>,
}

#[derive(Debug, Clone)]
struct StoredUser {
    record: UserRecord,
    must_change: bool,
    expires: Option<OffsetDateTime>,
}

impl InMemoryDirectory {
    /// An empty directory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces an account.
    pub fn insert(&self, record: UserRecord) {
        let id = record.id.clone();
        self.lock().insert(
            id,
            StoredUser {
                record,
                must_change: false,
                expires: None,
            },
        );
    }

    /// Enables or disables self-service reset for an account; `false` when there is none.
    pub fn set_self_service_reset(&self, id: &UserId, enabled: bool) -> bool {
        self.lock()
            .get_mut(id)
            .map(|u| u.record.self_service_reset = enabled)
            .is_some()
    }

    /// The stored record of an account.
    pub fn get(&self, id: &UserId) -> Option<UserRecord> {
        self.lock().get(id).map(|u| u.record.clone())
    }

    /// Whether the account must change its password at next sign-in, and until when the
    /// temporary password works.
    pub fn must_change(&self, id: &UserId) -> Option<(bool, Option<OffsetDateTime>)> {
        self.lock().get(id).map(|u| (u.must_change, u.expires))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<UserId, StoredUser>> {
        self.users.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Directory for InMemoryDirectory {
    async fn find_user(&self, id: &UserId) -> Result<Option<UserRecord>, DirectoryError> {
        Ok(self.get(id))
    }

    async fn password_state(&self, id: &UserId) -> Result<Option<PasswordState>, DirectoryError> {
        Ok(self.lock().get(id).map(|u| PasswordState {
            must_change: u.must_change,
            expires: u.expires,
        }))
    }

    async fn set_password(
        &self,
        id: &UserId,
        password: NewPasswordHash,
    ) -> Result<(), DirectoryError> {
        let mut users = self.lock();
        let user = users.get_mut(id).ok_or(DirectoryError::NoSuchUser)?;
        user.record.password_hash = Some(password.hash);
        user.must_change = password.must_change;
        user.expires = password.expires;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;
    use crate::limits::CounterError;
    use crate::offload::OffloadError;
    use crate::sender::SendError;
    use crate::store::StoreError;
    use crate::support::SupportError;

    /// Every host error: a fixed text of its own, the host's error as its source.
    #[test]
    fn host_errors_keep_their_cause() {
        let cause = || std::io::Error::new(std::io::ErrorKind::TimedOut, "LDAP timed out");
        let errors: [(Box<dyn std::error::Error>, &str); 6] = [
            (
                Box::new(DirectoryError::unavailable(cause())),
                "the user directory is unavailable",
            ),
            (
                Box::new(SendError::unavailable(cause())),
                "the message could not be delivered",
            ),
            (
                Box::new(CounterError::unavailable(cause())),
                "the limits store is unavailable",
            ),
            (
                Box::new(StoreError::unavailable(cause())),
                "the flow store is unavailable",
            ),
            (
                Box::new(OffloadError::failed(cause())),
                "the background job did not finish",
            ),
            (
                Box::new(SupportError::unavailable(cause())),
                "the support desk is unavailable; try again",
            ),
        ];
        for (error, text) in errors {
            assert_eq!(error.to_string(), text);
            let source = error.source().expect("the cause");
            assert_eq!(source.to_string(), "LDAP timed out");
            let io = source
                .downcast_ref::<std::io::Error>()
                .expect("the io::Error");
            assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
        }
        // A text is a cause too.
        let error = DirectoryError::unavailable("the LDAP server said no");
        assert_eq!(
            error.source().map(ToString::to_string).as_deref(),
            Some("the LDAP server said no")
        );
    }
}
