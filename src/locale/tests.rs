use std::collections::BTreeSet;

use fluent_syntax::ast::Entry;
use fluent_syntax::parser::parse;

use super::*;
use crate::message::tests::every_message;
use crate::password::PasswordRefusal;
use crate::sender::Notice;
use crate::wizard::Refusal;

/// The message identifiers of a Fluent text.
fn ids(ftl: &str) -> BTreeSet<String> {
    let resource = parse(ftl).expect("the built-in text parses");
    resource
        .body
        .iter()
        .filter_map(|entry| match entry {
            Entry::Message(m) => Some(m.id.name.to_owned()),
            _ => None,
        })
        .collect()
}

#[test]
fn english_and_dutch_have_the_same_messages() {
    let (en, nl) = (ids(ENGLISH), ids(DUTCH));
    let only_en: Vec<_> = en.difference(&nl).collect();
    let only_nl: Vec<_> = nl.difference(&en).collect();
    assert!(only_en.is_empty(), "only in English: {only_en:?}");
    assert!(only_nl.is_empty(), "only in Dutch: {only_nl:?}");
}

#[test]
fn every_message_of_the_crate_has_a_text_in_both_languages() {
    let translations = Translations::builtin();
    assert_eq!(translations.languages(), ["en", "nl"]);
    let (en, nl) = (ids(ENGLISH), ids(DUTCH));
    for message in every_message() {
        let id = message.message_id();
        assert!(en.contains(id) && nl.contains(id), "{id} has no text");
        for language in &translations.languages {
            // Formats in that language itself (no fallback), every argument used.
            let localizer = Localizer {
                translations: &translations,
                index: translations
                    .languages
                    .iter()
                    .position(|l| l.id == language.id)
                    .expect("held"),
            };
            let mut args = FluentArgs::new();
            for (name, arg) in message.message_args() {
                let value = match arg {
                    Arg::Number(n) => FluentValue::from(n),
                    Arg::Time(t) => FluentValue::from(format_time(t)),
                    Arg::Message(nested) => {
                        FluentValue::from(localizer.format(nested, &[]).expect("nested"))
                    }
                };
                args.set(name, value);
            }
            for name in OPTIONAL {
                if !message.message_args().iter().any(|(n, _)| *n == name) {
                    args.set(name, FluentValue::from(NONE));
                }
            }
            let text = format_in(&language.bundle, id, &args)
                .unwrap_or_else(|| panic!("{id} does not format in {}", language.id));
            assert!(
                !text.contains('{') && !text.trim().is_empty(),
                "{id}: {text}"
            );
        }
    }
}

#[test]
fn dutch_follows_its_plural_rules_and_names_nested_messages() {
    let translations = Translations::builtin();
    let nl = translations.negotiate(&["nl"]);
    assert_eq!(
        nl.message(&Refusal::WrongCode { attempts_left: 1 }),
        "Die code klopt niet (nog 1 poging)."
    );
    assert_eq!(
        nl.message(&Refusal::WrongCode { attempts_left: 3 }),
        "Die code klopt niet (nog 3 pogingen)."
    );
    let weak = PasswordRefusal::TooWeak {
        score: 1,
        min_score: 3,
        hint: Some(crate::password::StrengthHint::Names),
    };
    assert!(
        nl.message(&weak)
            .contains("(voornamen en achternamen zijn makkelijk te raden)"),
        "{}",
        nl.message(&weak)
    );
    let en = translations.negotiate(&["en-GB"]);
    assert_eq!(
        en.message(&Refusal::WrongCode { attempts_left: 1 }),
        "That code is not right (1 attempt left)."
    );
}

#[test]
fn a_lock_names_its_time_or_none() {
    let translations = Translations::builtin();
    let nl = translations.negotiate(&["nl"]);
    let at = OffsetDateTime::UNIX_EPOCH + time::Duration::minutes(65);
    let until = crate::ending::Locked {
        reason: crate::ending::LockReason::UserBlocked,
        until: Some(at),
    };
    assert_eq!(
        nl.message(&crate::ending::Ending::Locked(until)),
        "Deze herstelpoging is geblokkeerd (te veel codes of verkeerde codes voor dit account) tot 1970-01-01 01:05 UTC."
    );
    let open = crate::ending::Locked {
        reason: crate::ending::LockReason::CodeAttempts,
        until: None,
    };
    assert_eq!(
        nl.message(&crate::ending::Ending::Locked(open)),
        "Deze herstelpoging is geblokkeerd (te veel verkeerde codes). Begin later opnieuw."
    );
}

