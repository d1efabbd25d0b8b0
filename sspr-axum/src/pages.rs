//! The pages: what the router shows ([`Page`], one variant per page, with everything it
//! needs), the [`Pages`] trait that turns a page into HTML, and [`DefaultPages`], its
//! implementation in maud templates, in every language of the router's texts (English
//! and Dutch built in: `src/locale/en.ftl` and `nl.ftl` of this crate, over `sspr`'s own
//! messages).
//!
//! A host replaces any page by implementing [`Pages`] and handing the rest to
//! [`DefaultPages`]; its texts come from the same Fluent bundles ([`PageContext::t`]), to
//! which the host adds its own with [`Web::translations`](crate::Web::translations):
//!
//! ```
//! use maud::html;
//! use sspr_axum::pages::{layout, DefaultPages, Page, PageContext, Pages};
//!
//! struct MyPages(DefaultPages);
//!
//! impl Pages for MyPages {
//!     fn render(&self, page: &Page<'_>, cx: &PageContext<'_>) -> String {
//!         match page {
//!             Page::Ending(sspr::Ending::Completed(_)) => {
//!                 let title = cx.t("page-completed-title");
//!                 layout(cx, &title, html! { h1 { (title) } }).into_string()
//!             }
//!             other => self.0.render(other, cx),
//!         }
//!     }
//! }
//! ```
//!
//! Every page carries a language switch (a link per language, to [`Urls::language`]) and
//! `<html lang>` of the language it is in.
//!
//! Every page works without JavaScript and uses no inline script or style (the router's
//! Content-Security-Policy forbids both): the look comes from the stylesheet the router
//! serves at [`Urls::stylesheet`]. Each field has a label; a refusal is shown at its field
//! ([`Field::of`]) and tied to it with `aria-describedby`, and listed at the top of the
//! page. The one script, [`Urls::script`], is on the audio challenge's page alone: it
//! lets a person play and pause the clip from the answer box (Ctrl on its own), and the
//! page says so only once the script runs.

use maud::{DOCTYPE, Markup, html};
use sspr::admin::ForcedChangeRefusal;
use sspr::admin_request::ContactRefusal;
use sspr::challenge::{ChallengeKind, ImageSize};
use sspr::grant::LinkRefusal;
use sspr::host::MaskedContact;
use sspr::locale::{Localizer, TextArg, Translations};
use sspr::message::{Arg, Message};
use sspr::password::{PasswordRefusal, PasswordRules};
use sspr::registration::{CodeFor, RegistrationRefusal};
use sspr::step::{ChooseMethod, Identify, NewPassword, Verify};
use sspr::support::{SupportField, SupportRequestError, TicketReference};
use sspr::{Ending, Refusal};
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
    /// The request for a new global admin (when the host gave a support desk).
    pub fn support(&self) -> String {
        self.path("/support")
    }
    /// "Change your password" after an admin's reset (the temporary password).
    pub fn forced_change(&self) -> String {
        self.path("/change")
    }
    /// "Contact your administrator".
    pub fn contact_admins(&self) -> String {
        self.path("/contact-admins")
    }
    /// The form that begins a registration of contact methods.
    pub fn register(&self) -> String {
        self.path("/register")
    }
    /// Where the registration's codes are posted.
    pub fn register_confirm(&self) -> String {
        self.path("/register/confirm")
    }
    /// The page of a reset link (the link itself is this with `?token=…`).
    pub fn reset_link(&self) -> String {
        self.path("/link")
    }
    /// Switches the pages to the language `tag` and shows the current step again.
    pub fn language(&self, tag: &str) -> String {
        self.path(&format!("/language?to={tag}"))
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
    /// The request for a new global admin (when the organisation's has left).
    Support(SupportView<'a>),
    /// The request was filed: its ticket's reference.
    SupportFiled(SupportFiledView<'a>),
    /// A reset link an admin issued: the user ID and the new password.
    ResetLink(ResetLinkView<'a>),
    /// "Contact your administrator": the user ID.
    ContactAdmins(ContactAdminsView<'a>),
    /// The admins were asked (if the account exists: the page does not tell).
    ContactAdminsSent,
    /// "Change your password": replacing an admin's temporary password.
    ForcedChange(ForcedChangeView<'a>),
    /// The registration of contact methods: user ID, password, and what to do.
    Register(RegisterView<'a>),
    /// The registration's codes.
    RegisterCodes(RegisterCodesView<'a>),
    /// The methods, registered.
    Registered(RegisteredView<'a>),
}

/// The form that begins a registration.
#[derive(Clone, Copy)]
pub struct RegisterView<'a> {
    /// Its hidden fields (CSRF; no step nonce).
    pub form: FormContext<'a>,
    /// The user ID to fill in again after a refusal (one that parsed).
    pub user_id: Option<&'a str>,
    /// The address as typed (after a refusal).
    pub address: &'a str,
    /// The kind chosen (`email`, `sms`, `voice`; after a refusal).
    pub kind: &'a str,
    /// What was chosen: `add` or `confirm` (after a refusal).
    pub action: &'a str,
    /// Why the last try was refused.
    pub refusal: Option<&'a RegistrationRefusal>,
}

/// `Debug` without the user ID and the address (personal data).
impl std::fmt::Debug for RegisterView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisterView")
            .field("kind", &self.kind)
            .field("action", &self.action)
            .field("refusal", &self.refusal)
            .finish_non_exhaustive()
    }
}

/// A registration's code: of a method the account has (the first round), or of the new
/// method (the second).
#[derive(Clone)]
pub struct RegisterCodesView<'a> {
    /// Its hidden fields (CSRF; no step nonce).
    pub form: FormContext<'a>,
    /// The pending registration, sealed (a hidden field).
    pub pending: &'a str,
    /// Whose code it waits for, masked.
    pub code_for: CodeFor,
    /// Whether the round before just proved the holder.
    pub proved: bool,
    /// Digits per code.
    pub digits: u8,
    /// When the codes stop working.
    pub deadline: OffsetDateTime,
    /// Why the last try was refused.
    pub refusal: Option<&'a RegistrationRefusal>,
}

/// `Debug` without the sealed registration.
impl std::fmt::Debug for RegisterCodesView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisterCodesView")
            .field("code_for", &self.code_for)
            .field("proved", &self.proved)
            .field("refusal", &self.refusal)
            .finish_non_exhaustive()
    }
}

/// The methods after a registration.
#[derive(Debug, Clone, Copy)]
pub struct RegisteredView<'a> {
    /// The account's methods, masked.
    pub methods: &'a [MaskedContact],
    /// When they were confirmed.
    pub confirmed: OffsetDateTime,
}

/// The form that replaces a temporary password.
#[derive(Debug, Clone, Copy)]
pub struct ForcedChangeView<'a> {
    /// Its hidden fields (CSRF; no step nonce).
    pub form: FormContext<'a>,
    /// The user ID to fill in again after a refusal (one that parsed).
    pub user_id: Option<&'a str>,
    /// Why the last try was refused.
    pub refusal: Option<&'a ForcedChangeRefusal>,
}

