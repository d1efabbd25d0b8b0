//! No secret shows in any text the crate makes: with known secrets planted (challenge
//! answers, delivered codes, typed passwords, the code key, full contact addresses, the
//! stored hash), the `Debug` of every step wizard, outcome, refusal, error, receipt and
//! event, of the service and its in-memory parts, and the `Display` of every refusal and
//! error, contain none of them.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

use std::fmt::{Debug, Display};

use sspr::Stay;
use sspr::password::Password;
use sspr::step::{
    AccountType, FromIdentify, FromNewPassword, FromSelectAccount, FromVerify, ToVerify,
};
use sspr::testing::{
    CODE_KEY_BYTES, Harness, JAN, SECRET, STRONG, UNKNOWN, answer_of, id, mail, phone,
};
use sspr::{Refusal, Refused, Step};
use time::Duration;

/// Everything printed, and every secret planted.
#[derive(Default)]
struct Capture {
    texts: Vec<String>,
    secrets: Vec<String>,
    flows: Vec<String>,
}

impl Capture {
    fn debug(&mut self, value: &impl Debug) {
        self.texts.push(format!("{value:?}"));
        self.texts.push(format!("{value:#?}"));
    }

    fn display(&mut self, value: &impl Display) {
        self.texts.push(value.to_string());
    }

    fn refusal(&mut self, reason: &Refusal) {
        self.debug(reason);
        self.display(reason);
        if let Refusal::Unavailable(error) = reason {
            self.debug(error);
            self.display(error);
            let mut source = std::error::Error::source(error);
            while let Some(inner) = source {
                self.display(&inner);
                source = inner.source();
            }
        }
    }

    fn refused<S: Step>(&mut self, refused: &Refused<S>) {
        self.debug(refused);
        self.refusal(&refused.reason);
    }

    fn secret(&mut self, secret: impl Into<String>) {
        self.secrets.push(secret.into());
    }

    fn flow<S: Step>(&mut self, wizard: &sspr::Wizard<S>) {
        self.flows.push(wizard.flow_id().to_string());
    }
}

