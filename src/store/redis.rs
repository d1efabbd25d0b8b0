//! The Redis flow store (feature `redis`): suspended flows and per-user-ID counters in
//! Redis, shared by every app server of a host, and the [`StoreKey`] that names a user
//! ID's keys. The key layout, the memory policy, the use of a Redis Cluster and the
//! behaviour while Redis (or a node) is away are on [`RedisFlowStore`]; the Lua scripts
//! are in `redis/*.lua`, the connection (one endpoint or a cluster) in `redis/connection.rs`.

mod anonymous;
mod connection;

use std::fmt;
use std::sync::{Arc, LazyLock};

use connection::{Connection, Failure, Lua};
use hmac::{Hmac, KeyInit, Mac};
use rand::TryRng;
use rand::rngs::SysRng;
use redis::Value;
use sha2::Sha256;
use time::{Duration, OffsetDateTime};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::{FlowStore, StoreError, Taken};
use crate::flow::FlowId;
use crate::grant::{GrantDigest, GrantStore, GrantTaken, StoredGrant};
use crate::limits::{Counter, CounterError, Counters};
use crate::snapshot::FlowSnapshot;
use crate::user_id::UserId;

/// The longest key lifetime set in Redis (ten years): far beyond any flow or window,
/// short enough that Redis never refuses it as out of range.
const MAX_TTL_MS: i64 = 10 * 366 * 24 * 60 * 60 * 1000;

static SAVE: LazyLock<Lua> = LazyLock::new(|| Lua::new(include_str!("redis/save.lua")));
static TAKE: LazyLock<Lua> = LazyLock::new(|| Lua::new(include_str!("redis/take.lua")));
static PEEK: LazyLock<Lua> = LazyLock::new(|| Lua::new(include_str!("redis/peek.lua")));
static ADD: LazyLock<Lua> = LazyLock::new(|| Lua::new(include_str!("redis/add.lua")));
static RELEASE: LazyLock<Lua> = LazyLock::new(|| Lua::new(include_str!("redis/release.lua")));
static BLOCK: LazyLock<Lua> = LazyLock::new(|| Lua::new(include_str!("redis/block.lua")));
static GRANT_PUT: LazyLock<Lua> = LazyLock::new(|| Lua::new(include_str!("redis/grant_put.lua")));
static GRANT_TAKE: LazyLock<Lua> = LazyLock::new(|| Lua::new(include_str!("redis/grant_take.lua")));
static GRANT_REVOKE: LazyLock<Lua> =
    LazyLock::new(|| Lua::new(include_str!("redis/grant_revoke.lua")));
static BLOCKED_UNTIL: LazyLock<Lua> =
    LazyLock::new(|| Lua::new(include_str!("redis/blocked_until.lua")));

/// The host's secret key for the names of a [`RedisFlowStore`]'s per-user-ID keys: a
/// user ID appears in Redis key names only as an HMAC-SHA-256 under this key, so a list
/// of candidate IDs does not tell whose keys they are.
///
/// Every app server of one deployment passes the same key (32 bytes from the host's
/// secret store, [`StoreKey::from_bytes`]): servers with different keys count and block
/// one user ID under different names, so neither sees the other's limits. Keep it
/// stable: a new key starts every user ID's counts afresh and lifts every block (the keys
/// under the old one expire by themselves). [`StoreKey::generate`] is for a single server, tests
/// and demos. Secret: `Debug` redacts it, no `Clone`, wiped on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct StoreKey([u8; 32]);

impl StoreKey {
    /// The length of a key, in bytes.
    pub const LEN: usize = 32;

    /// A key from 32 secret bytes (keep them in the host's secret store).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        StoreKey(bytes)
    }

    /// The store's sub-key of the deployment's [`Keys`](crate::host::Keys) (derived from
    /// the current master secret): one secret for everything, the same on every server.
    /// Rotating the master secret changes it, which restarts every user's counts and
    /// lifts every block (see above).
    pub fn from_keys(keys: &crate::keys::Keys) -> Self {
        StoreKey(keys.store_key_bytes())
    }

    /// A fresh random key from the operating system's CSPRNG: for one server alone (its
    /// counts and blocks do not survive a restart with a new key). A failing generator
    /// is [`StoreError::Unavailable`].
    pub fn generate() -> Result<Self, StoreError> {
        let mut bytes = [0u8; 32];
        SysRng.try_fill_bytes(&mut bytes).map_err(|_| {
            StoreError::unavailable("the operating system's random number generator failed")
        })?;
        Ok(StoreKey(bytes))
    }

    /// The keyed digest of a normalised user ID, as it appears in key names.
    fn user_digest(&self, user: &UserId) -> [u8; 32] {
        // HMAC pads a short key with zeros to the block size: the same as this 32-byte key.
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&self.0);
        let mut mac = <Hmac<Sha256> as KeyInit>::new(&block.into());
        block.zeroize();
        mac.update(USER_LABEL);
        mac.update(user.as_str().as_bytes());
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StoreKey([REDACTED])")
    }
}

/// What the HMAC of a user ID's key names covers before the ID: a label of this use and
/// version, so that the same key used elsewhere never yields the same digest.
const USER_LABEL: &[u8] = b"sspr redis user key v1:";

