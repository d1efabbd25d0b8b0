//! Suspended flows: every step survives a round trip through its snapshot and goes on
//! from there; snapshots are small; a snapshot is resumed once; stale, foreign, unknown,
//! truncated and damaged snapshots are typed errors, never panics.

use proptest::prelude::*;
use sspr::FlowId;
use sspr::UserId;
use sspr::host::ContactMethod;
use sspr::host::ManualClock;
use sspr::host::Outbox;
use sspr::host::{InMemoryDirectory, Role, UserRecord};
use sspr::step::{
    AccountType, ChooseMethod, FromIdentify, FromSelectAccount, FromVerify, Identify, NewPassword,
    SelectAccount, ToVerify, Verify,
};
use sspr::store::{AnyStep, FlowSnapshot, SnapshotError, VERSION};
use sspr::store::{Flows, FlowsError, MemoryFlowStore};
use sspr::{Sspr, Wizard};

type Service = Sspr;

fn phone() -> ContactMethod {
    ContactMethod::sms("+31 6 12345678")
}

fn service() -> (Service, Outbox) {
    let directory = InMemoryDirectory::new();
    directory.insert(UserRecord {
        id: UserId::parse("jan.jansen@contoso.nl").expect("valid"),
        tenant: "contoso".into(),
        roles: vec![Role::User],
        self_service_reset: true,
        methods: vec![
            phone(),
            ContactMethod::email("jan.private@fabrikam.example"),
        ],
        password_hash: None,
    });
    let outbox = Outbox::new();
    let sspr = Sspr::builder(directory, outbox.clone())
        .clock(ManualClock::default())
        .counters(MemoryFlowStore::new())
        .build()
        .expect("service");
    (sspr, outbox)
}

struct Steps {
    select: Wizard<SelectAccount>,
    identify: Wizard<Identify>,
    choose: Wizard<ChooseMethod>,
    verify: Wizard<Verify>,
    new_password: Wizard<NewPassword>,
}

/// One wizard at each step (of different flows, each driven there).
async fn steps(sspr: &Service, outbox: &Outbox) -> Steps {
    let select = sspr.start().expect("start");
    let identify = to_identify(sspr).await;
    let choose = to_choose(sspr).await;
    let verify = to_verify(sspr).await;
    // Another flow, driven on with the code sent to it.
    let next = to_verify(sspr).await;
    let code = outbox.last_code_to(&phone()).expect("a code");
    let Ok(FromVerify::NewPassword(new_password)) = next.submit(sspr, &code).await else {
        panic!("the right code leads to the new password");
    };
    Steps {
        select,
        identify,
        choose,
        verify,
        new_password,
    }
}

async fn to_identify(sspr: &Service) -> Wizard<Identify> {
    let Ok(FromSelectAccount::Identify(w)) = sspr
        .start()
        .expect("start")
        .choose(sspr, AccountType::WorkOrSchool)
    else {
        panic!("work or school leads to identify");
    };
    w
}

async fn to_choose(sspr: &Service) -> Wizard<ChooseMethod> {
    let w = to_identify(sspr).await;
    let answer = w.step().challenge().danger_reveal_answer();
    let Ok(FromIdentify::ChooseMethod(w)) = w.submit(sspr, "jan.jansen@contoso.nl", &answer).await
    else {
        panic!("the right answer leads to choose method");
    };
    w
}

async fn to_verify(sspr: &Service) -> Wizard<Verify> {
    let Ok(ToVerify::Verify(w)) = to_choose(sspr).await.choose(sspr, 0).await else {
        panic!("a code is sent");
    };
    w
}

fn resume(s: &FlowSnapshot) -> AnyStep {
    FlowSnapshot::resume(s.as_bytes(), s.flow_id()).expect("resumes")
}

