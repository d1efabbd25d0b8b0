//! The pages: what the router shows ([`Page`], one variant per page, with everything it
//! needs), the [`Pages`] trait that turns a page into HTML, and [`DefaultPages`], its
//! English implementation in maud templates.
//!
//! A host replaces any page by implementing [`Pages`] and handing the rest to
//! [`DefaultPages`]:
//!
//! ```
//! use sspr_axum::pages::{DefaultPages, Page, Pages, Urls};
//!
//! struct MyPages(DefaultPages);
//!
//! impl Pages for MyPages {
//!     fn render(&self, page: &Page<'_>, urls: &Urls) -> String {
//!         match page {
//!             Page::Ending(sspr::Ending::Completed(_)) => {
//!                 "<!doctype html><html lang=\"en\"><title>Done</title><p>Done.</p></html>".into()
//!             }
//!             other => self.0.render(other, urls),
//!         }
//!     }
//! }
//! ```
//!
//! Every page works without JavaScript and uses no inline script or style (the router's
//! Content-Security-Policy forbids both): the look comes from the stylesheet the router
//! serves at [`Urls::stylesheet`]. Each field has a label; a refusal is shown at its field
//! ([`Field::of`]) and tied to it with `aria-describedby`, and listed at the top of the
//! page. The one script, [`Urls::script`], is on the audio challenge's page alone: it
//! lets a person play and pause the clip from the answer box (Ctrl on its own), and the
//! page says so only once the script runs.

use maud::{DOCTYPE, Markup, html};
use sspr::challenge::{ChallengeKind, ImageSize};
use sspr::message::Message;
use sspr::password::{PasswordRefusal, PasswordRules};
use sspr::step::{ChooseMethod, Identify, NewPassword, Verify};
use sspr::{Ending, LockReason, Refusal};
use time::{OffsetDateTime, UtcOffset};

/// The router's URLs, under the base path the host chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Urls {
    base: String,
}

