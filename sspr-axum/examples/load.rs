//! A bounded load test of the challenge picture endpoint on loopback, beside its ceiling
//! measured in the same run: 64 clients (each its own connection, flow and rate-limit
//! bucket), each fetching its flow's picture again and again for 10 s.
//!
//! ```text
//! cargo run --release -p sspr-axum --example load
//! cargo run --release -p sspr-axum --example load -- --clients 16 --seconds 5
//! ```
//!
//! The ceiling is what the machine can render: pictures per second on one thread, from
//! the same challenge code, times the cores. Prints requests per second, latency
//! percentiles, errors and the server's resident memory before and after.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderName, Request, StatusCode, header};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use sspr::Sspr;
use sspr::challenge::{Challenge, ChallengeKind, ChallengeLength};
use sspr::host::{InMemoryDirectory, Keys, Outbox, TokioBlocking};
use sspr::store::{Flows, MemoryFlowStore};
#[path = "load_common/mod.rs"]
mod common;

use common::{CLIENT, resident_mib};
use sspr_axum::{ClientAddress, Web, server};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Pictures rendered per second on one thread (the default size and difficulty).
fn renders_per_second() -> Result<f64, BoxError> {
    let started = Instant::now();
    let mut renders = 0u32;
    while started.elapsed() < Duration::from_secs(2) {
        let challenge = Challenge::new(ChallengeKind::Image, ChallengeLength::DEFAULT)?;
        std::hint::black_box(challenge.render()?);
        renders += 1;
    }
    Ok(f64::from(renders) / started.elapsed().as_secs_f64())
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let (mut clients, mut seconds) = (64usize, 10u64);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--clients" => clients = args.next().and_then(|n| n.parse().ok()).unwrap_or(64),
            "--seconds" => seconds = args.next().and_then(|n| n.parse().ok()).unwrap_or(10),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let ceiling = renders_per_second()? * cores as f64;

    let keys = Keys::ephemeral()?;
    let store = MemoryFlowStore::new();
    let sspr = Sspr::builder(InMemoryDirectory::new(), Outbox::new())
        .keys(&keys)
        .counters(store.clone())
        .offload(TokioBlocking)
        .build()?;
    let router = Web::new(sspr, Flows::new(store, keys)?)
        .base_path("/reset")
        .secure_cookies(false)
        .client_address(ClientAddress::TrustedHeader(HeaderName::from_static(
            CLIENT,
        )))
        .rate_limits(common::lifted_limits())
        .router()?;
    sspr::challenge::warm_up()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = server::serve(
            listener,
            router,
            // Every client is on 127.0.0.1 here: no per-address cap.
            server::ServeOptions {
                max_connections_per_client: None,
                ..server::ServeOptions::default()
            },
            std::future::pending(),
        )
        .await;
    });

    let client = Client::builder(TokioExecutor::new()).build_http::<Body>();
    // One flow per load client: its cookie and its picture's address.
    let mut flows = Vec::with_capacity(clients);
    for i in 0..clients {
        let id = format!("client-{i}");
        let page = client
            .request(
                Request::get(format!("{base}/reset/"))
                    .header(CLIENT, &id)
                    .body(Body::empty())?,
            )
            .await?;
        let start_cookie: Vec<String> = page
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
            .collect();
        let body = axum::body::to_bytes(Body::new(page.into_body()), 1 << 20).await?;
        let csrf = common::hidden(&String::from_utf8_lossy(&body), "csrf").ok_or("no csrf")?;
        let reply = client
            .request(
                Request::post(format!("{base}/reset/start"))
                    .header(CLIENT, &id)
                    .header(header::COOKIE, start_cookie.join("; "))
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(format!("csrf={csrf}&account=work")))?,
            )
            .await?;
        let cookies: Vec<String> = reply
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
            .collect();
        let body = axum::body::to_bytes(Body::new(reply.into_body()), 1 << 20).await?;
        let page = String::from_utf8_lossy(&body);
        let marker = "class=\"challenge-picture\" src=\"";
        let at = page.find(marker).ok_or("no picture")? + marker.len();
        let end = page[at..].find('"').ok_or("no picture")?;
        let src = page[at..at + end].replace("&amp;", "&");
        flows.push((id, cookies.join("; "), format!("{base}{src}")));
    }

    let before = resident_mib();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let flows = Arc::new(flows);
    let mut tasks = Vec::new();
    for i in 0..clients {
        let (client, flows) = (client.clone(), flows.clone());
        tasks.push(tokio::spawn(async move {
            let (id, cookie, url) = &flows[i];
            let (mut latencies, mut errors) = (Vec::new(), 0u64);
            while Instant::now() < deadline {
                let request = Request::get(url.as_str())
                    .header(CLIENT, id.as_str())
                    .header(header::COOKIE, cookie.as_str())
                    .body(Body::empty());
                let Ok(request) = request else {
                    errors += 1;
                    continue;
                };
                let sent = Instant::now();
                match client.request(request).await {
                    Ok(response) if response.status() == StatusCode::OK => {
                        let body = axum::body::to_bytes(Body::new(response.into_body()), 1 << 20);
                        match body.await {
                            Ok(bytes) if !bytes.is_empty() => latencies.push(sent.elapsed()),
                            _ => errors += 1,
                        }
                    }
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    let started = Instant::now();
    let (mut latencies, mut errors) = (Vec::new(), 0u64);
    for task in tasks {
        let (l, e) = task.await?;
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let after = resident_mib();
    latencies.sort();
    let at = |q: f64| common::percentile_ms(&latencies, q);
    let rate = latencies.len() as f64 / elapsed;
    println!(
        "| clients | requests/s | ceiling (renders/s × {cores} cores) | of ceiling | p50 | p90 | p99 | errors | server memory |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    println!(
        "| {clients} | {rate:.0} | {ceiling:.0} | {:.0} % | {:.2} ms | {:.2} ms | {:.2} ms | {errors} | {before:.0} → {after:.0} MiB |",
        100.0 * rate / ceiling,
        at(0.5),
        at(0.9),
        at(0.99),
    );
    Ok(())
}
