//! Shared conformance suites for the host traits: every implementation (the crate's
//! in-memory ones, a host's database or Redis ones) runs the same checks.
//!
//! Compiled with the `conformance` feature. Each suite panics (like a test) on the first
//! rule an implementation breaks.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use time::{Duration, OffsetDateTime};

use crate::challenge::ChallengeKind;
use crate::clock::Clock;
use crate::code::OneTimeCode;
use crate::contact::{ContactKind, ContactMethod};
use crate::directory::{Directory, NewPasswordHash, Role, UserRecord};
use crate::ending::LockReason;
use crate::event::{Actor, Detail, Event, EventSink};
use crate::flow::FlowId;
use crate::limits::{Counter, Counters};
use crate::password::{HashParams, Password, PasswordRule, hash_password_with_os_rng};
use crate::sender::{CodeSender, Notice};
use crate::user_id::UserId;

fn user(id: &str) -> UserId {
    UserId::parse(id).expect("valid user ID")
}

/// A directory: `insert` must add a record to it the way the host provisions accounts.
/// Checks case-insensitive lookup, unknown users, and that a stored hash and stored
/// methods read back.
pub async fn directory<D: Directory>(directory: &D, insert: impl Fn(&D, UserRecord)) {
    let id = user("Conformance.User@Example.org");
    insert(
        directory,
        UserRecord {
            id: id.clone(),
            tenant: "example".into(),
            roles: vec![Role::User],
            self_service_reset: true,
            methods: vec![ContactMethod::email("c@example.net")],
            password_hash: None,
            methods_confirmed: None,
        },
    );
    let found = directory
        .find_user(&user("conformance.user@EXAMPLE.org"))
        .await
        .expect("lookup works")
        .expect("lookup ignores case");
    assert_eq!(found.id, id);
    assert!(found.self_service_reset);
    assert_eq!(found.methods.len(), 1);
    assert!(
        directory
            .find_user(&user("nobody@example.org"))
            .await
            .expect("lookup works")
            .is_none(),
        "an unknown user is Ok(None)"
    );
    let hash = hash_password_with_os_rng(
        &Password::new("conformance horse battery 9"),
        &HashParams::default(),
    )
    .expect("hashing works");
    directory
        .set_password(
            &id,
            NewPasswordHash {
                hash: hash.clone(),
                must_change: false,
                expires: None,
            },
        )
        .await
        .expect("storing a hash works");
    let stored = directory
        .find_user(&id)
        .await
        .expect("lookup works")
        .expect("still there")
        .password_hash
        .expect("a hash is stored");
    assert_eq!(stored.as_str(), hash.as_str());
    let state = directory
        .password_state(&id)
        .await
        .expect("state works")
        .expect("a known user has a state");
    assert!(!state.must_change, "a reset by its owner needs no change");
    let expires = OffsetDateTime::UNIX_EPOCH + Duration::days(30_000);
    directory
        .set_password(
            &id,
            NewPasswordHash {
                hash: hash.clone(),
                must_change: true,
                expires: Some(expires),
            },
        )
        .await
        .expect("storing a temporary hash works");
    let state = directory
        .password_state(&id)
        .await
        .expect("state works")
        .expect("a known user has a state");
    assert!(state.must_change, "a temporary password must change");
    assert_eq!(state.expires, Some(expires));
    assert!(
        directory
            .password_state(&user("nobody@example.org"))
            .await
            .expect("state works")
            .is_none(),
        "an unknown user has no state"
    );
    assert!(
        directory
            .set_password(
                &user("nobody@example.org"),
                NewPasswordHash {
                    hash,
                    must_change: false,
                    expires: None
                }
            )
            .await
            .is_err(),
        "setting the password of an unknown user is an error"
    );
    // Registered methods read back in order, with when they were confirmed.
    let confirmed = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
    let methods = vec![
        ContactMethod::sms("+31 6 12345678"),
        ContactMethod::email("c@example.net"),
    ];
    let before = found.methods.clone();
    assert!(
        directory
            .set_methods(&id, &before, methods.clone(), confirmed)
            .await
            .expect("storing methods works"),
        "the methods were as expected: stored"
    );
    let stale = vec![
        ContactMethod::email("c@example.net"),
        ContactMethod::sms("+31 6 12345678"),
    ];
    assert!(
        !directory
            .set_methods(&id, &stale, Vec::new(), confirmed)
            .await
            .expect("the comparison works"),
        "the methods are not as expected (the same ones, in another order): nothing stored"
    );
    assert_eq!(
        directory
            .find_user(&id)
            .await
            .expect("lookup works")
            .expect("still there")
            .methods,
        methods,
        "a refused compare-and-set changes nothing"
    );
    let found = directory
        .find_user(&id)
        .await
        .expect("lookup works")
        .expect("still there");
    assert_eq!(found.methods, methods, "the methods, in their order");
    assert_eq!(found.methods_confirmed, Some(confirmed));
    assert!(
        directory
            .set_methods(&user("nobody@example.org"), &[], methods, confirmed)
            .await
            .is_err(),
        "setting the methods of an unknown user is an error"
    );
}

