//! Registration: a method is stored only after a code sent to it was entered, changing
//! the methods of an account that has some also needs a code to one it has, a method
//! must be registered before reset codes reach it, the password gate cannot be used to
//! guess passwords or to block a reset, the audit names the provider's activities, and
//! the account holder hears of every change on every method.

use sspr::event::{Activity, Detail};
use sspr::host::{ContactKind, ContactMethod, DeliveryContent, Notice, Role, UserRecord};
use sspr::message::Message;
use sspr::password::{HashParams, Password, hash_password_with_os_rng};
use sspr::policy::Policy;
use sspr::registration::{
    CodeFor, Confirmed, Due, MethodChange, PendingRegistration, Registered, RegistrationRefusal,
    SIGN_INS_PER_HOUR,
};
use sspr::step::{FromIdentify, FromVerify, ToVerify};
use sspr::testing::{Harness, JAN, id, keys, mail, phone, wrong_code};
use time::Duration;

const PASSWORD: &str = "old plum kettle 41";
const NEW_USER: &str = "nina.nieuw@contoso.nl";

fn new_phone() -> ContactMethod {
    ContactMethod::sms("+31 6 55501234")
}

/// Jan (phone and email) with a password, and Nina, who has a password and no methods.
fn world(policy: Policy) -> Harness {
    let h = Harness::new(policy);
    let hash = hash_password_with_os_rng(&Password::new(PASSWORD), &HashParams::default())
        .expect("hashes");
    let mut jan = h.directory.account(JAN);
    jan.password_hash = Some(hash.clone());
    h.add(jan);
    h.add(UserRecord {
        id: id(NEW_USER),
        tenant: "contoso".into(),
        roles: vec![Role::User],
        self_service_reset: true,
        methods: Vec::new(),
        password_hash: Some(hash),
        methods_confirmed: None,
    });
    h
}

async fn begin(
    h: &Harness,
    user: &str,
    password: &str,
    change: MethodChange,
) -> Result<PendingRegistration, RegistrationRefusal> {
    h.sspr
        .begin_registration(user, Password::new(password), change)
        .await
}

/// The last round: the change stored.
async fn registered(h: &Harness, pending: PendingRegistration, code: &str) -> Registered {
    match pending.confirm(&h.sspr, code).await {
        Ok(Confirmed::Registered(registered)) => registered,
        other => panic!("expected the change stored, got {other:?}"),
    }
}

/// The first round of a change with a new method: the holder proved, the new code sent.
async fn proved(h: &Harness, pending: PendingRegistration, code: &str) -> PendingRegistration {
    match pending.confirm(&h.sspr, code).await {
        Ok(Confirmed::NewCodeSent(next)) => next,
        other => panic!("expected the new method's code sent, got {other:?}"),
    }
}

fn methods_of(h: &Harness, user: &str) -> Vec<ContactMethod> {
    h.directory.account(user).methods
}

