//! Matching a password against an organisation's banned terms and the user's own ID: both
//! sides folded the same way (lower case, look-alike digits and symbols as letters), then a
//! search for the term, or for a near miss of it, anywhere in the password.

use zeroize::Zeroizing;

/// Fewest characters a banned term may have (after folding).
pub const MIN_BANNED_TERM_CHARS: usize = 4;

/// Most characters a banned term may have (after folding).
pub const MAX_BANNED_TERM_CHARS: usize = 32;

/// Most terms a custom banned list may hold.
pub const MAX_BANNED_TERMS: usize = 1000;

/// Terms of at least this many characters also match with one character changed, added or
/// removed; shorter ones must appear whole. A near miss of a four-letter term would be any
/// three letters of it, which refuses far too many good passwords.
const FUZZY_FROM_CHARS: usize = 5;

/// What one character counts as when looking for terms: lower case, and the digits and
/// symbols people put in place of letters read as those letters. `l`, `1`, `!` and `|`
/// all read as `i`, so "1nfo", "lnfo" and "info" are the same.
fn fold_char(c: char) -> char {
    match c {
        '0' => 'o',
        '1' | '!' | '|' | 'l' => 'i',
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' | '+' => 't',
        '8' => 'b',
        '9' => 'g',
        other => other,
    }
}

/// Folds `text` for matching (see [`fold_char`]), after lower-casing it. The result holds
/// password characters, so it is wiped on drop; it is allocated once at its final size so
/// that no copy is left behind by growing.
pub(super) fn fold(text: &str) -> Zeroizing<Vec<char>> {
    let len = text.chars().map(|c| c.to_lowercase().len()).sum();
    let mut out = Zeroizing::new(Vec::with_capacity(len));
    for c in text.chars() {
        out.extend(c.to_lowercase().map(fold_char));
    }
    out
}

/// One banned term, folded, with how many edits still count as a match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct BannedTerm {
    chars: Vec<char>,
    max_edits: u32,
}

/// Why a term cannot be banned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TermProblem {
    /// Folded length outside the bounds.
    Length(usize),
    /// Holds a control character.
    ControlCharacter,
}

impl BannedTerm {
    /// Folds a term from the organisation's list (surrounding white space trimmed) and
    /// checks its length.
    pub(super) fn new(term: &str) -> Result<Self, TermProblem> {
        use unicode_normalization::UnicodeNormalization;

        let trimmed = term.trim();
        if trimmed.chars().any(char::is_control) {
            return Err(TermProblem::ControlCharacter);
        }
        // A bound before any work: a term this long can never fold to an allowed length.
        if trimmed.len() > MAX_BANNED_TERM_CHARS * 16 {
            return Err(TermProblem::Length(trimmed.chars().count()));
        }
        let normalized: String = trimmed.nfkc().collect();
        let chars = fold(&normalized).to_vec();
        if !(MIN_BANNED_TERM_CHARS..=MAX_BANNED_TERM_CHARS).contains(&chars.len()) {
            return Err(TermProblem::Length(chars.len()));
        }
        let max_edits = u32::from(chars.len() >= FUZZY_FROM_CHARS);
        Ok(BannedTerm { chars, max_edits })
    }

    /// Whether the folded password holds this term, or a near miss of it when the term is
    /// long enough.
    pub(super) fn found_in(&self, folded: &[char]) -> bool {
        within_edits(folded, &self.chars, self.max_edits)
    }
}

