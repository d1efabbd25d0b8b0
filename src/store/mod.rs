//! Where suspended flows wait between two requests: the [`FlowStore`] trait, the bounded
//! in-memory [`MemoryFlowStore`], and [`Flows`], the few calls a web handler needs.
//!
//! A store keeps the latest [`FlowSnapshot`] of each flow until its deadline and hands it
//! out once ([`FlowStore::take`]). The crate's stores also keep the per-user-ID
//! [`Counters`](crate::host::Counters), so that the wizard's cross-flow limits hold for
//! every flow they serve.

mod flows;
mod memory;
#[cfg(feature = "redis")]
mod redis;

use std::future::Future;

use time::OffsetDateTime;

pub use crate::snapshot::{
    FlowSnapshot, MAX_ADDRESS_BYTES, MAX_METHODS, MAX_SNAPSHOT_BYTES, SnapshotError,
};
pub use flows::{EXPIRED_KEPT_FOR, Flows, FlowsError, Saved};
pub use memory::{DEFAULT_ANONYMOUS_CAPACITY, DEFAULT_CAPACITY, DEFAULT_SHARDS, MemoryFlowStore};
#[cfg(feature = "redis")]
pub use redis::{RedisFlowStore, StoreKey};

use crate::flow::FlowId;

/// A failure of a flow store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store holds as many live flows as it may: no flow was dropped to make room.
    /// Try again later.
    #[error("too many password resets are in progress ({capacity}); try again in a few minutes")]
    Full {
        /// The most flows the store holds.
        capacity: usize,
    },
    /// The snapshot's flow ran out before it was stored.
    #[error("the flow expired before it could be saved; start again")]
    Expired,
    /// The store could not be reached; the wizard the host holds is unchanged: try again.
    /// Made with [`StoreError::unavailable`].
    #[error("the flow store is unavailable")]
    Unavailable {
        /// What went wrong, for the host's logs. Must not hold a snapshot, a key or a
        /// connection string with credentials.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl StoreError {
    /// The store could not be reached, because of `source` (an error, or a text):
    /// `Err(StoreError::unavailable(e))`.
    pub fn unavailable(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        StoreError::Unavailable {
            source: source.into(),
        }
    }
}

impl crate::message::Message for StoreError {
    fn message_id(&self) -> &'static str {
        match self {
            StoreError::Full { .. } => "store-full",
            StoreError::Expired => "store-expired",
            StoreError::Unavailable { .. } => "store-unavailable",
        }
    }

    /// `capacity` for [`StoreError::Full`].
    fn message_args(&self) -> Vec<(&'static str, crate::message::Arg)> {
        match *self {
            StoreError::Full { capacity } => vec![("capacity", capacity.into())],
            _ => Vec::new(),
        }
    }
}

/// What [`FlowStore::take`] found.
#[derive(Debug)]
#[must_use]
pub enum Taken {
    /// The flow's current snapshot, now removed from the store: resume it once.
    Snapshot(FlowSnapshot),
    /// No such flow: unknown, expired, finished, or already taken by another request.
    Missing,
    /// The flow moved on: the nonce asked for is not its current step's. The current
    /// snapshot stays in the store.
    Stale,
}

/// Keeps suspended flows: one current snapshot per flow.
///
/// Implementations are `Send + Sync`, every operation is atomic, and the time comes from
/// the caller (`now`), never from the system clock. A store files each flow under its
/// store key ([`FlowSnapshot::flow_id`], [`FlowId::store_key`](crate::FlowId::store_key)
/// of the flow's ID), never under the flow ID itself: the `flow` arguments below are
/// store keys, and [`Flows`] passes them. The crate's stores also implement
/// [`Counters`](crate::host::Counters), so one store can keep both; the two are separate
/// traits, so a host may keep them apart.
pub trait FlowStore: Send + Sync {
    /// Stores `snapshot` as its flow's current one (replacing any earlier one) until
    /// `expires_at`. A store that is full of live flows refuses with
    /// [`StoreError::Full`] rather than dropping one.
    fn save(
        &self,
        snapshot: FlowSnapshot,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Removes and returns the flow's current snapshot, for one use: when many requests
    /// take the same flow at once, exactly one gets it. With `nonce`, only the snapshot
    /// with that step nonce is taken ([`Taken::Stale`] for any other); an expired flow
    /// is [`Taken::Missing`].
    fn take(
        &self,
        flow: FlowId,
        nonce: Option<u64>,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<Taken, StoreError>> + Send;

    /// Reads the flow's current snapshot without taking it: for requests that only
    /// show the step (the challenge picture or clip of a page already served), which
    /// must not use up the step. `None` when the flow is missing or expired. The crate
    /// turns a peeked snapshot into the challenge only, never into a wizard.
    fn peek(
        &self,
        flow: FlowId,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<Option<FlowSnapshot>, StoreError>> + Send;

    /// Whether other processes share this store (a Redis store does; an in-memory one
    /// does not). A shared store needs the deployment's keys, never per-process ones.
    fn is_shared(&self) -> bool {
        false
    }

    /// Forgets a flow (the person cancelled); `Ok` when there was none.
    fn discard(&self, flow: FlowId) -> impl Future<Output = Result<(), StoreError>> + Send;
}
