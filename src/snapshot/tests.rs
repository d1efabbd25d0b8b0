#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use time::{Duration, OffsetDateTime};

use super::*;
use crate::challenge::{Challenge, ChallengeKind, ChallengeLength};
use crate::code::CodeDigest;
use crate::contact::ContactMethod;
use crate::keys::Keys;
use crate::policy::Policy;
use crate::state::NEW_PASSWORD_ATTEMPTS;
use crate::state::{Account, Code, Concealed};
use crate::user_id::UserId;
use crate::wizard::Flow;

fn keys() -> Keys {
    Keys::from_secret([0x42; 32])
}

fn flow(id: u8, started: i64, lifetime: i64) -> Flow {
    let started = OffsetDateTime::UNIX_EPOCH + Duration::nanoseconds(started);
    Flow {
        id: FlowId::from_bytes([id; 16]),
        started,
        deadline: started + Duration::nanoseconds(lifetime),
    }
}

/// A flow of 2023, 15 minutes long.
fn usual_flow() -> Flow {
    flow(1, 1_700_000_000_000_000_000, 900_000_000_000)
}

fn user() -> UserId {
    UserId::parse("Jan.Jansen@Contoso.nl").unwrap()
}

/// The `i`-th contact method: SMS, email and voice in turn.
fn contact(i: usize) -> ContactMethod {
    match i % 3 {
        0 => ContactMethod::sms(format!("+31 6 1234567{i}")),
        1 => ContactMethod::email(format!("jan{i}@example.org")),
        _ => ContactMethod::voice("+31 20 1234567"),
    }
}

/// An account with `methods` methods, the first `used` of which proved it.
fn account(methods: usize, used: usize, required: u8, attempts: u8, issued: u8) -> Account {
    Account {
        user: user(),
        methods: (0..methods).map(contact).collect(),
        used: (0..used.min(methods) as u8).collect(),
        required,
        code_attempts_left: attempts,
        issued,
    }
}

fn choose(methods: usize, used: usize, required: u8, attempts: u8, issued: u8) -> ChooseMethod {
    ChooseMethod {
        account: account(methods, used, required, attempts, issued),
    }
}

/// The kinds of code that went (or should have gone) to a method.
const CODE_KINDS: [&str; 3] = ["shown", "concealed sent", "concealed unsent"];

/// A code of `CODE_KINDS[kind]` to `method`.
fn code(kind: usize, method: u8, digest: [u8; 32]) -> Code {
    match kind {
        0 => Code::Shown {
            method,
            digest: CodeDigest(digest),
        },
        1 => Code::Concealed(Concealed::Sent {
            method,
            digest: CodeDigest(digest),
        }),
        2 => Code::Concealed(Concealed::Unsent { method }),
        _ => Code::Concealed(Concealed::StandIn),
    }
}

/// What a code is, to compare: its kind, its method and its digest.
fn code_parts(code: &Code) -> (&'static str, Option<u8>, Option<[u8; 32]>) {
    let kind = match code {
        Code::Shown { .. } => "shown",
        Code::Concealed(Concealed::Sent { .. }) => "concealed sent",
        Code::Concealed(Concealed::Unsent { .. }) => "concealed unsent",
        Code::Concealed(Concealed::StandIn) => "stand-in",
    };
    (kind, code.method(), code.digest().map(|d| d.0))
}

fn verify(account: Account, code: Code, f: &Flow) -> Verify {
    Verify {
        account,
        code,
        code_deadline: f.started + Duration::minutes(10),
        resends_left: 2,
    }
}

/// What an account is, to compare.
fn account_parts(account: &Account) -> (UserId, Vec<ContactMethod>, Vec<u8>, u8, u8, u8) {
    (
        account.user.clone(),
        account.methods.clone(),
        account.used.clone(),
        account.required,
        account.code_attempts_left,
        account.issued,
    )
}

