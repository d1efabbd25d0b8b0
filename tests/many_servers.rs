//! Two app servers, one Redis: each server has its own service, connection and `Flows`,
//! with the deployment's keys. A flow moves to the other server at every step, the
//! challenge's picture and clip are the same bytes on both, and the code sent by one
//! server is right on the other (the walk is in `redis_support::two_servers`, which
//! `tests/redis_cluster.rs` runs on a Redis Cluster).

mod redis_support;

use redis_support::two_servers::{Server, a_concealed_flow_moves_between, a_flow_moves_between};
use redis_support::{connect, prefix, redis_url};
use sspr::host::Outbox;
use sspr::policy::Policy;
use sspr::testing::{demo_directory, revealing_policy};

#[tokio::test]
async fn a_flow_moves_between_two_servers_at_every_step() {
    let Some(url) = redis_url() else { return };
    let prefix = prefix();
    let directory = demo_directory();
    let outbox = Outbox::new();
    // Two app servers, each with its own connection (the same place and prefix), first
    // with every step shown, then with the default policy.
    for policy in [revealing_policy(), Policy::default()] {
        let concealed = policy.conceal();
        let a = Server::new(
            connect(&url, &prefix).await,
            directory.clone(),
            outbox.clone(),
            policy.clone(),
        );
        let b = Server::new(
            connect(&url, &prefix).await,
            directory.clone(),
            outbox.clone(),
            policy,
        );
        if concealed {
            a_concealed_flow_moves_between(&a, &b, &outbox, "orbit plum kettle 72").await;
        } else {
            a_flow_moves_between(&a, &b, &outbox).await;
        }
    }
}
