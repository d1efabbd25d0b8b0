//! A new password is accepted only when it meets every rule, each refusal says what to fix
//! without repeating the password, no input makes the check panic, and a hash verifies its
//! own password and no other.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a failed expectation is a failed run

use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use sspr::UserId;
use sspr::password::{
    HashParams, MAX_BANNED_TERMS, Password, PasswordHash, PasswordRefusal, PasswordRules,
    PasswordRulesError, StrengthHint, hash_password, verify_password,
};

const GOOD: &str = "plum kettle orbit 71";

fn user() -> UserId {
    UserId::parse("Jan.Jansen@Contoso.nl").expect("valid user ID")
}

fn pw(s: &str) -> Password {
    Password::new(s)
}

/// Both entries the same.
fn check(rules: &PasswordRules, s: &str) -> Result<(), PasswordRefusal> {
    rules.check(&pw(s), &pw(s), &user())
}

fn banned(terms: &[&str]) -> PasswordRules {
    PasswordRules::builder()
        .banned_terms(terms.iter().copied())
        .build()
        .expect("valid rules")
}

#[test]
fn a_long_unguessable_password_is_accepted() {
    let rules = PasswordRules::default();
    assert_eq!(check(&rules, GOOD), Ok(()));
    assert_eq!(check(&rules, "kX9#mQ2vLp7w"), Ok(()));
    assert_eq!(check(&rules, "Zürich Straße Blümchen"), Ok(()));
    assert_eq!(check(&rules, "雪の日に猫とコーヒー"), Ok(()));
}

#[test]
fn length_counts_characters_of_the_nfkc_form() {
    let rules = PasswordRules::default();
    assert_eq!(
        check(&rules, "kX9#mQ2"),
        Err(PasswordRefusal::TooShort { min: 8 })
    );
    assert_eq!(check(&rules, ""), Err(PasswordRefusal::TooShort { min: 8 }));
    // Eight characters but sixteen bytes: long enough.
    assert_ne!(
        check(&rules, "ÿðþæøåßç"),
        Err(PasswordRefusal::TooShort { min: 8 })
    );
    // "e" + combining acute is one character once composed: seven, not eight.
    assert_eq!(
        check(&rules, "kX9#mQe\u{301}"),
        Err(PasswordRefusal::TooShort { min: 8 })
    );
    let long = GOOD.repeat(13);
    assert!(long.chars().count() > 256);
    assert_eq!(
        check(&rules, &long),
        Err(PasswordRefusal::TooLong { max: 256 })
    );
    let exactly: String = long.chars().take(256).collect();
    assert_eq!(check(&rules, &exactly), Ok(()));

    // The tightest maximum: 64 characters (OWASP ASVS 5.0, 6.2.9).
    let strict = PasswordRules::builder()
        .min_chars(16)
        .max_chars(64)
        .build()
        .expect("valid rules");
    assert_eq!(
        check(&strict, "kX9#mQ2vLp7w"),
        Err(PasswordRefusal::TooShort { min: 16 })
    );
    let sixty_five: String = "plum kettle orbit 71 ".repeat(4).chars().take(65).collect();
    assert_eq!(
        check(&strict, &sixty_five),
        Err(PasswordRefusal::TooLong { max: 64 })
    );
    let sixty_four: String = sixty_five.chars().take(64).collect();
    assert_eq!(check(&strict, &sixty_four), Ok(()));
}

