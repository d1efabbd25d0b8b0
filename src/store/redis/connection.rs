//! The connection under a [`RedisFlowStore`](super::RedisFlowStore): one endpoint (the
//! `redis` crate's `ConnectionManager`) or a Redis Cluster (its cluster client, which
//! routes each command to the primary of its key's slot and follows redirections). Every
//! call is bounded by the store's timeout, and a failure is a [`Failure`]: a short text
//! that quotes no URL, key or value, and whether Redis refused the call for memory.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::{Client, Cmd, ConnectionInfo, FromRedisValue, IntoConnectionInfo, RedisError};
use redis::{RedisResult, Script};

use super::{RedisFlowStore, StoreError};

/// How many times a request is retried after a failure the client may get past (a
/// dropped connection, a slot that moved): few, with short pauses, so that the retries
/// end before the request's timeout would.
const RETRIES: u32 = 2;
/// The shortest and longest pause before a retry or a reconnection, in milliseconds.
const MIN_DELAY_MS: u64 = 50;
const MAX_DELAY_MS: u64 = 500;

/// Why node URLs are refused that do not go together.
const DIFFERENT_NODES: &str = "the Redis Cluster node URLs must have one scheme (redis:// or \
    rediss://), one user, one password and one database, and no Unix socket";

/// Why a call failed: a short text that quotes no URL, key or value (the source of the
/// store's `Unavailable` errors), and whether Redis refused the call for memory (`OOM`:
/// over its `maxmemory` with `noeviction`), which the store may make room for.
#[derive(Debug)]
pub(super) struct Failure {
    message: String,
    out_of_memory: bool,
}

impl Failure {
    /// Whether Redis refused the call because it is over its `maxmemory`.
    pub(super) fn is_out_of_memory(&self) -> bool {
        self.out_of_memory
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure {
            message,
            out_of_memory: false,
        }
    }
}

/// One of the store's Lua scripts: its source and the SHA-1 Redis files it under.
pub(super) struct Lua {
    source: &'static str,
    sha1: String,
}

impl Lua {
    pub(super) fn new(source: &'static str) -> Self {
        Lua {
            source,
            sha1: Script::new(source).get_hash().to_owned(),
        }
    }
}

/// A connection to one endpoint or to a cluster. Clones share the connection.
#[derive(Clone)]
pub(super) enum Connection {
    /// One server, a primary, or a proxy in front of a cluster; reconnects by itself.
    Single(ConnectionManager),
    /// A Redis Cluster: one connection per node, the slot map refreshed on redirections
    /// and failures, a lost node reconnected in the background.
    Cluster(ClusterConnection),
}

impl Connection {
    /// Connects to the server at `url` within `timeout`; also returns where it is, without
    /// credentials (for `Debug`).
    pub(super) async fn single(
        url: &str,
        timeout: Duration,
    ) -> Result<(Self, Arc<str>), StoreError> {
        // The `redis` crate's error may quote the URL, password included: keep it out.
        let client = Client::open(url).map_err(|_| {
            StoreError::unavailable(
                "the Redis URL is not valid (redis://host:port/db, rediss://, redis+unix://)",
            )
        })?;
        let info = client.get_connection_info();
        let server = format!("{}/{}", info.addr(), info.redis_settings().db()).into();
        // Each attempt is bounded by the timeout; the few retries with short pauses end
        // before the next request would wait on them for long. A request that finds the
        // reconnection failed starts another one.
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(RETRIES as usize)
            .set_min_delay(Duration::from_millis(MIN_DELAY_MS))
            .set_max_delay(Duration::from_millis(MAX_DELAY_MS));
        let connection = bounded(timeout, ConnectionManager::new_with_config(client, config))
            .await
            .map_err(StoreError::unavailable)?;
        Ok((Connection::Single(connection), server))
    }

