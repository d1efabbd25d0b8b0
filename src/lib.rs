//! # sspr — self-service password reset
//!
//! A password reset wizard gated by an image or audio CAPTCHA, modelled as a typed state
//! machine that a host application drives one step at a time.
//!
//! ```
//! use sspr::challenge::{Challenge, ChallengeKind, ChallengeLength};
//!
//! let challenge = Challenge::new(ChallengeKind::Image, ChallengeLength::DEFAULT)?;
//! let picture = challenge.render()?;
//! assert_eq!(picture.content_type(), "image/png");
//! // The person types what they read; case, spaces and hyphens do not matter.
//! assert_eq!(challenge.check("not it")?, false);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod challenge;