/// A code sender: delivers codes and notices to every kind of method without error.
pub async fn code_sender(sender: &impl CodeSender) {
    let id = user("conformance@example.org");
    let code = OneTimeCode::generate(6).expect("entropy");
    for method in [
        ContactMethod::email("c@example.net"),
        ContactMethod::sms("+31 6 12345678"),
        ContactMethod::voice("+31 20 1234567"),
    ] {
        sender
            .send_code(&id, &method, &code)
            .await
            .expect("a code is delivered");
        sender
            .send_notice(&id, &method, Notice::PasswordChanged)
            .await
            .expect("a notice is delivered");
    }
}

/// Per-user counters: windows, blocks, clearing, and users kept apart.
pub async fn counters(counters: &impl Counters, now: OffsetDateTime) {
    let a = user("a@example.org");
    let b = user("b@example.org");
    let window = Duration::hours(1);
    for expected in 1..=3 {
        let n = counters
            .add(&a, Counter::CodeSends, now, window)
            .await
            .expect("add works");
        assert_eq!(n, expected, "counts add up within a window");
    }
    let other = counters
        .add(&a, Counter::FailedVerifications, now, window)
        .await
        .expect("add works");
    assert_eq!(other, 1, "counters of one user are separate");
    let n = counters
        .add(&b, Counter::CodeSends, now, window)
        .await
        .expect("add works");
    assert_eq!(n, 1, "users are kept apart");
    counters
        .release(&a, Counter::CodeSends)
        .await
        .expect("release works");
    let n = counters
        .add(&a, Counter::CodeSends, now, window)
        .await
        .expect("add works");
    assert_eq!(n, 3, "a released add is taken back");
    counters
        .release(&b, Counter::FailedVerifications)
        .await
        .expect("releasing an unused counter works");
    let later = now + window + Duration::seconds(1);
    let n = counters
        .add(&a, Counter::CodeSends, later, window)
        .await
        .expect("add works");
    assert_eq!(n, 1, "a new window starts after the old one ends");

    assert_eq!(counters.blocked_until(&a, now).await.expect("works"), None);
    let until = now + Duration::hours(24);
    counters.block(&a, until).await.expect("block works");
    assert_eq!(
        counters.blocked_until(&a, now).await.expect("works"),
        Some(until)
    );
    assert_eq!(counters.blocked_until(&b, now).await.expect("works"), None);
    assert_eq!(
        counters
            .blocked_until(&a, until + Duration::seconds(1))
            .await
            .expect("works"),
        None,
        "a block ends"
    );
    let every = [
        Counter::CodeSends,
        Counter::FailedVerifications,
        Counter::AdminRequests,
        Counter::RegistrationSignIns,
        Counter::RegistrationSends,
        Counter::RegistrationChecks,
    ];
    for counter in every {
        counters
            .add(&a, counter, now, window)
            .await
            .expect("add works");
    }
    counters.clear(&a).await.expect("clear works");
    assert_eq!(counters.blocked_until(&a, now).await.expect("works"), None);
    for counter in every {
        let n = counters
            .add(&a, counter, now, window)
            .await
            .expect("add works");
        assert_eq!(n, 1, "clear forgets every count ({counter:?})");
    }
    counters.clear(&b).await.expect("clear works");
    counters.clear(&a).await.expect("clear works");
}

