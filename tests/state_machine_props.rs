//! Random sequences of what a host can do (right and wrong answers, switches, new
//! challenges, method choices, right, wrong and mistyped codes, resends, going back,
//! time passing, weak and strong passwords) under random policies: the wizard never
//! panics, never completes without a right answer and enough right codes, never answers
//! more wrong answers or codes than the policy allows, and does nothing past its deadline.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use sspr::Refusal;
use sspr::Wizard;
use sspr::host::Counters;
use sspr::host::DeliveryContent as Message;
use sspr::password::{Password, PasswordRefusal};
use sspr::policy::Policy;
use sspr::step::{
    ChooseMethod, FromIdentify, FromNewPassword, FromVerify, Identify, NewPassword, ToVerify,
    Verify,
};
use sspr::testing::{
    ADMIN, DISABLED, Harness, JAN, STRONG, UNKNOWN, answer_of, id, policy, wrong_answer,
};
use sspr::{LockReason, Stay};
use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone)]
enum Action {
    RightAnswer,
    WrongAnswer,
    EmptyAnswer,
    Switch,
    NewChallenge,
    Choose(usize),
    RightCode,
    WrongCode,
    MistypedCode,
    Resend,
    ChooseAnother,
    Advance(i64),
    WeakPassword,
    StrongPassword,
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        6 => Just(Action::RightAnswer),
        4 => Just(Action::WrongAnswer),
        1 => Just(Action::EmptyAnswer),
        1 => Just(Action::Switch),
        1 => Just(Action::NewChallenge),
        4 => (0usize..3).prop_map(Action::Choose),
        6 => Just(Action::RightCode),
        4 => Just(Action::WrongCode),
        1 => Just(Action::MistypedCode),
        2 => Just(Action::Resend),
        1 => Just(Action::ChooseAnother),
        3 => (0i64..420).prop_map(Action::Advance),
        3 => Just(Action::WeakPassword),
        // Hashing is slow in a debug build: completions stay rare.
        1 => Just(Action::StrongPassword),
    ]
}

#[derive(Debug, Clone)]
struct Setup {
    challenge_attempts: u8,
    code_attempts: u8,
    new_challenges: u8,
    code_resends: u8,
    methods_required: u8,
    conceal: bool,
    user: &'static str,
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        1u8..=5,
        1u8..=5,
        1u8..=3,
        0u8..=2,
        1u8..=2,
        any::<bool>(),
        prop_oneof![
            6 => Just(JAN),
            3 => Just(ADMIN),
            1 => Just(DISABLED),
            1 => Just(UNKNOWN)
        ],
    )
        .prop_map(
            |(
                challenge_attempts,
                code_attempts,
                new_challenges,
                code_resends,
                methods,
                conceal,
                user,
            )| {
                Setup {
                    challenge_attempts,
                    code_attempts,
                    new_challenges,
                    code_resends,
                    methods_required: methods,
                    conceal,
                    user,
                }
            },
        )
}

enum State {
    Identify(Wizard<Identify>),
    Choose(Wizard<ChooseMethod>),
    Verify(Wizard<Verify>),
    NewPassword(Wizard<NewPassword>),
    Ended,
}

/// What the host did and saw.
struct Model {
    setup: Setup,
    deadline: OffsetDateTime,
    right_answer: bool,
    right_codes: usize,
    wrong_answers: u8,
    wrong_codes: u8,
    code: Option<String>,
    codes_seen: usize,
}

impl Model {
    fn required(&self) -> usize {
        if self.setup.user == ADMIN {
            2
        } else {
            usize::from(self.setup.methods_required)
        }
    }

    fn may_reset(&self) -> bool {
        self.setup.user == JAN || self.setup.user == ADMIN
    }

    /// The newest code, if one was sent since the last look.
    fn take_new_code(&mut self, h: &Harness) -> Option<String> {
        let codes: Vec<String> = h
            .outbox
            .deliveries()
            .into_iter()
            .filter_map(|d| match d.message {
                Message::Code(code) => Some(code),
                Message::Notice(_) => None,
            })
            .collect();
        let new = (codes.len() > self.codes_seen)
            .then(|| codes.last().cloned())
            .flatten();
        self.codes_seen = codes.len();
        new
    }
}

