//! Handing code deliveries off the request path: a step that sends a code under the
//! conceal policy makes the code, keeps its digest and hands a [`PendingDelivery`] to the
//! host's [`Dispatch`], which runs it later (a background thread, a spawned task, a
//! queue). The request does not wait for the mail or SMS gateway, so its latency says
//! nothing about whether a code went out; an account that cannot reset hands off a decoy
//! of the same shape, which delivers nothing.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

use crate::code::OneTimeCode;
use crate::contact::ContactMethod;
use crate::directory::UserRecord;
use crate::event::{Actor, Detail};
use crate::flow::FlowId;
use crate::limits::Counter;
use crate::service::Sspr;
use crate::user_id::UserId;

/// A code delivery handed off by a step, to be run by a [`Dispatch`] with
/// [`PendingDelivery::deliver`]. It holds the code (wiped when dropped) and the service;
/// its `Debug` shows neither.
///
/// A failed delivery gives the send back to the user ID's limit (an outage must not
/// block the person) and records a `DeliveryFailed` event; the person asks for a resend.
pub struct PendingDelivery {
    sspr: Sspr,
    job: Job,
}

/// What a delivery does.
enum Job {
    /// A one-time code of a flow.
    Code {
        flow: FlowId,
        user: UserId,
        to: Option<ContactMethod>,
        code: OneTimeCode,
        /// False for a decoy: the same work on the request path, nothing delivered.
        deliver: bool,
    },
    /// "Contact your administrator": tell the admins who may reset the account (none
    /// for an account that does not exist, a decoy of the same shape).
    AdminRequest {
        user: UserId,
        account: Option<Box<UserRecord>>,
    },
}

impl fmt::Debug for PendingDelivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingDelivery").finish_non_exhaustive()
    }
}

impl PendingDelivery {
    pub(crate) fn new(
        sspr: &Sspr,
        flow: FlowId,
        user: UserId,
        to: Option<ContactMethod>,
        code: OneTimeCode,
        deliver: bool,
    ) -> Self {
        PendingDelivery {
            sspr: sspr.clone(),
            job: Job::Code {
                flow,
                user,
                to,
                code,
                deliver,
            },
        }
    }

    /// A request to the admins of `account` (`None`: a decoy, nothing is sent).
    pub(crate) fn admin_request(sspr: &Sspr, user: UserId, account: Option<UserRecord>) -> Self {
        PendingDelivery {
            sspr: sspr.clone(),
            job: Job::AdminRequest {
                user,
                account: account.map(Box::new),
            },
        }
    }

    /// Delivers: the code through the service's [`CodeSender`](crate::host::CodeSender)
    /// (a decoy delivers nothing), then wipes it; or a request to an account's admins.
    pub async fn deliver(self) {
        let PendingDelivery { sspr, job } = self;
        match job {
            Job::Code {
                flow,
                user,
                to,
                code,
                deliver,
            } => {
                let Some(to) = to.filter(|_| deliver) else {
                    return;
                };
                let delivered = sspr.sender.send_code(&user, &to, &code).await;
                drop(code);
                if delivered.is_err() {
                    // Failing to give the send back only makes the limit stricter.
                    let _ = sspr.counters.release(&user, Counter::CodeSends).await;
                    sspr.record_event(
                        Actor::System,
                        Some(flow),
                        Some(&user),
                        None,
                        Detail::DeliveryFailed { via: to.kind() },
                    );
                }
            }
            Job::AdminRequest { user, account } => {
                if let Some(account) = account {
                    sspr.tell_admins_of(&user, &account).await;
                }
            }
        }
    }
}

/// Why a [`Dispatch`] did not take a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DispatchError {
    /// The queue is full: the delivery was dropped (the person can ask for a resend).
    #[error("the delivery queue is full")]
    Full,
    /// Nothing runs deliveries any more (the worker stopped, or there is no runtime).
    #[error("no worker runs deliveries")]
    Stopped,
}

/// Where steps hand their code deliveries, so that no request waits for a delivery
/// service. An implementation starts [`PendingDelivery::deliver`] elsewhere (a thread, a
/// spawned task) or queues it, and returns at once; it must not await the delivery.
///
/// The default is a [`DeliveryThread`]; a tokio host passes `TokioSpawn` (feature
/// `tokio`), so that its sender runs on its runtime.
pub trait Dispatch: Send + Sync {
    /// Hands `delivery` off. An error drops it (the step shows nothing different: the
    /// person asks for a resend).
    fn dispatch(&self, delivery: PendingDelivery) -> Result<(), DispatchError>;
}

