//! Whole resets under load on loopback, beside their ceiling measured in the same run:
//! `--clients` clients (16 by default), each its own connection, account and rate-limit
//! bucket, complete resets one after another for `--seconds` (20): the start page, the
//! account type, the user ID and challenge, the code, the new password (Argon2id on
//! tokio's blocking pool).
//!
//! ```text
//! cargo run --release -p sspr-axum --example load_resets --features test-support
//! ```
//!
//! The clients learn each challenge's answer the way only tests may: through the test
//! kit, from the server's flow store in this process (`test-support`); the server itself
//! has no door. The ceiling is raw Argon2id hashes per second (the policy's parameters,
//! one thread) times the cores: every reset hashes once.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderName, Request, StatusCode, header};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use sspr::host::{
    ContactMethod, DeliverAtOnce, InMemoryDirectory, Keys, Outbox, Role, TokioBlocking, UserRecord,
};
use sspr::password::Password;
use sspr::store::{Flows, MemoryFlowStore};
use sspr::{AnyStep, Sspr, UserId};
#[path = "load_common/mod.rs"]
mod common;

use common::{CLIENT, resident_mib};
use sspr_axum::{ClientAddress, Web};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the server side shares with the clients (in this process only).
struct Server {
    base: String,
    flows: Flows<MemoryFlowStore>,
    outbox: Outbox,
    http: Client<HttpConnector, Body>,
}

/// One client: its header, its cookies.
struct Browser {
    id: String,
    cookies: HashMap<String, String>,
}

impl Browser {
    async fn send(&mut self, server: &Server, request: Request<Body>) -> Result<String, BoxError> {
        let mut request = request;
        request
            .headers_mut()
            .insert(HeaderName::from_static(CLIENT), self.id.parse()?);
        if !self.cookies.is_empty() {
            let cookie: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            request
                .headers_mut()
                .insert(header::COOKIE, cookie.join("; ").parse()?);
        }
        let response = server.http.request(request).await?;
        if response.status() != StatusCode::OK {
            return Err(format!("status {}", response.status()).into());
        }
        for set in response.headers().get_all(header::SET_COOKIE) {
            let set = set.to_str()?;
            let pair = set.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if set.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        let body = axum::body::to_bytes(Body::new(response.into_body()), 1 << 20).await?;
        Ok(String::from_utf8_lossy(&body).into_owned())
    }

    async fn post(
        &mut self,
        server: &Server,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Result<String, BoxError> {
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        let request = Request::post(format!("{}{path}", server.base))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.join("&")))?;
        self.send(server, request).await
    }

    fn flow(&self) -> Option<&String> {
        self.cookies
            .iter()
            .find(|(name, _)| name.ends_with("sspr-flow"))
            .map(|(_, v)| v)
    }

    /// One whole reset of `user` (whose phone is `phone`), to the completed page.
    async fn reset(
        &mut self,
        server: &Server,
        user: &str,
        phone: &ContactMethod,
        password: &str,
    ) -> Result<(), BoxError> {
        self.cookies.clear();
        let start = Request::get(format!("{}/reset/", server.base)).body(Body::empty())?;
        let page = self.send(server, start).await?;
        let page = self
            .post(
                server,
                "/reset/start",
                &[("csrf", &field(&page, "csrf")?), ("account", "work")],
            )
            .await?;
        // The answer, from the store in this process (test kit): the step gets a new nonce.
        let flow = self.flow().ok_or("no flow cookie")?.clone();
        let nonce: u64 = field(&page, "nonce")?.parse()?;
        let AnyStep::Identify(identify) = server.flows.resume_step(&flow, nonce).await? else {
            return Err("not at the challenge".into());
        };
        let answer = sspr::testing::answer_of(&identify);
        let saved = server.flows.save(&identify.into()).await?.ok_or("saved")?;
        let page = self
            .post(
                server,
                "/reset/identify",
                &[
                    ("csrf", &field(&page, "csrf")?),
                    ("nonce", &saved.nonce.to_string()),
                    ("user_id", user),
                    ("answer", &answer),
                ],
            )
            .await?;
        let code = server.outbox.last_code_to(phone).ok_or("no code")?;
        let page = self
            .post(
                server,
                "/reset/verify",
                &[
                    ("csrf", &field(&page, "csrf")?),
                    ("nonce", &field(&page, "nonce")?),
                    ("code", &code),
                ],
            )
            .await?;
        let page = self
            .post(
                server,
                "/reset/password",
                &[
                    ("csrf", &field(&page, "csrf")?),
                    ("nonce", &field(&page, "nonce")?),
                    ("new_password", password),
                    ("confirm", password),
                ],
            )
            .await?;
        if !page.contains("was changed") {
            return Err("the reset did not complete".into());
        }
        Ok(())
    }
}