/// Encodes, decodes and encodes again with the same nonce: the bytes must agree.
fn round_trip<S: Suspend>(wizard: &Wizard<S>) -> AnyStep {
    let first = FlowSnapshot::with_nonce(wizard, 7, &keys()).unwrap();
    assert_eq!(first.as_bytes()[0], VERSION);
    let back = FlowSnapshot::resume(first.as_bytes(), wizard.flow.id, &keys()).unwrap();
    let again = match &back {
        AnyStep::SelectAccount(w) => FlowSnapshot::with_nonce(w, 7, &keys()),
        AnyStep::Identify(w) => FlowSnapshot::with_nonce(w, 7, &keys()),
        AnyStep::ChooseMethod(w) => FlowSnapshot::with_nonce(w, 7, &keys()),
        AnyStep::Verify(w) => FlowSnapshot::with_nonce(w, 7, &keys()),
        AnyStep::NewPassword(w) => FlowSnapshot::with_nonce(w, 7, &keys()),
    }
    .unwrap();
    // Sealing draws a fresh nonce: the sealed bytes differ, the bodies agree.
    assert_eq!(first.len(), again.len());
    assert_eq!(first.open_body(&keys()), again.open_body(&keys()));
    assert_eq!(back.flow_id(), wizard.flow.id);
    assert_eq!(back.deadline(), wizard.flow.deadline);
    back
}

/// The error of resuming a snapshot of `step` (written by the encoder, which does not
/// check what the decoder does).
fn resume_error<S: Suspend>(step: S) -> SnapshotError {
    let f = usual_flow();
    let id = f.id;
    let snapshot = FlowSnapshot::with_nonce(&Wizard { flow: f, step }, 1, &keys()).unwrap();
    FlowSnapshot::resume(snapshot.as_bytes(), id, &keys()).unwrap_err()
}

proptest! {
    #[test]
    fn identify_round_trips(
        seed in any::<u64>(), audio in any::<bool>(), len in 4usize..=10,
        started in 0i64..i64::MAX / 2, lifetime in 1i64..1_000_000_000_000,
        attempts in 1u8..=10, renewals in 0u8..=20,
    ) {
        let kind = if audio { ChallengeKind::Audio } else { ChallengeKind::Image };
        let challenge = Challenge::generate(
            kind, ChallengeLength::new(len).unwrap(), &mut ChaCha20Rng::seed_from_u64(seed));
        let flow = flow(3, started, lifetime);
        let step = Identify {
            challenge_deadline: flow.started + Duration::minutes(5),
            challenge,
            attempts_left: attempts,
            renewals_left: renewals,
        };
        let parts = step.challenge.expose_parts();
        let (answer, seed) = (parts.0.to_vec(), *parts.1);
        let deadline = step.challenge_deadline;
        let AnyStep::Identify(back) = round_trip(&Wizard { flow, step }) else { panic!() };
        prop_assert_eq!(back.step.challenge.expose_parts(), (&answer[..], &seed));
        prop_assert_eq!(back.step.challenge.kind(), kind);
        prop_assert_eq!(back.step.attempts_left, attempts);
        prop_assert_eq!(back.step.renewals_left, renewals);
        prop_assert_eq!(back.step.challenge_deadline, deadline);
    }

    #[test]
    fn choose_verify_and_new_password_round_trip(
        methods in 1usize..=MAX_METHODS, required in 1u8..=2, attempts in 1u8..=10,
        issued in any::<u8>(), digest in any::<[u8; 32]>(), resends in 0u8..=5,
        // A code deadline from the flow's start to its deadline (15 min) plus the
        // longest code lifetime (10 min).
        kind in 0..CODE_KINDS.len(), code_in in 0i64..=1_500_000_000_000,
    ) {
        let flow = flow(9, 1_700_000_000_000_000_000, 900_000_000_000);
        // A step still proving: enough methods, one fewer proved than required.
        let required = required.min(u8::try_from(methods).unwrap());
        let used = usize::from(required) - 1;
        let step = choose(methods, used, required, attempts, issued);
        let expected = account_parts(&step.account);
        let AnyStep::ChooseMethod(back) = round_trip(&Wizard { flow: flow.clone(), step })
        else { panic!() };
        prop_assert_eq!(account_parts(&back.step.account), expected.clone());

        // The code goes to the first method not used yet.
        let current = u8::try_from(used).unwrap();
        let step = Verify {
            account: account(methods, used, required, attempts, issued),
            code: code(kind, current, digest),
            code_deadline: flow.started + Duration::nanoseconds(code_in),
            resends_left: resends,
        };
        let expected_code = code_parts(&step.code);
        prop_assert_eq!(expected_code.0, CODE_KINDS[kind]);
        let AnyStep::Verify(back) = round_trip(&Wizard { flow: flow.clone(), step })
        else { panic!() };
        prop_assert_eq!(code_parts(&back.step.code), expected_code);
        prop_assert_eq!(account_parts(&back.step.account), expected);
        prop_assert_eq!(back.step.code_deadline, flow.started + Duration::nanoseconds(code_in));
        prop_assert_eq!(back.step.resends_left, resends);

        let done = account(methods, methods.min(2), 2, attempts, issued);
        let step = NewPassword { user: done.user.clone(), proved_by: done.used_methods(), attempts_left: 3 };
        let AnyStep::NewPassword(back) = round_trip(&Wizard { flow, step }) else { panic!() };
        prop_assert_eq!(&back.step.user, &done.user);
        prop_assert_eq!(back.step.proved_by, done.used_methods());
    }
}

