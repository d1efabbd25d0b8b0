//! "Contact your administrator": from the "ask your admin" ending, a person asks the
//! admins of their organisation to reset their password.
//!
//! [`Sspr::contact_admins`] takes the user ID as typed and answers the same whether or
//! not the account exists: it counts the request against the user ID (at most
//! [`REQUESTS_PER_USER`] a day, refused beyond with [`ContactRefusal::TooMany`]) and
//! against the user ID's domain (at most [`REQUESTS_PER_DOMAIN`] an hour, beyond which
//! requests are dropped without a word, so that nobody floods an organisation's admins),
//! looks the account up once, and hands the telling to the service's
//! [`Dispatch`](crate::host::Dispatch), off the request, like a code: every admin of the
//! organisation who may reset the account ([`roles`]) gets
//! [`Notice::ResetRequested`] by email (or their first method). An unknown account hands
//! off a decoy that tells nobody.

use time::Duration;

use crate::contact::ContactKind;
use crate::directory::UserRecord;
use crate::dispatch::PendingDelivery;
use crate::error::Error;
use crate::event::{Actor, Detail};
use crate::limits::Counter;
use crate::message::{Arg, Message};
use crate::roles;
use crate::sender::Notice;
use crate::service::Sspr;
use crate::user_id::{UserId, UserIdError};

/// The most requests to the admins for one user ID in [`REQUEST_WINDOW_USER`].
pub const REQUESTS_PER_USER: u32 = 3;
/// The window of [`REQUESTS_PER_USER`]: a day.
pub const REQUEST_WINDOW_USER: Duration = Duration::hours(24);
/// The most requests to the admins for user IDs of one domain in
/// [`REQUEST_WINDOW_DOMAIN`].
pub const REQUESTS_PER_DOMAIN: u32 = 30;
/// The window of [`REQUESTS_PER_DOMAIN`]: an hour.
pub const REQUEST_WINDOW_DOMAIN: Duration = Duration::hours(1);

/// Why a request to the admins was refused. Nothing was sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContactRefusal {
    /// The user ID does not parse.
    #[error(transparent)]
    UserId(#[from] UserIdError),
    /// This user ID asked too often today.
    #[error("your admins were already asked several times today: wait for them")]
    TooMany,
    /// A host part failed; try again.
    #[error("the service is unavailable; try again")]
    Unavailable(#[source] Error),
}

impl Message for ContactRefusal {
    fn message_id(&self) -> &'static str {
        match self {
            ContactRefusal::UserId(e) => e.message_id(),
            ContactRefusal::TooMany => "contact-admins-too-many",
            ContactRefusal::Unavailable(e) => e.message_id(),
        }
    }

    fn message_args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            ContactRefusal::UserId(e) => e.message_args(),
            ContactRefusal::Unavailable(e) => e.message_args(),
            ContactRefusal::TooMany => Vec::new(),
        }
    }
}

/// The user ID the requests of a domain are counted under (never a real account's:
/// guillemets are no characters of a user principal name).
fn domain_counter(user: &UserId) -> Option<UserId> {
    let (_, domain) = user.as_str().rsplit_once('@')?;
    UserId::parse(&format!("«admin-requests»@{domain}")).ok()
}

impl Sspr {
    /// Asks the admins of the account `user_id` to reset its password. `Ok` means "if
    /// this account exists and an admin may reset it, its admins were told": the same
    /// answer, and the same work on the request, for every user ID.
    pub async fn contact_admins(&self, user_id: &str) -> Result<(), ContactRefusal> {
        let typed = UserId::parse(user_id)?;
        let now = self.now();
        let unavailable = |e: Error| ContactRefusal::Unavailable(e);
        let (user, record) = self
            .account_of(typed)
            .await
            .map_err(|e| unavailable(e.into()))?;
        let asked = self
            .counters
            .add(&user, Counter::AdminRequests, now, REQUEST_WINDOW_USER)
            .await
            .map_err(|e| unavailable(e.into()))?;
        if asked > REQUESTS_PER_USER {
            self.record_event(
                Actor::Person,
                None,
                Some(&user),
                None,
                Detail::AdminRequestDropped,
            );
            return Err(ContactRefusal::TooMany);
        }
        let domain_asked = match domain_counter(&user) {
            Some(domain) => self
                .counters
                .add(&domain, Counter::AdminRequests, now, REQUEST_WINDOW_DOMAIN)
                .await
                .map_err(|e| unavailable(e.into()))?,
            None => 0,
        };
        let flooded = domain_asked > REQUESTS_PER_DOMAIN;
        self.record_event(
            Actor::Person,
            None,
            Some(&user),
            None,
            if flooded {
                Detail::AdminRequestDropped
            } else {
                Detail::AdminRequested
            },
        );
        // Real or decoy, the request hands off one delivery.
        let account = record.filter(|_| !flooded);
        let _ = self
            .dispatch
            .dispatch(PendingDelivery::admin_request(self, user, account));
        Ok(())
    }

    /// Tells the admins who may reset `account` that its user asks for a reset (run by
    /// the dispatch, off the request). Failures are audit events.
    pub(crate) async fn tell_admins_of(&self, user: &UserId, account: &UserRecord) {
        let admins = match self.directory.tenant_admins(&account.tenant).await {
            Ok(admins) => admins,
            Err(_) => {
                self.record_event(
                    Actor::System,
                    None,
                    Some(user),
                    Some(&account.tenant),
                    Detail::NoticeFailed {
                        via: ContactKind::Email,
                    },
                );
                return;
            }
        };
        let helpers = admins.iter().filter(|admin| {
            admin.id != account.id
                && admin.tenant == account.tenant
                && roles::may_reset(&admin.roles, &account.roles)
        });
        for admin in helpers {
            let method = admin
                .methods
                .iter()
                .find(|m| m.kind() == ContactKind::Email)
                .or_else(|| admin.methods.first());
            let Some(method) = method else { continue };
            if self
                .sender
                .send_notice(&account.id, method, Notice::ResetRequested)
                .await
                .is_err()
            {
                self.record_event(
                    Actor::System,
                    None,
                    Some(user),
                    Some(&account.tenant),
                    Detail::NoticeFailed { via: method.kind() },
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_is_counted_under_an_id_no_account_has() {
        let user = UserId::parse("jan@contoso.nl").expect("valid");
        let domain = domain_counter(&user).expect("a domain counter");
        assert_eq!(domain.as_str(), "«admin-requests»@contoso.nl");
        assert_ne!(domain, user);
        assert!(domain_counter(&UserId::parse("no-domain").expect("valid")).is_none());
    }
}
