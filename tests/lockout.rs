//! The attempt budgets of one flow: wrong answers and wrong codes lock it after exactly the
//! policy's number, input that cannot be an answer or a code costs nothing, new challenges
//! and resends are bounded, and a switch gives an audio challenge and back.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

use sspr::Refusal;
use sspr::UserIdError;
use sspr::challenge::{AUDIO_ALPHABET, ChallengeKind, InputRejected};
use sspr::event::{Activity, Detail};
use sspr::policy::Policy;
use sspr::step::{FromIdentify, FromVerify, ToVerify};
use sspr::testing::{Harness, JAN, answer_of, phone, policy, wrong_answer, wrong_code};
use sspr::{LockReason, Locked, Stay};
use time::Duration;

#[tokio::test]
async fn wrong_answers_lock_after_exactly_the_policy_attempts() {
    for attempts in [1u8, 3, 5] {
        let h = Harness::new(policy(
            Policy::builder()
                .conceal(false)
                .challenge_attempts(attempts),
        ));
        let mut identify = h.identify();
        assert_eq!(identify.step().attempts_left(), attempts);
        for n in 1..=attempts {
            let before = answer_of(&identify);
            let issued_before = count_challenges(&h);
            let wrong = wrong_answer(&identify);
            match identify.submit(&h.sspr, JAN, &wrong).await {
                Err(refused) => {
                    let left = attempts - n;
                    assert!(left > 0, "attempt {n} of {attempts} should have locked");
                    assert!(
                        matches!(refused.reason, Refusal::WrongAnswer { attempts_left } if attempts_left == left),
                        "{:?}",
                        refused.reason
                    );
                    identify = refused.wizard;
                    assert_eq!(identify.step().attempts_left(), left);
                    // A new challenge after each wrong answer.
                    assert_eq!(count_challenges(&h), issued_before + 1);
                    assert_ne!(answer_of(&identify), before, "a new challenge is shown");
                }
                Ok(FromIdentify::Locked(locked)) => {
                    assert_eq!(n, attempts, "locked early");
                    assert_eq!(
                        locked,
                        Locked {
                            reason: LockReason::ChallengeAttempts,
                            until: None
                        }
                    );
                    break;
                }
                Ok(other) => unreachable!("{other:?}"),
            }
        }
        assert_eq!(h.directory.lookups(), 0);
        assert!(h.event_trail().contains(&(
            Activity::BlockedFromSelfServiceReset,
            Detail::Locked {
                reason: LockReason::ChallengeAttempts
            }
        )));
    }
}

fn count_challenges(h: &Harness) -> usize {
    h.event_trail()
        .iter()
        .filter(|(_, d)| matches!(d, Detail::ChallengeIssued { .. }))
        .count()
}

/// A user ID, typed characters, and the refusal expected.
type Case<'a> = (&'a str, String, fn(&Refusal) -> bool);

