//! The handlers: each step's form resumes the flow named by the cookie at the form's step
//! (`Flows::resume_step`), runs one transition, saves the `Next` and renders its page.
//!
//! | route | what |
//! | --- | --- |
//! | `GET  <base>/` | "Can't access your account?" (the start form; no flow yet) |
//! | `POST <base>/start` | starts a flow with the account type (rate-limited: starts) |
//! | `POST <base>/account` | the account type inside a flow |
//! | `POST <base>/identify` | user ID and answer (rate-limited: answers) |
//! | `POST <base>/switch`, `<base>/new-challenge` | picture ⇄ audio clip, another challenge |
//! | `GET  <base>/challenge` | the picture or clip (rate-limited: media) |
//! | `POST <base>/method` | sends a code to the chosen method (rate-limited: sends) |
//! | `POST <base>/verify` | the code |
//! | `POST <base>/resend` | a new code (rate-limited: sends) |
//! | `POST <base>/another-method` | back to the methods |
//! | `POST <base>/password` | the new password (Argon2id on the service's offload pool) |
//! | `GET  <base>/continue` | the current step's page again (after an out-of-date form) |
//! | `GET  <base>/sspr.css` | the stylesheet |
//! | `GET  <base>/sspr.js` | the audio challenge's script (the clip from the keyboard) |

use std::sync::Arc;

use axum::Form;
use axum::body::Body;
use axum::extract::rejection::FormRejection;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next as Middleware;
use axum::response::{IntoResponse, Response};
use sspr::challenge::{ChallengeKind, Language};
use sspr::store::{FlowStore, Flows, FlowsError, Saved, StoreError};
use sspr::{AnyStep, FlowId, Next, Password, Refusal, Sspr, UserId};

use crate::cookies::{self, CookieJar, CsrfKey};
use crate::forms::{
    AccountForm, ActionForm, CodeForm, IdentifyForm, MethodForm, PasswordForm, StartForm, StepForm,
};
use crate::language::{self, Languages};
use crate::pages::{
    AccountTypeView, ChooseMethodView, FormContext, IdentifyView, NewPasswordView, Page,
    PageContext, Pages, Problem, Urls, VerifyView,
};
use crate::security;

/// What every handler shares.
pub(crate) struct App<St> {
    pub(crate) sspr: Sspr,
    pub(crate) flows: Flows<St>,
    pub(crate) pages: Arc<dyn Pages>,
    pub(crate) languages: Languages,
    /// The host's support desk, when it takes requests for a new global admin.
    pub(crate) desk: Option<crate::support::Desk>,
    /// The host's grant store, when the router serves reset links.
    pub(crate) grants: Option<crate::link::Grants>,
    pub(crate) jar: CookieJar,
    pub(crate) csrf: CsrfKey,
    pub(crate) urls: Urls,
}

type Shared<St> = State<Arc<App<St>>>;

impl StartBound for StartForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `response` with the start cookie set, when there is one to set.
pub(crate) fn with_start_cookie(mut response: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// The page of a form outside a flow, made by `render` with the start token, with the
/// start cookie set when the browser has none.
pub(crate) fn start_form<St: FlowStore + 'static>(
    app: &App<St>,
    headers: &HeaderMap,
    render: impl FnOnce(&str) -> Response,
) -> Response {
    match app.start_token(headers) {
        Ok((csrf, cookie)) => with_start_cookie(render(&csrf), cookie),
        Err(response) => response,
    }
}

/// The user ID as typed, to fill in again after a refusal, when it is one (a user ID
/// that does not parse is not shown back).
pub(crate) fn refill(user_id: &str) -> Option<&str> {
    UserId::parse(user_id).is_ok().then_some(user_id)
}

/// A form outside a flow, whose CSRF token is bound to the start cookie.
pub(crate) trait StartBound {
    /// Its CSRF token.
    fn csrf(&self) -> &str;
}

/// What to fill in again on the page after a refusal.
#[derive(Default)]
struct Refill {
    user_id: Option<String>,
}