impl Urls {
    /// The URLs under `base` (`""` for the root, or a path such as `/reset`: leading
    /// slash, no trailing one).
    pub fn new(base: &str) -> Self {
        Urls {
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// The base path (`""` at the root).
    pub fn base(&self) -> &str {
        &self.base
    }

    pub(crate) fn path(&self, tail: &str) -> String {
        format!("{}{tail}", self.base)
    }

    /// "Can't access your account?": the first page, which starts a flow.
    pub fn start_page(&self) -> String {
        self.path("/")
    }
    /// The start form's action.
    pub fn start(&self) -> String {
        self.path("/start")
    }
    /// The account-type form of a flow.
    pub fn account(&self) -> String {
        self.path("/account")
    }
    /// The user ID and answer.
    pub fn identify(&self) -> String {
        self.path("/identify")
    }
    /// Switch between picture and audio clip.
    pub fn switch_challenge(&self) -> String {
        self.path("/switch")
    }
    /// Another challenge of the same kind.
    pub fn new_challenge(&self) -> String {
        self.path("/new-challenge")
    }
    /// The current challenge's picture or clip; `version` (the step nonce) only makes
    /// each new challenge a new URL.
    pub fn challenge(&self, version: u64) -> String {
        self.path(&format!("/challenge?v={version}"))
    }
    /// The choice of a contact method.
    pub fn method(&self) -> String {
        self.path("/method")
    }
    /// The code.
    pub fn verify(&self) -> String {
        self.path("/verify")
    }
    /// A new code.
    pub fn resend(&self) -> String {
        self.path("/resend")
    }
    /// Back to the choice of a method.
    pub fn another_method(&self) -> String {
        self.path("/another-method")
    }
    /// The new password.
    pub fn password(&self) -> String {
        self.path("/password")
    }
    /// The page of the flow's current step (after an out-of-date form).
    pub fn continue_flow(&self) -> String {
        self.path("/continue")
    }
    /// The stylesheet.
    pub fn stylesheet(&self) -> String {
        self.path("/sspr.css")
    }
    /// The script of the audio challenge's page (the clip from the keyboard).
    pub fn script(&self) -> String {
        self.path("/sspr.js")
    }
}

/// The hidden fields of every form: the CSRF token and, for a step's form, the step
/// nonce (which tells an out-of-date form from the current one).
#[derive(Debug, Clone, Copy)]
pub struct FormContext<'a> {
    /// The CSRF token (field `csrf`).
    pub csrf: &'a str,
    /// The step nonce (field `nonce`); `None` on the start form.
    pub nonce: Option<u64>,
}

/// A page the router shows.
#[derive(Debug)]
#[non_exhaustive]
pub enum Page<'a> {
    /// "Can't access your account?": work or school, or personal.
    AccountType(AccountTypeView<'a>),
    /// The user ID and the challenge.
    Identify(IdentifyView<'a>),
    /// The choice of a contact method (only when the policy reveals methods).
    ChooseMethod(ChooseMethodView<'a>),
    /// The code.
    Verify(VerifyView<'a>),
    /// The new password.
    NewPassword(NewPasswordView<'a>),
    /// How the flow ended.
    Ending(&'a Ending),
    /// Something other than a step: an out-of-date form, a flow that is gone, a refused
    /// request.
    Problem(Problem),
}

/// The account-type page.
#[derive(Debug)]
pub struct AccountTypeView<'a> {
    /// Its hidden fields.
    pub form: FormContext<'a>,
    /// Where it posts: [`Urls::start`] before a flow, [`Urls::account`] in one.
    pub action: String,
    /// Why the last choice was refused.
    pub refusal: Option<&'a Refusal>,
}

/// The user ID and challenge page.
#[derive(Debug)]
pub struct IdentifyView<'a> {
    /// Its hidden fields.
    pub form: FormContext<'a>,
    /// The step (challenge kind and length, attempts and new challenges left).
    pub step: &'a Identify,
    /// The URL of the picture or clip.
    pub media_url: String,
    /// The picture's size in pixels (the policy's), so that the page does not move when
    /// it arrives.
    pub image_size: ImageSize,
    /// The user ID to fill in again after a refusal (one that parsed as a user ID).
    pub user_id: Option<&'a str>,
    /// Why the last answer was refused.
    pub refusal: Option<&'a Refusal>,
}

/// The choose-a-method page.
#[derive(Debug)]
pub struct ChooseMethodView<'a> {
    /// Its hidden fields.
    pub form: FormContext<'a>,
    /// The step (masked methods, verifications done and needed).
    pub step: &'a ChooseMethod,
    /// Why the last choice was refused.
    pub refusal: Option<&'a Refusal>,
}

/// The code page.
#[derive(Debug)]
pub struct VerifyView<'a> {
    /// Its hidden fields.
    pub form: FormContext<'a>,
    /// The step (where the code went, if shown; deadline, attempts and resends left).
    pub step: &'a Verify,
    /// Digits in a code.
    pub digits: u8,
    /// Why the last code or resend was refused.
    pub refusal: Option<&'a Refusal>,
}

/// The new password page.
#[derive(Debug)]
pub struct NewPasswordView<'a> {
    /// Its hidden fields.
    pub form: FormContext<'a>,
    /// The step (whose password, attempts left).
    pub step: &'a NewPassword,
    /// The rules a new password must pass.
    pub rules: &'a PasswordRules,
    /// Why the last password was refused.
    pub refusal: Option<&'a Refusal>,
}

/// A page that is not a step. None of them shows anything the request held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// The form is of a step the flow has left (Back, then sent again): continue from
    /// the current step. 409.
    OutOfDate,
    /// There is no open reset for this browser (finished, expired, or never started):
    /// start again. 410.
    NoFlow,
    /// The form's CSRF token is missing or wrong. 403.
    Forbidden,
    /// The form is not one of this router's forms. 400.
    BadRequest,
    /// The request body is too large. 413.
    TooLarge,
    /// The request's headers are too large. 431.
    HeadersTooLarge,
    /// Too many requests from this client: wait that many seconds. 429.
    TooManyRequests {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// Too many resets are in progress (the flow store is full). 503.
    Busy,
    /// A part of the service failed; nothing changed. 503.
    Unavailable,
    /// No such page. 404.
    NotFound,
}

impl Problem {
    /// The HTTP status of the page.
    pub fn status(self) -> u16 {
        match self {
            Problem::OutOfDate => 409,
            Problem::NoFlow => 410,
            Problem::Forbidden => 403,
            Problem::BadRequest => 400,
            Problem::TooLarge => 413,
            Problem::HeadersTooLarge => 431,
            Problem::TooManyRequests { .. } => 429,
            Problem::Busy | Problem::Unavailable => 503,
            Problem::NotFound => 404,
        }
    }
}

/// Where a refusal is shown: at a field, or above the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Field {
    /// The user ID (`user_id`).
    UserId,
    /// The challenge answer (`answer`).
    Answer,
    /// The contact method (`method`).
    Method,
    /// The code (`code`).
    Code,
    /// The new password (`new_password`).
    NewPassword,
    /// The password typed again (`confirm`).
    Confirm,
    /// The form as a whole.
    Form,
}