#[tokio::test]
async fn empty_input_and_invalid_user_ids_cost_no_attempt() {
    let h = Harness::new(policy(
        Policy::builder().conceal(false).challenge_attempts(1),
    ));
    let mut identify = h.identify();
    let answer = answer_of(&identify);
    let long_id = format!("{}@contoso.nl", "a".repeat(300));
    let cases: [Case; 7] = [
        (JAN, String::new(), |r| {
            matches!(r, Refusal::AnswerInput(InputRejected::Empty))
        }),
        (JAN, " - -  ".into(), |r| {
            matches!(r, Refusal::AnswerInput(InputRejected::Empty))
        }),
        (JAN, "X".repeat(65), |r| {
            matches!(r, Refusal::AnswerInput(InputRejected::TooLong { .. }))
        }),
        ("", "WRONG1".into(), |r| {
            matches!(r, Refusal::UserId(UserIdError::Empty))
        }),
        ("jan jansen@contoso.nl", "WRONG1".into(), |r| {
            matches!(r, Refusal::UserId(UserIdError::InvalidCharacter))
        }),
        ("jan\u{200B}@contoso.nl", "WRONG1".into(), |r| {
            matches!(r, Refusal::UserId(UserIdError::InvisibleCharacter))
        }),
        (&long_id, "WRONG1".into(), |r| {
            matches!(r, Refusal::UserId(UserIdError::TooLong { .. }))
        }),
    ];
    for (user, typed, expected) in cases {
        let refused = identify
            .submit(&h.sspr, user, &typed)
            .await
            .expect_err("refused");
        assert!(
            expected(&refused.reason),
            "{user:?} {typed:?}: {:?}",
            refused.reason
        );
        identify = refused.wizard;
        assert_eq!(identify.step().attempts_left(), 1, "no attempt used");
        assert_eq!(answer_of(&identify), answer, "the same challenge stays");
    }
    // The one attempt is still there: the right answer goes on.
    let outcome = identify
        .submit(&h.sspr, JAN, &answer.to_lowercase())
        .await
        .expect("right");
    assert!(
        matches!(outcome, FromIdentify::ChooseMethod(_)),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn new_challenges_are_bounded_then_refused_and_the_challenge_stays() {
    let h = Harness::new(policy(Policy::builder().conceal(false).new_challenges(3)));
    let mut identify = h.identify();
    assert_eq!(identify.step().renewals_left(), 3);
    // Asking for a new one and switching kind draw from the same budget.
    for (n, switch) in [(1u8, false), (2, true), (3, false)] {
        let before = answer_of(&identify);
        let stay = if switch {
            identify.switch_kind(&h.sspr)
        } else {
            identify.new_challenge(&h.sspr)
        };
        let Ok(Stay::Step(next)) = stay else {
            unreachable!("renewal {n}: {stay:?}");
        };
        identify = next;
        assert_eq!(identify.step().renewals_left(), 3 - n);
        assert_ne!(answer_of(&identify), before);
    }
    let attempts = identify.step().attempts_left();
    let answer = answer_of(&identify);
    let kind = identify.step().challenge().kind();
    let refused = identify.new_challenge(&h.sspr).expect_err("budget spent");
    assert!(
        matches!(refused.reason, Refusal::NoMoreChallenges),
        "{:?}",
        refused.reason
    );
    let refused = refused
        .wizard
        .switch_kind(&h.sspr)
        .expect_err("budget spent");
    assert!(matches!(refused.reason, Refusal::NoMoreChallenges));
    let identify = refused.wizard;
    assert_eq!(answer_of(&identify), answer, "the challenge stays");
    assert_eq!(identify.step().challenge().kind(), kind);
    assert_eq!(identify.step().attempts_left(), attempts, "no attempt used");
    let outcome = identify.submit(&h.sspr, JAN, &answer).await.expect("right");
    assert!(
        matches!(outcome, FromIdentify::ChooseMethod(_)),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn switching_gives_an_audio_challenge_and_back() {
    let h = Harness::revealing();
    let identify = h.identify();
    assert_eq!(identify.step().challenge().kind(), ChallengeKind::Image);
    let Ok(Stay::Step(audio)) = identify.switch_kind(&h.sspr) else {
        unreachable!("switch refused");
    };
    assert_eq!(audio.step().challenge().kind(), ChallengeKind::Audio);
    let digits = answer_of(&audio);
    assert!(
        digits.bytes().all(|b| AUDIO_ALPHABET.contains(&b)),
        "{digits}"
    );
    assert_eq!(digits.len(), h.sspr.policy().challenge_length().get());
    assert!(h.event_trail().contains(&(
        Activity::FlowActivityProgress,
        Detail::ChallengeIssued {
            kind: ChallengeKind::Audio
        }
    )));

    let Ok(Stay::Step(image)) = audio.switch_kind(&h.sspr) else {
        unreachable!("switch refused");
    };
    assert_eq!(image.step().challenge().kind(), ChallengeKind::Image);
    let Ok(Stay::Step(audio)) = image.switch_kind(&h.sspr) else {
        unreachable!("switch refused");
    };
    // A wrong answer to an audio challenge gives a new audio challenge.
    let wrong = wrong_answer(&audio);
    let refused = audio.submit(&h.sspr, JAN, &wrong).await.expect_err("wrong");
    let audio = refused.wizard;
    assert_eq!(audio.step().challenge().kind(), ChallengeKind::Audio);
    // The audio answer, typed with spaces, goes on.
    let spaced: String = answer_of(&audio).chars().flat_map(|c| [c, ' ']).collect();
    let outcome = audio.submit(&h.sspr, JAN, &spaced).await.expect("right");
    assert!(
        matches!(outcome, FromIdentify::ChooseMethod(_)),
        "{outcome:?}"
    );
}

/// A policy where the flow's code attempts run out before the user ID's limit.
fn code_policy(attempts: u8) -> Policy {
    policy(
        Policy::builder()
            .conceal(false)
            .conceal(false)
            .code_attempts(attempts)
            .user_failed_verifications(20),
    )
}

#[tokio::test]
async fn wrong_codes_lock_after_exactly_the_policy_attempts() {
    for attempts in [1u8, 3, 5] {
        let h = Harness::new(code_policy(attempts));
        let mut verify = h.verify(JAN, 0).await;
        assert_eq!(verify.step().attempts_left(), attempts);
        let wrong = wrong_code(&h.code_to(&phone()));
        for n in 1..=attempts {
            match verify.submit(&h.sspr, &wrong).await {
                Err(refused) => {
                    let left = attempts - n;
                    assert!(left > 0, "attempt {n} of {attempts} should have locked");
                    assert!(
                        matches!(refused.reason, Refusal::WrongCode { attempts_left } if attempts_left == left),
                        "{:?}",
                        refused.reason
                    );
                    verify = refused.wizard;
                    assert_eq!(verify.step().attempts_left(), left);
                }
                Ok(FromVerify::Locked(locked)) => {
                    assert_eq!(n, attempts, "locked early");
                    assert_eq!(
                        locked,
                        Locked {
                            reason: LockReason::CodeAttempts,
                            until: None
                        }
                    );
                    break;
                }
                Ok(other) => unreachable!("{other:?}"),
            }
        }
        assert_eq!(h.codes_sent(), 1, "no new code after a wrong one");
    }
}

#[tokio::test]
async fn mistyped_codes_cost_no_attempt_and_formatting_is_ignored() {
    let h = Harness::new(code_policy(1));
    let mut verify = h.verify(JAN, 0).await;
    let code = h.code_to(&phone());
    let mistyped = [
        String::new(),
        "abcdef".into(),
        format!("{}a", &code[..5]),
        code[..5].to_owned(),
        format!("{code}1"),
        format!("{code}{code}"),
        "12 34 5".into(),
        "١٢٣٤٥٦".into(), // Arabic-Indic digits are not digits of a code
        "9".repeat(1000),
    ];
    for typed in mistyped {
        let refused = verify.submit(&h.sspr, &typed).await.expect_err("mistyped");
        assert!(
            matches!(refused.reason, Refusal::CodeFormat { digits: 6 }),
            "{typed:?}: {:?}",
            refused.reason
        );
        verify = refused.wizard;
        assert_eq!(
            verify.step().attempts_left(),
            1,
            "{typed:?} cost an attempt"
        );
    }
    // Spaces and hyphens are ignored; the one attempt is still there.
    let typed = format!("{} - {}", &code[..3], &code[3..]);
    let outcome = verify
        .submit(&h.sspr, &typed)
        .await
        .expect("the right code");
    assert!(matches!(outcome, FromVerify::NewPassword(_)), "{outcome:?}");
}

#[tokio::test]
async fn an_expired_code_is_refused_without_cost_and_a_resend_works() {
    let h = Harness::revealing();
    let verify = h.verify(JAN, 0).await;
    let old = h.code_to(&phone());
    let attempts = verify.step().attempts_left();
    assert_eq!(
        verify.step().code_deadline(),
        h.now() + Duration::minutes(10)
    );
    h.advance(h.sspr.policy().code_lifetime());

    let refused = verify.submit(&h.sspr, &old).await.expect_err("expired");
    assert!(
        matches!(refused.reason, Refusal::CodeExpired),
        "{:?}",
        refused.reason
    );
    let verify = refused.wizard;
    assert_eq!(verify.step().attempts_left(), attempts);
    // A wrong code after expiry costs nothing either.
    let refused = verify
        .submit(&h.sspr, &wrong_code(&old))
        .await
        .expect_err("expired");
    assert!(matches!(refused.reason, Refusal::CodeExpired));
    let verify = refused.wizard;
    assert_eq!(verify.step().attempts_left(), attempts);

    let Ok(ToVerify::Verify(verify)) = verify.resend(&h.sspr).await else {
        unreachable!("resend refused");
    };
    assert_eq!(h.codes_sent(), 2);
    assert_eq!(
        verify.step().code_deadline(),
        h.now() + Duration::minutes(10)
    );
    let new = h.code_to(&phone());
    if new != old {
        // The old code stops working when a new one is sent.
        let refused = verify.submit(&h.sspr, &old).await.expect_err("old code");
        assert!(
            matches!(refused.reason, Refusal::WrongCode { .. }),
            "{:?}",
            refused.reason
        );
        let verify = refused.wizard;
        let outcome = verify.submit(&h.sspr, &new).await.expect("the new code");
        assert!(matches!(outcome, FromVerify::NewPassword(_)), "{outcome:?}");
    } else {
        let outcome = verify.submit(&h.sspr, &new).await.expect("the new code");
        assert!(matches!(outcome, FromVerify::NewPassword(_)), "{outcome:?}");
    }
}

#[tokio::test]
async fn resends_are_bounded() {
    let h = Harness::new(policy(Policy::builder().conceal(false).code_resends(2)));
    let mut verify = h.verify(JAN, 1).await;
    assert_eq!(verify.step().resends_left(), 2);
    for left in [1u8, 0] {
        let Ok(ToVerify::Verify(next)) = verify.resend(&h.sspr).await else {
            unreachable!("resend refused");
        };
        verify = next;
        assert_eq!(verify.step().resends_left(), left);
    }
    assert_eq!(h.codes_sent(), 3);
    let refused = verify.resend(&h.sspr).await.expect_err("no more resends");
    assert!(
        matches!(refused.reason, Refusal::NoMoreResends),
        "{:?}",
        refused.reason
    );
    assert_eq!(h.codes_sent(), 3, "nothing sent");
    // The last code still works.
    let outcome = h.submit_code(refused.wizard, &sspr::testing::mail()).await;
    assert!(matches!(outcome, FromVerify::NewPassword(_)), "{outcome:?}");
}

#[tokio::test]
async fn speaking_another_language_is_a_new_challenge_kept_across_a_save() {
    use sspr::challenge::Language;
    use sspr::store::{Flows, MemoryFlowStore};
    let h = Harness::default_policy();
    let identify = h.identify();
    assert_eq!(identify.step().challenge().language(), Language::English);
    let Ok(sspr::Stay::Step(dutch)) = identify.speak(&h.sspr, Language::Dutch) else {
        panic!("a new challenge in Dutch")
    };
    assert_eq!(dutch.step().challenge().language(), Language::Dutch);
    let flows = Flows::new(MemoryFlowStore::new(), sspr::testing::keys())
        .expect("keys")
        .with_clock(h.sspr.clone());
    let saved = flows
        .save(&dutch.into())
        .await
        .expect("saves")
        .expect("a step");
    let sspr::AnyStep::Identify(resumed) = flows
        .resume_step(&saved.flow.to_string(), saved.nonce)
        .await
        .expect("resumes")
    else {
        panic!("identify")
    };
    assert_eq!(resumed.step().challenge().language(), Language::Dutch);
    // A switch to audio keeps the language.
    let Ok(sspr::Stay::Step(audio)) = resumed.switch_kind(&h.sspr) else {
        panic!("audio")
    };
    assert_eq!(audio.step().challenge().language(), Language::Dutch);
}
