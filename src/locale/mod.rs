//! Messages in the person's language, through [Fluent](https://projectfluent.org): every
//! [`Message`] of the crate in English and Dutch, with plural rules, negotiated from the
//! languages a person asks for and falling back to English.
//!
//! ```
//! use sspr::locale::Translations;
//! use sspr::password::PasswordRefusal;
//!
//! let translations = Translations::builtin();
//! // The languages a browser asks for, best first: Dutch is chosen.
//! let dutch = translations.negotiate(&["nl-BE", "en"]);
//! assert_eq!(dutch.language(), "nl");
//! let refusal = PasswordRefusal::TooShort { min: 12 };
//! assert_eq!(
//!     dutch.message(&refusal),
//!     "Het wachtwoord is te kort: gebruik minstens 12 tekens."
//! );
//! // A language the crate does not have falls back to English.
//! let english = translations.negotiate(&["fr"]);
//! assert_eq!(english.language(), "en");
//! ```
//!
//! A host adds a language, or overrides any message of one, with its own Fluent text
//! ([`Translations::add`]), and can keep its own page texts in the same bundles
//! ([`Localizer::text`]). The messages of both built-in languages are in
//! `src/locale/en.ftl` and `src/locale/nl.ftl`; the crate's README has them side by side.

use std::borrow::Cow;
use std::fmt;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use time::OffsetDateTime;
use unic_langid::LanguageIdentifier;
use zeroize::Zeroizing;

use crate::message::{Arg, Message};
use crate::sender::Notice;

/// The English messages.
const ENGLISH: &str = include_str!("en.ftl");

/// The Dutch messages.
const DUTCH: &str = include_str!("nl.ftl");

/// What an optional argument that is not there is passed as (the messages select on it).
const NONE: &str = "none";

/// The arguments a message may leave out.
const OPTIONAL: [&str; 2] = ["until", "hint"];

/// A language's messages.
struct Language {
    id: LanguageIdentifier,
    bundle: FluentBundle<FluentResource>,
}

/// The messages of every language a host serves: English and Dutch built in, others
/// added. Build it once and share it; [`Translations::negotiate`] picks a language per
/// request.
pub struct Translations {
    /// English first: the fallback.
    languages: Vec<Language>,
}

impl fmt::Debug for Translations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Translations")
            .field("languages", &self.languages())
            .finish()
    }
}

/// Why a host's Fluent text was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LocaleError {
    /// Not a language tag (BCP 47, like `nl` or `pt-BR`).
    #[error("not a language tag")]
    Language,
    /// The Fluent text does not parse; the line of its first error.
    #[error("the Fluent text does not parse (line {line})")]
    Syntax {
        /// The first line with an error (1-based).
        line: usize,
    },
}

impl Default for Translations {
    fn default() -> Self {
        Self::builtin()
    }
}

impl Translations {
    /// English and Dutch.
    pub fn builtin() -> Self {
        let mut translations = Translations {
            languages: Vec::new(),
        };
        for (tag, text) in [("en", ENGLISH), ("nl", DUTCH)] {
            // The built-in texts parse: a unit test checks them.
            let _ = translations.add(tag, text);
        }
        translations
    }

    /// Adds the messages of `ftl` (Fluent text) to the language `tag`: a new language,
    /// or more messages for a known one, whose messages of the same identifiers it
    /// replaces. A text with a syntax error is refused whole.
    pub fn add(&mut self, tag: &str, ftl: &str) -> Result<(), LocaleError> {
        let id: LanguageIdentifier = tag.parse().map_err(|_| LocaleError::Language)?;
        let resource = FluentResource::try_new(ftl.to_owned()).map_err(|(_, errors)| {
            let offset = errors.first().map_or(0, |e| e.pos.start);
            let line = ftl
                .get(..offset)
                .map_or(1, |before| before.lines().count().max(1));
            LocaleError::Syntax { line }
        })?;
        match self.languages.iter_mut().find(|l| l.id == id) {
            Some(language) => language.bundle.add_resource_overriding(resource),
            None => {
                let mut bundle = FluentBundle::new_concurrent(vec![id.clone()]);
                // Plain text: no Unicode isolation marks around arguments.
                bundle.set_use_isolating(false);
                bundle.add_resource_overriding(resource);
                self.languages.push(Language { id, bundle });
            }
        }
        Ok(())
    }

