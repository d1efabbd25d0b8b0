#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use time::{Duration, OffsetDateTime};

use super::*;
use crate::challenge::{ChallengeKind, ChallengeLength};
use crate::code::CodeDigest;
use crate::contact::ContactMethod;
use crate::user_id::UserId;
use crate::wizard::Flow;

fn flow(id: u8, started: i64, lifetime: i64) -> Flow {
    let started = OffsetDateTime::UNIX_EPOCH + Duration::nanoseconds(started);
    Flow {
        id: FlowId::from_bytes([id; 16]),
        started,
        deadline: started + Duration::nanoseconds(lifetime),
    }
}

fn choose(methods: usize, used: usize, required: u8, attempts: u8, issued: u8) -> ChooseMethod {
    ChooseMethod {
        user: UserId::parse("Jan.Jansen@Contoso.nl").unwrap(),
        methods: (0..methods)
            .map(|i| match i % 3 {
                0 => ContactMethod::sms(format!("+31 6 1234567{i}")),
                1 => ContactMethod::email(format!("jan{i}@example.org")),
                _ => ContactMethod::voice("+31 20 1234567"),
            })
            .collect(),
        used: (0..used.min(methods) as u8).collect(),
        required,
        code_attempts_left: attempts,
        issued,
    }
}

/// Encodes, decodes and encodes again with the same nonce: the bytes must agree.
fn round_trip<S: Suspend>(wizard: &Wizard<S>) -> AnyStep {
    let first = FlowSnapshot::with_nonce(wizard, 7).unwrap();
    let back = FlowSnapshot::resume(first.as_bytes(), wizard.flow.id).unwrap();
    let again = match &back {
        AnyStep::SelectAccount(w) => FlowSnapshot::with_nonce(w, 7),
        AnyStep::Identify(w) => FlowSnapshot::with_nonce(w, 7),
        AnyStep::ChooseMethod(w) => FlowSnapshot::with_nonce(w, 7),
        AnyStep::Verify(w) => FlowSnapshot::with_nonce(w, 7),
        AnyStep::NewPassword(w) => FlowSnapshot::with_nonce(w, 7),
    }
    .unwrap();
    assert_eq!(first.as_bytes(), again.as_bytes());
    assert_eq!(back.flow_id(), wizard.flow.id);
    assert_eq!(back.deadline(), wizard.flow.deadline);
    back
}

proptest! {
    #[test]
    fn identify_round_trips(
        seed in any::<u64>(), audio in any::<bool>(), len in 4usize..=10,
        started in 0i64..i64::MAX / 2, lifetime in 1i64..1_000_000_000_000,
        attempts in 1u8..=10, renewals in any::<u8>(),
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
        let AnyStep::Identify(back) = round_trip(&Wizard { flow, step }) else { panic!() };
        prop_assert_eq!(back.step.challenge.expose_parts(), (&answer[..], &seed));
        prop_assert_eq!(back.step.challenge.kind(), kind);
        prop_assert_eq!(back.step.attempts_left, attempts);
    }

    #[test]
    fn choose_and_verify_round_trip(
        methods in 1usize..=MAX_METHODS, required in 1u8..=2, attempts in 1u8..=10,
        issued in any::<u8>(), digest in any::<[u8; 32]>(), resends in any::<u8>(),
        conceal in any::<bool>(), code_in in -1_000_000_000_000i64..1_000_000_000_000,
    ) {
        let flow = flow(9, 1_700_000_000_000_000_000, 900_000_000_000);
        let step = choose(methods, methods - 1, required, attempts, issued);
        let AnyStep::ChooseMethod(back) = round_trip(&Wizard { flow: flow.clone(), step: step.clone() })
        else { panic!() };
        prop_assert_eq!(&back.step.methods, &step.methods);
        prop_assert_eq!(&back.step.used, &step.used);
        let verify = Verify {
            choose: choose(methods, methods - 1, required, attempts, issued),
            current: u8::try_from(methods - 1).ok(),
            digest: Some(CodeDigest(digest)),
            code_deadline: flow.started + Duration::nanoseconds(code_in),
            resends_left: resends,
            conceal,
        };
        let AnyStep::Verify(back) = round_trip(&Wizard { flow: flow.clone(), step: verify })
        else { panic!() };
        prop_assert!(back.step.digest.is_some_and(|d| d.0 == digest));
        let done = choose(methods, methods, 1, attempts, issued);
        let AnyStep::NewPassword(_) = round_trip(&Wizard { flow, step: NewPassword::after(done) })
        else { panic!() };
    }
}

#[test]
fn out_of_range_fields_are_typed_errors() {
    let f = flow(1, 1_700_000_000_000_000_000, 900_000_000_000);
    // A used index past the methods, written by hand through the encoder.
    let mut bad = choose(2, 0, 1, 5, 0);
    bad.used = vec![5];
    let snapshot = FlowSnapshot::with_nonce(
        &Wizard {
            flow: f.clone(),
            step: bad,
        },
        1,
    )
    .unwrap();
    assert_eq!(
        FlowSnapshot::resume(snapshot.as_bytes(), f.id).unwrap_err(),
        SnapshotError::InvalidField("used method")
    );
    let mut bad = choose(2, 0, 3, 5, 0);
    bad.required = 3;
    let snapshot = FlowSnapshot::with_nonce(
        &Wizard {
            flow: f.clone(),
            step: bad,
        },
        1,
    )
    .unwrap();
    assert!(matches!(
        FlowSnapshot::resume(snapshot.as_bytes(), f.id),
        Err(SnapshotError::InvalidField(_))
    ));
    let too_many = choose(MAX_METHODS + 1, 0, 1, 5, 0);
    assert_eq!(
        FlowSnapshot::with_nonce(
            &Wizard {
                flow: f,
                step: too_many
            },
            1
        )
        .unwrap_err(),
        SnapshotError::TooLarge("contact methods")
    );
}

#[test]
fn an_answer_outside_the_alphabet_is_refused() {
    let f = flow(1, 1_700_000_000_000_000_000, 900_000_000_000);
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
    )
    .unwrap();
    let mut bytes = snapshot.as_bytes().to_vec();
    // The answer's first digit sits right after its length byte (6): make it a letter.
    let at = bytes
        .windows(2)
        .position(|w| w[0] == 6 && w[1].is_ascii_digit())
        .unwrap();
    bytes[at + 1] = b'A';
    assert_eq!(
        FlowSnapshot::resume(&bytes, f.id).unwrap_err(),
        SnapshotError::InvalidField("challenge answer")
    );
}

use crate::challenge::Challenge;
