//! Registering contact methods in the browser: `GET <base>/register` shows the form (user
//! ID, password, add a method or confirm the ones there are), `POST <base>/register`
//! begins the registration ([`Sspr::begin_registration`](sspr::Sspr::begin_registration):
//! the password, then a code to a method the account has) and shows the code's page, and
//! `POST <base>/register/confirm` checks the code ([`PendingRegistration::confirm`]):
//! after the proof, the new method's code and its page; after the last code, the
//! methods. Between the two the page
//! keeps the pending registration sealed under the flows' keys, in a hidden field: the
//! browser holds neither the address nor the codes' digests in clear, and nobody can make
//! one without the keys. The forms are tied to the start cookie by their CSRF token; the
//! first is rate-limited like sending a code, the second like answering a challenge.

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use sspr::host::ContactMethod;
use sspr::password::Password;
use sspr::registration::{Confirmed, MethodChange, PendingRegistration, RegistrationRefusal};
use sspr::store::FlowStore;

use crate::pages::{Field, FormContext, Page, RegisterCodesView, RegisterView, RegisteredView};
use crate::routes::{App, StartBound, refill, start_form};

/// The first form as posted. Not `Debug`: it holds the password.
#[derive(Deserialize)]
pub(crate) struct RegisterForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    address: String,
}

/// The codes' form as posted.
#[derive(Deserialize)]
pub(crate) struct CodesForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pending: String,
    #[serde(default)]
    code: String,
}

/// The field a registration's refusal belongs to.
pub fn field_of(refusal: &RegistrationRefusal) -> Field {
    match refusal {
        RegistrationRefusal::UserId(_) => Field::UserId,
        RegistrationRefusal::InvalidAddress
        | RegistrationRefusal::AlreadyRegistered
        | RegistrationRefusal::TooManyMethods { .. }
        | RegistrationRefusal::DeliveryFailed => Field::Address,
        _ => Field::Form,
    }
}

impl<St: FlowStore + 'static> App<St> {
    fn register_page(
        &self,
        csrf: &str,
        form: Option<&RegisterForm>,
        refusal: Option<&RegistrationRefusal>,
    ) -> Response {
        let user_id = form.and_then(|f| refill(&f.user_id));
        let page = Page::Register(RegisterView {
            form: FormContext { csrf, nonce: None },
            user_id,
            address: form.map_or("", |f| f.address.as_str()),
            kind: form.map_or("", |f| f.kind.as_str()),
            action: form.map_or("", |f| f.action.as_str()),
            refusal,
        });
        self.html(StatusCode::OK, &page)
    }

    fn codes_page(
        &self,
        csrf: &str,
        pending: &PendingRegistration,
        proved: bool,
        refusal: Option<&RegistrationRefusal>,
    ) -> Response {
        let Ok(sealed) = pending.seal(self.flows.keys()) else {
            return self.problem(crate::Problem::Unavailable);
        };
        let page = Page::RegisterCodes(RegisterCodesView {
            form: FormContext { csrf, nonce: None },
            pending: &sealed,
            code_for: pending.code_for(),
            proved,
            digits: self.sspr.policy().code_digits(),
            deadline: pending.deadline(),
            refusal,
        });
        self.html(StatusCode::OK, &page)
    }
}

/// `GET <base>/register`: the form. It sets the start cookie when the browser has none.
pub(crate) async fn form<St: FlowStore + 'static>(
    State(app): State<Arc<App<St>>>,
    headers: HeaderMap,
) -> Response {
    start_form(&app, &headers, |csrf| app.register_page(csrf, None, None))
}

/// `POST <base>/register`: checks the password, sends the codes and shows their page, or
/// shows the refusal.
pub(crate) async fn begin<St: FlowStore + 'static>(
    State(app): State<Arc<App<St>>>,
    headers: HeaderMap,
    form: Result<Form<RegisterForm>, FormRejection>,
) -> Response {
    let (mut form, csrf) = match app.accept_start(&headers, form) {
        Ok(accepted) => accepted,
        Err(response) => return response,
    };
    let password = Password::new(std::mem::take(&mut form.password));
    let address = form.address.trim().to_owned();
    let change = match (form.action.as_str(), form.kind.as_str()) {
        ("confirm", _) => MethodChange::Confirm,
        (_, "email") => MethodChange::Add(ContactMethod::email(address)),
        (_, "sms") => MethodChange::Add(ContactMethod::sms(address)),
        (_, "voice") => MethodChange::Add(ContactMethod::voice(address)),
        _ => {
            let refusal = RegistrationRefusal::InvalidAddress;
            return app.register_page(&csrf, Some(&form), Some(&refusal));
        }
    };
    match app
        .sspr
        .begin_registration(&form.user_id, password, change)
        .await
    {
        Ok(pending) => app.codes_page(&csrf, &pending, false, None),
        Err(refusal) => app.register_page(&csrf, Some(&form), Some(&refusal)),
    }
}

/// `POST <base>/register/confirm`: checks the codes; the methods, or the codes' page
/// again with the refusal, or the first form when the registration is over.
pub(crate) async fn confirm<St: FlowStore + 'static>(
    State(app): State<Arc<App<St>>>,
    headers: HeaderMap,
    form: Result<Form<CodesForm>, FormRejection>,
) -> Response {
    let (form, csrf) = match app.accept_start(&headers, form) {
        Ok(accepted) => accepted,
        Err(response) => return response,
    };
    let pending = match PendingRegistration::open(app.flows.keys(), &form.pending) {
        Ok(pending) => pending,
        Err(refusal) => return app.register_page(&csrf, None, Some(&refusal)),
    };
    match pending.confirm(&app.sspr, &form.code).await {
        Ok(Confirmed::Registered(registered)) => app.html(
            StatusCode::OK,
            &Page::Registered(RegisteredView {
                methods: &registered.methods,
                confirmed: registered.confirmed,
            }),
        ),
        Ok(Confirmed::NewCodeSent(pending)) => app.codes_page(&csrf, &pending, true, None),
        Err(refused) => {
            let (reason, pending) = refused.into_parts();
            match pending {
                Some(pending) => app.codes_page(&csrf, &pending, false, Some(&reason)),
                None => app.register_page(&csrf, None, Some(&reason)),
            }
        }
    }
}

impl StartBound for RegisterForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl StartBound for CodesForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}