/// A [`FlowStore`] (with its per-user-ID [`Counters`]) in Redis, shared by every app
/// server that connects to the same Redis (one server, [`Self::connect`], or a Redis
/// Cluster, [`Self::connect_cluster`]) with the same prefix and [`StoreKey`]. Clones
/// share one connection. Needs Redis 7.0 or later (or a server that speaks the same
/// scripting, such as Valkey): every script declares its flags.
///
/// Every operation on a flow or a user ID is one Lua script or one command on its keys
/// (an anonymous save also files itself in the pool of anonymous flows and evicts the
/// oldest: separate calls, under "Anonymous flows"), so it is atomic on the server:
/// exactly one of many requests that take a flow at once gets it, and counts add up
/// when many flows touch one user ID. Times come from the caller (`now`, `expires_at`),
/// never from a clock of this process or of the server: the caller's time decides
/// whether a flow, a window or a block is over, and key lifetimes (`PEXPIRE`) are
/// durations taken from the same times, so Redis also forgets by itself what is over.
///
/// # Redis away
///
/// The connection reconnects by itself. While Redis is down or hung, every call fails
/// within the timeout ([`Self::DEFAULT_TIMEOUT`]) with a typed `Unavailable` error and
/// changes nothing the caller holds: a host keeps its [`Wizard`](crate::Wizard), saves
/// it again when Redis is back, and the flow continues. A Redis without persistence
/// forgets its flows when it restarts (their people start again); a `take` whose answer
/// is lost on the way may have removed the flow. On a cluster, this holds for each
/// primary and the flows and user IDs of its slots (below).
///
/// # Redis Cluster
///
/// [`Self::connect_cluster`] goes through the `redis` crate's cluster client: it learns
/// which primary serves which slot from the nodes it is given, sends each operation to
/// the primary of its keys' slot (never to a replica), follows `MOVED` and `ASK`
/// redirections, and learns the slots again when they move or a replica takes over. The
/// keys of one flow, and of one user ID, share a slot (the hash tag, under "Keys"), so
/// every script runs on one node and stays atomic, while flows and user IDs spread over
/// all primaries. A script is called by its SHA-1 and, where a node does not know it
/// yet (a new or restarted node), sent to that node with the call: no call needs any
/// node but the one of its keys. (An anonymous save makes one call to the node of the
/// pool of anonymous flows, then one to the node of the flow it saves and one to the
/// node of each flow it evicts.)
///
/// Each primary holds only its slots, so a node failure touches only the flows and user
/// IDs whose keys are there (and, on the pool's node, new starts: "Anonymous flows"):
///
/// - While a primary is down or hung, the calls on its slots fail within the timeout
///   with a typed `Unavailable` error, as above, and the calls on the other primaries'
///   slots go on. A primary that starts again refuses calls (`CLUSTERDOWN`, a typed
///   `Unavailable` error too) for about two seconds while it rejoins (Redis's own
///   delay), then serves over the same store handle.
/// - A restarted primary has what it persisted. With an append-only file and
///   `appendfsync always`, every write was on disk before Redis answered it, so no flow,
///   count or block is lost. With `appendfsync everysec`, the writes of the last second
///   or so may be lost. Without persistence (and without a replica that takes over) it
///   comes back empty: the flows of its slots are gone (their people start again), and
///   so are the counts and blocks of its user IDs, which start afresh.
/// - A replica that takes over (a failover) has what it had received: replication is
///   asynchronous, so the last writes the old primary acknowledged may be lost (a taken
///   flow is back, a count or a block is missing). Until the failover, the slots are
///   away as above.
/// - With `cluster-require-full-coverage yes` (Redis's default), once a primary is
///   marked failed (after `cluster-node-timeout`) and no replica takes over, every node
///   refuses every call until it is back; with `no`, the other primaries go on.
///
/// Tested (`tests/redis_cluster.rs`) on three primaries without replicas: a hung
/// primary, one killed and restarted with `appendonly yes` and `appendfsync always`
/// (nothing lost, the flow on it goes on to the end), and one restarted without
/// persistence (its slots' flows and blocks gone, the other primaries' kept). Failovers
/// to replicas and `cluster-require-full-coverage` are as Redis documents them, not
/// tested here.
///
/// # Anonymous flows: a bounded pool
///
/// Anyone can start flows, as many as they like, and a flow costs them nothing until
/// its challenge is solved. So the flows before their challenge
/// ([`FlowSnapshot::is_anonymous`]) are a pool of at most [`Self::anonymous_capacity`]
/// ([`Self::DEFAULT_ANONYMOUS_CAPACITY`] unless [`Self::with_anonymous_capacity`] says
/// otherwise) that evicts the oldest, as the memory store's does:
///
/// - Each anonymous save files itself in the pool key (a list of the newest anonymous
///   saves: flow and step nonce), which takes out the oldest save beyond the capacity;
///   then the flow of that save is evicted while this one is saved (one round trip more
///   than a save past the challenge). The eviction deletes the flow only if it still
///   holds that very step, anonymous: a flow that moved on to another step, passed its
///   challenge, was taken or has expired is left alone.
/// - So the flows of the newest `capacity` anonymous saves are kept, and no other
///   anonymous flow: a flood of starts never refuses a new start, and never touches a
///   flow past its challenge or a counter. A person still solving a challenge when
///   `capacity` newer anonymous saves have arrived must start again (the web host's
///   per-client rate limits keep floods smaller than that).
/// - Memory: the pool key (at most `capacity` entries of about 54 bytes) and at most
///   `capacity` anonymous flows (about 720 bytes each): about 78 MB at the default
///   capacity, however many flows anyone starts (measured after a million starts:
///   `BENCHMARKS.md`; without the pool they took 714 MB).
///
/// Every app server shares the one pool (one key, changed by one script at a time, so no
/// two saves take out the same entry); give them all the same capacity (with different
/// ones, the pool stays within the largest). What races do: while saves are in flight,
/// the pool's flows may be that many more for a moment; a flow whose save was taken out
/// of the pool before the flow itself was stored (`capacity` saves in between), and a
/// flow whose eviction failed (Redis, or its node, away), stay until their deadlines. On a
/// cluster, the pool key is on one primary: every anonymous save goes through it (its
/// speed bounds the rate of new starts of the whole cluster), and while it is away,
/// anonymous saves fail with a typed `Unavailable` error, as any call on its slots
/// does, while flows past their challenge go on. A primary that comes back without the
/// pool (no persistence) starts an empty one; the anonymous flows the old one named stay
/// until their deadlines.
///
/// # Memory: run Redis with `noeviction`
///
/// The per-user counters and blocks are what stop anyone from asking for codes, or
/// guessing them, without end. Run the Redis that holds them with a `maxmemory` and
/// `maxmemory-policy noeviction` (Redis's default policy). With an evicting policy,
/// Redis makes room by deleting keys, and anonymous flows are cheap to make: with
/// `allkeys-lru` (or `-lfu`, `-random`) any key may go, with `volatile-lru` (or `-lfu`,
/// `-random`, `-ttl`) any key with a lifetime, which is every counter and every block
/// (each lives as long as what it holds). A deleted block unblocks its user ID, a
/// deleted counter starts again at zero: a flood of new flows would unblock people.
///
/// With `noeviction`, a write that needs memory while Redis is over `maxmemory` is
/// refused before it writes anything (the scripts declare their flags, so Redis checks
/// memory before running them). The store then makes room by evicting the oldest
/// anonymous flows (1, then 4, 16, 64 and 256 of them: Redis may be over its
/// `maxmemory` by tens of kilobytes, a client's buffers or a table that grew) and tries
/// again after each batch. A write still refused (no anonymous flow left, or 341 evicted
/// without room enough) fails: [`FlowStore::save`], [`FlowStore::take`] and
/// [`Counters::add`] with a typed `Unavailable` error (its source names `OOM`), the step
/// is refused and the flow stays stored as it was. What adds nothing, or one small key,
/// still runs: [`Counters::blocked_until`], [`Counters::block`], [`Counters::release`],
/// [`Counters::clear`], [`FlowStore::peek`], [`FlowStore::discard`] and the evictions.
/// So no block is lost and no count is lost in silence; memory comes back as flows
/// expire.
///
/// So a flood of starts keeps nothing else out: it fills memory at most with anonymous
/// flows, which give way to a flow past its challenge, a count, a take and a newer start
/// alike (tested: `tests/redis_outage.rs`). Give Redis a `maxmemory` that holds the whole
/// pool (about 78 MB at the default capacity) besides the flows past their challenge and
/// the counters: the pool then keeps its capacity under any flood. With less, a flood
/// shrinks the pool to what fits, and writes under pressure cost a few round trips more. On a cluster, the oldest anonymous flows are spread over the
/// primaries, so making room on a full one also evicts flows on the others.
///
/// The policy belongs to the whole Redis server, all its numbered databases included (on
/// a cluster, set it on every node). To keep flows in a Redis that evicts, keep the
/// counters in another one (an instance, or a managed database, of its own) with
/// `noeviction`: connect one store to each, and give the counters' store to
/// [`SsprBuilder::counters`](crate::SsprBuilder::counters) and the other to
/// [`Flows::new`](super::Flows::new).
///
/// # Keys
///
/// With the prefix `sspr`:
///
/// | key | type | fields |
/// | --- | --- | --- |
/// | `sspr:flow:{<flow's store key>}` | hash | snapshot `b`, step nonce `n`, deadline `s`/`f` (Unix seconds, nanoseconds) |
/// | `sspr:anonymous` | list | the newest anonymous saves, newest first, `<flow's store key>:<step nonce>`: at most the anonymous capacity |
/// | `sspr:user:{<HMAC of the user ID>}:sends` | hash | code sends `c`, window end `s`/`f` |
/// | `sspr:user:{<HMAC of the user ID>}:fails` | hash | failed verifications `c`, window end `s`/`f` |
/// | `sspr:user:{<HMAC of the user ID>}:asks` | hash | requests to the admins `c`, window end `s`/`f` |
/// | `sspr:user:{<HMAC of the user ID>}:signins` | hash | registrations begun `c`, window end `s`/`f` |
/// | `sspr:user:{<HMAC of the user ID>}:regsends` | hash | registration codes sent `c`, window end `s`/`f` |
/// | `sspr:user:{<HMAC of the user ID>}:regchecks` | hash | registration codes checked `c`, window end `s`/`f` |
/// | `sspr:user:{<HMAC of the user ID>}:block` | hash | blocked until `s`/`f` |
///
/// Every key expires with what it holds: a flow at its deadline, the pool when the last
/// flow it names would end, a counter with its window, a block when it ends (a block set
/// while the user ID has no counter to tell the caller's time by gets its lifetime at the
/// next [`Counters::blocked_until`]).
///
/// User IDs appear in key names only as the lower-case hex HMAC-SHA-256, under the
/// store's [`StoreKey`], of `sspr redis user key v1:` followed by the normalised ID
/// ([`UserId::as_str`]): whoever reads the key names without the key cannot test
/// candidate IDs against them. An operator finds a user's keys with
/// [`Self::counter_key`] and [`Self::block_key`], or with
/// `printf 'sspr redis user key v1:%s' "$id" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$KEY_HEX`.
///
/// The part in braces is a Redis Cluster hash tag: the keys of one flow, and of one user
/// ID, share a slot, so no script crosses slots. [`Self::connect`] goes to one endpoint
/// (a server, a primary, or a proxy in front of a cluster) and does not follow cluster
/// redirections; [`Self::connect_cluster`] does (above).
///
/// ```no_run
/// use sspr::host::{InMemoryDirectory, Keys, Outbox};
/// use sspr::store::{Flows, RedisFlowStore, StoreKey};
/// use sspr::Sspr;
///
/// # async fn run(secret: [u8; 32]) -> Result<(), Box<dyn std::error::Error>> {
/// // The same keys and one store for the flows and the per-user counters, on every app
/// // server (the secret comes from the deployment's configuration).
/// let keys = Keys::from_secret(secret);
/// let key = StoreKey::from_keys(&keys);
/// let store = RedisFlowStore::connect("redis://127.0.0.1:6379/", "sspr", key).await?;
/// let sspr = Sspr::builder(InMemoryDirectory::new(), Outbox::new())
///     .keys(&keys)
///     .counters(store.clone())
///     .build()?;
/// let flows = Flows::new(store, keys)?;
/// let saved = flows.save(&sspr.start()?.into()).await?;
/// println!("flow {:?} saved", saved.map(|s| s.flow));
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisFlowStore {
    connection: Connection,
    keys: Keys,
    timeout: std::time::Duration,
    /// The most anonymous flows held (the pool's capacity).
    anonymous_capacity: usize,
    /// Where Redis is, without credentials (for `Debug`).
    server: Arc<str>,
}