#[tokio::test]
async fn a_first_method_is_registered_only_after_its_code() {
    let h = world(Policy::default());
    let pending = begin(&h, NEW_USER, PASSWORD, MethodChange::Add(new_phone()))
        .await
        .expect("the password is right");
    assert_eq!(pending.new_method(), Some(new_phone().masked()));
    assert_eq!(
        pending.code_for(),
        CodeFor::New(new_phone().masked()),
        "no method to prove with yet: the new one's code at once"
    );
    assert!(
        methods_of(&h, NEW_USER).is_empty(),
        "nothing stored before the code"
    );
    assert!(!format!("{pending:?}").contains("55501234"));

    // A reset before the code is entered sends nothing to the pending method.
    let before = h.codes_sent();
    match h.submit_right(NEW_USER).await {
        FromIdentify::Verify(_) | FromIdentify::AskAdmin(_) => {}
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        h.codes_sent(),
        before,
        "an unregistered method gets no reset code"
    );

    let code = h.code_to(&new_phone());
    let wrong = pending
        .confirm(&h.sspr, &wrong_code(&code))
        .await
        .expect_err("a wrong code stores nothing");
    assert!(matches!(
        wrong.reason,
        RegistrationRefusal::WrongCode { attempts_left: 4 }
    ));
    assert!(methods_of(&h, NEW_USER).is_empty());
    let pending = wrong.into_pending().expect("may type again");
    let registered = registered(&h, pending, &code).await;
    assert_eq!(registered.methods, vec![new_phone().masked()]);
    assert_eq!(methods_of(&h, NEW_USER), vec![new_phone()]);
    assert_eq!(
        h.directory.account(NEW_USER).methods_confirmed,
        Some(h.now())
    );
    let trail = h.event_trail();
    assert!(trail.contains(&(
        Activity::RegisteredSecurityInfo,
        Detail::MethodRegistered {
            via: ContactKind::Sms
        }
    )));
    assert!(trail.contains(&(
        Activity::RegisteredForSelfService,
        Detail::RegisteredForSelfService
    )));
    assert_eq!(
        Activity::RegisteredForSelfService.name(),
        "User registered for self-service password reset"
    );

    // Now the phone receives reset codes.
    let choose = match h.submit_right(NEW_USER).await {
        FromIdentify::Verify(_) => {
            assert!(h.outbox.last_code_to(&new_phone()).is_some());
            return;
        }
        FromIdentify::ChooseMethod(choose) => choose,
        other => panic!("unexpected {other:?}"),
    };
    assert!(matches!(
        choose.choose(&h.sspr, 0).await,
        Ok(ToVerify::Verify(_))
    ));
}

#[tokio::test]
async fn adding_to_an_account_with_methods_needs_a_code_to_one_it_has_first() {
    let h = world(Policy::default());
    let pending = begin(&h, JAN, PASSWORD, MethodChange::Add(new_phone()))
        .await
        .expect("begins");
    assert_eq!(pending.code_for(), CodeFor::Registered(phone().masked()));
    // The new phone gets nothing before Jan is proved: the password may be stolen, and
    // whoever has it must not make us text any number they like.
    assert_eq!(h.outbox.last_code_to(&new_phone()), None);
    let current_code = h.code_to(&phone());
    let refused = pending
        .confirm(&h.sspr, &wrong_code(&current_code))
        .await
        .expect_err("the registered method's code is wrong");
    assert!(matches!(
        refused.reason,
        RegistrationRefusal::WrongCode { .. }
    ));
    let refused = refused
        .into_pending()
        .expect("pending")
        .confirm(&h.sspr, "")
        .await
        .expect_err("no code");
    assert!(matches!(
        refused.reason,
        RegistrationRefusal::CodeFormat { digits: 6 }
    ));
    assert_eq!(h.outbox.last_code_to(&new_phone()), None);
    let pending = proved(&h, refused.into_pending().expect("pending"), &current_code).await;
    assert_eq!(pending.code_for(), CodeFor::New(new_phone().masked()));
    assert_eq!(pending.attempts_left(), 5, "a new code, its own attempts");
    assert_eq!(
        methods_of(&h, JAN).len(),
        2,
        "nothing stored before its code"
    );
    // The proof's code does not pass for the new method's: each is bound to its round.
    let refused = pending
        .confirm(&h.sspr, &current_code)
        .await
        .expect_err("the proof's code again");
    assert!(matches!(
        refused.reason,
        RegistrationRefusal::WrongCode { .. }
    ));
    let new_code = h.code_to(&new_phone());
    let registered = registered(&h, refused.into_pending().expect("pending"), &new_code).await;
    assert_eq!(registered.methods.len(), 3);
    assert_eq!(methods_of(&h, JAN), vec![phone(), mail(), new_phone()]);
    // Jan hears of it on every method, old and new.
    for method in [phone(), mail(), new_phone()] {
        assert!(
            h.outbox
                .deliveries()
                .iter()
                .any(|d| d.to == method
                    && d.message == DeliveryContent::Notice(Notice::MethodsChanged)),
            "told on {method:?}"
        );
    }
    // Jan had enough methods before: not a new registration for self-service.
    assert!(
        !h.event_trail()
            .iter()
            .any(|(_, d)| *d == Detail::RegisteredForSelfService)
    );
}

