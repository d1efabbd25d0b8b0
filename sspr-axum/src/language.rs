//! The person's language: the one chosen on the language switch (a cookie), else the
//! best of the browser's `Accept-Language` that the router holds, else English. Every
//! page of a request is in it, refusal pages of the rate limiter included: the router's
//! outermost layer settles it once per request ([`scope`]) and the pages read it.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sspr::locale::{Localizer, Translations};
use sspr::store::FlowStore;

use crate::pages::{LanguageChoice, Problem};
use crate::routes::App;

tokio::task_local! {
    /// The language tag of the request being answered.
    static CURRENT: String;
}

/// The router's texts and the languages of its switch.
pub(crate) struct Languages {
    translations: Translations,
    choices: Vec<LanguageChoice>,
}

impl Languages {
    pub(crate) fn new(translations: Translations) -> Self {
        let choices = translations
            .languages()
            .into_iter()
            .map(|tag| {
                let name = translations
                    .negotiate(&[tag.as_str()])
                    .text("language-name", &[])
                    .unwrap_or_else(|| tag.clone());
                LanguageChoice { tag, name }
            })
            .collect();
        Languages {
            translations,
            choices,
        }
    }

    /// The languages of the switch.
    pub(crate) fn choices(&self) -> &[LanguageChoice] {
        &self.choices
    }

    /// Whether `tag` is one of the router's languages, exactly.
    pub(crate) fn holds(&self, tag: &str) -> bool {
        self.choices.iter().any(|c| c.tag == tag)
    }

    /// The tag of the language for a request: the chosen one if held, else the best of
    /// `Accept-Language`, else English.
    fn choose(&self, chosen: Option<&str>, accept: Option<&str>) -> String {
        let mut wanted: Vec<String> = chosen.map(str::to_owned).into_iter().collect();
        if let Some(accept) = accept {
            wanted.extend(Translations::accept_language(accept));
        }
        let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
        self.translations.negotiate(&wanted).language()
    }

    /// The texts of the current request's language (English outside a request).
    pub(crate) fn current(&self) -> Localizer<'_> {
        let tag = current();
        self.translations.negotiate(&[tag.as_str()])
    }
}

/// The current request's language tag (`en` outside a request).
pub(crate) fn current() -> String {
    CURRENT
        .try_with(Clone::clone)
        .unwrap_or_else(|_| "en".to_owned())
}

/// Settles the request's language, for everything that answers it.
pub(crate) async fn scope<St: FlowStore + 'static>(
    State(app): State<std::sync::Arc<App<St>>>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        // A header far longer than any real one is not read at all.
        .filter(|v| v.len() <= 512);
    let tag = app.languages.choose(app.jar.language(headers), accept);
    CURRENT.scope(tag, next.run(request)).await
}

/// The language switch's query: `?to=nl`.
#[derive(Debug, Deserialize)]
pub(crate) struct SwitchQuery {
    to: String,
}

/// `GET <base>/language?to=<tag>`: remembers the language (a cookie) and shows the
/// current step again in it, or the start page when there is no flow.
pub(crate) async fn switch<St: FlowStore + 'static>(
    State(app): State<std::sync::Arc<App<St>>>,
    headers: HeaderMap,
    query: Result<Query<SwitchQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(SwitchQuery { to })) = query else {
        return app.problem(Problem::BadRequest);
    };
    if !app.languages.holds(&to) {
        return app.problem(Problem::BadRequest);
    }
    let back = if app.jar.flow(&headers).is_some() {
        app.urls.continue_flow()
    } else {
        app.urls.start_page()
    };
    let mut response = StatusCode::SEE_OTHER.into_response();
    let response_headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(&back) {
        response_headers.insert(header::LOCATION, location);
    }
    if let Some(cookie) = app.jar.set_language(&to) {
        response_headers.append(header::SET_COOKIE, cookie);
    }
    response
}