impl fmt::Debug for RedisFlowStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisFlowStore")
            .field("server", &self.server)
            .field("prefix", &self.keys.prefix)
            .field("timeout", &self.timeout)
            .field("anonymous_capacity", &self.anonymous_capacity)
            .finish_non_exhaustive()
    }
}

impl RedisFlowStore {
    /// The key prefix of the examples (any prefix will do; one per deployment).
    pub const DEFAULT_PREFIX: &'static str = "sspr";

    /// How long one operation may take, connecting included, before it fails with
    /// [`StoreError::Unavailable`] (or [`CounterError::Unavailable`]).
    pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

    /// The longest key prefix, in bytes.
    pub const MAX_PREFIX_BYTES: usize = 64;

    /// The most anonymous flows (before their challenge) a store holds unless
    /// [`Self::with_anonymous_capacity`] says otherwise: the same as the memory store's
    /// [`DEFAULT_ANONYMOUS_CAPACITY`](super::DEFAULT_ANONYMOUS_CAPACITY).
    pub const DEFAULT_ANONYMOUS_CAPACITY: usize = super::DEFAULT_ANONYMOUS_CAPACITY;

    /// The most node URLs [`Self::connect_cluster`] takes (a few are enough: the client
    /// finds the other nodes itself).
    pub const MAX_CLUSTER_NODES: usize = 16;