/// A clock: never goes backwards between two reads.
pub fn clock(clock: &impl Clock) {
    let first = clock.now();
    let second = clock.now();
    assert!(second >= first, "time does not run backwards");
}

/// An event sink: takes every kind of event without panicking.
pub fn event_sink(sink: &impl EventSink, now: OffsetDateTime) {
    let details = [
        Detail::FlowStarted,
        Detail::PersonalAccountChosen,
        Detail::WorkOrSchoolAccountChosen,
        Detail::ChallengeIssued {
            kind: ChallengeKind::Audio,
        },
        Detail::ChallengeFailed { attempts_left: 4 },
        Detail::ChallengePassed,
        Detail::NotEnabledForSelfService,
        Detail::CodeSent {
            via: ContactKind::Sms,
        },
        Detail::CodeFailed { attempts_left: 2 },
        Detail::CodeVerified {
            via: ContactKind::Email,
        },
        Detail::PasswordRefused {
            rule: PasswordRule::MinLength,
        },
        Detail::PasswordChanged,
        Detail::DeliveryFailed {
            via: ContactKind::Email,
        },
        Detail::NoticeFailed {
            via: ContactKind::Voice,
        },
        Detail::Locked {
            reason: LockReason::UserBlocked,
        },
        Detail::Expired,
        Detail::TemporaryPasswordSet,
        Detail::AdminResetRefused,
        Detail::TemporaryPasswordChanged,
        Detail::SupportRequestFiled {
            ticket: crate::support::TicketReference("SR-000001".into()),
        },
        Detail::SupportRequestFailed,
        Detail::ResetLinkIssued,
        Detail::ResetLinkRevoked,
        Detail::ResetLinkFailed,
        Detail::PasswordChangedWithLink,
        Detail::AdminRequested,
        Detail::AdminRequestDropped,
    ];
    for detail in details {
        sink.record(&Event {
            at: now,
            activity: detail.activity(),
            actor: Actor::Admin(user("admin@example.org")),
            flow: FlowId::generate().ok(),
            user: Some(user("c@example.org")),
            tenant: Some("contoso".into()),
            detail,
        });
    }
}

/// A flow to store: a fresh flow at its first step, suspended, that lives until
/// `now + 15 min`.
fn flow_snapshot(now: OffsetDateTime) -> crate::snapshot::FlowSnapshot {
    let sspr = crate::Sspr::builder(
        crate::directory::InMemoryDirectory::new(),
        crate::sender::Outbox::new(),
    )
    .clock(crate::clock::ManualClock::new(now))
    .build()
    .expect("service");
    flow_snapshot_and_id_of(&sspr).0
}

/// A fresh flow's snapshot and the flow's ID (the snapshot's header holds only the ID's
/// store key).
fn flow_snapshot_and_id(now: OffsetDateTime) -> (crate::snapshot::FlowSnapshot, FlowId) {
    let sspr = crate::Sspr::builder(
        crate::directory::InMemoryDirectory::new(),
        crate::sender::Outbox::new(),
    )
    .clock(crate::clock::ManualClock::new(now))
    .build()
    .expect("service");
    flow_snapshot_and_id_of(&sspr)
}

