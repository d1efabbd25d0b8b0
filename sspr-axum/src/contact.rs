//! "Contact your administrator" in the browser: `GET <base>/contact-admins` shows a form
//! for the user ID, `POST <base>/contact-admins` asks the admins who may reset the account
//! ([`Sspr::contact_admins`](sspr::Sspr::contact_admins)) and shows the same page for
//! every user ID. The "ask your admin" ending links here. The form is tied to the start
//! cookie by its CSRF token and rate-limited per client like sending a code.

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use sspr::admin_request::ContactRefusal;
use sspr::store::FlowStore;

use crate::pages::{ContactAdminsView, FormContext, Page};
use crate::routes::{App, StartBound, refill, start_form};

/// The form as posted.
#[derive(Deserialize)]
pub(crate) struct ContactForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    user_id: String,
}

impl<St: FlowStore + 'static> App<St> {
    fn contact_page(
        &self,
        csrf: &str,
        user_id: Option<&str>,
        refusal: Option<&ContactRefusal>,
    ) -> Response {
        let page = Page::ContactAdmins(ContactAdminsView {
            form: FormContext { csrf, nonce: None },
            user_id,
            refusal,
        });
        self.html(StatusCode::OK, &page)
    }
}

/// `GET <base>/contact-admins`: the form. It sets the start cookie when the browser has
/// none.
pub(crate) async fn form<St: FlowStore + 'static>(
    State(app): State<Arc<App<St>>>,
    headers: HeaderMap,
) -> Response {
    start_form(&app, &headers, |csrf| app.contact_page(csrf, None, None))
}

/// `POST <base>/contact-admins`: asks the admins, or shows the refusal at the field.
pub(crate) async fn submit<St: FlowStore + 'static>(
    State(app): State<Arc<App<St>>>,
    headers: HeaderMap,
    form: Result<Form<ContactForm>, FormRejection>,
) -> Response {
    let (form, csrf) = match app.accept_start(&headers, form) {
        Ok(accepted) => accepted,
        Err(response) => return response,
    };
    match app.sspr.contact_admins(&form.user_id).await {
        Ok(()) => app.html(StatusCode::OK, &Page::ContactAdminsSent),
        Err(refusal) => app.contact_page(&csrf, refill(&form.user_id), Some(&refusal)),
    }
}

impl StartBound for ContactForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}
