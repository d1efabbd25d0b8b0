//! When the organisation's global admin has left: a support request, with the
//! requester's identity and company details, asking for a new global admin.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use time::OffsetDateTime;

use crate::event::{Actor, Detail};
use crate::message::{Arg, Message};
use crate::service::Sspr;

/// The longest text of any one field, in characters.
pub const MAX_FIELD_CHARS: usize = 200;

/// The longest free-text explanation, in characters.
pub const MAX_DETAILS_CHARS: usize = 2000;

/// A request for a new global admin. Personal data: `Debug` shows the company and the
/// organisation only.
#[derive(Clone, PartialEq, Eq)]
pub struct SupportRequest {
    requester_name: String,
    requester_email: String,
    requester_phone: String,
    company_name: String,
    tenant: String,
    details: String,
}

/// A field of the support request form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SupportField {
    /// The requester's name.
    Name,
    /// Where support reaches the requester by email.
    EmailAddress,
    /// Where support reaches the requester by phone.
    PhoneNumber,
    /// The company.
    CompanyName,
    /// The organisation (tenant) that needs a new global admin.
    OrganisationDomain,
    /// The requester's explanation.
    Explanation,
}

impl fmt::Display for SupportField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SupportField::Name => "name",
            SupportField::EmailAddress => "email address",
            SupportField::PhoneNumber => "phone number",
            SupportField::CompanyName => "company name",
            SupportField::OrganisationDomain => "organisation domain",
            SupportField::Explanation => "explanation",
        })
    }
}

impl Message for SupportField {
    fn message_id(&self) -> &'static str {
        match self {
            SupportField::Name => "support-field-name",
            SupportField::EmailAddress => "support-field-email-address",
            SupportField::PhoneNumber => "support-field-phone-number",
            SupportField::CompanyName => "support-field-company-name",
            SupportField::OrganisationDomain => "support-field-organisation-domain",
            SupportField::Explanation => "support-field-explanation",
        }
    }
}

/// Why a support request was refused: a field to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SupportRequestError {
    /// A required field is empty.
    #[error("fill in the {0}")]
    Missing(SupportField),
    /// A field is longer than allowed.
    #[error("the {field} has at most {max} characters")]
    TooLong {
        /// The field.
        field: SupportField,
        /// The most characters allowed.
        max: usize,
    },
    /// A field holds control characters (other than line breaks in the details), or
    /// characters that hide or reorder text (bidi controls, zero-width characters).
    #[error("the {0} contains characters that cannot be typed")]
    ControlCharacter(SupportField),
    /// The email address has no `@`.
    #[error("enter an email address where support can reach you")]
    Email,
}

impl Message for SupportRequestError {
    fn message_id(&self) -> &'static str {
        match self {
            SupportRequestError::Missing(_) => "support-request-missing",
            SupportRequestError::TooLong { .. } => "support-request-too-long",
            SupportRequestError::ControlCharacter(_) => "support-request-control-character",
            SupportRequestError::Email => "support-request-email",
        }
    }

    /// `field` (a [`SupportField`]'s message) for every variant but
    /// [`SupportRequestError::Email`]; `max` for [`SupportRequestError::TooLong`].
    fn message_args(&self) -> Vec<(&'static str, Arg)> {
        match *self {
            SupportRequestError::Missing(field) | SupportRequestError::ControlCharacter(field) => {
                vec![("field", Arg::Message(field.message_id()))]
            }
            SupportRequestError::TooLong { field, max } => vec![
                ("field", Arg::Message(field.message_id())),
                ("max", max.into()),
            ],
            SupportRequestError::Email => Vec::new(),
        }
    }
}

fn field(
    name: SupportField,
    value: &str,
    max: usize,
    allow_newlines: bool,
) -> Result<String, SupportRequestError> {
    if value.len() > max * 4 || value.chars().nth(max).is_some() {
        return Err(SupportRequestError::TooLong { field: name, max });
    }
    let value = value.trim();
    if value.is_empty() {
        return Err(SupportRequestError::Missing(name));
    }
    let typed_line_break = |c: char| allow_newlines && (c == '\n' || c == '\r' || c == '\t');
    if value.chars().any(|c| {
        (c.is_control() && !typed_line_break(c)) || crate::user_id::is_hidden_or_reordering(c)
    }) {
        return Err(SupportRequestError::ControlCharacter(name));
    }
    Ok(value.to_owned())
}

