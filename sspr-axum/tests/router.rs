//! The router in-process (`tower::ServiceExt::oneshot`): every page, a whole reset under
//! both policies, CSRF, out-of-date forms, cookies, rate limits, and that no error page
//! shows what the request held.
//!
//! A test learns a challenge's answer the way only tests may: it takes the flow out of
//! the store with the test kit (`sspr::testing::answer_of`, the demo door) and puts it
//! back, which gives the step a new nonce (so the page's nonce is out of date, and the
//! test posts the new one).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use sspr::host::{Directory, ManualClock, Outbox, TokioBlocking};
use sspr::policy::Policy;
use sspr::store::{Flows, MemoryFlowStore};
use sspr::testing::{self, DISABLED, JAN, STRONG, mail, phone};
use sspr::{AnyStep, Ending, Sspr};
use sspr_axum::pages::{DefaultPages, LanguageChoice, Page, PageContext, Pages, Urls};
use sspr_axum::{Quota, RateLimits, Web, security};
use tower::ServiceExt;

const PEER: &str = "192.0.2.10:50000";

/// A browser on the router: its cookies, and the service's parts behind it.
struct Browser {
    router: Router,
    flows: Flows<MemoryFlowStore>,
    outbox: Outbox,
    directory: sspr::host::InMemoryDirectory,
    cookies: HashMap<String, String>,
    peer: SocketAddr,
    base: &'static str,
}

/// One response, read whole.
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect()
    }

    /// The value of the hidden input `name`.
    fn hidden(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker).unwrap_or_else(|| {
            panic!("no hidden {name} in the page:\n{}", self.body);
        }) + marker.len();
        let end = self.body[start..].find('"').unwrap();
        self.body[start..start + end].to_owned()
    }

    fn nonce(&self) -> String {
        self.hidden("nonce")
    }

    fn csrf(&self) -> String {
        self.hidden("csrf")
    }

    fn assert_contains(&self, text: &str) {
        assert!(self.body.contains(text), "no {text:?} in:\n{}", self.body);
    }
}

struct Setup {
    policy: Policy,
    limits: RateLimits,
    secure: bool,
    base: &'static str,
    clock: Option<ManualClock>,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            policy: Policy::default(),
            limits: RateLimits::default(),
            secure: true,
            base: "/reset",
            clock: None,
        }
    }
}

impl Setup {
    fn build(self) -> Browser {
        let directory = testing::demo_directory();
        let outbox = Outbox::new();
        let store = MemoryFlowStore::new();
        let keys = testing::keys();
        let mut builder = Sspr::builder(directory.clone(), outbox.clone())
            .policy(self.policy)
            .keys(&keys)
            .counters(store.clone())
            .offload(TokioBlocking)
            // The code is in the outbox when the page comes back (tests only).
            .dispatch(sspr::host::DeliverAtOnce);
        let mut flows = Flows::new(store, keys).unwrap();
        if let Some(clock) = &self.clock {
            builder = builder.clock(clock.clone());
            flows = flows.with_clock(clock.clone());
        }
        let sspr = builder.build().unwrap();
        let router = Web::new(sspr, flows.clone())
            .base_path(self.base)
            .secure_cookies(self.secure)
            .rate_limits(self.limits)
            .pages(DefaultPages::new().sign_in_url("/"))
            .router()
            .unwrap();
        Browser {
            router,
            flows,
            outbox,
            directory,
            cookies: HashMap::new(),
            peer: PEER.parse().unwrap(),
            base: self.base,
        }
    }
}

impl Browser {
    fn new() -> Self {
        Setup::default().build()
    }

    fn revealing() -> Self {
        Setup {
            policy: testing::revealing_policy(),
            ..Setup::default()
        }
        .build()
    }

    fn path(&self, tail: &str) -> String {
        format!("{}{tail}", self.base)
    }

