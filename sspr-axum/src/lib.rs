//! # sspr-axum — the password reset wizard of `sspr` on the web
//!
//! An axum [`Router`] that serves the whole wizard of [`sspr`] as server-rendered HTML
//! pages that work without JavaScript: "Can't access your account?", the user ID and the
//! picture or audio challenge, the choice of a contact method (when the policy reveals
//! them), the code, the new password, and every ending. A host builds it from its
//! [`Sspr`], a [`Flows`] over its flow store and (optionally) its own [`Pages`], and
//! merges it into its app under a base path of its choice:
//!
//! ```no_run
//! use sspr::host::{InMemoryDirectory, Keys, Outbox, TokioBlocking, TokioSpawn};
//! use sspr::store::{Flows, MemoryFlowStore};
//! use sspr::Sspr;
//! use sspr_axum::Web;
//! use sspr_axum::server::ServeOptions;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let keys = Keys::ephemeral()?; // one process with an in-memory store
//! let store = MemoryFlowStore::new();
//! let sspr = Sspr::builder(InMemoryDirectory::new(), Outbox::new())
//!     .keys(&keys)
//!     .counters(store.clone())
//!     .offload(TokioBlocking) // Argon2id on tokio's blocking pool
//!     .dispatch(TokioSpawn) // code deliveries as tasks, off the request
//!     .build()?;
//! let web = Web::new(sspr, Flows::new(store, keys)?).base_path("/reset");
//! let app = axum::Router::new().merge(web.router()?);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! // Deadlines and limits on every connection; the peer address keys the per-client
//! // rate limits.
//! sspr_axum::server::serve(listener, app, ServeOptions::default(), async {
//!     let _ = tokio::signal::ctrl_c().await;
//! })
//! .await?;
//! # Ok(()) }
//! ```
//!
//! What it does for the web (see the modules):
//!
//! - **Cookies** ([`cookies`]): the flow ID lives in an `HttpOnly`, `SameSite=Strict`
//!   cookie, `Secure` and `__Host-` prefixed unless the host serves plain HTTP on
//!   loopback ([`Web::secure_cookies`]), never in a URL.
//! - **CSRF**: every form carries a token bound to the flow (or, before a flow, to a
//!   start cookie) under a [`CsrfKey`]; the step nonce in every form turns a form sent
//!   twice (Back, then send again) into a clear "this page is out of date" page.
//! - **Headers** ([`security`]): a strict Content-Security-Policy (no inline script or
//!   style, scripts from this origin only, `frame-ancestors 'none'`), `X-Content-Type-Options: nosniff`,
//!   `Referrer-Policy: no-referrer`, `Cache-Control: no-store` on every page and on the
//!   challenge's picture and clip; request bodies and headers are bounded; no error page
//!   shows anything the request held.
//! - **Rate limits** ([`limits`]): per client (peer address, or a header of the host's
//!   trusted proxy), on starting flows, answering challenges, sending codes and
//!   rendering challenges, on top of the wizard's own per-flow and per-user limits.
//! - **Pages** ([`pages`]): maud templates with a label on every field, refusals tied to
//!   their field (`aria-describedby`), `autocomplete` values, `<html lang>`, a stylesheet
//!   served as a file with a visible focus ring, and one script, on the audio
//!   challenge's page only, with which Ctrl in the answer box plays or pauses the clip;
//!   a host replaces any page with its own [`Pages`].
//! - **Languages**: English and Dutch built in ([`pages::translations`]); each request's
//!   language is the one chosen on the language switch of every page (a cookie; the
//!   switch keeps the flow, and the audio clip follows), else the best of
//!   `Accept-Language`, else English. [`Web::translations`] adds a language or overrides
//!   any text.
//! - **Serving** ([`server::serve`]): HTTP/1.1 with a header deadline, a request
//!   deadline, hard header limits and a bounded number of connections.
//! - **Beside the wizard**: the change of an admin's temporary password at next sign-in
//!   (`<base>/change`, [`forced`]), "contact your administrator" (`<base>/contact-admins`),
//!   the registration of contact methods (`<base>/register`, [`registration`]), an
//!   admin's reset link (`<base>/link?token=…`, with [`Web::reset_links`]) and the
//!   request for a new global admin (`<base>/support`, with [`Web::support_desk`]).
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// A handler's helpers return the page that ends the request as their error (a
// `Response`): once per request, not worth a box.
#![allow(clippy::result_large_err)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::panic, clippy::unreachable)
)]

mod contact;
pub mod cookies;
pub mod forced;
mod forms;
mod language;
pub mod limits;
pub mod link;
mod media;
pub mod metrics;
pub mod pages;
pub mod registration;
mod routes;
pub mod security;
pub mod server;
pub mod support;

use std::fmt;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{MethodRouter, get, post};
use sspr::Sspr;
use sspr::grant::GrantStore;
use sspr::locale::Translations;
use sspr::store::{FlowStore, Flows};
use sspr::support::SupportDesk;
use tower_governor::{GovernorError, GovernorLayer};