impl<St: FlowStore + 'static> App<St> {
    pub(crate) fn html(&self, status: StatusCode, page: &Page<'_>) -> Response {
        let cx = PageContext {
            urls: &self.urls,
            text: self.languages.current(),
            languages: self.languages.choices(),
            support: self.desk.is_some(),
        };
        let body = self.pages.render(page, &cx);
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        response
    }

    pub(crate) fn problem(&self, problem: Problem) -> Response {
        let status =
            StatusCode::from_u16(problem.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = self.html(status, &Page::Problem(problem));
        if let Problem::TooManyRequests { retry_after } = problem
            && let Ok(value) = HeaderValue::from_str(&retry_after.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if problem == Problem::NoFlow {
            self.clear_flow(&mut response);
        }
        response
    }

    fn clear_flow(&self, response: &mut Response) {
        response
            .headers_mut()
            .append(header::SET_COOKIE, self.jar.clear_flow());
    }

    /// The form, the flow it is for and its CSRF check; a refusal page otherwise. Nothing
    /// is taken from the store before the token is checked.
    fn accept<F: StepForm>(
        &self,
        headers: &HeaderMap,
        form: Result<Form<F>, FormRejection>,
    ) -> Result<(F, String), Response> {
        let form = match form {
            Ok(Form(form)) => form,
            Err(rejection) => return Err(self.rejected(&rejection)),
        };
        let Some(flow) = self.jar.flow(headers) else {
            return Err(self.problem(Problem::NoFlow));
        };
        if !self.csrf.check_flow(flow, form.csrf()) {
            return Err(self.problem(Problem::Forbidden));
        }
        Ok((form, flow.to_owned()))
    }

    pub(crate) fn rejected(&self, rejection: &FormRejection) -> Response {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            self.problem(Problem::TooLarge)
        } else {
            self.problem(Problem::BadRequest)
        }
    }

    /// The flow at the form's step, or the page that says why not.
    async fn resume(&self, flow: &str, nonce: Option<u64>) -> Result<AnyStep, Response> {
        let resumed = match nonce {
            Some(nonce) => self.flows.resume_step(flow, nonce).await,
            None => self.flows.resume(flow).await,
        };
        resumed.map_err(|error| self.flows_error(&error))
    }

    fn flows_error(&self, error: &FlowsError) -> Response {
        match error {
            FlowsError::Stale => self.problem(Problem::OutOfDate),
            FlowsError::Expired => {
                let ending = sspr::Ending::Expired(sspr::Expired);
                crate::metrics::record_ending(&ending);
                self.ending(ending)
            }
            FlowsError::Store(StoreError::Full { .. }) => self.problem(Problem::Busy),
            FlowsError::Store(_) | FlowsError::EphemeralKeys => self.problem(Problem::Unavailable),
            _ => self.problem(Problem::NoFlow),
        }
    }

    fn ending(&self, ending: sspr::Ending) -> Response {
        let mut response = self.html(StatusCode::OK, &Page::Ending(&ending));
        self.clear_flow(&mut response);
        response
    }

    /// Saves where the step led and renders its page (with the refusal at its field), or
    /// renders the ending and forgets the cookie.
    async fn respond(&self, next: Next, refusal: Option<Refusal>, refill: Refill) -> Response {
        crate::metrics::record(&next, refusal.as_ref());
        let next = match next {
            Next::End(ending) => return self.ending(ending),
            step => step,
        };
        let saved = match self.save(&next).await {
            Ok(saved) => saved,
            Err(response) => return response,
        };
        let Next::Step(step) = &next else {
            return self.problem(Problem::Unavailable);
        };
        let flow = saved.flow.to_string();
        let token = self.csrf.flow_token(&flow);
        let form = FormContext {
            csrf: &token,
            nonce: Some(saved.nonce),
        };
        let refusal = refusal.as_ref();
        let policy = self.sspr.policy();
        let page = match step {
            AnyStep::SelectAccount(_) => Page::AccountType(AccountTypeView {
                form,
                action: self.urls.account(),
                refusal,
            }),
            AnyStep::Identify(wizard) => Page::Identify(IdentifyView {
                form,
                step: wizard.step(),
                media_url: self.urls.challenge(saved.nonce),
                image_size: policy.image_size(),
                user_id: refill.user_id.as_deref(),
                refusal,
            }),
            AnyStep::ChooseMethod(wizard) => Page::ChooseMethod(ChooseMethodView {
                form,
                step: wizard.step(),
                refusal,
            }),
            AnyStep::Verify(wizard) => Page::Verify(VerifyView {
                form,
                step: wizard.step(),
                digits: policy.code_digits(),
                refusal,
            }),
            AnyStep::NewPassword(wizard) => Page::NewPassword(NewPasswordView {
                form,
                step: wizard.step(),
                rules: policy.password_rules(),
                refusal,
            }),
        };
        let mut response = self.html(StatusCode::OK, &page);
        let left = (saved.expires_at - self.sspr.now()).whole_seconds();
        response
            .headers_mut()
            .append(header::SET_COOKIE, self.jar.set_flow(&flow, left));
        response
    }

    /// For a page with a form outside a flow: the CSRF token bound to the browser's start
    /// cookie, and the `Set-Cookie` that gives the browser one when it has none.
    pub(crate) fn start_token(
        &self,
        headers: &HeaderMap,
    ) -> Result<(String, Option<HeaderValue>), Response> {
        match self.jar.start(headers) {
            Some(value) => Ok((self.csrf.start_token(value), None)),
            None => match cookies::new_start_value() {
                Some(value) => Ok((
                    self.csrf.start_token(&value),
                    Some(self.jar.set_start(&value)),
                )),
                None => Err(self.problem(Problem::Unavailable)),
            },
        }
    }

    /// A form posted outside a flow, when its CSRF token is bound to the browser's start
    /// cookie: the form and the token for the page that answers it.
    pub(crate) fn accept_start<F: StartBound>(
        &self,
        headers: &HeaderMap,
        form: Result<Form<F>, FormRejection>,
    ) -> Result<(F, String), Response> {
        let form = match form {
            Ok(Form(form)) => form,
            Err(rejection) => return Err(self.rejected(&rejection)),
        };
        let Some(start) = self.jar.start(headers) else {
            return Err(self.problem(Problem::Forbidden));
        };
        if !self.csrf.check_start(start, form.csrf()) {
            return Err(self.problem(Problem::Forbidden));
        }
        Ok((form, self.csrf.start_token(start)))
    }

    /// Saves the step; a store that failed is tried once more (the step is still here),
    /// then the person is told to try again.
    async fn save(&self, next: &Next) -> Result<Saved, Response> {
        let mut saved = self.flows.save(next).await;
        if matches!(
            saved,
            Err(FlowsError::Store(StoreError::Unavailable { .. }))
        ) {
            saved = self.flows.save(next).await;
        }
        match saved {
            Ok(Some(saved)) => Ok(saved),
            Ok(None) => Err(self.problem(Problem::Unavailable)),
            Err(error) => Err(self.flows_error(&error)),
        }
    }
}

