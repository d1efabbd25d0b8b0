//! A pending registration as text a web page keeps between two requests: postcard,
//! sealed with XChaCha20-Poly1305 under the host's keys, as hex.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use zeroize::Zeroize;

use super::plan::{Plan, address_is_valid};
use super::{
    Awaiting, Issue, MAX_ADDRESS_BYTES, MAX_SEALED_CHARS, PendingRegistration, RegistrationRefusal,
};
use crate::code::CodeDigest;
use crate::contact::{ContactKind, ContactMethod};
use crate::error::Error;
use crate::flow::FlowId;
use crate::keys::Keys;
use crate::policy::Policy;
use crate::user_id::UserId;

/// A contact method in a sealed registration.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Method {
    pub(super) kind: u8,
    pub(super) address: String,
}

impl Method {
    pub(super) fn of(method: &ContactMethod) -> Self {
        Method {
            kind: match method.kind() {
                ContactKind::Email => 0,
                ContactKind::Sms => 1,
                ContactKind::Voice => 2,
            },
            address: method.address().to_owned(),
        }
    }

    pub(super) fn contact(&self) -> Option<ContactMethod> {
        let address = self.address.clone();
        match self.kind {
            0 => Some(ContactMethod::email(address)),
            1 => Some(ContactMethod::sms(address)),
            2 => Some(ContactMethod::voice(address)),
            _ => None,
        }
    }
}

impl Drop for Method {
    fn drop(&mut self) {
        self.address.zeroize();
    }
}

/// The sealed body of a pending registration.
#[derive(Serialize, Deserialize)]
struct Body {
    id: [u8; 16],
    user: String,
    plan: Plan,
    /// Which code the registration waits for (0: the new method's, 1: a registered
    /// method's), where it went, and its digest.
    issue: u8,
    to: Method,
    digest: [u8; 32],
    methods_digest: [u8; 32],
    issued: i64,
    deadline: i64,
    attempts_left: u8,
}

/// The associated data of a sealed registration: what it is, and its version.
const SEALED_AS: &[u8] = b"sspr registration v1";

