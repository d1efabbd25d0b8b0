//! The few calls a web handler needs: resume a flow by the ID in the request, save what
//! the step led to, show the challenge of a page already served.

use std::fmt;
use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use super::{FlowStore, StoreError, Taken};
use crate::challenge::Challenge;
use crate::clock::{Clock, SystemClock};
use crate::flow::{FlowId, FlowIdError};
use crate::keys::Keys;
use crate::message::{Arg, Message};
use crate::next::{AnyStep, Next};
use crate::snapshot::SnapshotError;

/// How long a flow stays in the store past its deadline: a person who comes back within
/// it is told that the reset expired ([`FlowsError::Expired`]) rather than that there is
/// none. The deadline itself is sealed in the snapshot, so whoever writes to the store
/// cannot extend it.
pub const EXPIRED_KEPT_FOR: Duration = Duration::minutes(15);

/// Why a flow could not be resumed or saved. The messages are safe to show.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FlowsError {
    /// The flow ID in the request is not one (wrong length or characters).
    #[error(transparent)]
    FlowId(#[from] FlowIdError),
    /// No such flow: unknown, expired, finished, or already in use by another request.
    #[error("this password reset is no longer open; start again")]
    Missing,
    /// The request is for a step the flow has already left (a form sent twice).
    #[error("this page is out of date; continue from the latest page")]
    Stale,
    /// The flow's lifetime ran out.
    #[error("this password reset expired; start again")]
    Expired,
    /// The stored flow could not be read or written.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// The store failed or is full.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The flow is not at the step that shows a challenge.
    #[error("this page has no challenge to show")]
    NoChallenge,
    /// A store shared between processes was given [`Keys::ephemeral`]: give every
    /// server the same [`Keys::from_secret`].
    #[error("a shared flow store needs the deployment's keys, not random ones")]
    EphemeralKeys,
}

/// Where a saved flow is: its ID (for the cookie or URL), the step nonce for the form (to
/// refuse a form sent twice, see [`Flows::resume_step`]) and when it expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saved {
    /// The flow's ID (its text form is URL-safe).
    pub flow: FlowId,
    /// The step nonce of the saved snapshot.
    pub nonce: u64,
    /// When the store forgets the flow: [`EXPIRED_KEPT_FOR`] after the flow's deadline
    /// (a flow cookie may live as long, so that a late visitor hears it expired).
    pub expires_at: OffsetDateTime,
}

/// A web host's view of suspended flows: a [`FlowStore`], a clock, and the calls around
/// them. Cloning is cheap (the store is shared).
///
/// A handler: resume, match, save the [`Next`].
///
/// ```
/// use sspr::host::{InMemoryDirectory, Keys, Outbox};
/// use sspr::step::AccountType;
/// use sspr::store::{Flows, FlowsError, MemoryFlowStore};
/// use sspr::{AnyStep, Next, Sspr};
///
/// # tokio::runtime::Runtime::new()?.block_on(async {
/// // The deployment's keys (from configuration), one store for the flows and the
/// // per-user counters.
/// let keys = Keys::from_secret([7; 32]);
/// let store = MemoryFlowStore::new();
/// let sspr = Sspr::builder(InMemoryDirectory::new(), Outbox::new())
///     .keys(&keys)
///     .counters(store.clone())
///     .build()?;
/// let flows = Flows::new(store, keys)?;
///
/// // GET /reset: start a flow; its ID goes in a cookie.
/// let saved = flows.save(&sspr.start()?.into()).await?.expect("a step is saved");
/// let id = saved.flow.to_string();
///
/// // POST /reset: resume, take the step, save what comes next.
/// let (next, refusal) = match flows.resume(&id).await? {
///     AnyStep::SelectAccount(wizard) => {
///         Next::from_result(wizard.choose(&sspr, AccountType::WorkOrSchool))
///     }
///     other => (other.into(), None), // unchanged: show its page again
/// };
/// assert!(refusal.is_none());
/// flows.save(&next).await?;
///
/// // The flow moved on: a bad ID is refused, and each take is used once.
/// assert!(matches!(flows.resume("not a flow").await, Err(FlowsError::FlowId(_))));
/// assert!(matches!(flows.resume(&id).await?, AnyStep::Identify(_)));
/// assert!(matches!(flows.resume(&id).await, Err(FlowsError::Missing)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Flows<St> {
    store: St,
    keys: Keys,
    clock: Arc<dyn Clock>,
}

