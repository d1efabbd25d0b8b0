//! Every password rule, through the wizard: each refusal names the rule, keeps the
//! NewPassword step (which then still completes), stores nothing, notifies no one and
//! names only the rule in the audit trail.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use sspr::event::{Activity, Detail};
use sspr::host::Role;
use sspr::password::{
    HashParams, Password, PasswordRefusal, PasswordRule, PasswordRules, hash_password,
};
use sspr::policy::Policy;
use sspr::step::{FromNewPassword, NewPassword};
use sspr::testing::{Harness, JAN, STRONG, id, mail, phone, policy, record};
use sspr::{Refusal, Wizard};

/// Jan's current password.
const CURRENT: &str = "quiet harbor lantern 58";

/// A service whose rules ban "fabrikam", with Jan holding a current password hash.
fn harness() -> (Harness, String) {
    let rules = PasswordRules::builder()
        .banned_terms(["fabrikam"])
        .build()
        .expect("valid rules");
    let h = Harness::new(policy(
        Policy::builder().conceal(false).password_rules(rules),
    ));
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let current =
        hash_password(&Password::new(CURRENT), &HashParams::default(), &mut rng).expect("hashes");
    let phc = current.as_str().to_owned();
    let mut jan = record(JAN, true, vec![Role::User], vec![phone(), mail()]);
    jan.password_hash = Some(current);
    h.add(jan);
    (h, phc)
}

/// Submits `new`/`confirm`, expects `expected`, and checks that nothing happened.
async fn refused(
    h: &Harness,
    phc: &str,
    wizard: Wizard<NewPassword>,
    new: &str,
    confirm: &str,
    expected: PasswordRefusal,
    rule: PasswordRule,
) -> Wizard<NewPassword> {
    assert_eq!(expected.rule(), rule);
    // A flow allows a bounded number of refused passwords: go on in a fresh one.
    let wizard = if wizard.step().attempts_left() <= 1 {
        h.new_password().await
    } else {
        wizard
    };
    let deliveries = h.outbox.deliveries().len();
    let refused = wizard
        .submit(&h.sspr, Password::new(new), Password::new(confirm))
        .await
        .expect_err("the rule refuses it");
    match refused.reason {
        Refusal::Password(reason) => assert_eq!(reason, expected, "{new:?}"),
        other => unreachable!("{new:?}: {other:?}"),
    }
    let wizard = refused.wizard;
    assert_eq!(wizard.step().user(), &id(JAN), "the NewPassword step stays");
    assert_eq!(wizard.step().methods_used(), vec![phone().masked()]);
    assert_eq!(h.directory.stores(), 0, "nothing stored");
    let stored = h.directory.inner.get(&id(JAN)).expect("Jan");
    assert_eq!(stored.password_hash.expect("current").as_str(), phc);
    assert_eq!(h.outbox.deliveries().len(), deliveries, "no notice");
    assert_eq!(
        h.event_trail().last(),
        Some(&(
            Activity::FlowActivityProgress,
            Detail::PasswordRefused { rule }
        ))
    );
    wizard
}

