//! The host's parts behind one non-generic service: each host trait (which uses
//! `async fn`, so it is not object-safe) gets an object-safe twin here, implemented for
//! every implementation of the trait, so [`Sspr`](crate::Sspr) holds `Arc<dyn …>` and
//! has no type parameters. The cost is one boxed future per call to a host part, which
//! is small beside a directory lookup, a delivery or a hash.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use time::{Duration, OffsetDateTime};

use crate::code::OneTimeCode;
use crate::contact::ContactMethod;
use crate::directory::{Directory, DirectoryError, NewPasswordHash, PasswordState, UserRecord};
use crate::limits::{Counter, CounterError, Counters};
use crate::offload::{Offload, OffloadError};
use crate::sender::{CodeSender, Notice, SendError};
use crate::user_id::UserId;

/// A boxed future that may cross threads.
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// [`Directory`], object-safe.
pub(crate) trait DynDirectory: Send + Sync {
    fn find_user<'a>(
        &'a self,
        id: &'a UserId,
    ) -> BoxFuture<'a, Result<Option<UserRecord>, DirectoryError>>;
    fn password_state<'a>(
        &'a self,
        id: &'a UserId,
    ) -> BoxFuture<'a, Result<Option<PasswordState>, DirectoryError>>;
    fn set_password<'a>(
        &'a self,
        id: &'a UserId,
        password: NewPasswordHash,
    ) -> BoxFuture<'a, Result<(), DirectoryError>>;
    fn set_methods<'a>(
        &'a self,
        id: &'a UserId,
        expected: &'a [ContactMethod],
        methods: Vec<ContactMethod>,
        confirmed: OffsetDateTime,
    ) -> BoxFuture<'a, Result<bool, DirectoryError>>;
    fn tenant_admins<'a>(
        &'a self,
        tenant: &'a str,
    ) -> BoxFuture<'a, Result<Vec<UserRecord>, DirectoryError>>;
}

impl<T: Directory> DynDirectory for T {
    fn find_user<'a>(
        &'a self,
        id: &'a UserId,
    ) -> BoxFuture<'a, Result<Option<UserRecord>, DirectoryError>> {
        Box::pin(Directory::find_user(self, id))
    }

    fn password_state<'a>(
        &'a self,
        id: &'a UserId,
    ) -> BoxFuture<'a, Result<Option<PasswordState>, DirectoryError>> {
        Box::pin(Directory::password_state(self, id))
    }

    fn set_password<'a>(
        &'a self,
        id: &'a UserId,
        password: NewPasswordHash,
    ) -> BoxFuture<'a, Result<(), DirectoryError>> {
        Box::pin(Directory::set_password(self, id, password))
    }

    fn set_methods<'a>(
        &'a self,
        id: &'a UserId,
        expected: &'a [ContactMethod],
        methods: Vec<ContactMethod>,
        confirmed: OffsetDateTime,
    ) -> BoxFuture<'a, Result<bool, DirectoryError>> {
        Box::pin(Directory::set_methods(
            self, id, expected, methods, confirmed,
        ))
    }

    fn tenant_admins<'a>(
        &'a self,
        tenant: &'a str,
    ) -> BoxFuture<'a, Result<Vec<UserRecord>, DirectoryError>> {
        Box::pin(Directory::tenant_admins(self, tenant))
    }
}

/// [`CodeSender`], object-safe.
pub(crate) trait DynSender: Send + Sync {
    fn send_code<'a>(
        &'a self,
        user: &'a UserId,
        to: &'a ContactMethod,
        code: &'a OneTimeCode,
    ) -> BoxFuture<'a, Result<(), SendError>>;
    fn send_notice<'a>(
        &'a self,
        user: &'a UserId,
        to: &'a ContactMethod,
        notice: Notice,
    ) -> BoxFuture<'a, Result<(), SendError>>;
}

