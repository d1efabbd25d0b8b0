//! The bounded in-memory flow store: shards of `Mutex<HashMap>`, expired flows purged,
//! new flows refused (never live ones dropped) when full.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use time::{Duration, OffsetDateTime};

use super::{FlowStore, StoreError, Taken};
use crate::flow::FlowId;
use crate::limits::{Counter, CounterError, Counters, MemoryCounters};
use crate::snapshot::FlowSnapshot;
use crate::user_id::UserId;

/// The number of flows a [`MemoryFlowStore::new`] store holds.
pub const DEFAULT_CAPACITY: usize = 1_000_000;

/// The number of shards (independent locks) of a [`MemoryFlowStore`].
pub const DEFAULT_SHARDS: usize = 64;

struct Entry {
    /// Unix time in nanoseconds.
    expires: i64,
    snapshot: FlowSnapshot,
}

#[derive(Default)]
struct Shard {
    flows: HashMap<FlowId, Entry>,
    /// No flow in this shard expires before this (unix nanoseconds): a purge before it
    /// would find nothing.
    earliest: i64,
}

impl Shard {
    /// Removes the flows expired at `now`; returns how many.
    fn purge(&mut self, now: i64) -> usize {
        if now < self.earliest {
            return 0;
        }
        let before = self.flows.len();
        self.flows.retain(|_, entry| entry.expires > now);
        self.earliest = self
            .flows
            .values()
            .map(|e| e.expires)
            .min()
            .unwrap_or(i64::MAX);
        before - self.flows.len()
    }
}

struct Inner {
    shards: Box<[Mutex<Shard>]>,
    /// Flows held, over all shards.
    len: AtomicUsize,
    capacity: usize,
}

/// A bounded, sharded in-memory [`FlowStore`] with its own per-user-ID counters. One per
/// process; clones share the flows and counters.
///
/// Flow IDs are random, so flows spread evenly over the shards (each its own lock). A
/// save into a full store first purges the expired flows, then refuses with
/// [`StoreError::Full`].
#[derive(Clone)]
pub struct MemoryFlowStore {
    inner: Arc<Inner>,
    counters: MemoryCounters,
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
        let shards = shards.clamp(1, 1024);
        MemoryFlowStore {
            inner: Arc::new(Inner {
                shards: (0..shards).map(|_| Mutex::new(Shard::default())).collect(),
                len: AtomicUsize::new(0),
                capacity: capacity.max(1),
            }),
            counters: MemoryCounters::new(),
        }
    }

    /// The most flows the store holds.
    pub fn capacity(&self) -> usize {
        self.inner.capacity
    }

    /// Flows held now (expired ones not purged yet included).
    pub fn len(&self) -> usize {
        self.inner.len.load(Ordering::Acquire)
    }

    /// Whether no flow is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes every flow expired at `now` (and forgets per-user counters whose windows
    /// and blocks have ended); returns how many flows. Saves purge a full shard by
    /// themselves; a host may also call this from a timer to free memory sooner.
    pub fn purge_expired(&self, now: OffsetDateTime) -> usize {
        self.counters.purge_expired(now);
        self.purge_expired_nanos(nanos(now))
    }

    fn purge_expired_nanos(&self, now: i64) -> usize {
        self.inner
            .shards
            .iter()
            .map(|s| {
                let purged = lock(s).purge(now);
                self.inner.len.fetch_sub(purged, Ordering::AcqRel);
                purged
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
        self.inner.len.fetch_sub(1, Ordering::AcqRel);
        Some(entry)
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
        let mut shard = self.shard(&flow);
        if !shard.flows.contains_key(&flow) && !self.reserve() {
            // Full: purge the expired flows of every shard (without holding this one),
            // then try once more.
            drop(shard);
            self.purge_expired_nanos(now);
            shard = self.shard(&flow);
            if !shard.flows.contains_key(&flow) && !self.reserve() {
                return Err(StoreError::Full {
                    capacity: self.inner.capacity,
                });
            }
        }
        if shard.flows.is_empty() {
            shard.earliest = expires;
        }
        shard.earliest = shard.earliest.min(expires);
        shard.flows.insert(flow, Entry { expires, snapshot });
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