#[test]
fn a_stand_in_round_trips() {
    let f = usual_flow();
    let step = verify(
        Account::stand_in(user(), &Policy::default()),
        Code::Concealed(Concealed::StandIn),
        &f,
    );
    let expected = account_parts(&step.account);
    let AnyStep::Verify(back) = round_trip(&Wizard { flow: f, step }) else {
        panic!("verify")
    };
    assert_eq!(code_parts(&back.step.code), ("stand-in", None, None));
    assert_eq!(account_parts(&back.step.account), expected);
    assert!(back.step.account.methods.is_empty());
    assert_eq!(back.step.sent_to(), None);
}

#[test]
fn the_version_is_5_and_older_versions_are_refused() {
    assert_eq!(VERSION, 5);
    let f = usual_flow();
    let id = f.id;
    let snapshot = FlowSnapshot::with_nonce(
        &Wizard {
            flow: f,
            step: choose(2, 0, 1, 5, 1),
        },
        1,
        &keys(),
    )
    .unwrap();
    let mut bytes = snapshot.as_bytes().to_vec();
    assert!(FlowSnapshot::resume(&bytes, id, &keys()).is_ok());
    bytes[0] = 1;
    assert_eq!(
        FlowSnapshot::resume(&bytes, id, &keys()).unwrap_err(),
        SnapshotError::UnknownVersion(1)
    );
    assert_eq!(
        FlowSnapshot::from_bytes(&bytes).unwrap_err(),
        SnapshotError::UnknownVersion(1)
    );
}

