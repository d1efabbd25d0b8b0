//! A test kit for hosts and for the crate's own tests: demo users, host parts that count
//! calls and fail on demand, and a [`Harness`] that drives a flow to any step (it reads
//! challenge answers through the `danger-reveal-secrets` door, which this feature turns
//! on). Compiled with the `test-support` feature; never enable it in production.
//!
//! ```
//! use sspr::step::FromVerify;
//! use sspr::testing::{Harness, JAN, phone};
//!
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! let h = Harness::default_policy();
//! // Jan's flow, up to a code sent to his phone (method 0), then the right code.
//! let verify = h.verify(JAN, 0).await;
//! assert!(matches!(h.submit_code(verify, &phone()).await, FromVerify::NewPassword(_)));
//! assert_eq!(h.codes_sent(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use time::{Duration, OffsetDateTime};

use crate::challenge::{AUDIO_ALPHABET, ChallengeKind, IMAGE_ALPHABET};
use crate::clock::ManualClock;
use crate::code::CodeKey;
use crate::contact::ContactMethod;
use crate::directory::{
    Directory, DirectoryError, InMemoryDirectory, NewPasswordHash, PasswordState, Role, UserRecord,
};
use crate::dispatch::DeliverAtOnce;
use crate::event::{Activity, Detail, EventRecorder};
use crate::keys::Keys;
use crate::limits::{Counter, CounterError, Counters, MemoryCounters};
use crate::parts::DynCounters;
use crate::policy::{Policy, PolicyBuilder};
use crate::sender::{Message, Outbox};
use crate::service::Sspr;
use crate::step::{
    AccountType, ChooseMethod, FromIdentify, FromSelectAccount, FromVerify, Identify, NewPassword,
    ToVerify, Verify,
};
use crate::user_id::UserId;
use crate::wizard::Wizard;

/// The user of most tests: self-service reset enabled, a phone and an email address.
pub const JAN: &str = "jan.jansen@contoso.nl";
/// A user whose admin did not enable self-service reset.
pub const DISABLED: &str = "piet.disabled@contoso.nl";
/// A user ID that is in no directory.
pub const UNKNOWN: &str = "nobody.here@contoso.nl";
/// A global admin with a phone and an email address.
pub const ADMIN: &str = "grace.admin@contoso.nl";

/// The code key of every harness: known bytes, so that the leak test can look for them.
pub const CODE_KEY_BYTES: [u8; 32] = [
    0xC3, 0x5A, 0x91, 0x7E, 0x2D, 0xB8, 0x46, 0xF1, 0x0B, 0x9C, 0x63, 0xE7, 0x18, 0xA4, 0x5F, 0xD2,
    0x77, 0x3B, 0xC9, 0x81, 0x4E, 0xFA, 0x26, 0x95, 0x6D, 0xB1, 0x0E, 0xE3, 0x58, 0x9F, 0x12, 0xAC,
];

/// The master secret of the kit's [`keys`]: known bytes, so that a leak test can look
/// for them.
pub const SECRET: [u8; 32] = [
    0x5E, 0xC2, 0x37, 0x9A, 0x04, 0xD1, 0x6B, 0xF8, 0x23, 0x8E, 0x41, 0xB7, 0x6C, 0x19, 0xE5, 0x70,
    0x9D, 0x32, 0xAF, 0x58, 0x0C, 0xE6, 0x7B, 0x14, 0xC8, 0x61, 0x3F, 0x96, 0x2A, 0xD7, 0x85, 0x4B,
];

/// The kit's keys (from [`SECRET`]): give them to every [`Flows`](crate::store::Flows)
/// of a test, so that flows move between its services and stores.
pub fn keys() -> Keys {
    Keys::from_secret(SECRET)
}

/// A strong password that passes the default rules for every test user.
pub const STRONG: &str = "plum kettle orbit 71";

/// Jan's phone.
pub fn phone() -> ContactMethod {
    ContactMethod::sms("+31 6 12345678")
}

/// Jan's private email address.
pub fn mail() -> ContactMethod {
    ContactMethod::email("jan.private@fabrikam.example")
}

/// A parsed user ID.
pub fn id(text: &str) -> UserId {
    UserId::parse(text).expect("a valid user ID")
}

/// The admin's phone.
pub fn admin_phone() -> ContactMethod {
    ContactMethod::sms("+31 6 87654321")
}

/// The admin's email address.
pub fn admin_mail() -> ContactMethod {
    ContactMethod::email("grace@fabrikam.example")
}

/// The demo users, in tenant "contoso": [`JAN`] (self-service reset enabled, his phone
/// and email address), [`DISABLED`] (not enabled, the same methods) and [`ADMIN`] (a
/// global admin, who must prove two methods: phone and email address).
pub fn users() -> Vec<UserRecord> {
    vec![
        record(JAN, true, vec![Role::User], vec![phone(), mail()]),
        record(DISABLED, false, vec![Role::User], vec![phone(), mail()]),
        record(
            ADMIN,
            true,
            vec![Role::GlobalAdmin],
            vec![admin_phone(), admin_mail()],
        ),
    ]
}