#[tokio::test]
async fn every_step_round_trips_and_fits_in_256_bytes() {
    let (sspr, outbox) = service();
    let s = steps(&sspr, &outbox).await;
    let snapshots = [
        ("select account", FlowSnapshot::of(&s.select).expect("ok")),
        ("identify", FlowSnapshot::of(&s.identify).expect("ok")),
        ("choose method", FlowSnapshot::of(&s.choose).expect("ok")),
        ("verify", FlowSnapshot::of(&s.verify).expect("ok")),
        (
            "new password",
            FlowSnapshot::of(&s.new_password).expect("ok"),
        ),
    ];
    for (name, snapshot) in &snapshots {
        println!("{name}: {} bytes", snapshot.len());
        assert!(snapshot.len() <= 256, "{name}: {} bytes", snapshot.len());
        assert_eq!(snapshot.as_bytes()[0], VERSION);
        let step = resume(snapshot);
        assert_eq!(step.name(), *name);
        assert_eq!(step.flow_id(), snapshot.flow_id());
    }
    let AnyStep::Identify(identify) = resume(&snapshots[1].1) else {
        panic!("identify");
    };
    let answer = identify.step().challenge().danger_reveal_answer();
    assert_eq!(answer, s.identify.step().challenge().danger_reveal_answer());
    assert_eq!(
        identify.step().attempts_left(),
        s.identify.step().attempts_left()
    );
    assert_eq!(identify.deadline(), s.identify.deadline());
    assert_eq!(identify.started(), s.identify.started());
    assert_eq!(
        sspr.render(&identify).expect("renders").as_bytes(),
        sspr.render(&s.identify).expect("renders").as_bytes(),
        "the same challenge renders the same picture"
    );
    let AnyStep::ChooseMethod(choose) = resume(&snapshots[2].1) else {
        panic!("choose method");
    };
    assert_eq!(choose.step().methods(), s.choose.step().methods());
    assert_eq!(choose.step().user(), s.choose.step().user());
    let AnyStep::NewPassword(new_password) = resume(&snapshots[4].1) else {
        panic!("new password");
    };
    assert_eq!(
        new_password.step().methods_used(),
        s.new_password.step().methods_used()
    );
}

#[tokio::test]
async fn a_resumed_flow_goes_on() {
    let (sspr, outbox) = service();
    let identify = to_identify(&sspr).await;
    let AnyStep::Identify(identify) = resume(&FlowSnapshot::of(&identify).expect("ok")) else {
        panic!("identify");
    };
    let answer = identify.step().challenge().danger_reveal_answer();
    let Ok(FromIdentify::ChooseMethod(choose)) = identify
        .submit(&sspr, "jan.jansen@contoso.nl", &answer)
        .await
    else {
        panic!("the resumed challenge takes its answer");
    };
    let AnyStep::ChooseMethod(choose) = resume(&FlowSnapshot::of(&choose).expect("ok")) else {
        panic!("choose");
    };
    let Ok(ToVerify::Verify(verify)) = choose.choose(&sspr, 0).await else {
        panic!("sent");
    };
    let AnyStep::Verify(verify) = resume(&FlowSnapshot::of(&verify).expect("ok")) else {
        panic!("verify");
    };
    let code = outbox.last_code_to(&phone()).expect("a code");
    let Ok(FromVerify::NewPassword(_)) = verify.submit(&sspr, &code).await else {
        panic!("the code's HMAC survived the snapshot");
    };
}

