//! The wizard's security settings, with the defaults of the design and bounds that keep
//! them safe. A value outside its bounds is refused when the policy is built, never later.

use std::fmt;

use time::Duration;

use crate::challenge::{ChallengeError, ChallengeKind, ChallengeLength, Difficulty, ImageSize};
use crate::password::{HashParams, PasswordRules};

/// The wizard's settings. Build one with [`Policy::builder`]; [`Policy::default`] gives the
/// design's defaults.
#[derive(Debug, Clone)]
pub struct Policy {
    pub(crate) challenge_kind: ChallengeKind,
    pub(crate) challenge_length: ChallengeLength,
    pub(crate) image_size: ImageSize,
    pub(crate) difficulty: Difficulty,
    pub(crate) challenge_lifetime: Duration,
    pub(crate) challenge_attempts: u8,
    pub(crate) new_challenges: u8,
    pub(crate) code_digits: u8,
    pub(crate) code_lifetime: Duration,
    pub(crate) code_attempts: u8,
    pub(crate) code_resends: u8,
    pub(crate) user_code_sends: u32,
    pub(crate) user_failed_verifications: u32,
    pub(crate) user_window: Duration,
    pub(crate) user_block: Duration,
    pub(crate) flow_lifetime: Duration,
    pub(crate) methods_required: u8,
    pub(crate) conceal: bool,
    pub(crate) password_rules: PasswordRules,
    pub(crate) hash_params: HashParams,
    pub(crate) temporary_password_lifetime: Duration,
    pub(crate) notify_admins: bool,
    pub(crate) reset_link_lifetime: Duration,
    pub(crate) self_service_for: SelfServiceFor,
    pub(crate) reconfirm_methods_after: u16,
}

/// Whom self-service password reset is on for, as the identity provider's admin sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SelfServiceFor {
    /// Nobody: every account asks its admin.
    Nobody,
    /// The accounts the directory selects (its groups): [`UserRecord::self_service_reset`](crate::host::UserRecord)
    /// says, account by account. The default.
    #[default]
    Selected,
    /// Every account of the organisation.
    Everyone,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            challenge_kind: ChallengeKind::Image,
            challenge_length: ChallengeLength::DEFAULT,
            image_size: ImageSize::DEFAULT,
            difficulty: Difficulty::Standard,
            challenge_lifetime: Duration::minutes(5),
            challenge_attempts: 5,
            new_challenges: 10,
            code_digits: 6,
            code_lifetime: Duration::minutes(10),
            code_attempts: 5,
            code_resends: 3,
            user_code_sends: 5,
            user_failed_verifications: 5,
            user_window: Duration::hours(1),
            user_block: Duration::hours(24),
            flow_lifetime: Duration::minutes(15),
            methods_required: 1,
            conceal: true,
            password_rules: PasswordRules::default(),
            hash_params: HashParams::default(),
            temporary_password_lifetime: Duration::hours(24),
            notify_admins: false,
            reset_link_lifetime: Duration::hours(24),
            self_service_for: SelfServiceFor::Selected,
            reconfirm_methods_after: 180,
        }
    }
}

/// A setting of the [`Policy`] that has bounds, named like its [`PolicyBuilder`] method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Setting {
    /// [`PolicyBuilder::challenge_lifetime`].
    ChallengeLifetime,
    /// [`PolicyBuilder::challenge_attempts`].
    ChallengeAttempts,
    /// [`PolicyBuilder::new_challenges`].
    NewChallenges,
    /// [`PolicyBuilder::code_digits`].
    CodeDigits,
    /// [`PolicyBuilder::code_lifetime`].
    CodeLifetime,
    /// [`PolicyBuilder::code_attempts`].
    CodeAttempts,
    /// [`PolicyBuilder::code_resends`].
    CodeResends,
    /// [`PolicyBuilder::user_code_sends`].
    UserCodeSends,
    /// [`PolicyBuilder::user_failed_verifications`].
    UserFailedVerifications,
    /// [`PolicyBuilder::user_window`].
    UserWindow,
    /// [`PolicyBuilder::user_block`].
    UserBlock,
    /// [`PolicyBuilder::flow_lifetime`].
    FlowLifetime,
    /// [`PolicyBuilder::methods_required`].
    MethodsRequired,
    /// [`PolicyBuilder::temporary_password_lifetime`].
    TemporaryPasswordLifetime,
    /// [`PolicyBuilder::reset_link_lifetime`].
    ResetLinkLifetime,
    /// [`PolicyBuilder::reconfirm_methods_after`].
    ReconfirmMethodsAfter,
}

