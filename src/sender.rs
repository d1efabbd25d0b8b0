//! Delivery of one-time codes and notices to a person's contact methods.

use std::future::Future;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::code::OneTimeCode;
use crate::contact::ContactMethod;
use crate::user_id::UserId;

/// A message about the account that is not a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Notice {
    /// "Your password was changed": sent to every registered method after a reset.
    PasswordChanged,
    /// "The password of another admin was reset": sent by email to every other global
    /// admin of the organisation when an admin's password is reset (the policy's
    /// `notify_admins`); the notice's user is the admin whose password changed.
    AdminPasswordChanged,
    /// "This user asks you to reset their password": sent to the admins who may reset
    /// the account, when its user asked from the "ask your admin" page; the notice's
    /// user is the account.
    ResetRequested,
    /// "The contact methods of your account changed": sent to every method, old and
    /// new, after a method was added, replaced or removed
    /// ([`registration`](crate::registration)).
    MethodsChanged,
}

/// A failure to deliver.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// The delivery service could not be reached or refused the message; try again.
    /// Made with [`SendError::unavailable`].
    #[error("the message could not be delivered")]
    Unavailable {
        /// What went wrong, for the host's logs. Must not hold the code or the message.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl SendError {
    /// The delivery service could not be reached or refused the message, because of
    /// `source` (an error, or a text): `Err(SendError::unavailable(e))`.
    pub fn unavailable(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        SendError::Unavailable {
            source: source.into(),
        }
    }
}

/// The host's delivery service (SMTP, an SMS gateway, a voice service).
pub trait CodeSender: Send + Sync {
    /// Delivers a one-time code. Implementations put the code in the message and nowhere
    /// else (no logs).
    fn send_code(
        &self,
        user: &UserId,
        to: &ContactMethod,
        code: &OneTimeCode,
    ) -> impl Future<Output = Result<(), SendError>> + Send;

    /// Delivers a notice.
    fn send_notice(
        &self,
        user: &UserId,
        to: &ContactMethod,
        notice: Notice,
    ) -> impl Future<Output = Result<(), SendError>> + Send;
}

/// One delivery recorded by an [`Outbox`].
#[derive(Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Whom it was for.
    pub user: UserId,
    /// Where it went.
    pub to: ContactMethod,
    /// What it said.
    pub message: Message,
}

/// What a delivery said.
#[derive(Clone, PartialEq, Eq)]
pub enum Message {
    /// A one-time code: the demo outbox keeps the digits, as an inbox would.
    Code(String),
    /// A notice.
    Notice(Notice),
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let message = match &self.message {
            Message::Code(_) => "Code([REDACTED])".to_owned(),
            Message::Notice(n) => format!("{n:?}"),
        };
        f.debug_struct("Delivery")
            .field("user", &self.user)
            .field("to", &self.to)
            .field("message", &message)
            .finish()
    }
}

/// An in-memory sender that records every delivery: the inbox of tests and demos.
/// Clones share the deliveries.
#[derive(Debug, Default, Clone)]
pub struct Outbox {
    deliveries: Arc<Mutex<Vec<Delivery>>>,
    /// Woken at every delivery, for [`Outbox::wait_for_code_to`].
    delivered: Arc<Condvar>,
    failing: Arc<Mutex<bool>>,
}

impl Outbox {
    /// An empty outbox.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every delivery so far, oldest first.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.deliveries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The digits of the newest code delivered to `to`, as the person would read them.
    pub fn last_code_to(&self, to: &ContactMethod) -> Option<String> {
        let deliveries = self
            .deliveries
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        deliveries.iter().rev().find_map(|d| match &d.message {
            Message::Code(code) if &d.to == to => Some(code.clone()),
            _ => None,
        })
    }

    /// Waits up to `timeout` for a code to `to` (deliveries are handed off, so a code
    /// arrives a moment after the step that sent it), then gives the newest one, as
    /// [`Outbox::last_code_to`]. Blocks the thread: for tests and demos.
    pub fn wait_for_code_to(&self, to: &ContactMethod, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        let mut deliveries = self
            .deliveries
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        loop {
            let code = deliveries.iter().rev().find_map(|d| match &d.message {
                Message::Code(code) if &d.to == to => Some(code.clone()),
                _ => None,
            });
            let left = deadline.saturating_duration_since(Instant::now());
            if code.is_some() || left.is_zero() {
                return code;
            }
            deliveries = self
                .delivered
                .wait_timeout(deliveries, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Makes every later delivery fail (or succeed again): a delivery service outage.
    pub fn set_failing(&self, failing: bool) {
        *self.failing.lock().unwrap_or_else(PoisonError::into_inner) = failing;
    }

    fn push(&self, user: &UserId, to: &ContactMethod, message: Message) -> Result<(), SendError> {
        if *self.failing.lock().unwrap_or_else(PoisonError::into_inner) {
            return Err(SendError::unavailable("the outbox is set to fail"));
        }
        self.deliveries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Delivery {
                user: user.clone(),
                to: to.clone(),
                message,
            });
        self.delivered.notify_all();
        Ok(())
    }
}

impl CodeSender for Outbox {
    async fn send_code(
        &self,
        user: &UserId,
        to: &ContactMethod,
        code: &OneTimeCode,
    ) -> Result<(), SendError> {
        self.push(user, to, Message::Code(code.expose_secret().to_owned()))
    }

    async fn send_notice(
        &self,
        user: &UserId,
        to: &ContactMethod,
        notice: Notice,
    ) -> Result<(), SendError> {
        self.push(user, to, Message::Notice(notice))
    }
}
