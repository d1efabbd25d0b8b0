//! Suspended flows: every step survives a round trip through its snapshot and goes on
//! from there; snapshots are small; a snapshot is resumed once; stale, foreign, unknown,
//! truncated and damaged snapshots are typed errors, never panics.
//!
//! No public call turns bytes into a wizard, so these tests do what a host (or someone
//! who can write the flow store) can do: suspend a wizard with [`Flows::save`] and read
//! its bytes from the store ([`FlowStore::peek`]); write bytes into the store
//! ([`FlowSnapshot::from_bytes`] checks only the header) and resume them with
//! [`Flows::resume`].

use std::sync::Mutex;

use proptest::prelude::*;
use sspr::step::{
    AccountType, ChooseMethod, FromIdentify, FromVerify, Identify, NewPassword, SelectAccount,
    ToVerify, Verify,
};
use sspr::store::{
    FlowSnapshot, FlowStore, Flows, FlowsError, MAX_SNAPSHOT_BYTES, MemoryFlowStore, SnapshotError,
    StoreError, Taken,
};
use sspr::testing::{Harness, JAN, TestCounters, phone, users};
use sspr::{AnyStep, FlowId, Next, Wizard};
use time::{Duration, OffsetDateTime};

/// The snapshot encoding version this crate writes (the first byte of every snapshot).
const VERSION: u8 = 5;

/// The test kit's service (Jan and the other demo users), with the flows of a memory
/// store (which also keeps the per-user counters) read and written through the store.
struct Host {
    h: Harness,
    store: MemoryFlowStore,
    flows: Flows<MemoryFlowStore>,
    /// The flows suspended here: store key → flow ID.
    ids: Mutex<std::collections::HashMap<FlowId, FlowId>>,
}

fn host() -> Host {
    let store = MemoryFlowStore::new();
    let h = Harness::with_counters(
        sspr::testing::revealing_policy(),
        TestCounters::over(store.clone()),
    );
    for user in users() {
        h.add(user);
    }
    let flows = Flows::new(store.clone(), sspr::testing::keys())
        .expect("an in-memory store or real keys")
        .with_clock(h.clock.clone());
    Host {
        h,
        store,
        flows,
        ids: Mutex::default(),
    }
}

impl Host {
    /// Suspends a step as a host does, and reads its stored bytes as someone who can read
    /// the store could. The flow stays in the store.
    async fn suspend(&self, step: impl Into<Next>) -> (FlowId, Vec<u8>) {
        let saved = self
            .flows
            .save(&step.into())
            .await
            .expect("saves")
            .expect("a step is saved");
        let stored = self
            .store
            .peek(saved.flow.store_key(), self.h.now())
            .await
            .expect("peeks")
            .expect("the flow is stored");
        // The store holds the flow's store key, never its ID (the person's cookie).
        assert_eq!(stored.flow_id(), saved.flow.store_key());
        assert!(
            !stored
                .as_bytes()
                .windows(16)
                .any(|w| w == saved.flow.as_bytes())
        );
        assert_eq!(stored.nonce(), saved.nonce);
        self.ids
            .lock()
            .expect("ids")
            .insert(saved.flow.store_key(), saved.flow);
        (saved.flow, stored.as_bytes().to_vec())
    }

    /// Writes `bytes` into the store as the current snapshot under the store key their
    /// header names, as someone who can write the store could; nothing is written when
    /// the header is refused. Returns the flow ID a person's request would name: the ID
    /// of a flow this host suspended under that key, or (for bytes of no such flow) the
    /// key itself.
    async fn write(&self, bytes: &[u8]) -> Result<FlowId, FlowsError> {
        let snapshot = FlowSnapshot::from_bytes(bytes)?;
        let key = snapshot.flow_id();
        let flow = self
            .ids
            .lock()
            .expect("ids")
            .get(&key)
            .copied()
            .unwrap_or(key);
        let now = self.h.now();
        self.store
            .save(snapshot, now + Duration::days(1), now)
            .await?;
        Ok(flow)
    }

    /// Writes `bytes` into the store and resumes their flow as a host does.
    async fn resume_bytes(&self, bytes: &[u8]) -> Result<AnyStep, FlowsError> {
        let flow = self.write(bytes).await?;
        self.flows.resume(&flow.to_string()).await
    }
}

