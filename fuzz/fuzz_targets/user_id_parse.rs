//! User IDs are typed by anyone: any text is a typed error or an ID that is its own
//! folding (parsing its text gives it back), at most 256 bytes, with no default-ignorable
//! code point, bidi control, control character or white space in it. Input over 1024
//! bytes is refused as too long, whatever it holds.
#![no_main]

use icu_properties::CodePointSetData;
use icu_properties::props::{BidiControl, DefaultIgnorableCodePoint};
use libfuzzer_sys::fuzz_target;
use sspr::{MAX_TYPED_USER_ID_BYTES, MAX_USER_ID_BYTES, UserId, UserIdError};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = UserId::parse(text);
    if text.len() > MAX_TYPED_USER_ID_BYTES {
        assert_eq!(
            parsed,
            Err(UserIdError::TooLong {
                max_bytes: MAX_USER_ID_BYTES
            })
        );
    }
    let hides = text.chars().any(|c| {
        CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
            || CodePointSetData::new::<BidiControl>().contains(c)
    });
    if let Ok(id) = parsed {
        assert!(!hides, "{text:?} was accepted");
        assert!(id.as_str().len() <= MAX_USER_ID_BYTES);
        assert_eq!(UserId::parse(id.as_str()), Ok(id.clone()));
        for c in id.as_str().chars() {
            assert!(!CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c));
            assert!(!CodePointSetData::new::<BidiControl>().contains(c));
            assert!(!c.is_control() && !c.is_whitespace());
        }
    }
});