/// The default [`Dispatch`]: a bounded queue per service, drained by one background
/// thread every [`DeliveryThread::DEFAULT_INTERVAL`].
///
/// A step only puts its delivery in the queue: it wakes no thread, so that neither a
/// system call nor the delivery's own work lands on the request, and deliveries run at
/// times that say nothing about the requests that made them (a real one and a decoy
/// cost the request the same). The thread starts at the first delivery and ends once the
/// service is dropped and the queue is empty. Each delivery runs to its end on that
/// thread (its future is polled there, with no async runtime): right for senders that
/// need no runtime of their own (the in-memory [`Outbox`](crate::host::Outbox), a
/// blocking SMTP client, a queue insert). A sender that needs tokio runs under
/// `TokioSpawn` instead. A delivery that panics is dropped; the thread goes on.
pub struct DeliveryThread {
    capacity: usize,
    interval: Duration,
    queue: OnceLock<Arc<Queue>>,
}

/// Deliveries waiting for the thread.
struct Queue {
    waiting: Mutex<VecDeque<PendingDelivery>>,
}

impl fmt::Debug for DeliveryThread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeliveryThread")
            .field("capacity", &self.capacity)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

impl Default for DeliveryThread {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY, Self::DEFAULT_INTERVAL)
    }
}

impl DeliveryThread {
    /// How many deliveries wait at most before more are dropped.
    pub const DEFAULT_CAPACITY: usize = 4096;

    /// How often the thread takes what waits: a code arrives at most this much later.
    pub const DEFAULT_INTERVAL: Duration = Duration::from_millis(20);

    /// A thread whose queue holds at most `capacity` deliveries (at least 1), drained
    /// every `interval` (at least 1 ms).
    pub fn new(capacity: usize, interval: Duration) -> Self {
        DeliveryThread {
            capacity: capacity.max(1),
            interval: interval.max(Duration::from_millis(1)),
            queue: OnceLock::new(),
        }
    }

    /// A thread whose queue holds at most `capacity` deliveries (at least 1).
    pub fn with_capacity(capacity: usize) -> Self {
        Self::new(capacity, Self::DEFAULT_INTERVAL)
    }

    fn queue(&self) -> Result<&Arc<Queue>, DispatchError> {
        if let Some(queue) = self.queue.get() {
            return Ok(queue);
        }
        let queue = Arc::new(Queue {
            waiting: Mutex::new(VecDeque::with_capacity(self.capacity.min(256))),
        });
        let drained = Arc::downgrade(&queue);
        let interval = self.interval;
        thread::Builder::new()
            .name("sspr-delivery".into())
            .spawn(move || run_deliveries(&drained, interval))
            .map_err(|_| DispatchError::Stopped)?;
        // Two first deliveries at once may each start a thread: the one not kept finds
        // its queue gone at its first look, and ends.
        Ok(self.queue.get_or_init(|| queue))
    }
}

impl Dispatch for DeliveryThread {
    fn dispatch(&self, delivery: PendingDelivery) -> Result<(), DispatchError> {
        let queue = self.queue()?;
        let mut waiting = queue.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        if waiting.len() >= self.capacity {
            return Err(DispatchError::Full);
        }
        waiting.push_back(delivery);
        Ok(())
    }
}

/// Every `interval`, runs what waits in the queue, until the queue is gone. (A waiting
/// delivery holds the service, and so the queue: the queue goes once it is empty and the
/// service is dropped.)
fn run_deliveries(queue: &Weak<Queue>, interval: Duration) {
    loop {
        thread::sleep(interval);
        let Some(queue) = queue.upgrade() else { return };
        let batch =
            std::mem::take(&mut *queue.waiting.lock().unwrap_or_else(PoisonError::into_inner));
        drop(queue);
        for delivery in batch {
            let _ = catch_unwind(AssertUnwindSafe(|| block_on(delivery.deliver())));
        }
    }
}

/// Runs `future` to its end on this thread, parking it while the future waits.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut context = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        match future.as_mut().poll(&mut context) {
            Poll::Ready(output) => return output,
            Poll::Pending => thread::park(),
        }
    }
}

/// A [`Dispatch`] that spawns each delivery as a task on the current tokio runtime
/// (feature `tokio`); [`DispatchError::Stopped`] outside one.
#[cfg(feature = "tokio")]
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSpawn;

#[cfg(feature = "tokio")]
impl Dispatch for TokioSpawn {
    fn dispatch(&self, delivery: PendingDelivery) -> Result<(), DispatchError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| DispatchError::Stopped)?;
        runtime.spawn(delivery.deliver());
        Ok(())
    }
}

/// A [`Dispatch`] that delivers at once, before the step returns: tests and demos that
/// read the outbox right after a step. It puts the delivery back on the request path,
/// so a production host never uses it.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeliverAtOnce;

impl Dispatch for DeliverAtOnce {
    fn dispatch(&self, delivery: PendingDelivery) -> Result<(), DispatchError> {
        block_on(delivery.deliver());
        Ok(())
    }
}
