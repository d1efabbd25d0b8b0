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

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

use crate::security;

/// The bounds of [`serve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeOptions {
    /// The most connections open at once; further clients wait in the listen queue.
    pub max_connections: usize,
    /// How long a client has to send a request's headers (the first request's, and each
    /// following one's on a kept-alive connection).
    pub header_read_timeout: Duration,
    /// How long a request may take from its headers to its answer (its body included);
    /// past it the client gets 408 and the connection closes.
    pub request_timeout: Duration,
    /// How long [`serve`] waits, after the shutdown signal, for requests in progress.
    pub shutdown_grace: Duration,
}

impl Default for ServeOptions {
    /// 1,024 connections, 10 s for headers, 30 s for a request, 10 s of grace.
    fn default() -> Self {
        ServeOptions {
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(10),
        }
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
/// finish (for up to [`ServeOptions::shutdown_grace`]). Errors accepting a connection
/// (too many open files, say) are waited out, not returned; the result is an error only
/// when the listener itself fails.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    options: ServeOptions,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let slots = Arc::new(Semaphore::new(options.max_connections.max(1)));
    let (stop, stopped) = watch::channel(false);
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout)
        .max_header_size(HARD_HEADER_BYTES)
        .max_headers(HARD_HEADERS)
        .keep_alive(true);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
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
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let timeout = options.request_timeout;
        let service = service_fn(move |request: Request<Incoming>| {
            let app = app.clone();
            async move { Ok::<_, std::convert::Infallible>(answer(app, request, peer, timeout).await) }
        });
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => return,
                _ = stopped.wait_for(|stop| *stop) => {}
            }
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        });
    }
    let _ = stop.send(true);
    // Every connection holds a slot until it closes: all slots back means all closed.
    let all = u32::try_from(options.max_connections.max(1)).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(options.shutdown_grace, slots.acquire_many(all)).await;
    Ok(())
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