    /// Connects to the Redis Cluster that `nodes` (one URL per node, any of its nodes;
    /// one answering is enough) belong to, within `timeout`; also returns where it is,
    /// without credentials.
    pub(super) async fn cluster(
        nodes: &[&str],
        timeout: Duration,
    ) -> Result<(Self, Arc<str>), StoreError> {
        let most = RedisFlowStore::MAX_CLUSTER_NODES;
        if nodes.is_empty() || nodes.len() > most {
            return Err(StoreError::unavailable(format!(
                "a Redis Cluster is given by 1 to {most} node URLs"
            )));
        }
        let infos = nodes
            .iter()
            .map(|url| url.into_connection_info())
            .collect::<RedisResult<Vec<ConnectionInfo>>>()
            // As above: the error may quote a URL with its password.
            .map_err(|_| {
                StoreError::unavailable(
                    "a Redis Cluster node URL is not valid (redis://host:port/, rediss://)",
                )
            })?;
        // The cluster client logs in to every node as the first URL says (and ignores
        // what the others say): URLs that differ are a mistake to report, not to guess at.
        let first = infos[0].redis_settings();
        let alike = infos.iter().all(|info| {
            let settings = info.redis_settings();
            settings.username() == first.username()
                && settings.password() == first.password()
                && settings.db() == first.db()
        });
        if !alike {
            return Err(StoreError::unavailable(DIFFERENT_NODES));
        }
        let addresses: Vec<String> = infos.iter().map(|info| info.addr().to_string()).collect();
        let server = format!("cluster {}", addresses.join(",")).into();
        // Each attempt to a node is bounded by the timeout, and so is a whole request,
        // retries and redirections included (the overall timeout follows the response
        // timeout). A node that is away is reconnected in the background until it is back.
        let client = ClusterClient::builder(infos)
            .connection_timeout(timeout)
            .response_timeout(timeout)
            .retries(RETRIES)
            .min_retry_wait(MIN_DELAY_MS)
            .max_retry_wait(MAX_DELAY_MS)
            .build()
            // Nodes with different schemes or protocols, or a Unix socket.
            .map_err(|_| StoreError::unavailable(DIFFERENT_NODES))?;
        let connection = bounded(timeout, client.get_async_connection())
            .await
            .map_err(StoreError::unavailable)?;
        Ok((Connection::Cluster(connection), server))
    }

    /// Runs `lua` on the node of its keys within `timeout`.
    ///
    /// It is called by its SHA-1 (`EVALSHA`); where the node does not know it yet (a new
    /// or restarted node), the same call goes again with the source (`EVAL`), which also
    /// files it there. Both go to the node of the keys, unlike `SCRIPT LOAD`, which a
    /// cluster client sends to every node and which fails while any node is away.
    pub(super) async fn script<T: FromRedisValue>(
        &self,
        timeout: Duration,
        lua: &Lua,
        keys: &[&str],
        args: &[&[u8]],
    ) -> Result<T, Failure> {
        let call = |first: &str, body: &str| {
            let mut cmd = redis::cmd(first);
            cmd.arg(body).arg(keys.len());
            for key in keys {
                cmd.arg(*key);
            }
            for arg in args {
                cmd.arg(*arg);
            }
            cmd
        };
        let (by_sha1, by_source) = (call("EVALSHA", &lua.sha1), call("EVAL", lua.source));
        let mut connection = self.clone();
        bounded(timeout, async move {
            match connection.query(&by_sha1).await {
                Err(error) if error.code() == Some("NOSCRIPT") => {
                    connection.query(&by_source).await
                }
                result => result,
            }
        })
        .await
    }

    /// Runs one command within `timeout`; returns its reply.
    pub(super) async fn command<T: FromRedisValue>(
        &self,
        timeout: Duration,
        cmd: &Cmd,
    ) -> Result<T, Failure> {
        let mut connection = self.clone();
        bounded(timeout, async move { connection.query(cmd).await }).await
    }

    async fn query<T: FromRedisValue>(&mut self, cmd: &Cmd) -> RedisResult<T> {
        match self {
            Connection::Single(connection) => cmd.query_async(connection).await,
            Connection::Cluster(connection) => cmd.query_async(connection).await,
        }
    }
}

/// Awaits `operation` for at most `timeout`; any failure becomes a [`Failure`] whose
/// message holds no URL, key or value.
pub(super) async fn bounded<T>(
    timeout: Duration,
    operation: impl Future<Output = RedisResult<T>>,
) -> Result<T, Failure> {
    match tokio::time::timeout(timeout, operation).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(Failure {
            message: describe(&error),
            out_of_memory: error.code() == Some("OOM"),
        }),
        Err(_) => Err(timed_out(timeout)),
    }
}

/// The failure of a call that took longer than `timeout`.
pub(super) fn timed_out(timeout: Duration) -> Failure {
    Failure::from(format!(
        "Redis did not answer within {} ms; try again",
        timeout.as_millis()
    ))
}

fn describe(error: &RedisError) -> String {
    if error.is_timeout() {
        "Redis did not answer in time; try again".into()
    } else if error.is_connection_refusal() {
        "Redis refused the connection; try again".into()
    } else if error.is_io_error() || error.is_connection_dropped() {
        "the connection to Redis failed; try again".into()
    } else if let Some(code) = error.code() {
        // A server error code such as READONLY, OOM, LOADING or CLUSTERDOWN, never the
        // message.
        let code: String = code
            .chars()
            .take(32)
            .filter(char::is_ascii_alphanumeric)
            .collect();
        format!("Redis refused the operation ({code}); try again")
    } else {
        format!("Redis failed ({:?}); try again", error.kind())
    }
}
