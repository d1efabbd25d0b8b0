//! Per-user-ID limits across flows: how many codes were sent and how many verifications
//! failed within a window, and until when a user ID is blocked.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use time::{Duration, OffsetDateTime};

use crate::user_id::UserId;

/// What a counter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Counter {
    /// One-time codes sent.
    CodeSends,
    /// Wrong codes typed.
    FailedVerifications,
    /// Requests to the admins ("contact your administrator").
    AdminRequests,
    /// Registrations begun (each checks the account's password).
    RegistrationSignIns,
    /// Codes sent for registrations (apart from the reset's, so that registering never
    /// uses up what a reset may send).
    RegistrationSends,
    /// Registration codes checked.
    RegistrationChecks,
}

/// A failure of the counter store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CounterError {
    /// The store could not be reached; try again. Made with [`CounterError::unavailable`].
    #[error("the limits store is unavailable")]
    Unavailable {
        /// What went wrong, for the host's logs. Must not hold a secret.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl CounterError {
    /// The store could not be reached, because of `source` (an error, or a text):
    /// `Err(CounterError::unavailable(e))`.
    pub fn unavailable(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        CounterError::Unavailable {
            source: source.into(),
        }
    }
}

/// Shared per-user-ID counters. Every operation is atomic, so limits hold when many
/// flows (on many servers) touch the same user ID at once.
pub trait Counters: Send + Sync {
    /// Adds one to `counter` of `user` and returns the count within the current window.
    /// A window starts at the first add and lasts `window`; after it the count restarts.
    fn add(
        &self,
        user: &UserId,
        counter: Counter,
        now: OffsetDateTime,
        window: Duration,
    ) -> impl Future<Output = Result<u32, CounterError>> + Send;

    /// Takes back one [`add`](Counters::add) of `counter` within the current window
    /// (never below zero): a code counted before its delivery that then failed to go out.
    fn release(
        &self,
        user: &UserId,
        counter: Counter,
    ) -> impl Future<Output = Result<(), CounterError>> + Send;

    /// Blocks `user` until `until`.
    fn block(
        &self,
        user: &UserId,
        until: OffsetDateTime,
    ) -> impl Future<Output = Result<(), CounterError>> + Send;

    /// Until when `user` is blocked, if it is at `now`.
    fn blocked_until(
        &self,
        user: &UserId,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<Option<OffsetDateTime>, CounterError>> + Send;

    /// Whether other processes share these counters (Redis does; memory does not). A
    /// service over shared counters needs the deployment's [`Keys`](crate::host::Keys).
    fn is_shared(&self) -> bool {
        false
    }

    /// Forgets `user`'s counters and block (after a successful reset).
    fn clear(&self, user: &UserId) -> impl Future<Output = Result<(), CounterError>> + Send;
}

#[derive(Debug, Default)]
struct UserCounters {
    /// Per counter: when its window ends, and the count within it.
    windows: HashMap<Counter, (OffsetDateTime, u32)>,
    blocked_until: Option<OffsetDateTime>,
}

impl UserCounters {
    /// Whether anything here still counts at `now`.
    fn is_live(&self, now: OffsetDateTime) -> bool {
        self.blocked_until.is_some_and(|until| until > now)
            || self.windows.values().any(|(end, _)| *end > now)
    }
}

/// How many adds between two sweeps of ended windows and blocks.
const SWEEP_EVERY: u32 = 1024;

#[derive(Debug, Default)]
struct Table {
    users: HashMap<UserId, UserCounters>,
    adds_since_sweep: u32,
}

/// In-memory counters for one process. Clones share the counts. Users whose windows and
/// block have all ended are forgotten (swept every 1,024 adds, and by
/// [`MemoryCounters::purge_expired`]), so the table holds only user IDs that still count.
#[derive(Debug, Default, Clone)]
pub struct MemoryCounters {
    table: Arc<Mutex<Table>>,
}

impl MemoryCounters {
    /// Empty counters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets every user ID whose windows and block have ended at `now`; returns how
    /// many were forgotten.
    pub fn purge_expired(&self, now: OffsetDateTime) -> usize {
        let mut table = self.lock();
        let before = table.users.len();
        table.users.retain(|_, counters| counters.is_live(now));
        table.adds_since_sweep = 0;
        before - table.users.len()
    }