/// The snapshot error of a resume (or of the header check before it).
fn snapshot_error(result: Result<AnyStep, FlowsError>) -> SnapshotError {
    match result {
        Err(FlowsError::Snapshot(error)) => error,
        other => panic!("expected a snapshot error, got {other:?}"),
    }
}

struct Steps {
    select: Wizard<SelectAccount>,
    identify: Wizard<Identify>,
    choose: Wizard<ChooseMethod>,
    verify: Wizard<Verify>,
    new_password: Wizard<NewPassword>,
}

/// One wizard at each step (of different flows, each driven there).
async fn steps(host: &Host) -> Steps {
    let h = &host.h;
    let select = h.sspr.start().expect("start");
    let identify = h.identify();
    let choose = h.choose_method(JAN).await;
    let verify = h.verify(JAN, 0).await;
    // Another flow, driven on with the code sent to it.
    let new_password = h.new_password().await;
    Steps {
        select,
        identify,
        choose,
        verify,
        new_password,
    }
}

#[tokio::test]
async fn every_step_round_trips_and_fits_in_256_bytes() {
    let host = host();
    let sspr = &host.h.sspr;
    let s = steps(&host).await;
    // What each step shows, before it is suspended.
    let identify_shows = (
        s.identify.step().challenge().danger_reveal_answer(),
        s.identify.step().attempts_left(),
        s.identify.deadline(),
        s.identify.started(),
        sspr.render(s.identify.step().challenge())
            .expect("renders")
            .as_bytes()
            .to_vec(),
    );
    let choose_shows = (s.choose.step().methods(), s.choose.step().user().clone());
    let verify_shows = (
        s.verify.step().sent_to(),
        s.verify.step().attempts_left(),
        s.verify.step().resends_left(),
        s.verify.step().code_deadline(),
    );
    let new_password_shows = s.new_password.step().methods_used();

    let snapshots = [
        ("select account", host.suspend(s.select).await),
        ("identify", host.suspend(s.identify).await),
        ("choose method", host.suspend(s.choose).await),
        ("verify", host.suspend(s.verify).await),
        ("new password", host.suspend(s.new_password).await),
    ];
    let mut resumed = Vec::new();
    for (name, (flow, bytes)) in &snapshots {
        println!("{name}: {} bytes", bytes.len());
        assert!(bytes.len() <= 256, "{name}: {} bytes", bytes.len());
        assert_eq!(bytes[0], VERSION);
        let step = host.resume_bytes(bytes).await.expect("resumes");
        assert_eq!(step.name(), *name);
        assert_eq!(step.flow_id(), *flow);
        resumed.push(step);
    }
    let mut resumed = resumed.into_iter().skip(1);

    let Some(AnyStep::Identify(identify)) = resumed.next() else {
        panic!("identify");
    };
    let picture = sspr.render(identify.step().challenge()).expect("renders");
    assert_eq!(
        (
            identify.step().challenge().danger_reveal_answer(),
            identify.step().attempts_left(),
            identify.deadline(),
            identify.started(),
            picture.as_bytes().to_vec(),
        ),
        identify_shows,
        "the same challenge, attempts and times; the same challenge renders the same picture"
    );
    let Some(AnyStep::ChooseMethod(choose)) = resumed.next() else {
        panic!("choose method");
    };
    assert_eq!(
        (choose.step().methods(), choose.step().user().clone()),
        choose_shows
    );
    let Some(AnyStep::Verify(verify)) = resumed.next() else {
        panic!("verify");
    };
    assert_eq!(
        (
            verify.step().sent_to(),
            verify.step().attempts_left(),
            verify.step().resends_left(),
            verify.step().code_deadline(),
        ),
        verify_shows
    );
    let Some(AnyStep::NewPassword(new_password)) = resumed.next() else {
        panic!("new password");
    };
    assert_eq!(new_password.step().methods_used(), new_password_shows);
}