impl<St: fmt::Debug> fmt::Debug for Flows<St> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Flows")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl<St: FlowStore> Flows<St> {
    /// Flows kept in `store`, sealed under `keys` (the same on every server that shares
    /// the store), on the system clock. A store shared between processes refuses
    /// [`Keys::ephemeral`]: flows sealed under one process's random key would not open on
    /// another ([`FlowsError::EphemeralKeys`]).
    pub fn new(store: St, keys: Keys) -> Result<Self, FlowsError> {
        if store.is_shared() && keys.is_ephemeral() {
            return Err(FlowsError::EphemeralKeys);
        }
        Ok(Flows {
            store,
            keys,
            clock: Arc::new(SystemClock),
        })
    }

    /// The same flows on another clock (tests pass the service's
    /// [`ManualClock`](crate::host::ManualClock)).
    #[must_use]
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The store (for a purge timer).
    pub fn store(&self) -> &St {
        &self.store
    }

    /// The keys flows are sealed under (a web host seals a pending registration under
    /// them too: [`PendingRegistration::seal`](crate::registration::PendingRegistration::seal)).
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Takes the flow named by `id_text` (from the cookie or URL) for this request and
    /// resumes it. The flow leaves the store: save what the step led to (or the step
    /// itself, after a refusal), or the flow ends.
    pub async fn resume(&self, id_text: &str) -> Result<AnyStep, FlowsError> {
        self.resume_inner(id_text, None).await
    }

    /// Like [`Flows::resume`], but only if the flow is still at the step whose snapshot
    /// had `nonce` ([`Saved::nonce`], carried in the form): a form sent twice is
    /// [`FlowsError::Stale`] and the flow stays as it is.
    pub async fn resume_step(&self, id_text: &str, nonce: u64) -> Result<AnyStep, FlowsError> {
        self.resume_inner(id_text, Some(nonce)).await
    }

    async fn resume_inner(&self, id_text: &str, nonce: Option<u64>) -> Result<AnyStep, FlowsError> {
        let flow = FlowId::parse(id_text)?;
        let now = self.clock.now();
        let snapshot = match self.store.take(flow.store_key(), nonce, now).await? {
            Taken::Snapshot(snapshot) => snapshot,
            Taken::Missing => return Err(FlowsError::Missing),
            Taken::Stale => return Err(FlowsError::Stale),
        };
        // The store compared the nonce; so does the service (the header is sealed in).
        if nonce.is_some_and(|n| n != snapshot.nonce()) {
            return Err(FlowsError::Stale);
        }
        let step = snapshot.into_step(flow, &self.keys)?;
        if now >= step.deadline() {
            return Err(FlowsError::Expired);
        }
        Ok(step)
    }

    /// Saves where a step led. A step is stored as its flow's current one until the
    /// flow's deadline (`Some`, with the form's nonce); an ending leaves nothing to keep
    /// (`None`: the flow was taken when it was resumed, so it is gone).
    ///
    /// The `Next` stays with the caller, to render its page (or to save again when the
    /// store failed: nothing is lost).
    pub async fn save(&self, next: &Next) -> Result<Option<Saved>, FlowsError> {
        let Next::Step(step) = next else {
            return Ok(None);
        };
        let snapshot = step.snapshot(&self.keys)?;
        // Kept a while past the deadline, so that a person who comes back late is told
        // the reset expired rather than that there is none (the sealed deadline decides).
        let expires_at = step.deadline() + EXPIRED_KEPT_FOR;
        let saved = Saved {
            flow: step.flow_id(),
            nonce: snapshot.nonce(),
            expires_at,
        };
        match self
            .store
            .save(snapshot, expires_at, self.clock.now())
            .await
        {
            Ok(()) => Ok(Some(saved)),
            Err(StoreError::Expired) => Err(FlowsError::Expired),
            Err(error) => Err(error.into()),
        }
    }

    /// The challenge of the flow named by `id_text` (for the picture or clip URL of the
    /// Identify page), without using up its step: the flow stays in the store, and
    /// rendering it again gives the same bytes (render it with
    /// [`Sspr::render`](crate::Sspr::render)). [`FlowsError::NoChallenge`] when the flow
    /// is at another step. Nothing else of the flow comes out: no wizard.
    pub async fn challenge(&self, id_text: &str) -> Result<Challenge, FlowsError> {
        let flow = FlowId::parse(id_text)?;
        let now = self.clock.now();
        let snapshot = self
            .store
            .peek(flow.store_key(), now)
            .await?
            .ok_or(FlowsError::Missing)?;
        let step = snapshot.into_step(flow, &self.keys)?;
        if now >= step.deadline() {
            return Err(FlowsError::Expired);
        }
        match step {
            AnyStep::Identify(wizard) => Ok(wizard.into_parts().1.challenge),
            _ => Err(FlowsError::NoChallenge),
        }
    }

    /// Forgets a flow (the person cancelled).
    pub async fn discard(&self, flow: FlowId) -> Result<(), FlowsError> {
        Ok(self.store.discard(flow.store_key()).await?)
    }
}

impl Message for FlowsError {
    fn message_id(&self) -> &'static str {
        match self {
            FlowsError::FlowId(e) => e.message_id(),
            FlowsError::Missing => "flow-missing",
            FlowsError::Stale => "flow-stale",
            FlowsError::Expired => "flow-expired",
            FlowsError::Snapshot(_) => "flow-damaged",
            FlowsError::Store(e) => e.message_id(),
            FlowsError::NoChallenge => "flow-no-challenge",
            FlowsError::EphemeralKeys => "flow-ephemeral-keys",
        }
    }

    fn message_args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            FlowsError::FlowId(e) => e.message_args(),
            FlowsError::Store(e) => e.message_args(),
            _ => Vec::new(),
        }
    }
}