#[test]
fn a_megabyte_is_refused_before_it_is_normalised() {
    use sspr::password::{HashError, MAX_PASSWORD_BYTES};
    let rules = PasswordRules::default();
    // A megabyte of a character that NFKC grows eighteen-fold, and one of ASCII.
    for megabyte in ["\u{FDFA}".repeat(1 << 18), "x".repeat(1 << 20)] {
        let typed = pw(&megabyte);
        assert!(typed.is_over_long());
        assert_eq!(typed.expose_secret(), "", "nothing of it is kept");
        assert_eq!(
            check(&rules, &megabyte),
            Err(PasswordRefusal::TooLong { max: 256 })
        );
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let hash = hash_password(&pw(GOOD), &HashParams::default(), &mut rng).expect("hashes");
        assert!(!verify_password(&typed, &hash));
        assert!(matches!(
            hash_password(&typed, &HashParams::default(), &mut rng),
            Err(HashError::PasswordTooLong)
        ));
    }
    // The bound is on bytes as typed: four per character of the longest rules allow.
    assert_eq!(MAX_PASSWORD_BYTES, 4 * 1024);
    assert!(!pw(&"x".repeat(MAX_PASSWORD_BYTES)).is_over_long());
    assert!(pw(&"x".repeat(MAX_PASSWORD_BYTES + 1)).is_over_long());
}

#[test]
fn full_width_letters_are_the_ascii_password() {
    let rules = PasswordRules::default();
    let full_width = "ｐｌｕｍ ｋｅｔｔｌｅ ｏｒｂｉｔ ７１";
    assert_eq!(pw(full_width).expose_secret(), GOOD);
    assert_eq!(rules.check(&pw(full_width), &pw(GOOD), &user()), Ok(()));
    // And the user ID is found in its full-width form too.
    assert_eq!(
        check(&rules, "ｊａｎ.ｊａｎｓｅｎ kettle orbit"),
        Err(PasswordRefusal::ContainsUserId)
    );
}

#[test]
fn both_entries_must_be_equal() {
    let rules = PasswordRules::default();
    let refused = |a: &str, b: &str| rules.check(&pw(a), &pw(b), &user());
    assert_eq!(
        refused(GOOD, "plum kettle orbit 72"),
        Err(PasswordRefusal::Mismatch)
    );
    assert_eq!(
        refused(GOOD, "Plum kettle orbit 71"),
        Err(PasswordRefusal::Mismatch)
    );
    assert_eq!(
        refused(GOOD, "plum kettle orbit 71 "),
        Err(PasswordRefusal::Mismatch)
    );
    assert_eq!(refused(GOOD, ""), Err(PasswordRefusal::Mismatch));
    assert_eq!(
        refused(GOOD, &"x".repeat(100_000)),
        Err(PasswordRefusal::Mismatch)
    );
    // Length and characters of the first entry come first: the person fixes those once.
    assert_eq!(
        refused("short", "other"),
        Err(PasswordRefusal::TooShort { min: 8 })
    );
    // A mismatch comes before the content rules and the strength estimate.
    assert_eq!(
        refused("password", "passwort"),
        Err(PasswordRefusal::Mismatch)
    );
}

#[test]
fn control_characters_are_refused() {
    let rules = PasswordRules::default();
    for s in [
        "plum kettle\torbit 71",
        "plum kettle\norbit 71",
        "plum\u{0}kettle orbit 71",
        "plum\u{7f}kettle orbit 71",
        "plum\u{85}kettle orbit 71",
    ] {
        assert_eq!(
            check(&rules, s),
            Err(PasswordRefusal::ControlCharacter),
            "{s:?}"
        );
    }
}

#[test]
fn the_user_id_and_its_local_part_are_refused_in_any_case() {
    let rules = PasswordRules::default();
    for s in [
        "jan.jansen@contoso.nl-2024",
        "my JAN.JANSEN kettle",
        "x-Jan.Jansen-orbit",
        "j4n.j4ns3n plum kettle",
    ] {
        assert_eq!(
            check(&rules, s),
            Err(PasswordRefusal::ContainsUserId),
            "{s}"
        );
    }
    // A local part under three characters is too short to mean anything.
    let short = UserId::parse("jo@contoso.nl").expect("valid");
    assert_eq!(rules.check(&pw(GOOD), &pw(GOOD), &short), Ok(()));
    assert_eq!(
        rules.check(
            &pw("jo@contoso.nl 71 plum"),
            &pw("jo@contoso.nl 71 plum"),
            &short
        ),
        Err(PasswordRefusal::ContainsUserId)
    );
    // An ID without `@` is all local part.
    let bare = UserId::parse("beheerder").expect("valid");
    assert_eq!(
        rules.check(&pw("Beheerder plum 71"), &pw("Beheerder plum 71"), &bare),
        Err(PasswordRefusal::ContainsUserId)
    );
}