#[tokio::test]
async fn replace_remove_and_confirm() {
    let h = world(Policy::default());
    let pending = begin(
        &h,
        JAN,
        PASSWORD,
        MethodChange::Replace {
            old: 0,
            new: new_phone(),
        },
    )
    .await
    .expect("begins");
    // The proof goes to the method that stays.
    assert_eq!(pending.code_for(), CodeFor::Registered(mail().masked()));
    let pending = proved(&h, pending, &h.code_to(&mail())).await;
    registered(&h, pending, &h.code_to(&new_phone())).await;
    assert_eq!(methods_of(&h, JAN), vec![new_phone(), mail()]);

    let pending = begin(&h, JAN, PASSWORD, MethodChange::Remove(1))
        .await
        .expect("begins");
    assert_eq!(pending.new_method(), None);
    assert_eq!(
        pending.code_for(),
        CodeFor::Registered(new_phone().masked())
    );
    registered(&h, pending, &h.code_to(&new_phone())).await;
    assert_eq!(methods_of(&h, JAN), vec![new_phone()]);

    h.advance(Duration::days(1));
    let pending = begin(&h, JAN, PASSWORD, MethodChange::Confirm)
        .await
        .expect("begins");
    let confirmed = registered(&h, pending, &h.code_to(&new_phone())).await;
    assert_eq!(confirmed.confirmed, h.now());
    let activities: Vec<Activity> = h
        .event_trail()
        .into_iter()
        .filter(|(_, d)| {
            matches!(
                d,
                Detail::MethodReplaced { .. }
                    | Detail::MethodRemoved { .. }
                    | Detail::MethodsConfirmed
            )
        })
        .map(|(a, _)| a)
        .collect();
    assert_eq!(
        activities,
        vec![
            Activity::RegisteredSecurityInfo,
            Activity::DeletedSecurityInfo,
            Activity::ReviewedSecurityInfo
        ]
    );
}

