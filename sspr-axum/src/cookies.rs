//! Cookies and CSRF tokens.
//!
//! Two cookies, both `HttpOnly` and `SameSite=Strict`, `Secure` unless the host serves
//! plain HTTP on loopback, and named with the `__Host-` prefix whenever they are `Secure`
//! (the prefix demands `Secure`, `Path=/` and no `Domain`, so no other site or subdomain
//! can set them):
//!
//! - the **flow cookie** holds the flow ID, the person's bearer credential for their reset
//!   (never in a URL); it lives as long as the flow and is cleared at its ending;
//! - the **start cookie** holds a random value for the one form that comes before any
//!   flow ("Can't access your account?" → work or school / personal).
//!
//! Every form carries a CSRF token: an HMAC-SHA-256, under the host's [`CsrfKey`], of the
//! flow ID (forms of a step) or of the start cookie's value (the start form). A form
//! posted from another site has neither cookie value, so it cannot carry the token; a
//! token from one flow does not fit another.

use std::fmt;

use axum::http::{HeaderMap, HeaderValue, header};
use hmac::{Hmac, KeyInit, Mac};
use rand::TryRng;
use rand::rngs::SysRng;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The longest cookie value read (a flow ID has 32 characters, a start value 64).
const MAX_COOKIE_VALUE: usize = 128;

/// The key of the CSRF tokens. Servers that share flows (a Redis store) share it too:
/// derive it from the deployment's master secret ([`CsrfKey::from_secret`]); one server
/// alone may use [`CsrfKey::random`]. `Debug` redacts it.
#[derive(Clone)]
pub struct CsrfKey([u8; 32]);

impl fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CsrfKey([REDACTED])")
    }
}

/// What the key derivation covers before the secret's use: this purpose and version, so
/// that the same master secret yields unrelated keys elsewhere.
const CSRF_LABEL: &[u8] = b"sspr-axum csrf key v1";

impl CsrfKey {
    /// The CSRF key derived from the deployment's 32-byte master secret (the one given
    /// to `sspr::host::Keys::from_secret`): HMAC-SHA-256 of a fixed label under it.
    pub fn from_secret(secret: &[u8; 32]) -> Self {
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(secret).expect("any key length");
        mac.update(CSRF_LABEL);
        CsrfKey(mac.finalize().into_bytes().into())
    }

    /// A random key for this process (from the OS CSPRNG): for one server alone, whose
    /// forms end with it anyway. `None` when the generator fails.
    pub fn random() -> Option<Self> {
        let mut key = [0u8; 32];
        SysRng.try_fill_bytes(&mut key).ok()?;
        Some(CsrfKey(key))
    }

    fn mac(&self, purpose: &[u8], value: &str) -> HmacSha256 {
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&self.0).expect("any key length");
        mac.update(purpose);
        mac.update(&[0]);
        mac.update(value.as_bytes());
        mac
    }

    /// The token of the forms of the flow `flow` (its ID's text).
    pub(crate) fn flow_token(&self, flow: &str) -> String {
        hex(&self.mac(b"flow", flow).finalize().into_bytes())
    }

    /// The token of the start form, for the start cookie's value.
    pub(crate) fn start_token(&self, start: &str) -> String {
        hex(&self.mac(b"start", start).finalize().into_bytes())
    }

    /// Whether `token` is the flow's (in constant time).
    pub(crate) fn check_flow(&self, flow: &str, token: &str) -> bool {
        check(self.mac(b"flow", flow), token)
    }

    /// Whether `token` is the start cookie's (in constant time).
    pub(crate) fn check_start(&self, start: &str, token: &str) -> bool {
        check(self.mac(b"start", start), token)
    }
}

