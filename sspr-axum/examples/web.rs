//! The whole self-service password reset wizard in the browser: sspr-axum's router on an
//! embedded in-memory directory with the same demo accounts as the terminal example.
//!
//! ```text
//! cargo run --example web                       # http://127.0.0.1:3000/
//! cargo run --example web -- --addr 127.0.0.1:8080
//! cargo run --example web -- --reveal           # show the methods and "ask your admin"
//! SSPR_SECRET=$(openssl rand -hex 32) cargo run --example web -- --redis redis://127.0.0.1/
//! ```
//!
//! Open the address it prints: the sign-in page links to "Can't access your account?".
//! Its metrics (steps, endings, refusals, requests and their durations; no personal data)
//! are at `/metrics` in Prometheus's text format.
//! The codes the demo accounts receive are on the **demo mailbox** page (`/demo-mailbox`),
//! which stands for the people's phones and mailboxes: a real deployment has no such
//! page. Nothing in this example shows a challenge's answer: read the picture, or listen
//! to the clip.
//!
//! Options:
//!
//! - `--addr ADDR`: where to listen (default `127.0.0.1:3000`). Cookies are `Secure` on
//!   any address but loopback, so serve another address behind TLS (a reverse proxy).
//! - `--redis URL`: keep flows and per-user limits in Redis (several servers can then
//!   share them). Needs the deployment's master secret in `SSPR_SECRET` (64 hex digits),
//!   the same on every server: flows are sealed, codes and Redis key names keyed, and CSRF
//!   tokens made under it.
//! - `--reveal`: the policy that shows the masked contact methods and ends with "ask your
//!   admin" for an account that cannot reset (`conceal(false)`); the default hides which
//!   accounts exist.
//! - `--trusted-header NAME`: key the per-client rate limits on this header of your reverse
//!   proxy (`X-Forwarded-For`, …) instead of the peer address.

use std::error::Error;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::html;
use sspr::grant::GrantStore;
use sspr::host::{
    ContactMethod, DeliveryContent, InMemoryDirectory, Keys, Notice, Outbox, Role, TokioBlocking,
    TokioSpawn, UserRecord,
};
use sspr::locale::Translations;
use sspr::password::{HashParams, Password, hash_password_with_os_rng};
use sspr::policy::Policy;
use sspr::store::{FlowStore, Flows, MemoryFlowStore, RedisFlowStore, StoreKey};
use sspr::support::InMemorySupportDesk;
use sspr::{Sspr, UserId};
use sspr_axum::pages::{self, DefaultPages, Page, PageContext, Pages, Problem, Urls};
use sspr_axum::{ClientAddress, CsrfKey, Web, security, server};

type BoxError = Box<dyn Error + Send + Sync>;

const USAGE: &str = "usage: cargo run --example web -- [--addr 127.0.0.1:3000] [--reveal] \
                     [--redis URL] [--trusted-header NAME]";

/// Where the wizard lives in this app.
const BASE: &str = "/reset";

/// May reset by themselves; an email address and a mobile phone are registered.
const JAN: &str = "jan.jansen@contoso.nl";
/// Jan's password, to register his contact methods.
const JAN_PASSWORD: &str = "tulip canal bicycle 7";
/// Self-service reset is not enabled for this account.
const PIET: &str = "piet.pietersen@contoso.nl";
/// The global admin: must prove two methods.
const ADMIN: &str = "beheerder@contoso.nl";

/// The demo accounts of the terminal example (`examples/wizard/world.rs`).
fn demo_directory() -> Result<InMemoryDirectory, BoxError> {
    let directory = InMemoryDirectory::new();
    let accounts = [
        (
            JAN,
            Role::User,
            true,
            vec![
                ContactMethod::email("jan.jansen@thuis.example"),
                ContactMethod::sms("+31 6 12345678"),
            ],
        ),
        (
            PIET,
            Role::User,
            false,
            vec![ContactMethod::sms("+31 6 11223344")],
        ),
        (
            ADMIN,
            Role::GlobalAdmin,
            true,
            vec![
                ContactMethod::email("beheerder.prive@mail.example"),
                ContactMethod::sms("+31 6 87654321"),
            ],
        ),
    ];
    for (id, role, self_service_reset, methods) in accounts {
        let password_hash = if id == JAN {
            Some(hash_password_with_os_rng(
                &Password::new(JAN_PASSWORD),
                &HashParams::default(),
            )?)
        } else {
            None
        };
        directory.insert(UserRecord {
            id: UserId::parse(id)?,
            tenant: "contoso".into(),
            roles: vec![role],
            self_service_reset,
            methods,
            password_hash,
            methods_confirmed: None,
        });
    }
    Ok(directory)
}