impl SupportRequest {
    /// A request, with every field checked: all required, bounded, no control characters.
    pub fn new(
        requester_name: &str,
        requester_email: &str,
        requester_phone: &str,
        company_name: &str,
        tenant: &str,
        details: &str,
    ) -> Result<Self, SupportRequestError> {
        let requester_email = field(
            SupportField::EmailAddress,
            requester_email,
            MAX_FIELD_CHARS,
            false,
        )?;
        if !requester_email.contains('@') {
            return Err(SupportRequestError::Email);
        }
        Ok(SupportRequest {
            requester_name: field(SupportField::Name, requester_name, MAX_FIELD_CHARS, false)?,
            requester_email,
            requester_phone: field(
                SupportField::PhoneNumber,
                requester_phone,
                MAX_FIELD_CHARS,
                false,
            )?,
            company_name: field(
                SupportField::CompanyName,
                company_name,
                MAX_FIELD_CHARS,
                false,
            )?,
            tenant: field(
                SupportField::OrganisationDomain,
                tenant,
                MAX_FIELD_CHARS,
                false,
            )?,
            details: field(SupportField::Explanation, details, MAX_DETAILS_CHARS, true)?,
        })
    }

    /// The requester's name.
    pub fn requester_name(&self) -> &str {
        &self.requester_name
    }
    /// Where support reaches the requester by email.
    pub fn requester_email(&self) -> &str {
        &self.requester_email
    }
    /// Where support reaches the requester by phone.
    pub fn requester_phone(&self) -> &str {
        &self.requester_phone
    }
    /// The company.
    pub fn company_name(&self) -> &str {
        &self.company_name
    }
    /// The organisation (tenant) that needs a new global admin.
    pub fn tenant(&self) -> &str {
        &self.tenant
    }
    /// The requester's explanation.
    pub fn details(&self) -> &str {
        &self.details
    }
}

impl fmt::Debug for SupportRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SupportRequest")
            .field("company_name", &self.company_name)
            .field("tenant", &self.tenant)
            .finish_non_exhaustive()
    }
}

/// The reference of a support ticket, to give the requester.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TicketReference(pub String);

impl fmt::Display for TicketReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A failure of the support desk.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SupportError {
    /// The desk could not be reached; try again. Made with [`SupportError::unavailable`].
    #[error("the support desk is unavailable; try again")]
    Unavailable {
        /// What went wrong, for the host's logs. Must not hold the request's personal
        /// data.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl SupportError {
    /// The desk could not be reached, because of `source` (an error, or a text):
    /// `Err(SupportError::unavailable(e))`.
    pub fn unavailable(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        SupportError::Unavailable {
            source: source.into(),
        }
    }
}

impl Message for SupportError {
    fn message_id(&self) -> &'static str {
        match self {
            SupportError::Unavailable { .. } => "support-desk-unavailable",
        }
    }
}

/// The host's support desk (a ticketing system).
pub trait SupportDesk: Send + Sync {
    /// Files a request for a new global admin; returns the ticket's reference.
    fn request_new_global_admin(
        &self,
        request: SupportRequest,
        at: OffsetDateTime,
    ) -> impl Future<Output = Result<TicketReference, SupportError>> + Send;
}

impl Sspr {
    /// Files `request` for a new global admin with the host's `desk`, and records the
    /// audit event "Request a new global administrator (support)": the ticket's
    /// reference, none of the requester's personal data or claims. A desk
    /// that fails is an event too, and the error comes back (nothing was filed: the
    /// person may try again).
    ///
    /// The request names no account and needs none, so it tells nobody whether an
    /// account exists; a host bounds how often one client files requests (the web host
    /// rate-limits the form).
    pub async fn request_new_global_admin(
        &self,
        desk: &impl SupportDesk,
        request: SupportRequest,
    ) -> Result<TicketReference, SupportError> {
        let filed = desk.request_new_global_admin(request, self.now()).await;
        let detail = match &filed {
            Ok(ticket) => Detail::SupportRequestFiled {
                ticket: ticket.clone(),
            },
            Err(_) => Detail::SupportRequestFailed,
        };
        // The organisation the requester names is unchecked text: it stays with the
        // desk, out of the audit trail's tenant (which a sink may route by).
        self.record_event(Actor::Person, None, None, None, detail);
        filed
    }
}

/// An in-memory support desk for tests and demos: keeps every request, numbers tickets
/// `SR-000001`, `SR-000002`, ... Clones share the requests.
#[derive(Debug, Default, Clone)]
pub struct InMemorySupportDesk {
    tickets: Arc<Mutex<Vec<(TicketReference, OffsetDateTime, SupportRequest)>>>,
}

