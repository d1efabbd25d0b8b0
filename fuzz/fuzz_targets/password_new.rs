//! Passwords are typed by anyone: any text makes a password without a panic; input over
//! `MAX_PASSWORD_BYTES` is over-long (dropped before normalisation) and the rules refuse
//! it as too long; anything else is its NFKC form, and the rules' check gives an answer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sspr::UserId;
use sspr::password::{MAX_PASSWORD_BYTES, Password, PasswordRefusal, PasswordRules};
use unicode_normalization::UnicodeNormalization;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let password = Password::new(text);
    let confirm = Password::new(text);
    let rules = PasswordRules::builder().min_score(0).build().expect("valid rules");
    let user = UserId::parse("jan.jansen@contoso.nl").expect("valid");
    let checked = rules.check(&password, &confirm, &user);
    if text.len() > MAX_PASSWORD_BYTES {
        assert!(password.is_over_long());
        assert_eq!(password.expose_secret(), "");
        assert_eq!(checked, Err(PasswordRefusal::TooLong { max: rules.max_chars() }));
    } else {
        assert!(!password.is_over_long());
        assert_eq!(password.expose_secret(), text.nfkc().collect::<String>());
        assert_ne!(checked, Err(PasswordRefusal::Mismatch));
    }
});