    /// The number of user IDs held.
    pub fn len(&self) -> usize {
        self.lock().users.len()
    }

    /// Whether no user ID is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Counters for MemoryCounters {
    async fn add(
        &self,
        user: &UserId,
        counter: Counter,
        now: OffsetDateTime,
        window: Duration,
    ) -> Result<u32, CounterError> {
        let mut table = self.lock();
        table.adds_since_sweep += 1;
        if table.adds_since_sweep >= SWEEP_EVERY {
            table.adds_since_sweep = 0;
            table.users.retain(|_, counters| counters.is_live(now));
        }
        let entry = table.users.entry(user.clone()).or_default();
        let slot = entry.windows.entry(counter).or_insert((now + window, 0));
        if now >= slot.0 {
            *slot = (now + window, 0);
        }
        slot.1 = slot.1.saturating_add(1);
        Ok(slot.1)
    }

    async fn release(&self, user: &UserId, counter: Counter) -> Result<(), CounterError> {
        if let Some(slot) = self
            .lock()
            .users
            .get_mut(user)
            .and_then(|u| u.windows.get_mut(&counter))
        {
            slot.1 = slot.1.saturating_sub(1);
        }
        Ok(())
    }

    async fn block(&self, user: &UserId, until: OffsetDateTime) -> Result<(), CounterError> {
        let mut table = self.lock();
        let entry = table.users.entry(user.clone()).or_default();
        entry.blocked_until = Some(entry.blocked_until.map_or(until, |u| u.max(until)));
        Ok(())
    }

    async fn blocked_until(
        &self,
        user: &UserId,
        now: OffsetDateTime,
    ) -> Result<Option<OffsetDateTime>, CounterError> {
        Ok(self
            .lock()
            .users
            .get(user)
            .and_then(|u| u.blocked_until)
            .filter(|until| *until > now))
    }

    async fn clear(&self, user: &UserId) -> Result<(), CounterError> {
        self.lock().users.remove(user);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready<T>(future: impl Future<Output = T>) -> T {
        let mut future = std::pin::pin!(future);
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        match future.as_mut().poll(&mut context) {
            std::task::Poll::Ready(value) => value,
            std::task::Poll::Pending => unreachable!("memory counters never wait"),
        }
    }

    #[test]
    fn ended_windows_and_blocks_are_forgotten() {
        let counters = MemoryCounters::new();
        let now = OffsetDateTime::UNIX_EPOCH;
        let hour = Duration::hours(1);
        for i in 0..100 {
            let user = UserId::parse(&format!("user{i}@example.org")).expect("valid");
            ready(counters.add(&user, Counter::CodeSends, now, hour)).expect("add");
        }
        let blocked = UserId::parse("blocked@example.org").expect("valid");
        ready(counters.block(&blocked, now + Duration::days(1))).expect("block");
        assert_eq!(counters.len(), 101);
        assert_eq!(counters.purge_expired(now + Duration::minutes(30)), 0);
        assert_eq!(counters.purge_expired(now + hour), 100);
        assert_eq!(counters.len(), 1, "the block still counts");
        assert_eq!(counters.purge_expired(now + Duration::days(2)), 1);
        assert!(counters.is_empty());
    }

    #[test]
    fn adds_sweep_the_table_so_it_stays_bounded() {
        let counters = MemoryCounters::new();
        let hour = Duration::hours(1);
        let mut now = OffsetDateTime::UNIX_EPOCH;
        for i in 0..10 * SWEEP_EVERY {
            // A new invented user ID every minute: only the last hour's stay.
            let user = UserId::parse(&format!("u{i}@example.org")).expect("valid");
            ready(counters.add(&user, Counter::FailedVerifications, now, hour)).expect("add");
            now += Duration::minutes(1);
        }
        assert!(
            counters.len() <= 60 + SWEEP_EVERY as usize,
            "{}",
            counters.len()
        );
    }
}