#[test]
fn out_of_range_account_fields_are_typed_errors() {
    // Written by hand through the encoder, which writes what it is given.
    let mut bad = choose(2, 0, 1, 5, 0);
    bad.account.used = vec![5];
    assert_eq!(
        resume_error(bad),
        SnapshotError::InvalidField("used method")
    );
    let mut bad = choose(2, 0, 1, 5, 0);
    bad.account.used = vec![1, 1];
    assert_eq!(
        resume_error(bad),
        SnapshotError::InvalidField("used method")
    );
    for required in [0, 3] {
        let mut bad = choose(2, 0, 1, 5, 0);
        bad.account.required = required;
        assert_eq!(
            resume_error(bad),
            SnapshotError::InvalidField("methods required")
        );
    }
    let mut bad = choose(2, 0, 1, 5, 0);
    bad.account.code_attempts_left = 0;
    assert_eq!(
        resume_error(bad),
        SnapshotError::InvalidField("code attempts left")
    );
    // The same checks hold for the account of a Verify step.
    let f = usual_flow();
    let mut bad = account(2, 0, 1, 5, 0);
    bad.used = vec![2];
    assert_eq!(
        resume_error(verify(bad, code(0, 0, [7; 32]), &f)),
        SnapshotError::InvalidField("used method")
    );
    // What no snapshot can hold is refused when suspending.
    let too_many = choose(MAX_METHODS + 1, 0, 1, 5, 0);
    assert_eq!(
        FlowSnapshot::with_nonce(
            &Wizard {
                flow: f.clone(),
                step: too_many
            },
            1,
            &keys()
        )
        .unwrap_err(),
        SnapshotError::TooLarge("contact methods")
    );
    let mut too_long = choose(1, 0, 1, 5, 0);
    too_long.account.methods = vec![ContactMethod::email("a".repeat(MAX_ADDRESS_BYTES + 1))];
    assert_eq!(
        FlowSnapshot::with_nonce(
            &Wizard {
                flow: f,
                step: too_long
            },
            1,
            &keys()
        )
        .unwrap_err(),
        SnapshotError::TooLarge("contact address")
    );
}

#[test]
fn every_invalid_code_record_is_refused() {
    let f = usual_flow();
    // Three methods, the first already proved ownership.
    let accounts = || account(3, 1, 2, 5, 1);
    for (kind, name) in CODE_KINDS.iter().enumerate() {
        // A method not yet used is a code the wizard can have.
        let AnyStep::Verify(back) = round_trip(&Wizard {
            flow: f.clone(),
            step: verify(accounts(), code(kind, 1, [7; 32]), &f),
        }) else {
            panic!("verify")
        };
        assert_eq!(code_parts(&back.step.code).0, *name);
        // Out of range: one past the methods, and far past them.
        for method in [3, 8, u8::MAX] {
            assert_eq!(
                resume_error(verify(accounts(), code(kind, method, [7; 32]), &f)),
                SnapshotError::InvalidField("current method"),
                "{name} to method {method}"
            );
        }
        // Already used: the method that proved ownership cannot get the code.
        assert_eq!(
            resume_error(verify(accounts(), code(kind, 0, [7; 32]), &f)),
            SnapshotError::InvalidField("current method"),
            "{name} to a used method"
        );
        // An account without methods has no method to send to: only the stand-in
        // (which sends nothing) has none.
        assert_eq!(
            resume_error(verify(
                Account::stand_in(user(), &Policy::default()),
                code(kind, 0, [7; 32]),
                &f
            )),
            SnapshotError::InvalidField("methods required"),
            "{name} of an account without methods"
        );
    }
}

#[test]
fn an_account_that_proved_enough_or_cannot_is_not_still_proving() {
    let f = usual_flow();
    // Two methods required, both proved: that flow is at NewPassword.
    assert_eq!(
        resume_error(choose(2, 2, 2, 5, 2)),
        SnapshotError::InvalidField("methods verified")
    );
    assert_eq!(
        resume_error(verify(account(3, 2, 2, 5, 2), code(0, 2, [7; 32]), &f)),
        SnapshotError::InvalidField("methods verified")
    );
    // Two methods required of an account with one: it could never reset.
    assert_eq!(
        resume_error(choose(1, 0, 2, 5, 0)),
        SnapshotError::InvalidField("methods required")
    );
}

#[test]
fn a_new_password_step_needs_a_method_that_proved_ownership() {
    let step = NewPassword {
        user: user(),
        proved_by: Vec::new(),
        attempts_left: 3,
    };
    assert_eq!(
        resume_error(step),
        SnapshotError::InvalidField("methods verified")
    );
    // Attempts beyond what any flow gives are refused too.
    let step = NewPassword {
        user: user(),
        proved_by: vec![contact(0)],
        attempts_left: NEW_PASSWORD_ATTEMPTS + 1,
    };
    assert_eq!(
        resume_error(step),
        SnapshotError::InvalidField("attempts left")
    );
}

