//! The language the terminal speaks: chosen once at start-up (`--lang`, else `LANG`),
//! for the example's own texts (`locales/*.ftl`), the crate's messages and the audio
//! challenge.

use std::sync::OnceLock;

use sspr::challenge::Language;
use sspr::locale::{Localizer, TextArg, Translations};
use sspr::message::{Arg, Message};

/// The messages of both languages, the example's added to the crate's.
static TRANSLATIONS: OnceLock<Translations> = OnceLock::new();

/// The language tag chosen.
static TAG: OnceLock<String> = OnceLock::new();

/// Chooses the language: `wanted` (from `--lang`), else the `LANG` variable, else
/// English.
pub fn choose(wanted: Option<&str>) {
    let from_env = std::env::var("LANG").ok();
    let tag = wanted
        .map(str::to_owned)
        .or(from_env)
        .unwrap_or_else(|| "en".to_owned());
    let _ = TAG.set(tag);
}

fn translations() -> &'static Translations {
    TRANSLATIONS.get_or_init(|| {
        let mut translations = Translations::builtin();
        for (tag, text) in [
            ("en", include_str!("locales/en.ftl")),
            ("nl", include_str!("locales/nl.ftl")),
        ] {
            // The example's own texts parse: `--demo` and the tests use them.
            let _ = translations.add(tag, text);
        }
        translations
    })
}

fn localizer() -> Localizer<'static> {
    let tag = TAG.get().map_or("en", String::as_str);
    // `LANG` looks like `nl_NL.UTF-8`: its language part is what counts.
    let tag = tag
        .split(['.', '@'])
        .next()
        .unwrap_or("en")
        .replace('_', "-");
    translations().negotiate(&[&tag])
}

/// The language the audio challenges speak.
pub fn challenge_language() -> Language {
    Language::from_tag(&localizer().language()).unwrap_or_default()
}

/// The example's text `id`.
pub fn t(id: &str) -> String {
    ta(id, &[])
}

/// The example's text `id` with `args`.
pub fn ta(id: &str, args: &[(&str, TextArg<'_>)]) -> String {
    localizer().text(id, args).unwrap_or_else(|| id.to_owned())
}

/// A number for [`ta`].
pub fn n(value: impl Into<Arg>) -> TextArg<'static> {
    TextArg::Arg(value.into())
}

/// One of the crate's messages, in the chosen language.
pub fn message(message: &dyn Message) -> String {
    localizer().message(message)
}