/// `GET <base>/`: the start form. It sets the start cookie when the browser has none.
pub(crate) async fn start_page<St: FlowStore + 'static>(
    State(app): Shared<St>,
    headers: HeaderMap,
) -> Response {
    start_form(&app, &headers, |csrf| {
        let page = Page::AccountType(AccountTypeView {
            form: FormContext { csrf, nonce: None },
            action: app.urls.start(),
            refusal: None,
        });
        app.html(StatusCode::OK, &page)
    })
}

/// `POST <base>/start`: a new flow, at once past the account type. A flow the browser
/// had is forgotten.
pub(crate) async fn start<St: FlowStore + 'static>(
    State(app): Shared<St>,
    headers: HeaderMap,
    form: Result<Form<StartForm>, FormRejection>,
) -> Response {
    let (form, _) = match app.accept_start(&headers, form) {
        Ok(accepted) => accepted,
        Err(response) => return response,
    };
    if let Some(old) = app.jar.flow(&headers).and_then(|id| FlowId::parse(id).ok()) {
        // Best effort: an old flow left behind expires by itself.
        let _ = app.flows.discard(old).await;
    }
    let wizard = match app.sspr.start() {
        Ok(wizard) => wizard,
        Err(_) => return app.problem(Problem::Unavailable),
    };
    let (next, refusal) =
        Next::from_result(wizard.choose_in(&app.sspr, form.account.into(), spoken()));
    app.respond(next, refusal, Refill::default()).await
}

/// `POST <base>/account`.
pub(crate) async fn account<St: FlowStore + 'static>(
    State(app): Shared<St>,
    headers: HeaderMap,
    form: Result<Form<AccountForm>, FormRejection>,
) -> Response {
    let (form, flow) = match app.accept(&headers, form) {
        Ok(accepted) => accepted,
        Err(response) => return response,
    };
    let step = match app.resume(&flow, Some(form.nonce)).await {
        Ok(step) => step,
        Err(response) => return response,
    };
    let (next, refusal) = match (step, form.account) {
        (AnyStep::SelectAccount(wizard), Some(choice)) => {
            Next::from_result(wizard.choose_in(&app.sspr, choice.into(), spoken()))
        }
        (other, _) => (other.into(), None),
    };
    app.respond(next, refusal, Refill::default()).await
}