#[test]
fn a_snapshot_opens_only_unchanged_in_its_own_flow_under_its_keys() {
    let f = usual_flow();
    let wizard = Wizard {
        flow: f.clone(),
        step: verify(account(2, 0, 1, 5, 1), code(0, 0, [7; 32]), &f),
    };
    let snapshot = FlowSnapshot::with_nonce(&wizard, 9, &keys()).unwrap();
    let bytes = snapshot.as_bytes();
    // Every single-bit flip of the sealed part is refused; of the header, refused too
    // (the header is the associated data, or names another version or flow).
    for i in 0..bytes.len() * 8 {
        let mut flipped = bytes.to_vec();
        flipped[i / 8] ^= 1 << (i % 8);
        assert!(
            FlowSnapshot::resume(&flipped, f.id, &keys()).is_err(),
            "bit {i}"
        );
    }
    // Every truncation is refused.
    for len in 0..bytes.len() {
        assert!(
            FlowSnapshot::resume(&bytes[..len], f.id, &keys()).is_err(),
            "cut at {len}"
        );
    }
    // Another flow's ID in the header (moved to another key of the store): refused.
    let other = FlowId::from_bytes([0xEE; 16]);
    let mut moved = bytes.to_vec();
    moved[2..18].copy_from_slice(other.store_key().as_bytes());
    assert_eq!(
        FlowSnapshot::resume(&moved, other, &keys()).unwrap_err(),
        SnapshotError::NotSealed
    );
    // Another deployment's keys: refused.
    assert_eq!(
        FlowSnapshot::resume(bytes, f.id, &Keys::from_secret([1; 32])).unwrap_err(),
        SnapshotError::NotSealed
    );
    // The store sees no flow ID (the person's bearer credential), user ID, address or
    // digest in clear.
    assert!(!bytes.windows(16).any(|w| w == f.id.as_bytes()));
    let shown = String::from_utf8_lossy(bytes);
    assert!(!shown.contains("Jan.Jansen") && !shown.contains("jan.jansen"));
    assert!(!shown.contains("example.org") && !shown.contains("+31"));
    assert!(!bytes.windows(32).any(|w| w == [7; 32]));
}

#[test]
fn an_identify_step_needs_an_attempt_left() {
    let f = usual_flow();
    let step = Identify {
        challenge: Challenge::generate(
            ChallengeKind::Image,
            ChallengeLength::DEFAULT,
            &mut ChaCha20Rng::seed_from_u64(1),
        ),
        challenge_deadline: f.deadline,
        attempts_left: 0,
        renewals_left: 3,
    };
    assert_eq!(
        resume_error(step),
        SnapshotError::InvalidField("attempts left")
    );
}

#[test]
fn an_answer_outside_the_alphabet_is_refused() {
    let f = usual_flow();
    let step = Identify {
        challenge: Challenge::generate(
            ChallengeKind::Audio,
            ChallengeLength::DEFAULT,
            &mut ChaCha20Rng::seed_from_u64(1),
        ),
        challenge_deadline: f.deadline,
        attempts_left: 5,
        renewals_left: 3,
    };
    let snapshot = FlowSnapshot::with_nonce(
        &Wizard {
            flow: f.clone(),
            step,
        },
        1,
        &keys(),
    )
    .unwrap();
    let mut body = snapshot.open_body(&keys()).unwrap();
    // The answer's first digit sits right after its length byte (6): make it a letter.
    let at = body
        .windows(2)
        .position(|w| w[0] == 6 && w[1].is_ascii_digit())
        .unwrap();
    body[at + 1] = b'A';
    let resealed = snapshot.resealed(&body, &keys());
    assert_eq!(
        FlowSnapshot::resume(resealed.as_bytes(), f.id, &keys()).unwrap_err(),
        SnapshotError::InvalidField("challenge answer")
    );
}