    /// Connects to the Redis server at `url` (`redis://[user:password@]host:port/db`,
    /// `rediss://` with TLS where the `redis` crate is built with it, or
    /// `redis+unix:///path`), with every key under `prefix` (for example
    /// [`Self::DEFAULT_PREFIX`]), user IDs in key names keyed with `key` (the same on
    /// every app server, see [`StoreKey`]), and the [`Self::DEFAULT_TIMEOUT`].
    ///
    /// The prefix has 1 to [`Self::MAX_PREFIX_BYTES`] characters `a-z A-Z 0-9 : _ - .`. A URL
    /// that is not one, a prefix that is not one, or a server that does not answer
    /// within the timeout is [`StoreError::Unavailable`]. Needs a tokio runtime.
    pub async fn connect(url: &str, prefix: &str, key: StoreKey) -> Result<Self, StoreError> {
        Self::connect_with_timeout(url, prefix, key, Self::DEFAULT_TIMEOUT).await
    }

    /// Like [`RedisFlowStore::connect`], with at most `timeout` (10 ms to 60 s) for each
    /// operation, connecting or reconnecting included.
    pub async fn connect_with_timeout(
        url: &str,
        prefix: &str,
        key: StoreKey,
        timeout: std::time::Duration,
    ) -> Result<Self, StoreError> {
        let (keys, timeout) = Self::settings(prefix, key, timeout)?;
        let (connection, server) = Connection::single(url, timeout).await?;
        Ok(RedisFlowStore {
            connection,
            keys,
            timeout,
            anonymous_capacity: Self::DEFAULT_ANONYMOUS_CAPACITY,
            server,
        })
    }