#[tokio::test]
async fn a_resumed_flow_goes_on() {
    let host = host();
    let sspr = &host.h.sspr;
    let (_, bytes) = host.suspend(host.h.identify()).await;
    let Ok(AnyStep::Identify(identify)) = host.resume_bytes(&bytes).await else {
        panic!("identify");
    };
    let answer = identify.step().challenge().danger_reveal_answer();
    let Ok(FromIdentify::ChooseMethod(choose)) = identify
        .submit(sspr, "jan.jansen@contoso.nl", &answer)
        .await
    else {
        panic!("the resumed challenge takes its answer");
    };
    let (_, bytes) = host.suspend(choose).await;
    let Ok(AnyStep::ChooseMethod(choose)) = host.resume_bytes(&bytes).await else {
        panic!("choose");
    };
    let Ok(ToVerify::Verify(verify)) = choose.choose(sspr, 0).await else {
        panic!("sent");
    };
    let (_, bytes) = host.suspend(verify).await;
    let Ok(AnyStep::Verify(verify)) = host.resume_bytes(&bytes).await else {
        panic!("verify");
    };
    let code = host.h.outbox.last_code_to(&phone()).expect("a code");
    let Ok(FromVerify::NewPassword(_)) = verify.submit(sspr, &code).await else {
        panic!("the code's HMAC survived the snapshot");
    };
}

/// A store that someone wrote by hand: it holds `bytes` under the key of flow `key`,
/// whatever flow they name, and hands them out once.
struct WrittenByHand {
    key: FlowId,
    bytes: Mutex<Option<Vec<u8>>>,
}

impl WrittenByHand {
    fn stored(&self, flow: FlowId, take: bool) -> Option<FlowSnapshot> {
        if flow != self.key {
            return None;
        }
        let mut bytes = self.bytes.lock().expect("not poisoned");
        let stored = if take { bytes.take() } else { bytes.clone() };
        stored.map(|b| FlowSnapshot::from_bytes(&b).expect("a valid header"))
    }
}

impl FlowStore for WrittenByHand {
    async fn save(
        &self,
        _snapshot: FlowSnapshot,
        _expires_at: OffsetDateTime,
        _now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        Err(StoreError::unavailable("written by hand only"))
    }

    async fn take(
        &self,
        flow: FlowId,
        _nonce: Option<u64>,
        _now: OffsetDateTime,
    ) -> Result<Taken, StoreError> {
        Ok(match self.stored(flow, true) {
            Some(snapshot) => Taken::Snapshot(snapshot),
            None => Taken::Missing,
        })
    }

    async fn peek(
        &self,
        flow: FlowId,
        _now: OffsetDateTime,
    ) -> Result<Option<FlowSnapshot>, StoreError> {
        Ok(self.stored(flow, false))
    }

    async fn discard(&self, _flow: FlowId) -> Result<(), StoreError> {
        Ok(())
    }
}

#[tokio::test]
async fn replayed_stale_and_foreign_snapshots_are_refused() {
    let host = host();
    let (sspr, flows) = (&host.h.sspr, &host.flows);
    let saved = flows
        .save(&sspr.start().expect("start").into())
        .await
        .expect("saves")
        .expect("a step");
    let id = saved.flow.to_string();
    let AnyStep::SelectAccount(select) = flows.resume(&id).await.expect("resumes") else {
        panic!("select account");
    };
    // Replay: the same snapshot a second time.
    assert!(matches!(
        flows.resume_step(&id, saved.nonce).await,
        Err(FlowsError::Missing)
    ));
    assert!(matches!(flows.resume(&id).await, Err(FlowsError::Missing)));
    // The flow moves on; a form of the old step is stale and leaves the flow alone.
    let next = Next::from_result(select.choose(sspr, AccountType::WorkOrSchool));
    assert!(next.1.is_none(), "not refused");
    let moved = flows.save(&next.0).await.expect("saves").expect("a step");
    assert_eq!(moved.flow, saved.flow);
    assert_ne!(moved.nonce, saved.nonce);
    assert!(matches!(
        flows.resume_step(&id, saved.nonce).await,
        Err(FlowsError::Stale)
    ));
    let Ok(AnyStep::Identify(identify)) = flows.resume_step(&id, moved.nonce).await else {
        panic!("the current step is resumed");
    };
    // Another flow's snapshot, written under this flow's key: refused, typed, whether
    // the flow is resumed or only its challenge shown.
    let (_, bytes) = host.suspend(identify).await;
    let key = FlowId::generate().expect("entropy");
    let foreign = Flows::new(
        WrittenByHand {
            key: key.store_key(),
            bytes: Mutex::new(Some(bytes)),
        },
        sspr::testing::keys(),
    )
    .expect("keys")
    .with_clock(host.h.clock.clone());
    assert!(matches!(
        foreign.challenge(&key.to_string()).await,
        Err(FlowsError::Snapshot(SnapshotError::OtherFlow))
    ));
    assert_eq!(
        snapshot_error(foreign.resume(&key.to_string()).await),
        SnapshotError::OtherFlow
    );
    assert!(matches!(
        foreign.resume(&key.to_string()).await,
        Err(FlowsError::Missing)
    ));
}