#[test]
fn names_in_the_user_id_weaken_the_estimate() {
    // Not the whole local part, so not `ContainsUserId`; but the estimator knows the name
    // and the organisation as words an attacker would try first.
    let rules = PasswordRules::default();
    let jan = UserId::parse("jan.vandermeulen@fabrikam.nl").expect("valid");
    let piet = UserId::parse("piet@contoso.nl").expect("valid");
    for s in ["vandermeulen plum", "fabrikam plum"] {
        assert!(
            matches!(
                rules.check(&pw(s), &pw(s), &jan),
                Err(PasswordRefusal::TooWeak { .. })
            ),
            "{s}"
        );
        assert_eq!(rules.check(&pw(s), &pw(s), &piet), Ok(()), "{s}");
    }
}

#[test]
fn common_and_guessable_passwords_are_too_weak() {
    let rules = PasswordRules::default();
    for s in [
        "password",
        "Password1",
        "P@ssw0rd!",
        "qwertyuiop",
        "12345678",
        "iloveyou",
        "aaaaaaaaaaaa",
        "abcdefghijk",
        "sunshine2020",
        "michaelsmith",
    ] {
        match check(&rules, s) {
            Err(PasswordRefusal::TooWeak {
                score, min_score, ..
            }) => {
                assert!(score < min_score, "{s}");
                assert_eq!(min_score, 3);
            }
            other => panic!("{s}: {other:?}"),
        }
    }
    assert!(matches!(
        check(&rules, "password"),
        Err(PasswordRefusal::TooWeak {
            hint: Some(StrengthHint::CommonPassword),
            ..
        })
    ));
    assert!(matches!(
        check(&rules, "aaaaaaaaaaaa"),
        Err(PasswordRefusal::TooWeak {
            hint: Some(StrengthHint::Repeats),
            ..
        })
    ));
}

#[test]
fn the_minimum_score_is_configurable() {
    let lenient = PasswordRules::builder()
        .min_score(0)
        .build()
        .expect("valid");
    assert_eq!(check(&lenient, "password"), Ok(()));
    let strict = PasswordRules::builder()
        .min_score(4)
        .build()
        .expect("valid");
    assert_eq!(check(&strict, GOOD), Ok(()));
    assert!(matches!(
        check(&strict, "sunshine"),
        Err(PasswordRefusal::TooWeak { min_score: 4, .. })
    ));
}

#[test]
fn banned_terms_match_through_case_substitutions_and_one_edit() {
    let rules = banned(&["Contoso", "fabrikam", "acme"]);
    for s in [
        "contoso plum kettle",
        "CONTOSO plum kettle",
        "C0nt0s0 plum kettle",
        "(0nt0$0 plum kettle", // "(" is no look-alike: one substitution
        "kettle-c0nt0so-orbit",
        "kettle kontoso orbit",  // one substitution
        "kettle contso orbit",   // one deletion
        "kettle conttoso orbit", // one insertion
        "kettle f4br1k4m orbit", // 1 as i
        "kettle fabr!kam orbit", // ! as i
        "kettle fabrlkam orbit", // l as i
        "kettle ACME orbit",
        "kettle 4CM3 orbit",
        "ｃｏｎｔｏｓｏ plum kettle", // full width
    ] {
        assert_eq!(check(&rules, s), Err(PasswordRefusal::Banned), "{s}");
    }
    for s in [
        "kettle kantaso orbit", // two edits
        "kettle acne orbit",    // short terms match only whole
        "spacecraft lemon ridge",
        GOOD,
    ] {
        assert_eq!(check(&rules, s), Ok(()), "{s}");
    }
}