fn wrong_code_for(code: Option<&String>) -> String {
    code.map_or_else(|| "000000".to_owned(), |c| sspr::testing::wrong_code(c))
}

async fn run(setup: Setup, actions: Vec<Action>) -> Result<(), TestCaseError> {
    let h = Harness::new(policy(
        Policy::builder()
            .challenge_attempts(setup.challenge_attempts)
            .code_attempts(setup.code_attempts)
            .new_challenges(setup.new_challenges)
            .code_resends(setup.code_resends)
            .methods_required(setup.methods_required)
            .conceal(setup.conceal),
    ));
    let identify = h.identify();
    let mut m = Model {
        deadline: identify.deadline(),
        setup,
        right_answer: false,
        right_codes: 0,
        wrong_answers: 0,
        wrong_codes: 0,
        code: None,
        codes_seen: 0,
    };
    let mut state = State::Identify(identify);

    for action in actions {
        let expired = h.now() >= m.deadline;
        // Whether the action is a transition of the current step (all check the deadline).
        let transition = matches!(
            (&state, &action),
            (
                State::Identify(_),
                Action::RightAnswer
                    | Action::WrongAnswer
                    | Action::EmptyAnswer
                    | Action::Switch
                    | Action::NewChallenge
            ) | (State::Choose(_), Action::Choose(_))
                | (
                    State::Verify(_),
                    Action::RightCode | Action::WrongCode | Action::MistypedCode | Action::Resend
                )
                | (
                    State::NewPassword(_),
                    Action::WeakPassword | Action::StrongPassword
                )
        );
        // Set when a transition ended the flow with Expired.
        let mut ended_expired = false;
        state = match (state, action) {
            (State::Ended, _) => State::Ended,
            (state, Action::Advance(seconds)) => {
                h.advance(Duration::seconds(seconds));
                state
            }

            (State::Identify(w), Action::RightAnswer) => {
                let answer = answer_of(&w);
                let late = h.now() >= w.step().challenge_deadline();
                match w.submit(&h.sspr, m.setup.user, &answer).await {
                    Ok(FromIdentify::ChooseMethod(next)) => {
                        prop_assert!(m.may_reset() && !m.setup.conceal && !late);
                        m.right_answer = true;
                        State::Choose(next)
                    }
                    Ok(FromIdentify::Verify(next)) => {
                        prop_assert!(m.setup.conceal && !late);
                        m.right_answer = true;
                        m.code = m.take_new_code(&h);
                        prop_assert_eq!(m.code.is_some(), m.may_reset());
                        State::Verify(next)
                    }
                    Ok(FromIdentify::AskAdmin(_)) => {
                        prop_assert!(!m.may_reset() && !m.setup.conceal);
                        State::Ended
                    }
                    Ok(FromIdentify::Locked(locked)) => {
                        prop_assert_eq!(locked.reason, LockReason::UserBlocked);
                        State::Ended
                    }
                    Ok(FromIdentify::Expired(_)) => {
                        ended_expired = true;
                        State::Ended
                    }
                    Err(refused) => {
                        prop_assert!(
                            late && matches!(refused.reason, Refusal::ChallengeExpired),
                            "{:?}",
                            refused.reason
                        );
                        State::Identify(refused.wizard)
                    }
                }
            }
            (State::Identify(w), Action::WrongAnswer) => {
                let wrong = wrong_answer(&w);
                match w.submit(&h.sspr, m.setup.user, &wrong).await {
                    Err(refused) => match refused.reason {
                        Refusal::WrongAnswer { attempts_left } => {
                            m.wrong_answers += 1;
                            prop_assert_eq!(
                                Some(attempts_left),
                                m.setup.challenge_attempts.checked_sub(m.wrong_answers)
                            );
                            State::Identify(refused.wizard)
                        }
                        Refusal::ChallengeExpired => State::Identify(refused.wizard),
                        other => return Err(TestCaseError::fail(format!("{other:?}"))),
                    },
                    Ok(FromIdentify::Locked(locked)) => {
                        m.wrong_answers += 1;
                        prop_assert_eq!(locked.reason, LockReason::ChallengeAttempts);
                        prop_assert_eq!(m.wrong_answers, m.setup.challenge_attempts);
                        State::Ended
                    }
                    Ok(FromIdentify::Expired(_)) => {
                        ended_expired = true;
                        State::Ended
                    }
                    Ok(other) => {
                        return Err(TestCaseError::fail(format!(
                            "a wrong answer moved on: {other:?}"
                        )));
                    }
                }
            }
            (State::Identify(w), Action::EmptyAnswer) => {
                let left = w.step().attempts_left();
                match w.submit(&h.sspr, m.setup.user, " ").await {
                    Err(refused) => {
                        prop_assert!(matches!(refused.reason, Refusal::AnswerInput(_)));
                        prop_assert_eq!(refused.wizard.step().attempts_left(), left);
                        State::Identify(refused.wizard)
                    }
                    Ok(FromIdentify::Expired(_)) => {
                        ended_expired = true;
                        State::Ended
                    }
                    Ok(other) => return Err(TestCaseError::fail(format!("{other:?}"))),
                }
            }
            (State::Identify(w), action @ (Action::Switch | Action::NewChallenge)) => {
                let renewals = w.step().renewals_left();
                let kind = w.step().challenge().kind();
                let stay = if matches!(action, Action::Switch) {
                    w.switch_kind(&h.sspr)
                } else {
                    w.new_challenge(&h.sspr)
                };
                match stay {
                    Ok(Stay::Step(next)) => {
                        prop_assert_eq!(next.step().renewals_left() + 1, renewals);
                        prop_assert_eq!(
                            next.step().challenge().kind() == kind,
                            matches!(action, Action::NewChallenge)
                        );
                        State::Identify(next)
                    }
                    Ok(Stay::Expired(_)) => {
                        ended_expired = true;
                        State::Ended
                    }
                    Err(refused) => {
                        prop_assert!(matches!(refused.reason, Refusal::NoMoreChallenges));
                        prop_assert_eq!(renewals, 0);
                        State::Identify(refused.wizard)
                    }
                }
            }

            (State::Choose(w), Action::Choose(index)) => {
                let choosable = w
                    .step()
                    .methods()
                    .get(index)
                    .is_some_and(|method| !method.used);
                match w.choose(&h.sspr, index).await {
                    Ok(ToVerify::Verify(next)) => {
                        prop_assert!(choosable);
                        m.code = m.take_new_code(&h);
                        prop_assert!(m.code.is_some(), "a code was sent");
                        State::Verify(next)
                    }
                    Ok(ToVerify::Locked(locked)) => {
                        prop_assert_eq!(locked.reason, LockReason::UserBlocked);
                        State::Ended
                    }
                    Ok(ToVerify::Expired(_)) => {
                        ended_expired = true;
                        State::Ended
                    }
                    Err(refused) => {
                        prop_assert!(!choosable);
                        prop_assert!(matches!(refused.reason, Refusal::UnknownMethod));
                        State::Choose(refused.wizard)
                    }
                }
            }

            (State::Verify(w), Action::RightCode) if m.code.is_some() => {
                let code = m.code.clone().unwrap_or_default();
                let late = h.now() >= w.step().code_deadline();
                // Under the conceal policy a user ID blocked meanwhile (its resends passed
                // the limit of sends) looks like any other: no code is right.
                let blocked_unseen = m.setup.conceal
                    && h.counters
                        .blocked_until(&id(m.setup.user), h.now())
                        .await
                        .ok()
                        .flatten()
                        .is_some();
                match w.submit(&h.sspr, &code).await {
                    Ok(FromVerify::NewPassword(next)) => {
                        m.right_codes += 1;
                        prop_assert!(!late && m.right_codes >= m.required());
                        State::NewPassword(next)
                    }
                    Ok(FromVerify::ChooseMethod(next)) => {
                        m.right_codes += 1;
                        prop_assert!(!late && !m.setup.conceal && m.right_codes < m.required());
                        m.code = None;
                        State::Choose(next)
                    }
                    Ok(FromVerify::Verify(next)) => {
                        m.right_codes += 1;
                        prop_assert!(!late && m.setup.conceal && m.right_codes < m.required());
                        m.code = m.take_new_code(&h);
                        State::Verify(next)
                    }
                    Ok(FromVerify::Locked(locked)) => {
                        // Concealed and blocked, the right code counted as a wrong one.
                        prop_assert!(
                            locked.reason == LockReason::UserBlocked
                                || (blocked_unseen && locked.reason == LockReason::CodeAttempts),
                            "{:?}",
                            locked.reason
                        );
                        State::Ended
                    }
                    Ok(FromVerify::Expired(_)) => {
                        ended_expired = true;
                        State::Ended
                    }
                    Err(refused) => {
                        prop_assert!(
                            (late && matches!(refused.reason, Refusal::CodeExpired))
                                || (blocked_unseen
                                    && matches!(refused.reason, Refusal::WrongCode { .. })),
                            "the right code was refused: {:?}",
                            refused.reason
                        );
                        State::Verify(refused.wizard)
                    }
                }
            }
            (State::Verify(w), Action::RightCode | Action::WrongCode) => {
                // Without a code sent (conceal, an account that cannot reset) every code
                // is a wrong one.
                let wrong = wrong_code_for(m.code.as_ref());
                match w.submit(&h.sspr, &wrong).await {
                    Err(refused) => match refused.reason {
                        Refusal::WrongCode { attempts_left } => {
                            m.wrong_codes += 1;
                            prop_assert_eq!(
                                Some(attempts_left),
                                m.setup.code_attempts.checked_sub(m.wrong_codes)
                            );
                            State::Verify(refused.wizard)
                        }
                        Refusal::CodeExpired => State::Verify(refused.wizard),
                        other => return Err(TestCaseError::fail(format!("{other:?}"))),
                    },
                    Ok(FromVerify::Locked(locked)) => {
                        m.wrong_codes += 1;
                        match locked.reason {
                            LockReason::CodeAttempts => {
                                prop_assert_eq!(m.wrong_codes, m.setup.code_attempts);
                            }
                            // The user ID's own limit (the default 5 wrong codes per hour)
                            // can come first; it blocks at the limit, not after it.
                            LockReason::UserBlocked => {
                                prop_assert_eq!(
                                    m.wrong_codes,
                                    Policy::default().user_failed_verifications() as u8
                                );
                            }
                            other => {
                                return Err(TestCaseError::fail(format!("{other:?}")));
                            }
                        }
                        State::Ended
                    }
                    Ok(FromVerify::Expired(_)) => {
                        ended_expired = true;
                        State::Ended
                    }
                    Ok(other) => {
                        return Err(TestCaseError::fail(format!(
                            "a wrong code moved on: {other:?}"
                        )));
                    }
                }
            }
            (State::Verify(w), Action::MistypedCode) => {
                let left = w.step().attempts_left();
                match w.submit(&h.sspr, "12a456").await {
                    Err(refused) => {
                        prop_assert!(
                            matches!(refused.reason, Refusal::CodeFormat { .. }),
                            "{:?}",
                            refused.reason
                        );
                        prop_assert_eq!(refused.wizard.step().attempts_left(), left);
                        State::Verify(refused.wizard)
                    }
                    Ok(FromVerify::Expired(_)) => {
                        ended_expired = true;
                        State::Ended
                    }
                    Ok(other) => return Err(TestCaseError::fail(format!("{other:?}"))),
                }
            }
            (State::Verify(w), Action::Resend) => {
                let resends = w.step().resends_left();
                match w.resend(&h.sspr).await {
                    Ok(ToVerify::Verify(next)) => {
                        prop_assert_eq!(next.step().resends_left() + 1, resends);
                        if let Some(code) = m.take_new_code(&h) {
                            m.code = Some(code);
                        }
                        State::Verify(next)
                    }
                    Ok(ToVerify::Locked(locked)) => {
                        prop_assert_eq!(locked.reason, LockReason::UserBlocked);
                        State::Ended
                    }
                    Ok(ToVerify::Expired(_)) => {
                        ended_expired = true;
                        State::Ended
                    }
                    Err(refused) => {
                        prop_assert!(matches!(refused.reason, Refusal::NoMoreResends));
                        prop_assert_eq!(resends, 0);
                        State::Verify(refused.wizard)
                    }
                }
            }
            (State::Verify(w), Action::ChooseAnother) => match w.choose_another_method() {
                Ok(next) => {
                    prop_assert!(!m.setup.conceal);
                    m.code = None;
                    State::Choose(next)
                }
                Err(refused) => {
                    prop_assert!(m.setup.conceal);
                    prop_assert!(matches!(refused.reason, Refusal::UnknownMethod));
                    State::Verify(refused.wizard)
                }
            },

            (State::NewPassword(w), Action::WeakPassword) => {
                let weak = || Password::new("password1");
                match w.submit(&h.sspr, weak(), weak()).await {
                    Err(refused) => {
                        prop_assert!(
                            matches!(
                                refused.reason,
                                Refusal::Password(PasswordRefusal::TooWeak { .. })
                            ),
                            "{:?}",
                            refused.reason
                        );
                        State::NewPassword(refused.wizard)
                    }
                    Ok(FromNewPassword::Expired(_)) => {
                        ended_expired = true;
                        State::Ended
                    }
                    // The step's bound on refused passwords.
                    Ok(FromNewPassword::Locked(locked))
                        if locked.reason == sspr::LockReason::PasswordAttempts =>
                    {
                        State::Ended
                    }
                    Ok(other) => {
                        return Err(TestCaseError::fail(format!("weak accepted: {other:?}")));
                    }
                }
            }
            (State::NewPassword(w), Action::StrongPassword) => {
                let strong = || Password::new(STRONG);
                match w.submit(&h.sspr, strong(), strong()).await {
                    Ok(FromNewPassword::Completed(receipt)) => {
                        prop_assert!(m.may_reset());
                        prop_assert!(m.right_answer, "completed without a right answer");
                        prop_assert!(
                            m.right_codes >= m.required(),
                            "completed with {} right codes of {}",
                            m.right_codes,
                            m.required()
                        );
                        prop_assert_eq!(receipt.methods_used.len(), m.required());
                        State::Ended
                    }
                    Ok(FromNewPassword::Expired(_)) => {
                        ended_expired = true;
                        State::Ended
                    }
                    Ok(other) => {
                        return Err(TestCaseError::fail(format!("strong refused: {other:?}")));
                    }
                    Err(refused) => {
                        return Err(TestCaseError::fail(format!("{:?}", refused.reason)));
                    }
                }
            }

            // Anything else does not apply to the step the wizard is at.
            (state, _) => state,
        };
        prop_assert!(
            m.wrong_answers <= m.setup.challenge_attempts,
            "{} wrong answers answered with {} attempts",
            m.wrong_answers,
            m.setup.challenge_attempts
        );
        prop_assert!(
            m.wrong_codes <= m.setup.code_attempts,
            "{} wrong codes answered with {} attempts",
            m.wrong_codes,
            m.setup.code_attempts
        );
        if ended_expired {
            prop_assert!(expired, "Expired before the deadline");
        }
        if transition && expired {
            prop_assert!(ended_expired, "a step moved past the flow's deadline");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        max_shrink_iters: 256,
        ..ProptestConfig::default()
    })]

    #[test]
    fn host_actions_keep_the_machine_honest(
        setup in setup(),
        actions in proptest::collection::vec(action(), 1..60),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime");
        runtime.block_on(run(setup, actions))?;
    }
}