impl<T: CodeSender> DynSender for T {
    fn send_code<'a>(
        &'a self,
        user: &'a UserId,
        to: &'a ContactMethod,
        code: &'a OneTimeCode,
    ) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(CodeSender::send_code(self, user, to, code))
    }

    fn send_notice<'a>(
        &'a self,
        user: &'a UserId,
        to: &'a ContactMethod,
        notice: Notice,
    ) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(CodeSender::send_notice(self, user, to, notice))
    }
}

/// [`Counters`], object-safe.
pub(crate) trait DynCounters: Send + Sync {
    fn add<'a>(
        &'a self,
        user: &'a UserId,
        counter: Counter,
        now: OffsetDateTime,
        window: Duration,
    ) -> BoxFuture<'a, Result<u32, CounterError>>;
    fn release<'a>(
        &'a self,
        user: &'a UserId,
        counter: Counter,
    ) -> BoxFuture<'a, Result<(), CounterError>>;
    fn block<'a>(
        &'a self,
        user: &'a UserId,
        until: OffsetDateTime,
    ) -> BoxFuture<'a, Result<(), CounterError>>;
    fn blocked_until<'a>(
        &'a self,
        user: &'a UserId,
        now: OffsetDateTime,
    ) -> BoxFuture<'a, Result<Option<OffsetDateTime>, CounterError>>;
    fn clear<'a>(&'a self, user: &'a UserId) -> BoxFuture<'a, Result<(), CounterError>>;
    fn is_shared(&self) -> bool;
}

impl<T: Counters> DynCounters for T {
    fn add<'a>(
        &'a self,
        user: &'a UserId,
        counter: Counter,
        now: OffsetDateTime,
        window: Duration,
    ) -> BoxFuture<'a, Result<u32, CounterError>> {
        Box::pin(Counters::add(self, user, counter, now, window))
    }

    fn release<'a>(
        &'a self,
        user: &'a UserId,
        counter: Counter,
    ) -> BoxFuture<'a, Result<(), CounterError>> {
        Box::pin(Counters::release(self, user, counter))
    }

    fn block<'a>(
        &'a self,
        user: &'a UserId,
        until: OffsetDateTime,
    ) -> BoxFuture<'a, Result<(), CounterError>> {
        Box::pin(Counters::block(self, user, until))
    }

    fn blocked_until<'a>(
        &'a self,
        user: &'a UserId,
        now: OffsetDateTime,
    ) -> BoxFuture<'a, Result<Option<OffsetDateTime>, CounterError>> {
        Box::pin(Counters::blocked_until(self, user, now))
    }

    fn clear<'a>(&'a self, user: &'a UserId) -> BoxFuture<'a, Result<(), CounterError>> {
        Box::pin(Counters::clear(self, user))
    }

    fn is_shared(&self) -> bool {
        Counters::is_shared(self)
    }
}

/// A job for the offload pool, with its result left in a shared slot.
type Job = Box<dyn FnOnce() + Send + 'static>;

/// [`Offload`], object-safe: runs a job that returns nothing.
pub(crate) trait DynOffload: Send + Sync {
    fn run_job(&self, job: Job) -> BoxFuture<'_, Result<(), OffloadError>>;
}

impl<T: Offload> DynOffload for T {
    fn run_job(&self, job: Job) -> BoxFuture<'_, Result<(), OffloadError>> {
        Box::pin(Offload::run(self, job))
    }
}

/// Runs `job` on `offload` and returns its result.
pub(crate) async fn run_offloaded<T, F>(offload: &dyn DynOffload, job: F) -> Result<T, OffloadError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let slot = Arc::new(Mutex::new(None));
    let filled = Arc::clone(&slot);
    offload
        .run_job(Box::new(move || {
            let value = job();
            *filled.lock().unwrap_or_else(PoisonError::into_inner) = Some(value);
        }))
        .await?;
    let value = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
    value.ok_or_else(|| OffloadError::failed("the job did not finish"))
}
