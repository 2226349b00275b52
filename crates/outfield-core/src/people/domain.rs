//! People: the values a person record may hold, and the rules of roles and reporting lines.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::text::clean_line;
use crate::validated_text;

validated_text!(
    /// A person's display name (1–120 characters, no control characters).
    PersonName,
    |raw| clean_line(raw, 120),
    schema = crate::text::line_schema(120)
);

validated_text!(
    /// An e-mail address, checked against RFC 5321/5322 syntax and stored lower-case.
    Email,
    |raw| {
        let value = raw.trim().to_lowercase();
        if value.len() > 254 {
            return Err("must be at most 254 characters".into());
        }
        match email_address::EmailAddress::parse_with_options(
            &value,
            email_address::Options::default().without_display_text(),
        ) {
            Ok(_) if value.contains('.') => Ok(value),
            _ => Err("is not a valid e-mail address".into()),
        }
    },
    schema = crate::text::string_schema()
        .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
            utoipa::openapi::schema::KnownFormat::Email,
        )))
        .max_length(Some(254))
);

validated_text!(
    /// A phone number (mobile or landline) in E.164 form; numbers without a country code are read as
    /// Indian (+91).
    PhoneNumber,
    |raw| {
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > 32 {
            return Err("is not a valid phone number".into());
        }
        let number = phonenumber::parse(Some(phonenumber::country::Id::IN), raw)
            .map_err(|_| "is not a valid phone number".to_string())?;
        if !phonenumber::is_valid(&number) {
            return Err("is not a valid phone number".into());
        }
        Ok(number.format().mode(phonenumber::Mode::E164).to_string())
    },
    schema = crate::text::string_schema()
        .format(Some(utoipa::openapi::schema::SchemaFormat::Custom("phone".into())))
        .max_length(Some(32))
);

/// What [`ConsolePath`] accepts: `/console`, a path under it or a query on it, in visible ASCII without `\\`
/// and without an empty segment.
const CONSOLE_PATH_PATTERN: &str = r"^/console(?:/(?:[!-.0-\[\]-~]+(?:/[!-.0-\[\]-~]+)*/?)?|\?[!-.0-\[\]-~]*(?:/[!-.0-\[\]-~]+)*/?)?$";

validated_text!(
    /// A console page to return to after sign-in: a path under `/console` of at most 200 visible ASCII
    /// characters, so that it is always a valid `Location` header and never leaves the site.
    ConsolePath,
    |raw| {
        let visible = |c: char| c.is_ascii_graphic() && c != '\\';
        let under_console = raw == "/console" || raw.starts_with("/console/") || raw.starts_with("/console?");
        if !under_console || raw.len() > 200 || raw.contains("//") || !raw.chars().all(visible) {
            return Err("must be a console path (under /console, at most 200 visible characters)".into());
        }
        Ok(raw.to_string())
    },
    schema = crate::text::string_schema()
        .pattern(Some(CONSOLE_PATH_PATTERN))
        .max_length(Some(200))
);

validated_text!(
    /// A company's own code for an employee (1–32 letters, digits, `-`, `_`, `/`).
    EmployeeCode,
    |raw| {
        let value = raw.trim();
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/');
        if value.is_empty() || value.len() > 32 || !value.chars().all(allowed) {
            return Err("must be 1–32 letters, digits, '-', '_' or '/'".into());
        }
        Ok(value.to_string())
    },
    schema = crate::text::trimmed_pattern_schema("[A-Za-z0-9_/-]{1,32}")
);

validated_text!(
    /// A new password: 10–256 characters. Length, not composition rules, is what resists guessing.
    NewPassword,
    |raw| {
        let count = raw.chars().count();
        if count < 10 {
            return Err("must be at least 10 characters".into());
        }
        if count > 256 {
            return Err("must be at most 256 characters".into());
        }
        Ok(raw.to_string())
    },
    schema = crate::text::string_schema().pattern(Some(r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]{10,256}$"))
);

/// What a person may do in their company. Ordered from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the company account; the only role that can appoint owners.
    Owner,
    /// Manages people, settings and data of the whole company.
    Admin,
    /// Sees and approves the work of their team (everyone below them in the reporting line).
    Manager,
    /// Works in the field; sees their own work.
    FieldEmployee,
}

/// A stored role, read from its column; an unknown name is a database fault.
impl TryFrom<String> for Role {
    type Error = String;

    fn try_from(stored: String) -> Result<Self, Self::Error> {
        Role::parse(&stored).ok_or_else(|| format!("unknown role {stored}"))
    }
}

impl Role {
    /// Every role, most powerful first (for forms and tests).
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Manager, Role::FieldEmployee];

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::FieldEmployee => "field_employee",
        }
    }

    /// A label for pages.
    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Admin => "Admin",
            Role::Manager => "Manager",
            Role::FieldEmployee => "Field employee",
        }
    }

    /// Reads a stored name.
    pub fn parse(raw: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == raw)
    }

    /// Owners and admins administer the company: people, settings, audit trail.
    pub fn administers(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }

    /// Whether someone in this role may give `other` to a person. Only owners make owners.
    pub(crate) fn may_grant(self, other: Role) -> bool {
        match self {
            Role::Owner => true,
            Role::Admin => other != Role::Owner,
            Role::Manager | Role::FieldEmployee => false,
        }
    }
}

/// The interface languages Outfield ships strings for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, Default)]
pub enum Language {
    /// English (default).
    #[default]
    #[serde(rename = "en")]
    English,
    /// Hindi.
    #[serde(rename = "hi")]
    Hindi,
}

/// A stored language, read from its column (an unknown one reads as English, as [`Language::parse`]).
impl From<String> for Language {
    fn from(stored: String) -> Self {
        Language::parse(&stored)
    }
}

impl Language {
    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Hindi => "hi",
        }
    }

    /// Reads a stored code, falling back to English.
    pub fn parse(raw: &str) -> Language {
        if raw == "hi" {
            Language::Hindi
        } else {
            Language::English
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_numbers_are_normalised_to_e164() {
        assert_eq!(
            PhoneNumber::parse("98200 12345").unwrap().as_str(),
            "+919820012345"
        );
        assert_eq!(
            PhoneNumber::parse("+91 98200-12345").unwrap().as_str(),
            "+919820012345"
        );
        assert!(PhoneNumber::parse("12345").is_err());
        assert!(PhoneNumber::parse("'; DROP TABLE people; --").is_err());
    }

    #[test]
    fn emails_are_lower_cased_and_checked() {
        assert_eq!(
            Email::parse(" Priya.Nair@Example.IN ").unwrap().as_str(),
            "priya.nair@example.in"
        );
        assert!(Email::parse("priya@").is_err());
        assert!(Email::parse("Priya <priya@example.in>").is_err());
    }

    #[test]
    fn only_owners_grant_ownership() {
        assert!(Role::Owner.may_grant(Role::Owner));
        assert!(!Role::Admin.may_grant(Role::Owner));
        assert!(Role::Admin.may_grant(Role::Admin));
        assert!(!Role::Manager.may_grant(Role::FieldEmployee));
    }
}
