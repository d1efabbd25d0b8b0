//! Confirming a registration: the typed codes, then the directory, the audit and the
//! notices.

use time::Duration;
use zeroize::Zeroize;

use super::plan::{Plan, apply, methods_digest};
use super::{
    CODE_CHECKS_PER_DAY, PendingRegistration, Registered, RegistrationRefusal, RegistrationRefused,
    methods_needed,
};
use crate::code::{CodeDigest, MAX_CODE_DIGITS, parse_typed_code};
use crate::contact::ContactMethod;
use crate::error::Error;
use crate::event::{Actor, Detail};
use crate::limits::Counter;
use crate::sender::Notice;
use crate::service::Sspr;

impl PendingRegistration {
    /// Checks the codes typed for the new method and for the registered one (spaces and
    /// hyphens ignored; pass `""` for one that was not sent), and stores the change.
    pub async fn confirm(
        mut self,
        sspr: &Sspr,
        new_code: &str,
        current_code: &str,
    ) -> Result<Registered, RegistrationRefused> {
        let unavailable = |e: Error| RegistrationRefusal::Unavailable(e);
        let now = sspr.now();
        let user = self.user.clone();
        if now >= self.deadline {
            return Err(self.end(RegistrationRefusal::CodeExpired));
        }
        let digits = sspr.policy.code_digits;
        let typed = |code: &str, digest: &Option<CodeDigest>| match digest {
            None => Some(None),
            Some(_) => parse_typed_code(code, usize::from(digits)).map(Some),
        };
        let (Some(new_typed), Some(current_typed)) = (
            typed(new_code, &self.new_digest),
            typed(current_code, &self.current_digest),
        ) else {
            return Err(self.keep(RegistrationRefusal::CodeFormat { digits }));
        };
        match sspr.counters.blocked_until(&user, now).await {
            Ok(Some(until)) => return Err(self.end(RegistrationRefusal::Blocked { until })),
            Ok(None) => {}
            Err(e) => return Err(self.keep(unavailable(e.into()))),
        }
        // Every check counts, right or wrong, across registrations: a sealed registration
        // replayed with its attempts whole gets no more guesses.
        let checks = sspr
            .counters
            .add(&user, Counter::RegistrationChecks, now, Duration::days(1))
            .await;
        match checks {
            Ok(checks) if checks > CODE_CHECKS_PER_DAY => {
                sspr.record_event(
                    Actor::User,
                    None,
                    Some(&user),
                    None,
                    Detail::RegistrationThrottled,
                );
                return Err(self.end(RegistrationRefusal::TooManyChecks));
            }
            Ok(_) => {}
            Err(e) => return Err(self.keep(unavailable(e.into()))),
        }
        let right =
            |issue: u8, typed: Option<[u8; MAX_CODE_DIGITS]>, digest: &Option<CodeDigest>| {
                let (Some(mut typed), Some(digest)) = (typed, digest) else {
                    return true;
                };
                let right = std::iter::once(sspr.code_key.as_ref())
                    .chain(sspr.retired_code_keys.iter())
                    .map(|key| key.digest(&self.id, issue, &typed[..usize::from(digits)]))
                    .fold(false, |any, d| any | d.matches(digest));
                typed.zeroize();
                right
            };
        // Both are checked, always: the time does not tell which one was wrong.
        let new_right = right(0, new_typed, &self.new_digest);
        let current_right = right(1, current_typed, &self.current_digest);
        let tenant = None;
        if !(new_right && current_right) {
            self.attempts_left = self.attempts_left.saturating_sub(1);
            sspr.record_event(
                Actor::User,
                None,
                Some(&user),
                tenant,
                Detail::RegistrationCodeFailed {
                    attempts_left: self.attempts_left,
                },
            );
            if self.attempts_left == 0 {
                return Err(self.end(RegistrationRefusal::TooManyWrongCodes));
            }
            let attempts_left = self.attempts_left;
            return Err(self.keep(RegistrationRefusal::WrongCode { attempts_left }));
        }
        let record = match sspr.directory.find_user(&user).await {
            Ok(Some(record)) => record,
            Ok(None) => return Err(self.end(RegistrationRefusal::MethodsChanged)),
            Err(e) => return Err(self.keep(unavailable(e.into()))),
        };
        // The change applies to the methods it was planned on, or not at all: a method
        // removed since (the one the proof went to, say) or one added meanwhile ends it.
        if methods_digest(&record.methods) != self.methods_digest {
            return Err(self.end(RegistrationRefusal::MethodsChanged));
        }
        let before = ContactMethod::distinct(record.methods.clone());
        let Some((after, detail)) = apply(&before, &self.plan) else {
            return Err(self.end(RegistrationRefusal::MethodsChanged));
        };
        match sspr
            .directory
            .set_methods(&user, &record.methods, after.clone(), now)
            .await
        {
            Ok(true) => {}
            Ok(false) => return Err(self.end(RegistrationRefusal::MethodsChanged)),
            Err(e) => return Err(self.keep(unavailable(e.into()))),
        }
        let tenant = Some(record.tenant.as_str());
        sspr.record_event(Actor::User, None, Some(&user), tenant, detail);
        let need = usize::from(methods_needed(sspr, &record));
        if before.len() < need && after.len() >= need {
            sspr.record_event(
                Actor::User,
                None,
                Some(&user),
                tenant,
                Detail::RegisteredForSelfService,
            );
        }
        if !matches!(self.plan, Plan::Confirm { .. }) {
            let mut told = before.clone();
            told.extend(after.iter().cloned());
            for method in ContactMethod::distinct(told) {
                if sspr
                    .sender
                    .send_notice(&user, &method, Notice::MethodsChanged)
                    .await
                    .is_err()
                {
                    sspr.record_event(
                        Actor::System,
                        None,
                        Some(&user),
                        tenant,
                        Detail::NoticeFailed { via: method.kind() },
                    );
                }
            }
        }
        Ok(Registered {
            user,
            methods: after.iter().map(ContactMethod::masked).collect(),
            confirmed: now,
        })
    }

    fn keep(self, reason: RegistrationRefusal) -> RegistrationRefused {
        RegistrationRefused {
            reason,
            pending: Some(self),
        }
    }

    fn end(self, reason: RegistrationRefusal) -> RegistrationRefused {
        RegistrationRefused {
            reason,
            pending: None,
        }
    }
}