impl fmt::Display for Setting {
    /// The name of the builder method, e.g. `challenge_attempts`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Setting::ChallengeLifetime => "challenge_lifetime",
            Setting::ChallengeAttempts => "challenge_attempts",
            Setting::NewChallenges => "new_challenges",
            Setting::CodeDigits => "code_digits",
            Setting::CodeLifetime => "code_lifetime",
            Setting::CodeAttempts => "code_attempts",
            Setting::CodeResends => "code_resends",
            Setting::UserCodeSends => "user_code_sends",
            Setting::UserFailedVerifications => "user_failed_verifications",
            Setting::UserWindow => "user_window",
            Setting::UserBlock => "user_block",
            Setting::FlowLifetime => "flow_lifetime",
            Setting::MethodsRequired => "methods_required",
            Setting::TemporaryPasswordLifetime => "temporary_password_lifetime",
            Setting::ResetLinkLifetime => "reset_link_lifetime",
            Setting::ReconfirmMethodsAfter => "reconfirm_methods_after",
        })
    }
}

/// A setting outside its safe bounds, or a part that did not validate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// A number outside its bounds.
    #[error("{setting} must be within {min}..={max}, not {value}")]
    OutOfRange {
        /// The setting.
        setting: Setting,
        /// The value given.
        value: i64,
        /// The smallest allowed.
        min: i64,
        /// The largest allowed.
        max: i64,
    },
    /// A duration outside its bounds (in seconds).
    #[error("{setting} must be within {min_seconds}..={max_seconds} seconds, not {seconds}")]
    DurationOutOfRange {
        /// The setting.
        setting: Setting,
        /// The duration given, in seconds.
        seconds: i64,
        /// The shortest allowed.
        min_seconds: i64,
        /// The longest allowed.
        max_seconds: i64,
    },
    /// A challenge setting (length, picture size) outside its bounds.
    #[error(transparent)]
    Challenge(#[from] ChallengeError),
}

/// Builds a [`Policy`], checking every value once, in [`PolicyBuilder::build`].
#[derive(Debug)]
#[must_use]
pub struct PolicyBuilder {
    policy: Policy,
    challenge_length: usize,
    image_size: (u32, u32),
    errors: Vec<PolicyError>,
}

impl Policy {
    /// The longest a one-time code may be set to live ([`PolicyBuilder::code_lifetime`]):
    /// 10 minutes, the most OWASP ASVS 5.0 (6.5.5) allows an out-of-band code.
    pub const MAX_CODE_LIFETIME: Duration = Duration::minutes(10);
    /// The longest challenge lifetime a policy allows.
    pub(crate) const MAX_CHALLENGE_LIFETIME: Duration = Duration::minutes(30);
    /// The longest flow lifetime a policy allows.
    pub(crate) const MAX_FLOW_LIFETIME: Duration = Duration::minutes(60);
    /// The most wrong answers per flow a policy allows.
    pub(crate) const MAX_CHALLENGE_ATTEMPTS: u8 = 10;
    /// The most new or switched challenges per flow a policy allows.
    pub(crate) const MAX_NEW_CHALLENGES: u8 = 20;
    /// The most wrong codes per flow a policy allows.
    pub(crate) const MAX_CODE_ATTEMPTS: u8 = 10;
    /// The most resends per verification a policy allows.
    pub(crate) const MAX_CODE_RESENDS: u8 = 5;

