//! The crate's error: what went wrong in a host part or in the machine itself. Things a
//! person can fix are not errors but [`Refusal`](crate::wizard::Refusal)s.

use crate::challenge::ChallengeError;
use crate::code::CodeError;
use crate::directory::DirectoryError;
use crate::flow::FlowIdError;
use crate::limits::CounterError;
use crate::message::Message;
use crate::offload::OffloadError;
use crate::password::HashError;
use crate::policy::PolicyError;
use crate::sender::SendError;

/// A failure of a host part or of the crate's own machinery. Messages never contain a
/// secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Making or rendering a challenge failed.
    #[error(transparent)]
    Challenge(#[from] ChallengeError),
    /// Making a one-time code failed.
    #[error(transparent)]
    Code(#[from] CodeError),
    /// The user directory failed.
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    /// Delivering a code or notice failed.
    #[error(transparent)]
    Send(#[from] SendError),
    /// The per-user-ID counters failed.
    #[error(transparent)]
    Counters(#[from] CounterError),
    /// Hashing the new password failed.
    #[error(transparent)]
    Hash(#[from] HashError),
    /// The host's offload pool failed to run the hashing.
    #[error(transparent)]
    Offload(#[from] OffloadError),
    /// A flow ID could not be made or read.
    #[error(transparent)]
    FlowId(#[from] FlowIdError),
    /// The policy is not valid.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// The store of reset links failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The service shares its counters (and so its flows) with other processes but was
    /// given no keys: give every server the same [`Keys`](crate::host::Keys).
    #[error("a service over shared counters needs the deployment's keys")]
    KeysRequired,
    /// A contact method was asked for that the account does not have (a bug, or a
    /// forged flow): nothing was sent.
    #[error("the contact method is not one of the account's")]
    NoSuchMethod,
    /// A pending registration could not be sealed (the OS CSPRNG or the cipher failed).
    #[error("the pending registration could not be sealed; try again")]
    Sealing,
}

/// A person sees one message for any failure of a host part or of the machinery: the
/// service is unavailable, try again. The details are for the host's logs.
impl Message for Error {
    fn message_id(&self) -> &'static str {
        "service-unavailable"
    }
}