impl Field {
    /// The field a refusal belongs to.
    pub fn of(refusal: &Refusal) -> Field {
        match refusal {
            Refusal::UserId(_) => Field::UserId,
            Refusal::AnswerInput(_) | Refusal::WrongAnswer { .. } | Refusal::ChallengeExpired => {
                Field::Answer
            }
            Refusal::UnknownMethod => Field::Method,
            Refusal::CodeFormat { .. } | Refusal::WrongCode { .. } | Refusal::CodeExpired => {
                Field::Code
            }
            Refusal::Password(PasswordRefusal::Mismatch) => Field::Confirm,
            Refusal::Password(_) => Field::NewPassword,
            _ => Field::Form,
        }
    }

    /// The field's name in the form (`"form"` for the form as a whole); its error
    /// message has the id `<name>-error`.
    pub fn name(self) -> &'static str {
        match self {
            Field::Method => "method",
            Field::Form => "form",
            other => other.id(),
        }
    }

    /// The HTML id of the field's input, the target of the error summary's link (the
    /// first choice for a choice; `""` for the form).
    pub fn id(self) -> &'static str {
        match self {
            Field::UserId => "user_id",
            Field::Answer => "answer",
            Field::Method => "method-0",
            Field::Code => "code",
            Field::NewPassword => "new_password",
            Field::Confirm => "confirm",
            Field::Form => "",
        }
    }
}

/// Turns a [`Page`] into a complete HTML document. The router sets the status, the
/// headers (CSP included) and the cookies; the page only has to work within them: no
/// inline script or style, resources from the router's own URLs.
pub trait Pages: Send + Sync + 'static {
    /// The HTML of `page`.
    fn render(&self, page: &Page<'_>, urls: &Urls) -> String;
}

/// The crate's pages, in English.
#[derive(Debug, Clone, Default)]
pub struct DefaultPages {
    sign_in_url: Option<String>,
    personal_recovery_url: Option<String>,
}

impl DefaultPages {
    /// The default pages, without links out of the wizard.
    pub fn new() -> Self {
        Self::default()
    }

    /// Where "sign in with your new password" (and "back to sign-in") lead.
    pub fn sign_in_url(mut self, url: impl Into<String>) -> Self {
        self.sign_in_url = Some(url.into());
        self
    }

    /// Where a personal account is sent to recover it (the host's consumer recovery).
    pub fn personal_recovery_url(mut self, url: impl Into<String>) -> Self {
        self.personal_recovery_url = Some(url.into());
        self
    }
}

