//! The state each step holds, one type per step. Transitions live in [`step`](crate::step),
//! one module per step; they build the next step's state from here, so no step module
//! depends on another.
//!
//! The types make invalid states unrepresentable: a Verify step's code is an enum (shown,
//! concealed and sent, concealed and unsent, or a stand-in for an account that cannot
//! reset), and NewPassword holds only the account and the methods that proved it.

use std::fmt;

use time::OffsetDateTime;

use crate::challenge::Challenge;
use crate::code::CodeDigest;
use crate::contact::{ContactMethod, MaskedContact};
use crate::policy::Policy;
use crate::user_id::UserId;
use crate::wizard::{Sealed, Step};

/// The first step: choose the account type.
#[derive(Debug)]
pub struct SelectAccount {
    _private: (),
}

impl SelectAccount {
    pub(crate) fn new() -> Self {
        SelectAccount { _private: () }
    }
}

impl Sealed for SelectAccount {}
impl Step for SelectAccount {
    const NAME: &'static str = "select account";
}

/// The person types their user ID and the characters of the challenge.
pub struct Identify {
    pub(crate) challenge: Challenge,
    pub(crate) challenge_deadline: OffsetDateTime,
    pub(crate) attempts_left: u8,
    pub(crate) renewals_left: u8,
}

impl fmt::Debug for Identify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identify")
            .field("challenge", &self.challenge)
            .field("challenge_deadline", &self.challenge_deadline)
            .field("attempts_left", &self.attempts_left)
            .field("renewals_left", &self.renewals_left)
            .finish()
    }
}

impl Sealed for Identify {}
impl Step for Identify {
    const NAME: &'static str = "identify";
}

impl Identify {
    /// A first challenge under `policy`.
    pub(crate) fn new(challenge: Challenge, policy: &Policy, now: OffsetDateTime) -> Self {
        Identify {
            challenge,
            challenge_deadline: now + policy.challenge_lifetime,
            attempts_left: policy.challenge_attempts,
            renewals_left: policy.new_challenges,
        }
    }

    /// The challenge to show (render it with [`Sspr::render`](crate::Sspr::render)).
    pub fn challenge(&self) -> &Challenge {
        &self.challenge
    }

    /// Wrong answers left before the flow locks.
    pub fn attempts_left(&self) -> u8 {
        self.attempts_left
    }

    /// New or switched challenges the person may still ask for.
    pub fn renewals_left(&self) -> u8 {
        self.renewals_left
    }

    /// When the current challenge stops being accepted.
    pub fn challenge_deadline(&self) -> OffsetDateTime {
        self.challenge_deadline
    }
}

/// The account whose ownership is being proved: its methods, which of them proved it so
/// far, how many must, and the code budget of the flow.
#[derive(Clone)]
pub(crate) struct Account {
    pub(crate) user: UserId,
    pub(crate) methods: Vec<ContactMethod>,
    /// Indexes into `methods` that proved ownership, in order, without repeats.
    pub(crate) used: Vec<u8>,
    /// 1 or 2.
    pub(crate) required: u8,
    pub(crate) code_attempts_left: u8,
    /// How many codes this flow issued (the number of the last one).
    pub(crate) issued: u8,
}

impl Account {
    /// A stand-in for an account that cannot reset (conceal policy): no methods.
    pub(crate) fn stand_in(user: UserId, policy: &Policy) -> Self {
        Account {
            user,
            methods: Vec::new(),
            used: Vec::new(),
            required: 1,
            code_attempts_left: policy.code_attempts,
            issued: 0,
        }
    }

    pub(crate) fn is_used(&self, index: usize) -> bool {
        self.used.iter().any(|&u| usize::from(u) == index)
    }

    /// The first method that has not proved ownership yet.
    pub(crate) fn first_unused(&self) -> Option<usize> {
        (0..self.methods.len()).find(|&i| !self.is_used(i))
    }

    /// Whether enough methods proved ownership.
    pub(crate) fn proved(&self) -> bool {
        self.used.len() >= usize::from(self.required)
    }

    pub(crate) fn used_methods(&self) -> Vec<ContactMethod> {
        self.used
            .iter()
            .filter_map(|&i| self.methods.get(usize::from(i)))
            .cloned()
            .collect()
    }
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("user", &self.user)
            .field("methods", &self.methods)
            .field("used", &self.used)
            .field("required", &self.required)
            .field("code_attempts_left", &self.code_attempts_left)
            .finish()
    }
}

/// The person picks a registered contact method (shown masked) to receive a code.
#[derive(Debug, Clone)]
pub struct ChooseMethod {
    pub(crate) account: Account,
}

impl Sealed for ChooseMethod {}
impl Step for ChooseMethod {
    const NAME: &'static str = "choose method";
}

/// One contact method as offered to the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodChoice {
    /// What to pass to [`Wizard::<ChooseMethod>::choose`](crate::Wizard).
    pub index: usize,
    /// The masked method.
    pub contact: MaskedContact,
    /// Whether it already proved ownership in this flow (it cannot be chosen again).
    pub used: bool,
}

impl ChooseMethod {
    /// The account's methods, masked, in the account's order.
    pub fn methods(&self) -> Vec<MethodChoice> {
        self.account
            .methods
            .iter()
            .enumerate()
            .map(|(index, method)| MethodChoice {
                index,
                contact: method.masked(),
                used: self.account.is_used(index),
            })
            .collect()
    }

