//! Two app servers, one Redis: each server has its own service, connection and `Flows`,
//! with the deployment's keys. A flow moves to the other server at every step, the
//! challenge's picture and clip are the same bytes on both, and the code sent by one
//! server is right on the other (the walk is in `redis_support::two_servers`, which
//! `tests/redis_cluster.rs` runs on a Redis Cluster).

mod redis_support;

use redis_support::two_servers::flows_move_between_two_servers_on_both_policies;
use redis_support::{connect, prefix, redis_url};

#[tokio::test]
async fn a_flow_moves_between_two_servers_at_every_step() {
    let Some(url) = redis_url() else { return };
    let prefix = prefix();
    flows_move_between_two_servers_on_both_policies(|| connect(&url, &prefix)).await;
}