#[derive(Debug)]
struct Options {
    addr: SocketAddr,
    redis: Option<String>,
    reveal: bool,
    trusted_header: Option<HeaderName>,
}

impl Options {
    /// The options, `None` when help was asked for, or a message for a wrong argument.
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<Self>, String> {
        let mut options = Options {
            addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            redis: None,
            reveal: false,
            trusted_header: None,
        };
        while let Some(arg) = args.next() {
            let mut value = |name: &str| {
                args.next()
                    .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
            };
            match arg.as_str() {
                "--addr" => {
                    options.addr = value("--addr")?.parse().map_err(|_| {
                        format!("--addr takes an address like 127.0.0.1:3000\n{USAGE}")
                    })?;
                }
                "--redis" => options.redis = Some(value("--redis")?),
                "--reveal" => options.reveal = true,
                "--trusted-header" => {
                    let name = value("--trusted-header")?;
                    options.trusted_header =
                        Some(HeaderName::try_from(name.as_str()).map_err(|_| {
                            format!("--trusted-header takes a header name\n{USAGE}")
                        })?);
                }
                "-h" | "--help" => return Ok(None),
                _ => return Err(format!("unknown argument\n{USAGE}")),
            }
        }
        Ok(Some(options))
    }
}

/// The deployment's master secret from `SSPR_SECRET` (64 hex digits).
fn secret_from_env() -> Result<[u8; 32], BoxError> {
    let text = std::env::var("SSPR_SECRET").map_err(|_| {
        "--redis needs the deployment's master secret, the same on every server: \
         SSPR_SECRET=$(openssl rand -hex 32)"
    })?;
    let text = text.trim();
    if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("SSPR_SECRET must be 64 hex digits (openssl rand -hex 32)".into());
    }
    let mut secret = [0u8; 32];
    for (i, byte) in secret.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16)?;
    }
    Ok(secret)
}

/// What the example's own pages need.
#[derive(Clone)]
struct Demo {
    outbox: Outbox,
    /// The demo's support desk: requests for a new global admin land here.
    desk: InMemorySupportDesk,
    /// The reset link the global admin issued for Piet (Piet's mail, in the mailbox).
    link: Option<String>,
    urls: Urls,
    pages: std::sync::Arc<DefaultPages>,
    translations: std::sync::Arc<Translations>,
}

/// The demo's reset link: the global admin issues one for Piet (who may not reset by
/// himself), as an admin console would; the demo mailbox shows it as Piet's mail.
async fn demo_link(sspr: &Sspr, grants: &impl GrantStore) -> Result<String, BoxError> {
    let link = sspr
        .issue_reset_link(grants, &UserId::parse(ADMIN)?, &UserId::parse(PIET)?)
        .await?;
    Ok(format!("{BASE}/link?token={}", link.expose_secret()))
}

impl Demo {
    fn with_link(mut self, link: String) -> Self {
        self.link = Some(link);
        self
    }

    /// The demo's own pages (sign-in, mailbox, not found) are in English and have no
    /// language switch: the wizard's pages under /reset/ have both.
    fn english(&self) -> PageContext<'_> {
        PageContext {
            urls: &self.urls,
            text: self.translations.negotiate(&["en"]),
            languages: &[],
            support: false,
        }
    }
}