/// The hidden form field `name`, or an error naming it.
fn field(page: &str, name: &str) -> Result<String, BoxError> {
    common::hidden(page, name).ok_or_else(|| format!("no hidden field {name}").into())
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Argon2id hashes per second on one thread, at the policy's parameters.
fn hashes_per_second() -> Result<f64, BoxError> {
    let policy = sspr::policy::Policy::default();
    let params = policy.hash_params();
    let started = Instant::now();
    let mut hashes = 0u32;
    while started.elapsed() < Duration::from_secs(3) {
        let password = Password::new("plum kettle orbit 71");
        std::hint::black_box(sspr::password::hash_password_with_os_rng(
            &password, params,
        )?);
        hashes += 1;
    }
    Ok(f64::from(hashes) / started.elapsed().as_secs_f64())
}

fn main() -> Result<(), BoxError> {
    // As the web example: as many blocking threads (Argon2id) as cores.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(cores)
        .build()?
        .block_on(run())
}

async fn run() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let (mut clients, mut seconds) = (16usize, 20u64);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--clients" => clients = args.next().and_then(|n| n.parse().ok()).unwrap_or(16),
            "--seconds" => seconds = args.next().and_then(|n| n.parse().ok()).unwrap_or(20),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let ceiling = hashes_per_second()? * cores as f64;

    // One account per client: the per-account limits (codes per hour) hold for each.
    let directory = InMemoryDirectory::new();
    let phones: Vec<ContactMethod> = (0..clients)
        .map(|i| ContactMethod::sms(format!("+31 6 {i:08}")))
        .collect();
    for (i, phone) in phones.iter().enumerate() {
        directory.insert(UserRecord {
            id: UserId::parse(&format!("load{i}@contoso.nl"))?,
            tenant: "contoso".into(),
            roles: vec![Role::User],
            self_service_reset: true,
            methods: vec![phone.clone()],
            password_hash: None,
            methods_confirmed: None,
        });
    }
    let keys = Keys::ephemeral()?;
    let store = MemoryFlowStore::new();
    let outbox = Outbox::new();
    // Generous per-account limits: every client resets its one account again and again.
    let policy = sspr::policy::Policy::builder()
        .user_code_sends(20)
        .build()?;
    let sspr = Sspr::builder(directory, outbox.clone())
        .policy(policy)
        .keys(&keys)
        .counters(store.clone())
        .offload(TokioBlocking)
        .dispatch(DeliverAtOnce)
        .build()?;
    let flows = Flows::new(store.clone(), keys)?;
    let router = Web::new(sspr.clone(), flows.clone())
        .base_path("/reset")
        .secure_cookies(false)
        .client_address(ClientAddress::TrustedHeader(HeaderName::from_static(
            CLIENT,
        )))
        .rate_limits(common::lifted_limits())
        .router()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = sspr_axum::server::serve(
            listener,
            router,
            // Every client is on 127.0.0.1 here: no per-address cap.
            sspr_axum::server::ServeOptions {
                max_connections_per_client: None,
                ..sspr_axum::server::ServeOptions::default()
            },
            std::future::pending(),
        )
        .await;
    });
    let server = Arc::new(Server {
        base,
        flows,
        outbox,
        http: Client::builder(TokioExecutor::new()).build_http::<Body>(),
    });

    let before = resident_mib();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, phone) in phones.iter().cloned().enumerate() {
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            let mut browser = Browser {
                id: format!("client-{i}"),
                cookies: HashMap::new(),
            };
            let user = format!("load{i}@contoso.nl");
            let (mut latencies, mut errors, mut round) = (Vec::new(), Vec::new(), 0u32);
            while Instant::now() < deadline {
                // A new password each round (the same as the current one is refused).
                let password = format!("plum kettle orbit {i} {round}");
                round += 1;
                let sent = Instant::now();
                match browser.reset(&server, &user, &phone, &password).await {
                    Ok(()) => latencies.push(sent.elapsed()),
                    Err(error) => errors.push(error.to_string()),
                }
            }
            (latencies, errors)
        }));
    }
    let (mut latencies, mut errors) = (Vec::new(), Vec::new());
    for task in tasks {
        let (l, e) = task.await?;
        latencies.extend(l);
        errors.extend(e);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let after = resident_mib();
    latencies.sort();
    let at = |q: f64| common::percentile_ms(&latencies, q);
    let rate = latencies.len() as f64 / elapsed;
    println!(
        "| clients | resets/s | ceiling (Argon2id hashes/s × {cores} cores) | of ceiling | p50 | p99 | errors | server memory |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    println!(
        "| {clients} | {rate:.1} | {ceiling:.1} | {:.0} % | {:.0} ms | {:.0} ms | {} | {before:.0} → {after:.0} MiB |",
        100.0 * rate / ceiling,
        at(0.5),
        at(0.99),
        errors.len(),
    );
    if let Some(first) = errors.first() {
        eprintln!("first error: {first}");
    }
    Ok(())
}
