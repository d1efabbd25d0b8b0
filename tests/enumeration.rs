//! An unknown user ID and an account that may not reset look the same from outside: the
//! same outcome, the same audit trail (flow, time and user aside) and the same directory
//! work. Only a solved challenge asks the directory at all. By default (the conceal
//! policy) an account that can reset does that same work too.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sspr::event::{Activity, Detail, EventRecorder};
use sspr::host::{DeliverAtOnce, Dispatch, DispatchError, Outbox, PendingDelivery, Role};
use sspr::step::{AccountType, FromIdentify, FromSelectAccount};
use sspr::testing::{
    DISABLED, Harness, JAN, TestCounters, UNKNOWN, answer_of, demo_directory, record,
};
use sspr::{AskAdmin, Sspr};

/// What one flow for `user` (right answer first time) shows under `conceal(false)`: the
/// outcome's `Debug`, the event trail and the directory lookups, in a fresh service each
/// time.
async fn observe(user: &str) -> (String, Vec<(Activity, Detail)>, usize) {
    let h = Harness::revealing();
    h.add(record(
        "no.methods@contoso.nl",
        true,
        vec![Role::User],
        vec![],
    ));
    let outcome = h.submit_right(user).await;
    assert!(
        matches!(outcome, FromIdentify::AskAdmin(AskAdmin)),
        "{user}: {outcome:?}"
    );
    assert!(h.outbox.deliveries().is_empty());
    (
        format!("{outcome:?}"),
        h.event_trail(),
        h.directory.lookups(),
    )
}

#[tokio::test]
async fn unknown_and_disabled_users_are_indistinguishable() {
    let unknown = observe(UNKNOWN).await;
    let disabled = observe(DISABLED).await;
    assert_eq!(unknown.0, disabled.0, "same outcome");
    assert_eq!(unknown.1, disabled.1, "same events");
    assert_eq!(unknown.2, disabled.2, "same directory lookups");
    assert_eq!(unknown.2, 1, "exactly one lookup");

    // So is an enabled account without any method to send a code to.
    let no_methods = observe("no.methods@contoso.nl").await;
    assert_eq!(unknown, no_methods);

    // The trail says the challenge was solved and the account may not reset, no more.
    assert_eq!(
        &unknown.1[unknown.1.len() - 2..],
        &[
            (Activity::FlowActivityProgress, Detail::ChallengePassed),
            (
                Activity::FlowActivityProgress,
                Detail::NotEnabledForSelfService
            ),
        ]
    );
}

#[tokio::test]
async fn events_name_the_user_id_as_typed_whether_or_not_it_exists() {
    for user in [UNKNOWN, DISABLED] {
        let h = Harness::default_policy();
        let _ = h.submit_right(user).await;
        let users: Vec<_> = h
            .events
            .events()
            .into_iter()
            .filter_map(|e| e.user)
            .collect();
        assert!(!users.is_empty());
        assert!(users.iter().all(|u| u.as_str() == user), "{users:?}");
    }
}

#[tokio::test]
async fn the_directory_is_asked_only_after_a_solved_challenge() {
    let h = Harness::default_policy();
    let identify = h.identify();
    let wrong = sspr::testing::wrong_answer(&identify);
    let refused = identify
        .submit(&h.sspr, JAN, &wrong)
        .await
        .expect_err("a wrong answer is refused");
    let identify = refused.wizard;
    let refused = identify
        .submit(&h.sspr, JAN, "")
        .await
        .expect_err("empty input is refused");
    let identify = refused.wizard;
    let _ = identify
        .submit(&h.sspr, "not a user id", "ABCDEF")
        .await
        .expect_err("an invalid user ID is refused");
    assert_eq!(h.directory.lookups(), 0);

    // Wrong answers look the same for every user ID: nothing about the account leaks.
    let mut trails = Vec::new();
    for user in [JAN, UNKNOWN, DISABLED] {
        let h = Harness::default_policy();
        let identify = h.identify();
        let wrong = sspr::testing::wrong_answer(&identify);
        let refused = identify
            .submit(&h.sspr, user, &wrong)
            .await
            .expect_err("a wrong answer is refused");
        trails.push((format!("{}", refused.reason), h.event_trail()));
        assert!(h.events.events().iter().all(|e| e.user.is_none()));
    }
    assert_eq!(trails[0], trails[1]);
    assert_eq!(trails[0], trails[2]);
}

/// A dispatch that counts the deliveries handed to it, then runs them at once.
#[derive(Clone, Default)]
struct CountingDispatch(Arc<AtomicUsize>);

impl Dispatch for CountingDispatch {
    fn dispatch(&self, delivery: PendingDelivery) -> Result<(), DispatchError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        DeliverAtOnce.dispatch(delivery)
    }
}

/// The work one flow for `user` asks of the host's parts under the default (conceal)
/// policy: counter operations, deliveries handed off and events, and whether it went on
/// to the code page.
async fn concealed_work(user: &str) -> (bool, usize, usize, usize) {
    let counters = TestCounters::default();
    let dispatch = CountingDispatch::default();
    let events = EventRecorder::new();
    let sspr = Sspr::builder(demo_directory(), Outbox::new())
        .counters(counters.clone())
        .dispatch(dispatch.clone())
        .events(events.clone())
        .build()
        .expect("service");
    let Ok(FromSelectAccount::Identify(identify)) = sspr
        .start()
        .expect("starts")
        .choose(&sspr, AccountType::WorkOrSchool)
    else {
        panic!("expected Identify")
    };
    let answer = answer_of(&identify);
    let outcome = identify
        .submit(&sspr, user, &answer)
        .await
        .expect("moves on");
    (
        matches!(outcome, FromIdentify::Verify(_)),
        counters.calls(),
        dispatch.0.load(Ordering::SeqCst),
        events.events().len(),
    )
}

#[tokio::test]
async fn by_default_every_account_does_the_same_work_and_hands_off_one_delivery() {
    let known = concealed_work(JAN).await;
    assert_eq!(
        known,
        (true, 2, 1, known.3),
        "a block check and a count, one hand-off"
    );
    for user in [UNKNOWN, DISABLED] {
        assert_eq!(concealed_work(user).await, known, "{user}");
    }
}