#[test]
fn bad_rules_are_refused_when_built() {
    let b = PasswordRules::builder;
    assert_eq!(
        b().min_chars(6).build(),
        Err(PasswordRulesError::MinCharsOutOfRange { min_chars: 6 })
    );
    assert!(matches!(
        b().min_chars(65).max_chars(200).build(),
        Err(PasswordRulesError::MinCharsOutOfRange { .. })
    ));
    assert!(matches!(
        b().max_chars(2000).build(),
        Err(PasswordRulesError::MaxCharsOutOfRange { .. })
    ));
    // A maximum below 64 characters: OWASP ASVS 5.0 (6.2.9) asks that 64 are permitted.
    assert_eq!(
        b().max_chars(63).build(),
        Err(PasswordRulesError::MaxCharsOutOfRange {
            max_chars: 63,
            min_chars: 8
        })
    );
    assert!(matches!(
        b().min_chars(20).max_chars(19).build(),
        Err(PasswordRulesError::MaxCharsOutOfRange { .. })
    ));
    assert_eq!(
        b().min_score(5).build(),
        Err(PasswordRulesError::MinScoreOutOfRange { min_score: 5 })
    );
    let many: Vec<String> = (0..=MAX_BANNED_TERMS).map(|i| format!("term{i}")).collect();
    assert!(matches!(
        b().banned_terms(many).build(),
        Err(PasswordRulesError::TooManyBannedTerms { .. })
    ));
    assert!(matches!(
        b().banned_terms(["ok-term", "  "]).build(),
        Err(PasswordRulesError::BannedTermLength { index: 1, chars: 0 })
    ));
    assert!(matches!(
        b().banned_terms(["x".repeat(40)]).build(),
        Err(PasswordRulesError::BannedTermLength { index: 0, .. })
    ));
    assert!(
        b().min_chars(64)
            .max_chars(1024)
            .min_score(4)
            .build()
            .is_ok()
    );
}

/// Every refusal, for the Display and Debug checks below.
fn every_refusal() -> Vec<PasswordRefusal> {
    let mut all = vec![
        PasswordRefusal::TooShort { min: 8 },
        PasswordRefusal::TooLong { max: 256 },
        PasswordRefusal::ControlCharacter,
        PasswordRefusal::Mismatch,
        PasswordRefusal::ContainsUserId,
        PasswordRefusal::Banned,
        PasswordRefusal::SameAsCurrent,
        PasswordRefusal::TooWeak {
            score: 1,
            min_score: 3,
            hint: None,
        },
    ];
    for hint in [
        StrengthHint::CommonPassword,
        StrengthHint::SimilarToCommonPassword,
        StrengthHint::KeyboardPattern,
        StrengthHint::Repeats,
        StrengthHint::Sequence,
        StrengthHint::DatesOrYears,
        StrengthHint::SingleWord,
        StrengthHint::Names,
    ] {
        all.push(PasswordRefusal::TooWeak {
            score: 0,
            min_score: 3,
            hint: Some(hint),
        });
    }
    all
}

