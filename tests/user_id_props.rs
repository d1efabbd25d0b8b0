//! One account, one ID: `UserId::parse` folds with NFKC_Casefold, so every spelling of an
//! ID that differs only in case, width or canonical form gives the same ID, and it refuses
//! what would let two IDs look alike but differ (default-ignorable code points, bidi
//! controls). Properties over generated input, and the look-alikes of the security review.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

use icu_normalizer::DecomposingNormalizerBorrowed;
use icu_properties::props::{BidiControl, CanonicalCombiningClass, DefaultIgnorableCodePoint};
use icu_properties::{CodePointMapData, CodePointSetData};
use proptest::prelude::*;
use sspr::{UserId, UserIdError};

const JAN: &str = "Jan.Jansen@contoso.nl";

fn is_ignorable(c: char) -> bool {
    CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
}

fn is_bidi_control(c: char) -> bool {
    CodePointSetData::new::<BidiControl>().contains(c)
}

fn is_combining(c: char) -> bool {
    CodePointMapData::<CanonicalCombiningClass>::new().get(c)
        != CanonicalCombiningClass::NotReordered
}

/// Characters that exercise the folding: ASCII of an ID, letters whose folding is not
/// their lower case, compatibility forms, combining marks, and what must be refused.
fn typed_char() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => proptest::char::range('a', 'z'),
        3 => proptest::char::range('A', 'Z'),
        2 => prop::sample::select(vec!['@', '.', '-', '_', '0', '7']),
        3 => prop::sample::select(vec![
            'ß', 'ẞ', 'Σ', 'σ', 'ς', 'İ', 'ı', 'ﬁ', 'ﬃ', 'Å', '\u{212B}', '\u{2126}',
            '\u{212A}', 'ｊ', 'Ｊ', '①', 'ǅ', 'ǆ', 'Ǆ', 'ᾳ', 'ᾼ', 'ŉ', 'ǰ', 'ΐ', 'ﬀ',
            '\u{301}', '\u{308}', '\u{345}', '\u{327}', 'é', 'É', 'ö', 'Ö', 'ꭰ', 'Ꭰ',
            'А', 'а', 'Ա', 'ա', '㎒', '™', 'ǈ', 'ﾊ', 'ﾟ', '가', '\u{1100}', '\u{1161}',
            '\u{A8}', '\u{A0}', ' ',
        ]),
        1 => prop::sample::select(vec![
            '\u{AD}', '\u{34F}', '\u{61C}', '\u{180E}', '\u{200B}', '\u{200C}',
            '\u{200D}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202E}', '\u{2060}',
            '\u{2066}', '\u{2069}', '\u{FE00}', '\u{FE0F}', '\u{FEFF}', '\u{E0001}',
            '\u{E0041}', '\u{E007F}', '\u{E0100}',
        ]),
        1 => any::<char>(),
    ]
}

