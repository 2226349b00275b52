//! People: the values a person record may hold, and the rules of roles and reporting lines.

pub use crate::kernel::i18n::Language;
pub use crate::kernel::roles::Role;
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