fn flow_snapshot_and_id_of(sspr: &crate::Sspr) -> (crate::snapshot::FlowSnapshot, FlowId) {
    let wizard = sspr.start().expect("a flow starts");
    let snapshot = crate::snapshot::FlowSnapshot::of(&wizard, &suite_keys()).expect("suspends");
    (snapshot, wizard.flow_id())
}

/// The keys the suites seal their flows under.
fn suite_keys() -> crate::keys::Keys {
    crate::keys::Keys::from_secret([0x5a; 32])
}

fn taken(t: crate::store::Taken) -> crate::snapshot::FlowSnapshot {
    match t {
        crate::store::Taken::Snapshot(s) => s,
        other => panic!("expected the snapshot, got {other:?}"),
    }
}

/// A flow store: one use per snapshot, stale snapshots refused, flows kept apart,
/// expiry. A store that also keeps the per-user counters runs the [`counters`] suite
/// too.
pub async fn flow_store<St: crate::store::FlowStore>(store: &St, now: OffsetDateTime) {
    use crate::store::{StoreError, Taken};
    let expires = now + Duration::minutes(15);

    // One use: a second take of the same snapshot finds nothing.
    let (a, real_id) = flow_snapshot_and_id(now);
    let (flow, nonce, bytes) = (a.flow_id(), a.nonce(), a.as_bytes().to_vec());
    store.save(a, expires, now).await.expect("save works");
    // A peek reads it without using it up.
    for _ in 0..2 {
        let peeked = store
            .peek(flow, now)
            .await
            .expect("peek works")
            .expect("a saved flow can be peeked");
        assert_eq!(peeked.as_bytes(), &bytes[..], "a peek shows the snapshot");
    }
    assert!(
        store
            .peek(flow, expires)
            .await
            .expect("peek works")
            .is_none(),
        "an expired flow cannot be peeked"
    );
    let back = taken(
        store
            .take(flow, Some(nonce), now)
            .await
            .expect("take works"),
    );
    assert_eq!(
        back.as_bytes(),
        &bytes[..],
        "the snapshot comes back unchanged"
    );
    assert!(
        matches!(store.take(flow, Some(nonce), now).await, Ok(Taken::Missing)),
        "a snapshot is taken once"
    );
    assert!(
        store.peek(flow, now).await.expect("peek works").is_none(),
        "a taken flow cannot be peeked"
    );
    assert!(matches!(
        store.take(flow, None, now).await,
        Ok(Taken::Missing)
    ));

    // The flow moves on: the old step's nonce is stale, the new one is taken.
    let first = crate::snapshot::FlowSnapshot::from_bytes(&bytes).expect("header");
    store.save(first, expires, now).await.expect("save works");
    let moved = crate::snapshot::FlowSnapshot::resume(&bytes, real_id, &suite_keys())
        .expect("resumes")
        .snapshot(&suite_keys())
        .expect("suspends");
    let new_nonce = moved.nonce();
    assert_ne!(new_nonce, nonce, "every snapshot has its own nonce");
    store
        .save(moved, expires, now)
        .await
        .expect("save replaces");
    assert!(
        matches!(store.take(flow, Some(nonce), now).await, Ok(Taken::Stale)),
        "a stale snapshot is refused"
    );
    let current = taken(store.take(flow, Some(new_nonce), now).await.expect("works"));
    assert_eq!(
        current.nonce(),
        new_nonce,
        "the stale take left the current one"
    );

    // Flows are kept apart; discard forgets one.
    let (b, c) = (flow_snapshot(now), flow_snapshot(now));
    let (flow_b, flow_c) = (b.flow_id(), c.flow_id());
    store.save(b, expires, now).await.expect("save works");
    store.save(c, expires, now).await.expect("save works");
    store.discard(flow_b).await.expect("discard works");
    assert!(matches!(
        store.take(flow_b, None, now).await,
        Ok(Taken::Missing)
    ));
    assert_eq!(
        taken(store.take(flow_c, None, now).await.expect("works")).flow_id(),
        flow_c
    );

    // Expiry: a flow past its deadline is gone; an expired snapshot is not stored.
    let d = flow_snapshot(now);
    let flow_d = d.flow_id();
    store
        .save(d, now + Duration::minutes(1), now)
        .await
        .expect("save works");
    assert!(
        matches!(
            store.take(flow_d, None, now + Duration::minutes(2)).await,
            Ok(Taken::Missing)
        ),
        "an expired flow is missing"
    );
    let expired = store.save(flow_snapshot(now), now, now).await;
    assert!(
        matches!(expired, Err(StoreError::Expired)),
        "a flow at its deadline is not saved: {expired:?}"
    );
}

