//! The bounded in-memory flow store: shards of `Mutex<HashMap>`, expired flows purged;
//! flows past their challenge refused (never live ones dropped) when full, anonymous
//! flows (before their challenge) in a pool of their own that evicts the oldest.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use time::{Duration, OffsetDateTime};

use super::{FlowStore, StoreError, Taken};
use crate::flow::FlowId;
use crate::grant::{GrantDigest, GrantStore, GrantTaken, StoredGrant};
use crate::limits::{Counter, CounterError, Counters, MemoryCounters};
use crate::snapshot::FlowSnapshot;
use crate::user_id::UserId;

/// The number of flows past their challenge a [`MemoryFlowStore::new`] store holds.
pub const DEFAULT_CAPACITY: usize = 1_000_000;

/// The number of anonymous flows (before their challenge is solved) a
/// [`MemoryFlowStore::new`] store holds before it evicts the oldest: at most a few tens
/// of megabytes, however many flows anyone starts.
pub const DEFAULT_ANONYMOUS_CAPACITY: usize = 100_000;

/// The number of shards (independent locks) of a [`MemoryFlowStore`].
pub const DEFAULT_SHARDS: usize = 64;

struct Entry {
    /// Unix time in nanoseconds.
    expires: i64,
    snapshot: FlowSnapshot,
}

impl Entry {
    fn anonymous(&self) -> bool {
        self.snapshot.is_anonymous()
    }
}

#[derive(Default)]
struct Shard {
    flows: HashMap<FlowId, Entry>,
    /// No flow in this shard expires before this (unix nanoseconds): a purge before it
    /// would find nothing.
    earliest: i64,
}

impl Shard {
    /// Removes the flows expired at `now`; returns how many, past their challenge and
    /// anonymous.
    fn purge(&mut self, now: i64) -> (usize, usize) {
        if now < self.earliest {
            return (0, 0);
        }
        let (mut identified, mut anonymous) = (0, 0);
        self.flows.retain(|_, entry| {
            let live = entry.expires > now;
            if !live && entry.anonymous() {
                anonymous += 1;
            } else if !live {
                identified += 1;
            }
            live
        });
        self.earliest = self
            .flows
            .values()
            .map(|e| e.expires)
            .min()
            .unwrap_or(i64::MAX);
        (identified, anonymous)
    }
}

struct Inner {
    shards: Box<[Mutex<Shard>]>,
    /// Flows past their challenge held, over all shards.
    len: AtomicUsize,
    capacity: usize,
    /// Anonymous flows held, over all shards.
    anonymous: AtomicUsize,
    anonymous_capacity: usize,
    /// Anonymous saves, oldest first: (flow, step nonce). An entry whose flow has moved
    /// on (another nonce, past its challenge, gone) is stale and skipped. Locked before
    /// a shard, never while one is held.
    arrivals: Mutex<VecDeque<(FlowId, u64)>>,
}

/// A bounded, sharded in-memory [`FlowStore`] with its own per-user-ID counters. One per
/// process; clones share the flows and counters.
///
/// Flow IDs are random, so flows spread evenly over the shards (each its own lock).
///
/// Two bounds, so that nobody can fill the store by starting flows, which costs them
/// nothing: flows past their challenge ([`DEFAULT_CAPACITY`]; a save into a full store
/// first purges the expired flows, then refuses with [`StoreError::Full`], never
/// dropping a live one), and anonymous flows, before their challenge is solved
/// ([`FlowSnapshot::is_anonymous`], [`DEFAULT_ANONYMOUS_CAPACITY`]), which are evicted
/// oldest first when more arrive. A flood of starts evicts only other anonymous flows:
/// it never blocks a new start, and never touches a flow whose challenge was solved.
/// (A person still solving a challenge during a flood large enough to cycle the whole
/// pool must start again; the web host's per-client rate limits keep floods smaller.)
#[derive(Clone)]
pub struct MemoryFlowStore {
    inner: Arc<Inner>,
    counters: MemoryCounters,
    /// Reset links: one per account (only admins make them, so at most one per account).
    grants: Arc<Mutex<HashMap<UserId, StoredGrant>>>,
}