    /// A builder starting from the defaults.
    pub fn builder() -> PolicyBuilder {
        let policy = Policy::default();
        PolicyBuilder {
            challenge_length: policy.challenge_length.get(),
            image_size: (policy.image_size.width(), policy.image_size.height()),
            policy,
            errors: Vec::new(),
        }
    }

    /// Picture or audio for the first challenge of a flow (default: picture).
    pub fn challenge_kind(&self) -> ChallengeKind {
        self.challenge_kind
    }
    /// Characters per challenge (default 6).
    pub fn challenge_length(&self) -> ChallengeLength {
        self.challenge_length
    }
    /// Size of challenge pictures (default 220×120).
    pub fn image_size(&self) -> ImageSize {
        self.image_size
    }
    /// How hard challenge pictures are for machines (default [`Difficulty::Standard`]).
    pub fn difficulty(&self) -> Difficulty {
        self.difficulty
    }
    /// How long a challenge can be answered (default 5 min).
    pub fn challenge_lifetime(&self) -> Duration {
        self.challenge_lifetime
    }
    /// Wrong answers allowed per flow before it locks (default 5).
    pub fn challenge_attempts(&self) -> u8 {
        self.challenge_attempts
    }
    /// New or switched challenges a person may ask for per flow (default 10).
    pub fn new_challenges(&self) -> u8 {
        self.new_challenges
    }
    /// Digits per one-time code (default 6).
    pub fn code_digits(&self) -> u8 {
        self.code_digits
    }
    /// How long a code can be used (default 10 min).
    pub fn code_lifetime(&self) -> Duration {
        self.code_lifetime
    }
    /// Wrong codes allowed per flow before it locks (default 5).
    pub fn code_attempts(&self) -> u8 {
        self.code_attempts
    }
    /// Resends allowed per verification (default 3).
    pub fn code_resends(&self) -> u8 {
        self.code_resends
    }
    /// Codes sent to one user ID per window, across flows (default 5).
    pub fn user_code_sends(&self) -> u32 {
        self.user_code_sends
    }
    /// Wrong codes for one user ID per window, across flows (default 5).
    pub fn user_failed_verifications(&self) -> u32 {
        self.user_failed_verifications
    }
    /// The window of the per-user-ID counters (default 1 h).
    pub fn user_window(&self) -> Duration {
        self.user_window
    }
    /// How long a user ID stays blocked after passing a limit (default 24 h).
    pub fn user_block(&self) -> Duration {
        self.user_block
    }
    /// The whole flow's lifetime (default 15 min).
    pub fn flow_lifetime(&self) -> Duration {
        self.flow_lifetime
    }
    /// Verification methods needed (1 or 2; accounts with an admin role always need 2).
    pub fn methods_required(&self) -> u8 {
        self.methods_required
    }
    /// Whether every solved challenge leads to "if this account can reset, a code was
    /// sent", hiding which accounts exist (default on).
    pub fn conceal(&self) -> bool {
        self.conceal
    }
    /// The new-password rules.
    pub fn password_rules(&self) -> &PasswordRules {
        &self.password_rules
    }
    /// The Argon2id parameters.
    pub fn hash_params(&self) -> &HashParams {
        &self.hash_params
    }
    /// How long an admin's temporary password works (default 24 h).
    pub fn temporary_password_lifetime(&self) -> Duration {
        self.temporary_password_lifetime
    }
    /// Whom self-service reset is on for (default: the accounts the directory selects).
    pub fn self_service_for(&self) -> SelfServiceFor {
        self.self_service_for
    }
    /// How long an admin's reset link works (default 24 h).
    pub fn reset_link_lifetime(&self) -> Duration {
        self.reset_link_lifetime
    }
    /// Whether the global admins of the organisation are told when another admin's
    /// password is reset (default off, as the identity provider has it).
    pub fn notify_admins(&self) -> bool {
        self.notify_admins
    }
    /// After how many days account holders are asked to confirm their methods again
    /// (0: never; default 180, as the identity provider has it).
    pub fn reconfirm_methods_after(&self) -> u16 {
        self.reconfirm_methods_after
    }
}

