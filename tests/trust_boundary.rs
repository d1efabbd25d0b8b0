//! The trust boundary, played as an attacker: stored flows that were changed, moved or
//! made without the key never become a step; the account is checked again just before
//! its password is set; a blocked account under the conceal policy looks like any other;
//! guessing temporary passwords never blocks an account's self-service reset.

use sspr::host::{ContactMethod, Counters, Keys, Role};
use sspr::password::Password;
use sspr::policy::Policy;
use sspr::step::{FromIdentify, FromNewPassword, FromVerify};
use sspr::store::{FlowSnapshot, FlowStore, Flows, FlowsError, MemoryFlowStore, SnapshotError};
use sspr::testing::{
    Harness, JAN, STRONG, TestCounters, UNKNOWN, id, keys, mail, phone, policy, record, users,
};
use sspr::{AnyStep, FlowId, LockReason, Next, Refusal};
use time::Duration;

/// The kit's service over a memory store that also keeps its counters, and the flows
/// of that store under the kit's keys.
fn host() -> (Harness, MemoryFlowStore, Flows<MemoryFlowStore>) {
    let store = MemoryFlowStore::new();
    let h = Harness::with_counters(
        sspr::testing::revealing_policy(),
        TestCounters::over(store.clone()),
    );
    for user in users() {
        h.add(user);
    }
    let flows = Flows::new(store.clone(), keys())
        .expect("an in-memory store")
        .with_clock(h.clock.clone());
    (h, store, flows)
}

/// Saves `next` as a host does and takes its stored bytes as whoever can use the store;
/// also the flow's ID (the person's cookie, which the store does not hold).
async fn stored_bytes(
    h: &Harness,
    store: &MemoryFlowStore,
    flows: &Flows<MemoryFlowStore>,
    next: Next,
) -> (FlowId, Vec<u8>) {
    let saved = flows
        .save(&next)
        .await
        .expect("saves")
        .expect("a step is saved");
    // Taken out, so that only what the test writes back is there to resume.
    let sspr::store::Taken::Snapshot(snapshot) = store
        .take(saved.flow.store_key(), None, h.now())
        .await
        .expect("takes")
    else {
        panic!("stored")
    };
    (saved.flow, snapshot.as_bytes().to_vec())
}

/// Writes `bytes` into the store as whoever can write it, then resumes flow `flow` (the
/// ID a person's request names).
async fn write_and_resume(
    h: &Harness,
    store: &MemoryFlowStore,
    flows: &Flows<MemoryFlowStore>,
    bytes: &[u8],
    flow: FlowId,
) -> Result<AnyStep, FlowsError> {
    let snapshot = FlowSnapshot::from_bytes(bytes)?;
    let now = h.now();
    store
        .save(snapshot, now + Duration::minutes(15), now)
        .await?;
    flows.resume(&flow.to_string()).await
}

#[tokio::test]
async fn every_bit_flip_and_truncation_of_every_step_is_refused() {
    let (h, store, flows) = host();
    let steps: Vec<Next> = vec![
        h.sspr.start().expect("starts").into(),
        h.identify().into(),
        h.choose_method(JAN).await.into(),
        h.verify(JAN, 0).await.into(),
        h.new_password().await.into(),
    ];
    for step in steps {
        let (flow, bytes) = stored_bytes(&h, &store, &flows, step).await;
        // The store holds no flow ID: only its one-way store key.
        assert!(!bytes.windows(16).any(|w| w == flow.as_bytes()));
        for bit in 0..bytes.len() * 8 {
            let mut flipped = bytes.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            let resumed = write_and_resume(&h, &store, &flows, &flipped, flow).await;
            assert!(
                resumed.is_err(),
                "bit {bit} of {} bytes: {resumed:?}",
                bytes.len()
            );
        }
        for len in 0..bytes.len() {
            let resumed = write_and_resume(&h, &store, &flows, &bytes[..len], flow).await;
            assert!(resumed.is_err(), "cut at {len}");
        }
        // The untouched bytes still resume: the refusals above are the changes'.
        assert!(
            write_and_resume(&h, &store, &flows, &bytes, flow)
                .await
                .is_ok()
        );
    }
}

