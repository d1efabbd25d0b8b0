//! Contact methods registered for an account, and how they are shown: masked.

use std::fmt;

use crate::message::Message;

/// How a one-time code reaches a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactKind {
    /// An email address (usually an alternate address outside the organisation).
    Email,
    /// A text message to a mobile phone.
    Sms,
    /// A voice call that reads the code.
    Voice,
}

impl fmt::Display for ContactKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ContactKind::Email => "email",
            ContactKind::Sms => "text message",
            ContactKind::Voice => "voice call",
        })
    }
}

impl Message for ContactKind {
    fn message_id(&self) -> &'static str {
        match self {
            ContactKind::Email => "contact-email",
            ContactKind::Sms => "contact-sms",
            ContactKind::Voice => "contact-voice",
        }
    }
}

/// A registered contact method: its kind and address (email address or phone number).
///
/// The address is personal data: `Debug` masks it, and the wizard only ever shows
/// [`ContactMethod::masked`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ContactMethod {
    kind: ContactKind,
    address: String,
}

impl ContactMethod {
    /// An email address.
    pub fn email(address: impl Into<String>) -> Self {
        ContactMethod {
            kind: ContactKind::Email,
            address: address.into(),
        }
    }

    /// A mobile phone that receives text messages.
    pub fn sms(number: impl Into<String>) -> Self {
        ContactMethod {
            kind: ContactKind::Sms,
            address: number.into(),
        }
    }

    /// A phone that takes voice calls.
    pub fn voice(number: impl Into<String>) -> Self {
        ContactMethod {
            kind: ContactKind::Voice,
            address: number.into(),
        }
    }

    /// The kind.
    pub fn kind(&self) -> ContactKind {
        self.kind
    }

    /// The full address, for the code sender only.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// Whether two methods reach the same destination: same kind, and the same email
    /// address (ignoring case) or the same phone digits.
    pub fn same_destination(&self, other: &ContactMethod) -> bool {
        if self.kind != other.kind {
            return false;
        }
        match self.kind {
            ContactKind::Email => self
                .address
                .trim()
                .eq_ignore_ascii_case(other.address.trim()),
            ContactKind::Sms | ContactKind::Voice => {
                // "0031 6 …" is "+31 6 …": the international prefix is not a digit of
                // the number.
                let digits = |a: &str| {
                    let digits: String = a.chars().filter(char::is_ascii_digit).collect();
                    match digits.strip_prefix("00") {
                        Some(rest) => rest.to_owned(),
                        None => digits,
                    }
                };
                digits(&self.address) == digits(&other.address)
            }
        }
    }

    /// The methods with each destination once, in their order: two entries for one
    /// phone must not pass for two methods.
    pub fn distinct(methods: Vec<ContactMethod>) -> Vec<ContactMethod> {
        let mut kept: Vec<ContactMethod> = Vec::with_capacity(methods.len());
        for method in methods {
            if !kept.iter().any(|k| k.same_destination(&method)) {
                kept.push(method);
            }
        }
        kept
    }

    /// The address as a person may see it: `j•••@c•••.com`, `+31 •• ••• ••78`.
    pub fn masked(&self) -> MaskedContact {
        let text = match self.kind {
            ContactKind::Email => mask_email(&self.address),
            ContactKind::Sms | ContactKind::Voice => mask_phone(&self.address),
        };
        MaskedContact {
            kind: self.kind,
            text,
        }
    }
}

impl fmt::Debug for ContactMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContactMethod")
            .field("kind", &self.kind)
            .field("address", &self.masked().text)
            .finish()
    }
}

/// A contact method as shown to the person resetting: kind and masked address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MaskedContact {
    kind: ContactKind,
    text: String,
}

impl MaskedContact {
    /// The kind.
    pub fn kind(&self) -> ContactKind {
        self.kind
    }

    /// The masked address.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for MaskedContact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.text)
    }
}

const DOT: char = '•';

/// `jan.jansen@contoso.com` → `j•••@c•••.com`: the first character of the name and of the
/// domain, and the top-level domain.
fn mask_email(address: &str) -> String {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return first_then_dots(address);
    };
    let (host, tld) = domain.rsplit_once('.').unwrap_or((domain, ""));
    let mut out = first_then_dots(local);
    out.push('@');
    out.push_str(&first_then_dots(host));
    if !tld.is_empty() {
        out.push('.');
        out.extend(tld.chars().take(10));
    }
    out
}

fn first_then_dots(text: &str) -> String {
    let mut out: String = text.chars().take(1).collect();
    out.extend([DOT; 3]);
    out
}

/// `+31 6 12345678` → `+31 •• ••• ••78`: the country code and the last two digits.
fn mask_phone(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    let last_two: String = digits.iter().skip(digits.len().saturating_sub(2)).collect();
    let country: String = if number.trim_start().starts_with('+') {
        let len = if digits.len() > 10 { 2 } else { 1 };
        let code: String = digits.iter().take(len).collect();
        format!("+{code} ")
    } else {
        String::new()
    };
    format!("{country}{DOT}{DOT} {DOT}{DOT}{DOT} {DOT}{DOT}{last_two}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_keep_first_letters_and_tld() {
        let m = ContactMethod::email("jan.jansen@contoso.com").masked();
        assert_eq!(m.as_str(), "j•••@c•••.com");
        assert_eq!(m.to_string(), "email j•••@c•••.com");
        assert_eq!(ContactMethod::email("x").masked().as_str(), "x•••");
        assert_eq!(ContactMethod::email("").masked().as_str(), "•••");
        assert_eq!(ContactMethod::email("@").masked().as_str(), "•••@•••");
    }

    #[test]
    fn phones_keep_country_code_and_last_two_digits() {
        let m = ContactMethod::sms("+31 6 12345678").masked();
        assert_eq!(m.as_str(), "+31 •• ••• ••78");
        assert_eq!(
            ContactMethod::voice("0612345678").masked().as_str(),
            "•• ••• ••78"
        );
        assert_eq!(ContactMethod::sms("").masked().as_str(), "•• ••• ••");
    }

    #[test]
    fn duplicates_of_one_destination_count_once() {
        let methods = vec![
            ContactMethod::sms("+31 6 12345678"),
            ContactMethod::email("Jan@Contoso.nl"),
            ContactMethod::sms("+31612345678"),
            ContactMethod::sms("0031 6 1234 5678"),
            ContactMethod::email("jan@contoso.nl "),
            ContactMethod::voice("+31 6 12345678"),
        ];
        let kept = ContactMethod::distinct(methods);
        assert_eq!(kept.len(), 3);
        assert_eq!(kept[0].kind(), ContactKind::Sms);
        assert_eq!(kept[1].kind(), ContactKind::Email);
        assert_eq!(kept[2].kind(), ContactKind::Voice);
    }

    #[test]
    fn debug_does_not_show_the_address() {
        let debug = format!("{:?}", ContactMethod::email("jan.jansen@contoso.com"));
        assert!(!debug.contains("jansen"), "{debug}");
    }
}