#[tokio::test]
async fn no_text_holds_a_planted_secret() {
    let h = Harness::new(sspr::testing::policy(
        sspr::policy::Policy::builder()
            .conceal(false)
            .code_resends(5),
    ));
    let mut c = Capture::default();

    // Contact addresses are personal data: only masked forms may show.
    c.secret("+31 6 12345678");
    c.secret("12345678");
    c.secret("jan.private@fabrikam.example");
    c.secret("jan.private");
    // The code key and the kit's master secret, as decimal bytes and as hex.
    for key in [CODE_KEY_BYTES, SECRET] {
        c.secret(
            format!("{:?}", &key[..4])
                .trim_matches(['[', ']'])
                .to_owned(),
        );
        c.secret(
            key[..6]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>(),
        );
        c.secret(
            key[..6]
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect::<String>(),
        );
        c.secret(
            key[..6]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(":"),
        );
    }
    // The keys themselves show only their public identifier.
    let keys = sspr::testing::keys();
    c.debug(&keys);
    c.debug(&sspr::host::Keys::from_secret(SECRET).retire(CODE_KEY_BYTES, h.now()));

    // Select account.
    let start = h.sspr.start().expect("starts");
    c.flow(&start);
    c.debug(&start);
    let outcome = start
        .choose(&h.sspr, AccountType::WorkOrSchool)
        .expect("ok");
    c.debug(&outcome);
    let FromSelectAccount::Identify(mut identify) = outcome else {
        unreachable!();
    };

    // Identify: wrong answers, a switch to audio and back, rejected input, the media.
    c.debug(&h.sspr.render(identify.step().challenge()).expect("renders"));
    for _ in 0..2 {
        c.secret(answer_of(&identify));
        let wrong = sspr::testing::wrong_answer(&identify);
        let refused = identify
            .submit(&h.sspr, JAN, &wrong)
            .await
            .expect_err("wrong");
        c.refused(&refused);
        identify = refused.wizard;
        c.debug(&identify);
    }
    c.secret(answer_of(&identify));
    let stay = identify.switch_kind(&h.sspr).expect("switch");
    c.debug(&stay);
    let Stay::Step(audio) = stay else {
        unreachable!()
    };
    c.secret(answer_of(&audio));
    let Ok(Stay::Step(mut identify)) = audio.switch_kind(&h.sspr) else {
        unreachable!()
    };
    for (user, typed) in [(JAN, ""), ("not an id", "ABCDEF"), (JAN, &*"Q".repeat(80))] {
        let refused = identify
            .submit(&h.sspr, user, typed)
            .await
            .expect_err("bad");
        c.refused(&refused);
        identify = refused.wizard;
    }
    let answer = answer_of(&identify);
    c.secret(answer.clone());
    h.directory.set_failing_find(true);
    let refused = identify
        .submit(&h.sspr, JAN, &answer)
        .await
        .expect_err("down");
    c.refused(&refused);
    h.directory.set_failing_find(false);
    let outcome = refused
        .wizard
        .submit(&h.sspr, JAN, &answer)
        .await
        .expect("right");
    c.debug(&outcome);
    let FromIdentify::ChooseMethod(choose) = outcome else {
        unreachable!();
    };

    // Choose method: a delivery failure, then a code.
    c.debug(&choose);
    h.outbox.set_failing(true);
    let refused = choose.choose(&h.sspr, 0).await.expect_err("down");
    c.refused(&refused);
    h.outbox.set_failing(false);
    let refused = refused
        .wizard
        .choose(&h.sspr, 7)
        .await
        .expect_err("no such");
    c.refused(&refused);
    let outcome = refused.wizard.choose(&h.sspr, 0).await.expect("sent");
    c.debug(&outcome);
    let ToVerify::Verify(mut verify) = outcome else {
        unreachable!()
    };
    let code = h.code_to(&phone());
    c.secret(code.clone());

    // Verify: wrong, mistyped and expired codes, resends.
    for typed in [
        sspr::testing::wrong_code(&code),
        "12ab56".into(),
        "1".into(),
    ] {
        let refused = verify.submit(&h.sspr, &typed).await.expect_err("refused");
        c.refused(&refused);
        verify = refused.wizard;
    }
    h.advance(Duration::minutes(10));
    let refused = verify.submit(&h.sspr, &code).await.expect_err("expired");
    c.refused(&refused);
    let outcome = refused.wizard.resend(&h.sspr).await.expect("resent");
    c.debug(&outcome);
    let ToVerify::Verify(verify) = outcome else {
        unreachable!()
    };
    c.debug(&verify);
    let code = h.code_to(&phone());
    c.secret(code.clone());
    let verify = verify.choose_another_method().expect("back");
    let verify = h.send_code(verify, 1).await;
    let code = h.code_to(&mail());
    c.secret(code.clone());
    let outcome = verify.submit(&h.sspr, &code).await.expect("right");
    c.debug(&outcome);
    let FromVerify::NewPassword(mut new_password) = outcome else {
        unreachable!();
    };

    // New password: every refusal, a directory failure, then the change.
    let tries = [
        ("Sh0rt!", "Sh0rt!"),
        ("secret\ttab orbit 93", "secret\ttab orbit 93"),
        ("mango lantern quiet 42", "mango lantern quiet 43"),
        ("jan.jansen orbit kettle 9", "jan.jansen orbit kettle 9"),
        ("password123", "password123"),
    ];
    for (new, confirm) in tries {
        c.secret(new);
        c.secret(confirm);
        let refused = new_password
            .submit(&h.sspr, Password::new(new), Password::new(confirm))
            .await
            .expect_err("refused");
        c.refused(&refused);
        new_password = refused.wizard;
        c.debug(&new_password);
    }
    c.secret(STRONG);
    h.directory.set_failing_store(true);
    let refused = new_password
        .submit(&h.sspr, Password::new(STRONG), Password::new(STRONG))
        .await
        .expect_err("down");
    c.refused(&refused);
    h.directory.set_failing_store(false);
    let outcome = refused
        .wizard
        .submit(&h.sspr, Password::new(STRONG), Password::new(STRONG))
        .await
        .expect("done");
    c.debug(&outcome);
    let FromNewPassword::Completed(receipt) = outcome else {
        unreachable!();
    };
    c.debug(&receipt);
    for masked in &receipt.methods_used {
        c.display(masked);
    }
    let hash = h
        .directory
        .inner
        .get(&id(JAN))
        .expect("Jan")
        .password_hash
        .expect("stored");
    let phc = hash.as_str().to_owned();
    let mut parts = phc.rsplit('$');
    c.secret(parts.next().expect("hash part"));
    c.secret(parts.next().expect("salt part"));
    c.debug(&hash);

    // The other endings.
    let outcome = h.submit_right(UNKNOWN).await;
    c.debug(&outcome);
    let start = h.sspr.start().expect("starts");
    c.flow(&start);
    c.debug(
        &start
            .choose(&h.sspr, AccountType::Personal)
            .expect("personal"),
    );
    let identify = h.identify();
    c.flow(&identify);
    h.advance(Duration::hours(1));
    c.debug(
        &identify
            .submit(&h.sspr, JAN, "ABCDEF")
            .await
            .expect("expired"),
    );

    // The service, its parts and the audit trail.
    c.debug(&h.sspr);
    c.debug(h.sspr.policy());
    c.debug(&h.outbox);
    for delivery in h.outbox.deliveries() {
        c.debug(&delivery);
    }
    c.debug(&h.directory);
    c.debug(&h.clock);
    for event in h.events.events() {
        c.debug(&event);
        if let Some(flow) = event.flow {
            c.flows.push(flow.to_string());
        }
    }

    assert!(
        c.secrets.len() > 20 && c.texts.len() > 100,
        "the test saw enough"
    );
    // The search finds a secret where there is one.
    let planted = format!("code: {code}.");
    assert!(!leaks(&[planted], &c.secrets, &c.flows).is_empty());
    let found = leaks(&c.texts, &c.secrets, &c.flows);
    assert!(found.is_empty(), "{found:#?}");
}

/// Every secret found in a text, ignoring case; flow IDs (random hex that may hold digit
/// runs by chance, not secret) are blanked first.
fn leaks(texts: &[String], secrets: &[String], flows: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for text in texts {
        let mut text = text.clone();
        for flow in flows {
            text = text.replace(flow.as_str(), "<flow>");
        }
        let lower = text.to_lowercase();
        for secret in secrets {
            if lower.contains(&secret.to_lowercase()) {
                found.push(format!("{secret:?} in {text}"));
            }
        }
    }
    found
}
