//! The reset service: the policy and the host's parts, shared by every flow.

use std::fmt;
use std::sync::Arc;

use time::OffsetDateTime;

use crate::challenge::{Challenge, ChallengeKind, Language, Media};
use crate::clock::{Clock, SystemClock};
use crate::code::CodeKey;
use crate::contact::{ContactKind, ContactMethod};
use crate::directory::Directory;
use crate::directory::Role;
use crate::dispatch::{DeliveryThread, Dispatch};
use crate::ending::{LockReason, Locked};
use crate::error::Error;
use crate::event::{Actor, Detail, Event, EventSink, NoEvents};
use crate::flow::FlowId;
use crate::keys::Keys;
use crate::limits::{Counter, CounterError, Counters, MemoryCounters};
use crate::offload::{Inline, Offload};
use crate::parts::{DynCounters, DynDirectory, DynOffload, DynSender};
use crate::policy::Policy;
use crate::sender::{CodeSender, Notice};
use crate::state::SelectAccount;
use crate::user_id::UserId;
use crate::wizard::{Flow, Wizard};

/// The reset service: the policy, the code key and the host's parts (directory, code
/// sender, per-user counters, offload pool, clock, event sink). One per process, shared
/// by every flow; wizards borrow it for each transition. Cloning is cheap (the parts are
/// shared), so a web host can keep it in its state.
///
/// The host names its parts once, at [`Sspr::builder`]; the service has no type
/// parameters.
#[derive(Clone)]
pub struct Sspr {
    pub(crate) policy: Arc<Policy>,
    pub(crate) code_key: Arc<CodeKey>,
    /// Code keys of retired secrets: they still check codes sent before a rotation.
    pub(crate) retired_code_keys: Arc<[CodeKey]>,
    pub(crate) directory: Arc<dyn DynDirectory>,
    pub(crate) sender: Arc<dyn DynSender>,
    pub(crate) counters: Arc<dyn DynCounters>,
    pub(crate) offload: Arc<dyn DynOffload>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) events: Arc<dyn EventSink>,
    pub(crate) dispatch: Arc<dyn Dispatch>,
}

/// The service's clock, e.g. for [`Flows`](crate::store::Flows) beside it
/// (`Flows::new(store, keys)?.with_clock(sspr.clone())`), so both read the same time.
impl Clock for Sspr {
    fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }
}

impl fmt::Debug for Sspr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sspr")
            .field("policy", &self.policy)
            .field("code_key", &self.code_key)
            .finish_non_exhaustive()
    }
}

/// Builds an [`Sspr`]: the directory and sender are required; the rest have defaults
/// (default policy, a random code key, in-memory counters, inline hashing, the system
/// clock, no events).
#[must_use]
pub struct SsprBuilder {
    policy: Policy,
    code_key: Option<CodeKey>,
    retired_code_keys: Vec<CodeKey>,
    directory: Arc<dyn DynDirectory>,
    sender: Arc<dyn DynSender>,
    counters: Arc<dyn DynCounters>,
    offload: Arc<dyn DynOffload>,
    clock: Arc<dyn Clock>,
    events: Arc<dyn EventSink>,
    dispatch: Arc<dyn Dispatch>,
}

impl fmt::Debug for SsprBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsprBuilder")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl Sspr {
    /// A builder with the host's directory and code sender.
    pub fn builder(
        directory: impl Directory + 'static,
        sender: impl CodeSender + 'static,
    ) -> SsprBuilder {
        SsprBuilder {
            policy: Policy::default(),
            code_key: None,
            retired_code_keys: Vec::new(),
            directory: Arc::new(directory),
            sender: Arc::new(sender),
            counters: Arc::new(MemoryCounters::default()),
            offload: Arc::new(Inline),
            clock: Arc::new(SystemClock),
            events: Arc::new(NoEvents),
            dispatch: Arc::new(DeliveryThread::default()),
        }
    }
}

impl SsprBuilder {
    /// The policy (see [`Policy::builder`]).
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// The deployment's keys (every server sharing flows and counters is given the same):
    /// the service takes its one-time code key from them. Give the same [`Keys`] to
    /// [`Flows::new`](crate::store::Flows::new).
    pub fn keys(mut self, keys: &Keys) -> Self {
        self.code_key = Some(keys.code_key());
        self.retired_code_keys = keys.retired_code_keys();
        self
    }