impl fmt::Debug for MemoryFlowStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryFlowStore")
            .field("capacity", &self.inner.capacity)
            .field("shards", &self.inner.shards.len())
            .finish_non_exhaustive()
    }
}

impl Default for MemoryFlowStore {
    fn default() -> Self {
        Self::new()
    }
}

fn nanos(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos()).unwrap_or(if t.unix_timestamp() < 0 {
        i64::MIN
    } else {
        i64::MAX
    })
}

impl MemoryFlowStore {
    /// A store of [`DEFAULT_CAPACITY`] flows in [`DEFAULT_SHARDS`] shards.
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }

    /// A store of at most `capacity` flows (at least one per shard).
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_shards(capacity, DEFAULT_SHARDS)
    }

    /// A store of at most `capacity` flows in `shards` shards (1..=1024; more shards,
    /// less waiting under concurrent use, coarser capacity per shard).
    pub fn with_shards(capacity: usize, shards: usize) -> Self {
        Self::with_limits(capacity, DEFAULT_ANONYMOUS_CAPACITY, shards)
    }

    /// A store of at most `capacity` flows past their challenge and `anonymous_capacity`
    /// anonymous flows (each at least 1), in `shards` shards (1..=1024).
    pub fn with_limits(capacity: usize, anonymous_capacity: usize, shards: usize) -> Self {
        let shards = shards.clamp(1, 1024);
        MemoryFlowStore {
            inner: Arc::new(Inner {
                shards: (0..shards).map(|_| Mutex::new(Shard::default())).collect(),
                len: AtomicUsize::new(0),
                capacity: capacity.max(1),
                anonymous: AtomicUsize::new(0),
                anonymous_capacity: anonymous_capacity.max(1),
                arrivals: Mutex::new(VecDeque::new()),
            }),
            counters: MemoryCounters::new(),
            grants: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// The most flows past their challenge the store holds.
    pub fn capacity(&self) -> usize {
        self.inner.capacity
    }

    /// The most anonymous flows the store holds before it evicts the oldest.
    pub fn anonymous_capacity(&self) -> usize {
        self.inner.anonymous_capacity
    }

    /// Flows past their challenge held now (expired ones not purged yet included).
    pub fn len(&self) -> usize {
        self.inner.len.load(Ordering::Acquire)
    }

    /// Anonymous flows held now (expired ones not purged yet included).
    pub fn anonymous_len(&self) -> usize {
        self.inner.anonymous.load(Ordering::Acquire)
    }

    /// Whether no flow is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0 && self.anonymous_len() == 0
    }

    /// Removes every flow expired at `now` (and forgets per-user counters whose windows
    /// and blocks have ended); returns how many flows. Saves purge a full shard by
    /// themselves; a host may also call this from a timer to free memory sooner.
    pub fn purge_expired(&self, now: OffsetDateTime) -> usize {
        self.counters.purge_expired(now);
        self.grants
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, grant| grant.expires > now);
        self.purge_expired_nanos(nanos(now))
    }

    fn purge_expired_nanos(&self, now: i64) -> usize {
        self.inner
            .shards
            .iter()
            .map(|s| {
                let (identified, anonymous) = lock(s).purge(now);
                self.inner.len.fetch_sub(identified, Ordering::AcqRel);
                self.inner.anonymous.fetch_sub(anonymous, Ordering::AcqRel);
                identified + anonymous
            })
            .sum()
    }

    /// Counts one more flow, unless the store is full.
    fn reserve(&self) -> bool {
        let capacity = self.inner.capacity;
        self.inner
            .len
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < capacity).then_some(n + 1)
            })
            .is_ok()
    }

    fn remove(&self, shard: &mut Shard, flow: &FlowId) -> Option<Entry> {
        let entry = shard.flows.remove(flow)?;
        self.count(&entry).fetch_sub(1, Ordering::AcqRel);
        Some(entry)
    }

    /// The count an entry is held in.
    fn count(&self, entry: &Entry) -> &AtomicUsize {
        if entry.anonymous() {
            &self.inner.anonymous
        } else {
            &self.inner.len
        }
    }

    /// Notes an anonymous save, then evicts the oldest anonymous flows while there are
    /// more than the pool holds. The arrivals keep at most about twice the pool: stale
    /// ones are dropped when they pile up.
    fn arrived(&self, flow: FlowId, nonce: u64) {
        let mut arrivals = self
            .inner
            .arrivals
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        arrivals.push_back((flow, nonce));
        let capacity = self.inner.anonymous_capacity;
        while self.anonymous_len() > capacity {
            let Some((oldest, nonce)) = arrivals.pop_front() else {
                break;
            };
            let mut shard = self.shard(&oldest);
            let current = shard
                .flows
                .get(&oldest)
                .is_some_and(|e| e.anonymous() && e.snapshot.nonce() == nonce);
            if current {
                self.remove(&mut shard, &oldest);
            }
        }
        if arrivals.len() > 2 * capacity + 64 {
            // Keep one arrival per live anonymous flow (the same snapshot saved again
            // arrives again): at most `capacity` are left.
            let mut seen = std::collections::HashSet::with_capacity(capacity);
            arrivals.retain(|(flow, nonce)| {
                let current = self
                    .shard(flow)
                    .flows
                    .get(flow)
                    .is_some_and(|e| e.anonymous() && e.snapshot.nonce() == *nonce);
                current && seen.insert(*flow)
            });
        }
    }

    fn shard(&self, flow: &FlowId) -> MutexGuard<'_, Shard> {
        let b = flow.as_bytes();
        // `with_shards` keeps at least one shard, so the index is in bounds.
        let index = usize::from(u16::from_le_bytes([b[0], b[1]])) % self.inner.shards.len();
        lock(&self.inner.shards[index])
    }

    fn save_now(
        &self,
        snapshot: FlowSnapshot,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let (expires, now) = (nanos(expires_at), nanos(now));
        if expires <= now {
            return Err(StoreError::Expired);
        }
        let flow = snapshot.flow_id();
        if snapshot.is_anonymous() {
            let nonce = snapshot.nonce();
            let mut shard = self.shard(&flow);
            let entry = Entry { expires, snapshot };
            self.inner.anonymous.fetch_add(1, Ordering::AcqRel);
            if shard.flows.is_empty() {
                shard.earliest = expires;
            }
            if let Some(old) = shard.flows.insert(flow, entry) {
                self.count(&old).fetch_sub(1, Ordering::AcqRel);
            }
            shard.earliest = shard.earliest.min(expires);
            drop(shard);
            self.arrived(flow, nonce);
            return Ok(());
        }
        let mut shard = self.shard(&flow);
        let replaces = |shard: &Shard| shard.flows.get(&flow).is_some_and(|e| !e.anonymous());
        if !replaces(&shard) && !self.reserve() {
            // Full: purge the expired flows of every shard (without holding this one),
            // then try once more.
            drop(shard);
            self.purge_expired_nanos(now);
            shard = self.shard(&flow);
            if !replaces(&shard) && !self.reserve() {
                return Err(StoreError::Full {
                    capacity: self.inner.capacity,
                });
            }
        }
        if shard.flows.is_empty() {
            shard.earliest = expires;
        }
        shard.earliest = shard.earliest.min(expires);
        // Past its challenge now: an anonymous snapshot it replaces leaves the pool (the
        // reservation above counted this one; replacing one past its challenge needed
        // none).
        let old = shard.flows.insert(flow, Entry { expires, snapshot });
        if old.is_some_and(|old| old.anonymous()) {
            self.inner.anonymous.fetch_sub(1, Ordering::AcqRel);
        }
        Ok(())
    }

    fn take_now(&self, flow: FlowId, nonce: Option<u64>, now: OffsetDateTime) -> Taken {
        let mut shard = self.shard(&flow);
        let Some(entry) = shard.flows.get(&flow) else {
            return Taken::Missing;
        };
        if entry.expires <= nanos(now) {
            self.remove(&mut shard, &flow);
            return Taken::Missing;
        }
        if nonce.is_some_and(|n| n != entry.snapshot.nonce()) {
            return Taken::Stale;
        }
        match self.remove(&mut shard, &flow) {
            Some(entry) => Taken::Snapshot(entry.snapshot),
            None => Taken::Missing,
        }
    }
}