#[test]
fn values_beyond_what_any_policy_gives_are_refused() {
    let f = usual_flow();
    // A flow longer than the longest flow lifetime (60 min).
    let long = flow(1, 1_700_000_000_000_000_000, 3_600_000_000_001);
    let error = FlowSnapshot::resume(
        FlowSnapshot::with_nonce(
            &Wizard {
                flow: long.clone(),
                step: SelectAccount::new(),
            },
            1,
            &keys(),
        )
        .unwrap()
        .as_bytes(),
        long.id,
        &keys(),
    )
    .unwrap_err();
    assert_eq!(error, SnapshotError::InvalidField("deadline"));
    // 255 resends, 255 code attempts, a code deadline a day after the flow.
    let mut step = verify(account(2, 0, 1, 5, 1), code(0, 0, [7; 32]), &f);
    step.resends_left = 255;
    assert_eq!(
        resume_error(step),
        SnapshotError::InvalidField("resends left")
    );
    let step = verify(account(2, 0, 1, 255, 1), code(0, 0, [7; 32]), &f);
    assert_eq!(
        resume_error(step),
        SnapshotError::InvalidField("code attempts left")
    );
    let mut step = verify(account(2, 0, 1, 5, 1), code(0, 0, [7; 32]), &f);
    step.code_deadline = f.deadline + Duration::hours(24);
    assert_eq!(
        resume_error(step),
        SnapshotError::InvalidField("code deadline")
    );
}

#[test]
fn sizes_tell_nothing_of_the_step_or_the_account() {
    let f = usual_flow();
    let sealed_len = |snapshot: FlowSnapshot| snapshot.len();
    let real = sealed_len(
        FlowSnapshot::with_nonce(
            &Wizard {
                flow: f.clone(),
                step: verify(account(2, 0, 1, 5, 1), code(0, 0, [7; 32]), &f),
            },
            1,
            &keys(),
        )
        .unwrap(),
    );
    let stand_in = sealed_len(
        FlowSnapshot::with_nonce(
            &Wizard {
                flow: f.clone(),
                step: verify(
                    Account::stand_in(user(), &Policy::default()),
                    Code::Concealed(Concealed::StandIn),
                    &f,
                ),
            },
            1,
            &keys(),
        )
        .unwrap(),
    );
    let select = sealed_len(
        FlowSnapshot::with_nonce(
            &Wizard {
                flow: f.clone(),
                step: SelectAccount::new(),
            },
            1,
            &keys(),
        )
        .unwrap(),
    );
    assert_eq!(
        real, stand_in,
        "a stand-in is as long as a real Verify step"
    );
    assert_eq!(real, select, "every usual step seals to one size");
    assert_eq!(real, 230);
}

#[test]
fn the_header_tells_a_flow_before_its_challenge_and_the_stage_is_sealed() {
    let f = usual_flow();
    let seal = |anonymous: bool| {
        let snapshot = if anonymous {
            FlowSnapshot::with_nonce(
                &Wizard {
                    flow: f.clone(),
                    step: SelectAccount::new(),
                },
                1,
                &keys(),
            )
        } else {
            FlowSnapshot::with_nonce(
                &Wizard {
                    flow: f.clone(),
                    step: choose(2, 0, 1, 5, 1),
                },
                1,
                &keys(),
            )
        };
        snapshot.unwrap()
    };
    assert!(seal(true).is_anonymous());
    assert!(!seal(false).is_anonymous());
    // A stage changed in the store: the body does not open under it.
    for anonymous in [true, false] {
        let mut bytes = seal(anonymous).as_bytes().to_vec();
        bytes[1] ^= 1;
        assert_eq!(
            FlowSnapshot::resume(&bytes, f.id, &keys()).unwrap_err(),
            SnapshotError::NotSealed
        );
        bytes[1] = 7;
        assert_eq!(
            FlowSnapshot::from_bytes(&bytes).unwrap_err(),
            SnapshotError::InvalidField("stage")
        );
    }
}
