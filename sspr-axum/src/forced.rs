//! "Change your password at next sign-in": after an admin reset a password to a temporary
//! one, `GET <base>/change` shows the form (user ID, the temporary password, the new
//! password twice) and `POST <base>/change` replaces it
//! ([`Sspr::change_temporary_password`](sspr::Sspr::change_temporary_password)). A host's
//! sign-in sends a person whose password must change here. The form is tied to the start
//! cookie by its CSRF token and rate-limited per client like answering a challenge.

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use sspr::Ending;
use sspr::admin::{ForcedChange, ForcedChangeRefusal};
use sspr::password::{Password, PasswordRefusal};
use sspr::store::FlowStore;

use crate::pages::{Field, ForcedChangeView, FormContext, Page};
use crate::routes::{App, StartBound, refill, start_form};

/// The form as posted. Not `Debug`: it holds passwords.
#[derive(Deserialize)]
pub(crate) struct ChangeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    temporary: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
}

/// The field a refusal of the forced change belongs to (`Field::Form` for the temporary
/// password's own refusals, which name the user ID and the password together).
pub fn field_of(refusal: &ForcedChangeRefusal) -> Field {
    match refusal {
        ForcedChangeRefusal::UserId(_) => Field::UserId,
        ForcedChangeRefusal::Password(PasswordRefusal::Mismatch) => Field::Confirm,
        ForcedChangeRefusal::Password(_) => Field::NewPassword,
        _ => Field::Form,
    }
}

impl<St: FlowStore + 'static> App<St> {
    fn change_page(
        &self,
        csrf: &str,
        user_id: Option<&str>,
        refusal: Option<&ForcedChangeRefusal>,
    ) -> Response {
        let page = Page::ForcedChange(ForcedChangeView {
            form: FormContext { csrf, nonce: None },
            user_id,
            refusal,
        });
        self.html(StatusCode::OK, &page)
    }
}

/// `GET <base>/change`: the form. It sets the start cookie when the browser has none.
pub(crate) async fn form<St: FlowStore + 'static>(
    State(app): State<Arc<App<St>>>,
    headers: HeaderMap,
) -> Response {
    start_form(&app, &headers, |csrf| app.change_page(csrf, None, None))
}

/// `POST <base>/change`: replaces the temporary password, or shows the refusal.
pub(crate) async fn submit<St: FlowStore + 'static>(
    State(app): State<Arc<App<St>>>,
    headers: HeaderMap,
    form: Result<Form<ChangeForm>, FormRejection>,
) -> Response {
    let (form, csrf) = match app.accept_start(&headers, form) {
        Ok(accepted) => accepted,
        Err(response) => return response,
    };
    let ChangeForm {
        user_id,
        temporary,
        new_password,
        confirm,
        ..
    } = form;
    let changed = app
        .sspr
        .change_temporary_password(
            &user_id,
            Password::new(temporary),
            Password::new(new_password),
            Password::new(confirm),
        )
        .await;
    match changed {
        Ok(ForcedChange::Completed(done)) => {
            app.html(StatusCode::OK, &Page::Ending(&Ending::Completed(done)))
        }
        Ok(ForcedChange::Locked(locked)) => {
            app.html(StatusCode::OK, &Page::Ending(&Ending::Locked(locked)))
        }
        Err(refusal) => app.change_page(&csrf, refill(&user_id), Some(&refusal)),
    }
}

impl StartBound for ChangeForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}
