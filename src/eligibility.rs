//! Who may reset a password by themselves: an account whose admin enabled self-service
//! reset, with enough distinct registered methods for its roles. Checked when the person
//! identifies, and again just before the password is set (the directory may have changed
//! in between).

use crate::contact::ContactMethod;
use crate::directory::{Role, UserRecord};
use crate::policy::{Policy, SelfServiceFor};
use crate::state::Account;
use crate::user_id::UserId;

/// Methods an account must prove: two for any admin role, else the policy's number.
pub(crate) fn required_methods(record: &UserRecord, policy_required: u8) -> u8 {
    if record.is_admin() {
        2
    } else {
        policy_required
    }
}

/// The account's distinct methods, if it may reset by itself: self-service reset is on
/// for it (for everyone, or for the accounts the directory selects), and it has enough
/// distinct methods.
pub(crate) fn eligible_methods(record: &UserRecord, policy: &Policy) -> Option<Vec<ContactMethod>> {
    let enabled = match policy.self_service_for {
        SelfServiceFor::Nobody => false,
        SelfServiceFor::Selected => record.self_service_reset,
        SelfServiceFor::Everyone => true,
    };
    if !enabled {
        return None;
    }
    let methods = ContactMethod::distinct(record.methods.clone());
    (methods.len() >= usize::from(required_methods(record, policy.methods_required)))
        .then_some(methods)
}

/// The account to prove, with its distinct methods, if `record` may reset by itself.
pub(crate) fn account(record: UserRecord, policy: &Policy) -> Option<Account> {
    let methods = eligible_methods(&record, policy)?;
    Some(Account {
        required: required_methods(&record, policy.methods_required),
        user: record.id,
        methods,
        used: Vec::new(),
        code_attempts_left: policy.code_attempts,
        issued: 0,
    })
}

/// A record of the usual shape (enabled, one role, one method) under `user`: the
/// conceal policy runs an account that cannot reset through the same work as one that
/// can, on this record, so that the work takes the same time. Nothing is ever sent to
/// its method.
pub(crate) fn stand_in_record(user: UserId) -> UserRecord {
    UserRecord {
        id: user,
        tenant: String::from("stand-in"),
        roles: vec![Role::User],
        self_service_reset: true,
        methods: vec![ContactMethod::email("nobody@stand-in.invalid")],
        password_hash: None,
        methods_confirmed: None,
    }
}
