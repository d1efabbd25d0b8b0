//! Handing code deliveries off the request path: a step that sends a code under the
//! conceal policy makes the code, keeps its digest and hands a [`PendingDelivery`] to the
//! host's [`Dispatch`], which runs it later (a background thread, a spawned task, a
//! queue). The request does not wait for the mail or SMS gateway, so its latency says
//! nothing about whether a code went out; an account that cannot reset hands off a decoy
//! of the same shape, which delivers nothing.

use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

use crate::code::OneTimeCode;
use crate::contact::ContactMethod;
use crate::event::{Activity, Detail};
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
    flow: FlowId,
    user: UserId,
    /// `None` for a decoy: the same work on the request path, nothing delivered.
    to: Option<ContactMethod>,
    code: OneTimeCode,
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
    ) -> Self {
        PendingDelivery {
            sspr: sspr.clone(),
            flow,
            user,
            to,
            code,
        }
    }

    /// Delivers the code through the service's [`CodeSender`](crate::host::CodeSender)
    /// (a decoy delivers nothing), then wipes it.
    pub async fn deliver(self) {
        let PendingDelivery {
            sspr,
            flow,
            user,
            to,
            code,
        } = self;
        let Some(to) = to else { return };
        let delivered = sspr.sender.send_code(&user, &to, &code).await;
        drop(code);
        if delivered.is_err() {
            // Failing to give the send back only makes the limit stricter.
            let _ = sspr.counters.release(&user, Counter::CodeSends).await;
            sspr.record_event(
                Some(flow),
                Some(&user),
                Activity::FlowActivityProgress,
                Detail::DeliveryFailed { via: to.kind() },
            );
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

/// The default [`Dispatch`]: one background thread per service that runs deliveries in
/// order, from a bounded queue. It starts at the first delivery and stops when the
/// service is dropped. Each delivery runs to its end on that thread (its future is
/// polled there, with no async runtime): right for senders that need no runtime of their
/// own (the in-memory [`Outbox`](crate::host::Outbox), a blocking SMTP client, a queue
/// insert). A sender that needs tokio runs under `TokioSpawn` instead. A delivery that
/// panics is dropped; the thread goes on.
pub struct DeliveryThread {
    capacity: usize,
    queue: OnceLock<Mutex<SyncSender<PendingDelivery>>>,
}

impl fmt::Debug for DeliveryThread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeliveryThread")
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl Default for DeliveryThread {
    fn default() -> Self {
        Self::with_capacity(Self::DEFAULT_CAPACITY)
    }
}

impl DeliveryThread {
    /// How many deliveries wait at most before more are dropped.
    pub const DEFAULT_CAPACITY: usize = 4096;

    /// A thread whose queue holds at most `capacity` deliveries (at least 1).
    pub fn with_capacity(capacity: usize) -> Self {
        DeliveryThread {
            capacity: capacity.max(1),
            queue: OnceLock::new(),
        }
    }

    fn queue(&self) -> Result<&Mutex<SyncSender<PendingDelivery>>, DispatchError> {
        if let Some(queue) = self.queue.get() {
            return Ok(queue);
        }
        let (sender, receiver) = sync_channel(self.capacity);
        thread::Builder::new()
            .name("sspr-delivery".into())
            .spawn(move || run_deliveries(&receiver))
            .map_err(|_| DispatchError::Stopped)?;
        // Two first deliveries at once may each start a thread: the one not kept sees
        // its queue closed and ends.
        Ok(self.queue.get_or_init(|| Mutex::new(sender)))
    }
}

impl Dispatch for DeliveryThread {
    fn dispatch(&self, delivery: PendingDelivery) -> Result<(), DispatchError> {
        let queue = self.queue()?.lock().unwrap_or_else(PoisonError::into_inner);
        match queue.try_send(delivery) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => Err(DispatchError::Full),
            Err(TrySendError::Disconnected(_)) => Err(DispatchError::Stopped),
        }
    }
}

fn run_deliveries(queue: &Receiver<PendingDelivery>) {
    while let Ok(delivery) = queue.recv() {
        let _ = catch_unwind(AssertUnwindSafe(|| block_on(delivery.deliver())));
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
