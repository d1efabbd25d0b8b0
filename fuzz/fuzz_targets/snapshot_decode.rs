//! Stored flows come back from a store a host does not fully control: no bytes written to
//! the store may panic the decoder (through `Flows::resume` or `Flows::challenge`), and
//! whatever resumes must save and resume again to the same step.
#![no_main]

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use libfuzzer_sys::fuzz_target;
use sspr::host::{Clock, ManualClock};
use sspr::store::{FlowSnapshot, FlowStore, Flows, MemoryFlowStore};
use time::Duration;

/// The memory store never waits: every call is ready at the first poll.
fn ready<T>(future: impl Future<Output = T>) -> T {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("the memory store does not wait"),
    }
}

fuzz_target!(|data: &[u8]| {
    // The request names flow `flow`; the store files it under its store key, which the
    // fuzzer's bytes are made to carry, so that they reach the sealed decoder.
    let flow = sspr::FlowId::from_bytes([0x42; 16]);
    let mut data = data.to_vec();
    if let Some(key) = data.get_mut(2..18) {
        key.copy_from_slice(flow.store_key().as_bytes());
    }
    let Ok(snapshot) = FlowSnapshot::from_bytes(&data) else {
        return;
    };
    let id = flow.to_string();
    let clock = ManualClock::default();
    let now = clock.now();
    let store = MemoryFlowStore::new();
    let flows = Flows::new(store.clone(), sspr::host::Keys::from_secret([7; 32]))
        .expect("an in-memory store or real keys").with_clock(clock);
    if ready(store.save(snapshot, now + Duration::days(1), now)).is_err() {
        return;
    }
    let _ = ready(flows.challenge(&id));
    if let Ok(step) = ready(flows.resume(&id)) {
        let (name, deadline) = (step.name(), step.deadline());
        ready(flows.save(&step.into())).expect("a resumed step saves");
        let back = ready(flows.resume(&id)).expect("and resumes");
        assert_eq!(back.name(), name);
        assert_eq!(back.deadline(), deadline);
    }
});
