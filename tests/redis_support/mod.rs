//! What the Redis tests share: the server of `REDIS_URL` (or a notice, or a failure in
//! CI), servers of one test and `redis-cli`. Users, directory and snapshots come from
//! the crate's test kit (`sspr::testing`).
#![allow(dead_code)] // each test file uses part of this
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a failed expectation is a failed test

pub mod cluster;
pub mod reset;
pub mod two_servers;

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use sspr::FlowId;
use sspr::store::{FlowSnapshot, RedisFlowStore, StoreKey};

/// The URL of the test server, or `None` (after a notice) where the tests may skip.
pub fn redis_url() -> Option<String> {
    match std::env::var("REDIS_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("REDIS_URL is not set but CI is: the Redis tests must run (see scripts/test)")
        }
        _ => {
            eprintln!(
                "notice: REDIS_URL is not set; this Redis test checks nothing. \
                 Run scripts/test, which starts a redis-server and sets it."
            );
            None
        }
    }
}

/// A key prefix of this test alone.
pub fn prefix() -> String {
    format!("sspr-test:{}", FlowId::generate().expect("entropy"))
}

/// The store key of the tests' deployment: every store of a test that connects with
/// [`connect`] shares it, as the app servers of one deployment do.
pub fn key() -> StoreKey {
    StoreKey::from_keys(&sspr::testing::keys())
}

/// A store on the test server, under `prefix`, with the tests' [`key`].
pub async fn connect(url: &str, prefix: &str) -> RedisFlowStore {
    connect_with_key(url, prefix, key()).await
}

/// A store on the test server, under `prefix`, with `key`.
pub async fn connect_with_key(url: &str, prefix: &str, key: StoreKey) -> RedisFlowStore {
    RedisFlowStore::connect(url, prefix, key)
        .await
        .expect("the test Redis answers")
}

/// `redis-cli -u URL ARGS...` (installed with `redis-server`), one reply per line.
pub fn redis_cli(url: &str, args: &[&str]) -> Vec<String> {
    let output = Command::new("redis-cli")
        .args(["-u", url])
        .args(args)
        .output()
        .expect("redis-cli runs");
    assert!(output.status.success(), "redis-cli {args:?} failed");
    String::from_utf8(output.stdout)
        .expect("text")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A step of flow `flow` (a store key) with `template`'s bytes: before its challenge
/// (`anonymous`) or past it, with a step nonce of its own for each `step`. Only the
/// header changes (the stage byte, the store key, the nonce), which is all a store reads;
/// the body, sealed for another flow, would not open.
pub fn step_of(template: &FlowSnapshot, flow: FlowId, anonymous: bool, step: u8) -> FlowSnapshot {
    let mut bytes = template.as_bytes().to_vec();
    bytes[1] = u8::from(!anonymous);
    bytes[2..18].copy_from_slice(flow.as_bytes());
    bytes[18] ^= step;
    let snapshot = FlowSnapshot::from_bytes(&bytes).expect("a sound header");
    assert_eq!(
        (snapshot.flow_id(), snapshot.is_anonymous()),
        (flow, anonymous)
    );
    snapshot
}

/// A new flow's first step, with `template`'s bytes (see [`step_of`]).
pub fn new_flow(template: &FlowSnapshot, anonymous: bool) -> FlowSnapshot {
    step_of(template, FlowId::generate().expect("entropy"), anonymous, 0)
}

/// The keys under `prefix` that start with `prefix:what` (one server).
pub fn keys_of(url: &str, prefix: &str, what: &str) -> Vec<String> {
    redis_cli(url, &["--scan", "--pattern", &format!("{prefix}:{what}*")])
}

/// The remaining lifetime of `key` in milliseconds (-1: none, -2: no such key).
pub fn pttl(url: &str, key: &str) -> i64 {
    redis_cli(url, &["PTTL", key])[0].parse().expect("a number")
}

/// The bytes Redis holds (`used_memory` of `INFO memory`), as it compares them with its
/// `maxmemory`.
pub fn used_memory(url: &str) -> u64 {
    redis_cli(url, &["INFO", "memory"])
        .iter()
        .find_map(|line| line.strip_prefix("used_memory:"))
        .expect("INFO memory has used_memory")
        .trim()
        .parse()
        .expect("a number")
}

/// A `redis-server` of one test, on a free loopback port, without persistence; stopped
/// when dropped.
pub struct OwnServer {
    /// The server process (started by this test).
    pub child: Child,
    /// Its loopback port.
    pub port: u16,
}

impl OwnServer {
    /// Starts a server on `port` and waits until it answers.
    pub fn start(port: u16) -> Self {
        Self::start_with(port, &[])
    }

    /// Like [`OwnServer::start`], with more `redis-server` arguments.
    pub fn start_with(port: u16, extra: &[&str]) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let server = OwnServer { child, port };
        let deadline = Instant::now() + std::time::Duration::from_secs(10);
        while !server.answers() {
            assert!(
                Instant::now() < deadline,
                "redis-server answers within 10 s"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        server
    }

    /// Whether the server answers PING.
    pub fn answers(&self) -> bool {
        use std::io::{Read, Write};
        let Ok(mut stream) = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(std::time::Duration::from_millis(500)));
        let mut reply = [0u8; 7];
        stream.write_all(b"PING\r\n").is_ok()
            && stream.read_exact(&mut reply).is_ok()
            && &reply == b"+PONG\r\n"
    }

    /// Its URL.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Stops it (kills the process and waits for it).
    pub fn stop(mut self) {
        self.kill();
    }

    /// Kills the process, if it still runs.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A loopback port nothing listens on (at the moment of asking).
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// Whether `redis-server` is on `PATH`; without it, fails in CI (or with `REDIS_URL`),
/// or prints a notice.
pub fn redis_server_on_path() -> bool {
    let found = Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !found {
        if std::env::var_os("CI").is_some() || std::env::var_os("REDIS_URL").is_some() {
            panic!("redis-server is not on PATH: the restart test must run (see scripts/test)");
        }
        eprintln!("notice: redis-server is not on PATH; the restart test checks nothing.");
    }
    found
}

/// Sends `signal` to a server this test started.
pub fn signal(server: &OwnServer, signal: &str) {
    let status = Command::new("kill")
        .args([signal, &server.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}
