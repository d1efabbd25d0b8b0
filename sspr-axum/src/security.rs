//! What every response carries, and the bounds on every request.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The most bytes of a request body (a form): far more than any field the wizard takes
/// (a password has at most 256 characters), far less than anything that costs the server.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The most bytes of all request headers together (names and values), and the most
/// headers.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// See [`MAX_HEADER_BYTES`].
pub const MAX_HEADERS: usize = 64;

/// The Content-Security-Policy of every response: nothing inline (no inline script or
/// style, no `eval`), pictures, clips, the stylesheet and the one script (the audio
/// challenge's keyboard control) from this origin only, forms posted to this origin only,
/// and never in a frame.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     img-src 'self'; media-src 'self'; style-src 'self'; form-action 'self'; \
     base-uri 'none'; frame-ancestors 'none'";

/// Puts the security headers on every response (pages, media, errors, rate-limit refusals
/// alike); a response that sets no `Cache-Control` gets `no-store`.
pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let fixed: [(HeaderName, &'static str); 6] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// Whether the request's headers stay within [`MAX_HEADERS`] and [`MAX_HEADER_BYTES`].
pub(crate) fn headers_within_bounds(request: &Request<Body>) -> bool {
    let headers = request.headers();
    if headers.len() > MAX_HEADERS {
        return false;
    }
    let bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    bytes + request.uri().to_string().len() <= MAX_HEADER_BYTES
}

/// Whether a declared body length is over [`MAX_BODY_BYTES`] (a body without one is cut
/// off when read).
pub(crate) fn body_too_large(request: &Request<Body>) -> bool {
    request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
}