#[tokio::test]
async fn every_rule_refuses_and_keeps_the_step() {
    let (h, phc) = harness();
    let mut w = h.new_password().await;

    w = refused(
        &h,
        &phc,
        w,
        "Ab1!x",
        "Ab1!x",
        PasswordRefusal::TooShort { min: 8 },
        PasswordRule::MinLength,
    )
    .await;
    // Length counts characters after NFKC: three ligatures are six characters.
    w = refused(
        &h,
        &phc,
        w,
        "ﬁﬁﬁ",
        "ﬁﬁﬁ",
        PasswordRefusal::TooShort { min: 8 },
        PasswordRule::MinLength,
    )
    .await;
    let long = "kettle ".repeat(37);
    w = refused(
        &h,
        &phc,
        w,
        &long,
        &long,
        PasswordRefusal::TooLong { max: 256 },
        PasswordRule::MaxLength,
    )
    .await;
    for control in [
        "plum\tkettle orbit 71",
        "plum kettle\norbit 71",
        "plum kettle orbit 71\u{7}",
    ] {
        w = refused(
            &h,
            &phc,
            w,
            control,
            control,
            PasswordRefusal::ControlCharacter,
            PasswordRule::NoControlCharacters,
        )
        .await;
    }
    w = refused(
        &h,
        &phc,
        w,
        STRONG,
        "plum kettle orbit 72",
        PasswordRefusal::Mismatch,
        PasswordRule::EntriesMatch,
    )
    .await;
    w = refused(
        &h,
        &phc,
        w,
        STRONG,
        "",
        PasswordRefusal::Mismatch,
        PasswordRule::EntriesMatch,
    )
    .await;
    for with_id in [
        "jan.jansen kettle orbit 71",
        "orbit JAN.JANSEN@contoso.nl 71",
    ] {
        w = refused(
            &h,
            &phc,
            w,
            with_id,
            with_id,
            PasswordRefusal::ContainsUserId,
            PasswordRule::NoUserId,
        )
        .await;
    }
    for banned in ["Fabrikam kettle orbit 71", "plum F4br1kam orbit 71"] {
        w = refused(
            &h,
            &phc,
            w,
            banned,
            banned,
            PasswordRefusal::Banned,
            PasswordRule::NoBannedTerms,
        )
        .await;
    }
    for weak in ["password1", "qwertyuiop", "11111111"] {
        let deliveries = h.outbox.deliveries().len();
        let refused = w
            .submit(&h.sspr, Password::new(weak), Password::new(weak))
            .await
            .expect_err("weak");
        assert!(
            matches!(
                refused.reason,
                Refusal::Password(PasswordRefusal::TooWeak { min_score: 3, .. })
            ),
            "{weak}: {:?}",
            refused.reason
        );
        assert_eq!(h.outbox.deliveries().len(), deliveries);
        assert_eq!(h.directory.stores(), 0);
        w = refused.wizard;
    }

    // The same step still takes a good password.
    let outcome = w
        .submit(&h.sspr, Password::new(STRONG), Password::new(STRONG))
        .await
        .expect("strong");
    assert!(
        matches!(outcome, FromNewPassword::Completed(_)),
        "{outcome:?}"
    );
    let stored = h.directory.inner.get(&id(JAN)).expect("Jan");
    assert_ne!(stored.password_hash.expect("new").as_str(), phc);
}

#[tokio::test]
async fn the_current_password_is_refused_even_typed_in_full_width() {
    let (h, phc) = harness();
    let w = h.new_password().await;
    // NFKC makes the full-width form the current password.
    let full_width = "ｑｕｉｅｔ ｈａｒｂｏｒ ｌａｎｔｅｒｎ ５８";
    let w = refused(
        &h,
        &phc,
        w,
        full_width,
        CURRENT,
        PasswordRefusal::SameAsCurrent,
        PasswordRule::NotCurrent,
    )
    .await;
    assert_eq!(
        h.directory.lookups(),
        2,
        "one lookup to identify, one for the hash"
    );
    assert_eq!(w.step().user(), &id(JAN));
}

#[tokio::test]
async fn refused_passwords_per_flow_are_bounded() {
    let (h, _) = harness();
    let mut w = h.new_password().await;
    assert_eq!(w.step().attempts_left(), sspr::step::NEW_PASSWORD_ATTEMPTS);
    for left in (1..sspr::step::NEW_PASSWORD_ATTEMPTS).rev() {
        let refused = w
            .submit(
                &h.sspr,
                Password::new("password1"),
                Password::new("password1"),
            )
            .await
            .expect_err("too weak");
        w = refused.wizard;
        assert_eq!(w.step().attempts_left(), left);
    }
    let last = w
        .submit(
            &h.sspr,
            Password::new("password1"),
            Password::new("password1"),
        )
        .await;
    assert!(
        matches!(
            last,
            Ok(FromNewPassword::Locked(ref locked))
                if locked.reason == sspr::LockReason::PasswordAttempts && locked.until.is_none()
        ),
        "{last:?}"
    );
    assert_eq!(h.directory.stores(), 0, "nothing stored");
}
