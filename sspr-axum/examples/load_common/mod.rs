//! What the two load tests share: the rate-limit bucket per client, the lifted quotas,
//! reading a hidden form field, the process's resident memory and latency percentiles.

use std::time::Duration;

use sspr_axum::{Quota, RateLimits};

/// Each load client is its own rate-limit bucket: the router keys them on this header
/// (as it would on a proxy's).
pub const CLIENT: &str = "x-load-client";

/// Quotas lifted so that a load test measures the server, not the limiter.
pub fn lifted_limits() -> RateLimits {
    let lifted = Quota::new(u32::MAX / 2, Duration::from_nanos(1));
    RateLimits {
        start: lifted,
        answer: lifted,
        send: lifted,
        media: lifted,
        support: lifted,
    }
}

/// The value of the hidden form field `name` in `page`.
pub fn hidden(page: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker)? + marker.len();
    let end = page[start..].find('"')?;
    Some(page[start..start + end].to_owned())
}

/// The resident memory of this process (the server and the clients), in MiB (Linux).
pub fn resident_mib() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0 / (1024.0 * 1024.0)
}

/// The `q` quantile (0..=1) of sorted `latencies`, in milliseconds.
pub fn percentile_ms(latencies: &[Duration], q: f64) -> f64 {
    latencies
        .get(((latencies.len() as f64 - 1.0) * q).round() as usize)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}