#[test]
fn languages_are_negotiated_with_english_as_the_fallback() {
    let translations = Translations::builtin();
    assert_eq!(translations.negotiate(&["nl-NL"]).language(), "nl");
    assert_eq!(translations.negotiate(&["de", "nl"]).language(), "nl");
    assert_eq!(translations.negotiate(&["fr"]).language(), "en");
    assert_eq!(translations.negotiate(&[]).language(), "en");
    assert_eq!(translations.negotiate(&["not a tag!"]).language(), "en");
    assert_eq!(
        Translations::accept_language("fr;q=0.5, nl-BE, en;q=0.8, *;q=0.1, x;q=2"),
        ["nl-BE", "en", "fr"]
    );
    assert!(Translations::accept_language("").is_empty());
}

#[test]
fn a_host_adds_a_language_and_overrides_a_message() {
    let mut translations = Translations::builtin();
    translations
        .add("nl", "password-mismatch = De wachtwoorden verschillen.")
        .expect("parses");
    translations
        .add("de", "refusal-code-expired = Der Code ist abgelaufen.")
        .expect("parses");
    let nl = translations.negotiate(&["nl"]);
    assert_eq!(
        nl.message(&PasswordRefusal::Mismatch),
        "De wachtwoorden verschillen."
    );
    // The rest of Dutch stays.
    assert_eq!(
        nl.message(&Refusal::CodeExpired),
        "De code is verlopen; vraag een nieuwe aan."
    );
    let de = translations.negotiate(&["de-AT"]);
    assert_eq!(de.language(), "de");
    assert_eq!(
        de.message(&Refusal::CodeExpired),
        "Der Code ist abgelaufen."
    );
    // What German lacks comes in English.
    assert_eq!(
        de.message(&Refusal::ChallengeExpired),
        "The challenge expired; try the new one."
    );
    assert_eq!(
        translations.add("nl", "broken = {"),
        Err(LocaleError::Syntax { line: 1 })
    );
    assert_eq!(translations.add("", "x = y"), Err(LocaleError::Language));
}

#[test]
fn the_code_message_and_the_notice_read_well_in_both_languages() {
    let translations = Translations::builtin();
    let nl = translations.negotiate(&["nl"]);
    assert_eq!(
        nl.code_message("123456", 10).as_str(),
        "Uw code van 6 cijfers om uw wachtwoord opnieuw in te stellen is 123456. De code werkt 10 minuten. Geef hem aan niemand."
    );
    let en = translations.negotiate(&["en"]);
    assert!(
        en.password_changed_notice("jan@contoso.nl")
            .contains("jan@contoso.nl")
    );
}

/// Every message of the crate in both languages, as `MESSAGES.md` has it: rendered with
/// the sample values of the crate's message test.
fn side_by_side() -> String {
    let translations = Translations::builtin();
    let (en, nl) = (
        translations.negotiate(&["en"]),
        translations.negotiate(&["nl"]),
    );
    let mut table = String::from(
        "# Messages in English and Dutch\n\n\
         Every text the crate gives a person, rendered from `src/locale/en.ftl` and \
         `src/locale/nl.ftl` with sample values (numbers, times and nested messages as the \
         crate passes them). Generated by the crate's tests: \
         `SSPR_WRITE_MESSAGES=1 cargo test --all-features --lib locale` rewrites it, and \
         the test fails while it is out of date.\n\n\
         | identifier | English | Nederlands |\n| --- | --- | --- |\n",
    );
    let mut row = |id: &str, english: String, dutch: String| {
        let cell = |text: String| text.replace('|', "\\|");
        table.push_str(&format!(
            "| `{id}` | {} | {} |\n",
            cell(english),
            cell(dutch)
        ));
    };
    for message in every_message() {
        row(
            message.message_id(),
            en.message(message.as_ref()),
            nl.message(message.as_ref()),
        );
    }
    row(
        "code-message",
        en.code_message("123456", 10).to_string(),
        nl.code_message("123456", 10).to_string(),
    );
    row(
        "notice-password-changed",
        en.password_changed_notice("jan@contoso.nl"),
        nl.password_changed_notice("jan@contoso.nl"),
    );
    row(
        "notice-reset-requested",
        en.notice(Notice::ResetRequested, "piet@contoso.nl"),
        nl.notice(Notice::ResetRequested, "piet@contoso.nl"),
    );
    row(
        "notice-methods-changed",
        en.notice(Notice::MethodsChanged, "jan@contoso.nl"),
        nl.notice(Notice::MethodsChanged, "jan@contoso.nl"),
    );
    row(
        "notice-admin-password-changed",
        en.notice(Notice::AdminPasswordChanged, "grace@contoso.nl"),
        nl.notice(Notice::AdminPasswordChanged, "grace@contoso.nl"),
    );
    table
}

#[test]
fn the_side_by_side_table_is_up_to_date() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/MESSAGES.md");
    let table = side_by_side();
    if std::env::var_os("SSPR_WRITE_MESSAGES").is_some() {
        std::fs::write(path, &table).expect("writes MESSAGES.md");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == table,
        "MESSAGES.md is out of date: SSPR_WRITE_MESSAGES=1 cargo test --all-features --lib locale"
    );
}
