//! Per-client rate limits: a `tower_governor` layer on the routes that start flows,
//! answer challenges, send codes and render challenges, keyed on the client's address.
//!
//! They come on top of the crate's own limits (per flow: attempts, new challenges,
//! resends; per user ID: codes and wrong codes per hour): those bound what one flow or
//! one account can be made to do, these bound what one client can start.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::{HeaderName, Request};
use governor::middleware::NoOpMiddleware;
use tower_governor::GovernorError;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::KeyExtractor;

/// Where the client's address comes from.
#[derive(Debug, Clone, Default)]
pub enum ClientAddress {
    /// The peer of the TCP connection (axum's `ConnectInfo<SocketAddr>`: serve with
    /// `into_make_service_with_connect_info::<SocketAddr>()`). Right when clients connect
    /// directly.
    #[default]
    Peer,
    /// A header set by the host's reverse proxy (`X-Forwarded-For`, `X-Real-IP`, …):
    /// its last address, the one the proxy appended. Name it only when every request
    /// comes through that proxy, which overwrites or appends it: a client can put any
    /// value in it otherwise. Without the header, the peer address counts.
    TrustedHeader(HeaderName),
}

/// How often one client may do something: a burst, then one more every `every`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Requests allowed at once.
    pub burst: u32,
    /// One more request allowed after each such interval.
    pub every: Duration,
}

impl Quota {
    /// `burst` requests at once, then one every `every`.
    pub const fn new(burst: u32, every: Duration) -> Self {
        Quota { burst, every }
    }
}

/// The per-client limits of the router.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Starting flows (the start form): 10 at once, then one every 6 s.
    pub start: Quota,
    /// Answering challenges (the user ID and characters): 20 at once, then one every 3 s.
    pub answer: Quota,
    /// Sending codes (choosing a method, asking for a new code): 5 at once, then one
    /// every 20 s.
    pub send: Quota,
    /// Rendering challenge pictures and clips (CPU work): 60 at once, then one a second.
    pub media: Quota,
    /// Requests that cost a person's time (a support ticket): 3 at once, then one every
    /// 20 minutes.
    pub support: Quota,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            start: Quota::new(10, Duration::from_secs(6)),
            answer: Quota::new(20, Duration::from_secs(3)),
            send: Quota::new(5, Duration::from_secs(20)),
            media: Quota::new(60, Duration::from_secs(1)),
            support: Quota::new(3, Duration::from_secs(20 * 60)),
        }
    }
}

/// The rate limiters of one router, shared by its clones. Call
/// [`Limiters::retain_recent`] now and then (every minute, say) so that the memory of
/// clients that went quiet is given back.
#[derive(Clone)]
pub struct Limiters {
    pub(crate) start: Arc<Config>,
    pub(crate) answer: Arc<Config>,
    pub(crate) send: Arc<Config>,
    pub(crate) media: Arc<Config>,
    pub(crate) support: Arc<Config>,
}

impl std::fmt::Debug for Limiters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiters").finish_non_exhaustive()
    }
}

pub(crate) type Config = GovernorConfig<ClientKey, NoOpMiddleware>;

impl Limiters {
    pub(crate) fn new(limits: &RateLimits, address: &ClientAddress) -> Self {
        let key = ClientKey {
            header: match address {
                ClientAddress::Peer => None,
                ClientAddress::TrustedHeader(name) => Some(name.clone()),
            },
        };
        let config = |quota: Quota| Arc::new(config(quota, key.clone()));
        Limiters {
            start: config(limits.start),
            answer: config(limits.answer),
            send: config(limits.send),
            media: config(limits.media),
            support: config(limits.support),
        }
    }

    /// Forgets the clients whose limits are back to full.
    pub fn retain_recent(&self) {
        for config in [
            &self.start,
            &self.answer,
            &self.send,
            &self.media,
            &self.support,
        ] {
            config.limiter().retain_recent();
            config.limiter().shrink_to_fit();
        }
    }
}

fn config(quota: Quota, key: ClientKey) -> Config {
    GovernorConfigBuilder::default()
        .period(quota.every.max(Duration::from_nanos(1)))
        .burst_size(quota.burst.max(1))
        .key_extractor(key)
        .finish()
        .expect("a burst and an interval of at least one")
}

/// The key of a client: its IPv4 address, or the /64 network of its IPv6 address (one
/// machine usually has a whole /64). A request without an address (no connection info,
/// e.g. a test that sets none) counts as one shared client.
#[derive(Debug, Clone)]
pub(crate) struct ClientKey {
    header: Option<HeaderName>,
}

impl KeyExtractor for ClientKey {
    type Key = IpAddr;

    fn extract<T>(&self, request: &Request<T>) -> Result<IpAddr, GovernorError> {
        let from_header = self.header.as_ref().and_then(|name| {
            let value = request.headers().get(name)?.to_str().ok()?;
            value.rsplit(',').next()?.trim().parse::<IpAddr>().ok()
        });
        let peer = || {
            request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip())
        };
        let ip = from_header
            .or_else(peer)
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(network(ip))
    }
}

fn network(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_of(extractor: &ClientKey, request: &Request<()>) -> IpAddr {
        extractor.extract(request).unwrap()
    }

    #[test]
    fn peer_address_then_trusted_header() {
        let peer: SocketAddr = "192.0.2.7:4000".parse().unwrap();
        let mut request = Request::new(());
        request.extensions_mut().insert(ConnectInfo(peer));
        request.headers_mut().insert(
            "x-forwarded-for",
            "198.51.100.1, 203.0.113.9".parse().unwrap(),
        );
        let direct = ClientKey { header: None };
        assert_eq!(
            key_of(&direct, &request),
            peer.ip(),
            "the header is not trusted"
        );
        let proxied = ClientKey {
            header: Some(HeaderName::from_static("x-forwarded-for")),
        };
        let last: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(key_of(&proxied, &request), last, "the proxy's own entry");
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(network(a), network(b));
        assert_ne!(network(a), network(c));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(network(mapped), "192.0.2.1".parse::<IpAddr>().unwrap());
    }
}
