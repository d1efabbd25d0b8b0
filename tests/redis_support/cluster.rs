//! What the Redis Cluster tests share: the cluster of `REDIS_CLUSTER_URLS` (or a notice,
//! or a failure in CI), clusters of one test, and which node holds a key.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use sspr::FlowId;
use sspr::store::RedisFlowStore;

use super::{OwnServer, free_port, key, redis_cli};

/// The node URLs of the test cluster, or `None` (after a notice) where the tests may skip.
pub fn cluster_urls() -> Option<Vec<String>> {
    match std::env::var("REDIS_CLUSTER_URLS") {
        Ok(urls) if !urls.trim().is_empty() => {
            Some(urls.split(',').map(|url| url.trim().to_owned()).collect())
        }
        _ if std::env::var_os("CI").is_some() => panic!(
            "REDIS_CLUSTER_URLS is not set but CI is: the Redis Cluster tests must run \
             (see scripts/test)"
        ),
        _ => {
            eprintln!(
                "notice: REDIS_CLUSTER_URLS is not set; this Redis Cluster test checks \
                 nothing. Run scripts/test, which starts a cluster and sets it."
            );
            None
        }
    }
}

/// A store on the cluster of `urls`, under `prefix`, with the tests' key.
pub async fn connect_cluster(urls: &[String], prefix: &str) -> RedisFlowStore {
    connect_cluster_with_timeout(urls, prefix, RedisFlowStore::DEFAULT_TIMEOUT).await
}

/// Like [`connect_cluster`], with `timeout`.
pub async fn connect_cluster_with_timeout(
    urls: &[String],
    prefix: &str,
    timeout: Duration,
) -> RedisFlowStore {
    let nodes: Vec<&str> = urls.iter().map(String::as_str).collect();
    RedisFlowStore::connect_cluster_with_timeout(&nodes, prefix, key(), timeout)
        .await
        .expect("the test cluster answers")
}

/// The keys under `prefix` that the node at `url` holds itself (`SCAN` on one node of
/// a cluster sees only that node's keys).
pub fn keys_on_node(url: &str, prefix: &str) -> Vec<String> {
    redis_cli(url, &["--scan", "--pattern", &format!("{prefix}:*")])
}

/// The index in `urls` of the node that holds `key` (which must exist).
pub fn node_of(urls: &[String], key: &str) -> usize {
    let holders: Vec<usize> = (0..urls.len())
        .filter(|&i| redis_cli(&urls[i], &["--scan", "--pattern", key]).contains(&key.to_owned()))
        .collect();
    assert_eq!(holders.len(), 1, "{key} is on exactly one node");
    holders[0]
}

/// The index in `urls` of the node that serves `key`'s slot, whether the key exists or
/// not: the one that does not redirect a command on it (`MOVED`).
pub fn node_serving(urls: &[String], key: &str) -> usize {
    let serving: Vec<usize> = (0..urls.len())
        .filter(|&i| !redis_cli(&urls[i], &["EXISTS", key])[0].starts_with("MOVED"))
        .collect();
    assert_eq!(serving.len(), 1, "one node serves the slot of {key}");
    serving[0]
}

/// The `CLUSTER KEYSLOT` of `key`.
pub fn slot_of(url: &str, key: &str) -> u16 {
    redis_cli(url, &["CLUSTER", "KEYSLOT", key])[0]
        .parse()
        .expect("a slot")
}

/// A Redis Cluster of three primaries (no replicas) that one test starts on free
/// loopback ports, with its nodes' state files (and data, if persisted) in a directory
/// of its own; its nodes can be stopped and started again as they were. Stopped, and
/// its directory removed, when dropped.
pub struct OwnCluster {
    dir: PathBuf,
    /// Each node's port, cluster bus port and process (`None` while stopped).
    nodes: Vec<(u16, u16, Option<OwnServer>)>,
    extra: Vec<String>,
}

impl OwnCluster {
    /// Starts three nodes with `extra` `redis-server` arguments (besides those of
    /// [`OwnServer`] and of a cluster node), makes them a cluster and waits until every
    /// node has every slot.
    pub fn start(extra: &[&str]) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "sspr-cluster-{}",
            FlowId::generate().expect("entropy")
        ));
        let mut ports: Vec<u16> = Vec::new();
        while ports.len() < 6 {
            let port = free_port();
            if !ports.contains(&port) {
                ports.push(port);
            }
        }
        let mut cluster = OwnCluster {
            dir,
            nodes: ports.chunks(2).map(|p| (p[0], p[1], None)).collect(),
            extra: extra.iter().map(|&arg| arg.to_owned()).collect(),
        };
        for i in 0..3 {
            cluster.start_node(i);
        }
        let nodes: Vec<String> = cluster
            .nodes
            .iter()
            .map(|(port, _, _)| format!("127.0.0.1:{port}"))
            .collect();
        let created = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&nodes)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .output()
            .expect("redis-cli runs");
        assert!(
            created.status.success(),
            "redis-cli --cluster create: {}",
            String::from_utf8_lossy(&created.stdout)
        );
        cluster.wait_until_ok();
        cluster
    }

    /// The nodes' URLs.
    pub fn urls(&self) -> Vec<String> {
        self.nodes
            .iter()
            .map(|(port, _, _)| format!("redis://127.0.0.1:{port}/"))
            .collect()
    }

    /// Starts node `i` (again) with its port, cluster bus port, state file and data
    /// directory: a restarted node takes its place in the cluster, with its slots.
    pub fn start_node(&mut self, i: usize) {
        let (port, bus, _) = self.nodes[i];
        let node_dir = self.dir.join(port.to_string());
        std::fs::create_dir_all(&node_dir).expect("a directory for the node");
        let node_dir = node_dir.to_str().expect("a UTF-8 path").to_owned();
        let bus = bus.to_string();
        let mut args = vec![
            "--cluster-enabled",
            "yes",
            "--cluster-port",
            &bus,
            "--cluster-config-file",
            "nodes.conf",
            "--dir",
            &node_dir,
        ];
        args.extend(self.extra.iter().map(String::as_str));
        self.nodes[i].2 = Some(OwnServer::start_with(port, &args));
    }

    /// Kills node `i` (SIGKILL: a crash, nothing written on the way out).
    pub fn kill_node(&mut self, i: usize) {
        if let Some(server) = self.nodes[i].2.take() {
            server.stop();
        }
    }

    /// The server process of node `i` (while it runs).
    pub fn node(&self, i: usize) -> &OwnServer {
        self.nodes[i].2.as_ref().expect("the node runs")
    }

    /// Waits until every running node reports `cluster_state:ok` (within 20 s).
    pub fn wait_until_ok(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        for (_, _, server) in &self.nodes {
            let Some(server) = server else { continue };
            while !redis_cli(&server.url(), &["CLUSTER", "INFO"])
                .contains(&"cluster_state:ok".to_owned())
            {
                assert!(Instant::now() < deadline, "the cluster is ok within 20 s");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        for i in 0..self.nodes.len() {
            self.kill_node(i);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