    /// The languages held, English first.
    pub fn languages(&self) -> Vec<String> {
        self.languages.iter().map(|l| l.id.to_string()).collect()
    }

    /// The best language for `requested` (language tags, most wanted first, as from an
    /// `Accept-Language` header, the `LANG` variable or a person's choice); English when
    /// none is held. Tags that do not parse are skipped.
    pub fn negotiate(&self, requested: &[&str]) -> Localizer<'_> {
        // For each tag in turn: the same language and region, else the same language
        // (`nl-BE` finds `nl`, `pt` finds `pt-BR`).
        let index = requested
            .iter()
            .filter_map(|tag| tag.parse::<LanguageIdentifier>().ok())
            .find_map(|wanted| {
                let held = |same: &dyn Fn(&LanguageIdentifier) -> bool| {
                    self.languages.iter().position(|l| same(&l.id))
                };
                held(&|id| *id == wanted).or_else(|| held(&|id| id.language == wanted.language))
            })
            .unwrap_or(0);
        Localizer {
            translations: self,
            index,
        }
    }

    /// The languages of an `Accept-Language` header value, best first (quality values
    /// respected, `*` and malformed entries skipped, at most 16 read).
    pub fn accept_language(header: &str) -> Vec<String> {
        let mut tags: Vec<(u16, usize, &str)> = header
            .split(',')
            .take(16)
            .enumerate()
            .filter_map(|(at, part)| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim();
                if tag.is_empty() || tag == "*" || tag.len() > 35 {
                    return None;
                }
                let quality =
                    pieces
                        .find_map(|p| p.trim().strip_prefix("q="))
                        .map_or(Some(1000), |q| {
                            q.trim()
                                .parse::<f32>()
                                .ok()
                                .filter(|q| (0.0..=1.0).contains(q))
                                // In 0..=1000, so the cast keeps it.
                                .map(|q| (q * 1000.0).round() as u16)
                        })?;
                (quality > 0).then_some((quality, at, tag))
            })
            .collect();
        tags.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        tags.into_iter().map(|(_, _, tag)| tag.to_owned()).collect()
    }
}

/// A value for one of the host's own texts ([`Localizer::text`]): what a [`Message`]
/// carries, or the host's own text (a masked address, a user ID it shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextArg<'a> {
    /// A number, a time or another message.
    Arg(Arg),
    /// Text as it is.
    Text(&'a str),
}

impl From<Arg> for TextArg<'_> {
    fn from(arg: Arg) -> Self {
        TextArg::Arg(arg)
    }
}

impl<'a> From<&'a str> for TextArg<'a> {
    fn from(text: &'a str) -> Self {
        TextArg::Text(text)
    }
}

/// The messages of one language, chosen by [`Translations::negotiate`]; a message the
/// language lacks is given in English.
#[derive(Clone, Copy)]
pub struct Localizer<'a> {
    translations: &'a Translations,
    index: usize,
}

impl fmt::Debug for Localizer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Localizer")
            .field("language", &self.language())
            .finish()
    }
}

impl<'a> Localizer<'a> {
    /// The chosen language's tag (for `<html lang>`).
    pub fn language(&self) -> String {
        self.translations
            .languages
            .get(self.index)
            .map_or_else(|| "en".to_owned(), |l| l.id.to_string())
    }

    /// `message` in this language, its arguments filled in (times as
    /// `2026-12-02 14:05 UTC`).
    pub fn message(&self, message: &dyn Message) -> String {
        self.format(message.message_id(), &message.message_args())
            .unwrap_or_else(|| message.to_string())
    }