fn check(mac: HmacSha256, token: &str) -> bool {
    match unhex(token) {
        Some(bytes) => mac.verify_slice(&bytes).is_ok(),
        None => false,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// A fresh value for the start cookie: 32 random bytes as hex.
pub(crate) fn new_start_value() -> Option<String> {
    let mut value = [0u8; 32];
    SysRng.try_fill_bytes(&mut value).ok()?;
    Some(hex(&value))
}

/// Whether a start cookie's value is one this crate makes (so that it is not taken from
/// anywhere else).
pub(crate) fn is_start_value(value: &str) -> bool {
    value.len() == 64
        && value
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// How the cookies are named and set.
#[derive(Debug, Clone)]
pub(crate) struct CookieJar {
    secure: bool,
    /// The cookies' `Path` when they are not `Secure` (the router's base path).
    path: String,
}

impl CookieJar {
    pub(crate) fn new(secure: bool, base: &str) -> Self {
        let path = if base.is_empty() {
            "/".to_owned()
        } else {
            base.to_owned()
        };
        CookieJar { secure, path }
    }

    pub(crate) fn flow_name(&self) -> &'static str {
        if self.secure {
            "__Host-sspr-flow"
        } else {
            "sspr-flow"
        }
    }

    pub(crate) fn start_name(&self) -> &'static str {
        if self.secure {
            "__Host-sspr-start"
        } else {
            "sspr-start"
        }
    }

    pub(crate) fn language_name(&self) -> &'static str {
        if self.secure {
            "__Host-sspr-lang"
        } else {
            "sspr-lang"
        }
    }

    /// The language the person chose (the language cookie), if any: a tag of at most 35
    /// letters, digits and hyphens.
    pub(crate) fn language<'h>(&self, headers: &'h HeaderMap) -> Option<&'h str> {
        read(headers, self.language_name()).filter(|tag| {
            tag.len() <= 35 && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
    }

    /// `Set-Cookie` for the language the person chose (`tag`, one the router holds), for
    /// a year.
    pub(crate) fn set_language(&self, tag: &str) -> Option<HeaderValue> {
        let value = format!(
            "{}={tag}; Max-Age=31536000; {}",
            self.language_name(),
            self.attributes()
        );
        HeaderValue::from_str(&value).ok()
    }

    /// The flow cookie's value in the request, if any.
    pub(crate) fn flow<'h>(&self, headers: &'h HeaderMap) -> Option<&'h str> {
        read(headers, self.flow_name())
    }

    /// The start cookie's value in the request, if it is one of ours.
    pub(crate) fn start<'h>(&self, headers: &'h HeaderMap) -> Option<&'h str> {
        read(headers, self.start_name()).filter(|v| is_start_value(v))
    }

    fn attributes(&self) -> String {
        // `__Host-` needs Path=/ and Secure; without Secure the cookie keeps to the base.
        let path = if self.secure { "/" } else { &self.path };
        let secure = if self.secure { "; Secure" } else { "" };
        format!("Path={path}; HttpOnly; SameSite=Strict{secure}")
    }

    /// `Set-Cookie` for the flow, for `max_age_secs` (the flow's time left).
    pub(crate) fn set_flow(&self, flow: &str, max_age_secs: i64) -> HeaderValue {
        let value = format!(
            "{}={flow}; Max-Age={}; {}",
            self.flow_name(),
            max_age_secs.max(1),
            self.attributes()
        );
        HeaderValue::from_str(&value).expect("a flow ID and attributes are valid header text")
    }

    /// `Set-Cookie` that removes the flow cookie.
    pub(crate) fn clear_flow(&self) -> HeaderValue {
        let value = format!("{}=; Max-Age=0; {}", self.flow_name(), self.attributes());
        HeaderValue::from_str(&value).expect("valid header text")
    }

    /// `Set-Cookie` for the start value (a session cookie).
    pub(crate) fn set_start(&self, value: &str) -> HeaderValue {
        let value = format!("{}={value}; {}", self.start_name(), self.attributes());
        HeaderValue::from_str(&value).expect("hex and attributes are valid header text")
    }
}

/// The first cookie named `name` in the request's `Cookie` headers (bounded in length).
fn read<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty() && v.len() <= MAX_COOKIE_VALUE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_bound_to_their_flow_and_key() {
        let key = CsrfKey::from_secret(&[7; 32]);
        let flow = "0123456789abcdef0123456789abcdef";
        let token = key.flow_token(flow);
        assert!(key.check_flow(flow, &token));
        assert!(!key.check_flow("fedcba9876543210fedcba9876543210", &token));
        assert!(!CsrfKey::from_secret(&[8; 32]).check_flow(flow, &token));
        assert!(
            !key.check_start(flow, &token),
            "a flow token is no start token"
        );
        assert!(!key.check_flow(flow, ""));
        assert!(!key.check_flow(flow, &token.to_uppercase().replace('A', "g")));
    }

    #[test]
    fn cookies_are_strict_and_secure_with_the_host_prefix() {
        let jar = CookieJar::new(true, "/reset");
        let set = jar.set_flow("abc", 900);
        let set = set.to_str().unwrap();
        assert!(
            set.starts_with("__Host-sspr-flow=abc; Max-Age=900; Path=/;"),
            "{set}"
        );
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"));
        assert!(set.ends_with("; Secure"));

        let loopback = CookieJar::new(false, "/reset");
        let set = loopback.set_flow("abc", 900);
        let set = set.to_str().unwrap();
        assert!(set.starts_with("sspr-flow=abc;"), "{set}");
        assert!(set.contains("Path=/reset;") && !set.contains("Secure"));
    }

    #[test]
    fn reads_the_named_cookie_only() {
        let jar = CookieJar::new(false, "");
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("other=1; sspr-flow=abc ; sspr-start=zz"),
        );
        assert_eq!(jar.flow(&headers), Some("abc"));
        assert_eq!(jar.start(&headers), None, "not a value this crate makes");
    }
}