impl Pages for DefaultPages {
    fn render(&self, page: &Page<'_>, urls: &Urls) -> String {
        let (title, error, body) = match page {
            Page::AccountType(view) => (
                "Can't access your account?",
                view.refusal.is_some(),
                account_type(view),
            ),
            Page::Identify(view) => ("Who are you?", view.refusal.is_some(), identify(view, urls)),
            Page::ChooseMethod(view) => (
                "Choose how to get a code",
                view.refusal.is_some(),
                choose_method(view, urls),
            ),
            Page::Verify(view) => ("Enter the code", view.refusal.is_some(), verify(view, urls)),
            Page::NewPassword(view) => (
                "Choose a new password",
                view.refusal.is_some(),
                new_password(view, urls),
            ),
            Page::Ending(ending) => (ending_title(ending), false, self.ending(ending, urls)),
            Page::Problem(problem) => {
                (problem_title(*problem), false, self.problem(*problem, urls))
            }
        };
        let title = if error {
            format!("Error: {title}")
        } else {
            title.to_owned()
        };
        layout(urls, &title, body).into_string()
    }
}

/// The frame of every default page: `<html lang="en">`, the title, the stylesheet, a
/// header and the page's `<main>`. Public for hosts that add pages of their own (a
/// sign-in page, a demo mailbox) in the same style.
pub fn layout(urls: &Urls, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) " – Password reset" }
                link rel="stylesheet" href=(urls.stylesheet());
            }
            body {
                header class="site" {
                    p class="brand" { "Password reset" }
                }
                main id="main" {
                    (body)
                }
            }
        }
    }
}

/// The hidden fields of a form.
pub fn hidden_fields(form: &FormContext<'_>) -> Markup {
    html! {
        input type="hidden" name="csrf" value=(form.csrf);
        @if let Some(nonce) = form.nonce {
            input type="hidden" name="nonce" value=(nonce);
        }
    }
}