#[tokio::test]
async fn a_step_moved_to_another_flow_or_sealed_elsewhere_is_refused() {
    let (h, store, flows) = host();
    let (_, verify) = stored_bytes(&h, &store, &flows, h.verify(JAN, 0).await.into()).await;
    let (other_flow, other) =
        stored_bytes(&h, &store, &flows, h.sspr.start().expect("starts").into()).await;
    // The Verify body under the other flow's header (its ID and step nonce).
    let mut moved = other[..25].to_vec();
    moved.extend_from_slice(&verify[25..]);
    assert!(matches!(
        write_and_resume(&h, &store, &flows, &moved, other_flow).await,
        Err(FlowsError::Snapshot(SnapshotError::NotSealed))
    ));
    // A flow sealed by another deployment (another secret) does not open here.
    let foreign_store = MemoryFlowStore::new();
    let foreign = Flows::new(foreign_store.clone(), Keys::from_secret([9; 32]))
        .expect("an in-memory store")
        .with_clock(h.clock.clone());
    let (foreign_flow, bytes) =
        stored_bytes(&h, &foreign_store, &foreign, h.new_password().await.into()).await;
    assert!(matches!(
        write_and_resume(&h, &store, &flows, &bytes, foreign_flow).await,
        Err(FlowsError::Snapshot(SnapshotError::NotSealed))
    ));
}

#[tokio::test]
async fn a_store_shared_between_processes_refuses_per_process_keys() {
    // A store that says it is shared, as Redis does.
    #[derive(Clone)]
    struct Shared(MemoryFlowStore);
    impl FlowStore for Shared {
        async fn save(
            &self,
            snapshot: FlowSnapshot,
            expires_at: time::OffsetDateTime,
            now: time::OffsetDateTime,
        ) -> Result<(), sspr::store::StoreError> {
            self.0.save(snapshot, expires_at, now).await
        }
        async fn take(
            &self,
            flow: sspr::FlowId,
            nonce: Option<u64>,
            now: time::OffsetDateTime,
        ) -> Result<sspr::store::Taken, sspr::store::StoreError> {
            self.0.take(flow, nonce, now).await
        }
        async fn peek(
            &self,
            flow: sspr::FlowId,
            now: time::OffsetDateTime,
        ) -> Result<Option<FlowSnapshot>, sspr::store::StoreError> {
            self.0.peek(flow, now).await
        }
        fn is_shared(&self) -> bool {
            true
        }
        async fn discard(&self, flow: sspr::FlowId) -> Result<(), sspr::store::StoreError> {
            self.0.discard(flow).await
        }
    }
    let ephemeral = Keys::ephemeral().expect("entropy");
    assert!(matches!(
        Flows::new(Shared(MemoryFlowStore::new()), ephemeral.clone()),
        Err(FlowsError::EphemeralKeys)
    ));
    assert!(Flows::new(MemoryFlowStore::new(), ephemeral).is_ok());
    assert!(Flows::new(Shared(MemoryFlowStore::new()), keys()).is_ok());
}

/// Submits the kit's strong password, twice.
async fn submit_strong(
    h: &Harness,
    w: sspr::Wizard<sspr::step::NewPassword>,
) -> Result<FromNewPassword, sspr::Refused<sspr::step::NewPassword>> {
    w.submit(&h.sspr, Password::new(STRONG), Password::new(STRONG))
        .await
}

#[tokio::test]
async fn the_account_is_checked_again_before_its_password_is_set() {
    // Self-service turned off meanwhile: ask your admin, nothing stored.
    let h = Harness::revealing();
    let w = h.new_password().await;
    h.directory.inner.set_self_service_reset(&id(JAN), false);
    let ended = submit_strong(&h, w).await;
    assert!(
        matches!(ended, Ok(FromNewPassword::AskAdmin(_))),
        "{ended:?}"
    );
    assert_eq!(h.directory.stores(), 0);

    // The phone that proved ownership is no longer registered: ask your admin.
    let h = Harness::revealing();
    let w = h.new_password().await;
    let other = ContactMethod::sms("+31 6 99999999");
    h.add(record(JAN, true, vec![Role::User], vec![other, mail()]));
    let ended = submit_strong(&h, w).await;
    assert!(
        matches!(ended, Ok(FromNewPassword::AskAdmin(_))),
        "{ended:?}"
    );
    assert_eq!(h.directory.stores(), 0);

    // Made an admin meanwhile (two methods needed, one proved): ask your admin.
    let h = Harness::revealing();
    let w = h.new_password().await;
    h.add(record(
        JAN,
        true,
        vec![Role::GlobalAdmin],
        vec![phone(), mail()],
    ));
    let ended = submit_strong(&h, w).await;
    assert!(
        matches!(ended, Ok(FromNewPassword::AskAdmin(_))),
        "{ended:?}"
    );

    // Blocked meanwhile (by another flow): locked until the block ends.
    let h = Harness::revealing();
    let w = h.new_password().await;
    let until = h.now() + Duration::hours(24);
    h.counters.block(&id(JAN), until).await.expect("blocks");
    let ended = submit_strong(&h, w).await;
    assert!(
        matches!(
            ended,
            Ok(FromNewPassword::Locked(ref locked))
                if locked.reason == LockReason::UserBlocked && locked.until == Some(until)
        ),
        "{ended:?}"
    );
    assert_eq!(h.directory.stores(), 0);
}

