//! Serving the router over HTTP/1.1 with the bounds a server in front of people needs and
//! `axum::serve` does not set: a deadline for a request's headers (a client that sends
//! them a byte a minute holds a connection for ever otherwise), a deadline for the whole
//! request (headers, body and answer), hard limits on header bytes and count, and a
//! bounded number of open connections.
//!
//! ```no_run
//! # async fn run(app: axum::Router) -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! sspr_axum::server::serve(listener, app, sspr_axum::server::ServeOptions::default(), async {
//!     let _ = tokio::signal::ctrl_c().await;
//! })
//! .await
//! # }
//! ```
//!
//! Each request carries the peer's [`ConnectInfo<SocketAddr>`](axum::extract::ConnectInfo),
//! which [`ClientAddress::Peer`](crate::ClientAddress::Peer) keys the rate limits on.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

use crate::security;

/// The bounds of [`serve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeOptions {
    /// The most connections open at once; further clients wait in the listen queue.
    pub max_connections: usize,
    /// The most connections one client address holds at once (an IPv6 client by its
    /// /64); more are closed at once. `None` when every connection comes from a reverse
    /// proxy, which then bounds its clients.
    pub max_connections_per_client: Option<usize>,
    /// How long a client has to send a request's headers (the first request's, and each
    /// following one's on a kept-alive connection).
    pub header_read_timeout: Duration,
    /// How long a request may take from its headers to its answer (its body included);
    /// past it the client gets 408 and the connection closes.
    pub request_timeout: Duration,
    /// How long a connection may go without a byte read or written (a client that stops
    /// reading its answer, or an idle kept-alive connection) before it is closed.
    pub idle_timeout: Duration,
    /// How long one connection may live; then it finishes its request and closes.
    pub max_connection_age: Duration,
    /// How long [`serve`] waits, after the shutdown signal, for requests in progress;
    /// connections still open then are closed.
    pub shutdown_grace: Duration,
}