#[test]
fn no_message_contains_the_password() {
    let secret = "Zq8vKettleXw3";
    let p = pw(secret);
    assert_eq!(format!("{p:?}"), "Password([REDACTED])");
    let rules = banned(&["kettle"]);
    // The refusal for this very password, and every other one.
    let refusal = check(&rules, secret).expect_err("kettle is banned");
    assert_eq!(refusal, PasswordRefusal::Banned);
    let mut shown = Vec::new();
    for r in every_refusal().into_iter().chain([refusal]) {
        shown.push(format!("{r}"));
        shown.push(format!("{r:?}"));
    }
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let hash = hash_password(&p, &HashParams::default(), &mut rng).expect("hashes");
    shown.push(format!("{hash:?}"));
    for text in &shown {
        assert!(!text.contains(secret), "{text}");
        assert!(!text.to_lowercase().contains("kettle"), "{text}");
        assert!(!text.is_empty());
    }
    // The stored hash's salt and output stay out of Debug.
    let fields: Vec<&str> = hash.as_str().split('$').collect();
    assert_eq!(fields.len(), 6, "$argon2id$v=19$m=..,t=..,p=..$salt$hash");
    let debug = format!("{hash:?}");
    assert!(
        !debug.contains(fields[4]) && !debug.contains(fields[5]),
        "{debug}"
    );
}

#[test]
fn temporary_passwords_pass_the_default_rules() {
    let rules = PasswordRules::default();
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    for _ in 0..10 {
        let temporary = Password::generate_temporary(&mut rng);
        let typed_again = pw(temporary.expose_secret());
        assert!(temporary.expose_secret().chars().count() >= 16);
        assert_eq!(rules.check(&temporary, &typed_again, &user()), Ok(()));
    }
}

#[test]
fn the_current_password_is_found_through_its_hash() {
    // How the wizard finds `SameAsCurrent`: the new password verifies against the stored hash.
    let stored = PasswordHash::parse(
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ISO7kkvFzh19GM8qB7patN3C3Y9HHsjlVTfEZ9T600Y",
    )
    .expect("a stored hash");
    assert!(verify_password(
        &pw("correct horse battery staple"),
        &stored
    ));
    assert!(verify_password(
        &pw("ｃｏｒｒｅｃｔ horse battery staple"),
        &stored
    ));
    assert!(!verify_password(&pw(GOOD), &stored));
}

proptest! {
    #[test]
    fn no_input_makes_check_panic(
        new in any::<String>(),
        confirm in any::<String>(),
        same in any::<bool>(),
        local in "[a-z0-9.\\-]{1,20}",
    ) {
        let rules = banned(&["contoso", "fabrikam"]);
        let user = UserId::parse(&format!("{local}@contoso.nl")).expect("valid user ID");
        let confirm = if same { new.clone() } else { confirm };
        let result = rules.check(&pw(&new), &pw(&confirm), &user);
        if let Err(refusal) = result {
            let message = refusal.to_string();
            prop_assert!(new.chars().count() < 4 || !message.contains(new.as_str()));
        }
    }

    #[test]
    fn parse_never_panics(input in any::<String>()) {
        let _ = PasswordHash::parse(&input);
    }

    #[test]
    fn parse_never_panics_on_near_misses(
        cut in 0usize..120,
        insert in "[$=,.a-zA-Z0-9+/]{0,4}",
    ) {
        let known = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ISO7kkvFzh19GM8qB7patN3C3Y9HHsjlVTfEZ9T600Y";
        let cut = cut.min(known.len());
        let mangled = format!("{}{}{}", &known[..cut], insert, &known[cut..]);
        if let Ok(hash) = PasswordHash::parse(&mangled) {
            prop_assert_eq!(hash.as_str(), mangled.as_str());
        }
    }
}

proptest! {
    // Argon2id at the design's costs is slow in a debug build: a few cases only.
    #![proptest_config(ProptestConfig::with_cases(3))]

    #[test]
    fn a_hash_verifies_its_password_and_no_other(
        password in "\\PC{8,40}",
        other in "\\PC{8,40}",
        seed: u64,
    ) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let password = pw(&password);
        let other = pw(&other);
        let hash = hash_password(&password, &HashParams::default(), &mut rng).expect("hashes");
        prop_assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        let reparsed = PasswordHash::parse(hash.as_str()).expect("own output parses");
        prop_assert!(verify_password(&password, &reparsed));
        prop_assert_eq!(
            verify_password(&other, &hash),
            other.expose_secret() == password.expose_secret()
        );
    }
}