/// An in-memory directory with the demo [`users`].
pub fn demo_directory() -> InMemoryDirectory {
    let directory = InMemoryDirectory::new();
    for user in users() {
        directory.insert(user);
    }
    directory
}

/// A directory record without a current password.
pub fn record(
    user: &str,
    enabled: bool,
    roles: Vec<Role>,
    methods: Vec<ContactMethod>,
) -> UserRecord {
    UserRecord {
        id: id(user),
        tenant: "contoso".into(),
        roles,
        self_service_reset: enabled,
        methods,
        password_hash: None,
        methods_confirmed: None,
    }
}

/// The in-memory directory, counting lookups and stores, and failing when told to.
#[derive(Debug, Default, Clone)]
pub struct TestDirectory {
    /// The wrapped directory (shared by clones).
    pub inner: InMemoryDirectory,
    lookups: Arc<AtomicUsize>,
    stores: Arc<AtomicUsize>,
    fail_find: Arc<AtomicBool>,
    fail_store: Arc<AtomicBool>,
}

impl TestDirectory {
    /// `find_user` calls so far (failed ones too).
    pub fn lookups(&self) -> usize {
        self.lookups.load(Ordering::SeqCst)
    }

    /// `set_password` calls so far (failed ones too).
    pub fn stores(&self) -> usize {
        self.stores.load(Ordering::SeqCst)
    }

    /// Makes `find_user` fail (or work again).
    pub fn set_failing_find(&self, failing: bool) {
        self.fail_find.store(failing, Ordering::SeqCst);
    }

    /// The stored record of `user` (a user ID that must be known).
    pub fn account(&self, user: &str) -> UserRecord {
        self.inner.get(&id(user)).expect("a known account")
    }

    /// Makes `set_password` fail (or work again).
    pub fn set_failing_store(&self, failing: bool) {
        self.fail_store.store(failing, Ordering::SeqCst);
    }
}

impl Directory for TestDirectory {
    async fn find_user(&self, user: &UserId) -> Result<Option<UserRecord>, DirectoryError> {
        self.lookups.fetch_add(1, Ordering::SeqCst);
        if self.fail_find.load(Ordering::SeqCst) {
            return Err(DirectoryError::unavailable("test directory is down"));
        }
        self.inner.find_user(user).await
    }

    async fn password_state(&self, user: &UserId) -> Result<Option<PasswordState>, DirectoryError> {
        if self.fail_find.load(Ordering::SeqCst) {
            return Err(DirectoryError::unavailable("test directory is down"));
        }
        self.inner.password_state(user).await
    }

    async fn set_password(
        &self,
        user: &UserId,
        password: NewPasswordHash,
    ) -> Result<(), DirectoryError> {
        self.stores.fetch_add(1, Ordering::SeqCst);
        if self.fail_store.load(Ordering::SeqCst) {
            return Err(DirectoryError::unavailable("test directory is down"));
        }
        self.inner.set_password(user, password).await
    }

    async fn set_methods(
        &self,
        user: &UserId,
        expected: &[ContactMethod],
        methods: Vec<ContactMethod>,
        confirmed: OffsetDateTime,
    ) -> Result<bool, DirectoryError> {
        self.stores.fetch_add(1, Ordering::SeqCst);
        if self.fail_store.load(Ordering::SeqCst) {
            return Err(DirectoryError::unavailable("test directory is down"));
        }
        self.inner
            .set_methods(user, expected, methods, confirmed)
            .await
    }

    async fn tenant_admins(&self, tenant: &str) -> Result<Vec<UserRecord>, DirectoryError> {
        if self.fail_find.load(Ordering::SeqCst) {
            return Err(DirectoryError::unavailable("test directory is down"));
        }
        self.inner.tenant_admins(tenant).await
    }
}

/// Counters (in memory, or any host's) that fail when told to.
#[derive(Clone)]
pub struct TestCounters {
    inner: Arc<dyn DynCounters>,
    failing: Arc<AtomicBool>,
    calls: Arc<AtomicUsize>,
}

impl Default for TestCounters {
    fn default() -> Self {
        Self::over(MemoryCounters::new())
    }
}

impl std::fmt::Debug for TestCounters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCounters")
            .field("failing", &self.failing.load(Ordering::SeqCst))
            .finish_non_exhaustive()
    }
}