async fn run(options: Options) -> Result<(), BoxError> {
    let policy = if options.reveal {
        Policy::builder().conceal(false).build()?
    } else {
        Policy::default()
    };
    let outbox = Outbox::new();
    let builder = Sspr::builder(demo_directory()?, outbox.clone())
        .policy(policy)
        // Argon2id on tokio's blocking pool, code deliveries as tasks of this runtime.
        .offload(TokioBlocking)
        .dispatch(TokioSpawn);
    let pages = DefaultPages::new().sign_in_url("/");
    let address = match options.trusted_header.clone() {
        Some(name) => ClientAddress::TrustedHeader(name),
        None => ClientAddress::Peer,
    };
    // Browsers keep `Secure` cookies only over HTTPS, or over HTTP on loopback.
    let secure = !options.addr.ip().is_loopback();
    let demo = Demo {
        outbox,
        desk: InMemorySupportDesk::new(),
        link: None,
        urls: Urls::new(BASE),
        pages: std::sync::Arc::new(pages.clone()),
        translations: std::sync::Arc::new(pages::translations()),
    };
    match &options.redis {
        None => {
            // One process: random keys, flows and per-user limits in memory.
            let keys = Keys::ephemeral()?;
            let store = MemoryFlowStore::new();
            let sspr = builder.keys(&keys).counters(store.clone()).build()?;
            let flows = Flows::new(store.clone(), keys)?;
            let purge = store.clone();
            let link = demo_link(&sspr, &store).await?;
            let web = Web::new(sspr.clone(), flows).reset_links(store);
            let housekeeping = move || {
                purge.purge_expired(sspr.now());
            };
            serve(
                &options,
                web,
                pages,
                address,
                secure,
                demo.with_link(link),
                housekeeping,
            )
            .await
        }
        Some(url) => {
            let secret = secret_from_env()?;
            let keys = Keys::from_secret(secret);
            let store =
                RedisFlowStore::connect(url, "sspr-demo", StoreKey::from_keys(&keys)).await?;
            let sspr = builder.keys(&keys).counters(store.clone()).build()?;
            let flows = Flows::new(store.clone(), keys)?;
            let link = demo_link(&sspr, &store).await?;
            let web = Web::new(sspr, flows)
                .csrf_key(CsrfKey::from_secret(&secret))
                .reset_links(store);
            println!("Flows, per-user limits and reset links are kept in Redis.");
            serve(
                &options,
                web,
                pages,
                address,
                secure,
                demo.with_link(link),
                || {},
            )
            .await
        }
    }
}