/// A message as a sentence: capital first letter, full stop.
pub fn sentence(message: &dyn Message) -> String {
    let text = message.to_string();
    let mut chars = text.chars();
    let mut out = String::with_capacity(text.len() + 1);
    if let Some(first) = chars.next() {
        out.extend(first.to_uppercase());
        out.push_str(chars.as_str());
    }
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// A time as `2026-01-01 14:05 UTC`.
pub fn when(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    format!("{} {:02}:{:02} UTC", at.date(), at.hour(), at.minute())
}

/// [`when`] in a `<time>` element, which the stylesheet keeps on one line (a date broken
/// at its hyphens is hard to read).
fn time_of(at: OffsetDateTime) -> Markup {
    let utc = at.to_offset(UtcOffset::UTC);
    let machine = format!("{}T{:02}:{:02}Z", utc.date(), utc.hour(), utc.minute());
    html! { time datetime=(machine) { (when(at)) } }
}

/// The list of problems at the top of a page whose form was refused, each linking to its
/// field.
fn error_summary(refusal: Option<&Refusal>) -> Markup {
    html! {
        @if let Some(refusal) = refusal {
            div class="error-summary" role="alert" aria-labelledby="error-summary-title" {
                h2 id="error-summary-title" { "There is a problem" }
                ul {
                    li {
                        @let field = Field::of(refusal);
                        @if field == Field::Form {
                            (sentence(refusal))
                        } @else {
                            a href={ "#" (field.id()) } { (sentence(refusal)) }
                        }
                    }
                }
            }
        }
    }
}

/// The refusal of `field`, if the refusal is at it: the message element and its id.
fn field_error(refusal: Option<&Refusal>, field: Field) -> Option<(String, String)> {
    let refusal = refusal.filter(|r| Field::of(r) == field)?;
    Some((format!("{}-error", field.name()), sentence(refusal)))
}

/// `aria-describedby` of an input: its hint and its error, as far as they exist.
fn described_by(hint: Option<&str>, error: Option<&(String, String)>) -> Option<String> {
    let mut ids = String::new();
    for id in hint.into_iter().chain(error.map(|(id, _)| id.as_str())) {
        if !ids.is_empty() {
            ids.push(' ');
        }
        ids.push_str(id);
    }
    (!ids.is_empty()).then_some(ids)
}

fn error_message(error: Option<&(String, String)>) -> Markup {
    html! {
        @if let Some((id, text)) = error {
            p class="error-message" id=(id) {
                span class="visually-hidden" { "Error: " }
                (text)
            }
        }
    }
}

fn account_type(view: &AccountTypeView<'_>) -> Markup {
    html! {
        h1 { "Can't access your account?" }
        (error_summary(view.refusal))
        form method="post" action=(view.action) {
            (hidden_fields(&view.form))
            fieldset {
                legend { "Which kind of account do you need help with?" }
                div class="choice" {
                    input type="radio" name="account" id="account-work" value="work"
                        required checked;
                    label for="account-work" {
                        "Work or school account"
                        span class="choice-hint" { "An account your organisation gave you" }
                    }
                }
                div class="choice" {
                    input type="radio" name="account" id="account-personal" value="personal";
                    label for="account-personal" {
                        "Personal account"
                        span class="choice-hint" { "An account you created yourself" }
                    }
                }
            }
            div class="actions" {
                button type="submit" class="primary" { "Next" }
            }
        }
    }
}

fn identify(view: &IdentifyView<'_>, urls: &Urls) -> Markup {
    let challenge = view.step.challenge();
    let kind = challenge.kind();
    let length = challenge.len();
    let user_error = field_error(view.refusal, Field::UserId);
    let answer_error = field_error(view.refusal, Field::Answer);
    let (what, answer_label, answer_hint, switch_label, new_label) = match kind {
        ChallengeKind::Image => (
            "characters of the picture",
            "Characters in the picture",
            format!("Type the {length} letters and digits you see; capitals or not, either works."),
            "Listen to an audio clip instead",
            "Show another picture",
        ),
        ChallengeKind::Audio => (
            "digits of the audio clip",
            "Digits in the audio clip",
            format!("Type the {length} digits you hear."),
            "Show a picture instead",
            "Play another clip",
        ),
    };
    html! {
        h1 { "Who are you?" }
        p { "To reset your password, type your user ID and the " (what) "." }
        (error_summary(view.refusal))
        form method="post" action=(urls.identify()) {
            (hidden_fields(&view.form))
            div class={ "field" @if user_error.is_some() { " field-error" } } {
                label for="user_id" { "User ID" }
                p class="hint" id="user_id-hint" { "For example name@organisation.example" }
                (error_message(user_error.as_ref()))
                input type="text" id="user_id" name="user_id" autocomplete="username"
                    spellcheck="false" autocapitalize="none" required
                    value=[view.user_id]
                    aria-describedby=[described_by(Some("user_id-hint"), user_error.as_ref())]
                    aria-invalid=[user_error.as_ref().map(|_| "true")];
            }
            div class="challenge" {
                @match kind {
                    ChallengeKind::Image => {
                        img class="challenge-picture" src=(view.media_url)
                            width=(view.image_size.width()) height=(view.image_size.height())
                            alt={ "A picture of " (length) " characters. Type them in the box \
                                   below. If you cannot make them out, choose “Listen to an \
                                   audio clip instead” or “Show another picture”." };
                    }
                    ChallengeKind::Audio => {
                        p id="audio-help" {
                            "Play the clip and type the " (length) " digits you hear. \
                             The clip has other voices behind the digits: listen for the \
                             numbers."
                        }
                        audio class="challenge-audio" controls preload="none"
                            src=(view.media_url) aria-describedby="audio-help" {
                            a href=(view.media_url) { "Download the audio clip" }
                        }
                        p { a href=(view.media_url) download="challenge.wav" {
                            "Download the audio clip (WAV)"
                        } }
                        // Shown by the script, which makes it true.
                        p class="hint" id="audio-keys" hidden {
                            "In the box below, press Ctrl on its own to play or pause the \
                             clip."
                        }
                    }
                }
            }
            div class={ "field" @if answer_error.is_some() { " field-error" } } {
                label for="answer" { (answer_label) }
                p class="hint" id="answer-hint" { (answer_hint) }
                (error_message(answer_error.as_ref()))
                input type="text" id="answer" name="answer" autocomplete="off"
                    spellcheck="false" autocapitalize="characters" required
                    inputmode=[matches!(kind, ChallengeKind::Audio).then_some("numeric")]
                    aria-describedby=[described_by(Some("answer-hint"), answer_error.as_ref())]
                    aria-invalid=[answer_error.as_ref().map(|_| "true")];
            }
            div class="actions" {
                button type="submit" class="primary" { "Next" }
            }
            @if view.step.renewals_left() > 0 {
                div class="secondary-actions" {
                    button type="submit" class="secondary" formaction=(urls.switch_challenge())
                        formnovalidate { (switch_label) }
                    button type="submit" class="secondary" formaction=(urls.new_challenge())
                        formnovalidate { (new_label) }
                }
            }
        }
        @if kind == ChallengeKind::Audio {
            script src=(urls.script()) defer {}
        }
    }
}

fn choose_method(view: &ChooseMethodView<'_>, urls: &Urls) -> Markup {
    let step = view.step;
    let error = field_error(view.refusal, Field::Method);
    html! {
        h1 { "Choose how to get a code" }
        @if step.required() > 1 {
            p { "This account needs " (step.required()) " verifications. This is number "
                (step.verified() + 1) " of " (step.required()) "." }
        }
        (error_summary(view.refusal))
        form method="post" action=(urls.method()) {
            (hidden_fields(&view.form))
            fieldset aria-describedby=[error.as_ref().map(|(id, _)| id.clone())] {
                legend { "Where should we send a code?" }
                (error_message(error.as_ref()))
                @for method in step.methods() {
                    div class="choice" {
                        input type="radio" name="method" id={ "method-" (method.index) }
                            value=(method.index) required disabled[method.used];
                        label for={ "method-" (method.index) } {
                            (method.contact)
                            @if method.used { span class="choice-hint" { "Already verified" } }
                        }
                    }
                }
            }
            div class="actions" {
                button type="submit" class="primary" { "Send code" }
            }
        }
    }
}

fn verify(view: &VerifyView<'_>, urls: &Urls) -> Markup {
    let step = view.step;
    let error = field_error(view.refusal, Field::Code);
    let digits = view.digits;
    html! {
        h1 { "Enter the code" }
        @match step.sent_to() {
            Some(to) => { p { "We sent a code by " (to) "." } }
            None => {
                p { "If this account can reset its password, we sent a code to the first \
                     contact method registered for it. It can take a minute to arrive." }
            }
        }
        p { "The code works until " (time_of(step.code_deadline())) "." }
        (error_summary(view.refusal))
        form method="post" action=(urls.verify()) {
            (hidden_fields(&view.form))
            div class={ "field" @if error.is_some() { " field-error" } } {
                label for="code" { "Code" }
                p class="hint" id="code-hint" { (digits) " digits" }
                (error_message(error.as_ref()))
                input type="text" id="code" name="code" inputmode="numeric"
                    autocomplete="one-time-code" spellcheck="false" required
                    aria-describedby=[described_by(Some("code-hint"), error.as_ref())]
                    aria-invalid=[error.as_ref().map(|_| "true")];
            }
            div class="actions" {
                button type="submit" class="primary" { "Verify" }
            }
            div class="secondary-actions" {
                @if step.resends_left() > 0 {
                    button type="submit" class="secondary" formaction=(urls.resend())
                        formnovalidate { "Send a new code" }
                }
                @if step.sent_to().is_some() {
                    button type="submit" class="secondary" formaction=(urls.another_method())
                        formnovalidate { "Use another contact method" }
                }
            }
        }
    }
}

fn new_password(view: &NewPasswordView<'_>, urls: &Urls) -> Markup {
    let new_error = field_error(view.refusal, Field::NewPassword);
    let confirm_error = field_error(view.refusal, Field::Confirm);
    let min = view.rules.min_chars();
    html! {
        h1 { "Choose a new password" }
        p { "For " strong { (view.step.user()) } "." }
        (error_summary(view.refusal))
        form method="post" action=(urls.password()) {
            (hidden_fields(&view.form))
            div class={ "field" @if new_error.is_some() { " field-error" } } {
                label for="new_password" { "New password" }
                p class="hint" id="new_password-hint" {
                    "At least " (min) " characters. A few uncommon words work well; \
                     do not use your user ID or a password you use elsewhere."
                }
                (error_message(new_error.as_ref()))
                input type="password" id="new_password" name="new_password"
                    autocomplete="new-password" required
                    aria-describedby=[described_by(Some("new_password-hint"), new_error.as_ref())]
                    aria-invalid=[new_error.as_ref().map(|_| "true")];
            }
            div class={ "field" @if confirm_error.is_some() { " field-error" } } {
                label for="confirm" { "Type the new password again" }
                (error_message(confirm_error.as_ref()))
                input type="password" id="confirm" name="confirm"
                    autocomplete="new-password" required
                    aria-describedby=[described_by(None, confirm_error.as_ref())]
                    aria-invalid=[confirm_error.as_ref().map(|_| "true")];
            }
            div class="actions" {
                button type="submit" class="primary" { "Change password" }
            }
        }
    }
}

fn ending_title(ending: &Ending) -> &'static str {
    match ending {
        Ending::Completed(_) => "Your password was changed",
        Ending::AskAdmin(_) => "Ask your admin to reset your password",
        Ending::Locked(_) => "Password reset locked",
        Ending::Expired(_) => "This password reset expired",
        Ending::PersonalAccount(_) => "This is a personal account",
    }
}