/// The "contact your administrator" form.
#[derive(Debug, Clone, Copy)]
pub struct ContactAdminsView<'a> {
    /// Its hidden fields (CSRF; no step nonce).
    pub form: FormContext<'a>,
    /// The user ID to fill in again after a refusal (one that parsed).
    pub user_id: Option<&'a str>,
    /// Why the last request was refused.
    pub refusal: Option<&'a ContactRefusal>,
}

/// The reset link's page: the user ID and the new password twice; the token rides in a
/// hidden field.
#[derive(Clone, Copy)]
pub struct ResetLinkView<'a> {
    /// Its hidden fields (CSRF; no step nonce).
    pub form: FormContext<'a>,
    /// The link's token, as the link carried it.
    pub token: &'a str,
    /// The user ID to fill in again after a refusal (one that parsed).
    pub user_id: Option<&'a str>,
    /// Why the last try was refused.
    pub refusal: Option<&'a LinkRefusal>,
}

/// `Debug` without the token.
impl std::fmt::Debug for ResetLinkView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResetLinkView")
            .field("refusal", &self.refusal)
            .finish_non_exhaustive()
    }
}

/// The support request form, with what was typed (after a refusal).
#[derive(Clone, Copy)]
pub struct SupportView<'a> {
    /// Its hidden fields.
    pub form: FormContext<'a>,
    /// The requester's name as typed.
    pub name: &'a str,
    /// The email address as typed.
    pub email: &'a str,
    /// The phone number as typed.
    pub phone: &'a str,
    /// The company name as typed.
    pub company: &'a str,
    /// The organisation's domain as typed.
    pub organisation: &'a str,
    /// The explanation as typed.
    pub explanation: &'a str,
    /// Why the last request was refused.
    pub refusal: Option<&'a SupportRequestError>,
}

/// `Debug` without the requester's personal data.
impl std::fmt::Debug for SupportView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SupportView")
            .field("refusal", &self.refusal)
            .finish_non_exhaustive()
    }
}

/// The page after a support request was filed.
#[derive(Debug, Clone, Copy)]
pub struct SupportFiledView<'a> {
    /// The ticket's reference, to give support when they call.
    pub ticket: &'a TicketReference,
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
    /// A contact method's address (`address`).
    Address,
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
            Field::Address => "address",
            Field::Form => "",
        }
    }
}

/// Everything a page is rendered with besides the page itself: the router's URLs, the
/// person's language, and the languages the person can switch to.
#[derive(Debug, Clone, Copy)]
pub struct PageContext<'a> {
    /// The router's URLs.
    pub urls: &'a Urls,
    /// The texts in the person's language (the crate's messages and the pages' own
    /// words: `sspr-axum/src/locale/*.ftl`, with the host's additions).
    pub text: Localizer<'a>,
    /// Every language the router serves, for the language switch.
    pub languages: &'a [LanguageChoice],
    /// Whether the router takes requests for a new global admin ([`Urls::support`]).
    pub support: bool,
}

/// A language of the language switch: its tag and its name in itself ("Nederlands").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageChoice {
    /// The language tag (`nl`).
    pub tag: String,
    /// The language's name in that language (`language-name` of its texts).
    pub name: String,
}

impl PageContext<'_> {
    /// The text `id` in the person's language (English when the language lacks it; the
    /// identifier itself when no language has it, which a test rules out).
    pub fn t(&self, id: &str) -> String {
        self.t_with(id, &[])
    }

    /// The text `id` with arguments.
    pub fn t_with(&self, id: &str, args: &[(&str, TextArg<'_>)]) -> String {
        self.text.text(id, args).unwrap_or_else(|| id.to_owned())
    }

    /// A crate message in the person's language, as a sentence (capital, full stop).
    pub fn sentence(&self, message: &dyn Message) -> String {
        as_sentence(&self.text.message(message))
    }

    /// The language of the page (`<html lang>`).
    pub fn language(&self) -> String {
        self.text.language()
    }
}

/// A number as a text argument.
fn n(value: impl TryInto<i64>) -> TextArg<'static> {
    TextArg::Arg(Arg::Number(value.try_into().unwrap_or(i64::MAX)))
}

/// Turns a [`Page`] into a complete HTML document. The router sets the status, the
/// headers (CSP included) and the cookies; the page only has to work within them: no
/// inline script or style, resources from the router's own URLs.
pub trait Pages: Send + Sync + 'static {
    /// The HTML of `page`, in the language of `cx`.
    fn render(&self, page: &Page<'_>, cx: &PageContext<'_>) -> String;
}

/// The crate's pages, in every language of the router's texts (English and Dutch built
/// in).
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
    fn render(&self, page: &Page<'_>, cx: &PageContext<'_>) -> String {
        let (title, error, body) = match page {
            Page::AccountType(view) => (
                cx.t("page-account-title"),
                view.refusal.is_some(),
                account_type(view, cx),
            ),
            Page::Identify(view) => (
                cx.t("page-identify-title"),
                view.refusal.is_some(),
                identify(view, cx),
            ),
            Page::ChooseMethod(view) => (
                cx.t("page-method-title"),
                view.refusal.is_some(),
                choose_method(view, cx),
            ),
            Page::Verify(view) => (
                cx.t("page-verify-title"),
                view.refusal.is_some(),
                verify(view, cx),
            ),
            Page::NewPassword(view) => (
                cx.t("page-password-title"),
                view.refusal.is_some(),
                new_password(view, cx),
            ),
            Page::Ending(ending) => (ending_title(ending, cx), false, self.ending(ending, cx)),
            Page::Problem(problem) => (
                problem_title(*problem, cx),
                false,
                self.problem(*problem, cx),
            ),
            Page::Support(view) => (
                cx.t("page-support-title"),
                view.refusal.is_some(),
                support(view, cx),
            ),
            Page::SupportFiled(view) => (
                cx.t("page-support-filed-title"),
                false,
                support_filed(view, cx),
            ),
            Page::ResetLink(view) => (
                cx.t("page-link-title"),
                view.refusal.is_some(),
                reset_link(view, cx),
            ),
            Page::ContactAdmins(view) => (
                cx.t("page-contact-title"),
                view.refusal.is_some(),
                contact_admins(view, cx),
            ),
            Page::ForcedChange(view) => (
                cx.t("page-change-title"),
                view.refusal.is_some(),
                forced_change(view, cx),
            ),
            Page::ContactAdminsSent => (
                cx.t("page-contact-sent-title"),
                false,
                contact_admins_sent(cx),
            ),
            Page::Register(view) => (
                cx.t("page-register-title"),
                view.refusal.is_some(),
                register(view, cx),
            ),
            Page::RegisterCodes(view) => (
                cx.t("page-register-codes-title"),
                view.refusal.is_some(),
                register_codes(view, cx),
            ),
            Page::Registered(view) => (cx.t("page-registered-title"), false, registered(view, cx)),
        };
        let title = if error {
            cx.t_with("page-title-error", &[("title", title.as_str().into())])
        } else {
            title
        };
        layout(cx, &title, body).into_string()
    }
}

