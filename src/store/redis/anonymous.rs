//! The pool of anonymous flows of a [`RedisFlowStore`](super::RedisFlowStore) (flows before
//! their challenge): one Redis list of their newest saves, each save filing itself there
//! and evicting the flow of the oldest beyond the capacity; and the room a write refused
//! for memory makes by evicting the oldest anonymous flows. The design, its bounds and
//! its races are documented on the store ("Anonymous flows", "Memory").
//!
//! The pool key and a flow key are in different slots of a Redis Cluster, so the pool's
//! bookkeeping and a flow's eviction are separate calls, each on the node of its key.

use std::future::Future;
use std::pin::Pin;
use std::sync::LazyLock;
use std::task::{Context, Poll};

use super::connection::{Failure, Lua};
use super::{RedisFlowStore, SAVE};
use crate::flow::FlowId;
use crate::snapshot::{ANONYMOUS, STAGE_BYTE};

static PUSH: LazyLock<Lua> = LazyLock::new(|| Lua::new(include_str!("push.lua")));
static EVICT: LazyLock<Lua> = LazyLock::new(|| Lua::new(include_str!("evict.lua")));

/// The largest batch of anonymous flows a write refused for memory evicts to make room:
/// batches of 1, 4, 16, 64 and 256 (341 flows in all), each followed by another try,
/// until the write goes through. Redis may be over its `maxmemory` by tens of kilobytes
/// (a client's buffers, a table that grew), more than a few flows free.
const MOST_SHED: usize = 256;

impl RedisFlowStore {
    /// Saves an anonymous flow: files the save in the pool (taking out the oldest beyond
    /// the capacity), then evicts the flows of the saves taken out while it saves this one
    /// (both at once: one round trip). `args` are those of `save.lua`.
    pub(super) async fn save_anonymous(
        &self,
        flow_key: &str,
        entry: &str,
        args: &[&[u8]],
        ttl: &str,
    ) -> Result<(), Failure> {
        let pool_key = self.keys.anonymous();
        let pool = [pool_key.as_str()];
        let capacity = self.anonymous_capacity.to_string();
        let push: [&[u8]; 3] = [entry.as_bytes(), capacity.as_bytes(), ttl.as_bytes()];
        let oldest: Vec<Vec<u8>> = self.with_room(|| self.run(&PUSH, &pool, &push)).await?;
        let keys = [flow_key];
        // On one server the evictions are sent first (the same connection, in order), so
        // a full pool under `maxmemory` makes its room before this flow takes it.
        let (_, saved) = both(
            self.evict(oldest),
            self.with_room(|| self.run::<i64>(&SAVE, &keys, args)),
        )
        .await;
        saved.map(drop)
    }

    /// Runs `call`; while Redis refuses it for memory (over `maxmemory` with
    /// `noeviction`), evicts the oldest anonymous flows (1, then 4, 16, 64 and 256 of
    /// them) and runs it again. Refused still when the pool is empty or after the last
    /// batch.
    pub(super) async fn with_room<T, F, Fut>(&self, call: F) -> Result<T, Failure>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, Failure>>,
    {
        let mut batch = 1;
        loop {
            match call().await {
                Err(failure) if failure.is_out_of_memory() && batch <= MOST_SHED => {
                    if self.shed(batch).await == 0 {
                        return Err(failure);
                    }
                    batch *= 4;
                }
                result => return result,
            }
        }
    }

    /// Takes the `count` oldest saves out of the pool and evicts their flows; returns how
    /// many saves were taken out (0: the pool is empty or away).
    async fn shed(&self, count: usize) -> usize {
        // RPOP only removes: Redis runs it while over `maxmemory`.
        let mut cmd = redis::cmd("RPOP");
        cmd.arg(self.keys.anonymous()).arg(count);
        match self
            .connection
            .command::<Option<Vec<Vec<u8>>>>(self.timeout, &cmd)
            .await
        {
            Ok(Some(oldest)) => {
                let taken = oldest.len();
                let evicted = self.evict(oldest).await;
                tracing::debug!(taken, evicted, "Redis is full: anonymous flows evicted");
                taken
            }
            Ok(None) => 0,
            Err(failure) => {
                tracing::warn!(%failure, "the pool of anonymous flows could not make room");
                0
            }
        }
    }

