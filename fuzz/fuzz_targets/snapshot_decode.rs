//! Stored flows come back from a store a host does not fully control: no bytes may panic
//! the decoder, and whatever decodes must encode and decode again to the same step.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sspr::flow::FlowId;
use sspr::snapshot::FlowSnapshot;

fuzz_target!(|data: &[u8]| {
    let flow = FlowId::from_bytes(
        data.get(1..17)
            .and_then(|b| b.try_into().ok())
            .unwrap_or([0; 16]),
    );
    let _ = sspr::snapshot::peek_flow(data);
    if let Ok(step) = FlowSnapshot::resume(data, flow) {
        let again = step.snapshot().expect("a decoded step encodes");
        let back = FlowSnapshot::resume(again.as_bytes(), flow).expect("and decodes");
        assert_eq!(back.name(), step.name());
        assert_eq!(back.deadline(), step.deadline());
    }
});