    /// The key under which codes are stored, on its own (servers sharing flows share it;
    /// [`SsprBuilder::keys`] derives it from the deployment's master secret instead).
    pub fn code_key(mut self, key: CodeKey) -> Self {
        self.code_key = Some(key);
        self.retired_code_keys = Vec::new();
        self
    }

    /// The clock (tests use a [`ManualClock`](crate::host::ManualClock)).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The audit event sink.
    pub fn events(mut self, events: impl EventSink + 'static) -> Self {
        self.events = Arc::new(events);
        self
    }

    /// The per-user-ID counters (shared across servers in a multi-server host, e.g. the
    /// flow store's: [`MemoryFlowStore`](crate::store::MemoryFlowStore) and
    /// `RedisFlowStore` implement [`Counters`] too).
    pub fn counters(mut self, counters: impl Counters + 'static) -> Self {
        self.counters = Arc::new(counters);
        self
    }

    /// Where code deliveries are handed off under the conceal policy, so that no
    /// request waits for the delivery service (default: a [`DeliveryThread`]; a tokio
    /// host passes `TokioSpawn`).
    pub fn dispatch(mut self, dispatch: impl Dispatch + 'static) -> Self {
        self.dispatch = Arc::new(dispatch);
        self
    }

    /// Where hashing runs (an async host passes its blocking pool).
    pub fn offload(mut self, offload: impl Offload + 'static) -> Self {
        self.offload = Arc::new(offload);
        self
    }

    /// The service. Without keys it draws a random code key for this process, which is
    /// right only for one process: over counters shared with other processes (Redis) it
    /// fails with [`Error::KeysRequired`], since a code sent by one server would be wrong
    /// on another. It also fails when the OS CSPRNG does.
    pub fn build(self) -> Result<Sspr, Error> {
        let code_key = match self.code_key {
            Some(key) => key,
            None if self.counters.is_shared() => return Err(Error::KeysRequired),
            None => CodeKey::generate()?,
        };
        Ok(Sspr {
            policy: Arc::new(self.policy),
            code_key: Arc::new(code_key),
            retired_code_keys: self.retired_code_keys.into(),
            directory: self.directory,
            sender: self.sender,
            counters: self.counters,
            offload: self.offload,
            clock: self.clock,
            events: self.events,
            dispatch: self.dispatch,
        })
    }
}

impl Sspr {
    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The current time of the service's clock.
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Starts a flow at "Can't access your account?": the account-type choice.
    pub fn start(&self) -> Result<Wizard<SelectAccount>, Error> {
        let now = self.now();
        let flow = Flow {
            id: FlowId::generate()?,
            started: now,
            deadline: now + self.policy.flow_lifetime,
        };
        self.emit(&flow, None, Detail::FlowStarted);
        Ok(Wizard {
            flow,
            step: SelectAccount::new(),
        })
    }

    /// Renders a challenge (of an Identify step, [`Identify::challenge`], or of a
    /// stored flow, [`Flows::challenge`](crate::store::Flows::challenge)) at the
    /// policy's picture size and [`Difficulty`](crate::challenge::Difficulty).
    ///
    /// [`Identify::challenge`]: crate::step::Identify::challenge
    pub fn render(&self, challenge: &Challenge) -> Result<Media, Error> {
        Ok(challenge.render_with(self.policy.image_size, self.policy.difficulty)?)
    }

    pub(crate) fn new_challenge(
        &self,
        kind: ChallengeKind,
        language: Language,
    ) -> Result<Challenge, Error> {
        Ok(Challenge::new_in(
            kind,
            self.policy.challenge_length,
            language,
        )?)
    }

    /// The account of a typed user ID: its record, and the ID by the directory's own
    /// spelling (an alias the directory resolves shares the account's block, counters and
    /// events); an unknown ID as typed, without a record.
    pub(crate) async fn account_of(
        &self,
        typed: UserId,
    ) -> Result<(UserId, Option<crate::directory::UserRecord>), crate::directory::DirectoryError>
    {
        let record = self.directory.find_user(&typed).await?;
        let user = record.as_ref().map_or(typed, |r| r.id.clone());
        Ok((user, record))
    }

    /// Records an audit event of a step of `flow`, done by the person at it.
    pub(crate) fn emit(&self, flow: &Flow, user: Option<&UserId>, detail: Detail) {
        self.record_event(Actor::Person, Some(flow.id), user, None, detail);
    }