fn lock(shard: &Mutex<Shard>) -> MutexGuard<'_, Shard> {
    shard.lock().unwrap_or_else(PoisonError::into_inner)
}

impl FlowStore for MemoryFlowStore {
    async fn save(
        &self,
        snapshot: FlowSnapshot,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.save_now(snapshot, expires_at, now)
    }

    async fn take(
        &self,
        flow: FlowId,
        nonce: Option<u64>,
        now: OffsetDateTime,
    ) -> Result<Taken, StoreError> {
        Ok(self.take_now(flow, nonce, now))
    }

    async fn peek(
        &self,
        flow: FlowId,
        now: OffsetDateTime,
    ) -> Result<Option<FlowSnapshot>, StoreError> {
        let shard = self.shard(&flow);
        Ok(shard
            .flows
            .get(&flow)
            .filter(|entry| entry.expires > nanos(now))
            .and_then(|entry| FlowSnapshot::from_bytes(entry.snapshot.as_bytes()).ok()))
    }

    async fn discard(&self, flow: FlowId) -> Result<(), StoreError> {
        let mut shard = self.shard(&flow);
        self.remove(&mut shard, &flow);
        Ok(())
    }
}

impl Counters for MemoryFlowStore {
    async fn add(
        &self,
        user: &UserId,
        counter: Counter,
        now: OffsetDateTime,
        window: Duration,
    ) -> Result<u32, CounterError> {
        self.counters.add(user, counter, now, window).await
    }