pub use cookies::CsrfKey;
pub use limits::{ClientAddress, Limiters, Quota, RateLimits};
pub use pages::{DefaultPages, Page, PageContext, Pages, Problem, Urls};

use routes::App;

/// Why the router could not be built.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// No CSRF key was given and the OS CSPRNG failed to make one.
    NoCsrfKey,
    /// The base path is not `""` or `/segment[/segment…]` of URL-safe characters.
    BasePath,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BuildError::NoCsrfKey => "no CSRF key could be made (the OS random source failed)",
            BuildError::BasePath => "the base path must be empty or like /reset",
        })
    }
}

impl std::error::Error for BuildError {}

/// The web wizard of one service: what the router is built from.
pub struct Web<St> {
    sspr: Sspr,
    flows: Flows<St>,
    pages: Arc<dyn Pages>,
    translations: Option<Translations>,
    desk: Option<support::Desk>,
    grants: Option<link::Grants>,
    base: String,
    secure: bool,
    csrf: Option<CsrfKey>,
    limits: RateLimits,
    address: ClientAddress,
    limiters: Option<Limiters>,
}

impl<St> fmt::Debug for Web<St> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Web")
            .field("base", &self.base)
            .field("secure", &self.secure)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl<St: FlowStore + Clone + 'static> Web<St> {
    /// The wizard of `sspr`, its flows kept in `flows`, with the [`DefaultPages`], at
    /// the root path, `Secure` cookies, a random CSRF key, the default [`RateLimits`]
    /// keyed on the peer address.
    ///
    /// Build `sspr` with `.offload(TokioBlocking)`, so that Argon2id runs on tokio's
    /// blocking pool and never on the async workers, and `.dispatch(TokioSpawn)`, so
    /// that code deliveries run as tasks of the server's runtime.
    pub fn new(sspr: Sspr, flows: Flows<St>) -> Self {
        Web {
            sspr,
            flows,
            pages: Arc::new(DefaultPages::new()),
            translations: None,
            desk: None,
            grants: None,
            base: String::new(),
            secure: true,
            csrf: None,
            limits: RateLimits::default(),
            address: ClientAddress::default(),
            limiters: None,
        }
    }

    /// The pages (default: [`DefaultPages`]).
    #[must_use]
    pub fn pages(mut self, pages: impl Pages) -> Self {
        self.pages = Arc::new(pages);
        self
    }

    /// The texts of the pages, in every language the router serves (default:
    /// [`pages::translations`], English and Dutch). Start from that and add a language or
    /// override any message with [`Translations::add`]: a language needs the `page-*`
    /// texts of `src/locale/en.ftl` of this crate and a `language-name`, or falls back to
    /// English message by message.
    #[must_use]
    pub fn translations(mut self, translations: Translations) -> Self {
        self.translations = Some(translations);
        self
    }

    /// The support desk that takes requests for a new global admin (when the
    /// organisation's has left): with one, the router serves the request form at
    /// [`Urls::support`] (rate-limited by [`RateLimits::support`]: each request costs a
    /// person's time) and the "ask your admin" page links to it. Without one (the default), neither.
    #[must_use]
    pub fn support_desk(mut self, desk: impl SupportDesk + 'static) -> Self {
        self.desk = Some(support::Desk::new(desk));
        self
    }

    /// The store of reset links an admin issues ([`Sspr::issue_reset_link`]): with one,
    /// the router serves the link's page at [`Urls::reset_link`] (`?token=…`),
    /// rate-limited like answering a challenge, where the user sets a new password.
    /// Without one (the default), no such page.
    #[must_use]
    pub fn reset_links(mut self, grants: impl GrantStore + 'static) -> Self {
        self.grants = Some(link::Grants::new(grants));
        self
    }

    /// The path the router's routes live under: `""` (the root) or like `/reset`.
    #[must_use]
    pub fn base_path(mut self, base: &str) -> Self {
        base.trim_end_matches('/').clone_into(&mut self.base);
        self
    }

    /// Whether cookies are `Secure` (and `__Host-` prefixed). Leave it on (the default)
    /// unless the server is reached over plain HTTP on loopback, where browsers would
    /// not send them back.
    #[must_use]
    pub fn secure_cookies(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// The CSRF key: the same on every server that shares the flow store (default: a
    /// random key for this process).
    #[must_use]
    pub fn csrf_key(mut self, key: CsrfKey) -> Self {
        self.csrf = Some(key);
        self
    }

    /// The per-client limits (default: [`RateLimits::default`]).
    #[must_use]
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.limits = limits;
        self.limiters = None;
        self
    }

    /// Where the client's address comes from (default: the TCP peer).
    #[must_use]
    pub fn client_address(mut self, address: ClientAddress) -> Self {
        self.address = address;
        self.limiters = None;
        self
    }

    /// The rate limiters the router will use (made now if not yet): call
    /// [`Limiters::retain_recent`] on them now and then.
    pub fn limiters(&mut self) -> Limiters {
        self.limiters
            .get_or_insert_with(|| Limiters::new(&self.limits, &self.address))
            .clone()
    }

    /// The URLs of the router's pages.
    pub fn urls(&self) -> Urls {
        Urls::new(&self.base)
    }

    /// The router: every route under the base path, with the security headers, the
    /// bounds on requests and the rate limits. Serve it with [`server::serve`] (or
    /// `axum::serve` with `into_make_service_with_connect_info::<SocketAddr>()`), so that
    /// the rate limits see the peer address.
    pub fn router(mut self) -> Result<Router, BuildError> {
        let valid_base = self.base.is_empty()
            || (self.base.starts_with('/')
                && self.base[1..].split('/').all(|segment| {
                    !segment.is_empty()
                        && segment
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b))
                }));
        if !valid_base {
            return Err(BuildError::BasePath);
        }
        let limiters = self.limiters();
        let csrf = match self.csrf.take() {
            Some(key) => key,
            None => CsrfKey::random().ok_or(BuildError::NoCsrfKey)?,
        };
        let urls = Urls::new(&self.base);
        let app = Arc::new(App {
            jar: cookies::CookieJar::new(self.secure, &self.base),
            sspr: self.sspr,
            flows: self.flows,
            pages: self.pages,
            languages: language::Languages::new(
                self.translations.unwrap_or_else(pages::translations),
            ),
            desk: self.desk,
            grants: self.grants,
            csrf,
            urls: urls.clone(),
        });
        let limit = |route: MethodRouter<Arc<App<St>>>, config: &Arc<limits::Config>| {
            let app = app.clone();
            route.layer(
                GovernorLayer::new(config.clone()).error_handler(move |error| {
                    let retry_after = match error {
                        GovernorError::TooManyRequests { wait_time, .. } => wait_time.max(1),
                        _ => 1,
                    };
                    app.problem(Problem::TooManyRequests { retry_after })
                }),
            )
        };
        let mut router = Router::new()
            .route(&urls.start_page(), get(routes::start_page::<St>))
            .route(
                &urls.start(),
                limit(post(routes::start::<St>), &limiters.start),
            )
            .route(&urls.account(), post(routes::account::<St>))
            .route(
                &urls.identify(),
                limit(post(routes::identify::<St>), &limiters.answer),
            )
            .route(
                &urls.switch_challenge(),
                post(routes::switch_challenge::<St>),
            )
            .route(&urls.new_challenge(), post(routes::new_challenge::<St>))
            .route(
                &urls.path("/challenge"),
                limit(get(media::challenge::<St>), &limiters.media),
            )
            .route(
                &urls.method(),
                limit(post(routes::method::<St>), &limiters.send),
            )
            .route(&urls.verify(), post(routes::verify::<St>))
            .route(
                &urls.resend(),
                limit(post(routes::resend::<St>), &limiters.send),
            )
            .route(&urls.another_method(), post(routes::another_method::<St>))
            .route(&urls.password(), post(routes::password::<St>))
            .route(&urls.continue_flow(), get(routes::continue_flow::<St>))
            .route(&urls.path("/language"), get(language::switch::<St>))
            .route(&urls.stylesheet(), get(routes::stylesheet))
            .route(&urls.script(), get(routes::script));
        if !self.base.is_empty() {
            router = router.route(&self.base, get(routes::start_page::<St>));
        }
        router = router.route(
            &urls.forced_change(),
            get(forced::form::<St>).merge(limit(post(forced::submit::<St>), &limiters.answer)),
        );
        router = router
            .route(
                &urls.register(),
                get(registration::form::<St>)
                    .merge(limit(post(registration::begin::<St>), &limiters.send)),
            )
            .route(
                &urls.register_confirm(),
                limit(post(registration::confirm::<St>), &limiters.answer),
            );
        router = router.route(
            &urls.contact_admins(),
            get(contact::form::<St>).merge(limit(post(contact::submit::<St>), &limiters.send)),
        );
        if app.grants.is_some() {
            router = router.route(
                &urls.reset_link(),
                get(link::form::<St>).merge(limit(post(link::submit::<St>), &limiters.answer)),
            );
        }
        if app.desk.is_some() {
            router = router.route(
                &urls.support(),
                get(support::form::<St>)
                    .merge(limit(post(support::submit::<St>), &limiters.support)),
            );
        }
        Ok(router
            .route_layer(middleware::from_fn(metrics::track))
            .layer(DefaultBodyLimit::max(security::MAX_BODY_BYTES))
            .layer(middleware::from_fn_with_state(
                app.clone(),
                routes::bounds::<St>,
            ))
            .layer(middleware::from_fn(security::headers))
            .layer(middleware::from_fn_with_state(
                app.clone(),
                language::scope::<St>,
            ))
            .with_state(app))
    }
}
