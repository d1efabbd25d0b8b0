//! Who may reset a password by themselves: an account whose admin enabled self-service
//! reset, with enough distinct registered methods for its roles. Checked when the person
//! identifies, and again just before the password is set (the directory may have changed
//! in between).

use crate::contact::ContactMethod;
use crate::directory::UserRecord;

/// Methods an account must prove: two for any admin role, else the policy's number.
pub(crate) fn required_methods(record: &UserRecord, policy_required: u8) -> u8 {
    if record.is_admin() {
        2
    } else {
        policy_required
    }
}

/// The account's distinct methods, if it may reset by itself.
pub(crate) fn eligible_methods(
    record: &UserRecord,
    policy_required: u8,
) -> Option<Vec<ContactMethod>> {
    if !record.self_service_reset {
        return None;
    }
    let methods = ContactMethod::distinct(record.methods.clone());
    (methods.len() >= usize::from(required_methods(record, policy_required))).then_some(methods)
}