/// A store that holds at most `capacity` live flows past their challenge: it refuses the
/// next with [`StoreError::Full`](crate::store::StoreError::Full) without dropping a live
/// one, and takes new flows again once old ones expire.
pub async fn flow_store_capacity<St: crate::store::FlowStore>(
    store: &St,
    capacity: usize,
    now: OffsetDateTime,
) {
    use crate::store::{StoreError, Taken};
    let short = now + Duration::minutes(1);
    let mut kept = Vec::new();
    let mut refused = false;
    for _ in 0..=capacity {
        let s = identified_snapshot(now);
        let flow = s.flow_id();
        match store.save(s, short, now).await {
            Ok(()) => kept.push(flow),
            Err(StoreError::Full { .. }) => {
                refused = true;
                break;
            }
            Err(other) => panic!("save failed: {other}"),
        }
    }
    assert!(refused, "a full store refuses a new flow");
    assert!(kept.len() <= capacity, "no more than the capacity is held");
    for flow in &kept {
        assert!(
            matches!(store.take(*flow, None, now).await, Ok(Taken::Snapshot(_))),
            "no live flow was dropped"
        );
        store
            .save(identified_snapshot_of(*flow, now), short, now)
            .await
            .expect("a taken flow can be saved again");
    }
    // Anonymous flows do not take the room of flows past their challenge.
    store
        .save(flow_snapshot(now), short, now)
        .await
        .expect("an anonymous flow is kept apart");
    let later = short + Duration::seconds(1);
    store
        .save(
            identified_snapshot(later),
            later + Duration::minutes(15),
            later,
        )
        .await
        .expect("expired flows make room");
}

/// A store whose anonymous flows (before their challenge) are bounded by
/// `anonymous_capacity`, evicting the oldest: a flood of `flood` new flows (more than
/// the pool holds) never refuses one, keeps only the newest, and leaves every flow past
/// its challenge alone; a flow started after the flood is kept.
pub async fn anonymous_flows_evict_the_oldest<St: crate::store::FlowStore>(
    store: &St,
    anonymous_capacity: usize,
    flood: usize,
    now: OffsetDateTime,
) {
    use crate::store::Taken;
    assert!(flood > anonymous_capacity, "a flood larger than the pool");
    let later = now + Duration::minutes(15);
    let identified = identified_snapshot(now);
    let (identified_flow, identified_nonce) = (identified.flow_id(), identified.nonce());
    store
        .save(identified, later, now)
        .await
        .expect("a flow past its challenge");
    let mut started = Vec::with_capacity(flood);
    for _ in 0..flood {
        let s = flow_snapshot(now);
        started.push(s.flow_id());
        store
            .save(s, later, now)
            .await
            .expect("a new anonymous flow is never refused");
    }
    let (evicted, kept) = started.split_at(flood - anonymous_capacity);
    for flow in kept {
        assert!(
            store.peek(*flow, now).await.expect("peeks").is_some(),
            "the newest anonymous flows are kept"
        );
    }
    for flow in evicted {
        assert!(
            store.peek(*flow, now).await.expect("peeks").is_none(),
            "the oldest anonymous flows are evicted"
        );
    }
    assert!(
        matches!(
            store
                .take(identified_flow, Some(identified_nonce), now)
                .await,
            Ok(Taken::Snapshot(_))
        ),
        "the flood left the flow past its challenge alone"
    );
    let after = flow_snapshot(now);
    let after_flow = after.flow_id();
    store.save(after, later, now).await.expect("saves");
    assert!(
        matches!(
            store.take(after_flow, None, now).await,
            Ok(Taken::Snapshot(_))
        ),
        "a flow started after the flood is kept"
    );
}

