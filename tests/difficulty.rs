//! The policy's difficulty picks the picture a flow shows: `Sspr::render` draws the
//! challenge at the policy's size and difficulty, Standard by default, and the presets
//! draw different pictures of the same challenge.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

use sspr::challenge::{Difficulty, ImageSize};
use sspr::policy::Policy;
use sspr::testing::{Harness, policy};

#[test]
fn the_default_policy_draws_standard_pictures() {
    assert_eq!(Policy::default().difficulty(), Difficulty::Standard);
    assert_eq!(Difficulty::default(), Difficulty::Standard);
    let h = Harness::default_policy();
    let identify = h.identify();
    let shown = h.sspr.render(identify.step().challenge()).expect("renders");
    let standard = identify
        .step()
        .challenge()
        .render_with(ImageSize::DEFAULT, Difficulty::Standard)
        .expect("renders");
    assert_eq!(shown, standard);
}

#[test]
fn a_strong_policy_draws_strong_pictures_of_the_same_challenge() {
    let h = Harness::new(policy(Policy::builder().difficulty(Difficulty::Strong)));
    let identify = h.identify();
    let challenge = identify.step().challenge();
    let shown = h.sspr.render(identify.step().challenge()).expect("renders");
    let strong = challenge
        .render_with(ImageSize::DEFAULT, Difficulty::Strong)
        .expect("renders");
    let standard = challenge
        .render_with(ImageSize::DEFAULT, Difficulty::Standard)
        .expect("renders");
    assert_eq!(shown, strong);
    assert_ne!(strong, standard);
    // Deterministic per difficulty: rendering again gives the same bytes.
    let again = challenge
        .render_with(ImageSize::DEFAULT, Difficulty::Strong)
        .expect("renders");
    assert_eq!(strong, again);
}