/// `POST <base>/identify`.
pub(crate) async fn identify<St: FlowStore + 'static>(
    State(app): Shared<St>,
    headers: HeaderMap,
    form: Result<Form<IdentifyForm>, FormRejection>,
) -> Response {
    let (form, flow) = match app.accept(&headers, form) {
        Ok(accepted) => accepted,
        Err(response) => return response,
    };
    let step = match app.resume(&flow, Some(form.nonce)).await {
        Ok(step) => step,
        Err(response) => return response,
    };
    let (next, refusal) = match step {
        AnyStep::Identify(wizard) => {
            Next::from_result(wizard.submit(&app.sspr, &form.user_id, &form.answer).await)
        }
        other => (other.into(), None),
    };
    // The user ID goes back into its field after a refusal, if it is one (never text
    // that the wizard refused as a user ID).
    let user_id = match &refusal {
        Some(Refusal::UserId(_)) | None => None,
        Some(_) => UserId::parse(&form.user_id).is_ok().then_some(form.user_id),
    };
    app.respond(next, refusal, Refill { user_id }).await
}

/// What a button without fields does to its step.
#[derive(Clone, Copy)]
pub(crate) enum Action {
    SwitchChallenge,
    NewChallenge,
    Resend,
    AnotherMethod,
}

async fn action<St: FlowStore + 'static>(
    app: &App<St>,
    headers: &HeaderMap,
    form: Result<Form<ActionForm>, FormRejection>,
    action: Action,
) -> Response {
    let (form, flow) = match app.accept(headers, form) {
        Ok(accepted) => accepted,
        Err(response) => return response,
    };
    let step = match app.resume(&flow, Some(form.nonce)).await {
        Ok(step) => step,
        Err(response) => return response,
    };
    let sspr = &app.sspr;
    let (next, refusal) = match (action, step) {
        (Action::SwitchChallenge, AnyStep::Identify(wizard)) => {
            Next::from_result(wizard.switch_kind_in(sspr, spoken()))
        }
        (Action::NewChallenge, AnyStep::Identify(wizard)) => {
            Next::from_result(wizard.speak(sspr, spoken()))
        }
        (Action::Resend, AnyStep::Verify(wizard)) => Next::from_result(wizard.resend(sspr).await),
        (Action::AnotherMethod, AnyStep::Verify(wizard)) => {
            Next::from_result(wizard.choose_another_method())
        }
        (_, other) => (other.into(), None),
    };
    app.respond(next, refusal, Refill::default()).await
}

/// `POST <base>/switch`.
pub(crate) async fn switch_challenge<St: FlowStore + 'static>(
    State(app): Shared<St>,
    headers: HeaderMap,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    action(&app, &headers, form, Action::SwitchChallenge).await
}

/// `POST <base>/new-challenge`.
pub(crate) async fn new_challenge<St: FlowStore + 'static>(
    State(app): Shared<St>,
    headers: HeaderMap,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    action(&app, &headers, form, Action::NewChallenge).await
}

/// `POST <base>/resend`.
pub(crate) async fn resend<St: FlowStore + 'static>(
    State(app): Shared<St>,
    headers: HeaderMap,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    action(&app, &headers, form, Action::Resend).await
}

/// `POST <base>/another-method`.
pub(crate) async fn another_method<St: FlowStore + 'static>(
    State(app): Shared<St>,
    headers: HeaderMap,
    form: Result<Form<ActionForm>, FormRejection>,
) -> Response {
    action(&app, &headers, form, Action::AnotherMethod).await
}

/// `POST <base>/method`.
pub(crate) async fn method<St: FlowStore + 'static>(
    State(app): Shared<St>,
    headers: HeaderMap,
    form: Result<Form<MethodForm>, FormRejection>,
) -> Response {
    let (form, flow) = match app.accept(&headers, form) {
        Ok(accepted) => accepted,
        Err(response) => return response,
    };
    let step = match app.resume(&flow, Some(form.nonce)).await {
        Ok(step) => step,
        Err(response) => return response,
    };
    let (next, refusal) = match step {
        // No method chosen: the wizard refuses an index that is none.
        AnyStep::ChooseMethod(wizard) => Next::from_result(
            wizard
                .choose(&app.sspr, form.method.unwrap_or(usize::MAX))
                .await,
        ),
        other => (other.into(), None),
    };
    app.respond(next, refusal, Refill::default()).await
}

