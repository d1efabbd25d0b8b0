//! A sealed registration comes back from a web page: whatever text arrives, opening it is
//! a typed refusal or a registration, never a panic; random text never opens (it would
//! need the key); and any address, of any kind, is judged without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sspr::host::{ContactMethod, Keys};
use sspr::registration::{PendingRegistration, address_is_valid};

fuzz_target!(|data: &[u8]| {
    let keys = Keys::from_secret([7; 32]);
    let text = String::from_utf8_lossy(data);
    assert!(
        PendingRegistration::open(&keys, &text).is_err(),
        "text made without the key never opens"
    );
    for method in [
        ContactMethod::email(text.to_string()),
        ContactMethod::sms(text.to_string()),
        ContactMethod::voice(text.to_string()),
    ] {
        let _ = address_is_valid(&method);
    }
});
