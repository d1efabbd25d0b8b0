//! The support request for a new global admin, when the organisation's global admin has
//! left: `GET <base>/support` shows the form, `POST <base>/support` files it with the
//! host's support desk ([`Web::support_desk`](crate::Web::support_desk)) and shows the
//! ticket's reference. The form is tied to the start cookie by its CSRF token, like the
//! first page, and rate-limited per client by its own quota (3, then one every 20
//! minutes: a ticket costs a person's time); a refusal is shown at its field. The routes exist only when the host gave a desk.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use sspr::store::FlowStore;
use sspr::support::{
    SupportDesk, SupportError, SupportField, SupportRequest, SupportRequestError, TicketReference,
};
use time::OffsetDateTime;

use crate::pages::{FormContext, Page, Problem, SupportFiledView, SupportView};
use crate::routes::{App, StartBound, start_form};

type Filing<'a> = Pin<Box<dyn Future<Output = Result<TicketReference, SupportError>> + Send + 'a>>;

/// [`SupportDesk`], object-safe.
trait ErasedDesk: Send + Sync {
    fn file(&self, request: SupportRequest, at: OffsetDateTime) -> Filing<'_>;
}

impl<D: SupportDesk> ErasedDesk for D {
    fn file(&self, request: SupportRequest, at: OffsetDateTime) -> Filing<'_> {
        Box::pin(self.request_new_global_admin(request, at))
    }
}

/// The host's support desk, as the router holds it.
#[derive(Clone)]
pub(crate) struct Desk(Arc<dyn ErasedDesk>);

impl Desk {
    pub(crate) fn new(desk: impl SupportDesk + 'static) -> Self {
        Desk(Arc::new(desk))
    }
}

impl SupportDesk for Desk {
    async fn request_new_global_admin(
        &self,
        request: SupportRequest,
        at: OffsetDateTime,
    ) -> Result<TicketReference, SupportError> {
        self.0.file(request, at).await
    }
}

/// The support form as posted. Not `Debug`: it holds the requester's personal data.
#[derive(Deserialize, Default)]
pub(crate) struct SupportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) email: String,
    #[serde(default)]
    pub(crate) phone: String,
    #[serde(default)]
    pub(crate) company: String,
    #[serde(default)]
    pub(crate) organisation: String,
    #[serde(default)]
    pub(crate) explanation: String,
}

impl StartBound for SupportForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// The name of a field of the support form, and of its input.
pub fn field_name(field: SupportField) -> &'static str {
    match field {
        SupportField::Name => "name",
        SupportField::EmailAddress => "email",
        SupportField::PhoneNumber => "phone",
        SupportField::CompanyName => "company",
        SupportField::OrganisationDomain => "organisation",
        _ => "explanation",
    }
}

/// The field a refusal of the support form belongs to.
pub fn field_of(refusal: &SupportRequestError) -> SupportField {
    match refusal {
        SupportRequestError::Missing(field)
        | SupportRequestError::ControlCharacter(field)
        | SupportRequestError::TooLong { field, .. } => *field,
        _ => SupportField::EmailAddress,
    }
}

impl<St: FlowStore + 'static> App<St> {
    /// The support form, with what was typed and the refusal, if any.
    fn support_page(
        &self,
        status: StatusCode,
        token: &str,
        typed: &SupportForm,
        refusal: Option<&SupportRequestError>,
    ) -> Response {
        let page = Page::Support(SupportView {
            form: FormContext {
                csrf: token,
                nonce: None,
            },
            name: &typed.name,
            email: &typed.email,
            phone: &typed.phone,
            company: &typed.company,
            organisation: &typed.organisation,
            explanation: &typed.explanation,
            refusal,
        });
        self.html(status, &page)
    }
}

/// `GET <base>/support`: the form. It sets the start cookie when the browser has none.
pub(crate) async fn form<St: FlowStore + 'static>(
    State(app): State<Arc<App<St>>>,
    headers: HeaderMap,
) -> Response {
    start_form(&app, &headers, |csrf| {
        app.support_page(StatusCode::OK, csrf, &SupportForm::default(), None)
    })
}

/// `POST <base>/support`: files the request, or shows the form again with the refusal
/// at its field.
pub(crate) async fn submit<St: FlowStore + 'static>(
    State(app): State<Arc<App<St>>>,
    headers: HeaderMap,
    form: Result<Form<SupportForm>, FormRejection>,
) -> Response {
    let (typed, token) = match app.accept_start(&headers, form) {
        Ok(accepted) => accepted,
        Err(response) => return response,
    };
    let Some(desk) = app.desk.as_ref() else {
        return app.problem(Problem::NotFound);
    };
    let request = match SupportRequest::new(
        &typed.name,
        &typed.email,
        &typed.phone,
        &typed.company,
        &typed.organisation,
        &typed.explanation,
    ) {
        Ok(request) => request,
        Err(refusal) => {
            return app.support_page(StatusCode::OK, &token, &typed, Some(&refusal));
        }
    };
    match app.sspr.request_new_global_admin(desk, request).await {
        Ok(ticket) => app.html(
            StatusCode::OK,
            &Page::SupportFiled(SupportFiledView { ticket: &ticket }),
        ),
        Err(_) => app.problem(Problem::Unavailable),
    }
}