/// `POST <base>/verify`.
pub(crate) async fn verify<St: FlowStore + 'static>(
    State(app): Shared<St>,
    headers: HeaderMap,
    form: Result<Form<CodeForm>, FormRejection>,
) -> Response {
    let (form, flow) = match app.accept(&headers, form) {
        Ok(accepted) => accepted,
        Err(response) => return response,
    };
    let step = match app.resume(&flow, Some(form.nonce)).await {
        Ok(step) => step,
        Err(response) => return response,
    };
    let (next, refusal) = match step {
        AnyStep::Verify(wizard) => Next::from_result(wizard.submit(&app.sspr, &form.code).await),
        other => (other.into(), None),
    };
    app.respond(next, refusal, Refill::default()).await
}

/// `POST <base>/password`. Hashing runs on the service's offload pool (a host builds the
/// service with `.offload(TokioBlocking)`), never on this task.
pub(crate) async fn password<St: FlowStore + 'static>(
    State(app): Shared<St>,
    headers: HeaderMap,
    form: Result<Form<PasswordForm>, FormRejection>,
) -> Response {
    let (form, flow) = match app.accept(&headers, form) {
        Ok(accepted) => accepted,
        Err(response) => return response,
    };
    let step = match app.resume(&flow, Some(form.nonce)).await {
        Ok(step) => step,
        Err(response) => return response,
    };
    let PasswordForm {
        new_password,
        confirm,
        ..
    } = form;
    let (next, refusal) = match step {
        AnyStep::NewPassword(wizard) => Next::from_result(
            wizard
                .submit(
                    &app.sspr,
                    Password::new(new_password),
                    Password::new(confirm),
                )
                .await,
        ),
        other => (other.into(), None),
    };
    app.respond(next, refusal, Refill::default()).await
}

/// `GET <base>/continue`: the page of the flow's current step, with a fresh nonce (the
/// way back after an out-of-date form).
pub(crate) async fn continue_flow<St: FlowStore + 'static>(
    State(app): Shared<St>,
    headers: HeaderMap,
) -> Response {
    let Some(flow) = app.jar.flow(&headers).map(str::to_owned) else {
        return app.problem(Problem::NoFlow);
    };
    let step = match app.resume(&flow, None).await {
        Ok(step) => step,
        Err(response) => return response,
    };
    // An audio clip in another language than the page's (the person switched it): a new
    // clip in the page's language, if the flow may still have one.
    let next = match step {
        AnyStep::Identify(wizard)
            if wizard.step().challenge().kind() == ChallengeKind::Audio
                && wizard.step().challenge().language() != spoken() =>
        {
            match wizard.speak(&app.sspr, spoken()) {
                Ok(stay) => Next::from(stay),
                Err(refused) => Next::from(refused.wizard),
            }
        }
        other => other.into(),
    };
    app.respond(next, None, Refill::default()).await
}

/// The language the challenge's audio clip speaks for this request's page language
/// (English for a language without recordings).
fn spoken() -> Language {
    Language::from_tag(&language::current()).unwrap_or(Language::English)
}

/// `GET <base>/sspr.css`.
pub(crate) async fn stylesheet() -> Response {
    asset(crate::pages::STYLESHEET, "text/css; charset=utf-8")
}

/// `GET <base>/sspr.js`.
pub(crate) async fn script() -> Response {
    asset(crate::pages::SCRIPT, "text/javascript; charset=utf-8")
}

/// A file of the default pages, which any cache may keep for an hour.
fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut response = Response::new(Body::from(body));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}

/// Refuses requests whose headers or declared body are over the bounds, with a page.
pub(crate) async fn bounds<St: FlowStore + 'static>(
    State(app): Shared<St>,
    request: Request,
    next: Middleware,
) -> Response {
    if !security::headers_within_bounds(&request) {
        return app.problem(Problem::HeadersTooLarge);
    }
    if security::body_too_large(&request) {
        return app.problem(Problem::TooLarge);
    }
    next.run(request).await
}