async fn serve<St: FlowStore + Clone + 'static>(
    options: &Options,
    web: Web<St>,
    pages: DefaultPages,
    address: ClientAddress,
    secure: bool,
    demo: Demo,
    housekeeping: impl Fn() + Send + 'static,
) -> Result<(), BoxError> {
    let mut web = web
        .support_desk(demo.desk.clone())
        .base_path(BASE)
        .pages(pages)
        .secure_cookies(secure)
        .client_address(address);
    let limiters = web.limiters();
    let reset = web.router()?;
    // The router's counters and histograms (sspr_axum::metrics), in Prometheus's text
    // format at /metrics: a deployment serves them to its scraper only.
    let prometheus = metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder()?;
    let app = Router::new()
        .route("/", get(sign_in))
        .route("/demo-mailbox", get(mailbox))
        .route(
            "/metrics",
            get(move || std::future::ready(prometheus.render())),
        )
        .fallback(not_found)
        .with_state(demo)
        .merge(reset)
        .layer(middleware::from_fn(security::headers));

    // Now and then: forget rate-limit state of quiet clients, and expired flows.
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            limiters.retain_recent();
            housekeeping();
        }
    });

    // Decode the glyphs and recordings now, not on the first request.
    tokio::task::spawn_blocking(sspr::challenge::warm_up).await??;
    let listener = tokio::net::TcpListener::bind(options.addr).await?;
    let url = format!("http://{}/", listener.local_addr()?);
    println!("sspr: self-service password reset in the browser\n");
    println!("  Sign-in page:   {url}");
    println!("  Demo mailbox:   {url}demo-mailbox  (the codes the demo accounts receive)");
    println!("  Metrics:        {url}metrics  (Prometheus text format)");
    println!(
        "  Policy:         {}",
        if options.reveal {
            "reveal (methods shown, \"ask your admin\")"
        } else {
            "conceal (the default: no page tells who has an account)"
        }
    );
    if secure {
        println!(
            "\n  Not on loopback: cookies are Secure, so browsers need HTTPS in front of this \
             server."
        );
    }
    println!("\nDemo accounts (organisation \"contoso\"):");
    println!(
        "  {JAN:<27} self-service reset enabled: email and text message; password \"{JAN_PASSWORD}\""
    );
    println!("  {PIET:<27} self-service reset NOT enabled");
    println!("  {ADMIN:<27} global admin: must prove two methods");
    println!("  any other user ID           unknown\n");
    println!("Ctrl-C stops the server.");
    // Header and request deadlines, header limits and a bounded number of connections,
    // which `axum::serve` does not set.
    let bounds = server::ServeOptions {
        // Behind a reverse proxy every connection comes from the proxy: it bounds its
        // clients, not this server.
        max_connections_per_client: if options.trusted_header.is_some() {
            None
        } else {
            server::ServeOptions::default().max_connections_per_client
        },
        ..server::ServeOptions::default()
    };
    server::serve(listener, app, bounds, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

fn html_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// The host's sign-in page, as far as this demo has one: the way into the wizard.
async fn sign_in(State(demo): State<Demo>) -> Response {
    let body = html! {
        div class="demo-banner" role="note" {
            strong { "Demo. " }
            "This page stands in for your application's sign-in page; it signs nobody in."
        }
        h1 { "Sign in" }
        p { "Signing in is your application's part. The password reset below is the \
             sspr wizard." }
        p { a class="button-link" href=(demo.urls.start_page()) { "Can't access your account?" } }
        p { a href=(demo.urls.forced_change()) {
            "Your admin gave you a temporary password? Change it"
        } }
        p { a href=(demo.urls.register()) {
            "Register or confirm the methods a reset code can go to"
        } }
        h2 { "Demo accounts" }
        ul {
            li { strong { (JAN) } ": may reset (email and text message); password \u{201c}"
                (JAN_PASSWORD) "\u{201d}" }
            li { strong { (PIET) } ": self-service reset not enabled" }
            li { strong { (ADMIN) } ": global admin, proves two methods" }
            li { "any other user ID: unknown" }
        }
        p { "The codes they receive arrive in the "
            a href="/demo-mailbox" { "demo mailbox" } "." }
    };
    let page = pages::layout(&demo.english(), "Sign in", body);
    html_response(StatusCode::OK, page.into_string())
}

/// The demo accounts' phones and mailboxes: every message the service delivered.
async fn mailbox(State(demo): State<Demo>) -> Response {
    let deliveries = demo.outbox.deliveries();
    let body = html! {
        div class="demo-banner" role="note" {
            strong { "Demo mailbox. " }
            "It stands for the phones and mailboxes of the demo accounts, so that you can \
             read the codes sent to them. A real deployment has no such page: codes go to \
             the person only."
        }
        h1 { "Demo mailbox" }
        p { "A code arrives a moment after the page that sent it. "
            a href="/demo-mailbox" { "Refresh" } }
        @if deliveries.is_empty() {
            p { "Nothing was delivered yet." }
        } @else {
            table class="mailbox" {
                caption class="visually-hidden" { "Messages, newest first" }
                thead { tr { th scope="col" { "To" } th scope="col" { "Message" } } }
                tbody {
                    @for delivery in deliveries.iter().rev() {
                        tr {
                            td { (delivery.to.kind()) " " (delivery.to.address()) }
                            td {
                                @match &delivery.message {
                                    DeliveryContent::Code(code) => {
                                        "Your code is " span class="code" { (code) }
                                    }
                                    DeliveryContent::Notice(Notice::PasswordChanged) => {
                                        "Your password was changed."
                                    }
                                    DeliveryContent::Notice(Notice::ResetRequested) => {
                                        (delivery.user) " asks you, as an admin, to reset \
                                         their password."
                                    }
                                    DeliveryContent::Notice(Notice::AdminPasswordChanged) => {
                                        "The password of " (delivery.user) ", an admin of your \
                                         organisation, was reset."
                                    }
                                    DeliveryContent::Notice(Notice::MethodsChanged) => {
                                        "The contact methods of your account were changed."
                                    }
                                    DeliveryContent::Notice(_) => { "A notice about your account." }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if let Some(link) = &demo.link {
            h2 { "Piet's mail: a reset link" }
            p { "From " (ADMIN) " (global admin) to " (PIET) ", who may not reset by \
                 himself: " a href=(link) { "set a new password" } ". It works once, for a day." }
        }
        h2 { "Demo support desk" }
        @let tickets = demo.desk.tickets();
        @if tickets.is_empty() {
            p { "No request for a new global admin yet (the “ask your admin” page links to \
                 the form)." }
        } @else {
            table class="mailbox" {
                caption class="visually-hidden" { "Support tickets, newest first" }
                thead { tr { th scope="col" { "Ticket" } th scope="col" { "Organisation" } } }
                tbody {
                    @for (ticket, _, request) in tickets.iter().rev() {
                        tr { td { (ticket) } td { (request.company_name()) " (" (request.tenant()) ")" } }
                    }
                }
            }
        }
        p { a href="/" { "Back to sign-in" } }
    };
    let page = pages::layout(&demo.english(), "Demo mailbox", body);
    html_response(StatusCode::OK, page.into_string())
}

async fn not_found(State(demo): State<Demo>) -> Response {
    let page = demo
        .pages
        .render(&Page::Problem(Problem::NotFound), &demo.english());
    html_response(StatusCode::NOT_FOUND, page)
}

fn main() -> ExitCode {
    // Argon2id takes 19 MiB a run, on tokio's blocking threads, and the allocator keeps
    // what each thread's runs freed: as many blocking threads as cores (all the hashing
    // the machine can do at once) bound that memory. Challenge rendering queues there too.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(cores)
        .build();
    match runtime {
        Ok(runtime) => runtime.block_on(start()),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn start() -> ExitCode {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match run(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