#[tokio::test]
async fn replayed_stale_and_foreign_snapshots_are_refused() {
    let (sspr, _outbox) = service();
    let flows = Flows::new(MemoryFlowStore::new());
    let saved = flows.start(&sspr).await.expect("start");
    let id = saved.flow.to_string();
    let AnyStep::SelectAccount(select) = flows.resume(&sspr, &id).await.expect("resumes") else {
        panic!("select account");
    };
    // Replay: the same snapshot a second time.
    assert!(matches!(
        flows.resume_step(&sspr, &id, saved.nonce).await,
        Err(FlowsError::Missing)
    ));
    // The flow moves on; a form of the old step is stale and leaves the flow alone.
    let Ok(FromSelectAccount::Identify(identify)) = select.choose(&sspr, AccountType::WorkOrSchool)
    else {
        panic!("identify");
    };
    let moved = flows.save(&sspr, &identify).await.expect("saves");
    assert!(matches!(
        flows.resume_step(&sspr, &id, saved.nonce).await,
        Err(FlowsError::Stale)
    ));
    assert!(matches!(
        flows.resume_step(&sspr, &id, moved.nonce).await,
        Ok(AnyStep::Identify(_))
    ));
    // Another flow's snapshot.
    let snapshot = FlowSnapshot::of(&identify).expect("ok");
    let other = FlowId::generate().expect("entropy");
    assert_eq!(
        FlowSnapshot::resume(snapshot.as_bytes(), other).unwrap_err(),
        SnapshotError::OtherFlow
    );
}

#[tokio::test]
async fn unknown_truncated_damaged_and_trailing_bytes_are_typed_errors() {
    let (sspr, outbox) = service();
    let s = steps(&sspr, &outbox).await;
    let snapshot = FlowSnapshot::of(&s.verify).expect("ok");
    let (bytes, flow) = (snapshot.as_bytes().to_vec(), snapshot.flow_id());
    let mut unknown = bytes.clone();
    unknown[0] = 99;
    assert_eq!(
        FlowSnapshot::resume(&unknown, flow).unwrap_err(),
        SnapshotError::UnknownVersion(99)
    );
    assert_eq!(
        FlowSnapshot::resume(&[], flow).unwrap_err(),
        SnapshotError::Truncated
    );
    for cut in 1..bytes.len() {
        let error = FlowSnapshot::resume(&bytes[..cut], flow).unwrap_err();
        assert!(
            matches!(
                error,
                SnapshotError::Truncated
                    | SnapshotError::OtherFlow
                    | SnapshotError::InvalidField(_)
                    | SnapshotError::Damaged
            ),
            "cut at {cut}: {error:?}"
        );
    }
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert_eq!(
        FlowSnapshot::resume(&trailing, flow).unwrap_err(),
        SnapshotError::TrailingBytes
    );
    let long = vec![VERSION; 100_000];
    assert!(matches!(
        FlowSnapshot::resume(&long, flow),
        Err(SnapshotError::TooLong { .. })
    ));
    // Every single flipped byte of the body: an error or a valid step, never a panic.
    for i in 25..bytes.len() {
        for flip in [0x01, 0x80, 0xFF] {
            let mut damaged = bytes.clone();
            damaged[i] ^= flip;
            let _ = FlowSnapshot::resume(&damaged, flow);
        }
    }
}

proptest! {
    #[test]
    fn random_bytes_never_panic_the_decoder(mut bytes in proptest::collection::vec(any::<u8>(), 0..400), versioned in any::<bool>()) {
        if versioned && !bytes.is_empty() {
            bytes[0] = VERSION;
        }
        let flow = FlowId::from_bytes(bytes.get(1..17).and_then(|b| b.try_into().ok()).unwrap_or([0; 16]));
        let _ = FlowSnapshot::resume(&bytes, flow);
        let _ = FlowSnapshot::from_bytes(&bytes);
    }

    #[test]
    fn mutated_snapshots_never_panic_and_valid_ones_round_trip(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4)) {
        let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let (sspr, _outbox) = service();
        let verify = rt.block_on(to_verify(&sspr));
        let snapshot = FlowSnapshot::of(&verify).expect("ok");
        let mut bytes = snapshot.as_bytes().to_vec();
        for (at, value) in edits {
            let len = bytes.len();
            bytes[at % len] = value;
        }
        if let Ok(step) = FlowSnapshot::resume(&bytes, snapshot.flow_id()) {
            let again = step.snapshot().expect("a decoded step encodes");
            let back = FlowSnapshot::resume(again.as_bytes(), snapshot.flow_id()).expect("and decodes");
            prop_assert_eq!(back.name(), step.name());
        }
    }
}