    async fn release(&self, user: &UserId, counter: Counter) -> Result<(), CounterError> {
        self.counters.release(user, counter).await
    }

    async fn block(&self, user: &UserId, until: OffsetDateTime) -> Result<(), CounterError> {
        self.counters.block(user, until).await
    }

    async fn blocked_until(
        &self,
        user: &UserId,
        now: OffsetDateTime,
    ) -> Result<Option<OffsetDateTime>, CounterError> {
        self.counters.blocked_until(user, now).await
    }

    async fn clear(&self, user: &UserId) -> Result<(), CounterError> {
        self.counters.clear(user).await
    }
}

/// Synchronous access for benchmarks and hosts without an executor at hand.
impl MemoryFlowStore {
    /// [`FlowStore::save`] without the future.
    pub fn save_blocking(
        &self,
        snapshot: FlowSnapshot,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.save_now(snapshot, expires_at, now)
    }

    /// [`FlowStore::take`] without the future.
    pub fn take_blocking(&self, flow: FlowId, nonce: Option<u64>, now: OffsetDateTime) -> Taken {
        self.take_now(flow, nonce, now)
    }
}

impl GrantStore for MemoryFlowStore {
    async fn put(
        &self,
        user: &UserId,
        grant: StoredGrant,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        if grant.expires <= now {
            return Err(StoreError::Expired);
        }
        self.grants
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(user.clone(), grant);
        Ok(())
    }

    async fn take(
        &self,
        user: &UserId,
        digest: &GrantDigest,
        now: OffsetDateTime,
    ) -> Result<GrantTaken, StoreError> {
        let mut grants = self.grants.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(grant) = grants.get(user) else {
            return Ok(GrantTaken::None);
        };
        if grant.expires <= now {
            grants.remove(user);
            return Ok(GrantTaken::None);
        }
        if !grant.digest.matches(digest) {
            return Ok(GrantTaken::Wrong);
        }
        let expires = grant.expires;
        grants.remove(user);
        Ok(GrantTaken::Taken { expires })
    }

    async fn revoke(&self, user: &UserId) -> Result<bool, StoreError> {
        Ok(self
            .grants
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(user)
            .is_some())
    }
}