    /// The message `id` of the host's own (or the crate's) Fluent text, with `args`
    /// (numbers, times, other messages, or the host's own text); `None` when no language
    /// held has it.
    pub fn text(&self, id: &str, args: &[(&str, TextArg<'_>)]) -> Option<String> {
        let mut fluent = FluentArgs::new();
        for (name, arg) in args {
            let value: FluentValue<'_> = match arg {
                TextArg::Arg(arg) => self.value(arg)?,
                TextArg::Text(text) => FluentValue::from(text.to_string()),
            };
            fluent.set(name.to_string(), value);
        }
        self.format_args(id, &fluent)
    }

    fn value(&self, arg: &Arg) -> Option<FluentValue<'static>> {
        Some(match arg {
            Arg::Number(n) => FluentValue::from(*n),
            Arg::Time(t) => FluentValue::from(format_time(*t)),
            Arg::Message(nested) => FluentValue::from(self.format(nested, &[])?),
        })
    }

    /// The text a delivery service sends with a one-time code (`code-message`), with the
    /// code's digits and how many minutes it works. The text holds the code: send it,
    /// never log it; it is wiped when dropped.
    pub fn code_message(&self, code: &str, minutes: i64) -> Zeroizing<String> {
        let digits = i64::try_from(code.len()).unwrap_or(0);
        let mut args = FluentArgs::new();
        args.set("code", FluentValue::from(code));
        args.set("digits", FluentValue::from(digits));
        args.set("minutes", FluentValue::from(minutes));
        Zeroizing::new(self.format_args("code-message", &args).unwrap_or_default())
    }

    /// The "your password was changed" notice for the account `user`.
    pub fn password_changed_notice(&self, user: &str) -> String {
        self.notice(Notice::PasswordChanged, user)
    }

    /// The text of `notice` about the account `user` (a [`CodeSender`] sends it).
    ///
    /// [`CodeSender`]: crate::host::CodeSender
    pub fn notice(&self, notice: Notice, user: &str) -> String {
        let id = match notice {
            Notice::PasswordChanged => "notice-password-changed",
            Notice::AdminPasswordChanged => "notice-admin-password-changed",
            Notice::ResetRequested => "notice-reset-requested",
            Notice::MethodsChanged => "notice-methods-changed",
        };
        let mut args = FluentArgs::new();
        args.set("user", FluentValue::from(user));
        self.format_args(id, &args).unwrap_or_default()
    }

    fn format(&self, id: &str, args: &[(&str, Arg)]) -> Option<String> {
        let mut fluent = FluentArgs::new();
        for (name, arg) in args {
            fluent.set(name.to_string(), self.value(arg)?);
        }
        for name in OPTIONAL {
            if !args.iter().any(|(n, _)| *n == name) {
                fluent.set(name, FluentValue::from(NONE));
            }
        }
        self.format_args(id, &fluent)
    }

    /// The message in the chosen language, else in English.
    fn format_args(&self, id: &str, args: &FluentArgs<'_>) -> Option<String> {
        let languages = &self.translations.languages;
        let chosen = languages.get(self.index);
        let english = languages.first();
        chosen
            .into_iter()
            .chain(english)
            .find_map(|language| format_in(&language.bundle, id, args))
    }
}

/// `id` in `bundle`, or `None` when the bundle lacks it or it does not format cleanly.
fn format_in(
    bundle: &FluentBundle<FluentResource>,
    id: &str,
    args: &FluentArgs<'_>,
) -> Option<String> {
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = Vec::new();
    let text: Cow<'_, str> = bundle.format_pattern(pattern, Some(args), &mut errors);
    errors.is_empty().then(|| text.into_owned())
}

/// A time as people read it in both languages, in UTC.
fn format_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

#[cfg(test)]
mod tests;