fn typed() -> impl Strategy<Value = String> {
    prop::collection::vec(typed_char(), 0..40).prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Folding is idempotent: the ID's display form parses to the same ID.
    #[test]
    fn the_display_form_parses_to_the_same_id(input in typed()) {
        if let Ok(id) = UserId::parse(&input) {
            prop_assert_eq!(UserId::parse(id.as_str()), Ok(id.clone()));
            prop_assert_eq!(UserId::parse(&id.to_string()), Ok(id.clone()));
            prop_assert_eq!(id.as_str().parse::<UserId>(), Ok(id));
        }
    }

    /// No accepted ID holds a default-ignorable code point, a bidi control, a control
    /// character or white space; and any input that holds a default-ignorable code point
    /// or bidi control is refused.
    #[test]
    fn nothing_invisible_is_ever_accepted(input in typed()) {
        let hides = input.chars().any(|c| is_ignorable(c) || is_bidi_control(c));
        if let Ok(id) = UserId::parse(&input) {
            prop_assert!(!hides, "{:?} was accepted as {:?}", input, id);
            for c in id.as_str().chars() {
                prop_assert!(
                    !is_ignorable(c) && !is_bidi_control(c)
                        && !c.is_control() && !c.is_whitespace(),
                    "{:?} holds U+{:04X}", id, c as u32
                );
            }
        }
    }

    /// Case does not make another ID: the lower- and upper-case spellings of an ID (as the
    /// standard library maps them) are the same ID, unless upper-casing changes what the
    /// ID is made of. Dotless i becomes I (which folds to i). And U+0345 COMBINING GREEK
    /// YPOGEGRAMMENI (alone, or in `ᾳ`, `ῳ`, ...) upper-cases to a capital iota, a letter,
    /// so combining marks next to it move to another letter: `ᾴ` folds to `άι`, its upper
    /// case `ΑΊ` to `αί`, which Unicode's caseless matching also holds different.
    #[test]
    fn case_makes_no_other_id(input in typed()) {
        if let Ok(id) = UserId::parse(&input) {
            prop_assert_eq!(UserId::parse(&input.to_lowercase()), Ok(id.clone()));
            let decomposed = DecomposingNormalizerBorrowed::new_nfkd().normalize(&input);
            let moves_marks = decomposed.contains('\u{345}')
                && decomposed.chars().any(|c| c != '\u{345}' && is_combining(c));
            if !input.contains('ı') && !moves_marks {
                prop_assert_eq!(UserId::parse(&input.to_uppercase()), Ok(id));
            }
        }
    }

    /// Every default-ignorable code point, anywhere in an ID, is refused: as a bidi
    /// control if it is one, otherwise as invisible.
    #[test]
    fn any_ignorable_anywhere_is_refused(at in 0..=JAN.len(), pick in any::<prop::sample::Index>()) {
        let ignorables: Vec<char> = CodePointSetData::new::<DefaultIgnorableCodePoint>()
            .iter_ranges()
            .flat_map(|range| range.filter_map(char::from_u32))
            .collect();
        let c = ignorables[pick.index(ignorables.len())];
        let at = (0..=at).rev().find(|&i| JAN.is_char_boundary(i)).unwrap_or(0);
        let spoof = format!("{}{c}{}", &JAN[..at], &JAN[at..]);
        let expected = if is_bidi_control(c) {
            UserIdError::BidiControl
        } else {
            UserIdError::InvisibleCharacter
        };
        prop_assert_eq!(UserId::parse(&spoof), Err(expected), "U+{:04X}", c as u32);
    }
}

#[test]
fn every_default_ignorable_and_bidi_control_is_refused() {
    let set = CodePointSetData::new::<DefaultIgnorableCodePoint>();
    let mut refused = 0;
    for c in set
        .iter_ranges()
        .flat_map(|range| range.filter_map(char::from_u32))
    {
        let spoof = format!("jan.{c}jansen@contoso.nl");
        assert!(UserId::parse(&spoof).is_err(), "U+{:04X}", c as u32);
        refused += 1;
    }
    // U+00AD, U+034F, U+115F..U+1160, U+17B4..U+17B5, U+180B..U+180F, U+200B..U+200F,
    // U+202A..U+202E, U+2060..U+206F, U+3164, U+FE00..U+FE0F, U+FEFF, U+FFA0,
    // U+FFF0..U+FFF8, U+1BCA0..U+1BCA3, U+1D173..U+1D17A, U+E0000..U+E0FFF, ...
    assert!(refused > 4000, "{refused}");
    for c in [
        '\u{61C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}',
        '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
    ] {
        assert!(is_bidi_control(c), "U+{:04X}", c as u32);
        assert_eq!(
            UserId::parse(&format!("jan{c}@contoso.nl")),
            Err(UserIdError::BidiControl)
        );
    }
}