impl DefaultPages {
    fn ending(&self, ending: &Ending, urls: &Urls) -> Markup {
        let start_again = html! {
            p { a class="button-link" href=(urls.start_page()) { "Start again" } }
        };
        html! {
            h1 { (ending_title(ending)) }
            @match ending {
                Ending::Completed(done) => {
                    div class="panel" {
                        p { "The password of " strong { (done.user) } " was changed at "
                            (time_of(done.at)) "." }
                    }
                    @if !done.methods_used.is_empty() {
                        p { "You proved it was you with: "
                            @for (i, method) in done.methods_used.iter().enumerate() {
                                @if i > 0 { " and " }
                                (method)
                            }
                            "." }
                    }
                    p { "We sent a message to your contact methods to tell you. Use the new \
                         password everywhere you sign in." }
                    @if let Some(url) = &self.sign_in_url {
                        p { a class="button-link" href=(url) { "Sign in with your new password" } }
                    }
                }
                Ending::AskAdmin(_) => {
                    p { "You can't reset this password yourself: self-service password \
                         reset is not available for this account." }
                    h2 { "What to ask your admin" }
                    p { "Ask your organisation's admin or help desk to reset your password. \
                         Tell them:" }
                    ul {
                        li { "your user ID;" }
                        li { "that self-service password reset did not let you reset it." }
                    }
                    p { "They can give you a temporary password, which you change the next \
                         time you sign in. Your admin can also turn on self-service reset \
                         for your account." }
                    @if let Some(url) = &self.sign_in_url {
                        p { a href=(url) { "Back to sign-in" } }
                    }
                }
                Ending::Locked(locked) => {
                    p { (lock_reason(locked.reason)) }
                    @match locked.until {
                        Some(until) => {
                            p { "For your security, this account can't reset its password \
                                 until " (time_of(until)) ". Try again then, or ask your admin \
                                 to reset it." }
                        }
                        None => {
                            p { "You can start again with a new password reset." }
                            (start_again)
                        }
                    }
                }
                Ending::Expired(_) => {
                    p { "A password reset must be finished within a few minutes, and this \
                         one took longer. Nothing was changed." }
                    (start_again)
                }
                Ending::PersonalAccount(_) => {
                    p { "This page resets the passwords of work and school accounts only. \
                         A personal account is recovered by its own provider." }
                    @match &self.personal_recovery_url {
                        Some(url) => {
                            p { a class="button-link" href=(url) {
                                "Recover your personal account"
                            } }
                        }
                        None => {
                            p { "Go to the sign-in page of the service where you created \
                                 the account and use its “forgot password” link." }
                        }
                    }
                    p { a href=(urls.start_page()) { "It's a work or school account after all" } }
                }
            }
        }
    }

