//! The change planned against the account's methods: whether a new address can receive a
//! code, which registered method proves the account holder, and the methods after.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{MAX_ADDRESS_BYTES, MAX_METHODS, MethodChange, RegistrationRefusal};
use crate::contact::{ContactKind, ContactMethod};
use crate::event::Detail;

pub(super) use super::sealed::Method;

/// The change as planned when the codes were sent: the methods it touches, by value.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum Plan {
    Add { new: Method },
    Replace { old: Method, new: Method },
    Remove { old: Method },
    Confirm { first: Method },
}

impl Plan {
    /// The method the change adds (or puts in place of another).
    pub(super) fn new_method(&self) -> Option<ContactMethod> {
        match self {
            Plan::Add { new } | Plan::Replace { new, .. } => new.contact(),
            Plan::Remove { .. } | Plan::Confirm { .. } => None,
        }
    }
}

/// Whether `method`'s address can receive a code: an email address with one `@`, a dot
/// in its domain and no blanks or controls; a phone number of 8 to 15 digits with an
/// optional leading `+`, spaces, dots, hyphens and brackets. At most
/// [`MAX_ADDRESS_BYTES`] either way.
pub fn address_is_valid(method: &ContactMethod) -> bool {
    let address = method.address();
    if address.is_empty() || address.len() > MAX_ADDRESS_BYTES {
        return false;
    }
    match method.kind() {
        ContactKind::Email => {
            let Some((local, domain)) = address.split_once('@') else {
                return false;
            };
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && address.chars().all(|c| {
                    !c.is_whitespace()
                        && !c.is_control()
                        && !crate::user_id::is_hidden_or_reordering(c)
                })
        }
        ContactKind::Sms | ContactKind::Voice => {
            let all: String = address.chars().filter(char::is_ascii_digit).collect();
            // "00" before the country code is the international prefix, like "+".
            let digits = all.strip_prefix("00").unwrap_or(&all).len();
            let rest = address.strip_prefix('+').unwrap_or(address);
            (8..=15).contains(&digits)
                && rest
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'))
        }
    }
}

/// A digest of an account's methods as the directory holds them, in order: the methods
/// a registration was planned on.
pub(super) fn methods_digest(methods: &[ContactMethod]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"sspr registration methods v1");
    for method in methods {
        let address = method.address().as_bytes();
        hash.update([Method::of(method).kind]);
        hash.update(
            u64::try_from(address.len())
                .unwrap_or(u64::MAX)
                .to_be_bytes(),
        );
        hash.update(address);
    }
    hash.finalize().into()
}

/// The change, checked against the account's methods, with the methods it touches.
pub(super) fn plan(
    methods: &[ContactMethod],
    change: MethodChange,
) -> Result<Plan, RegistrationRefusal> {
    let known = |new: &ContactMethod| methods.iter().any(|m| m.same_destination(new));
    let at = |index: usize| methods.get(index).ok_or(RegistrationRefusal::NoSuchMethod);
    match change {
        MethodChange::Add(new) => {
            if !address_is_valid(&new) {
                return Err(RegistrationRefusal::InvalidAddress);
            }
            if known(&new) {
                return Err(RegistrationRefusal::AlreadyRegistered);
            }
            if methods.len() >= MAX_METHODS {
                return Err(RegistrationRefusal::TooManyMethods { max: MAX_METHODS });
            }
            Ok(Plan::Add {
                new: Method::of(&new),
            })
        }
        MethodChange::Replace { old, new } => {
            let old = at(old)?;
            if !address_is_valid(&new) {
                return Err(RegistrationRefusal::InvalidAddress);
            }
            if known(&new) {
                return Err(RegistrationRefusal::AlreadyRegistered);
            }
            Ok(Plan::Replace {
                old: Method::of(old),
                new: Method::of(&new),
            })
        }
        MethodChange::Remove(old) => Ok(Plan::Remove {
            old: Method::of(at(old)?),
        }),
        MethodChange::Confirm => Ok(Plan::Confirm {
            first: Method::of(at(0)?),
        }),
    }
}

/// The registered method that proves the account holder: the first one the change keeps,
/// else the one it changes; none for an account without methods.
pub(super) fn proof_method(methods: &[ContactMethod], plan: &Plan) -> Option<ContactMethod> {
    let touched = match plan {
        Plan::Replace { old, .. } | Plan::Remove { old } => old.contact(),
        Plan::Confirm { first } => return first.contact(),
        Plan::Add { .. } => None,
    };
    let is_touched = |m: &ContactMethod| touched.as_ref().is_some_and(|t| t.same_destination(m));
    methods
        .iter()
        .find(|m| !is_touched(m))
        .or_else(|| methods.first())
        .cloned()
}