/// The look-alikes of the security review: each is refused, with its own reason, so an
/// audit log never shows two IDs that read the same.
#[test]
fn look_alikes_of_jan_are_refused() {
    let jan = UserId::parse(JAN).expect("valid");
    assert_eq!(jan.as_str(), "jan.jansen@contoso.nl");

    // A soft hyphen inside: invisible in most fonts.
    assert_eq!(
        UserId::parse("Jan.Jan\u{AD}sen@contoso.nl"),
        Err(UserIdError::InvisibleCharacter)
    );
    // A combining grapheme joiner, a zero-width space, joiner and non-joiner, a word
    // joiner, a byte order mark.
    for c in [
        '\u{34F}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}',
    ] {
        assert_eq!(
            UserId::parse(&format!("Jan.Jan{c}sen@contoso.nl")),
            Err(UserIdError::InvisibleCharacter),
            "U+{:04X}",
            c as u32
        );
    }
    // Bidi isolates around the ID, or around a part of it; overrides; marks.
    for (open, close) in [
        ('\u{2066}', '\u{2069}'),
        ('\u{2067}', '\u{2069}'),
        ('\u{2068}', '\u{2069}'),
        ('\u{202A}', '\u{202C}'),
        ('\u{202E}', '\u{202C}'),
        ('\u{200E}', '\u{200F}'),
    ] {
        for spoof in [
            format!("{open}{JAN}{close}"),
            format!("Jan.Jansen@{open}contoso.nl{close}"),
            format!("{open}{JAN}"),
            format!("{JAN}{close}"),
        ] {
            assert_eq!(
                UserId::parse(&spoof),
                Err(UserIdError::BidiControl),
                "{spoof:?}"
            );
        }
    }
    // A variation selector after a letter; a tag sequence after the ID.
    for c in ['\u{FE0E}', '\u{FE0F}', '\u{E0100}', '\u{E01EF}'] {
        assert_eq!(
            UserId::parse(&format!("Jan{c}.Jansen@contoso.nl")),
            Err(UserIdError::InvisibleCharacter),
            "U+{:04X}",
            c as u32
        );
    }
    assert_eq!(
        UserId::parse(&format!("{JAN}\u{E0061}\u{E0064}\u{E006D}\u{E007F}")),
        Err(UserIdError::InvisibleCharacter)
    );
}

/// What folds to the same ID (one account, whatever the spelling).
#[test]
fn spellings_of_one_id_fold_alike() {
    let same = |a: &str, b: &str| {
        assert_eq!(
            UserId::parse(a).expect("valid"),
            UserId::parse(b).expect("valid"),
            "{a:?} and {b:?}"
        );
    };
    same(JAN, "JAN.JANSEN@CONTOSO.NL");
    same(JAN, "ｊａｎ.ｊａｎｓｅｎ@ｃｏｎｔｏｓｏ.ｎｌ");
    same(JAN, "  jan.jansen@contoso.nl\t");
    same("ΣΑΣ@contoso.gr", "σας@contoso.gr");
    same("σας@contoso.gr", "σασ@contoso.gr");
    same("ΌΣΟΣ@contoso.gr", "όσος@contoso.gr");
    same("straße@contoso.de", "STRASSE@contoso.de");
    same("straße@contoso.de", "strasse@contoso.de");
    same("STRAẞE@contoso.de", "strasse@contoso.de");
    same("ﬁnance@contoso.nl", "FINANCE@contoso.nl");
    same("\u{C5}sa@contoso.se", "A\u{30A}SA@contoso.se");
    same("\u{212B}sa@contoso.se", "\u{E5}sa@contoso.se");
    same("Ǆ@x", "ǆ@x");
    same("ǅ@x", "dž@x");
    assert_eq!(
        UserId::parse("ΣΑΣ@contoso.gr").expect("valid").as_str(),
        "σασ@contoso.gr"
    );
    assert_eq!(
        UserId::parse("Straße@contoso.de").expect("valid").as_str(),
        "strasse@contoso.de"
    );
    // Different letters stay different IDs: Latin a and Cyrillic а are not folded into one
    // another (that is a confusable-script question, not case or width).
    assert_ne!(
        UserId::parse("jan@contoso.nl").expect("valid"),
        UserId::parse("j\u{430}n@contoso.nl").expect("valid")
    );
    // Dotless i is its own letter.
    assert_ne!(
        UserId::parse("irma@x").expect("valid"),
        UserId::parse("\u{131}rma@x").expect("valid")
    );
}

#[test]
fn a_megabyte_is_refused_as_too_long() {
    let too_long = Err(UserIdError::TooLong { max_bytes: 256 });
    assert_eq!(UserId::parse(&"a".repeat(1 << 20)), too_long);
    assert_eq!(UserId::parse(&"\u{FDFA}".repeat(1 << 18)), too_long);
    assert_eq!(UserId::parse(&"\u{AD}".repeat(1 << 19)), too_long);
}
