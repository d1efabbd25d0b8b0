//! Flow IDs arrive in URLs: any text is a typed error or an ID whose text form is the
//! input itself (the parser is strict: 32 characters 0-9a-f).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sspr::FlowId;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(id) = FlowId::parse(text) {
        assert_eq!(id.to_string(), text);
    }
});