impl InMemorySupportDesk {
    /// An empty desk.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every ticket so far, oldest first.
    pub fn tickets(&self) -> Vec<(TicketReference, OffsetDateTime, SupportRequest)> {
        self.tickets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl SupportDesk for InMemorySupportDesk {
    async fn request_new_global_admin(
        &self,
        request: SupportRequest,
        at: OffsetDateTime,
    ) -> Result<TicketReference, SupportError> {
        let mut tickets = self.tickets.lock().unwrap_or_else(PoisonError::into_inner);
        let reference = TicketReference(format!("SR-{:06}", tickets.len() + 1));
        tickets.push((reference.clone(), at, request));
        Ok(reference)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(details: &str) -> Result<SupportRequest, SupportRequestError> {
        SupportRequest::new(
            "Jan Jansen",
            "jan@thuis.example",
            "+31 6 12345678",
            "Contoso BV",
            "contoso.nl",
            details,
        )
    }

    #[test]
    fn fields_are_required_bounded_and_typeable() {
        assert!(request("Our global admin left in May.\nPlease help.").is_ok());
        assert_eq!(
            request("  ").map(|_| ()),
            Err(SupportRequestError::Missing(SupportField::Explanation))
        );
        assert_eq!(
            request(&"x".repeat(MAX_DETAILS_CHARS + 1)).map(|_| ()),
            Err(SupportRequestError::TooLong {
                field: SupportField::Explanation,
                max: MAX_DETAILS_CHARS
            })
        );
        assert_eq!(
            request("bell \u{7}").map(|_| ()),
            Err(SupportRequestError::ControlCharacter(
                SupportField::Explanation
            ))
        );
        let no_at = SupportRequest::new("J", "jan", "1", "C", "c.nl", "d");
        assert_eq!(no_at.map(|_| ()), Err(SupportRequestError::Email));
    }

    #[test]
    fn text_that_hides_or_reorders_itself_is_refused() {
        // A right-to-left override, a zero-width space and a zero-width joiner: what the
        // support agent reads would differ from what was stored.
        for sneaky in ["Contoso \u{202E}VB", "Con\u{200B}toso", "Contoso\u{200D}"] {
            let refused = SupportRequest::new("J", "j@x.nl", "1", sneaky, "c.nl", "d");
            assert_eq!(
                refused.map(|_| ()),
                Err(SupportRequestError::ControlCharacter(
                    SupportField::CompanyName
                )),
                "{sneaky:?}"
            );
        }
        // Letters of any script are fine.
        assert!(SupportRequest::new("Zoë Ünal", "z@x.nl", "1", "Ärzte GmbH", "c.de", "d").is_ok());
    }

    #[test]
    fn a_megabyte_in_any_field_is_too_long() {
        let megabyte = "x".repeat(1 << 20);
        let fields = [
            (SupportField::Name, MAX_FIELD_CHARS),
            (SupportField::EmailAddress, MAX_FIELD_CHARS),
            (SupportField::PhoneNumber, MAX_FIELD_CHARS),
            (SupportField::CompanyName, MAX_FIELD_CHARS),
            (SupportField::OrganisationDomain, MAX_FIELD_CHARS),
            (SupportField::Explanation, MAX_DETAILS_CHARS),
        ];
        for (index, (field, max)) in fields.into_iter().enumerate() {
            let mut values = [
                "Jan Jansen",
                "jan@thuis.example",
                "+31 6 12345678",
                "Contoso BV",
                "contoso.nl",
                "Our global admin left.",
            ];
            values[index] = &megabyte;
            let [name, email, phone, company, tenant, details] = values;
            assert_eq!(
                SupportRequest::new(name, email, phone, company, tenant, details).map(|_| ()),
                Err(SupportRequestError::TooLong { field, max })
            );
        }
        // White space around counts: the size is checked before the trim.
        let padded = format!("Jan{}", " ".repeat(MAX_FIELD_CHARS * 4));
        assert_eq!(
            SupportRequest::new(&padded, "j@x", "1", "C", "c.nl", "d").map(|_| ()),
            Err(SupportRequestError::TooLong {
                field: SupportField::Name,
                max: MAX_FIELD_CHARS
            })
        );
    }

    #[test]
    fn refusals_name_the_field_as_data() {
        let missing = request("  ").map(|_| ()).expect_err("refused");
        assert_eq!(missing.message_id(), "support-request-missing");
        assert_eq!(
            missing.message_args(),
            [("field", Arg::Message("support-field-explanation"))]
        );
        assert_eq!(missing.to_string(), "fill in the explanation");
    }

    #[test]
    fn debug_leaves_out_personal_data() {
        let debug = format!("{:?}", request("details").expect("valid"));
        assert!(!debug.contains("thuis"), "{debug}");
        assert!(!debug.contains("12345678"), "{debug}");
    }
}
