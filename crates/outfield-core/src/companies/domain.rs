//! Companies (tenants): the values a company profile may hold.

use crate::text::clean_line;
use crate::validated_text;

validated_text!(
    /// A company's display name.
    CompanyName,
    |raw| clean_line(raw, 120),
    schema = crate::text::line_schema(120)
);

validated_text!(
    /// Free text of a profile (legal name, address), up to 500 characters.
    ProfileText,
    |raw| clean_line(raw, 500),
    schema = crate::text::line_schema(500)
);

validated_text!(
    /// The company code people type at sign-in: 3–40 lower-case letters, digits and `-`.
    CompanySlug,
    |raw| {
        let value = raw.trim().to_lowercase();
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
        if value.len() < 3 || value.len() > 40 || !value.chars().all(allowed) || value.starts_with('-') {
            return Err("must be 3–40 lower-case letters, digits or '-'".into());
        }
        Ok(value)
    },
    schema = crate::text::trimmed_pattern_schema("[A-Za-z0-9][A-Za-z0-9-]{2,39}")
);

validated_text!(
    /// An IANA time zone name such as `Asia/Kolkata`.
    TimeZoneName,
    |raw| {
        let value = raw.trim();
        value
            .parse::<chrono_tz::Tz>()
            .map(|tz| tz.name().to_string())
            .map_err(|_| "is not a known time zone (for example Asia/Kolkata)".to_string())
    },
    schema = crate::text::string_schema().enum_values(Some(chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())))
);

validated_text!(
    /// An ISO 4217 currency code such as `INR`.
    CurrencyCode,
    |raw| {
        let value = raw.trim().to_uppercase();
        if CURRENCIES.contains(&value.as_str()) {
            Ok(value)
        } else {
            Err("is not a supported ISO 4217 currency code (for example INR)".into())
        }
    },
    schema = crate::text::string_schema().enum_values(Some(CURRENCIES.iter().copied()))
);

validated_text!(
    /// An Indian GST identification number, with its check character verified.
    Gstin,
    |raw| {
        let value = raw.trim().to_uppercase();
        if gstin_is_valid(&value) {
            Ok(value)
        } else {
            Err("is not a valid GSTIN (15 characters, for example 27AAPFU0939F1ZV)".into())
        }
    },
    schema = crate::text::trimmed_pattern_schema("[0-9]{2}[A-Za-z]{5}[0-9]{4}[A-Za-z][0-9A-Za-z][Zz][0-9A-Za-z]")
        .format(Some(utoipa::openapi::schema::SchemaFormat::Custom("gstin".into())))
);

/// Currencies of the markets Outfield is sold in; extend as needed.
const CURRENCIES: [&str; 16] = [
    "INR", "USD", "EUR", "GBP", "AED", "SAR", "SGD", "LKR", "NPR", "BDT", "PKR", "KES", "NGN",
    "ZAR", "IDR", "MYR",
];

const GSTIN_ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// GSTIN layout (state code, PAN, entity number, `Z`, check character) and its mod-36 checksum.
fn gstin_is_valid(value: &str) -> bool {
    let bytes = value.as_bytes();
    let layout_ok = bytes.len() == 15
        && bytes[..2].iter().all(u8::is_ascii_digit)
        && bytes[2..7].iter().all(u8::is_ascii_uppercase)
        && bytes[7..11].iter().all(u8::is_ascii_digit)
        && bytes[11].is_ascii_uppercase()
        && bytes[12].is_ascii_alphanumeric()
        && bytes[13] == b'Z';
    if !layout_ok {
        return false;
    }
    let position = |c: u8| GSTIN_ALPHABET.iter().position(|&a| a == c);
    let mut sum = 0;
    for (index, &c) in bytes[..14].iter().enumerate() {
        let Some(value) = position(c) else {
            return false;
        };
        let product = value * if index % 2 == 0 { 1 } else { 2 };
        sum += product / 36 + product % 36;
    }
    let check = (36 - sum % 36) % 36;
    bytes[14] == GSTIN_ALPHABET[check]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gstin_checksum_is_verified() {
        assert!(Gstin::parse("27AAPFU0939F1ZV").is_ok());
        assert!(Gstin::parse("27AAPFU0939F1ZX").is_err());
        assert!(Gstin::parse("27AAPFU0939F1Z").is_err());
    }

    #[test]
    fn time_zones_and_currencies_are_checked() {
        assert_eq!(
            TimeZoneName::parse("Asia/Kolkata").unwrap().as_str(),
            "Asia/Kolkata"
        );
        assert!(TimeZoneName::parse("Mars/Olympus").is_err());
        assert_eq!(CurrencyCode::parse("inr").unwrap().as_str(), "INR");
        assert!(CurrencyCode::parse("XYZ").is_err());
    }
}
