//! `server::serve` holds its bounds against clients that play slow or large: a client that
//! never finishes its headers or its body loses its connection, so does one that stops
//! reading its answer, huge headers are refused before they are parsed, connections
//! beyond the limit wait, one client holds a bounded number of them, every request knows
//! its peer, and the shutdown signal stops the server.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::routing::{get, post};
use sspr_axum::server::{ServeOptions, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::timeout;

fn app() -> Router {
    Router::new()
        .route(
            "/peer",
            get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.to_string() }),
        )
        .route(
            "/echo-length",
            post(|body: String| async move { body.len().to_string() }),
        )
}

fn tight() -> ServeOptions {
    ServeOptions {
        max_connections: 4,
        max_connections_per_client: None,
        header_read_timeout: Duration::from_millis(300),
        request_timeout: Duration::from_millis(500),
        idle_timeout: Duration::from_millis(700),
        max_connection_age: Duration::from_secs(60),
        shutdown_grace: Duration::from_secs(1),
    }
}

struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

async fn start(options: ServeOptions) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let addr = listener.local_addr().expect("its address");
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, app(), options, async {
        let _ = stopped.await;
    }));
    Running {
        addr,
        stop: Some(stop),
        task,
    }
}

/// Everything the server sends until it closes the connection (or 5 s pass).
async fn read_to_close(stream: &mut TcpStream) -> Option<String> {
    let mut out = Vec::new();
    timeout(Duration::from_secs(5), stream.read_to_end(&mut out))
        .await
        .ok()?
        .ok()?;
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// One answer on a kept-alive connection (headers and a short body).
async fn read_answer(stream: &mut TcpStream) -> String {
    let mut buf = vec![0u8; 4096];
    let n = timeout(Duration::from_secs(5), stream.read(&mut buf))
        .await
        .expect("an answer in time")
        .expect("a read");
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[tokio::test]
async fn every_request_knows_its_peer() {
    let server = start(tight()).await;
    let mut stream = TcpStream::connect(server.addr).await.expect("connect");
    let local = stream.local_addr().expect("our address");
    stream
        .write_all(b"GET /peer HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let answer = read_to_close(&mut stream).await.expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with(&local.to_string()), "{answer}");
}

#[tokio::test]
async fn headers_that_never_end_lose_the_connection() {
    let server = start(tight()).await;
    let mut stream = TcpStream::connect(server.addr).await.expect("connect");
    stream
        .write_all(b"GET /peer HTTP/1.1\r\nHost: x\r\nX-Slow: a")
        .await
        .expect("write");
    // The header deadline (300 ms) closes it; read_to_close gives up after 5 s.
    let answer = read_to_close(&mut stream).await;
    assert!(answer.is_some(), "the connection stayed open");
    assert!(!answer.unwrap_or_default().contains("200 OK"));
}

#[tokio::test]
async fn a_body_that_never_ends_gets_408() {
    let server = start(tight()).await;
    let mut stream = TcpStream::connect(server.addr).await.expect("connect");
    stream
        .write_all(
            b"POST /echo-length HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly ten..",
        )
        .await
        .expect("write");
    let answer = read_to_close(&mut stream)
        .await
        .expect("the connection closes");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        !answer.contains("only ten"),
        "the answer echoes the body: {answer}"
    );
}

#[tokio::test]
async fn huge_headers_are_refused_before_the_router() {
    let server = start(tight()).await;
    let mut stream = TcpStream::connect(server.addr).await.expect("connect");
    let mut request = b"GET /peer HTTP/1.1\r\nHost: x\r\n".to_vec();
    for i in 0..40 {
        request.extend_from_slice(format!("X-Big-{i}: {}\r\n", "v".repeat(2000)).as_bytes());
    }
    request.extend_from_slice(b"\r\n");
    // The server may close before it has read everything.
    let _ = stream.write_all(&request).await;
    let answer = read_to_close(&mut stream).await.unwrap_or_default();
    assert!(!answer.contains("200 OK"), "{answer}");
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 431"),
        "{answer}"
    );
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_for_a_free_one() {
    let server = start(ServeOptions {
        max_connections: 1,
        header_read_timeout: Duration::from_secs(5),
        ..tight()
    })
    .await;
    let mut first = TcpStream::connect(server.addr).await.expect("connect");
    first
        .write_all(b"GET /peer HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    assert!(read_answer(&mut first).await.starts_with("HTTP/1.1 200"));

    // The one connection is open (kept alive): the second waits.
    let mut second = TcpStream::connect(server.addr).await.expect("connect");
    second
        .write_all(b"GET /peer HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut byte = [0u8; 1];
    let early = timeout(Duration::from_millis(400), second.read(&mut byte)).await;
    assert!(
        early.is_err(),
        "a second connection was served beyond the limit"
    );

    drop(first);
    let answer = read_to_close(&mut second)
        .await
        .expect("served once the first closed");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn the_shutdown_signal_stops_the_server() {
    let mut server = start(tight()).await;
    if let Some(stop) = server.stop.take() {
        let _ = stop.send(());
    }
    let result = timeout(Duration::from_secs(5), &mut server.task)
        .await
        .expect("the server stops in time")
        .expect("the task ends");
    assert!(result.is_ok());
    assert!(TcpStream::connect(server.addr).await.is_err());
}

#[tokio::test]
async fn a_client_that_stops_reading_its_answer_loses_its_slot() {
    let server = start(ServeOptions {
        max_connections: 1,
        ..tight()
    })
    .await;
    // Asks for 8 MB and never reads: the answer fills the socket buffers and stalls.
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket.set_recv_buffer_size(4096).expect("a small buffer");
    let mut stuck = socket.connect(server.addr).await.expect("connect");
    stuck
        .write_all(b"GET /large HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    tokio::time::sleep(Duration::from_millis(100)).await;

    // The idle deadline (700 ms) frees the one slot for the next client.
    let mut next = TcpStream::connect(server.addr).await.expect("connect");
    next.write_all(b"GET /peer HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let answer = read_to_close(&mut next)
        .await
        .expect("served once the stuck one is gone");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    drop(stuck);
}

#[tokio::test]
async fn one_client_holds_a_bounded_number_of_connections() {
    let server = start(ServeOptions {
        max_connections_per_client: Some(2),
        header_read_timeout: Duration::from_secs(5),
        idle_timeout: Duration::from_secs(5),
        ..tight()
    })
    .await;
    let mut open = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(server.addr).await.expect("connect");
        stream
            .write_all(b"GET /peer HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("write");
        assert!(read_answer(&mut stream).await.starts_with("HTTP/1.1 200"));
        open.push(stream);
    }
    // A third from the same address is closed at once, unanswered.
    let mut third = TcpStream::connect(server.addr).await.expect("connect");
    let _ = third
        .write_all(b"GET /peer HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await;
    let answer = read_to_close(&mut third).await.unwrap_or_default();
    assert!(answer.is_empty(), "{answer}");
    // One closes: there is room again.
    drop(open.pop());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut again = TcpStream::connect(server.addr).await.expect("connect");
    again
        .write_all(b"GET /peer HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let answer = read_to_close(&mut again).await.expect("served");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}