    /// Connects to the Redis Cluster that `nodes` belong to: URLs
    /// `redis://[user:password@]host:port/` (or `rediss://`, as for [`Self::connect`]) of
    /// some of its nodes, with one user and password; the client learns the other nodes
    /// from those that answer. Keys, `prefix`, `key` and the [`Self::DEFAULT_TIMEOUT`]
    /// are as with [`Self::connect`]; each operation goes to the primary of its keys'
    /// slot. What a node failure means is under "Redis Cluster" above.
    ///
    /// No node URL (or more than [`Self::MAX_CLUSTER_NODES`]), a URL that is not one, URLs
    /// with different users, passwords or databases, a prefix that is not one, or no node
    /// answering within the timeout is [`StoreError::Unavailable`]. Needs a tokio runtime.
    ///
    /// ```no_run
    /// use sspr::store::{RedisFlowStore, StoreError, StoreKey};
    ///
    /// # async fn run(key: StoreKey) -> Result<(), StoreError> {
    /// // Some of the cluster's nodes: the client learns the others from them.
    /// let nodes = ["redis://10.0.0.11:6379/", "redis://10.0.0.12:6379/"];
    /// let store = RedisFlowStore::connect_cluster(&nodes, "sspr", key).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect_cluster(
        nodes: &[&str],
        prefix: &str,
        key: StoreKey,
    ) -> Result<Self, StoreError> {
        Self::connect_cluster_with_timeout(nodes, prefix, key, Self::DEFAULT_TIMEOUT).await
    }

    /// Like [`RedisFlowStore::connect_cluster`], with at most `timeout` (10 ms to 60 s) for
    /// each operation, connecting, reconnecting, retries and redirections included.
    pub async fn connect_cluster_with_timeout(
        nodes: &[&str],
        prefix: &str,
        key: StoreKey,
        timeout: std::time::Duration,
    ) -> Result<Self, StoreError> {
        let (keys, timeout) = Self::settings(prefix, key, timeout)?;
        let (connection, server) = Connection::cluster(nodes, timeout).await?;
        Ok(RedisFlowStore {
            connection,
            keys,
            timeout,
            anonymous_capacity: Self::DEFAULT_ANONYMOUS_CAPACITY,
            server,
        })
    }

    /// The key names and the timeout (within its bounds) of a new store.
    fn settings(
        prefix: &str,
        key: StoreKey,
        timeout: std::time::Duration,
    ) -> Result<(Keys, std::time::Duration), StoreError> {
        let keys = Keys::new(prefix, key)?;
        let timeout = timeout.clamp(
            std::time::Duration::from_millis(10),
            std::time::Duration::from_secs(60),
        );
        Ok((keys, timeout))
    }

    /// This store with a pool of at most `capacity` anonymous flows (at least 1), instead
    /// of [`Self::DEFAULT_ANONYMOUS_CAPACITY`]: the newest `capacity` anonymous saves keep
    /// their flows, older ones are evicted (see "Anonymous flows" above). Give every app
    /// server of a deployment the same capacity: they share one pool.
    ///
    /// ```no_run
    /// use sspr::store::{RedisFlowStore, StoreError, StoreKey};
    ///
    /// # async fn run(key: StoreKey) -> Result<(), StoreError> {
    /// let store = RedisFlowStore::connect("redis://127.0.0.1:6379/", "sspr", key)
    ///     .await?
    ///     .with_anonymous_capacity(20_000);
    /// assert_eq!(store.anonymous_capacity(), 20_000);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn with_anonymous_capacity(mut self, capacity: usize) -> Self {
        self.anonymous_capacity = capacity.max(1);
        self
    }

    /// The most anonymous flows this store holds before it evicts the oldest.
    pub fn anonymous_capacity(&self) -> usize {
        self.anonymous_capacity
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.keys.prefix
    }

    /// The Redis key of a flow (for operators and tests).
    pub fn flow_key(&self, flow: FlowId) -> String {
        self.keys.flow(flow)
    }

    /// The Redis key of one of a user ID's counters (for operators and tests). The user
    /// ID appears only as its HMAC under the store's [`StoreKey`].
    pub fn counter_key(&self, user: &UserId, counter: Counter) -> String {
        self.keys.counter(user, counter)
    }

    /// The Redis key of an account's reset link (for operators and tests).
    pub fn grant_key(&self, user: &UserId) -> String {
        self.keys.user(user, "grant")
    }

    /// The Redis key of a user ID's block (for operators and tests).
    pub fn block_key(&self, user: &UserId) -> String {
        self.keys.block(user)
    }

    /// The Redis key of the pool of anonymous flows (for operators and tests).
    pub fn anonymous_key(&self) -> String {
        self.keys.anonymous()
    }

    /// Runs one script within the timeout.
    async fn run<T: redis::FromRedisValue>(
        &self,
        script: &Lua,
        keys: &[&str],
        args: &[&[u8]],
    ) -> Result<T, Failure> {
        self.connection
            .script(self.timeout, script, keys, args)
            .await
    }

    /// Runs one command within the timeout.
    async fn command(&self, cmd: &redis::Cmd) -> Result<(), Failure> {
        self.connection.command(self.timeout, cmd).await
    }

    /// Awaits `operation` (several calls: the pool, room made for memory) for at most the
    /// timeout in all.
    async fn within<T>(
        &self,
        operation: impl std::future::Future<Output = Result<T, Failure>>,
    ) -> Result<T, Failure> {
        tokio::time::timeout(self.timeout, operation)
            .await
            .unwrap_or_else(|_| Err(connection::timed_out(self.timeout)))
    }
}