/// A flow past its challenge (at NewPassword), suspended, until `now + 15 min`.
fn identified_snapshot(now: OffsetDateTime) -> crate::snapshot::FlowSnapshot {
    let id = FlowId::generate().expect("entropy");
    identified_snapshot_of(id.store_key(), now)
}

/// A snapshot past its challenge filed under `key` (a store key): a new step of the flow
/// filed there. (The body is sealed for another flow ID; stores do not open bodies.)
fn identified_snapshot_of(key: FlowId, now: OffsetDateTime) -> crate::snapshot::FlowSnapshot {
    let wizard = crate::wizard::Wizard {
        flow: crate::wizard::Flow {
            id: FlowId::generate().expect("entropy"),
            started: now,
            deadline: now + Duration::minutes(15),
        },
        step: crate::state::NewPassword {
            user: crate::user_id::UserId::parse("conformance@example.org").expect("valid"),
            proved_by: vec![crate::contact::ContactMethod::sms("+31 6 00000000")],
            attempts_left: 3,
        },
    };
    let fresh = crate::snapshot::FlowSnapshot::of(&wizard, &suite_keys()).expect("suspends");
    let mut bytes = fresh.as_bytes().to_vec();
    bytes[2..18].copy_from_slice(key.as_bytes());
    crate::snapshot::FlowSnapshot::from_bytes(&bytes).expect("header")
}

/// A support desk: files a request and returns a distinct reference for each.
pub async fn support_desk(desk: &impl crate::support::SupportDesk, now: OffsetDateTime) {
    let request = || {
        crate::support::SupportRequest::new(
            "Jan Jansen",
            "jan@example.net",
            "+31 6 12345678",
            "Example BV",
            "example.org",
            "Our global admin left the company.",
        )
        .expect("a valid request")
    };
    let first = desk
        .request_new_global_admin(request(), now)
        .await
        .expect("a request is filed");
    let second = desk
        .request_new_global_admin(request(), now)
        .await
        .expect("a request is filed");
    assert!(!first.0.is_empty(), "a ticket has a reference");
    assert_ne!(first, second, "every ticket has its own reference");
}

/// A task of the host's runtime, for [`racing_takes`]: yields whether its take won.
pub type Task = std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + 'static>>;

/// Many requests taking one flow at once: in each of 20 rounds, 32 tasks take the same
/// saved flow (two of three with its step nonce, the others without) and exactly one
/// gets it. The tasks go round `stores`: handles of one store, e.g. the connections of
/// several app servers. `spawn` runs a task on the host's runtime and returns a future
/// of its result, e.g. under tokio:
/// `|task| Box::pin(async move { tokio::spawn(task).await.unwrap() })`.
pub async fn racing_takes<St, F>(stores: &[St], now: OffsetDateTime, spawn: F)
where
    St: crate::store::FlowStore + Clone + 'static,
    F: Fn(Task) -> Task,
{
    use crate::store::Taken;
    assert!(!stores.is_empty(), "at least one store handle");
    for round in 0..20 {
        let snapshot = flow_snapshot(now);
        let (flow, nonce) = (snapshot.flow_id(), snapshot.nonce());
        stores[0]
            .save(snapshot, now + Duration::minutes(15), now)
            .await
            .expect("save works");
        let tasks: Vec<Task> = (0..32)
            .map(|i| {
                let store = stores[i % stores.len()].clone();
                let nonce = (i % 3 != 0).then_some(nonce);
                spawn(Box::pin(async move {
                    match store.take(flow, nonce, now).await.expect("take works") {
                        Taken::Snapshot(_) => true,
                        Taken::Missing => false,
                        Taken::Stale => panic!("no other step of the flow was saved"),
                    }
                }))
            })
            .collect();
        let wins = join_all(tasks).await.into_iter().filter(|&won| won).count();
        assert_eq!(
            wins, 1,
            "round {round}: exactly one of 32 racing takes wins"
        );
    }
}