/// The frame of every default page: `<html lang>`, the title, the stylesheet, a header
/// with the language switch, and the page's `<main>`. Public for hosts that add pages of
/// their own (a sign-in page, a demo mailbox) in the same style.
pub fn layout(cx: &PageContext<'_>, title: &str, body: Markup) -> Markup {
    let language = cx.language();
    html! {
        (DOCTYPE)
        html lang=(language) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (cx.t_with("page-title", &[("title", title.into())])) }
                link rel="stylesheet" href=(cx.urls.stylesheet());
            }
            body {
                header class="site" {
                    p class="brand" { (cx.t("page-site")) }
                    @if cx.languages.len() > 1 {
                        nav class="languages" aria-label=(cx.t("page-language-switch")) {
                            ul {
                                @for choice in cx.languages {
                                    li {
                                        @if choice.tag == language {
                                            span lang=(choice.tag) aria-current="true" {
                                                (choice.name)
                                            }
                                        } @else {
                                            a href=(cx.urls.language(&choice.tag))
                                                lang=(choice.tag) hreflang=(choice.tag) {
                                                (choice.name)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
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

/// `text` with its first letter in capitals ("text message" → "Text message").
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A message's text as a sentence: capital first letter, full stop.
pub fn as_sentence(text: &str) -> String {
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

/// A time as a text argument (`2026-01-01 14:05 UTC` in both built-in languages).
fn time_arg(at: OffsetDateTime) -> TextArg<'static> {
    TextArg::Arg(Arg::Time(at))
}

/// The list of problems at the top of a page whose form was refused, each linking to its
/// field.
fn error_summary(refusal: Option<&Refusal>, cx: &PageContext<'_>) -> Markup {
    summary(refusal.map(|r| (Field::of(r).id(), cx.sentence(r))), cx)
}

/// The problem at the top of a page: its text, linked to the input whose id is given
/// (plain text for the form as a whole, an empty id).
fn summary(problem: Option<(&str, String)>, cx: &PageContext<'_>) -> Markup {
    html! {
        @if let Some((id, text)) = problem {
            div class="error-summary" role="alert" aria-labelledby="error-summary-title" {
                h2 id="error-summary-title" { (cx.t("page-error-summary")) }
                ul {
                    li {
                        @if id.is_empty() {
                            (text)
                        } @else {
                            a href={ "#" (id) } { (text) }
                        }
                    }
                }
            }
        }
    }
}

/// The user ID field, with its hint when `hint`, the value to fill in again and its error.
fn user_id_field(
    cx: &PageContext<'_>,
    value: Option<&str>,
    error: Option<&(String, String)>,
    hint: bool,
) -> Markup {
    let hint_id = hint.then_some("user_id-hint");
    html! {
        div class={ "field" @if error.is_some() { " field-error" } } {
            label for="user_id" { (cx.t("page-user-id")) }
            @if hint {
                p class="hint" id="user_id-hint" { (cx.t("page-user-id-hint")) }
            }
            (error_message(error, cx))
            input type="text" id="user_id" name="user_id" autocomplete="username"
                spellcheck="false" autocapitalize="none" required
                value=[value]
                aria-describedby=[described_by(hint_id, error)]
                aria-invalid=[error.map(|_| "true")];
        }
    }
}

/// The new password and the same typed again, with the hint under the first and each
/// field's error.
fn new_password_fields(
    cx: &PageContext<'_>,
    hint: &str,
    new_error: Option<&(String, String)>,
    confirm_error: Option<&(String, String)>,
) -> Markup {
    html! {
        div class={ "field" @if new_error.is_some() { " field-error" } } {
            label for="new_password" { (cx.t("page-new-password")) }
            p class="hint" id="new_password-hint" { (hint) }
            (error_message(new_error, cx))
            input type="password" id="new_password" name="new_password"
                autocomplete="new-password" required
                aria-describedby=[described_by(Some("new_password-hint"), new_error)]
                aria-invalid=[new_error.map(|_| "true")];
        }
        div class={ "field" @if confirm_error.is_some() { " field-error" } } {
            label for="confirm" { (cx.t("page-confirm")) }
            (error_message(confirm_error, cx))
            input type="password" id="confirm" name="confirm"
                autocomplete="new-password" required
                aria-describedby=[described_by(None, confirm_error)]
                aria-invalid=[confirm_error.map(|_| "true")];
        }
    }
}

/// A refusal for the summary: the id of the input `field_of` places it at, and its text.
fn placed<R: Message>(
    refusal: Option<&R>,
    field_of: fn(&R) -> Field,
    cx: &PageContext<'_>,
) -> Option<(&'static str, String)> {
    refusal.map(|r| (field_of(r).id(), cx.sentence(r)))
}

/// The error of `field` for a refusal that `field_of` places, as [`field_error`] does.
fn error_at<R: Message>(
    refusal: Option<&R>,
    field: Field,
    field_of: fn(&R) -> Field,
    cx: &PageContext<'_>,
) -> Option<(String, String)> {
    let refusal = refusal.filter(|r| field_of(r) == field)?;
    Some((format!("{}-error", field.name()), cx.sentence(refusal)))
}

/// The refusal of `field`, if the refusal is at it: the message element and its id.
fn field_error(
    refusal: Option<&Refusal>,
    field: Field,
    cx: &PageContext<'_>,
) -> Option<(String, String)> {
    let refusal = refusal.filter(|r| Field::of(r) == field)?;
    Some((format!("{}-error", field.name()), cx.sentence(refusal)))
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

fn error_message(error: Option<&(String, String)>, cx: &PageContext<'_>) -> Markup {
    html! {
        @if let Some((id, text)) = error {
            p class="error-message" id=(id) {
                span class="visually-hidden" { (cx.t("page-error-prefix")) }
                (text)
            }
        }
    }
}

/// A masked contact method in the person's language: "text message +31 •• ••• ••78".
fn contact(masked: &MaskedContact, cx: &PageContext<'_>) -> String {
    format!("{} {}", cx.text.message(&masked.kind()), masked.as_str())
}

fn account_type(view: &AccountTypeView<'_>, cx: &PageContext<'_>) -> Markup {
    html! {
        h1 { (cx.t("page-account-title")) }
        (error_summary(view.refusal, cx))
        form method="post" action=(view.action) {
            (hidden_fields(&view.form))
            fieldset {
                legend { (cx.t("page-account-legend")) }
                div class="choice" {
                    input type="radio" name="account" id="account-work" value="work"
                        required checked;
                    label for="account-work" {
                        (cx.t("page-account-work"))
                        span class="choice-hint" { (cx.t("page-account-work-hint")) }
                    }
                }
                div class="choice" {
                    input type="radio" name="account" id="account-personal" value="personal";
                    label for="account-personal" {
                        (cx.t("page-account-personal"))
                        span class="choice-hint" { (cx.t("page-account-personal-hint")) }
                    }
                }
            }
            div class="actions" {
                button type="submit" class="primary" { (cx.t("page-next")) }
            }
        }
    }
}

fn identify(view: &IdentifyView<'_>, cx: &PageContext<'_>) -> Markup {
    let urls = cx.urls;
    let challenge = view.step.challenge();
    let kind = challenge.kind();
    let length = [("length", n(challenge.len()))];
    let user_error = field_error(view.refusal, Field::UserId, cx);
    let answer_error = field_error(view.refusal, Field::Answer, cx);
    let (intro, answer_label, answer_hint, switch_label, new_label) = match kind {
        ChallengeKind::Image => (
            "page-identify-intro-image",
            "page-answer-image",
            "page-answer-image-hint",
            "page-switch-to-audio",
            "page-new-picture",
        ),
        ChallengeKind::Audio => (
            "page-identify-intro-audio",
            "page-answer-audio",
            "page-answer-audio-hint",
            "page-switch-to-picture",
            "page-new-clip",
        ),
    };
    html! {
        h1 { (cx.t("page-identify-title")) }
        p { (cx.t(intro)) }
        (error_summary(view.refusal, cx))
        form method="post" action=(urls.identify()) {
            (hidden_fields(&view.form))
            (user_id_field(cx, view.user_id, user_error.as_ref(), true))
            div class="challenge" {
                @match kind {
                    ChallengeKind::Image => {
                        img class="challenge-picture" src=(view.media_url)
                            width=(view.image_size.width()) height=(view.image_size.height())
                            alt=(cx.t_with("page-picture-alt", &length));
                    }
                    ChallengeKind::Audio => {
                        p id="audio-help" { (cx.t_with("page-audio-help", &length)) }
                        audio class="challenge-audio" controls preload="none"
                            src=(view.media_url) aria-describedby="audio-help"
                            lang=(challenge.language().tag()) {
                            a href=(view.media_url) { (cx.t("page-audio-download")) }
                        }
                        p { a href=(view.media_url) download="challenge.wav" {
                            (cx.t("page-audio-download-wav"))
                        } }
                        // Shown by the script, which makes it true.
                        p class="hint" id="audio-keys" hidden { (cx.t("page-audio-keys")) }
                    }
                }
            }
            div class={ "field" @if answer_error.is_some() { " field-error" } } {
                label for="answer" { (cx.t(answer_label)) }
                p class="hint" id="answer-hint" { (cx.t_with(answer_hint, &length)) }
                (error_message(answer_error.as_ref(), cx))
                input type="text" id="answer" name="answer" autocomplete="off"
                    spellcheck="false" autocapitalize="characters" required
                    aria-describedby=[described_by(Some("answer-hint"), answer_error.as_ref())]
                    aria-invalid=[answer_error.as_ref().map(|_| "true")];
            }
            div class="actions" {
                button type="submit" class="primary" { (cx.t("page-next")) }
            }
            @if view.step.renewals_left() > 0 {
                div class="secondary-actions" {
                    button type="submit" class="secondary" formaction=(urls.switch_challenge())
                        formnovalidate { (cx.t(switch_label)) }
                    button type="submit" class="secondary" formaction=(urls.new_challenge())
                        formnovalidate { (cx.t(new_label)) }
                }
            }
        }
        @if kind == ChallengeKind::Audio {
            script src=(urls.script()) defer {}
        }
    }
}

fn choose_method(view: &ChooseMethodView<'_>, cx: &PageContext<'_>) -> Markup {
    let step = view.step;
    let error = field_error(view.refusal, Field::Method, cx);
    html! {
        h1 { (cx.t("page-method-title")) }
        @if step.required() > 1 {
            p { (cx.t_with("page-method-progress", &[
                ("required", n(step.required())),
                ("current", n(step.verified() + 1)),
            ])) }
        }
        (error_summary(view.refusal, cx))
        form method="post" action=(cx.urls.method()) {
            (hidden_fields(&view.form))
            fieldset aria-describedby=[error.as_ref().map(|(id, _)| id.clone())] {
                legend { (cx.t("page-method-legend")) }
                (error_message(error.as_ref(), cx))
                @for method in step.methods() {
                    div class="choice" {
                        input type="radio" name="method" id={ "method-" (method.index) }
                            value=(method.index) required disabled[method.used];
                        label for={ "method-" (method.index) } {
                            (contact(&method.contact, cx))
                            @if method.used {
                                span class="choice-hint" { (cx.t("page-method-used")) }
                            }
                        }
                    }
                }
            }
            div class="actions" {
                button type="submit" class="primary" { (cx.t("page-method-send")) }
            }
        }
    }
}

fn verify(view: &VerifyView<'_>, cx: &PageContext<'_>) -> Markup {
    let urls = cx.urls;
    let step = view.step;
    let error = field_error(view.refusal, Field::Code, cx);
    let sent_to = step.sent_to();
    html! {
        h1 { (cx.t("page-verify-title")) }
        @match &sent_to {
            Some(to) => {
                p { (cx.t_with("page-verify-sent-to", &[("to", contact(to, cx).as_str().into())])) }
            }
            None => { p { (cx.t("page-verify-sent-maybe")) } }
        }
        p { (cx.t_with("page-verify-deadline", &[("time", time_arg(step.code_deadline()))])) }
        (error_summary(view.refusal, cx))
        form method="post" action=(urls.verify()) {
            (hidden_fields(&view.form))
            div class={ "field" @if error.is_some() { " field-error" } } {
                label for="code" { (cx.t("page-code")) }
                p class="hint" id="code-hint" {
                    (cx.t_with("page-code-hint", &[("digits", n(view.digits))]))
                }
                (error_message(error.as_ref(), cx))
                input type="text" id="code" name="code" inputmode="numeric"
                    autocomplete="one-time-code" spellcheck="false" required
                    aria-describedby=[described_by(Some("code-hint"), error.as_ref())]
                    aria-invalid=[error.as_ref().map(|_| "true")];
            }
            div class="actions" {
                button type="submit" class="primary" { (cx.t("page-verify-submit")) }
            }
            div class="secondary-actions" {
                @if step.resends_left() > 0 {
                    button type="submit" class="secondary" formaction=(urls.resend())
                        formnovalidate { (cx.t("page-resend")) }
                }
                @if sent_to.is_some() {
                    button type="submit" class="secondary" formaction=(urls.another_method())
                        formnovalidate { (cx.t("page-another-method")) }
                }
            }
        }
    }
}

fn new_password(view: &NewPasswordView<'_>, cx: &PageContext<'_>) -> Markup {
    let new_error = field_error(view.refusal, Field::NewPassword, cx);
    let confirm_error = field_error(view.refusal, Field::Confirm, cx);
    let user = view.step.user().to_string();
    let hint = cx.t_with(
        "page-new-password-hint",
        &[("min", n(view.rules.min_chars()))],
    );
    html! {
        h1 { (cx.t("page-password-title")) }
        p { (cx.t_with("page-password-for", &[("user", user.as_str().into())])) }
        (error_summary(view.refusal, cx))
        form method="post" action=(cx.urls.password()) {
            (hidden_fields(&view.form))
            (new_password_fields(cx, &hint, new_error.as_ref(), confirm_error.as_ref()))
            div class="actions" {
                button type="submit" class="primary" { (cx.t("page-password-submit")) }
            }
        }
    }
}

fn ending_title(ending: &Ending, cx: &PageContext<'_>) -> String {
    cx.t(match ending {
        Ending::Completed(_) => "page-completed-title",
        Ending::AskAdmin(_) => "page-ask-admin-title",
        Ending::Locked(_) => "page-locked-title",
        Ending::Expired(_) => "page-expired-title",
        Ending::PersonalAccount(_) => "page-personal-title",
    })
}

impl DefaultPages {
    fn ending(&self, ending: &Ending, cx: &PageContext<'_>) -> Markup {
        let urls = cx.urls;
        let start_again = html! {
            p { a class="button-link" href=(urls.start_page()) { (cx.t("page-start-again")) } }
        };
        html! {
            h1 { (ending_title(ending, cx)) }
            @match ending {
                Ending::Completed(done) => {
                    @let user = done.user.to_string();
                    div class="panel" {
                        p { (cx.t_with("page-completed-when", &[
                            ("user", user.as_str().into()),
                            ("time", time_arg(done.at)),
                        ])) }
                    }
                    @if !done.methods_used.is_empty() {
                        @let and = cx.t("page-completed-and");
                        @let methods = done.methods_used.iter()
                            .map(|m| contact(m, cx))
                            .collect::<Vec<_>>()
                            .join(&and);
                        p { (cx.t_with("page-completed-methods", &[
                            ("methods", methods.as_str().into()),
                        ])) }
                    }
                    p { (cx.t("page-completed-notice")) }
                    @if let Some(url) = &self.sign_in_url {
                        p { a class="button-link" href=(url) { (cx.t("page-sign-in-new")) } }
                    }
                }
                Ending::AskAdmin(_) => {
                    p { (cx.t("page-ask-admin-why")) }
                    h2 { (cx.t("page-ask-admin-from-here")) }
                    p { a class="button-link" href=(urls.contact_admins()) {
                        (cx.t("page-contact-link"))
                    } }
                    h2 { (cx.t("page-ask-admin-what")) }
                    p { (cx.t("page-ask-admin-ask")) }
                    ul {
                        li { (cx.t("page-ask-admin-user-id")) }
                        li { (cx.t("page-ask-admin-not-allowed")) }
                    }
                    p { (cx.t("page-ask-admin-temporary")) }
                    @if cx.support {
                        h2 { (cx.t("page-ask-admin-left")) }
                        p { (cx.t("page-ask-admin-left-text")) " "
                            a href=(urls.support()) { (cx.t("page-support-link")) } }
                    }
                    @if let Some(url) = &self.sign_in_url {
                        p { a href=(url) { (cx.t("page-back-to-sign-in")) } }
                    }
                }
                Ending::Locked(locked) => {
                    p { (cx.sentence(&locked.reason)) }
                    @match locked.until {
                        Some(until) => {
                            p { (cx.t_with("page-locked-until", &[("time", time_arg(until))])) }
                        }
                        None => {
                            p { (cx.t("page-locked-start-again")) }
                            (start_again)
                        }
                    }
                }
                Ending::Expired(_) => {
                    p { (cx.t("page-expired-text")) }
                    (start_again)
                }
                Ending::PersonalAccount(_) => {
                    p { (cx.t("page-personal-text")) }
                    @match &self.personal_recovery_url {
                        Some(url) => {
                            p { a class="button-link" href=(url) {
                                (cx.t("page-personal-recover"))
                            } }
                        }
                        None => { p { (cx.t("page-personal-elsewhere")) } }
                    }
                    p { a href=(urls.start_page()) { (cx.t("page-personal-work-after-all")) } }
                }
            }
        }
    }

    fn problem(&self, problem: Problem, cx: &PageContext<'_>) -> Markup {
        let urls = cx.urls;
        let start_again = html! {
            p { a class="button-link" href=(urls.start_page()) { (cx.t("page-start-again")) } }
        };
        let continue_link = html! {
            p { a class="button-link" href=(urls.continue_flow()) { (cx.t("page-continue")) } }
        };
        html! {
            h1 { (problem_title(problem, cx)) }
            @match problem {
                Problem::OutOfDate => {
                    p { (cx.t("page-out-of-date-text")) }
                    p { a class="button-link" href=(urls.continue_flow()) {
                        (cx.t("page-out-of-date-continue"))
                    } }
                }
                Problem::NoFlow => {
                    p { (cx.t("page-no-flow-text")) }
                    (start_again)
                }
                Problem::Forbidden => {
                    p { (cx.t("page-forbidden-text")) }
                    (continue_link)
                    p { a href=(urls.start_page()) { (cx.t("page-start-again")) } }
                }
                Problem::BadRequest => {
                    p { (cx.t("page-bad-request-text")) }
                    (continue_link)
                }
                Problem::TooLarge => {
                    p { (cx.t("page-too-large-text")) }
                    (continue_link)
                }
                Problem::HeadersTooLarge => {
                    p { (cx.t("page-headers-too-large-text")) }
                    (start_again)
                }
                Problem::TooManyRequests { retry_after } => {
                    @if retry_after < 120 {
                        p { (cx.t_with("page-too-many-text", &[("seconds", n(retry_after))])) }
                    } @else {
                        p { (cx.t_with("page-too-many-minutes", &[
                            ("minutes", n(retry_after.div_ceil(60))),
                        ])) }
                    }
                }
                Problem::Busy => {
                    p { (cx.t("page-busy-text")) }
                }
                Problem::Unavailable => {
                    p { (cx.t("page-unavailable-text")) }
                    p { a class="button-link" href=(urls.continue_flow()) {
                        (cx.t("page-try-again"))
                    } }
                }
                Problem::NotFound => {
                    p { (cx.t("page-not-found-text")) }
                    (start_again)
                }
            }
        }
    }
}

/// One text field of the support form, with its label, its hint, and its refusal.
fn support_field(
    cx: &PageContext<'_>,
    field: SupportField,
    value: &str,
    kind: &str,
    autocomplete: &str,
    refusal: Option<&SupportRequestError>,
) -> Markup {
    let name = crate::support::field_name(field);
    let error = refusal
        .filter(|r| crate::support::field_of(r) == field)
        .map(|r| (format!("{name}-error"), cx.sentence(r)));
    let hint_id = format!("{name}-hint");
    let hint = cx.text.text(&format!("page-support-{name}-hint"), &[]);
    let described = described_by(hint.as_ref().map(|_| hint_id.as_str()), error.as_ref());
    html! {
        div class={ "field" @if error.is_some() { " field-error" } } {
            label for=(name) { (cx.t(&format!("page-support-{name}"))) }
            @if let Some(hint) = &hint {
                p class="hint" id=(hint_id) { (hint) }
            }
            (error_message(error.as_ref(), cx))
            @if kind == "textarea" {
                textarea id=(name) name=(name) rows="5" required
                    maxlength=(sspr::support::MAX_DETAILS_CHARS)
                    aria-describedby=[described]
                    aria-invalid=[error.as_ref().map(|_| "true")] { (value) }
            } @else {
                input type=(kind) id=(name) name=(name) autocomplete=(autocomplete)
                    required maxlength=(sspr::support::MAX_FIELD_CHARS) value=(value)
                    aria-describedby=[described]
                    aria-invalid=[error.as_ref().map(|_| "true")];
            }
        }
    }
}

fn support(view: &SupportView<'_>, cx: &PageContext<'_>) -> Markup {
    let refusal = view.refusal;
    html! {
        h1 { (cx.t("page-support-title")) }
        p { (cx.t("page-support-intro")) }
        (summary(
            refusal.map(|r| (
                crate::support::field_name(crate::support::field_of(r)),
                cx.sentence(r)
            )),
            cx
        ))
        form method="post" action=(cx.urls.support()) {
            (hidden_fields(&view.form))
            (support_field(cx, SupportField::Name, view.name, "text", "name", refusal))
            (support_field(cx, SupportField::EmailAddress, view.email, "email", "email", refusal))
            (support_field(cx, SupportField::PhoneNumber, view.phone, "tel", "tel", refusal))
            (support_field(cx, SupportField::CompanyName, view.company, "text", "organization", refusal))
            (support_field(cx, SupportField::OrganisationDomain, view.organisation, "text", "off", refusal))
            (support_field(cx, SupportField::Explanation, view.explanation, "textarea", "off", refusal))
            div class="actions" {
                button type="submit" class="primary" { (cx.t("page-support-submit")) }
            }
        }
    }
}

fn support_filed(view: &SupportFiledView<'_>, cx: &PageContext<'_>) -> Markup {
    html! {
        h1 { (cx.t("page-support-filed-title")) }
        div class="panel" {
            p { (cx.t_with("page-support-filed-ticket", &[("ticket", view.ticket.0.as_str().into())])) }
        }
        p { (cx.t("page-support-filed-next")) }
        p { a href=(cx.urls.start_page()) { (cx.t("page-support-filed-back")) } }
    }
}

fn reset_link(view: &ResetLinkView<'_>, cx: &PageContext<'_>) -> Markup {
    let at = |field| error_at(view.refusal, field, crate::link::field_of, cx);
    let problem = placed(view.refusal, crate::link::field_of, cx);
    html! {
        h1 { (cx.t("page-link-title")) }
        p { (cx.t("page-link-intro")) }
        (summary(problem, cx))
        form method="post" action=(cx.urls.reset_link()) {
            (hidden_fields(&view.form))
            input type="hidden" name="token" value=(view.token);
            (user_id_field(cx, view.user_id, at(Field::UserId).as_ref(), true))
            (new_password_fields(
                cx,
                &cx.t("page-link-password-hint"),
                at(Field::NewPassword).as_ref(),
                at(Field::Confirm).as_ref(),
            ))
            div class="actions" {
                button type="submit" class="primary" { (cx.t("page-password-submit")) }
            }
        }
    }
}

fn forced_change(view: &ForcedChangeView<'_>, cx: &PageContext<'_>) -> Markup {
    let at = |field| error_at(view.refusal, field, crate::forced::field_of, cx);
    let problem = placed(view.refusal, crate::forced::field_of, cx);
    html! {
        h1 { (cx.t("page-change-title")) }
        p { (cx.t("page-change-intro")) }
        (summary(problem, cx))
        form method="post" action=(cx.urls.forced_change()) {
            (hidden_fields(&view.form))
            (user_id_field(cx, view.user_id, at(Field::UserId).as_ref(), false))
            div class="field" {
                label for="temporary" { (cx.t("page-change-temporary")) }
                input type="password" id="temporary" name="temporary"
                    autocomplete="current-password" required;
            }
            (new_password_fields(
                cx,
                &cx.t("page-link-password-hint"),
                at(Field::NewPassword).as_ref(),
                at(Field::Confirm).as_ref(),
            ))
            div class="actions" {
                button type="submit" class="primary" { (cx.t("page-password-submit")) }
            }
        }
    }
}

fn contact_admins(view: &ContactAdminsView<'_>, cx: &PageContext<'_>) -> Markup {
    let error = error_at(view.refusal, Field::UserId, |_| Field::UserId, cx);
    let problem = placed(view.refusal, |_| Field::UserId, cx);
    html! {
        h1 { (cx.t("page-contact-title")) }
        p { (cx.t("page-contact-intro")) }
        (summary(problem, cx))
        form method="post" action=(cx.urls.contact_admins()) {
            (hidden_fields(&view.form))
            (user_id_field(cx, view.user_id, error.as_ref(), true))
            div class="actions" {
                button type="submit" class="primary" { (cx.t("page-contact-submit")) }
            }
        }
    }
}

fn contact_admins_sent(cx: &PageContext<'_>) -> Markup {
    html! {
        h1 { (cx.t("page-contact-sent-title")) }
        p { (cx.t("page-contact-sent-text")) }
        p { a href=(cx.urls.start_page()) { (cx.t("page-support-filed-back")) } }
    }
}

fn register(view: &RegisterView<'_>, cx: &PageContext<'_>) -> Markup {
    let at = |field| error_at(view.refusal, field, crate::registration::field_of, cx);
    let problem = placed(view.refusal, crate::registration::field_of, cx);
    let address_error = at(Field::Address);
    let kind = |value: &str| view.kind == value || (view.kind.is_empty() && value == "sms");
    html! {
        h1 { (cx.t("page-register-title")) }
        p { (cx.t("page-register-intro")) }
        (summary(problem, cx))
        form method="post" action=(cx.urls.register()) {
            (hidden_fields(&view.form))
            (user_id_field(cx, view.user_id, at(Field::UserId).as_ref(), false))
            div class="field" {
                label for="password" { (cx.t("page-register-password")) }
                input type="password" id="password" name="password"
                    autocomplete="current-password" required;
            }
            fieldset {
                legend { (cx.t("page-register-action")) }
                div class="choice" {
                    input type="radio" name="action" id="action-add" value="add"
                        checked[view.action != "confirm"];
                    label for="action-add" { (cx.t("page-register-add")) }
                }
                div class="choice" {
                    input type="radio" name="action" id="action-confirm" value="confirm"
                        checked[view.action == "confirm"];
                    label for="action-confirm" {
                        (cx.t("page-register-confirm"))
                        span class="choice-hint" { (cx.t("page-register-confirm-hint")) }
                    }
                }
            }
            fieldset {
                legend { (cx.t("page-register-kind")) }
                @for (value, id) in [("sms", "contact-sms"), ("voice", "contact-voice"), ("email", "contact-email")] {
                    div class="choice" {
                        input type="radio" name="kind" id={ "kind-" (value) } value=(value)
                            checked[kind(value)];
                        label for={ "kind-" (value) } { (capitalised(&cx.t(id))) }
                    }
                }
            }
            div class={ "field" @if address_error.is_some() { " field-error" } } {
                label for="address" { (cx.t("page-register-address")) }
                p class="hint" id="address-hint" { (cx.t("page-register-address-hint")) }
                (error_message(address_error.as_ref(), cx))
                input type="text" id="address" name="address" autocomplete="off"
                    spellcheck="false" autocapitalize="none"
                    maxlength=(sspr::registration::MAX_ADDRESS_BYTES) value=(view.address)
                    aria-describedby=[described_by(Some("address-hint"), address_error.as_ref())]
                    aria-invalid=[address_error.as_ref().map(|_| "true")];
            }
            div class="actions" {
                button type="submit" class="primary" { (cx.t("page-register-submit")) }
            }
        }
    }
}

fn register_codes(view: &RegisterCodesView<'_>, cx: &PageContext<'_>) -> Markup {
    let problem = placed(view.refusal, crate::registration::field_of, cx);
    let (label, to) = match &view.code_for {
        CodeFor::Registered(to) => ("page-register-current-code", to),
        CodeFor::New(to) => ("page-register-new-code", to),
    };
    html! {
        h1 { (cx.t("page-register-codes-title")) }
        @if view.proved {
            p { (cx.t("page-register-proved")) }
        }
        p { (cx.t_with("page-verify-deadline", &[("time", time_arg(view.deadline))])) }
        (summary(problem, cx))
        form method="post" action=(cx.urls.register_confirm()) {
            (hidden_fields(&view.form))
            input type="hidden" name="pending" value=(view.pending);
            div class="field" {
                label for="code" {
                    (cx.t_with(label, &[("to", contact(to, cx).as_str().into())]))
                }
                p class="hint" id="code-hint" {
                    (cx.t_with("page-code-hint", &[("digits", n(view.digits))]))
                }
                input type="text" id="code" name="code" inputmode="numeric"
                    autocomplete="one-time-code" spellcheck="false" required
                    aria-describedby="code-hint";
            }
            div class="actions" {
                button type="submit" class="primary" { (cx.t("page-register-codes-submit")) }
            }
        }
    }
}

fn registered(view: &RegisteredView<'_>, cx: &PageContext<'_>) -> Markup {
    html! {
        h1 { (cx.t("page-registered-title")) }
        div class="panel" {
            p { (cx.t_with("page-registered-text", &[("time", time_arg(view.confirmed))])) }
            ul {
                @for method in view.methods {
                    li { (contact(method, cx)) }
                }
            }
        }
        p { (cx.t("page-registered-next")) }
        p { a href=(cx.urls.start_page()) { (cx.t("page-support-filed-back")) } }
    }
}

fn problem_title(problem: Problem, cx: &PageContext<'_>) -> String {
    cx.t(match problem {
        Problem::OutOfDate => "page-out-of-date-title",
        Problem::NoFlow => "page-no-flow-title",
        Problem::Forbidden => "page-forbidden-title",
        Problem::BadRequest => "page-bad-request-title",
        Problem::TooLarge => "page-too-large-title",
        Problem::HeadersTooLarge => "page-headers-too-large-title",
        Problem::TooManyRequests { .. } => "page-too-many-title",
        Problem::Busy => "page-busy-title",
        Problem::Unavailable => "page-unavailable-title",
        Problem::NotFound => "page-not-found-title",
    })
}

/// The English texts of the pages (`language-name` and `page-*`).
pub const ENGLISH: &str = include_str!("locale/en.ftl");

/// The Dutch texts of the pages.
pub const DUTCH: &str = include_str!("locale/nl.ftl");

/// sspr's messages with the pages' texts added, English and Dutch: what the router uses
/// unless the host gives its own ([`Web::translations`](crate::Web::translations)).
pub fn translations() -> Translations {
    let mut translations = Translations::builtin();
    for (tag, text) in [("en", ENGLISH), ("nl", DUTCH)] {
        // The built-in texts parse: a unit test checks them.
        let _ = translations.add(tag, text);
    }
    translations
}

/// The stylesheet of the default pages (served by the router at [`Urls::stylesheet`]).
pub const STYLESHEET: &str = include_str!("../assets/sspr.css");

/// The script of the audio challenge's page (served by the router at [`Urls::script`]):
/// in the answer box, Ctrl on its own plays or pauses the clip.
pub const SCRIPT: &str = include_str!("../assets/sspr.js");

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The message identifiers of a Fluent text (lines `id = …` at the start).
    fn ids(ftl: &str) -> BTreeSet<String> {
        ftl.lines()
            .filter_map(|line| line.split_once(" ="))
            .map(|(id, _)| id)
            .filter(|id| {
                id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && !id.is_empty()
            })
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn english_and_dutch_have_the_same_page_texts() {
        let (en, nl) = (ids(ENGLISH), ids(DUTCH));
        assert!(en.len() > 90, "{}", en.len());
        let only_en: Vec<_> = en.difference(&nl).collect();
        let only_nl: Vec<_> = nl.difference(&en).collect();
        assert!(only_en.is_empty(), "only in English: {only_en:?}");
        assert!(only_nl.is_empty(), "only in Dutch: {only_nl:?}");
    }

    /// Sample values for every argument a page text takes.
    fn sample_args() -> Vec<(&'static str, TextArg<'static>)> {
        vec![
            ("title", TextArg::Text("Who are you?")),
            ("length", n(6)),
            ("required", n(2)),
            ("current", n(1)),
            ("to", TextArg::Text("text message +31 •• ••• ••78")),
            ("time", time_arg(OffsetDateTime::UNIX_EPOCH)),
            ("digits", n(6)),
            ("user", TextArg::Text("jan@contoso.nl")),
            ("min", n(12)),
            ("methods", TextArg::Text("email j•••@c•••.com")),
            ("seconds", n(30)),
            ("minutes", n(3)),
            ("ticket", TextArg::Text("SR-000001")),
        ]
    }

    /// Every page text in both languages, side by side, in the order of the English file.
    fn side_by_side() -> String {
        let translations = translations();
        let (en, nl) = (
            translations.negotiate(&["en"]),
            translations.negotiate(&["nl"]),
        );
        let args = sample_args();
        let mut table = String::from(
            "# The web host's page texts in English and Dutch\n\n\
             Every text of the pages of `sspr-axum`, rendered from `src/locale/en.ftl` and \
             `src/locale/nl.ftl` with sample values; the messages of `sspr` itself (refusals, \
             lock reasons, endings) are in the crate's `MESSAGES.md`. Generated by a test: \
             `SSPR_WRITE_MESSAGES=1 cargo test -p sspr-axum --lib pages` rewrites it, and the \
             test fails while it is out of date.\n\n\
             | identifier | English | Nederlands |\n| --- | --- | --- |\n",
        );
        let mut seen = BTreeSet::new();
        for line in ENGLISH.lines() {
            let Some((id, _)) = line.split_once(" =") else {
                continue;
            };
            if id.is_empty() || !id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
                continue;
            }
            if !seen.insert(id.to_owned()) {
                continue;
            }
            let cell = |text: Option<String>| {
                text.unwrap_or_default()
                    .replace('|', "\\|")
                    .replace('\n', " ")
            };
            table.push_str(&format!(
                "| `{id}` | {} | {} |\n",
                cell(en.text(id, &args)),
                cell(nl.text(id, &args))
            ));
        }
        table
    }

    #[test]
    fn the_side_by_side_table_is_up_to_date() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/MESSAGES.md");
        let table = side_by_side();
        if std::env::var_os("SSPR_WRITE_MESSAGES").is_some() {
            std::fs::write(path, &table).expect("MESSAGES.md is written");
        }
        let written = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            written == table,
            "sspr-axum/MESSAGES.md is out of date: SSPR_WRITE_MESSAGES=1 cargo test -p sspr-axum --lib pages"
        );
    }

    #[test]
    fn every_text_the_pages_use_exists_and_formats_in_both_languages() {
        let source = include_str!("pages.rs");
        let used: BTreeSet<&str> = source
            .split('"')
            .filter(|piece| {
                piece.starts_with("page-")
                    && piece.len() > 5
                    && piece.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
            })
            .collect();
        assert!(used.len() > 80, "{}", used.len());
        let translations = translations();
        assert_eq!(translations.languages(), ["en", "nl"]);
        let defined = ids(ENGLISH);
        for id in &used {
            assert!(defined.contains(*id), "{id} is used but has no text");
        }
        for tag in ["en", "nl"] {
            let text = translations.negotiate(&[tag]);
            assert_eq!(text.language(), tag);
            for id in &defined {
                let args = [
                    ("title", TextArg::Text("T")),
                    ("length", n(6)),
                    ("required", n(2)),
                    ("current", n(1)),
                    ("to", TextArg::Text("sms +31 •• ••• ••78")),
                    ("time", time_arg(OffsetDateTime::UNIX_EPOCH)),
                    ("digits", n(6)),
                    ("user", TextArg::Text("jan@contoso.nl")),
                    ("min", n(12)),
                    ("methods", TextArg::Text("e-mail")),
                    ("seconds", n(30)),
                    ("minutes", n(3)),
                    ("ticket", TextArg::Text("SR-000001")),
                ];
                let formatted = text
                    .text(id, &args)
                    .unwrap_or_else(|| panic!("{id} does not format in {tag}"));
                assert!(!formatted.contains('{'), "{id} in {tag}: {formatted}");
            }
        }
    }
}