#[tokio::test]
async fn a_changed_password_is_told_once_per_registered_method() {
    let h = Harness::revealing();
    // The same phone registered twice, differently typed.
    h.add(record(
        JAN,
        true,
        vec![Role::User],
        vec![phone(), ContactMethod::sms("+31612345678"), mail()],
    ));
    let w = h.new_password().await;
    let before = h.outbox.deliveries().len();
    let done = w
        .submit(&h.sspr, Password::new(STRONG), Password::new(STRONG))
        .await;
    assert!(
        matches!(done, Ok(FromNewPassword::Completed(_))),
        "{done:?}"
    );
    assert_eq!(
        h.outbox.deliveries().len() - before,
        2,
        "phone and email, once each"
    );
}

/// Wrong codes typed at a concealed Verify step until it ends or refuses otherwise.
async fn wrong_codes_until_the_end(h: &Harness, user: &str) -> Vec<String> {
    let FromIdentify::Verify(mut verify) = h.submit_right(user).await else {
        panic!("the conceal policy always goes on to the code");
    };
    let mut seen = Vec::new();
    loop {
        match verify.submit(&h.sspr, "000000").await {
            Err(refused) => {
                seen.push(format!("{:?}", std::mem::discriminant(&refused.reason)));
                assert!(
                    matches!(refused.reason, Refusal::WrongCode { .. }),
                    "{:?}",
                    refused.reason
                );
                verify = refused.wizard;
            }
            Ok(FromVerify::Locked(locked)) => {
                seen.push(format!(
                    "locked {:?} {}",
                    locked.reason,
                    locked.until.is_some()
                ));
                return seen;
            }
            Ok(other) => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn under_the_conceal_policy_a_blocked_account_looks_like_an_unknown_one() {
    let conceal = || policy(Policy::builder().conceal(true));
    // Jan blocked before the flow.
    let blocked = Harness::new(conceal());
    let until = blocked.now() + Duration::hours(24);
    blocked
        .counters
        .block(&id(JAN), until)
        .await
        .expect("blocks");
    let jan = wrong_codes_until_the_end(&blocked, JAN).await;
    let unknown = wrong_codes_until_the_end(&Harness::new(conceal()), UNKNOWN).await;
    assert_eq!(jan, unknown, "the same refusals and the same ending");
    // And the block did not grow.
    let still = blocked
        .counters
        .blocked_until(&id(JAN), blocked.now())
        .await
        .expect("reads");
    assert_eq!(still, Some(until));
}

#[tokio::test]
async fn guessing_temporary_passwords_never_blocks_self_service() {
    let h = Harness::revealing();
    // Jan has no outstanding temporary password: guesses are refused and not counted.
    for _ in 0..10 {
        let refused = h
            .sspr
            .change_temporary_password(
                JAN,
                Password::new("guess guess guess 1"),
                Password::new(STRONG),
                Password::new(STRONG),
            )
            .await;
        assert!(
            matches!(
                refused,
                Err(sspr::admin::ForcedChangeRefusal::WrongTemporaryPassword)
            ),
            "{refused:?}"
        );
    }
    assert_eq!(
        h.counters
            .blocked_until(&id(JAN), h.now())
            .await
            .expect("reads"),
        None
    );
    // Self-service still works for Jan.
    assert!(matches!(
        h.submit_right(JAN).await,
        FromIdentify::ChooseMethod(_)
    ));
    // The temporary password is checked before the rules: a weak new password with a
    // wrong temporary one is "wrong temporary password", which tells nothing of the rules.
    let refused = h
        .sspr
        .change_temporary_password(
            JAN,
            Password::new("guess"),
            Password::new("weak"),
            Password::new("weak"),
        )
        .await;
    assert!(matches!(
        refused,
        Err(sspr::admin::ForcedChangeRefusal::WrongTemporaryPassword)
    ));
}

#[tokio::test]
async fn a_retired_secret_opens_only_the_flows_it_sealed_before_it_was_retired() {
    let (h, store, _) = host();
    let old_secret = [3u8; 32];
    let old = Flows::new(store.clone(), Keys::from_secret(old_secret))
        .expect("an in-memory store")
        .with_clock(h.clock.clone());
    // A flow sealed under the old secret, then the rotation.
    let (before_flow, before) = stored_bytes(&h, &store, &old, h.identify().into()).await;
    h.advance(Duration::minutes(1));
    let rotated = Flows::new(
        store.clone(),
        Keys::from_secret([4u8; 32]).retire(old_secret, h.now()),
    )
    .expect("an in-memory store")
    .with_clock(h.clock.clone());
    assert!(matches!(
        write_and_resume(&h, &store, &rotated, &before, before_flow).await,
        Ok(AnyStep::Identify(_))
    ));
    // A flow the old secret seals after its retirement (a leaked secret): refused.
    h.advance(Duration::minutes(1));
    let (after_flow, after) = stored_bytes(&h, &store, &old, h.identify().into()).await;
    assert!(matches!(
        write_and_resume(&h, &store, &rotated, &after, after_flow).await,
        Err(FlowsError::Snapshot(SnapshotError::NotSealed))
    ));
}

/// A directory that resolves an alias to the account, as AD and LDAP do.
#[derive(Clone)]
struct Aliasing(sspr::host::InMemoryDirectory);

const ALIAS: &str = "jan@alias.contoso.nl";

impl sspr::host::Directory for Aliasing {
    async fn find_user(
        &self,
        id: &sspr::UserId,
    ) -> Result<Option<sspr::host::UserRecord>, sspr::host::DirectoryError> {
        let id = if id.as_str() == ALIAS {
            sspr::testing::id(JAN)
        } else {
            id.clone()
        };
        self.0.find_user(&id).await
    }
    async fn password_state(
        &self,
        id: &sspr::UserId,
    ) -> Result<Option<sspr::host::PasswordState>, sspr::host::DirectoryError> {
        self.0.password_state(id).await
    }
    async fn set_password(
        &self,
        id: &sspr::UserId,
        password: sspr::host::NewPasswordHash,
    ) -> Result<(), sspr::host::DirectoryError> {
        self.0.set_password(id, password).await
    }
    async fn set_methods(
        &self,
        id: &sspr::UserId,
        expected: &[sspr::host::ContactMethod],
        methods: Vec<sspr::host::ContactMethod>,
        confirmed: time::OffsetDateTime,
    ) -> Result<bool, sspr::host::DirectoryError> {
        self.0.set_methods(id, expected, methods, confirmed).await
    }
}

#[tokio::test]
async fn an_alias_shares_the_accounts_limits_and_block() {
    let counters = sspr::host::MemoryCounters::new();
    let events = sspr::event::EventRecorder::new();
    let sspr = sspr::Sspr::builder(
        Aliasing(sspr::testing::demo_directory()),
        sspr::host::Outbox::new(),
    )
    .policy(sspr::testing::revealing_policy())
    .counters(counters.clone())
    .events(events.clone())
    .build()
    .expect("service");
    let identify = |sspr: &sspr::Sspr| {
        let start = sspr.start().expect("starts");
        match start.choose(sspr, sspr::step::AccountType::WorkOrSchool) {
            Ok(sspr::step::FromSelectAccount::Identify(identify)) => identify,
            other => panic!("{other:?}"),
        }
    };
    // Through the alias, the flow is the account's: its steps name the directory's ID.
    let w = identify(&sspr);
    let answer = sspr::testing::answer_of(&w);
    let Ok(FromIdentify::ChooseMethod(choose)) = w.submit(&sspr, ALIAS, &answer).await else {
        panic!("the alias resolves to Jan, who may reset")
    };
    assert_eq!(choose.step().user(), &id(JAN));
    assert!(
        events
            .events()
            .iter()
            .all(|e| e.user.as_ref() != Some(&id(ALIAS))),
        "every event names the account by the directory's ID"
    );
    // A block of the account holds for the alias too.
    let until = sspr.now() + Duration::hours(24);
    counters.block(&id(JAN), until).await.expect("blocks");
    let w = identify(&sspr);
    let answer = sspr::testing::answer_of(&w);
    let outcome = w.submit(&sspr, ALIAS, &answer).await;
    assert!(
        matches!(
            outcome,
            Ok(FromIdentify::Locked(ref locked))
                if locked.reason == LockReason::UserBlocked && locked.until == Some(until)
        ),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn an_admin_reset_and_the_forced_change_through_an_alias_are_the_accounts() {
    let counters = sspr::host::MemoryCounters::new();
    let directory = sspr::testing::demo_directory();
    let sspr = sspr::Sspr::builder(Aliasing(directory.clone()), sspr::host::Outbox::new())
        .counters(counters.clone())
        .build()
        .expect("service");
    // The admin names Jan by his alias: the account's password is reset.
    let admin = id(sspr::testing::ADMIN);
    let temporary = sspr
        .reset_by_admin(&admin, &id(ALIAS))
        .await
        .expect("the admin may reset Jan");
    assert_eq!(directory.must_change(&id(JAN)).map(|m| m.0), Some(true));
    // Wrong temporary passwords typed with the alias count against the account.
    let mut locked = false;
    for _ in 0..5 {
        let outcome = sspr
            .change_temporary_password(
                ALIAS,
                Password::new("not the temporary one"),
                Password::new(STRONG),
                Password::new(STRONG),
            )
            .await;
        if matches!(outcome, Ok(sspr::admin::ForcedChange::Locked(_))) {
            locked = true;
            break;
        }
        assert!(
            matches!(
                outcome,
                Err(sspr::admin::ForcedChangeRefusal::WrongTemporaryPassword)
            ),
            "{outcome:?}"
        );
    }
    assert!(locked, "five wrong guesses block the account");
    assert!(
        counters
            .blocked_until(&id(JAN), sspr.now())
            .await
            .expect("reads")
            .is_some(),
        "the block is the account's, not the alias's"
    );
    let _ = temporary;
}

#[tokio::test]
async fn the_forced_change_through_an_alias_sets_the_accounts_password() {
    let directory = sspr::testing::demo_directory();
    let sspr = sspr::Sspr::builder(Aliasing(directory.clone()), sspr::host::Outbox::new())
        .build()
        .expect("service");
    let temporary = sspr
        .reset_by_admin(&id(sspr::testing::ADMIN), &id(JAN))
        .await
        .expect("resets");
    let outcome = sspr
        .change_temporary_password(
            ALIAS,
            Password::new(temporary.expose_secret()),
            Password::new(STRONG),
            Password::new(STRONG),
        )
        .await;
    assert!(
        matches!(outcome, Ok(sspr::admin::ForcedChange::Completed(ref done)) if done.user == id(JAN)),
        "{outcome:?}"
    );
    assert_eq!(directory.must_change(&id(JAN)).map(|m| m.0), Some(false));
}

#[tokio::test]
async fn a_code_sent_before_a_key_rotation_is_right_after_it() {
    let old = [0x11; 32];
    let directory = sspr::testing::demo_directory();
    let outbox = sspr::host::Outbox::new();
    let counters = sspr::host::MemoryCounters::new();
    let service = |keys: &Keys| {
        sspr::Sspr::builder(directory.clone(), outbox.clone())
            .policy(sspr::testing::revealing_policy())
            .keys(keys)
            .counters(counters.clone())
            .build()
            .expect("service")
    };
    let store = MemoryFlowStore::new();
    let before = Keys::from_secret(old);
    let sspr = service(&before);
    let identify = {
        let start = sspr.start().expect("starts");
        match start.choose(&sspr, sspr::step::AccountType::WorkOrSchool) {
            Ok(sspr::step::FromSelectAccount::Identify(identify)) => identify,
            other => panic!("{other:?}"),
        }
    };
    let answer = sspr::testing::answer_of(&identify);
    let Ok(FromIdentify::ChooseMethod(choose)) = identify.submit(&sspr, JAN, &answer).await else {
        panic!("choose method")
    };
    let Ok(sspr::step::ToVerify::Verify(verify)) = choose.choose(&sspr, 0).await else {
        panic!("verify")
    };
    let flows = Flows::new(store.clone(), before).expect("keys");
    let saved = flows
        .save(&verify.into())
        .await
        .expect("saves")
        .expect("a step");
    // The deployment rotates its secret: the old one is retired.
    let rotated = Keys::from_secret([0x22; 32]).retire(old, sspr.now());
    let sspr = service(&rotated);
    let flows = Flows::new(store, rotated).expect("keys");
    let AnyStep::Verify(verify) = flows
        .resume_step(&saved.flow.to_string(), saved.nonce)
        .await
        .expect("the retired key opens it")
    else {
        panic!("verify")
    };
    let code = outbox.last_code_to(&phone()).expect("a code");
    let outcome = verify.submit(&sspr, &code).await;
    assert!(
        matches!(outcome, Ok(FromVerify::NewPassword(_))),
        "{outcome:?}"
    );
}
