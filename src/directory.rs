//! The host's user directory: who the user is, whether they may reset by themselves, how
//! to reach them, and where the new password hash goes.

use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex, PoisonError};

use time::OffsetDateTime;

use crate::contact::ContactMethod;
use crate::password::PasswordHash;
pub use crate::roles::Role;
use crate::user_id::UserId;

/// What the directory knows of an account.
#[derive(Debug, Clone)]
pub struct UserRecord {
    /// The account's user ID.
    pub id: UserId,
    /// The organisation (tenant) the account belongs to.
    pub tenant: String,
    /// The account's roles (empty, or [`Role::User`], for an ordinary user); see
    /// [`roles`](crate::roles) for who may reset whose password.
    pub roles: Vec<Role>,
    /// Whether the organisation's admin enabled self-service reset for this account.
    pub self_service_reset: bool,
    /// Registered contact methods, in the order the account holder prefers them.
    pub methods: Vec<ContactMethod>,
    /// The current password hash, if the account has a password.
    pub password_hash: Option<PasswordHash>,
    /// When the account holder last registered or confirmed their methods
    /// ([`registration`](crate::registration)); `None` when they never did (methods an
    /// admin entered, or none). The policy's
    /// [`reconfirm_methods_after`](crate::Policy::reconfirm_methods_after) counts from it.
    pub methods_confirmed: Option<OffsetDateTime>,
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

    /// Stores the account's contact methods, in the account holder's order, and when
    /// they were confirmed, if the account's methods are still `expected` (as
    /// [`find_user`](Directory::find_user) read them): `Ok(false)`, changing nothing, when
    /// they are not, so that two registrations at once cannot undo each other. The only
    /// way [`registration`](crate::registration) changes them, after the account holder
    /// entered a code sent to each new one. Compare and store atomically (one
    /// transaction, a conditional update).
    fn set_methods(
        &self,
        id: &UserId,
        expected: &[ContactMethod],
        methods: Vec<ContactMethod>,
        confirmed: OffsetDateTime,
    ) -> impl Future<Output = Result<bool, DirectoryError>> + Send;

    /// The accounts of `tenant` that hold an administrator role, for the notice to all
    /// admins when an admin's password is reset (the policy's `notify_admins`). The
    /// default finds none: a directory that can list them should.
    fn tenant_admins(
        &self,
        tenant: &str,
    ) -> impl Future<Output = Result<Vec<UserRecord>, DirectoryError>> + Send {
        let _ = tenant;
        async { Ok(Vec::new()) }
    }
}

/// An in-memory directory for tests, examples and small hosts. Clones share the users.
///
/// Looking up an unknown user ID costs what looking up an account costs: the miss reads
/// and copies some stored record (chosen by the ID's hash) and throws the copy away, so
/// the time of a lookup does not tell whether the account exists. A host's own
/// directory should do likewise where its lookups are fast enough to time.
#[derive(Debug, Default, Clone)]
pub struct InMemoryDirectory {
    users: Arc<Mutex<Users>>,
}

/// The records, and where each user ID's is: an open-addressing table of (keyed 64-bit
/// hash of the ID, record number), at most half full. A lookup reads one slot, one
/// record and its ID whether or not the ID is known: for an unknown ID, the record of the
/// last slot it met (or a record chosen by its hash), which is copied and thrown away. A
/// general map would read less on a miss than on a hit (hashbrown keeps its keys apart
/// from its control bytes), and so tell by its time whether an account exists.
#[derive(Debug, Default)]
struct Users {
    records: Vec<StoredUser>,
    slots: Vec<Option<(u64, usize)>>,
    hasher: RandomState,
}

/// Where a lookup ended: the record of the ID, or a record read in its place.
enum Slot {
    Found(usize),
    Missing { other: Option<usize>, free: usize },
}

impl Users {
    fn hash(&self, id: &UserId) -> u64 {
        self.hasher.hash_one(id.as_str())
    }

    fn locate(&self, id: &UserId, hash: u64) -> Slot {
        let mask = self.slots.len().wrapping_sub(1);
        let mut at = usize::try_from(hash).unwrap_or(usize::MAX) & mask;
        let mut other = None;
        // At most half the slots are taken, so the walk meets a free one.
        for _ in 0..self.slots.len() {
            let Some(Some((slot_hash, index))) = self.slots.get(at).copied() else {
                break;
            };
            if slot_hash == hash && self.records.get(index).is_some_and(|u| u.record.id == *id) {
                return Slot::Found(index);
            }
            other = Some(index);
            at = (at + 1) & mask;
        }
        Slot::Missing { other, free: at }
    }

    fn get(&self, id: &UserId) -> Option<&StoredUser> {
        match self.locate(id, self.hash(id)) {
            Slot::Found(index) => self.records.get(index),
            Slot::Missing { .. } => None,
        }
    }

