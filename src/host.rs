//! The host's parts: the traits an application implements (or takes the crate's
//! in-memory implementations of) to run the wizard, with their errors.
//!
//! | part | trait | in-memory | what it does |
//! | --- | --- | --- | --- |
//! | user directory | [`Directory`] | [`InMemoryDirectory`] | finds accounts, stores new password hashes |
//! | code delivery | [`CodeSender`] | [`Outbox`] | sends one-time codes and notices (email, SMS, voice) |
//! | per-user limits | [`Counters`] | [`MemoryCounters`], [`MemoryFlowStore`](crate::store::MemoryFlowStore) | counts codes and failures per user ID across flows |
//! | hashing pool | [`Offload`] | [`Inline`], `TokioBlocking` (feature `tokio`) | runs Argon2id off the async workers |
//! | delivery hand-off | [`Dispatch`] | [`DeliveryThread`], `TokioSpawn` (feature `tokio`), [`DeliverAtOnce`] | runs code deliveries off the request path |
//! | time | [`Clock`] | [`SystemClock`], [`ManualClock`] | the time of every deadline |
//!
//! Audit events go to an [`EventSink`](crate::event::EventSink); suspended flows to a
//! [`FlowStore`](crate::store::FlowStore). The `conformance` feature has test suites for
//! a host's own implementations.

pub use crate::clock::{Clock, ManualClock, SystemClock};
pub use crate::code::{CodeError, CodeKey, MAX_CODE_DIGITS, MIN_CODE_DIGITS, OneTimeCode};
pub use crate::contact::{ContactKind, ContactMethod, MaskedContact};
pub use crate::directory::{
    Directory, DirectoryError, InMemoryDirectory, NewPasswordHash, PasswordState, Role, UserRecord,
};
#[cfg(feature = "tokio")]
pub use crate::dispatch::TokioSpawn;
pub use crate::dispatch::{
    DeliverAtOnce, DeliveryThread, Dispatch, DispatchError, PendingDelivery,
};
pub use crate::keys::Keys;
pub use crate::limits::{Counter, CounterError, Counters, MemoryCounters};
#[cfg(feature = "tokio")]
pub use crate::offload::TokioBlocking;
pub use crate::offload::{Inline, Offload, OffloadError};
pub use crate::sender::{
    CodeSender, Delivery, Message as DeliveryContent, Notice, Outbox, SendError,
};