impl PendingRegistration {
    /// The registration as text for a web page or a cookie (hex of the sealed bytes,
    /// at most [`MAX_SEALED_CHARS`]): encrypted and authenticated under `keys`.
    pub fn seal(&self, keys: &Keys) -> Result<String, Error> {
        let mut body = Body {
            id: *self.id.as_bytes(),
            user: self.user.as_str().to_owned(),
            plan: self.plan.clone(),
            issue: self.awaiting.issue as u8,
            to: Method::of(&self.awaiting.to),
            digest: self.awaiting.digest.0,
            methods_digest: self.methods_digest,
            issued: self.issued.unix_timestamp(),
            deadline: self.deadline.unix_timestamp(),
            attempts_left: self.attempts_left,
        };
        let encoded = postcard::to_allocvec(&body);
        body.user.zeroize();
        body.digest.zeroize();
        let mut plain = encoded.map_err(|_| Error::Sealing)?;
        let sealed = keys.seal(SEALED_AS, &plain);
        plain.zeroize();
        let sealed = sealed.map_err(|_| Error::Sealing)?;
        let mut text = String::with_capacity(sealed.len() * 2);
        for byte in &sealed {
            text.push(char::from(HEX[usize::from(byte >> 4)]));
            text.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
        Ok(text)
    }

    /// A registration [sealed](PendingRegistration::seal) under `keys` (or a key they
    /// retired); anything changed, cut short, over-long or made without the key is
    /// [`RegistrationRefusal::NotValid`].
    pub fn open(keys: &Keys, sealed: &str) -> Result<Self, RegistrationRefusal> {
        let text = sealed.trim().as_bytes();
        if text.is_empty() || text.len() > MAX_SEALED_CHARS || !text.len().is_multiple_of(2) {
            return Err(RegistrationRefusal::NotValid);
        }
        let mut bytes = Vec::with_capacity(text.len() / 2);
        for pair in text.chunks_exact(2) {
            let hex = |b: u8| char::from(b).to_digit(16);
            let (Some(hi), Some(lo)) = (hex(pair[0]), hex(pair[1])) else {
                return Err(RegistrationRefusal::NotValid);
            };
            bytes.push(u8::try_from(hi << 4 | lo).map_err(|_| RegistrationRefusal::NotValid)?);
        }
        let mut opened = keys
            .open(SEALED_AS, &bytes)
            .ok_or(RegistrationRefusal::NotValid)?;
        let body = postcard::from_bytes::<Body>(&opened.plaintext);
        opened.plaintext.zeroize();
        let body = body.map_err(|_| RegistrationRefusal::NotValid)?;
        let pending = Self::from_body(body).ok_or(RegistrationRefusal::NotValid)?;
        // A retired key opens only what it sealed before it was retired.
        if opened
            .retired_at
            .is_some_and(|retired| pending.issued > retired)
        {
            return Err(RegistrationRefusal::NotValid);
        }
        Ok(pending)
    }

    fn from_body(mut body: Body) -> Option<Self> {
        let user = UserId::parse(&body.user).ok()?;
        let deadline = OffsetDateTime::from_unix_timestamp(body.deadline).ok()?;
        let issued = OffsetDateTime::from_unix_timestamp(body.issued).ok()?;
        if deadline < issued || deadline > issued + Policy::MAX_CODE_LIFETIME {
            return None;
        }
        // A new method passed the address rules; the account's own methods are as the
        // directory holds them, within what a registration can carry.
        let valid = |m: &Method| m.contact().is_some_and(|c| address_is_valid(&c));
        let held = |m: &Method| m.contact().is_some() && m.address.len() <= MAX_ADDRESS_BYTES;
        let plan_valid = match &body.plan {
            Plan::Add { new } => valid(new),
            Plan::Replace { old, new } => held(old) && valid(new),
            Plan::Remove { old } => held(old),
            Plan::Confirm { first } => held(first),
        };
        // The code it waits for: a registered method's (as the directory holds it), or
        // the new method's, which is the plan's.
        let (issue, to) = match body.issue {
            0 => (Issue::New, body.plan.new_method()?),
            1 if held(&body.to) => (Issue::Current, body.to.contact()?),
            _ => return None,
        };
        if !plan_valid
            || (issue == Issue::New && Method::of(&to) != body.to)
            || body.attempts_left == 0
            || body.attempts_left > Policy::MAX_CODE_ATTEMPTS
        {
            return None;
        }
        let pending = PendingRegistration {
            id: FlowId::from_bytes(body.id),
            user,
            plan: body.plan.clone(),
            awaiting: Awaiting {
                issue,
                to,
                digest: CodeDigest(body.digest),
            },
            methods_digest: body.methods_digest,
            issued,
            deadline,
            attempts_left: body.attempts_left,
        };
        body.user.zeroize();
        body.digest.zeroize();
        Some(pending)
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::*;
    use crate::flow::FlowId;

    fn pending(issued: OffsetDateTime, deadline: OffsetDateTime) -> PendingRegistration {
        PendingRegistration {
            id: FlowId::from_bytes([1; 16]),
            user: UserId::parse("jan@contoso.nl").expect("valid"),
            plan: Plan::Confirm {
                first: Method::of(&ContactMethod::email("jan@example.com")),
            },
            awaiting: Awaiting {
                issue: Issue::Current,
                to: ContactMethod::email("jan@example.com"),
                digest: CodeDigest([7; 32]),
            },
            methods_digest: [3; 32],
            issued,
            deadline,
            attempts_left: 5,
        }
    }

    #[test]
    fn a_deadline_past_the_longest_code_lifetime_does_not_open() {
        let keys = Keys::from_secret([5; 32]);
        let issued = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let fine = pending(issued, issued + Policy::MAX_CODE_LIFETIME);
        let opened = PendingRegistration::open(&keys, &fine.seal(&keys).expect("seals"));
        assert!(opened.is_ok());
        for deadline in [
            issued + Policy::MAX_CODE_LIFETIME + Duration::seconds(1),
            issued - Duration::seconds(1),
        ] {
            let sealed = pending(issued, deadline).seal(&keys).expect("seals");
            assert!(matches!(
                PendingRegistration::open(&keys, &sealed),
                Err(RegistrationRefusal::NotValid)
            ));
        }
    }

    #[test]
    fn the_accounts_own_methods_open_as_the_directory_holds_them() {
        let keys = Keys::from_secret([5; 32]);
        let issued = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let mut odd = pending(issued, issued + Duration::minutes(10));
        // An address an admin typed with a trailing blank: not one a person may add, but
        // the account's own.
        odd.awaiting.to = ContactMethod::email("jan@example.com ");
        odd.plan = Plan::Confirm {
            first: Method::of(&ContactMethod::email("jan@example.com ")),
        };
        let sealed = odd.seal(&keys).expect("seals");
        assert!(PendingRegistration::open(&keys, &sealed).is_ok());
    }
}