    fn get_mut(&mut self, id: &UserId) -> Option<&mut StoredUser> {
        match self.locate(id, self.hash(id)) {
            Slot::Found(index) => self.records.get_mut(index),
            Slot::Missing { .. } => None,
        }
    }

    /// A copy of the record of `id`; for an unknown ID, `None` after the same work.
    fn find(&self, id: &UserId) -> Option<UserRecord> {
        let hash = self.hash(id);
        let other = match self.locate(id, hash) {
            Slot::Found(index) => return self.records.get(index).map(|u| u.record.clone()),
            Slot::Missing { other, .. } => other,
        };
        let len = u64::try_from(self.records.len()).ok().filter(|&n| n > 0)?;
        let index = other.or_else(|| usize::try_from(hash % len).ok())?;
        let other = self.records.get(index)?;
        if std::hint::black_box(other.record.id == *id) {
            return None;
        }
        drop(std::hint::black_box(other.record.clone()));
        None
    }

    fn insert(&mut self, user: StoredUser) {
        let hash = self.hash(&user.record.id);
        if let Slot::Found(index) = self.locate(&user.record.id, hash) {
            if let Some(stored) = self.records.get_mut(index) {
                *stored = user;
            }
            return;
        }
        if (self.records.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let Slot::Missing { free, .. } = self.locate(&user.record.id, hash) else {
            return;
        };
        if let Some(slot) = self.slots.get_mut(free) {
            *slot = Some((hash, self.records.len()));
            self.records.push(user);
        }
    }

    /// Doubles the slots (at least 16), placing every record again.
    fn grow(&mut self) {
        let len = (self.slots.len() * 2).max(16);
        self.slots = vec![None; len];
        let mask = len - 1;
        for (index, user) in self.records.iter().enumerate() {
            let hash = self.hasher.hash_one(user.record.id.as_str());
            let mut at = usize::try_from(hash).unwrap_or(usize::MAX) & mask;
            while self.slots.get(at).is_some_and(Option::is_some) {
                at = (at + 1) & mask;
            }
            if let Some(slot) = self.slots.get_mut(at) {
                *slot = Some((hash, index));
            }
        }
    }
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
        self.lock().insert(StoredUser {
            record,
            must_change: false,
            expires: None,
        });
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
        self.lock().find(id)
    }

    /// Whether the account must change its password at next sign-in, and until when the
    /// temporary password works.
    pub fn must_change(&self, id: &UserId) -> Option<(bool, Option<OffsetDateTime>)> {
        self.lock().get(id).map(|u| (u.must_change, u.expires))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Users> {
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

    async fn set_methods(
        &self,
        id: &UserId,
        expected: &[ContactMethod],
        methods: Vec<ContactMethod>,
        confirmed: OffsetDateTime,
    ) -> Result<bool, DirectoryError> {
        let mut users = self.lock();
        let user = users.get_mut(id).ok_or(DirectoryError::NoSuchUser)?;
        if user.record.methods != expected {
            return Ok(false);
        }
        user.record.methods = methods;
        user.record.methods_confirmed = Some(confirmed);
        Ok(true)
    }

    async fn tenant_admins(&self, tenant: &str) -> Result<Vec<UserRecord>, DirectoryError> {
        Ok(self
            .lock()
            .records
            .iter()
            .filter(|u| u.record.tenant == tenant && u.record.is_admin())
            .map(|u| u.record.clone())
            .collect())
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

    fn record(id: &str, tenant: &str) -> UserRecord {
        UserRecord {
            id: UserId::parse(id).expect("valid"),
            tenant: tenant.into(),
            roles: vec![Role::User],
            self_service_reset: true,
            methods: vec![ContactMethod::email(format!("{id}.private@example.com"))],
            password_hash: None,
            methods_confirmed: None,
        }
    }

    #[test]
    fn the_table_finds_every_account_and_no_other_as_it_grows() {
        let directory = InMemoryDirectory::new();
        let id = |i: usize| UserId::parse(&format!("user{i}@contoso.nl")).expect("valid");
        assert!(
            directory.get(&id(0)).is_none(),
            "an empty directory has nobody"
        );
        for i in 0..2_000 {
            directory.insert(record(id(i).as_str(), "contoso"));
        }
        for i in 0..2_000 {
            assert_eq!(directory.get(&id(i)).map(|r| r.id), Some(id(i)));
        }
        for i in 2_000..4_000 {
            assert!(directory.get(&id(i)).is_none());
        }
        // Inserting an ID again replaces its record, and adds none.
        directory.insert(record(id(7).as_str(), "fabrikam"));
        assert_eq!(
            directory.get(&id(7)).map(|r| r.tenant),
            Some("fabrikam".into())
        );
        let users = directory.lock();
        assert_eq!(users.records.len(), 2_000);
        assert!(users.slots.len() >= 4_000, "at most half full");
        assert_eq!(users.slots.iter().flatten().count(), 2_000);
    }

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
