//! The router's metrics (through the `metrics` facade, read here with a debugging
//! recorder): where requests led, refusals by their message identifier, requests by route
//! template and status, and their durations. No label holds what a request carried.

use std::net::SocketAddr;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, header};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use sspr::Sspr;
use sspr::host::{Outbox, TokioBlocking};
use sspr::store::{Flows, MemoryFlowStore};
use sspr::testing;
use sspr_axum::Web;
use tower::ServiceExt;

/// Sends `request` from one client, with `cookie`; the body and the cookies it sets.
async fn send(router: &Router, mut request: Request<Body>, cookie: &str) -> (String, Vec<String>) {
    let peer: SocketAddr = "192.0.2.20:50000".parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    if !cookie.is_empty() {
        request
            .headers_mut()
            .insert(header::COOKIE, cookie.parse().unwrap());
    }
    let response = router.clone().oneshot(request).await.unwrap();
    let cookies = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(str::to_owned)
        .collect();
    let body = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (String::from_utf8_lossy(&body).into_owned(), cookies)
}

fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).expect("the hidden field") + marker.len();
    let end = page[start..].find('"').unwrap();
    page[start..start + end].to_owned()
}

fn post(path: &str, fields: &[(&str, &str)]) -> Request<Body> {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace('@', "%40")))
        .collect();
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.join("&")))
        .unwrap()
}

#[tokio::test]
async fn steps_refusals_and_routes_are_counted_without_personal_data() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder
        .install()
        .expect("the only recorder of this test binary");

    let store = MemoryFlowStore::new();
    let keys = testing::keys();
    let sspr = Sspr::builder(testing::demo_directory(), Outbox::new())
        .keys(&keys)
        .counters(store.clone())
        .offload(TokioBlocking)
        .build()
        .unwrap();
    let router = Web::new(sspr, Flows::new(store, keys).unwrap())
        .base_path("/reset")
        .secure_cookies(false)
        .router()
        .unwrap();

    let (page, cookies) = send(
        &router,
        Request::get("/reset/").body(Body::empty()).unwrap(),
        "",
    )
    .await;
    let mut cookie = cookies.join("; ");
    let (page, cookies) = send(
        &router,
        post(
            "/reset/start",
            &[("csrf", &hidden(&page, "csrf")), ("account", "work")],
        ),
        &cookie,
    )
    .await;
    cookie = [cookie, cookies.join("; ")].join("; ");
    // A wrong answer, with a user ID that must appear in no label.
    let typed = "secret.person@contoso.nl";
    let _ = send(
        &router,
        post(
            "/reset/identify",
            &[
                ("csrf", &hidden(&page, "csrf")),
                ("nonce", &hidden(&page, "nonce")),
                ("user_id", typed),
                ("answer", "WRONG1"),
            ],
        ),
        &cookie,
    )
    .await;

    let mut seen = Vec::new();
    for (key, _, _, value) in snapshotter.snapshot().into_vec() {
        let key = key.key();
        let labels: Vec<(String, String)> = key
            .labels()
            .map(|l| (l.key().to_owned(), l.value().to_owned()))
            .collect();
        for (_, value) in &labels {
            assert!(
                !value.contains('@') && !value.contains("secret") && !value.contains("WRONG"),
                "a label holds request data: {value}"
            );
        }
        let count = match value {
            DebugValue::Counter(n) => n,
            DebugValue::Histogram(samples) => samples.len() as u64,
            DebugValue::Gauge(_) => 0,
        };
        seen.push((key.name().to_owned(), labels, count));
    }
    let has = |name: &str, label: (&str, &str)| {
        seen.iter().any(|(n, labels, count)| {
            n == name && *count > 0 && labels.iter().any(|(k, v)| k == label.0 && v == label.1)
        })
    };
    assert!(has("sspr_steps_total", ("step", "identify")), "{seen:?}");
    assert!(
        has("sspr_refusals_total", ("reason", "refusal-wrong-answer")),
        "{seen:?}"
    );
    assert!(
        has("sspr_requests_total", ("route", "/reset/identify")),
        "{seen:?}"
    );
    assert!(
        has("sspr_request_duration_seconds", ("route", "/reset/start")),
        "{seen:?}"
    );
}
