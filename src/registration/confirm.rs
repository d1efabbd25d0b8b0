//! Confirming a registration: the typed code of each round (a method the account has,
//! then the new one), then the directory, the audit and the notices.

use time::Duration;
use zeroize::Zeroize;

use super::plan::{Plan, apply, methods_digest};
use super::{
    Awaiting, CODE_CHECKS_PER_DAY, Confirmed, Issue, PendingRegistration, Registered,
    RegistrationRefusal, RegistrationRefused, methods_needed,
};
use crate::code::parse_typed_code;
use crate::contact::ContactMethod;
use crate::error::Error;
use crate::event::{Actor, Detail};
use crate::limits::Counter;
use crate::sender::Notice;
use crate::service::Sspr;

impl PendingRegistration {
    /// Checks the code typed for the method it waits for ([`code_for`](Self::code_for);
    /// spaces and hyphens ignored). The right code of a method the account has proves the
    /// holder: then the new method, if the change has one, gets its code
    /// ([`Confirmed::NewCodeSent`]). The last right code stores the change
    /// ([`Confirmed::Registered`]).
    pub async fn confirm(
        mut self,
        sspr: &Sspr,
        code: &str,
    ) -> Result<Confirmed, RegistrationRefused> {
        let unavailable = |e: Error| RegistrationRefusal::Unavailable(e);
        let now = sspr.now();
        let user = self.user.clone();
        if now >= self.deadline {
            return Err(self.end(RegistrationRefusal::CodeExpired));
        }
        let digits = sspr.policy.code_digits;
        let Some(mut typed) = parse_typed_code(code, usize::from(digits)) else {
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
        let issue = self.awaiting.issue as u8;
        let right = std::iter::once(sspr.code_key.as_ref())
            .chain(sspr.retired_code_keys.iter())
            .map(|key| key.digest(&self.id, issue, &typed[..usize::from(digits)]))
            .fold(false, |any, d| any | d.matches(&self.awaiting.digest));
        typed.zeroize();
        if !right {
            self.attempts_left = self.attempts_left.saturating_sub(1);
            sspr.record_event(
                Actor::User,
                None,
                Some(&user),
                None,
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
        // The holder is proved: now the new method's code, with its own lifetime and
        // attempts. A send refused (too many, not delivered) keeps this round: the same
        // code may be typed again.
        if self.awaiting.issue == Issue::Current
            && let Some(new) = self.plan.new_method()
        {
            let digest = match sspr
                .registration_code(&self.id, &user, Issue::New, &new)
                .await
            {
                Ok(digest) => digest,
                Err(reason) => return Err(self.keep(reason)),
            };
            self.awaiting = Awaiting {
                issue: Issue::New,
                to: new,
                digest,
            };
            self.issued = now;
            self.deadline = now + sspr.policy.code_lifetime;
            self.attempts_left = sspr.policy.code_attempts;
            return Ok(Confirmed::NewCodeSent(self));
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
        Ok(Confirmed::Registered(Registered {
            user,
            methods: after.iter().map(ContactMethod::masked).collect(),
            confirmed: now,
        }))
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