/// Polls every task until all are done (all start at the first poll).
async fn join_all(mut tasks: Vec<Task>) -> Vec<bool> {
    let mut results: Vec<Option<bool>> = vec![None; tasks.len()];
    std::future::poll_fn(|context| {
        for (task, result) in tasks.iter_mut().zip(results.iter_mut()) {
            if result.is_none()
                && let std::task::Poll::Ready(won) = task.as_mut().poll(context)
            {
                *result = Some(won);
            }
        }
        if results.iter().all(Option::is_some) {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    results.into_iter().flatten().collect()
}

/// A store of reset links ([`GrantStore`](crate::grant::GrantStore)): one grant per
/// account, taken once with its digest, a wrong digest leaves it, a new grant replaces
/// the old, revoking removes it, an expired one is gone, accounts do not share.
pub async fn grant_store(store: &impl crate::grant::GrantStore, now: OffsetDateTime) {
    use crate::grant::{GrantDigest, GrantTaken, StoredGrant};
    let jan = user("grant.jan@example.org");
    let piet = user("grant.piet@example.org");
    let (one, two) = (GrantDigest([1; 32]), GrantDigest([2; 32]));
    let grant = |digest: &GrantDigest, minutes| StoredGrant {
        digest: digest.clone(),
        expires: now + Duration::minutes(minutes),
    };
    assert_eq!(store.take(&jan, &one, now).await.unwrap(), GrantTaken::None);
    store.put(&jan, grant(&one, 60), now).await.unwrap();
    assert_eq!(
        store.take(&jan, &two, now).await.unwrap(),
        GrantTaken::Wrong
    );
    assert_eq!(
        store.take(&piet, &one, now).await.unwrap(),
        GrantTaken::None,
        "per account"
    );
    assert_eq!(
        store.take(&jan, &one, now).await.unwrap(),
        GrantTaken::Taken {
            expires: now + Duration::minutes(60)
        },
        "the right digest takes it, a wrong one left it"
    );
    assert_eq!(
        store.take(&jan, &one, now).await.unwrap(),
        GrantTaken::None,
        "once"
    );

    // A new grant replaces the old.
    store.put(&jan, grant(&one, 60), now).await.unwrap();
    store.put(&jan, grant(&two, 60), now).await.unwrap();
    assert_eq!(
        store.take(&jan, &one, now).await.unwrap(),
        GrantTaken::Wrong
    );
    assert!(matches!(
        store.take(&jan, &two, now).await.unwrap(),
        GrantTaken::Taken { .. }
    ));

    // Revoked, then nothing to take.
    store.put(&jan, grant(&one, 60), now).await.unwrap();
    assert!(store.revoke(&jan).await.unwrap());
    assert!(!store.revoke(&jan).await.unwrap());
    assert_eq!(store.take(&jan, &one, now).await.unwrap(), GrantTaken::None);

    // Expired: gone.
    store.put(&jan, grant(&one, 10), now).await.unwrap();
    assert_eq!(
        store
            .take(&jan, &one, now + Duration::minutes(10))
            .await
            .unwrap(),
        GrantTaken::None
    );
    // A grant already expired is not stored.
    assert!(store.put(&piet, grant(&one, 0), now).await.is_err());
}