impl TestCounters {
    /// Wraps `counters` (a Redis store, a host's own).
    pub fn over(counters: impl Counters + 'static) -> Self {
        TestCounters {
            inner: Arc::new(counters),
            failing: Arc::new(AtomicBool::new(false)),
            calls: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// How many operations were asked of the counters so far.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// Makes every operation fail (or work again).
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    fn check(&self) -> Result<(), CounterError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.failing.load(Ordering::SeqCst) {
            return Err(CounterError::unavailable("test counters are down"));
        }
        Ok(())
    }
}

impl Counters for TestCounters {
    async fn add(
        &self,
        user: &UserId,
        counter: Counter,
        now: OffsetDateTime,
        window: Duration,
    ) -> Result<u32, CounterError> {
        self.check()?;
        self.inner.add(user, counter, now, window).await
    }

    async fn release(&self, user: &UserId, counter: Counter) -> Result<(), CounterError> {
        self.check()?;
        self.inner.release(user, counter).await
    }

    async fn block(&self, user: &UserId, until: OffsetDateTime) -> Result<(), CounterError> {
        self.check()?;
        self.inner.block(user, until).await
    }

    async fn blocked_until(
        &self,
        user: &UserId,
        now: OffsetDateTime,
    ) -> Result<Option<OffsetDateTime>, CounterError> {
        self.check()?;
        self.inner.blocked_until(user, now).await
    }

    async fn clear(&self, user: &UserId) -> Result<(), CounterError> {
        self.check()?;
        self.inner.clear(user).await
    }
}

/// A service with its host parts at hand.
pub struct Harness {
    /// The service.
    pub sspr: Sspr,
    /// Its directory (a clone sharing the users).
    pub directory: TestDirectory,
    /// Its sender: the inbox of every contact method.
    pub outbox: Outbox,
    /// Its per-user-ID counters.
    pub counters: TestCounters,
    /// Its clock.
    pub clock: ManualClock,
    /// Its audit events.
    pub events: EventRecorder,
}

impl Harness {
    /// A service with `policy`, Jan (enabled, phone and email), a disabled user and a
    /// global admin (phone and email) in the directory.
    pub fn new(policy: Policy) -> Self {
        let harness = Self::empty(policy);
        for user in users() {
            harness.add(user);
        }
        harness
    }

    /// A service with the default policy and the users of [`Harness::new`].
    pub fn default_policy() -> Self {
        Self::new(Policy::default())
    }

    /// A service with the default policy but for `conceal(false)` (the person chooses a
    /// masked method; an account that cannot reset asks the admin), and the users of
    /// [`Harness::new`].
    pub fn revealing() -> Self {
        Self::new(revealing_policy())
    }

    /// A service with `policy` and an empty directory.
    pub fn empty(policy: Policy) -> Self {
        Self::with_counters(policy, TestCounters::default())
    }

    /// A service with `policy`, an empty directory and `counters` (e.g.
    /// `TestCounters::over(redis_store)`).
    pub fn with_counters(policy: Policy, counters: TestCounters) -> Self {
        let directory = TestDirectory::default();
        let outbox = Outbox::new();
        let clock = ManualClock::default();
        let events = EventRecorder::new();
        let sspr = Sspr::builder(directory.clone(), outbox.clone())
            .policy(policy)
            .code_key(CodeKey::from_bytes(CODE_KEY_BYTES))
            .clock(clock.clone())
            .events(events.clone())
            .counters(counters.clone())
            .dispatch(DeliverAtOnce)
            .build()
            .expect("the service builds");
        Harness {
            sspr,
            directory,
            outbox,
            counters,
            clock,
            events,
        }
    }

    /// Adds or replaces an account.
    pub fn add(&self, record: UserRecord) {
        self.directory.inner.insert(record);
    }

    /// Moves the clock.
    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// The time now.
    pub fn now(&self) -> OffsetDateTime {
        self.sspr.now()
    }

    /// How many codes (not notices) the outbox delivered.
    pub fn codes_sent(&self) -> usize {
        self.outbox
            .deliveries()
            .iter()
            .filter(|d| matches!(d.message, Message::Code(_)))
            .count()
    }

    /// The events so far as (activity, detail), without flow, time and user.
    pub fn event_trail(&self) -> Vec<(Activity, Detail)> {
        self.events
            .events()
            .into_iter()
            .map(|e| (e.activity, e.detail))
            .collect()
    }

    /// Starts a flow and chooses a work or school account.
    pub fn identify(&self) -> Wizard<Identify> {
        let start = self.sspr.start().expect("a flow starts");
        match start.choose(&self.sspr, AccountType::WorkOrSchool) {
            Ok(FromSelectAccount::Identify(identify)) => identify,
            other => unreachable!("expected Identify, got {other:?}"),
        }
    }

    /// A new flow, up to the submitted right answer for `user`.
    pub async fn submit_right(&self, user: &str) -> FromIdentify {
        let identify = self.identify();
        let answer = answer_of(&identify);
        identify
            .submit(&self.sspr, user, &answer)
            .await
            .expect("a right answer moves on")
    }