    fn problem(&self, problem: Problem, urls: &Urls) -> Markup {
        let start_again = html! {
            p { a class="button-link" href=(urls.start_page()) { "Start again" } }
        };
        html! {
            h1 { (problem_title(problem)) }
            @match problem {
                Problem::OutOfDate => {
                    p { "You went back, or sent this page twice, and the reset has moved on \
                         since. Nothing was sent again. Your password reset is still open." }
                    p { a class="button-link" href=(urls.continue_flow()) {
                        "Continue where you are"
                    } }
                }
                Problem::NoFlow => {
                    p { "It was finished, it expired, or it was started in another window. \
                         Nothing was changed." }
                    (start_again)
                }
                Problem::Forbidden => {
                    p { "This form did not come from this page, or it is from an earlier \
                         visit. Nothing was changed." }
                    p { a class="button-link" href=(urls.continue_flow()) {
                        "Continue your password reset"
                    } }
                    p { a href=(urls.start_page()) { "Start again" } }
                }
                Problem::BadRequest => {
                    p { "The form was not one of this service's forms. Nothing was changed." }
                    p { a class="button-link" href=(urls.continue_flow()) {
                        "Continue your password reset"
                    } }
                }
                Problem::TooLarge => {
                    p { "What was sent is far longer than anything this service needs. \
                         Nothing was changed." }
                    p { a class="button-link" href=(urls.continue_flow()) {
                        "Continue your password reset"
                    } }
                }
                Problem::HeadersTooLarge => {
                    p { "The request carried more than this service accepts (too many or \
                         too large cookies, for instance)." }
                    (start_again)
                }
                Problem::TooManyRequests { retry_after } => {
                    p { "There were too many attempts from your network. Wait "
                        (seconds(retry_after)) " and try again." }
                }
                Problem::Busy => {
                    p { "Too many password resets are in progress. Try again in a few minutes." }
                }
                Problem::Unavailable => {
                    p { "Something behind this service did not answer. Nothing was changed: \
                         try again in a minute." }
                    p { a class="button-link" href=(urls.continue_flow()) {
                        "Try again"
                    } }
                }
                Problem::NotFound => {
                    p { "There is no page at this address." }
                    (start_again)
                }
            }
        }
    }
}