    async fn send(&mut self, request: Request<Body>) -> Reply {
        let mut request = request;
        request.extensions_mut().insert(ConnectInfo(self.peer));
        if !self.cookies.is_empty() {
            let cookie: Vec<String> = self
                .cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect();
            request
                .headers_mut()
                .insert(header::COOKIE, cookie.join("; ").parse().unwrap());
        }
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        let reply = Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        for set in reply.set_cookies() {
            let (pair, attributes) = set.split_once(';').unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        reply
    }

    async fn get(&mut self, tail: &str) -> Reply {
        let request = Request::get(self.path(tail)).body(Body::empty()).unwrap();
        self.send(request).await
    }

    async fn post(&mut self, tail: &str, fields: &[(&str, &str)]) -> Reply {
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        let request = Request::builder()
            .method(Method::POST)
            .uri(self.path(tail))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.join("&")))
            .unwrap();
        self.send(request).await
    }

    fn flow_cookie(&self) -> Option<&String> {
        self.cookies
            .iter()
            .find(|(name, _)| name.ends_with("sspr-flow"))
            .map(|(_, v)| v)
    }

    /// Starts a flow for a work or school account: the Identify page.
    async fn start(&mut self) -> Reply {
        let page = self.get("/").await;
        assert_eq!(page.status, StatusCode::OK);
        let reply = self
            .post("/start", &[("csrf", &page.csrf()), ("account", "work")])
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply
    }

    /// The answer of the flow's challenge, and the step's new nonce (test kit).
    async fn answer(&self, page: &Reply) -> (String, String) {
        let flow = self.flow_cookie().expect("a flow cookie").clone();
        let nonce: u64 = page.nonce().parse().unwrap();
        let step = self.flows.resume_step(&flow, nonce).await.unwrap();
        let AnyStep::Identify(identify) = step else {
            panic!("not at Identify");
        };
        let answer = testing::answer_of(&identify);
        let saved = self.flows.save(&identify.into()).await.unwrap().unwrap();
        (answer, saved.nonce.to_string())
    }

    /// From the Identify page, the right answer for `user`.
    async fn identify(&mut self, page: &Reply, user: &str) -> Reply {
        let (answer, nonce) = self.answer(page).await;
        let fields = [
            ("csrf", page.csrf()),
            ("nonce", nonce),
            ("user_id", user.to_owned()),
            ("answer", answer),
        ];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.post("/identify", &fields).await
    }

    async fn submit(&mut self, tail: &str, page: &Reply, extra: &[(&str, &str)]) -> Reply {
        let csrf = page.csrf();
        let nonce = page.nonce();
        let mut fields = vec![("csrf", csrf.as_str()), ("nonce", nonce.as_str())];
        fields.extend_from_slice(extra);
        self.post(tail, &fields).await
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

fn assert_security_headers(reply: &Reply) {
    assert_eq!(
        reply.header(header::CONTENT_SECURITY_POLICY),
        security::CONTENT_SECURITY_POLICY
    );
    let csp = security::CONTENT_SECURITY_POLICY;
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"));
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
    assert!(csp.contains("script-src 'self';"));
    assert_eq!(reply.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert_eq!(reply.header(header::REFERRER_POLICY), "no-referrer");
    assert_eq!(reply.header(header::X_FRAME_OPTIONS), "DENY");
}

fn assert_page(reply: &Reply) {
    assert_security_headers(reply);
    assert_eq!(reply.header(header::CACHE_CONTROL), "no-store");
    assert_eq!(
        reply.header(header::CONTENT_TYPE),
        "text/html; charset=utf-8"
    );
    reply.assert_contains("<html lang=\"en\">");
    reply.assert_contains("<link rel=\"stylesheet\" href=\"/reset/sspr.css\">");
    // No inline script or style anywhere; the one script is a file.
    for banned in ["style=", "<style", "javascript:"] {
        assert!(!reply.body.contains(banned), "{banned} in:\n{}", reply.body);
    }
    let scripts = reply.body.matches("<script").count();
    let files = reply
        .body
        .matches("<script src=\"/reset/sspr.js\" defer></script>")
        .count();
    assert_eq!(scripts, files, "an inline script in:\n{}", reply.body);
}

#[tokio::test]
async fn the_start_page_and_the_stylesheet() {
    let mut browser = Browser::new();
    let page = browser.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_page(&page);
    page.assert_contains("Can't access your account?");
    page.assert_contains("<label for=\"account-work\">");
    page.assert_contains("action=\"/reset/start\"");
    assert_eq!(page.csrf().len(), 64);
    // The start cookie: strict, HTTP only, secure, host-only.
    let set = page.set_cookies();
    assert_eq!(set.len(), 1, "{set:?}");
    assert!(set[0].starts_with("__Host-sspr-start="), "{}", set[0]);
    for attribute in ["Path=/", "HttpOnly", "SameSite=Strict", "Secure"] {
        assert!(set[0].contains(attribute), "{attribute} in {}", set[0]);
    }
    assert!(!set[0].contains("Domain"));
    // The same browser keeps its start cookie.
    assert!(browser.get("/").await.set_cookies().is_empty());
    // The bare base path is the same page.
    let bare = browser
        .send(Request::get("/reset").body(Body::empty()).unwrap())
        .await;
    assert_eq!(bare.status, StatusCode::OK);

    let css = browser.get("/sspr.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.header(header::CONTENT_TYPE), "text/css; charset=utf-8");
    assert!(css.body.contains(":focus-visible"));
    assert_security_headers(&css);

    let js = browser.get("/sspr.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert_eq!(
        js.header(header::CONTENT_TYPE),
        "text/javascript; charset=utf-8"
    );
    assert!(js.body.contains("audio-keys"));
    assert_security_headers(&js);
    // Only the audio challenge's page has it.
    assert!(!page.body.contains("<script"));
}

#[tokio::test]
async fn a_whole_reset_under_the_default_policy() {
    let mut browser = Browser::new();
    let identify = browser.start().await;
    assert_page(&identify);
    identify.assert_contains("<h1>Who are you?</h1>");
    identify.assert_contains("autocomplete=\"username\"");
    identify.assert_contains("<label for=\"user_id\">");
    identify.assert_contains("<label for=\"answer\">");
    identify.assert_contains("alt=\"A picture of 6 characters. Type them in the box below.");
    identify.assert_contains("formaction=\"/reset/switch\"");
    // The flow cookie: its ID never appears in the page or a URL.
    let flow = browser.flow_cookie().unwrap().clone();
    assert_eq!(flow.len(), 32);
    assert!(!identify.body.contains(&flow));
    let set = identify.set_cookies().join("\n");
    assert!(set.contains("__Host-sspr-flow="), "{set}");
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"));
    assert!(set.contains("Secure") && set.contains("Path=/;"));

    // The picture: no-store, and reading it does not use up the step.
    let picture = browser
        .get(&format!("/challenge?v={}", identify.nonce()))
        .await;
    assert_eq!(picture.status, StatusCode::OK);
    assert_eq!(picture.header(header::CONTENT_TYPE), "image/png");
    assert_eq!(picture.header(header::CACHE_CONTROL), "no-store");
    assert_security_headers(&picture);

    let verify = browser.identify(&identify, JAN).await;
    assert_eq!(verify.status, StatusCode::OK, "{}", verify.body);
    assert_page(&verify);
    verify.assert_contains("If this account can reset its password, we sent a code");
    verify.assert_contains("autocomplete=\"one-time-code\"");
    verify.assert_contains("inputmode=\"numeric\"");
    assert!(
        !verify.body.contains("Use another contact method"),
        "the conceal policy shows no methods"
    );

    // A wrong code is refused at its field.
    let code = browser
        .outbox
        .last_code_to(&phone())
        .expect("a code to the phone");
    let wrong = testing::wrong_code(&code);
    let refused = browser
        .submit("/verify", &verify, &[("code", &wrong)])
        .await;
    assert_eq!(refused.status, StatusCode::OK);
    refused.assert_contains("<title>Error: Enter the code");
    refused.assert_contains("aria-describedby=\"code-hint code-error\"");
    refused.assert_contains("aria-invalid=\"true\"");
    refused.assert_contains("id=\"code-error\"");
    refused.assert_contains("href=\"#code\"");

    let new_password = browser
        .submit("/verify", &refused, &[("code", &code)])
        .await;
    assert_page(&new_password);
    new_password.assert_contains("<h1>Choose a new password</h1>");
    assert_eq!(
        new_password
            .body
            .matches("autocomplete=\"new-password\"")
            .count(),
        2
    );

    // Each refusal at its field: a weak password at the first, a mismatch at the second.
    let weak = browser
        .submit(
            "/password",
            &new_password,
            &[("new_password", "password1"), ("confirm", "password1")],
        )
        .await;
    weak.assert_contains("aria-describedby=\"new_password-hint new_password-error\"");
    assert!(!weak.body.contains("confirm-error"));
    let mismatch = browser
        .submit(
            "/password",
            &weak,
            &[
                ("new_password", STRONG),
                ("confirm", "plum kettle orbit 72"),
            ],
        )
        .await;
    mismatch.assert_contains("aria-describedby=\"confirm-error\"");
    assert!(!mismatch.body.contains("new_password-error"));
    assert!(
        !mismatch.body.contains(STRONG),
        "no password goes back into a page"
    );

    let done = browser
        .submit(
            "/password",
            &mismatch,
            &[("new_password", STRONG), ("confirm", STRONG)],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK);
    assert_page(&done);
    done.assert_contains("<h1>Your password was changed</h1>");
    done.assert_contains(JAN);
    done.assert_contains("href=\"/\"");
    assert!(
        browser.flow_cookie().is_none(),
        "the ending clears the cookie"
    );
    let record = browser
        .directory
        .find_user(&testing::id(JAN))
        .await
        .unwrap()
        .unwrap();
    assert!(record.password_hash.is_some(), "the password was set");
}

#[tokio::test]
async fn the_revealing_policy_shows_methods_and_ask_your_admin() {
    let mut browser = Browser::revealing();
    let identify = browser.start().await;
    let choose = browser.identify(&identify, JAN).await;
    assert_page(&choose);
    choose.assert_contains("<h1>Choose how to get a code</h1>");
    choose.assert_contains("<legend>Where should we send a code?</legend>");
    choose.assert_contains("<label for=\"method-0\">");
    choose.assert_contains("<label for=\"method-1\">");
    // Masked: never the address itself.
    assert!(!choose.body.contains("jan.private@fabrikam.example"));
    assert!(!choose.body.contains("12345678"));

    // No choice at all: refused at the field.
    let refused = browser.submit("/method", &choose, &[]).await;
    refused.assert_contains("id=\"method-error\"");

    let verify = browser
        .submit("/method", &refused, &[("method", "1")])
        .await;
    verify.assert_contains("We sent a code by email");
    verify.assert_contains("Use another contact method");
    let back = browser.submit("/another-method", &verify, &[]).await;
    back.assert_contains("<h1>Choose how to get a code</h1>");
    let verify = browser.submit("/method", &back, &[("method", "0")]).await;
    verify.assert_contains("We sent a code by text message");
    let code = browser.outbox.last_code_to(&phone()).unwrap();
    let resent = browser.submit("/resend", &verify, &[]).await;
    assert_eq!(resent.status, StatusCode::OK);
    let new_code = browser.outbox.last_code_to(&phone()).unwrap();
    assert_eq!(
        browser
            .outbox
            .deliveries()
            .iter()
            .filter(|d| d.to == phone())
            .count(),
        2,
        "a second code went out (it may equal the first by chance: {code} {new_code})"
    );
    let new_password = browser
        .submit("/verify", &resent, &[("code", &new_code)])
        .await;
    new_password.assert_contains("<h1>Choose a new password</h1>");
    assert!(browser.outbox.last_code_to(&mail()).is_some());

    // An account without self-service reset ends with "ask your admin", and what to ask.
    let mut browser = Browser::revealing();
    let identify = browser.start().await;
    let ask = browser.identify(&identify, DISABLED).await;
    assert_page(&ask);
    ask.assert_contains("<h1>Ask your admin to reset your password</h1>");
    ask.assert_contains("What to ask your admin");
    assert!(browser.flow_cookie().is_none());
}

#[tokio::test]
async fn the_audio_challenge_and_back() {
    let mut browser = Browser::new();
    let identify = browser.start().await;
    let audio = browser.submit("/switch", &identify, &[]).await;
    assert_page(&audio);
    audio.assert_contains("<audio class=\"challenge-audio\" controls");
    audio.assert_contains("aria-describedby=\"audio-help\"");
    audio.assert_contains("<label for=\"answer\">Digits in the audio clip</label>");
    // Ctrl in the answer box plays the clip: said only where the script runs.
    audio.assert_contains("<p class=\"hint\" id=\"audio-keys\" hidden>");
    audio.assert_contains("<script src=\"/reset/sspr.js\" defer></script>");
    let clip = browser
        .get(&format!("/challenge?v={}", audio.nonce()))
        .await;
    assert_eq!(clip.status, StatusCode::OK);
    assert_eq!(clip.header(header::CONTENT_TYPE), "audio/wav");
    assert_eq!(clip.header(header::CACHE_CONTROL), "no-store");
    let picture = browser.submit("/switch", &audio, &[]).await;
    picture.assert_contains("<img class=\"challenge-picture\"");
    assert!(!picture.body.contains("<script"));
    let another = browser.submit("/new-challenge", &picture, &[]).await;
    another.assert_contains("<img class=\"challenge-picture\"");
    assert_ne!(another.nonce(), picture.nonce());
    // The audio answer works too.
    let audio = browser.submit("/switch", &another, &[]).await;
    let verify = browser.identify(&audio, JAN).await;
    verify.assert_contains("<h1>Enter the code</h1>");
}

#[tokio::test]
async fn a_wrong_answer_is_refused_at_its_field_and_too_many_lock() {
    let mut browser = Browser::new();
    let mut page = browser.start().await;
    for attempt in 1..=5 {
        let (answer, nonce) = browser.answer(&page).await;
        let wrong = if answer.starts_with('A') { "B" } else { "A" };
        let wrong = format!("{wrong}{}", &answer[1..]);
        let csrf = page.csrf();
        page = browser
            .post(
                "/identify",
                &[
                    ("csrf", &csrf),
                    ("nonce", &nonce),
                    ("user_id", JAN),
                    ("answer", &wrong),
                ],
            )
            .await;
        if attempt < 5 {
            page.assert_contains("id=\"answer-error\"");
            page.assert_contains("aria-describedby=\"answer-hint answer-error\"");
            // The user ID stays in its field; the answer does not.
            page.assert_contains(&format!("value=\"{JAN}\""));
            assert!(!page.body.contains(&wrong));
        }
    }
    assert_page(&page);
    page.assert_contains("<h1>Password reset locked</h1>");
    page.assert_contains("Too many wrong answers");
    page.assert_contains("Start again");
    assert!(browser.flow_cookie().is_none());
}

#[tokio::test]
async fn a_personal_account_is_handed_off() {
    let mut browser = Browser::new();
    let start = browser.get("/").await;
    let personal = browser
        .post(
            "/start",
            &[("csrf", &start.csrf()), ("account", "personal")],
        )
        .await;
    assert_eq!(personal.status, StatusCode::OK);
    assert_page(&personal);
    personal.assert_contains("<h1>This is a personal account</h1>");
    assert!(browser.flow_cookie().is_none());
}

#[tokio::test]
async fn a_form_without_the_right_csrf_token_is_refused_and_leaves_the_flow() {
    let mut browser = Browser::new();
    // The start form without the start cookie, or with a wrong token.
    let start = browser.get("/").await;
    let token = start.csrf();
    let mut stranger = Browser::new();
    let refused = stranger
        .post("/start", &[("csrf", &token), ("account", "work")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_page(&refused);
    let wrong = browser
        .post("/start", &[("csrf", &"0".repeat(64)), ("account", "work")])
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);

    let identify = browser.start().await;
    let nonce = identify.nonce();
    let missing = browser.post("/switch", &[("nonce", &nonce)]).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    missing.assert_contains("This form could not be accepted");
    let forged = browser
        .post("/switch", &[("csrf", &"ab".repeat(32)), ("nonce", &nonce)])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // A token of another flow does not fit this one.
    let other = Browser::new().start().await;
    let foreign = browser
        .post("/switch", &[("csrf", &other.csrf()), ("nonce", &nonce)])
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    // Nothing was taken: the real form still works.
    let audio = browser.submit("/switch", &identify, &[]).await;
    assert_eq!(audio.status, StatusCode::OK);
    audio.assert_contains("<audio");
}

#[tokio::test]
async fn a_replayed_form_gets_the_out_of_date_page() {
    let mut browser = Browser::new();
    let identify = browser.start().await;
    let audio = browser.submit("/switch", &identify, &[]).await;
    assert_eq!(audio.status, StatusCode::OK);
    // Back, then the same form again.
    let replay = browser.submit("/switch", &identify, &[]).await;
    assert_eq!(replay.status, StatusCode::CONFLICT);
    assert_page(&replay);
    replay.assert_contains("<h1>This page is out of date</h1>");
    replay.assert_contains("href=\"/reset/continue\"");
    assert!(browser.flow_cookie().is_some(), "the flow stays open");
    // Continue: the current step, which still works.
    let current = browser.get("/continue").await;
    assert_eq!(current.status, StatusCode::OK);
    assert_page(&current);
    current.assert_contains("<audio");
    let verify = browser.identify(&current, JAN).await;
    verify.assert_contains("<h1>Enter the code</h1>");
}

#[tokio::test]
async fn no_flow_is_a_clear_page_that_starts_again() {
    let mut browser = Browser::new();
    let none = browser.get("/continue").await;
    assert_eq!(none.status, StatusCode::GONE);
    assert_page(&none);
    none.assert_contains("<h1>This password reset is no longer open</h1>");
    none.assert_contains("href=\"/reset/\"");
    let picture = browser.get("/challenge?v=1").await;
    assert_eq!(picture.status, StatusCode::NOT_FOUND);
    assert_eq!(picture.header(header::CACHE_CONTROL), "no-store");
    assert!(picture.body.is_empty());
    // A flow cookie that names no flow.
    browser.cookies.insert(
        "__Host-sspr-flow".into(),
        "0123456789abcdef0123456789abcdef".into(),
    );
    let gone = browser.get("/continue").await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert!(
        browser.flow_cookie().is_none(),
        "the stale cookie is cleared"
    );
}

#[tokio::test]
async fn an_expired_flow_ends_the_reset() {
    let clock = ManualClock::default();
    let mut browser = Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    }
    .build();
    let identify = browser.start().await;
    clock.advance(time::Duration::minutes(16));
    let late = browser.submit("/switch", &identify, &[]).await;
    // Past the deadline: "this password reset expired", start again.
    assert_eq!(late.status, StatusCode::OK);
    late.assert_contains("This password reset expired");
    late.assert_contains("Start again");
    assert!(
        late.set_cookies().join("\n").contains("Max-Age=0"),
        "the flow cookie goes"
    );

    // Much later (past the time the store keeps an expired flow): no flow at all.
    let identify = browser.start().await;
    clock.advance(time::Duration::minutes(31));
    let later = browser.submit("/switch", &identify, &[]).await;
    assert_eq!(later.status, StatusCode::GONE);
    later.assert_contains("Start again");
}

#[tokio::test]
async fn cookies_on_loopback_are_not_secure_and_keep_to_the_base_path() {
    let mut browser = Setup {
        secure: false,
        ..Setup::default()
    }
    .build();
    let identify = browser.start().await;
    let set = identify.set_cookies().join("\n");
    assert!(set.starts_with("sspr-flow="), "{set}");
    assert!(set.contains("Path=/reset;") && set.contains("HttpOnly"));
    assert!(set.contains("SameSite=Strict") && !set.contains("Secure"));
    assert!(
        set.contains("Max-Age=1799;") || set.contains("Max-Age=1800;"),
        "until the flow's deadline and the 15 minutes an expired flow is kept: {set}"
    );
}

#[tokio::test]
async fn too_many_starts_from_one_client_are_refused_with_429() {
    let mut browser = Setup {
        limits: RateLimits {
            start: Quota::new(2, Duration::from_secs(3600)),
            ..RateLimits::default()
        },
        ..Setup::default()
    }
    .build();
    let page = browser.get("/").await;
    let token = page.csrf();
    for _ in 0..2 {
        let ok = browser
            .post("/start", &[("csrf", &token), ("account", "work")])
            .await;
        assert_eq!(ok.status, StatusCode::OK);
    }
    let refused = browser
        .post("/start", &[("csrf", &token), ("account", "work")])
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_page(&refused);
    refused.assert_contains("<h1>Too many attempts</h1>");
    let wait: u64 = refused.header(header::RETRY_AFTER).parse().unwrap();
    assert!(wait > 0);
    // Another client is not held back; other routes of this one are not either.
    browser.peer = "198.51.100.20:40000".parse().unwrap();
    let other = browser
        .post("/start", &[("csrf", &token), ("account", "work")])
        .await;
    assert_eq!(other.status, StatusCode::OK);
}

#[tokio::test]
async fn too_many_answers_from_one_client_are_refused_with_429() {
    let mut browser = Setup {
        limits: RateLimits {
            answer: Quota::new(1, Duration::from_secs(3600)),
            ..RateLimits::default()
        },
        ..Setup::default()
    }
    .build();
    let identify = browser.start().await;
    let first = browser
        .submit(
            "/identify",
            &identify,
            &[("user_id", JAN), ("answer", "AAAAAA")],
        )
        .await;
    assert_eq!(first.status, StatusCode::OK);
    let second = browser
        .submit(
            "/identify",
            &first,
            &[("user_id", JAN), ("answer", "AAAAAA")],
        )
        .await;
    assert_eq!(second.status, StatusCode::TOO_MANY_REQUESTS);
    // The refused request did not touch the flow.
    let (_, _) = browser.answer(&first).await;
}

#[tokio::test]
async fn too_many_codes_from_one_client_are_refused_with_429() {
    let mut browser = Setup {
        policy: testing::revealing_policy(),
        limits: RateLimits {
            send: Quota::new(1, Duration::from_secs(3600)),
            ..RateLimits::default()
        },
        ..Setup::default()
    }
    .build();
    let identify = browser.start().await;
    let choose = browser.identify(&identify, JAN).await;
    let verify = browser.submit("/method", &choose, &[("method", "0")]).await;
    assert_eq!(verify.status, StatusCode::OK);
    let resend = browser.submit("/resend", &verify, &[]).await;
    assert_eq!(resend.status, StatusCode::TOO_MANY_REQUESTS);
    assert_page(&resend);
    assert_eq!(
        browser.outbox.deliveries().len(),
        1,
        "no second code went out"
    );
    // The code that did go out still works: the refused request left the flow alone.
    let code = browser.outbox.last_code_to(&phone()).unwrap();
    let next = browser.submit("/verify", &verify, &[("code", &code)]).await;
    next.assert_contains("<h1>Choose a new password</h1>");
}

#[tokio::test]
async fn no_error_shows_what_the_request_held() {
    const MARK: &str = "<b>INJECTED-7f3a</b>";
    let mut browser = Browser::new();
    let identify = browser.start().await;
    let csrf = identify.csrf();
    let nonce = identify.nonce();
    let mut replies = Vec::new();
    // A nonce that is not one.
    replies.push(
        browser
            .post("/identify", &[("csrf", &csrf), ("nonce", MARK)])
            .await,
    );
    // A token that is not one.
    replies.push(
        browser
            .post(
                "/identify",
                &[("csrf", MARK), ("nonce", &nonce), ("user_id", MARK)],
            )
            .await,
    );
    // A user ID that is not one (a space), with a right token.
    let not_an_id = format!("a {MARK}");
    let refused = browser
        .submit(
            "/identify",
            &identify,
            &[("user_id", &not_an_id), ("answer", MARK)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::OK);
    refused.assert_contains("id=\"user_id-error\"");
    replies.push(refused);
    // A body over the bound, declared and not.
    let big = format!("csrf={csrf}&user_id={}", MARK.repeat(2000));
    let request = Request::post("/reset/identify")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(big.clone()))
        .unwrap();
    let too_large = browser.send(request).await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    replies.push(too_large);
    // Headers over the bound.
    let request = Request::get("/reset/")
        .header("x-filler", MARK.repeat(1000))
        .body(Body::empty())
        .unwrap();
    let headers = browser.send(request).await;
    assert_eq!(headers.status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    replies.push(headers);
    // Not a form at all.
    let request = Request::post("/reset/verify")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(format!("{{\"code\":\"{MARK}\"}}")))
        .unwrap();
    let bad = browser.send(request).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    replies.push(bad);
    // A user ID that is one goes back into its field after a wrong answer, escaped.
    let refill = browser.get("/continue").await;
    let wrong = browser
        .submit(
            "/identify",
            &refill,
            &[("user_id", MARK), ("answer", "AAAAAA")],
        )
        .await;
    wrong.assert_contains("value=\"&lt;b&gt;INJECTED-7f3a&lt;/b&gt;\"");
    assert!(!wrong.body.contains(MARK));
    for reply in &replies {
        assert!(!reply.body.contains("INJECTED"), "echoed:\n{}", reply.body);
        assert_security_headers(reply);
    }
}

#[tokio::test]
async fn every_ending_and_problem_renders_in_every_language() {
    let pages = DefaultPages::new();
    let urls = Urls::new("/reset");
    let translations = sspr_axum::pages::translations();
    let choices = [
        LanguageChoice {
            tag: "en".into(),
            name: "English".into(),
        },
        LanguageChoice {
            tag: "nl".into(),
            name: "Nederlands".into(),
        },
    ];
    let at = time::OffsetDateTime::UNIX_EPOCH;
    for (tag, personal, ask, start_again) in [
        (
            "en",
            "personal account",
            "What to ask your admin",
            "Start again",
        ),
        (
            "nl",
            "persoonlijk account",
            "Wat u uw beheerder vraagt",
            "Opnieuw beginnen",
        ),
    ] {
        let cx = PageContext {
            urls: &urls,
            text: translations.negotiate(&[tag]),
            languages: &choices,
            support: true,
        };
        let endings = [
            (Ending::PersonalAccount(sspr::PersonalAccount), personal),
            (Ending::AskAdmin(sspr::AskAdmin), ask),
            (
                Ending::Locked(sspr::Locked {
                    reason: sspr::LockReason::UserBlocked,
                    until: Some(at),
                }),
                "1970-01-01 00:00 UTC",
            ),
            (Ending::Expired(sspr::Expired), start_again),
        ];
        for (ending, text) in &endings {
            let html = pages.render(&Page::Ending(ending), &cx);
            assert!(html.contains(text), "{text:?} in\n{html}");
            assert!(html.contains(&format!("<html lang=\"{tag}\">")), "{html}");
            assert!(
                !html.contains("page-"),
                "a text without a translation: {html}"
            );
            // The switch links to the other language, named in itself.
            let other = if tag == "en" { "nl" } else { "en" };
            assert!(
                html.contains(&format!("/reset/language?to={other}")),
                "{html}"
            );
        }
        use sspr_axum::Problem;
        for problem in [
            Problem::OutOfDate,
            Problem::NoFlow,
            Problem::Forbidden,
            Problem::BadRequest,
            Problem::TooLarge,
            Problem::HeadersTooLarge,
            Problem::TooManyRequests { retry_after: 30 },
            Problem::TooManyRequests { retry_after: 1 },
            Problem::TooManyRequests { retry_after: 600 },
            Problem::Busy,
            Problem::Unavailable,
            Problem::NotFound,
        ] {
            let html = pages.render(&Page::Problem(problem), &cx);
            assert!(html.contains("<h1>"), "{html}");
            assert!(
                !html.contains("page-"),
                "a text without a translation: {html}"
            );
            assert!(problem.status() >= 400);
        }
    }
}

#[tokio::test]
async fn a_host_replaces_a_page() {
    struct Mine(DefaultPages);
    impl Pages for Mine {
        fn render(&self, page: &Page<'_>, cx: &PageContext<'_>) -> String {
            match page {
                Page::Problem(_) => "<!doctype html><html lang=\"en\"><p>ours</p></html>".into(),
                other => self.0.render(other, cx),
            }
        }
    }
    let directory = testing::demo_directory();
    let store = MemoryFlowStore::new();
    let sspr = Sspr::builder(directory, Outbox::new()).build().unwrap();
    let router = Web::new(sspr, Flows::new(store, testing::keys()).unwrap())
        .pages(Mine(DefaultPages::new()))
        .router()
        .unwrap();
    let reply = router
        .oneshot(Request::get("/continue").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::GONE);
    let body = to_bytes(reply.into_body(), 1 << 16).await.unwrap();
    assert_eq!(
        &body[..],
        b"<!doctype html><html lang=\"en\"><p>ours</p></html>"
    );
}

#[tokio::test]
async fn the_pages_follow_accept_language() {
    let mut browser = Browser::new();
    let request = Request::get(browser.path("/"))
        .header(header::ACCEPT_LANGUAGE, "fr-FR, nl-BE;q=0.9, en;q=0.5")
        .body(Body::empty())
        .unwrap();
    let start = browser.send(request).await;
    start.assert_contains("<html lang=\"nl\">");
    start.assert_contains("<h1>Hebt u geen toegang tot uw account?</h1>");
    start.assert_contains("Werk- of schoolaccount");
    start.assert_contains("<button type=\"submit\" class=\"primary\">Volgende</button>");
    // The switch offers English, named in English.
    start.assert_contains(
        "<a href=\"/reset/language?to=en\" lang=\"en\" hreflang=\"en\">English</a>",
    );

    // No Accept-Language, or none held: English.
    let english = browser.get("/").await;
    english.assert_contains("<html lang=\"en\">");
}

#[tokio::test]
async fn the_language_switch_keeps_the_flow_and_the_clip_follows() {
    let mut browser = Browser::new();
    let identify = browser.start().await;
    identify.assert_contains("<html lang=\"en\">");
    let audio = browser.submit("/switch", &identify, &[]).await;
    audio.assert_contains("Digits in the audio clip");
    let flow = browser.flow_cookie().cloned().expect("a flow");
    assert_eq!(
        browser.flows.challenge(&flow).await.unwrap().language(),
        sspr::challenge::Language::English
    );

    let switched = browser.get("/language?to=nl").await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    assert_eq!(switched.header(header::LOCATION), "/reset/continue");
    assert!(
        switched
            .set_cookies()
            .iter()
            .any(|c| c.starts_with("__Host-sspr-lang=nl;") && c.contains("HttpOnly")),
        "{:?}",
        switched.set_cookies()
    );
    let dutch = browser.get("/continue").await;
    assert_eq!(dutch.status, StatusCode::OK);
    dutch.assert_contains("<html lang=\"nl\">");
    dutch.assert_contains("<label for=\"answer\">Cijfers in de audio</label>");
    dutch.assert_contains("lang=\"nl\"><a href=");
    assert_eq!(browser.flow_cookie(), Some(&flow), "the same flow");
    // The clip now speaks Dutch (a new clip, counted as a new challenge).
    assert_eq!(
        browser.flows.challenge(&flow).await.unwrap().language(),
        sspr::challenge::Language::Dutch
    );

    // A refusal in Dutch, at its field.
    let wrong = browser
        .submit(
            "/identify",
            &dutch,
            &[("user_id", JAN), ("answer", "000000")],
        )
        .await;
    wrong.assert_contains("<title>Fout: Wie bent u?");
    wrong.assert_contains("Er is iets niet in orde");
    let verify = browser.identify(&wrong, JAN).await;
    verify.assert_contains("<h1>Voer de code in</h1>");

    // Back to English, still the same flow.
    assert_eq!(
        browser.get("/language?to=en").await.status,
        StatusCode::SEE_OTHER
    );
    let english = browser.get("/continue").await;
    english.assert_contains("<h1>Enter the code</h1>");
}

#[tokio::test]
async fn a_language_the_router_does_not_hold_is_refused() {
    let mut browser = Browser::new();
    for query in ["?to=xx", "?to=", "?to=nl%0d%0aX:1", ""] {
        let reply = browser.get(&format!("/language{query}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(reply.set_cookies().is_empty(), "{query}");
    }
    // Without a flow the switch leads to the start page.
    let reply = browser.get("/language?to=nl").await;
    assert_eq!(reply.header(header::LOCATION), "/reset/");
    // A language cookie that is not held (or not a tag) is ignored.
    browser
        .cookies
        .insert("__Host-sspr-lang".into(), "x<y".into());
    browser.get("/").await.assert_contains("<html lang=\"en\">");
}

#[tokio::test]
async fn the_support_request_is_served_only_with_a_desk_and_checks_its_token() {
    // Without a desk: no route, and "ask your admin" does not offer it.
    let mut browser = Browser::new();
    assert_eq!(browser.get("/support").await.status, StatusCode::NOT_FOUND);

    let desk = sspr::support::InMemorySupportDesk::new();
    let store = MemoryFlowStore::new();
    let sspr = Sspr::builder(testing::demo_directory(), Outbox::new())
        .build()
        .unwrap();
    let router = Web::new(sspr, Flows::new(store, testing::keys()).unwrap())
        .base_path("/reset")
        .support_desk(desk.clone())
        .router()
        .unwrap();
    browser.router = router;
    let form = browser.get("/support").await;
    assert_eq!(form.status, StatusCode::OK);
    form.assert_contains("<h1>Ask for a new global admin</h1>");
    form.assert_contains("autocomplete=\"email\"");
    let fields = [
        ("name", "Marieke de Vries"),
        ("email", "marieke@home.example"),
        ("phone", "+31 6 11112222"),
        ("company", "Contoso BV"),
        ("organisation", "contoso.nl"),
        ("explanation", "Our global admin left."),
    ];
    // A forged or missing token: refused, nothing filed.
    let mut forged = vec![("csrf", "0".repeat(64))];
    forged.extend(fields.iter().map(|(k, v)| (*k, (*v).to_owned())));
    let forged: Vec<(&str, &str)> = forged.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        browser.post("/support", &forged).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(desk.tickets().is_empty());

    let csrf = form.csrf();
    let mut good = vec![("csrf", csrf.as_str())];
    good.extend(fields);
    let filed = browser.post("/support", &good).await;
    assert_eq!(filed.status, StatusCode::OK);
    filed.assert_contains("SR-000001");
    assert_eq!(desk.tickets().len(), 1);
    // The page names the ticket, not what the requester typed.
    assert!(!filed.body.contains("Marieke"));
    // A ticket costs a person's time: three from one client (the forged one counted),
    // then one every 20 minutes.
    assert_eq!(browser.post("/support", &good).await.status, StatusCode::OK);
    let fourth = browser.post("/support", &good).await;
    assert_eq!(fourth.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(desk.tickets().len(), 2);
}

#[tokio::test]
async fn contacting_the_admins_answers_alike_for_every_user_id_and_checks_its_token() {
    let mut browser = Browser::new();
    let form = browser.get("/contact-admins").await;
    assert_eq!(form.status, StatusCode::OK);
    form.assert_contains("<h1>Ask your admins to reset your password</h1>");
    let csrf = form.csrf();
    assert_eq!(
        browser
            .post("/contact-admins", &[("csrf", "forged"), ("user_id", JAN)])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let known = browser
        .post("/contact-admins", &[("csrf", &csrf), ("user_id", DISABLED)])
        .await;
    let unknown = browser
        .post(
            "/contact-admins",
            &[("csrf", &csrf), ("user_id", "nobody.here@contoso.nl")],
        )
        .await;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(known.body, unknown.body, "the same page for every user ID");
    known.assert_contains("Your request was sent");
    // A user ID that does not parse is refused at its field.
    let bad = browser
        .post("/contact-admins", &[("csrf", &csrf), ("user_id", "")])
        .await;
    bad.assert_contains("aria-invalid=\"true\"");
}

#[tokio::test]
async fn a_method_is_registered_in_the_browser_only_after_both_codes() {
    use sspr::host::ContactMethod;
    use sspr::password::{HashParams, Password, hash_password_with_os_rng};
    const PASSWORD: &str = "old plum kettle 41";
    let mut browser = Browser::new();
    let mut jan = browser.directory.get(&testing::id(JAN)).expect("Jan");
    jan.password_hash =
        Some(hash_password_with_os_rng(&Password::new(PASSWORD), &HashParams::default()).unwrap());
    browser.directory.insert(jan);
    let form = browser.get("/register").await;
    assert_eq!(form.status, StatusCode::OK);
    assert_page(&form);
    form.assert_contains("<h1>Register your contact methods</h1>");
    let csrf = form.csrf();
    let fields = |csrf: &'static str, password: &'static str, address: &'static str| {
        [
            ("csrf", csrf),
            ("user_id", JAN),
            ("password", password),
            ("action", "add"),
            ("kind", "sms"),
            ("address", address),
        ]
    };
    let forged = browser
        .post("/register", &fields("forged", PASSWORD, "+31 6 55501234"))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let csrf: &'static str = Box::leak(csrf.into_boxed_str());
    let refused = browser
        .post("/register", &fields(csrf, "not it", "+31 6 55501234"))
        .await;
    assert_eq!(refused.status, StatusCode::OK);
    refused.assert_contains("The user ID or the password is not right.");
    refused.assert_contains("<h1>Register your contact methods</h1>");
    assert!(
        !refused.body.contains("not it"),
        "the password is never echoed"
    );
    let refused = browser
        .post("/register", &fields(csrf, PASSWORD, "12"))
        .await;
    refused.assert_contains("id=\"address-error\"");

    let codes = browser
        .post("/register", &fields(csrf, PASSWORD, "+31 6 55501234"))
        .await;
    assert_eq!(codes.status, StatusCode::OK, "{}", codes.body);
    assert_page(&codes);
    codes.assert_contains("<h1>Type the code we sent</h1>");
    codes.assert_contains("+31 •• ••• ••78 (a method you have)");
    let pending = codes.hidden("pending");
    assert!(!pending.contains("55501234") && !pending.contains("jan"));
    let new_phone = ContactMethod::sms("+31 6 55501234");
    assert_eq!(
        browser.outbox.last_code_to(&new_phone),
        None,
        "no code to the new phone before Jan is proved"
    );
    let current = browser
        .outbox
        .last_code_to(&phone())
        .expect("a code to Jan's phone");
    let confirm = |pending: &str, code: &str| {
        vec![
            ("csrf".to_owned(), csrf.to_owned()),
            ("pending".to_owned(), pending.to_owned()),
            ("code".to_owned(), code.to_owned()),
        ]
    };
    let fields = confirm(&pending, &testing::wrong_code(&current));
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let again = browser.post("/register/confirm", &refs).await;
    again.assert_contains("A code is not right. You have 4 more tries.");
    let pending_after = again.hidden("pending");
    assert_ne!(pending_after, pending, "sealed afresh, one attempt less");
    let mut tampered = pending_after.clone().into_bytes();
    tampered[10] = if tampered[10] == b'a' { b'b' } else { b'a' };
    let tampered = String::from_utf8(tampered).unwrap();
    let fields = confirm(&tampered, &current);
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let refused = browser.post("/register/confirm", &refs).await;
    refused.assert_contains("This registration does not work any more: begin again.");
    let fields = confirm(&pending_after, &current);
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let second = browser.post("/register/confirm", &refs).await;
    assert_page(&second);
    second.assert_contains("That code was right: it is you.");
    second.assert_contains("+31 •• ••• ••34 (the new method)");
    let new_code = browser
        .outbox
        .last_code_to(&new_phone)
        .expect("a code to the new phone, now");
    assert_eq!(
        browser
            .directory
            .get(&testing::id(JAN))
            .unwrap()
            .methods
            .len(),
        2,
        "nothing stored before the new phone's code"
    );
    let fields = confirm(&second.hidden("pending"), &new_code);
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let done = browser.post("/register/confirm", &refs).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_page(&done);
    done.assert_contains("<h1>Your methods are registered</h1>");
    done.assert_contains("+31 •• ••• ••34");
    let methods = browser.directory.get(&testing::id(JAN)).unwrap().methods;
    assert_eq!(methods, vec![phone(), mail(), new_phone]);
}
