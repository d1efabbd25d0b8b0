//! Two app servers, one Redis: each server has its own service, connection and `Flows`,
//! with the deployment's keys. A flow moves to the other server at every step, the
//! challenge's picture and clip are the same bytes on both, and the code sent by one
//! server is right on the other (the walk is in `redis_support::two_servers`, which
//! `tests/redis_cluster.rs` runs on a Redis Cluster).

mod redis_support;

use redis_support::two_servers::{Server, a_flow_moves_between};
use redis_support::{connect, prefix, redis_url};
use sspr::host::Outbox;
use sspr::testing::demo_directory;

#[tokio::test]
async fn a_flow_moves_between_two_servers_at_every_step() {
    let Some(url) = redis_url() else { return };
    let prefix = prefix();
    let directory = demo_directory();
    let outbox = Outbox::new();
    // Two connections with the same URL and prefix, one per server.
    let a = Server::new(
        connect(&url, &prefix).await,
        directory.clone(),
        outbox.clone(),
    );
    let b = Server::new(connect(&url, &prefix).await, directory, outbox.clone());
    a_flow_moves_between(&a, &b, &outbox).await;
}