impl Default for ServeOptions {
    /// 1,024 connections, 32 per client, 10 s for headers, 30 s for a request, 30 s
    /// without progress, 10 minutes of age, 10 s of grace.
    fn default() -> Self {
        ServeOptions {
            max_connections: 1024,
            max_connections_per_client: Some(32),
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(30),
            max_connection_age: Duration::from_secs(600),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

impl ServeOptions {
    /// The options within what the server can use: at least one connection, at most
    /// what a semaphore holds; every duration between 1 ms and a day.
    fn bounded(mut self) -> Self {
        let clamp = |d: Duration| d.clamp(Duration::from_millis(1), Duration::from_secs(86_400));
        self.max_connections = self.max_connections.clamp(1, 1 << 20);
        self.max_connections_per_client = self.max_connections_per_client.map(|n| n.max(1));
        self.header_read_timeout = clamp(self.header_read_timeout);
        self.request_timeout = clamp(self.request_timeout);
        self.idle_timeout = clamp(self.idle_timeout);
        self.max_connection_age = clamp(self.max_connection_age);
        self.shutdown_grace = clamp(self.shutdown_grace);
        self
    }
}

/// Hyper's own cut-off for header bytes: twice the router's bound, so that a request just
/// over the router's bound still gets the router's page (431), and an absurd one is
/// refused before it is parsed.
const HARD_HEADER_BYTES: usize = 2 * security::MAX_HEADER_BYTES;
/// Hyper's own cut-off for the number of headers (the router's bound is
/// [`security::MAX_HEADERS`]).
const HARD_HEADERS: usize = 2 * security::MAX_HEADERS;

/// Serves `app` on `listener` until `shutdown` completes, then lets requests in progress
/// finish (for up to [`ServeOptions::shutdown_grace`]) and closes what is left. Errors
/// accepting a connection (too many open files, say) are waited out, not returned.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    options: ServeOptions,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let options = options.bounded();
    let slots = Arc::new(Semaphore::new(options.max_connections));
    let per_client = Arc::new(PerClient::default());
    let (stop, stopped) = watch::channel(false);
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout)
        .max_header_size(HARD_HEADER_BYTES)
        .max_headers(HARD_HEADERS)
        .keep_alive(true);
    let mut tasks = tokio::task::JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // Reap finished connections now and then, so the set stays small.
        while tasks.try_join_next().is_some() {}
        let slot = tokio::select! {
            () = &mut shutdown => break,
            slot = Arc::clone(&slots).acquire_owned() => slot,
        };
        let Ok(slot) = slot else { break };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) if is_connection_error(&error) => continue,
                Err(_) => {
                    // Out of file descriptors and the like: wait, then accept again.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        // One client holds a bounded share of the connections.
        let Some(client) = per_client.enter(peer, options.max_connections_per_client) else {
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let last_progress = Arc::new(AtomicU64::new(0));
        let born = Instant::now();
        let io = TokioIo::new(Watched {
            inner: stream,
            born,
            last_progress: Arc::clone(&last_progress),
        });
        let app = app.clone();
        let timeout = options.request_timeout;
        let service = service_fn(move |request: Request<Incoming>| {
            let app = app.clone();
            async move { Ok::<_, std::convert::Infallible>(answer(app, request, peer, timeout).await) }
        });
        let connection = http.serve_connection(io, service);
        let mut stopped = stopped.clone();
        let (idle, age) = (options.idle_timeout, options.max_connection_age);
        tasks.spawn(async move {
            let _slot = slot;
            let _client = client;
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => return,
                // No byte in or out for too long: close it (a reader that stopped
                // reading holds its slot no longer).
                () = stalled(born, &last_progress, idle) => return,
                () = tokio::time::sleep_until((born + age).into()) => {}
                _ = stopped.wait_for(|stop| *stop) => {}
            }
            connection.as_mut().graceful_shutdown();
            tokio::select! {
                _ = connection.as_mut() => {}
                () = stalled(born, &last_progress, idle) => {}
            }
        });
    }
    drop(listener);
    let _ = stop.send(true);
    // Requests in progress finish within the grace; what is left then is closed.
    let _ = tokio::time::timeout(options.shutdown_grace, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    tasks.shutdown().await;
    Ok(())
}

/// Completes once the connection went `idle` without reading or writing a byte.
async fn stalled(born: Instant, last_progress: &AtomicU64, idle: Duration) {
    loop {
        let last = Duration::from_millis(last_progress.load(Ordering::Relaxed));
        let deadline = born + last + idle;
        if Instant::now() >= deadline {
            return;
        }
        tokio::time::sleep_until(deadline.into()).await;
    }
}

/// A connection's stream that notes when it last read or wrote a byte.
struct Watched {
    inner: TcpStream,
    born: Instant,
    /// Milliseconds after `born` of the last byte read or written.
    last_progress: Arc<AtomicU64>,
}

impl Watched {
    fn progressed(&self) {
        let millis = u64::try_from(self.born.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_progress.store(millis, Ordering::Relaxed);
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.progressed();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.progressed();
        }
        polled
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write_vectored(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.progressed();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// Open connections per client address (an IPv6 address by its /64).
#[derive(Default)]
struct PerClient {
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One client's connection, counted until it closes.
struct ClientSlot {
    clients: Arc<PerClient>,
    address: IpAddr,
}

impl PerClient {
    /// A place for one more connection of `peer`, if it holds fewer than `max`.
    fn enter(self: &Arc<Self>, peer: SocketAddr, max: Option<usize>) -> Option<Option<ClientSlot>> {
        let Some(max) = max else {
            return Some(None);
        };
        let address = client_of(peer.ip());
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(address).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(Some(ClientSlot {
            clients: Arc::clone(self),
            address,
        }))
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut open = self
            .clients
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.address) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.address);
            }
        }
    }
}

/// The address a client is counted under: IPv4 as it is, IPv6 by its /64 (one host
/// often holds a whole /64).
fn client_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(Ipv6Addr::from(segments))
            }
        },
    }
}

/// Runs one request through the router, within the request deadline.
async fn answer(
    app: Router,
    request: Request<Incoming>,
    peer: SocketAddr,
    timeout: Duration,
) -> Response<Body> {
    let mut request = request.map(Body::new);
    request.extensions_mut().insert(ConnectInfo(peer));
    match tokio::time::timeout(timeout, app.oneshot(request)).await {
        Ok(Ok(response)) => response,
        Ok(Err(never)) => match never {},
        Err(_) => timed_out(),
    }
}

/// 408, and the connection closes: the client took too long (or the answer did).
fn timed_out() -> Response<Body> {
    let mut response = Response::new(Body::from("408 Request Timeout\n"));
    *response.status_mut() = StatusCode::REQUEST_TIMEOUT;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// Errors of one connection that has gone before it was accepted: accept the next.
fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}