#[tokio::test]
async fn unknown_truncated_damaged_and_trailing_bytes_are_typed_errors() {
    let host = host();
    let s = steps(&host).await;
    let (_, bytes) = host.suspend(s.verify).await;
    let mut unknown = bytes.clone();
    unknown[0] = 99;
    assert_eq!(
        snapshot_error(host.resume_bytes(&unknown).await),
        SnapshotError::UnknownVersion(99)
    );
    // Older versions (1: before the step states became enums; 2: before snapshots were
    // sealed) are not read either.
    for old in [1, 2] {
        let mut older = bytes.clone();
        older[0] = old;
        assert_eq!(
            snapshot_error(host.resume_bytes(&older).await),
            SnapshotError::UnknownVersion(old)
        );
    }
    assert_eq!(
        snapshot_error(host.resume_bytes(&[]).await),
        SnapshotError::Truncated
    );
    for cut in 1..bytes.len() {
        let error = snapshot_error(host.resume_bytes(&bytes[..cut]).await);
        assert!(
            matches!(error, SnapshotError::Truncated | SnapshotError::NotSealed),
            "cut at {cut}: {error:?}"
        );
    }
    // A byte appended to the sealed body: it no longer opens.
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert_eq!(
        snapshot_error(host.resume_bytes(&trailing).await),
        SnapshotError::NotSealed
    );
    for len in [MAX_SNAPSHOT_BYTES + 1, 100_000] {
        assert_eq!(
            snapshot_error(host.resume_bytes(&vec![VERSION; len]).await),
            SnapshotError::TooLong {
                max: MAX_SNAPSHOT_BYTES
            }
        );
    }
    // Every single flipped byte of the body, of a Verify and of an Identify step (whose
    // challenge is also shown without resuming): an error or a valid step, never a panic.
    let (_, identify) = host.suspend(s.identify).await;
    for bytes in [bytes, identify] {
        for i in 25..bytes.len() {
            for flip in [0x01, 0x80, 0xFF] {
                let mut damaged = bytes.clone();
                damaged[i] ^= flip;
                let flow = host.write(&damaged).await.expect("the header is intact");
                let _ = host.flows.challenge(&flow.to_string()).await;
                let _ = host.flows.resume(&flow.to_string()).await;
            }
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
}

proptest! {
    #[test]
    fn random_bytes_never_panic_the_decoder(mut bytes in proptest::collection::vec(any::<u8>(), 0..400), versioned in any::<bool>()) {
        if versioned && !bytes.is_empty() {
            bytes[0] = VERSION;
        }
        let host = host();
        let rt = runtime();
        if let Ok(flow) = rt.block_on(host.write(&bytes)) {
            let _ = rt.block_on(host.flows.challenge(&flow.to_string()));
            let _ = rt.block_on(host.flows.resume(&flow.to_string()));
        }
    }

    #[test]
    fn mutated_snapshots_never_panic_and_valid_ones_round_trip(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4)) {
        let rt = runtime();
        let host = host();
        let (_, mut bytes) = rt.block_on(async { host.suspend(host.h.verify(JAN, 0).await).await });
        for (at, value) in edits {
            let len = bytes.len();
            bytes[at % len] = value;
        }
        if let Ok(step) = rt.block_on(host.resume_bytes(&bytes)) {
            let name = step.name();
            let (_, again) = rt.block_on(host.suspend(step));
            let back = rt.block_on(host.resume_bytes(&again)).expect("a decoded step encodes and decodes");
            prop_assert_eq!(back.name(), name);
        }
    }
}
