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
}

/// A failure of the counter store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CounterError {
    /// The store could not be reached; try again.
    #[error("the limits store is unavailable: {0}")]
    Unavailable(String),
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

    /// Forgets `user`'s counters and block (after a successful reset).
    fn clear(&self, user: &UserId) -> impl Future<Output = Result<(), CounterError>> + Send;
}

#[derive(Debug, Default)]
struct UserCounters {
    windows: HashMap<Counter, (OffsetDateTime, u32)>,
    blocked_until: Option<OffsetDateTime>,
}

/// In-memory counters for one process. Clones share the counts.
#[derive(Debug, Default, Clone)]
pub struct MemoryCounters {
    users: Arc<Mutex<HashMap<UserId, UserCounters>>>,
}

impl MemoryCounters {
    /// Empty counters.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<UserId, UserCounters>> {
        self.users.lock().unwrap_or_else(PoisonError::into_inner)
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
        let mut users = self.lock();
        let entry = users.entry(user.clone()).or_default();
        let slot = entry.windows.entry(counter).or_insert((now, 0));
        if now >= slot.0 + window {
            *slot = (now, 0);
        }
        slot.1 = slot.1.saturating_add(1);
        Ok(slot.1)
    }

    async fn release(&self, user: &UserId, counter: Counter) -> Result<(), CounterError> {
        if let Some(slot) = self
            .lock()
            .get_mut(user)
            .and_then(|u| u.windows.get_mut(&counter))
        {
            slot.1 = slot.1.saturating_sub(1);
        }
        Ok(())
    }

    async fn block(&self, user: &UserId, until: OffsetDateTime) -> Result<(), CounterError> {
        let mut users = self.lock();
        let entry = users.entry(user.clone()).or_default();
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
            .get(user)
            .and_then(|u| u.blocked_until)
            .filter(|until| *until > now))
    }

    async fn clear(&self, user: &UserId) -> Result<(), CounterError> {
        self.lock().remove(user);
        Ok(())
    }
}