    /// Records an audit event; its activity follows from the detail.
    pub(crate) fn record_event(
        &self,
        actor: Actor,
        flow: Option<FlowId>,
        user: Option<&UserId>,
        tenant: Option<&str>,
        detail: Detail,
    ) {
        self.events.record(&Event {
            at: self.now(),
            activity: detail.activity(),
            actor,
            flow,
            user: user.cloned(),
            tenant: tenant.map(str::to_owned),
            detail,
        });
    }

    /// The lock of a user ID blocked until `until`, with its audit event.
    pub(crate) fn lock_user(
        &self,
        flow: Option<FlowId>,
        user: &UserId,
        until: OffsetDateTime,
    ) -> Locked {
        let reason = LockReason::UserBlocked;
        // In a flow, the person at it; without one, the signed-in user (a wrong
        // temporary password).
        let actor = if flow.is_some() {
            Actor::Person
        } else {
            Actor::User
        };
        self.record_event(actor, flow, Some(user), None, Detail::Locked { reason });
        Locked {
            reason,
            until: Some(until),
        }
    }

    /// Whether the flow's lifetime ran out; emits the event when it did.
    pub(crate) fn expired(&self, flow: &Flow, user: Option<&UserId>) -> bool {
        if self.now() < flow.deadline {
            return false;
        }
        self.emit(flow, user, Detail::Expired);
        true
    }
}

impl Sspr {
    /// Counts a failed verification (a wrong code, a wrong temporary password) against
    /// `user`; at the policy's limit the user ID is blocked, and the block's end returned.
    pub(crate) async fn count_failure(
        &self,
        user: &UserId,
        now: OffsetDateTime,
        block: Block,
    ) -> Result<Option<OffsetDateTime>, CounterError> {
        let policy = &self.policy;
        let failures = self
            .counters
            .add(user, Counter::FailedVerifications, now, policy.user_window)
            .await?;
        if failures < policy.user_failed_verifications {
            return Ok(None);
        }
        let until = now + policy.user_block;
        if block == Block::Renew {
            self.counters.block(user, until).await?;
        }
        Ok(Some(until))
    }
}

/// What [`Sspr::count_failure`] does at the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Block {
    /// Blocks the user ID (or renews its block).
    Renew,
    /// Reports the limit but leaves the block the user ID already has (the conceal
    /// policy, for a user ID blocked before the flow: renewing at every guess would
    /// lengthen the block, and show it).
    KeepExisting,
}

impl Sspr {
    /// Tells every other global admin of `tenant`, by email, that the password of the
    /// admin `user` was reset, when the policy says so (as the identity provider does:
    /// global admins, by email). A failure (of the directory or of a delivery) is an
    /// audit event; the reset stands.
    pub(crate) async fn notify_admins(&self, flow: Option<FlowId>, tenant: &str, user: &UserId) {
        if !self.policy.notify_admins {
            return;
        }
        let admins = match self.directory.tenant_admins(tenant).await {
            Ok(admins) => admins,
            Err(_) => {
                self.record_event(
                    Actor::System,
                    flow,
                    Some(user),
                    Some(tenant),
                    Detail::NoticeFailed {
                        via: ContactKind::Email,
                    },
                );
                return;
            }
        };
        let global = admins.iter().filter(|a| {
            a.id != *user && a.tenant == tenant && a.roles.contains(&Role::GlobalAdmin)
        });
        for admin in global {
            let Some(email) = admin
                .methods
                .iter()
                .find(|m| m.kind() == ContactKind::Email)
            else {
                continue;
            };
            if self
                .sender
                .send_notice(user, email, Notice::AdminPasswordChanged)
                .await
                .is_err()
            {
                self.record_event(
                    Actor::System,
                    flow,
                    Some(user),
                    Some(tenant),
                    Detail::NoticeFailed { via: email.kind() },
                );
            }
        }
    }

    /// Tells the account holder on every method that the password changed. A failed
    /// notice cannot undo the change: it is an audit event, not an error.
    pub(crate) async fn notify_password_changed(
        &self,
        flow: Option<FlowId>,
        user: &UserId,
        methods: &[ContactMethod],
    ) {
        for method in methods {
            if self
                .sender
                .send_notice(user, method, Notice::PasswordChanged)
                .await
                .is_err()
            {
                self.record_event(
                    Actor::System,
                    flow,
                    Some(user),
                    None,
                    Detail::NoticeFailed { via: method.kind() },
                );
            }
        }
    }
}