#[tokio::test]
async fn a_wrong_password_gets_the_answer_of_an_unknown_account_and_never_blocks_a_reset() {
    let h = world(Policy::default());
    for _ in 0..SIGN_INS_PER_HOUR {
        let refused = begin(&h, JAN, "not the password", MethodChange::Confirm).await;
        assert!(matches!(refused, Err(RegistrationRefusal::WrongPassword)));
    }
    let unknown = begin(
        &h,
        "nobody.here@contoso.nl",
        PASSWORD,
        MethodChange::Confirm,
    )
    .await;
    assert!(matches!(unknown, Err(RegistrationRefusal::WrongPassword)));
    // The hour's tries are spent, the right password too is refused now...
    let throttled = begin(&h, JAN, PASSWORD, MethodChange::Confirm).await;
    assert!(matches!(
        throttled,
        Err(RegistrationRefusal::TooManySignIns)
    ));
    assert!(
        h.event_trail()
            .iter()
            .any(|(a, d)| *a == Activity::BlockedFromSelfServiceReset
                && *d == Detail::RegistrationThrottled)
    );
    // ...but Jan's self-service reset is not blocked, and no code was sent.
    assert_eq!(h.codes_sent(), 0);
    let verify = h.verify(JAN, 0).await;
    let code = h.code_to(&phone());
    assert!(matches!(
        verify.submit(&h.sspr, &code).await,
        Ok(FromVerify::NewPassword(_))
    ));
    // An hour later the password works again.
    h.advance(Duration::hours(1));
    assert!(
        begin(&h, JAN, PASSWORD, MethodChange::Confirm)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn wrong_codes_end_the_registration_and_never_block_a_reset() {
    let h = world(Policy::default());
    let keys = keys();
    let mut pending = begin(&h, JAN, PASSWORD, MethodChange::Add(new_phone()))
        .await
        .expect("begins");
    let fresh = pending.seal(&keys).expect("seals");
    let current = h.code_to(&phone());
    let mut reasons = Vec::new();
    loop {
        let refused = pending
            .confirm(&h.sspr, &wrong_code(&current))
            .await
            .expect_err("wrong");
        let (reason, next) = refused.into_parts();
        reasons.push(reason.message_id());
        match next {
            Some(next) => pending = next,
            None => break,
        }
    }
    assert_eq!(reasons.len(), 5, "{reasons:?}");
    assert_eq!(reasons.last(), Some(&"registration-too-many-wrong-codes"));
    assert_eq!(methods_of(&h, JAN).len(), 2);
    // The user ID is not blocked: Jan's reset goes on.
    let verify = h.verify(JAN, 0).await;
    let code = h.code_to(&phone());
    assert!(matches!(
        verify.submit(&h.sspr, &code).await,
        Ok(FromVerify::NewPassword(_))
    ));

    // The sealed registration from before the wrong codes, replayed: its attempts are
    // whole, but the user ID's checks are not. After twenty checks in the day even the
    // right codes are refused.
    let mut last = None;
    for _ in 0..16 {
        let replayed = PendingRegistration::open(&keys, &fresh).expect("opens");
        let refused = replayed
            .confirm(&h.sspr, &wrong_code(&current))
            .await
            .expect_err("wrong");
        last = Some(refused.reason.message_id());
    }
    assert_eq!(last, Some("registration-too-many-checks"));
    let replayed = PendingRegistration::open(&keys, &fresh).expect("opens");
    let refused = replayed
        .confirm(&h.sspr, &current)
        .await
        .expect_err("throttled, right or wrong");
    assert!(matches!(refused.reason, RegistrationRefusal::TooManyChecks));
    assert_eq!(methods_of(&h, JAN).len(), 2);
}

#[tokio::test]
async fn a_change_to_the_methods_after_the_codes_were_sent_ends_the_registration() {
    let h = world(Policy::default());
    let pending = begin(&h, JAN, PASSWORD, MethodChange::Add(new_phone()))
        .await
        .expect("begins");
    let pending = proved(&h, pending, &h.code_to(&phone())).await;
    // Meanwhile Jan (or his admin) removes the phone the proof went to.
    let mut jan = h.directory.account(JAN);
    jan.methods = vec![mail()];
    h.add(jan);
    let refused = pending
        .confirm(&h.sspr, &h.code_to(&new_phone()))
        .await
        .expect_err("the methods changed");
    assert!(matches!(
        refused.reason,
        RegistrationRefusal::MethodsChanged
    ));
    assert_eq!(methods_of(&h, JAN), vec![mail()]);
}

#[tokio::test]
async fn registering_never_uses_up_the_codes_a_reset_may_send() {
    let h = world(Policy::default());
    let mut sent = 0;
    loop {
        match begin(&h, JAN, PASSWORD, MethodChange::Add(new_phone())).await {
            Ok(_) => sent += 1,
            Err(RegistrationRefusal::TooManyCodes) => break,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert!(sent >= 4, "{sent}");
    let before = h.codes_sent();
    let _verify = h.verify(JAN, 0).await;
    assert_eq!(h.codes_sent(), before + 1, "the reset still sends its code");
}

#[tokio::test]
async fn a_retired_key_opens_only_what_it_sealed_before_it_was_retired() {
    let h = world(Policy::default());
    let pending = begin(&h, JAN, PASSWORD, MethodChange::Confirm)
        .await
        .expect("begins");
    let old = sspr::testing::SECRET;
    let sealed = pending
        .seal(&sspr::host::Keys::from_secret(old))
        .expect("seals");
    let rotated_later =
        sspr::host::Keys::from_secret([9; 32]).retire(old, h.now() + Duration::minutes(1));
    assert!(PendingRegistration::open(&rotated_later, &sealed).is_ok());
    let rotated_before =
        sspr::host::Keys::from_secret([9; 32]).retire(old, h.now() - Duration::minutes(1));
    assert!(matches!(
        PendingRegistration::open(&rotated_before, &sealed),
        Err(RegistrationRefusal::NotValid)
    ));
}

#[tokio::test]
async fn codes_expire_and_a_change_made_meanwhile_is_not_overwritten() {
    let h = world(Policy::default());
    let pending = begin(&h, NEW_USER, PASSWORD, MethodChange::Add(new_phone()))
        .await
        .expect("begins");
    let code = h.code_to(&new_phone());
    h.advance(Duration::minutes(10));
    let refused = pending.confirm(&h.sspr, &code).await.expect_err("late");
    assert!(matches!(refused.reason, RegistrationRefusal::CodeExpired));
    assert!(refused.into_pending().is_none());

    // Two registrations of the same phone: the second one finds it there.
    let first = begin(&h, NEW_USER, PASSWORD, MethodChange::Add(new_phone()))
        .await
        .expect("begins");
    let first_code = h.code_to(&new_phone());
    let second = begin(&h, NEW_USER, PASSWORD, MethodChange::Add(new_phone()))
        .await
        .expect("begins");
    let second_code = h.code_to(&new_phone());
    registered(&h, first, &first_code).await;
    let refused = second
        .confirm(&h.sspr, &second_code)
        .await
        .expect_err("already there");
    assert!(matches!(
        refused.reason,
        RegistrationRefusal::MethodsChanged
    ));
    assert_eq!(methods_of(&h, NEW_USER), vec![new_phone()]);
}

#[tokio::test]
async fn bad_changes_are_refused_before_any_code_is_sent() {
    let h = world(Policy::default());
    let cases = [
        (
            MethodChange::Add(ContactMethod::email("not an address")),
            "invalid",
        ),
        (
            MethodChange::Add(ContactMethod::sms("+31 (6) 1234-5678")),
            "known",
        ),
        (MethodChange::Remove(7), "no such"),
        (
            MethodChange::Replace {
                old: 9,
                new: new_phone(),
            },
            "no such",
        ),
    ];
    for (change, what) in cases {
        let refused = begin(&h, JAN, PASSWORD, change).await.expect_err(what);
        assert!(
            matches!(
                (&refused, what),
                (RegistrationRefusal::InvalidAddress, "invalid")
                    | (RegistrationRefusal::AlreadyRegistered, "known")
                    | (RegistrationRefusal::NoSuchMethod, "no such")
            ),
            "{what}: {refused:?}"
        );
    }
    assert!(matches!(
        begin(&h, NEW_USER, PASSWORD, MethodChange::Confirm).await,
        Err(RegistrationRefusal::NoSuchMethod)
    ));
    assert!(matches!(
        begin(&h, "jan jansen", PASSWORD, MethodChange::Confirm).await,
        Err(RegistrationRefusal::UserId(_))
    ));
    assert_eq!(h.codes_sent(), 0);
}

#[tokio::test]
async fn a_sealed_registration_opens_only_unchanged_and_with_the_key() {
    let h = world(Policy::default());
    let pending = begin(&h, JAN, PASSWORD, MethodChange::Add(new_phone()))
        .await
        .expect("begins");
    let keys = keys();
    let sealed = pending.seal(&keys).expect("seals");
    assert!(!sealed.contains("55501234") && !sealed.contains("jan"));
    assert!(sealed.len() <= sspr::registration::MAX_SEALED_CHARS);
    let opened = PendingRegistration::open(&keys, &sealed).expect("opens");
    assert_eq!(opened.new_method(), Some(new_phone().masked()));
    assert_eq!(opened.attempts_left(), 5);

    let mut flipped = sealed.clone().into_bytes();
    let last = flipped.len() - 1;
    flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
    let other = sspr::host::Keys::from_secret([9; 32]);
    for bad in [
        String::from_utf8(flipped).expect("hex"),
        sealed[..sealed.len() - 2].to_owned(),
        String::new(),
        "zz".repeat(40),
        "ab".repeat(5_000),
        "é".repeat(10),
    ] {
        assert!(matches!(
            PendingRegistration::open(&keys, &bad),
            Err(RegistrationRefusal::NotValid)
        ));
    }
    assert!(matches!(
        PendingRegistration::open(&other, &sealed),
        Err(RegistrationRefusal::NotValid)
    ));
    // The opened registration confirms like the original, and so does the next round's,
    // sealed and opened again.
    let next = proved(&h, opened, &h.code_to(&phone())).await;
    let next = PendingRegistration::open(&keys, &next.seal(&keys).expect("seals")).expect("opens");
    assert_eq!(next.code_for(), CodeFor::New(new_phone().masked()));
    registered(&h, next, &h.code_to(&new_phone())).await;
    assert_eq!(methods_of(&h, JAN).len(), 3);
}

async fn status(h: &Harness, user: &str) -> sspr::registration::RegistrationStatus {
    h.sspr
        .registration_status(&id(user))
        .await
        .expect("directory")
        .expect("known")
}

#[tokio::test]
async fn the_status_says_what_is_due() {
    let h = world(
        Policy::builder()
            .reconfirm_methods_after(30)
            .build()
            .expect("valid"),
    );
    let nina = h
        .sspr
        .registration_status(&id(NEW_USER))
        .await
        .expect("directory")
        .expect("known");
    assert_eq!(nina.due, Some(Due::Register { have: 0, need: 1 }));
    let jan = h
        .sspr
        .registration_status(&id(JAN))
        .await
        .expect("directory")
        .expect("known");
    assert_eq!(jan.due, Some(Due::Reconfirm { since: None }));
    let pending = begin(&h, JAN, PASSWORD, MethodChange::Confirm)
        .await
        .expect("begins");
    registered(&h, pending, &h.code_to(&phone())).await;
    assert_eq!(status(&h, JAN).await.due, None);
    h.advance(Duration::days(30));
    assert_eq!(
        status(&h, JAN).await.due,
        Some(Due::Reconfirm {
            since: Some(h.now() - Duration::days(30))
        })
    );
    // 0: never asked again.
    let never = world(
        Policy::builder()
            .reconfirm_methods_after(0)
            .build()
            .expect("valid"),
    );
    let jan = never
        .sspr
        .registration_status(&id(JAN))
        .await
        .expect("directory")
        .expect("known");
    assert_eq!(jan.due, None);
    // An admin needs two methods.
    let admin = never
        .sspr
        .registration_status(&id(sspr::testing::ADMIN))
        .await
        .expect("directory")
        .expect("known");
    assert_eq!(admin.methods.len(), 2);
    assert!(
        never
            .sspr
            .registration_status(&id("nobody.here@contoso.nl"))
            .await
            .expect("directory")
            .is_none()
    );
}

#[tokio::test]
async fn a_code_that_did_not_go_out_does_not_count() {
    let h = world(Policy::default());
    h.outbox.set_failing(true);
    for _ in 0..10 {
        let refused = begin(&h, JAN, PASSWORD, MethodChange::Add(new_phone())).await;
        assert!(
            matches!(refused, Err(RegistrationRefusal::DeliveryFailed)),
            "{refused:?}"
        );
    }
    h.outbox.set_failing(false);
    h.advance(Duration::hours(1));
    assert!(
        begin(&h, JAN, PASSWORD, MethodChange::Add(new_phone()))
            .await
            .is_ok()
    );
}
