//! The few calls a web handler needs: start a flow, resume it by the ID in the request,
//! save it after a step.

use time::OffsetDateTime;

use super::{FlowStore, StoreError, Taken};
use crate::challenge::Media;
use crate::error::Error;
use crate::flow::{FlowId, FlowIdError};
use crate::service::Sspr;
use crate::snapshot::{AnyStep, FlowSnapshot, SnapshotError, Suspend};
use crate::wizard::Wizard;

/// Why a flow could not be started, resumed or saved. The messages are safe to show.
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
    /// Starting the flow or rendering its challenge failed.
    #[error(transparent)]
    Start(#[from] Error),
}

/// Where a saved flow is: its ID for the URL, the step nonce for the form (to refuse a
/// form sent twice, see [`Flows::resume_step`]) and when it expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saved {
    /// The flow's ID: put it in the URL (its text form is URL-safe).
    pub flow: FlowId,
    /// The step nonce of the saved snapshot.
    pub nonce: u64,
    /// When the store forgets the flow (the flow's deadline).
    pub expires_at: OffsetDateTime,
}

/// A web host's view of suspended flows: a [`FlowStore`] and the calls around it.
///
/// ```
/// use sspr::directory::InMemoryDirectory;
/// use sspr::sender::Outbox;
/// use sspr::snapshot::AnyStep;
/// use sspr::step::{AccountType, FromSelectAccount};
/// use sspr::store::{Flows, FlowsError, MemoryFlowStore};
/// use sspr::Sspr;
///
/// # tokio::runtime::Runtime::new()?.block_on(async {
/// // One store for the flows and the per-user counters.
/// let store = MemoryFlowStore::new();
/// let sspr = Sspr::builder(InMemoryDirectory::new(), Outbox::new())
///     .counters(store.clone())
///     .build()?;
/// let flows = Flows::new(store);
///
/// // GET /reset: start a flow; its ID goes in the URL.
/// let id = flows.start(&sspr).await?.flow.to_string();
///
/// // POST /reset/{id}: resume, take the step, save what comes next.
/// match flows.resume(&sspr, &id).await? {
///     AnyStep::SelectAccount(wizard) => match wizard.choose(&sspr, AccountType::WorkOrSchool) {
///         Ok(FromSelectAccount::Identify(next)) => { flows.save(&sspr, &next).await?; }
///         Ok(_) => { /* personal account or expired: the flow ends here */ }
///         Err(refused) => { flows.save(&sspr, &refused.wizard).await?; }
///     },
///     other => { /* render the page of `other.name()` */ }
/// }
///
/// // The same request again (a double click) is refused: the flow moved on.
/// assert!(matches!(flows.resume(&sspr, "not a flow").await, Err(FlowsError::FlowId(_))));
/// assert!(matches!(flows.resume(&sspr, &id).await?, AnyStep::Identify(_)));
/// assert!(matches!(flows.resume(&sspr, &id).await, Err(FlowsError::Missing)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Flows<St> {
    store: St,
}

impl<St: FlowStore> Flows<St> {
    /// Flows kept in `store`.
    pub fn new(store: St) -> Self {
        Flows { store }
    }

    /// The store (for its counters, or a purge timer).
    pub fn store(&self) -> &St {
        &self.store
    }

    /// Starts a flow at the account-type choice and saves it.
    pub async fn start<D, S, K, O>(&self, sspr: &Sspr<D, S, K, O>) -> Result<Saved, FlowsError> {
        let wizard = sspr.start()?;
        self.save(sspr, &wizard).await
    }

    /// Takes the flow named by `id_text` (from the URL) for this request and resumes it.
    /// The flow leaves the store: save the wizard again after the step (or after a
    /// refusal), or the flow ends.
    pub async fn resume<D, S, K, O>(
        &self,
        sspr: &Sspr<D, S, K, O>,
        id_text: &str,
    ) -> Result<AnyStep, FlowsError> {
        self.resume_inner(sspr, id_text, None).await
    }

    /// Like [`Flows::resume`], but only if the flow is still at the step whose snapshot
    /// had `nonce` ([`Saved::nonce`], carried in the form): a form sent twice is
    /// [`FlowsError::Stale`] and the flow stays as it is.
    pub async fn resume_step<D, S, K, O>(
        &self,
        sspr: &Sspr<D, S, K, O>,
        id_text: &str,
        nonce: u64,
    ) -> Result<AnyStep, FlowsError> {
        self.resume_inner(sspr, id_text, Some(nonce)).await
    }

    async fn resume_inner<D, S, K, O>(
        &self,
        sspr: &Sspr<D, S, K, O>,
        id_text: &str,
        nonce: Option<u64>,
    ) -> Result<AnyStep, FlowsError> {
        let flow = FlowId::parse(id_text)?;
        let now = sspr.now();
        let snapshot = match self.store.take(flow, nonce, now).await? {
            Taken::Snapshot(snapshot) => snapshot,
            Taken::Missing => return Err(FlowsError::Missing),
            Taken::Stale => return Err(FlowsError::Stale),
        };
        let step = snapshot.into_step(flow)?;
        if now >= step.deadline() {
            return Err(FlowsError::Expired);
        }
        Ok(step)
    }

    /// Saves the wizard as its flow's current step, until the flow's deadline. The wizard
    /// stays with the caller: if the store fails, nothing is lost.
    pub async fn save<D, S, K, O, T: Suspend>(
        &self,
        sspr: &Sspr<D, S, K, O>,
        wizard: &Wizard<T>,
    ) -> Result<Saved, FlowsError> {
        let snapshot = FlowSnapshot::of(wizard)?;
        self.save_snapshot(sspr, snapshot, wizard.deadline()).await
    }

    /// Saves a resumed step as it is (nothing was done with it).
    pub async fn save_any<D, S, K, O>(
        &self,
        sspr: &Sspr<D, S, K, O>,
        step: &AnyStep,
    ) -> Result<Saved, FlowsError> {
        let snapshot = step.snapshot()?;
        self.save_snapshot(sspr, snapshot, step.deadline()).await
    }

    async fn save_snapshot<D, S, K, O>(
        &self,
        sspr: &Sspr<D, S, K, O>,
        snapshot: FlowSnapshot,
        expires_at: OffsetDateTime,
    ) -> Result<Saved, FlowsError> {
        let saved = Saved {
            flow: snapshot.flow_id(),
            nonce: snapshot.nonce(),
            expires_at,
        };
        self.store.save(snapshot, expires_at, sspr.now()).await?;
        Ok(saved)
    }

    /// Renders the challenge of the flow named by `id_text` (the picture or clip URL of
    /// the Identify page) without using up its step: the flow stays in the store, and
    /// fetching it again gives the same bytes. [`FlowsError::NoChallenge`] when the flow
    /// is at another step.
    pub async fn challenge<D, S, K, O>(
        &self,
        sspr: &Sspr<D, S, K, O>,
        id_text: &str,
    ) -> Result<Media, FlowsError> {
        let flow = FlowId::parse(id_text)?;
        let snapshot = self
            .store
            .peek(flow, sspr.now())
            .await?
            .ok_or(FlowsError::Missing)?;
        match FlowSnapshot::resume(snapshot.as_bytes(), flow)? {
            AnyStep::Identify(wizard) => Ok(sspr.render(&wizard)?),
            _ => Err(FlowsError::NoChallenge),
        }
    }

    /// Forgets a flow (the person cancelled).
    pub async fn discard(&self, flow: FlowId) -> Result<(), FlowsError> {
        Ok(self.store.discard(flow).await?)
    }
}