/// Whether `needle` occurs in `haystack` as it is (folded slices).
pub(super) fn contains(haystack: &[char], needle: &[char]) -> bool {
    !needle.is_empty()
        && needle.len() <= haystack.len()
        && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Whether some substring of `text` is at most `max_edits` insertions, deletions or
/// substitutions away from `pattern`: Myers' bit-parallel search (as formulated by Hyyrö),
/// one machine word per pattern, so the work is linear in the text for each pattern.
/// Patterns longer than 64 characters are never found (the rules allow 32 at most).
fn within_edits(text: &[char], pattern: &[char], max_edits: u32) -> bool {
    let m = pattern.len();
    if m == 0 || m > 64 {
        return false;
    }
    if m as u32 <= max_edits {
        // Deleting the whole pattern is within reach: the empty substring matches.
        return true;
    }
    let last = 1u64 << (m - 1);
    // Pv/Mv: where the column of distances goes up/down by one from row to row. At the
    // start the column is 0, 1, 2, ..., m: all ones.
    let mut pv = u64::MAX;
    let mut mv = 0u64;
    let mut score = m as u32;
    for &c in text {
        let eq = pattern
            .iter()
            .enumerate()
            .fold(0u64, |mask, (i, &p)| mask | (u64::from(p == c) << i));
        let xv = eq | mv;
        let xh = ((eq & pv).wrapping_add(pv) ^ pv) | eq;
        let mut ph = mv | !(xh | pv);
        let mut mh = pv & xh;
        if ph & last != 0 {
            score += 1;
        } else if mh & last != 0 {
            score = score.saturating_sub(1);
        }
        // A match may start anywhere in the text: the top row stays 0, so nothing is
        // shifted in.
        ph <<= 1;
        mh <<= 1;
        pv = mh | !(xv | ph);
        mv = ph & xv;
        if score <= max_edits {
            return true;
        }
    }
    false
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // a failed expectation is a failed test
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    /// The textbook dynamic programme: least edits from `pattern` to any substring.
    fn naive_best(text: &[char], pattern: &[char]) -> usize {
        let m = pattern.len();
        let mut col: Vec<usize> = (0..=m).collect();
        let mut best = col[m];
        for &c in text {
            let mut prev_diag = col[0];
            col[0] = 0;
            for i in 1..=m {
                let old = col[i];
                let sub = prev_diag + usize::from(pattern[i - 1] != c);
                col[i] = sub.min(old + 1).min(col[i - 1] + 1);
                prev_diag = old;
            }
            best = best.min(col[m]);
        }
        best
    }

    #[test]
    fn folding_reads_look_alikes_as_letters() {
        assert_eq!(fold("P@$$w0rd!").to_vec(), chars("passwordi"));
        assert_eq!(fold("C0NT0S0").to_vec(), chars("contoso"));
        assert_eq!(fold("1nfo").to_vec(), fold("Lnfo").to_vec());
        assert_eq!(fold("4c7+3").to_vec(), chars("actte"));
        assert_eq!(
            fold("İ").len(),
            2,
            "lower case may grow; the buffer is sized for it"
        );
    }

    #[test]
    fn terms_are_folded_trimmed_and_bounded() {
        let term = BannedTerm::new("  C0nt0so ").expect("valid term");
        assert_eq!(term.chars, chars("contoso"));
        assert_eq!(term.max_edits, 1);
        assert_eq!(BannedTerm::new("acme").expect("valid").max_edits, 0);
        assert_eq!(BannedTerm::new("ibm"), Err(TermProblem::Length(3)));
        assert_eq!(
            BannedTerm::new(&"x".repeat(33)),
            Err(TermProblem::Length(33))
        );
        assert!(matches!(
            BannedTerm::new(&"x".repeat(100_000)),
            Err(TermProblem::Length(_))
        ));
        assert_eq!(
            BannedTerm::new("ab\ncd"),
            Err(TermProblem::ControlCharacter)
        );
    }

    #[test]
    fn near_misses_of_long_terms_match_short_terms_only_whole() {
        let contoso = BannedTerm::new("contoso").expect("valid");
        for pw in [
            "mycontosopass",
            "xxcontsoxx",
            "xxcontossoxx",
            "xxkontosoxx",
            "c0nt0s0",
        ] {
            assert!(contoso.found_in(&fold(pw)), "{pw}");
        }
        for pw in ["xxcontxx", "xxkomtosoxx", "tosocon"] {
            assert!(!contoso.found_in(&fold(pw)), "{pw}");
        }
        let acme = BannedTerm::new("acme").expect("valid");
        assert!(acme.found_in(&fold("my-4CME-pass")));
        assert!(!acme.found_in(&fold("spacecraft lemon ridge")));
        assert!(!acme.found_in(&fold("acne")));
    }

    #[test]
    fn contains_is_plain_substring() {
        assert!(contains(&chars("abcdef"), &chars("cde")));
        assert!(!contains(&chars("abcdef"), &chars("ced")));
        assert!(!contains(&chars("ab"), &chars("abc")));
        assert!(!contains(&chars("ab"), &[]));
    }

    proptest! {
        #[test]
        fn bit_parallel_search_agrees_with_the_textbook(
            text in "[abc]{0,24}",
            pattern in "[abc]{1,12}",
            max_edits in 0u32..3,
        ) {
            let (text, pattern) = (chars(&text), chars(&pattern));
            let expected = naive_best(&text, &pattern) <= max_edits as usize;
            prop_assert_eq!(within_edits(&text, &pattern, max_edits), expected);
        }
    }
}