    /// Methods this account must verify (1 or 2).
    pub fn required(&self) -> u8 {
        self.account.required
    }

    /// Methods verified so far.
    pub fn verified(&self) -> usize {
        self.account.used.len()
    }

    /// Whose account it is.
    pub fn user(&self) -> &UserId {
        &self.account.user
    }
}

/// The code of a Verify step: every value is a state the wizard can be in.
pub(crate) enum Code {
    /// A code went to `method`, and the page says where.
    Shown { method: u8, digest: CodeDigest },
    /// Conceal policy: the page says only "if this account can reset, a code was sent".
    Concealed(Concealed),
}

/// What lies behind a concealed Verify step.
pub(crate) enum Concealed {
    /// A code went to `method`.
    Sent { method: u8, digest: CodeDigest },
    /// The delivery to `method` failed: no code is right; a resend tries again.
    Unsent { method: u8 },
    /// The account cannot reset (or is blocked): nothing is sent, no code is right.
    StandIn,
}

impl Code {
    /// The method the code went (or should have gone) to.
    pub(crate) fn method(&self) -> Option<u8> {
        match self {
            Code::Shown { method, .. }
            | Code::Concealed(Concealed::Sent { method, .. } | Concealed::Unsent { method }) => {
                Some(*method)
            }
            Code::Concealed(Concealed::StandIn) => None,
        }
    }

    /// The digest of the code that can be right, if any.
    pub(crate) fn digest(&self) -> Option<&CodeDigest> {
        match self {
            Code::Shown { digest, .. } | Code::Concealed(Concealed::Sent { digest, .. }) => {
                Some(digest)
            }
            Code::Concealed(Concealed::Unsent { .. } | Concealed::StandIn) => None,
        }
    }

    pub(crate) fn is_concealed(&self) -> bool {
        matches!(self, Code::Concealed(_))
    }

    /// A code sent to `method`, concealed or not.
    pub(crate) fn sent(method: u8, digest: CodeDigest, concealed: bool) -> Self {
        if concealed {
            Code::Concealed(Concealed::Sent { method, digest })
        } else {
            Code::Shown { method, digest }
        }
    }
}

/// The person types the code sent to them.
pub struct Verify {
    pub(crate) account: Account,
    pub(crate) code: Code,
    pub(crate) code_deadline: OffsetDateTime,
    pub(crate) resends_left: u8,
}

impl fmt::Debug for Verify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verify")
            .field("user", &self.account.user)
            .field("sent_to", &self.sent_to())
            .field("code", &"[REDACTED]")
            .field("code_deadline", &self.code_deadline)
            .field("attempts_left", &self.account.code_attempts_left)
            .field("resends_left", &self.resends_left)
            .finish()
    }
}

impl Sealed for Verify {}
impl Step for Verify {
    const NAME: &'static str = "verify";
}

impl Verify {
    /// A Verify step with a fresh code deadline and the policy's resends.
    pub(crate) fn new(account: Account, code: Code, policy: &Policy, now: OffsetDateTime) -> Self {
        Verify {
            account,
            code,
            code_deadline: now + policy.code_lifetime,
            resends_left: policy.code_resends,
        }
    }

    /// Where the code went, masked; `None` under the conceal policy, which says only "if
    /// this account can reset, a code was sent".
    pub fn sent_to(&self) -> Option<MaskedContact> {
        match &self.code {
            Code::Shown { method, .. } => self
                .account
                .methods
                .get(usize::from(*method))
                .map(ContactMethod::masked),
            Code::Concealed(_) => None,
        }
    }

    /// When the code stops being accepted.
    pub fn code_deadline(&self) -> OffsetDateTime {
        self.code_deadline
    }

    /// Wrong codes left before the flow locks.
    pub fn attempts_left(&self) -> u8 {
        self.account.code_attempts_left
    }

    /// New codes the person may still ask for.
    pub fn resends_left(&self) -> u8 {
        self.resends_left
    }
}

/// New passwords the rules may refuse per flow before it locks: enough for a person,
/// too few to use the step as an oracle of the rules or a source of Argon2id work.
pub const NEW_PASSWORD_ATTEMPTS: u8 = 10;

/// Ownership is proved: the person types the new password twice.
pub struct NewPassword {
    pub(crate) user: UserId,
    /// The methods that proved ownership (for the receipt, and checked against the
    /// directory before the password is set).
    pub(crate) proved_by: Vec<ContactMethod>,
    /// Refused new passwords left before the flow locks.
    pub(crate) attempts_left: u8,
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewPassword")
            .field("user", &self.user)
            .field("methods_used", &self.methods_used())
            .field("attempts_left", &self.attempts_left)
            .finish()
    }
}

impl Sealed for NewPassword {}
impl Step for NewPassword {
    const NAME: &'static str = "new password";
}

impl NewPassword {
    /// Whose password is being set.
    pub fn user(&self) -> &UserId {
        &self.user
    }

    /// The methods that proved ownership, masked.
    pub fn methods_used(&self) -> Vec<MaskedContact> {
        self.proved_by.iter().map(ContactMethod::masked).collect()
    }

    /// Refused new passwords left before the flow locks (at most
    /// [`NEW_PASSWORD_ATTEMPTS`]).
    pub fn attempts_left(&self) -> u8 {
        self.attempts_left
    }
}