fn seconds(n: u64) -> String {
    match n {
        0 | 1 => "a second".to_owned(),
        n if n < 120 => format!("{n} seconds"),
        n => format!("{} minutes", n.div_ceil(60)),
    }
}

fn problem_title(problem: Problem) -> &'static str {
    match problem {
        Problem::OutOfDate => "This page is out of date",
        Problem::NoFlow => "This password reset is no longer open",
        Problem::Forbidden => "This form could not be accepted",
        Problem::BadRequest => "This form could not be read",
        Problem::TooLarge => "Too much was sent",
        Problem::HeadersTooLarge => "The request is too large",
        Problem::TooManyRequests { .. } => "Too many attempts",
        Problem::Busy => "The service is busy",
        Problem::Unavailable => "The service is unavailable",
        Problem::NotFound => "Page not found",
    }
}

fn lock_reason(reason: LockReason) -> &'static str {
    match reason {
        LockReason::ChallengeAttempts => "There were too many wrong answers to the challenge.",
        LockReason::CodeAttempts => "There were too many wrong codes.",
        LockReason::UserBlocked => {
            "There were too many codes, or too many wrong codes, for this account."
        }
        LockReason::PasswordAttempts => "Too many new passwords were refused.",
        _ => "There were too many attempts.",
    }
}

/// The stylesheet of the default pages (served by the router at [`Urls::stylesheet`]).
pub const STYLESHEET: &str = include_str!("../assets/sspr.css");

/// The script of the audio challenge's page (served by the router at [`Urls::script`]):
/// in the answer box, Ctrl on its own plays or pauses the clip.
pub const SCRIPT: &str = include_str!("../assets/sspr.js");
