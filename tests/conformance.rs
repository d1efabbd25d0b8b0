//! The crate's in-memory host parts pass the shared conformance suites.

use sspr::conformance;
use sspr::event::{EventRecorder, NoEvents, TracingEvents};
use sspr::host::InMemoryDirectory;
use sspr::host::MemoryCounters;
use sspr::host::Outbox;
use sspr::host::{Clock, ManualClock, SystemClock};

#[tokio::test]
async fn in_memory_directory() {
    conformance::directory(&InMemoryDirectory::new(), |d, record| d.insert(record)).await;
}

#[tokio::test]
async fn outbox() {
    let outbox = Outbox::new();
    conformance::code_sender(&outbox).await;
    assert_eq!(outbox.deliveries().len(), 6);
}

#[tokio::test]
async fn memory_counters() {
    conformance::counters(&MemoryCounters::new(), ManualClock::default().now()).await;
}

#[test]
fn clocks() {
    conformance::clock(&SystemClock);
    conformance::clock(&ManualClock::default());
}

#[test]
fn event_sinks() {
    let now = ManualClock::default().now();
    let recorder = EventRecorder::new();
    conformance::event_sink(&recorder, now);
    assert_eq!(recorder.events().len(), 27);
    conformance::event_sink(&NoEvents, now);
    conformance::event_sink(&TracingEvents, now);
}

#[tokio::test]
async fn in_memory_support_desk() {
    let desk = sspr::support::InMemorySupportDesk::new();
    conformance::support_desk(&desk, ManualClock::default().now()).await;
    assert_eq!(desk.tickets().len(), 2);
}
