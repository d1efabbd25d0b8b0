//! The server of one scenario: the router of `cargo run --example web` (base path
//! `/reset`, cookies for plain HTTP on loopback, the default pages with a sign-in link),
//! on a free loopback port, over parts that this process holds: the flow store, the
//! outbox, the directory.

use axum::http::{StatusCode, header};
use sspr::host::{DeliverAtOnce, InMemoryDirectory, ManualClock, Outbox, TokioBlocking};
use sspr::policy::Policy;
use sspr::store::{Flows, MemoryFlowStore};
use sspr::support::InMemorySupportDesk;
use sspr::{Sspr, testing};
use sspr_axum::Web;
use sspr_axum::pages::{DefaultPages, Page, PageContext, Pages, Problem, Urls};
use tokio::task::JoinHandle;

/// Where the wizard lives, as in the web example.
pub const BASE: &str = "/reset";

/// The name of the flow cookie over plain HTTP (no `__Host-` prefix).
pub const FLOW_COOKIE: &str = "sspr-flow";

pub struct Server {
    origin: String,
    /// The service, for what an admin does (issuing reset links).
    pub sspr: Sspr,
    /// The flow store, which is also the store of reset links.
    pub store: MemoryFlowStore,
    flows: Flows<MemoryFlowStore>,
    pub outbox: Outbox,
    pub directory: InMemoryDirectory,
    /// The support desk the router files requests for a new global admin with.
    pub desk: InMemorySupportDesk,
    /// The server's clock (the service's and the flows'): starts now, moves when told.
    pub clock: ManualClock,
    task: JoinHandle<()>,
}

impl Server {
    /// A server with the test kit's demo accounts under `policy`, listening on a free
    /// port of 127.0.0.1.
    pub async fn start(policy: Policy) -> Server {
        let directory = testing::demo_directory();
        let outbox = Outbox::new();
        let store = MemoryFlowStore::new();
        let keys = testing::keys();
        let desk = InMemorySupportDesk::new();
        let clock = ManualClock::new(time::OffsetDateTime::now_utc());
        let sspr = Sspr::builder(directory.clone(), outbox.clone())
            .policy(policy)
            .clock(clock.clone())
            .keys(&keys)
            .counters(store.clone())
            .offload(TokioBlocking)
            // The code is in the outbox when the page that sent it arrives.
            .dispatch(DeliverAtOnce)
            .build()
            .expect("the service builds");
        let flows = Flows::new(store.clone(), keys)
            .expect("an in-memory store")
            .with_clock(clock.clone());
        let router = Web::new(sspr.clone(), flows.clone())
            .base_path(BASE)
            .secure_cookies(false)
            .pages(DefaultPages::new().sign_in_url("/"))
            .support_desk(desk.clone())
            .reset_links(store.clone())
            .router()
            .expect("the router builds")
            // The host's page for other addresses, as in the web example.
            .fallback(|| async {
                let urls = Urls::new(BASE);
                let translations = sspr_axum::pages::translations();
                let cx = PageContext {
                    urls: &urls,
                    text: translations.negotiate(&["en"]),
                    languages: &[],
                    support: false,
                };
                let page = DefaultPages::new().render(&Page::Problem(Problem::NotFound), &cx);
                (
                    StatusCode::NOT_FOUND,
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    page,
                )
            })
            .layer(axum::middleware::from_fn(sspr_axum::security::headers));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free loopback port");
        let addr = listener.local_addr().expect("its address");
        let task = tokio::spawn(async move {
            sspr_axum::server::serve(
                listener,
                router,
                sspr_axum::server::ServeOptions::default(),
                std::future::pending(),
            )
            .await
            .expect("the server runs");
        });
        Server {
            origin: format!("http://{addr}"),
            sspr,
            store,
            flows,
            outbox,
            directory,
            desk,
            clock,
            task,
        }
    }

    /// The URL of a page of the wizard: `url("/")` is "Can't access your account?".
    pub fn url(&self, tail: &str) -> String {
        format!("{}{BASE}{tail}", self.origin)
    }

    /// The answer of the challenge of the flow named by `flow` (the browser's flow
    /// cookie): read from this process's own flow store without using up the step, and
    /// revealed by the test kit's door. The HTTP surface tells nobody.
    pub async fn answer(&self, flow: &str) -> String {
        self.flows
            .challenge(flow)
            .await
            .expect("the flow is at its challenge")
            .danger_reveal_answer()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}
