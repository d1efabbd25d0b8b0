//! Reset links in the browser: `GET <base>/link?token=…` (the link an admin's reset link
//! message carries) shows the form, user ID and the new password twice, with the token
//! in a hidden field; `POST <base>/link` sets the password
//! ([`Sspr::redeem_reset_link`](sspr::Sspr::redeem_reset_link)) and shows the receipt.
//! The form is tied to the start cookie by its CSRF token and rate-limited per client
//! like answering a challenge; a refusal is shown at its field. The routes exist only
//! when the host gave the router its grant store ([`Web::reset_links`](crate::Web)).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use sspr::grant::{GrantDigest, GrantStore, GrantTaken, LinkRefusal, StoredGrant};
use sspr::password::{Password, PasswordRefusal};
use sspr::store::{FlowStore, StoreError};
use sspr::{Ending, UserId};
use time::OffsetDateTime;

use crate::pages::{Field, FormContext, Page, Problem, ResetLinkView};
use crate::routes::{App, StartBound, refill, start_form};

type Boxed<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// [`GrantStore`], object-safe.
trait ErasedGrants: Send + Sync {
    fn put<'a>(
        &'a self,
        user: &'a UserId,
        grant: StoredGrant,
        now: OffsetDateTime,
    ) -> Boxed<'a, ()>;
    fn take<'a>(
        &'a self,
        user: &'a UserId,
        digest: &'a GrantDigest,
        now: OffsetDateTime,
    ) -> Boxed<'a, GrantTaken>;
    fn revoke<'a>(&'a self, user: &'a UserId) -> Boxed<'a, bool>;
}

impl<G: GrantStore> ErasedGrants for G {
    fn put<'a>(
        &'a self,
        user: &'a UserId,
        grant: StoredGrant,
        now: OffsetDateTime,
    ) -> Boxed<'a, ()> {
        Box::pin(GrantStore::put(self, user, grant, now))
    }

    fn take<'a>(
        &'a self,
        user: &'a UserId,
        digest: &'a GrantDigest,
        now: OffsetDateTime,
    ) -> Boxed<'a, GrantTaken> {
        Box::pin(GrantStore::take(self, user, digest, now))
    }

    fn revoke<'a>(&'a self, user: &'a UserId) -> Boxed<'a, bool> {
        Box::pin(GrantStore::revoke(self, user))
    }
}

/// The host's grant store, as the router holds it.
#[derive(Clone)]
pub(crate) struct Grants(Arc<dyn ErasedGrants>);

impl Grants {
    pub(crate) fn new(grants: impl GrantStore + 'static) -> Self {
        Grants(Arc::new(grants))
    }
}

impl GrantStore for Grants {
    async fn put(
        &self,
        user: &UserId,
        grant: StoredGrant,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.0.put(user, grant, now).await
    }

    async fn take(
        &self,
        user: &UserId,
        digest: &GrantDigest,
        now: OffsetDateTime,
    ) -> Result<GrantTaken, StoreError> {
        self.0.take(user, digest, now).await
    }

    async fn revoke(&self, user: &UserId) -> Result<bool, StoreError> {
        self.0.revoke(user).await
    }
}

/// `?token=…` of the link.
#[derive(Deserialize)]
pub(crate) struct LinkQuery {
    #[serde(default)]
    token: String,
}

/// The form as posted. Not `Debug`: it holds the token and the password.
#[derive(Deserialize)]
pub(crate) struct LinkForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
}

/// The field a refusal of the link form belongs to.
pub fn field_of(refusal: &LinkRefusal) -> Field {
    match refusal {
        LinkRefusal::UserId(_) => Field::UserId,
        LinkRefusal::Password(PasswordRefusal::Mismatch) => Field::Confirm,
        LinkRefusal::Password(_) => Field::NewPassword,
        _ => Field::Form,
    }
}

/// The longest token the form takes back into the page (a real one has 64 characters).
const MAX_TOKEN_CHARS: usize = 128;

impl<St: FlowStore + 'static> App<St> {
    fn link_page(
        &self,
        token: &str,
        csrf: &str,
        user_id: Option<&str>,
        refusal: Option<&LinkRefusal>,
    ) -> Response {
        let page = Page::ResetLink(ResetLinkView {
            form: FormContext { csrf, nonce: None },
            token,
            user_id,
            refusal,
        });
        self.html(StatusCode::OK, &page)
    }
}

/// `GET <base>/link?token=…`: the form. It sets the start cookie when the browser has
/// none.
pub(crate) async fn form<St: FlowStore + 'static>(
    State(app): State<Arc<App<St>>>,
    headers: HeaderMap,
    query: Result<Query<LinkQuery>, QueryRejection>,
) -> Response {
    let token = query.map(|Query(q)| q.token).unwrap_or_default();
    if token.chars().count() > MAX_TOKEN_CHARS {
        return app.problem(Problem::BadRequest);
    }
    start_form(&app, &headers, |csrf| {
        app.link_page(&token, csrf, None, None)
    })
}

/// `POST <base>/link`: sets the password, or shows the form again with the refusal.
pub(crate) async fn submit<St: FlowStore + 'static>(
    State(app): State<Arc<App<St>>>,
    headers: HeaderMap,
    form: Result<Form<LinkForm>, FormRejection>,
) -> Response {
    let (form, csrf) = match app.accept_start(&headers, form) {
        Ok(accepted) => accepted,
        Err(response) => return response,
    };
    let Some(grants) = app.grants.as_ref() else {
        return app.problem(Problem::NotFound);
    };
    if form.token.chars().count() > MAX_TOKEN_CHARS {
        return app.problem(Problem::BadRequest);
    }
    let LinkForm {
        token,
        user_id,
        new_password,
        confirm,
        ..
    } = form;
    let redeemed = app
        .sspr
        .redeem_reset_link(
            grants,
            &user_id,
            &token,
            Password::new(new_password),
            Password::new(confirm),
        )
        .await;
    match redeemed {
        Ok(completed) => app.html(StatusCode::OK, &Page::Ending(&Ending::Completed(completed))),
        Err(refusal) => {
            // The user ID again when it parsed; the token again for another try.
            app.link_page(&token, &csrf, refill(&user_id), Some(&refusal))
        }
    }
}

impl StartBound for LinkForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}