/// The key names of one prefix and store key.
#[derive(Clone)]
struct Keys {
    prefix: Arc<str>,
    key: Arc<StoreKey>,
}

impl Keys {
    fn new(prefix: &str, key: StoreKey) -> Result<Self, StoreError> {
        let valid = !prefix.is_empty()
            && prefix.len() <= RedisFlowStore::MAX_PREFIX_BYTES
            && prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'-' | b'.'));
        if !valid {
            return Err(StoreError::unavailable(format!(
                "the Redis key prefix must have 1 to {} characters a-z A-Z 0-9 : _ - .",
                RedisFlowStore::MAX_PREFIX_BYTES
            )));
        }
        Ok(Keys {
            prefix: prefix.into(),
            key: Arc::new(key),
        })
    }

    fn flow(&self, flow: FlowId) -> String {
        format!("{}:flow:{{{flow}}}", self.prefix)
    }

    fn anonymous(&self) -> String {
        format!("{}:anonymous", self.prefix)
    }

    fn user(&self, user: &UserId, what: &str) -> String {
        let digest = self.key.user_digest(user);
        let mut hex = String::with_capacity(64);
        for byte in digest.iter() {
            hex.push(char::from(HEX[usize::from(byte >> 4)]));
            hex.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
        format!("{}:user:{{{hex}}}:{what}", self.prefix)
    }

    fn counter(&self, user: &UserId, counter: Counter) -> String {
        self.user(
            user,
            match counter {
                Counter::CodeSends => "sends",
                Counter::FailedVerifications => "fails",
                Counter::AdminRequests => "asks",
                Counter::RegistrationSignIns => "signins",
                Counter::RegistrationSends => "regsends",
                Counter::RegistrationChecks => "regchecks",
            },
        )
    }

    fn block(&self, user: &UserId) -> String {
        self.user(user, "block")
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A time as the scripts compare it: whole Unix seconds (exact in Lua's numbers) and the
/// nanoseconds within the second.
fn parts(t: OffsetDateTime) -> (String, String) {
    (t.unix_timestamp().to_string(), t.nanosecond().to_string())
}

/// Milliseconds of `d`, rounded up, within 1..=[`MAX_TTL_MS`].
fn ttl_ms(d: Duration) -> String {
    let nanos = d.whole_nanoseconds();
    let ms = nanos.div_euclid(1_000_000) + i128::from(nanos.rem_euclid(1_000_000) != 0);
    ms.clamp(1, i128::from(MAX_TTL_MS)).to_string()
}

fn time_of(seconds: &[u8], nanos: &[u8]) -> Option<OffsetDateTime> {
    let seconds: i64 = std::str::from_utf8(seconds).ok()?.parse().ok()?;
    let nanos: u32 = std::str::from_utf8(nanos).ok()?.parse().ok()?;
    OffsetDateTime::from_unix_timestamp(seconds)
        .ok()?
        .replace_nanosecond(nanos)
        .ok()
}

impl FlowStore for RedisFlowStore {
    async fn save(
        &self,
        snapshot: FlowSnapshot,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        if expires_at <= now {
            return Err(StoreError::Expired);
        }
        let key = self.keys.flow(snapshot.flow_id());
        let nonce = snapshot.nonce().to_string();
        let (seconds, nanos) = parts(expires_at);
        let ttl = ttl_ms(expires_at - now);
        let args: [&[u8]; 5] = [
            snapshot.as_bytes(),
            nonce.as_bytes(),
            seconds.as_bytes(),
            nanos.as_bytes(),
            ttl.as_bytes(),
        ];
        let saved = if snapshot.is_anonymous() {
            let entry = anonymous::entry(snapshot.flow_id(), snapshot.nonce());
            self.within(self.save_anonymous(&key, &entry, &args, &ttl))
                .await
        } else {
            let keys = [key.as_str()];
            self.within(self.with_room(|| self.run::<i64>(&SAVE, &keys, &args)))
                .await
                .map(drop)
        };
        saved.map_err(StoreError::unavailable)
    }

    async fn take(
        &self,
        flow: FlowId,
        nonce: Option<u64>,
        now: OffsetDateTime,
    ) -> Result<Taken, StoreError> {
        let key = self.keys.flow(flow);
        let (seconds, nanos) = parts(now);
        let nonce = nonce.map(|n| n.to_string()).unwrap_or_default();
        let args: [&[u8]; 3] = [seconds.as_bytes(), nanos.as_bytes(), nonce.as_bytes()];
        let keys = [key.as_str()];
        let value: Value = self
            .within(self.with_room(|| self.run(&TAKE, &keys, &args)))
            .await
            .map_err(StoreError::unavailable)?;
        Ok(match value {
            Value::Int(1) => Taken::Stale,
            Value::BulkString(mut bytes) => {
                let snapshot = FlowSnapshot::from_bytes(&bytes);
                bytes.zeroize();
                match snapshot {
                    Ok(snapshot) if snapshot.flow_id() == flow => Taken::Snapshot(snapshot),
                    // Not a snapshot of this flow: it was removed, the person starts again.
                    _ => {
                        tracing::warn!(%flow, "a damaged flow snapshot was removed from Redis");
                        Taken::Missing
                    }
                }
            }
            _ => Taken::Missing,
        })
    }

    async fn peek(
        &self,
        flow: FlowId,
        now: OffsetDateTime,
    ) -> Result<Option<FlowSnapshot>, StoreError> {
        let key = self.keys.flow(flow);
        let (seconds, nanos) = parts(now);
        let args: [&[u8]; 2] = [seconds.as_bytes(), nanos.as_bytes()];
        let value: Value = self
            .run(&PEEK, &[&key], &args)
            .await
            .map_err(StoreError::unavailable)?;
        Ok(match value {
            Value::BulkString(mut bytes) => {
                let snapshot = FlowSnapshot::from_bytes(&bytes);
                bytes.zeroize();
                snapshot.ok().filter(|snapshot| snapshot.flow_id() == flow)
            }
            _ => None,
        })
    }

    fn is_shared(&self) -> bool {
        true
    }

    async fn discard(&self, flow: FlowId) -> Result<(), StoreError> {
        self.command(redis::cmd("DEL").arg(self.keys.flow(flow)))
            .await
            .map_err(StoreError::unavailable)
    }
}

impl Counters for RedisFlowStore {
    fn is_shared(&self) -> bool {
        true
    }

    async fn add(
        &self,
        user: &UserId,
        counter: Counter,
        now: OffsetDateTime,
        window: Duration,
    ) -> Result<u32, CounterError> {
        let key = self.keys.counter(user, counter);
        let (now_seconds, now_nanos) = parts(now);
        let (end_seconds, end_nanos) = parts(now.saturating_add(window));
        let window = ttl_ms(window);
        let args: [&[u8]; 5] = [
            now_seconds.as_bytes(),
            now_nanos.as_bytes(),
            end_seconds.as_bytes(),
            end_nanos.as_bytes(),
            window.as_bytes(),
        ];
        let keys = [key.as_str()];
        let count: i64 = self
            .within(self.with_room(|| self.run(&ADD, &keys, &args)))
            .await
            .map_err(CounterError::unavailable)?;
        Ok(u32::try_from(count.max(0)).unwrap_or(u32::MAX))
    }

    async fn release(&self, user: &UserId, counter: Counter) -> Result<(), CounterError> {
        let key = self.keys.counter(user, counter);
        self.run::<i64>(&RELEASE, &[&key], &[])
            .await
            .map(drop)
            .map_err(CounterError::unavailable)
    }

    async fn block(&self, user: &UserId, until: OffsetDateTime) -> Result<(), CounterError> {
        let keys = [
            self.keys.block(user),
            self.keys.counter(user, Counter::CodeSends),
            self.keys.counter(user, Counter::FailedVerifications),
        ];
        let (seconds, nanos) = parts(until);
        let args: [&[u8]; 2] = [seconds.as_bytes(), nanos.as_bytes()];
        self.run::<i64>(&BLOCK, &[&keys[0], &keys[1], &keys[2]], &args)
            .await
            .map(drop)
            .map_err(CounterError::unavailable)
    }

    async fn blocked_until(
        &self,
        user: &UserId,
        now: OffsetDateTime,
    ) -> Result<Option<OffsetDateTime>, CounterError> {
        let key = self.keys.block(user);
        let (seconds, nanos) = parts(now);
        let args: [&[u8]; 2] = [seconds.as_bytes(), nanos.as_bytes()];
        let until: Option<(Vec<u8>, Vec<u8>)> = self
            .run(&BLOCKED_UNTIL, &[&key], &args)
            .await
            .map_err(CounterError::unavailable)?;
        match until {
            None => Ok(None),
            Some((seconds, nanos)) => time_of(&seconds, &nanos)
                .map(Some)
                .ok_or_else(|| CounterError::unavailable("Redis holds a damaged block time")),
        }
    }

    async fn clear(&self, user: &UserId) -> Result<(), CounterError> {
        self.command(
            redis::cmd("DEL")
                .arg(self.keys.counter(user, Counter::CodeSends))
                .arg(self.keys.counter(user, Counter::FailedVerifications))
                .arg(self.keys.counter(user, Counter::AdminRequests))
                .arg(self.keys.counter(user, Counter::RegistrationSignIns))
                .arg(self.keys.counter(user, Counter::RegistrationSends))
                .arg(self.keys.counter(user, Counter::RegistrationChecks))
                .arg(self.keys.block(user)),
        )
        .await
        .map_err(CounterError::unavailable)
    }
}

impl GrantStore for RedisFlowStore {
    async fn put(
        &self,
        user: &UserId,
        grant: StoredGrant,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        if grant.expires <= now {
            return Err(StoreError::Expired);
        }
        let key = self.keys.user(user, "grant");
        let digest = hex(&grant.digest.0);
        let (seconds, nanos) = parts(grant.expires);
        let ttl = ttl_ms(grant.expires - now);
        let args: [&[u8]; 4] = [
            digest.as_bytes(),
            seconds.as_bytes(),
            nanos.as_bytes(),
            ttl.as_bytes(),
        ];
        self.within(self.run::<i64>(&GRANT_PUT, &[&key], &args))
            .await
            .map(drop)
            .map_err(StoreError::unavailable)
    }

    async fn take(
        &self,
        user: &UserId,
        digest: &GrantDigest,
        now: OffsetDateTime,
    ) -> Result<GrantTaken, StoreError> {
        let key = self.keys.user(user, "grant");
        let digest = hex(&digest.0);
        let (seconds, nanos) = parts(now);
        let args: [&[u8]; 3] = [digest.as_bytes(), seconds.as_bytes(), nanos.as_bytes()];
        let found: Vec<Vec<u8>> = self
            .within(self.run(&GRANT_TAKE, &[&key], &args))
            .await
            .map_err(StoreError::unavailable)?;
        match found.as_slice() {
            [what] if what.as_slice() == b"none" => Ok(GrantTaken::None),
            [what] if what.as_slice() == b"wrong" => Ok(GrantTaken::Wrong),
            [what, seconds, nanos] if what.as_slice() == b"taken" => time_of(seconds, nanos)
                .map(|expires| GrantTaken::Taken { expires })
                .ok_or_else(|| StoreError::unavailable("Redis holds a damaged reset link")),
            _ => Err(StoreError::unavailable(
                "Redis answered a reset link take with something else",
            )),
        }
    }

    async fn revoke(&self, user: &UserId) -> Result<bool, StoreError> {
        let key = self.keys.user(user, "grant");
        self.within(self.run::<i64>(&GRANT_REVOKE, &[&key], &[]))
            .await
            .map(|n| n > 0)
            .map_err(StoreError::unavailable)
    }
}

/// Lowercase hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    out
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a failed expectation is a failed test
mod tests {
    use super::*;

    fn user(id: &str) -> UserId {
        UserId::parse(id).expect("valid")
    }

    fn keys(prefix: &str) -> Result<Keys, StoreError> {
        Keys::new(prefix, StoreKey::from_bytes([0x5e; 32]))
    }

    #[test]
    fn keys_share_a_slot_per_flow_and_per_user_and_hide_the_user_id() {
        let keys = keys("app:sspr").expect("valid prefix");
        let flow = FlowId::from_bytes([0xab; 16]);
        assert_eq!(
            keys.flow(flow),
            format!("app:sspr:flow:{{{}}}", "ab".repeat(16))
        );
        let a = user("Jan.Jansen@contoso.nl");
        // The normalised ID, as in the documentation: `printf 'sspr redis user key v1:%s'
        // jan.jansen@contoso.nl | openssl dgst -sha256 -mac HMAC -macopt hexkey:5e5e…5e`.
        let tag = "{5e99b4a818aebf7a137b8f673add61060465c1bb7de0c2d851abb8a8f5746f49}";
        assert_eq!(
            keys.counter(&a, Counter::CodeSends),
            format!("app:sspr:user:{tag}:sends")
        );
        assert_eq!(
            keys.counter(&a, Counter::FailedVerifications),
            format!("app:sspr:user:{tag}:fails")
        );
        assert_eq!(keys.block(&a), format!("app:sspr:user:{tag}:block"));
        assert_eq!(
            keys.block(&user("jan.jansen@CONTOSO.nl")),
            keys.block(&a),
            "one normalised ID, one set of keys"
        );
        assert_ne!(keys.block(&user("b@contoso.nl")), keys.block(&a));
        // Another store key, other names for the same user ID.
        let other = Keys::new("app:sspr", StoreKey::from_bytes([0x5f; 32])).expect("valid");
        assert_ne!(other.block(&a), keys.block(&a));
        assert_eq!(
            other.flow(flow),
            keys.flow(flow),
            "flow IDs are random already"
        );
    }

    #[test]
    fn a_store_key_is_redacted_and_random() {
        let key = StoreKey::generate().expect("entropy");
        assert_eq!(format!("{key:?}"), "StoreKey([REDACTED])");
        assert_ne!(key.0, StoreKey::generate().expect("entropy").0);
        assert_ne!(key.0, [0; StoreKey::LEN]);
    }

    #[test]
    fn prefixes_are_checked() {
        assert!(keys("sspr").is_ok());
        assert!(keys("a.b-c_d:1").is_ok());
        for bad in [
            "",
            "a{b}",
            "a b",
            "ä",
            &"x".repeat(RedisFlowStore::MAX_PREFIX_BYTES + 1),
        ] {
            assert!(
                matches!(keys(bad), Err(StoreError::Unavailable { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn times_round_trip_exactly_and_lifetimes_round_up() {
        let t = OffsetDateTime::UNIX_EPOCH + Duration::new(1_767_225_600, 123_456_789);
        let (s, n) = parts(t);
        assert_eq!(time_of(s.as_bytes(), n.as_bytes()), Some(t));
        let before = OffsetDateTime::UNIX_EPOCH - Duration::new(10, 250_000_000);
        let (s, n) = parts(before);
        assert_eq!((s.as_str(), n.as_str()), ("-11", "750000000"));
        assert_eq!(time_of(s.as_bytes(), n.as_bytes()), Some(before));
        assert_eq!(time_of(b"x", b"1"), None);
        assert_eq!(ttl_ms(Duration::seconds(2)), "2000");
        assert_eq!(ttl_ms(Duration::nanoseconds(1)), "1");
        assert_eq!(ttl_ms(Duration::microseconds(1500)), "2");
        assert_eq!(ttl_ms(Duration::ZERO), "1");
        assert_eq!(ttl_ms(Duration::MAX), MAX_TTL_MS.to_string());
    }
}