macro_rules! count_setter {
    ($(#[$doc:meta])* $name:ident = $setting:ident: $ty:ty, $min:expr, $max:expr) => {
        $(#[$doc])*
        pub fn $name(mut self, value: $ty) -> Self {
            if (i64::from(value)) < $min || i64::from(value) > $max {
                self.errors.push(PolicyError::OutOfRange {
                    setting: Setting::$setting,
                    value: i64::from(value),
                    min: $min,
                    max: $max,
                });
            } else {
                self.policy.$name = value;
            }
            self
        }
    };
}

macro_rules! duration_setter {
    ($(#[$doc:meta])* $name:ident = $setting:ident, $min:expr, $max:expr) => {
        $(#[$doc])*
        pub fn $name(mut self, value: Duration) -> Self {
            let (min, max): (Duration, Duration) = ($min, $max);
            if value < min || value > max {
                self.errors.push(PolicyError::DurationOutOfRange {
                    setting: Setting::$setting,
                    seconds: value.whole_seconds(),
                    min_seconds: min.whole_seconds(),
                    max_seconds: max.whole_seconds(),
                });
            } else {
                self.policy.$name = value;
            }
            self
        }
    };
}

impl PolicyBuilder {
    /// Picture or audio for the first challenge of a flow.
    pub fn challenge_kind(mut self, kind: ChallengeKind) -> Self {
        self.policy.challenge_kind = kind;
        self
    }

    /// Characters per challenge: 4..=10.
    pub fn challenge_length(mut self, length: usize) -> Self {
        self.challenge_length = length;
        self
    }

    /// Size of challenge pictures, within [`ImageSize`]'s bounds.
    pub fn image_size(mut self, width: u32, height: u32) -> Self {
        self.image_size = (width, height);
        self
    }

    /// How hard challenge pictures are for machines: [`Difficulty::Standard`] (the
    /// default) or [`Difficulty::Strong`] for flows under attack.
    pub fn difficulty(mut self, difficulty: Difficulty) -> Self {
        self.policy.difficulty = difficulty;
        self
    }

    duration_setter!(
        /// How long a challenge can be answered: 30 s..=30 min.
        challenge_lifetime = ChallengeLifetime, Duration::seconds(30), Policy::MAX_CHALLENGE_LIFETIME
    );
    count_setter!(
        /// Wrong answers per flow before it locks: 1..=10.
        challenge_attempts = ChallengeAttempts: u8, 1, Policy::MAX_CHALLENGE_ATTEMPTS as i64
    );
    count_setter!(
        /// New or switched challenges per flow: 1..=20.
        new_challenges = NewChallenges: u8, 1, Policy::MAX_NEW_CHALLENGES as i64
    );
    count_setter!(
        /// Digits per one-time code: 6..=10.
        code_digits = CodeDigits: u8, 6, 10
    );
    duration_setter!(
        /// How long a code can be used: 1..=10 min (OWASP ASVS 5.0, 6.5.5: an
        /// out-of-band code lives at most 10 minutes).
        code_lifetime = CodeLifetime, Duration::minutes(1), Policy::MAX_CODE_LIFETIME
    );
    count_setter!(
        /// Wrong codes per flow before it locks: 1..=10.
        code_attempts = CodeAttempts: u8, 1, Policy::MAX_CODE_ATTEMPTS as i64
    );
    count_setter!(
        /// Resends per verification: 0..=5.
        code_resends = CodeResends: u8, 0, Policy::MAX_CODE_RESENDS as i64
    );
    count_setter!(
        /// Codes sent to one user ID per window, across flows: 1..=20.
        user_code_sends = UserCodeSends: u32, 1, 20
    );
    count_setter!(
        /// Wrong codes for one user ID per window, across flows: 1..=20.
        user_failed_verifications = UserFailedVerifications: u32, 1, 20
    );
    duration_setter!(
        /// The window of the per-user-ID counters: 1 min..=24 h.
        user_window = UserWindow, Duration::minutes(1), Duration::hours(24)
    );
    duration_setter!(
        /// How long a user ID stays blocked: 1 min..=30 days.
        user_block = UserBlock, Duration::minutes(1), Duration::days(30)
    );
    duration_setter!(
        /// The whole flow's lifetime: 1..=60 min.
        flow_lifetime = FlowLifetime, Duration::minutes(1), Policy::MAX_FLOW_LIFETIME
    );
    count_setter!(
        /// Verification methods needed: 1 or 2 (admins always need 2).
        methods_required = MethodsRequired: u8, 1, 2
    );
    duration_setter!(
        /// How long an admin's temporary password works: 1 h..=30 days.
        temporary_password_lifetime = TemporaryPasswordLifetime, Duration::hours(1), Duration::days(30)
    );
    count_setter!(
        /// "Number of days before users are asked to re-confirm their authentication
        /// information": 0 (never)..=730, default 180, the identity provider's bounds.
        /// [`Sspr::registration_status`](crate::Sspr::registration_status) tells a host at
        /// sign-in when an account's methods are due.
        reconfirm_methods_after = ReconfirmMethodsAfter: u16, 0, 730
    );
    duration_setter!(
        /// How long an admin's reset link works: 10 min..=7 days (default 24 h).
        reset_link_lifetime = ResetLinkLifetime, Duration::minutes(10), Duration::days(7)
    );

    /// Whether to hide which accounts exist (the default: `true`).
    ///
    /// Concealed, every solved challenge leads to a Verify step ("if this account can
    /// reset, a code was sent"): the code goes to the account's first method, an
    /// account that cannot reset (unknown, disabled, not enabled, blocked) gets a step
    /// that accepts no code, and both do the same work, with the delivery handed off
    /// (see [`Dispatch`](crate::host::Dispatch)) so that no request waits for it.
    ///
    /// `conceal(false)` is an opt-in trade-off: the person chooses a masked method, and
    /// an account that cannot reset ends at "ask your admin" at once, which is clearer
    /// for the people the wizard serves, but tells anyone who solves one challenge
    /// whether a user ID exists and may reset (and the delivery runs on the request
    /// path, so its latency shows too). Choose it only where user IDs are not secret
    /// (e.g. they are published e-mail addresses) or the CAPTCHA and the per-user limits
    /// are enough.
    pub fn conceal(mut self, conceal: bool) -> Self {
        self.policy.conceal = conceal;
        self
    }

    /// Whom self-service reset is on for: nobody, the accounts the directory selects
    /// (the default, its per-account flag), or everyone. The number of methods to prove
    /// is [`Self::methods_required`]; admins always prove two.
    pub fn self_service_for(mut self, who: SelfServiceFor) -> Self {
        self.policy.self_service_for = who;
        self
    }

    /// "Notify all admins when other admins reset their passwords": after an admin's
    /// password is reset (by themselves, or by another admin), every other global admin
    /// of the organisation gets [`Notice::AdminPasswordChanged`](crate::host::Notice) by
    /// email, as the identity provider sends it. Needs a directory that lists them
    /// (`Directory::tenant_admins`).
    pub fn notify_admins(mut self, notify: bool) -> Self {
        self.policy.notify_admins = notify;
        self
    }

    /// The new-password rules (validated when they were built).
    pub fn password_rules(mut self, rules: PasswordRules) -> Self {
        self.policy.password_rules = rules;
        self
    }

    /// The Argon2id parameters (validated when they were built).
    pub fn hash_params(mut self, params: HashParams) -> Self {
        self.policy.hash_params = params;
        self
    }

    /// The policy, or the first setting that is out of bounds.
    pub fn build(mut self) -> Result<Policy, PolicyError> {
        if let Some(error) = self.errors.drain(..).next() {
            return Err(error);
        }
        self.policy.challenge_length = ChallengeLength::new(self.challenge_length)?;
        self.policy.image_size = ImageSize::new(self.image_size.0, self.image_size.1)?;
        Ok(self.policy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_designs() {
        let p = Policy::builder().build().expect("defaults are valid");
        assert_eq!(p.challenge_length().get(), 6);
        assert_eq!(p.challenge_lifetime(), Duration::minutes(5));
        assert_eq!(p.challenge_attempts(), 5);
        assert_eq!(p.code_digits(), 6);
        assert_eq!(p.code_lifetime(), Duration::minutes(10));
        assert_eq!(p.code_attempts(), 5);
        assert_eq!(p.user_code_sends(), 5);
        assert_eq!(p.user_failed_verifications(), 5);
        assert_eq!(p.user_block(), Duration::hours(24));
        assert_eq!(p.flow_lifetime(), Duration::minutes(15));
        assert!(p.conceal());
        assert_eq!(p.reconfirm_methods_after(), 180);
    }

    #[test]
    fn unsafe_values_are_refused_at_build_time() {
        let bad = [
            Policy::builder().challenge_length(2).build(),
            Policy::builder().challenge_lifetime(Duration::ZERO).build(),
            Policy::builder().challenge_attempts(0).build(),
            Policy::builder().code_attempts(200).build(),
            Policy::builder().user_code_sends(1000).build(),
            Policy::builder().code_digits(4).build(),
            Policy::builder().flow_lifetime(Duration::hours(5)).build(),
            Policy::builder().methods_required(3).build(),
            Policy::builder().image_size(10, 10).build(),
            Policy::builder().reconfirm_methods_after(731).build(),
        ];
        // The provider's bounds: 0 (never) to 730 days.
        for days in [0, 1, 730] {
            let policy = Policy::builder().reconfirm_methods_after(days).build();
            assert_eq!(policy.map(|p| p.reconfirm_methods_after()).ok(), Some(days));
        }
        for result in bad {
            assert!(result.is_err(), "{result:?}");
        }
        let error = Policy::builder()
            .challenge_attempts(0)
            .build()
            .expect_err("refused");
        assert!(matches!(
            error,
            PolicyError::OutOfRange {
                setting: Setting::ChallengeAttempts,
                value: 0,
                min: 1,
                max: 10
            }
        ));
        assert_eq!(
            error.to_string(),
            "challenge_attempts must be within 1..=10, not 0"
        );
        // OWASP ASVS 5.0, 6.5.5: an out-of-band code lives at most 10 minutes.
        assert!(
            Policy::builder()
                .code_lifetime(Duration::minutes(10))
                .build()
                .is_ok()
        );
        let error = Policy::builder()
            .code_lifetime(Duration::minutes(10) + Duration::SECOND)
            .build()
            .expect_err("refused");
        assert!(matches!(
            error,
            PolicyError::DurationOutOfRange {
                setting: Setting::CodeLifetime,
                seconds: 601,
                min_seconds: 60,
                max_seconds: 600
            }
        ));
        assert_eq!(
            error.to_string(),
            "code_lifetime must be within 60..=600 seconds, not 601"
        );
        assert!(
            Policy::builder()
                .code_lifetime(Duration::minutes(30))
                .build()
                .is_err()
        );
        let error = Policy::builder()
            .user_window(Duration::ZERO)
            .build()
            .expect_err("refused");
        assert!(matches!(
            error,
            PolicyError::DurationOutOfRange {
                setting: Setting::UserWindow,
                ..
            }
        ));
    }
}