/// The methods after `plan`, and its audit detail; `None` when the methods changed since
/// the plan was made (its old method is gone, or its new one is there already).
pub(super) fn apply(
    methods: &[ContactMethod],
    plan: &Plan,
) -> Option<(Vec<ContactMethod>, Detail)> {
    let place = |m: &Method| {
        let m = m.contact()?;
        methods.iter().position(|known| known.same_destination(&m))
    };
    let mut after = methods.to_vec();
    match plan {
        Plan::Add { new } => {
            let new = new.contact()?;
            if place(&Method::of(&new)).is_some() || after.len() >= MAX_METHODS {
                return None;
            }
            let via = new.kind();
            after.push(new);
            Some((after, Detail::MethodRegistered { via }))
        }
        Plan::Replace { old, new } => {
            let at = place(old)?;
            let new = new.contact()?;
            if place(&Method::of(&new)).is_some() {
                return None;
            }
            let via = new.kind();
            *after.get_mut(at)? = new;
            Some((after, Detail::MethodReplaced { via }))
        }
        Plan::Remove { old } => {
            let at = place(old)?;
            let removed = after.remove(at);
            Some((
                after,
                Detail::MethodRemoved {
                    via: removed.kind(),
                },
            ))
        }
        Plan::Confirm { first } => {
            place(first)?;
            Some((after, Detail::MethodsConfirmed))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_that_can_receive_a_code() {
        let good = [
            ContactMethod::email("jan@example.com"),
            ContactMethod::sms("+31 6 12345678"),
            ContactMethod::voice("(020) 555-0199"),
            ContactMethod::sms("00 31 6 1234 5678 901"),
        ];
        for method in good {
            assert!(address_is_valid(&method), "{}", method.address());
        }
        let long = format!("{}@example.com", "a".repeat(250));
        let bad = [
            ContactMethod::email(""),
            ContactMethod::email("jan"),
            ContactMethod::email("jan@localhost"),
            ContactMethod::email("@example.com"),
            ContactMethod::email("jan@@example.com"),
            ContactMethod::email("jan doe@example.com"),
            ContactMethod::email("jan\u{200b}@example.com"),
            ContactMethod::email("jan\u{61c}@example.com"),
            ContactMethod::email("jan\u{fe0f}@example.com"),
            ContactMethod::email("jan\u{e0001}@example.com"),
            ContactMethod::email("jan@example.com\n"),
            ContactMethod::email(long),
            ContactMethod::sms("12345"),
            ContactMethod::sms("+31 6 1234567890123"),
            ContactMethod::sms("+31 6 1234abcd"),
            ContactMethod::voice("++31612345678"),
        ];
        for method in bad {
            assert!(!address_is_valid(&method), "{:?}", method.address());
        }
    }

    #[test]
    fn the_proof_goes_to_a_method_the_change_keeps() {
        let mail = ContactMethod::email("jan@example.com");
        let phone = ContactMethod::sms("+31 6 12345678");
        let methods = [mail.clone(), phone.clone()];
        let replace_mail = plan(
            &methods,
            MethodChange::Replace {
                old: 0,
                new: ContactMethod::email("jan@example.org"),
            },
        )
        .expect("plan");
        assert_eq!(proof_method(&methods, &replace_mail), Some(phone.clone()));
        let remove_phone = plan(&methods, MethodChange::Remove(1)).expect("plan");
        assert_eq!(proof_method(&methods, &remove_phone), Some(mail.clone()));
        // The only method: it proves its own replacement.
        let only = [phone.clone()];
        let replace_only = plan(
            &only,
            MethodChange::Replace {
                old: 0,
                new: ContactMethod::sms("+31 6 87654321"),
            },
        )
        .expect("plan");
        assert_eq!(proof_method(&only, &replace_only), Some(phone));
        // No method yet: nothing to prove with.
        let first = plan(&[], MethodChange::Add(mail)).expect("plan");
        assert_eq!(proof_method(&[], &first), None);
    }

    #[test]
    fn changes_apply_only_to_the_methods_they_were_planned_on() {
        let mail = ContactMethod::email("jan@example.com");
        let phone = ContactMethod::sms("+31 6 12345678");
        let add = plan(
            std::slice::from_ref(&mail),
            MethodChange::Add(phone.clone()),
        )
        .expect("plan");
        let (after, detail) = apply(std::slice::from_ref(&mail), &add).expect("applies");
        assert_eq!(after, vec![mail.clone(), phone.clone()]);
        assert_eq!(
            detail,
            Detail::MethodRegistered {
                via: ContactKind::Sms
            }
        );
        // Added meanwhile (another registration): this one no longer applies.
        assert!(apply(&after, &add).is_none());
        let remove = plan(&after, MethodChange::Remove(0)).expect("plan");
        assert_eq!(
            apply(&after, &remove).map(|(m, _)| m),
            Some(vec![phone.clone()])
        );
        assert!(apply(&[phone], &remove).is_none(), "the old method is gone");
        assert!(matches!(
            plan(
                &after,
                MethodChange::Add(ContactMethod::sms("+31 (6) 1234-5678"))
            ),
            Err(RegistrationRefusal::AlreadyRegistered)
        ));
        assert!(matches!(
            plan(&after, MethodChange::Remove(2)),
            Err(RegistrationRefusal::NoSuchMethod)
        ));
        assert!(matches!(
            plan(&[], MethodChange::Confirm),
            Err(RegistrationRefusal::NoSuchMethod)
        ));
    }
}