    /// A new flow for `user` (who may reset), up to the choice of a method.
    pub async fn choose_method(&self, user: &str) -> Wizard<ChooseMethod> {
        match self.submit_right(user).await {
            FromIdentify::ChooseMethod(choose) => choose,
            other => unreachable!("expected ChooseMethod, got {other:?}"),
        }
    }

    /// Sends a code to method `index`.
    pub async fn send_code(&self, choose: Wizard<ChooseMethod>, index: usize) -> Wizard<Verify> {
        match choose.choose(&self.sspr, index).await {
            Ok(ToVerify::Verify(verify)) => verify,
            other => unreachable!("expected Verify, got {other:?}"),
        }
    }

    /// A new flow for `user`, up to a code sent to method `index`. Under the conceal
    /// policy the code goes to the first method by itself: `index` must be 0.
    pub async fn verify(&self, user: &str, index: usize) -> Wizard<Verify> {
        match self.submit_right(user).await {
            FromIdentify::ChooseMethod(choose) => self.send_code(choose, index).await,
            FromIdentify::Verify(verify) if index == 0 => verify,
            other => unreachable!("expected a code sent to method {index}, got {other:?}"),
        }
    }

    /// The newest code sent to `to`.
    pub fn code_to(&self, to: &ContactMethod) -> String {
        self.outbox.last_code_to(to).expect("a code was sent")
    }

    /// Submits the right code (the newest one sent to `to`).
    pub async fn submit_code(&self, verify: Wizard<Verify>, to: &ContactMethod) -> FromVerify {
        let code = self.code_to(to);
        verify
            .submit(&self.sspr, &code)
            .await
            .expect("the right code moves on")
    }

    /// A new flow for Jan (one method needed), up to the new password.
    pub async fn new_password(&self) -> Wizard<NewPassword> {
        let verify = self.verify(JAN, 0).await;
        match self.submit_code(verify, &phone()).await {
            FromVerify::NewPassword(new_password) => new_password,
            other => unreachable!("expected NewPassword, got {other:?}"),
        }
    }
}

/// The answer of the current challenge (the demo door).
pub fn answer_of(identify: &Wizard<Identify>) -> String {
    identify.step().challenge().danger_reveal_answer()
}

/// An answer of the right length and alphabet that is not the answer.
pub fn wrong_answer(identify: &Wizard<Identify>) -> String {
    let right = answer_of(identify);
    let alphabet = match identify.step().challenge().kind() {
        ChallengeKind::Image => IMAGE_ALPHABET,
        ChallengeKind::Audio => AUDIO_ALPHABET,
    };
    let mut chars: Vec<u8> = right.bytes().collect();
    let first = chars[0];
    chars[0] = *alphabet
        .iter()
        .find(|&&c| c != first)
        .expect("alphabets have more than one character");
    String::from_utf8(chars).expect("ASCII")
}

/// A well-formed code that is not `right`.
pub fn wrong_code(right: &str) -> String {
    let mut digits: Vec<u8> = right.bytes().collect();
    digits[0] = if digits[0] == b'9' {
        b'0'
    } else {
        digits[0] + 1
    };
    String::from_utf8(digits).expect("ASCII")
}

/// A policy from a builder that must build.
pub fn policy(builder: PolicyBuilder) -> Policy {
    builder.build().expect("a valid policy")
}

/// The default policy but for `conceal(false)`: the person chooses a masked method, and
/// an account that cannot reset asks the admin.
pub fn revealing_policy() -> Policy {
    policy(Policy::builder().conceal(false))
}

/// A fresh flow at its first step, suspended as a host does ([`Flows::save`], here into a
/// scratch memory store, sealed under the kit's [`keys`], on the service's clock) and
/// taken out of the store again: bytes to write into another store.
///
/// [`Flows::save`]: crate::store::Flows::save
pub async fn fresh_snapshot(sspr: &Sspr) -> crate::store::FlowSnapshot {
    fresh_flow(sspr).await.1
}

/// [`fresh_snapshot`] with its flow's ID (the snapshot holds only the ID's store key).
pub async fn fresh_flow(sspr: &Sspr) -> (crate::FlowId, crate::store::FlowSnapshot) {
    use crate::store::{Flows, MemoryFlowStore, Taken};
    let scratch = MemoryFlowStore::new();
    let saved = Flows::new(scratch.clone(), keys())
        .expect("an in-memory store")
        .with_clock(sspr.clone())
        .save(&sspr.start().expect("a flow starts").into())
        .await
        .expect("saves")
        .expect("a step is saved");
    match scratch.take_blocking(saved.flow.store_key(), Some(saved.nonce), sspr.now()) {
        Taken::Snapshot(snapshot) => (saved.flow, snapshot),
        other => panic!("the saved flow is in the store: {other:?}"),
    }
}
