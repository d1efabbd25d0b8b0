//! Every field a person types is size-checked before it is normalised (issue 10, 6e): a
//! megabyte in any of them is refused with its typed reason, and the step stays where it
//! was, with nothing spent. (No timing here: that the refusal is cheap follows from the
//! order of the checks, which the unit tests of each parser pin down.)
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

use sspr::admin::ForcedChangeRefusal;
use sspr::challenge::{InputRejected, MAX_INPUT_CHARS};
use sspr::password::{Password, PasswordRefusal};
use sspr::support::{MAX_DETAILS_CHARS, SupportField, SupportRequest, SupportRequestError};
use sspr::testing::{Harness, JAN, STRONG, answer_of};
use sspr::{Refusal, UserIdError};

/// A megabyte that NFKC would grow eighteen-fold (U+FDFA is one character of three bytes
/// that becomes eighteen characters).
fn megabyte() -> String {
    "\u{FDFA}".repeat(1 << 18)
}

#[tokio::test]
async fn a_megabyte_user_id_or_answer_is_refused_at_identify() {
    let h = Harness::revealing();
    let identify = h.identify();
    let answer = answer_of(&identify);

    let refused = identify
        .submit(&h.sspr, &megabyte(), &answer)
        .await
        .expect_err("refused");
    assert!(
        matches!(
            refused.reason,
            Refusal::UserId(UserIdError::TooLong { max_bytes: 256 })
        ),
        "{:?}",
        refused.reason
    );
    let refused = refused
        .wizard
        .submit(&h.sspr, JAN, &megabyte())
        .await
        .expect_err("refused");
    assert!(
        matches!(
            refused.reason,
            Refusal::AnswerInput(InputRejected::TooLong {
                max: MAX_INPUT_CHARS
            })
        ),
        "{:?}",
        refused.reason
    );
    // Neither cost an attempt: the right answer still moves on.
    let answer = answer_of(&refused.wizard);
    refused
        .wizard
        .submit(&h.sspr, JAN, &answer)
        .await
        .expect("the right answer moves on");
}

#[tokio::test]
async fn a_megabyte_code_is_refused_as_mistyped() {
    let h = Harness::revealing();
    let verify = h.verify(JAN, 0).await;
    for typed in [megabyte(), format!("123456{}", " ".repeat(1 << 20))] {
        let refused = h
            .verify(JAN, 0)
            .await
            .submit(&h.sspr, &typed)
            .await
            .expect_err("refused");
        assert!(
            matches!(refused.reason, Refusal::CodeFormat { digits: 6 }),
            "{:?}",
            refused.reason
        );
    }
    let refused = verify
        .submit(&h.sspr, &megabyte())
        .await
        .expect_err("refused");
    assert_eq!(
        refused.wizard.step().attempts_left(),
        5,
        "a mistyped code costs no attempt"
    );
}

#[tokio::test]
async fn a_megabyte_password_is_refused_as_too_long() {
    let h = Harness::revealing();
    let new_password = h.new_password().await;
    let refused = new_password
        .submit(
            &h.sspr,
            Password::new(megabyte()),
            Password::new(megabyte()),
        )
        .await
        .expect_err("refused");
    assert!(
        matches!(
            refused.reason,
            Refusal::Password(PasswordRefusal::TooLong { max: 256 })
        ),
        "{:?}",
        refused.reason
    );
    let refused = refused
        .wizard
        .submit(&h.sspr, Password::new(STRONG), Password::new(megabyte()))
        .await
        .expect_err("refused");
    assert!(
        matches!(refused.reason, Refusal::Password(PasswordRefusal::Mismatch)),
        "{:?}",
        refused.reason
    );
    // The step stays, and still completes.
    refused
        .wizard
        .submit(&h.sspr, Password::new(STRONG), Password::new(STRONG))
        .await
        .expect("a good password completes");
}

#[tokio::test]
async fn a_megabyte_user_id_is_refused_at_the_forced_change() {
    let h = Harness::revealing();
    let refused = h
        .sspr
        .change_temporary_password(
            &megabyte(),
            Password::new("temporary"),
            Password::new(STRONG),
            Password::new(STRONG),
        )
        .await
        .expect_err("refused");
    assert!(
        matches!(
            refused,
            ForcedChangeRefusal::UserId(UserIdError::TooLong { max_bytes: 256 })
        ),
        "{refused:?}"
    );
}

#[test]
fn a_megabyte_support_request_field_is_refused_as_too_long() {
    let refused = SupportRequest::new(
        "Jan Jansen",
        "jan@thuis.example",
        "+31 6 12345678",
        "Contoso BV",
        "contoso.nl",
        &megabyte(),
    );
    assert_eq!(
        refused.map(|_| ()),
        Err(SupportRequestError::TooLong {
            field: SupportField::Explanation,
            max: MAX_DETAILS_CHARS
        })
    );
}