    /// Evicts the flows of `entries` taken out of the pool (each only if it still holds
    /// that anonymous step), all at once; returns how many were evicted. A flow whose
    /// eviction fails (its node away) stays until its deadline.
    async fn evict(&self, entries: Vec<Vec<u8>>) -> usize {
        // The stage byte, as the script finds it: counted from 1.
        let (at, anonymous) = ((STAGE_BYTE + 1).to_string(), ANONYMOUS.to_string());
        let (at, anonymous) = (at.as_str(), anonymous.as_str());
        let evictions = entries.iter().map(|entry| async move {
            let Some((flow, nonce)) = parse_entry(entry) else {
                tracing::warn!("a damaged entry of the pool of anonymous flows was dropped");
                return 0;
            };
            let key = self.keys.flow(flow);
            let args = [nonce.as_bytes(), at.as_bytes(), anonymous.as_bytes()];
            match self.run::<i64>(&EVICT, &[&key], &args).await {
                Ok(evicted) => usize::from(evicted == 1),
                Err(failure) => {
                    tracing::warn!(%failure, "an anonymous flow was not evicted; it stays until its deadline");
                    0
                }
            }
        });
        all(evictions.collect()).await.into_iter().sum()
    }
}

/// An entry of the pool: the flow's store key (lower-case hex, as in its key) and the
/// step nonce of the save (decimal).
pub(super) fn entry(flow: FlowId, nonce: u64) -> String {
    format!("{flow}:{nonce}")
}

/// The flow and step nonce of a pool entry; `None` for anything a store did not write.
fn parse_entry(entry: &[u8]) -> Option<(FlowId, &str)> {
    let (flow, nonce) = std::str::from_utf8(entry).ok()?.split_once(':')?;
    let flow = FlowId::parse(flow).ok()?;
    let decimal =
        !nonce.is_empty() && nonce.len() <= 20 && nonce.bytes().all(|b| b.is_ascii_digit());
    decimal.then_some((flow, nonce))
}

/// Awaits both futures at once (`a` is polled first, so on one connection its request is
/// sent first).
async fn both<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (Box::pin(a), Box::pin(b));
    let (mut first, mut second) = (None, None);
    std::future::poll_fn(|context| {
        poll_into(a.as_mut(), context, &mut first);
        poll_into(b.as_mut(), context, &mut second);
        match (first.take(), second.take()) {
            (Some(x), Some(y)) => Poll::Ready((x, y)),
            (x, y) => {
                (first, second) = (x, y);
                Poll::Pending
            }
        }
    })
    .await
}

/// Awaits every future at once, in order; returns their outputs in order.
async fn all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|context| {
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            poll_into(future.as_mut(), context, output);
        }
        if outputs.iter().all(Option::is_some) {
            Poll::Ready(outputs.iter_mut().filter_map(Option::take).collect())
        } else {
            Poll::Pending
        }
    })
    .await
}

/// Polls `future` into `output` unless it is done already.
fn poll_into<F: Future + ?Sized>(
    future: Pin<&mut F>,
    context: &mut Context<'_>,
    output: &mut Option<F::Output>,
) {
    if output.is_none()
        && let Poll::Ready(value) = future.poll(context)
    {
        *output = Some(value);
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_nothing_else_parses() {
        let flow = FlowId::from_bytes([0xc3; 16]);
        let written = entry(flow, u64::MAX);
        assert_eq!(written, format!("{}:18446744073709551615", "c3".repeat(16)));
        assert_eq!(
            parse_entry(written.as_bytes()),
            Some((flow, "18446744073709551615"))
        );
        for bad in [
            "",
            ":1",
            "c3c3:1",
            &format!("{}:", "c3".repeat(16)),
            &format!("{}:1a", "c3".repeat(16)),
            &format!("{}:-1", "c3".repeat(16)),
            &format!("{}:1", "C3".repeat(16)),
            &format!("{}:{}", "c3".repeat(16), "9".repeat(21)),
        ] {
            assert_eq!(parse_entry(bad.as_bytes()), None, "{bad:?}");
        }
        assert_eq!(parse_entry(&[0xff, b':', b'1']), None);
    }

    #[test]
    fn both_and_all_await_every_future() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let slow = async {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                1
            };
            assert_eq!(both(slow, async { 2 }).await, (1, 2));
            let outputs = all((0..5u64)
                .map(|i| async move {
                    tokio::time::sleep(std::time::Duration::from_millis(5 - i)).await;
                    i
                })
                .collect())
            .await;
            assert_eq!(outputs, [0, 1, 2, 3, 4]);
            assert!(all(Vec::<std::future::Ready<u8>>::new()).await.is_empty());
        });
    }
}
