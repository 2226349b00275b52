//! Clients: the values a client, contact or interaction may hold.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use outfield_core::text::clean_line;
use outfield_core::validated_text;

validated_text!(
    /// A client's or contact's name (1–200 characters).
    ClientName,
    |raw| clean_line(raw, 200),
    schema = outfield_core::text::line_schema(200)
);

validated_text!(
    /// Short free text such as a client type, category, territory or a contact's role (1–80 characters).
    Label,
    |raw| clean_line(raw, 80),
    schema = outfield_core::text::line_schema(80)
);

validated_text!(
    /// The company's own code for a client: 1–40 letters, digits, `-`, `_`, `/` or `.`.
    ClientCode,
    |raw| {
        let value = raw.trim();
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.');
        if value.is_empty() || value.len() > 40 || !value.chars().all(allowed) {
            return Err("must be 1–40 letters, digits, '-', '_', '/' or '.'".into());
        }
        Ok(value.to_string())
    },
    schema = outfield_core::text::trimmed_pattern_schema("[A-Za-z0-9._/-]{1,40}")
);

validated_text!(
    /// A tag: 1–40 characters without commas, stored lower-case.
    Tag,
    |raw| {
        let value = clean_line(raw, 40)?.to_lowercase();
        if value.contains(',') {
            return Err("must not contain commas".into());
        }
        Ok(value)
    },
    schema = outfield_core::text::line_schema_refusing(40, ",")
);

validated_text!(
    /// Free text of an interaction or address (1–4000 characters).
    LongText,
    |raw| {
        let value = raw.trim();
        if value.is_empty() || value.chars().count() > 4000 {
            return Err("must be 1–4000 characters".into());
        }
        Ok(value.to_string())
    },
    schema = outfield_core::text::text_schema(1, 4000)
);

/// A further address of a client: a second shop, the godown, the billing office.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OtherAddress {
    /// What it is (e.g. "Godown").
    pub label: Label,
    /// The address.
    pub address: LongText,
    /// Its position, when known.
    pub location: Option<outfield_core::geo::GeoPoint>,
}

/// Most further phone numbers or addresses one client holds.
pub(crate) const MAX_OTHERS: usize = 10;

/// Where a client stands with the company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum ClientStatus {
    /// Not yet buying (from the field or a website enquiry).
    #[default]
    Lead,
    /// Buying.
    Active,
    /// Has stopped buying for a while.
    Dormant,
    /// Gone to a competitor or closed.
    Lost,
}

impl ClientStatus {
    /// Every status in pipeline order.
    pub const ALL: [ClientStatus; 4] = [
        ClientStatus::Lead,
        ClientStatus::Active,
        ClientStatus::Dormant,
        ClientStatus::Lost,
    ];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientStatus::Lead => "lead",
            ClientStatus::Active => "active",
            ClientStatus::Dormant => "dormant",
            ClientStatus::Lost => "lost",
        }
    }

    /// Reads a stored name.
    pub fn parse(raw: &str) -> Option<ClientStatus> {
        ClientStatus::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// A stored status, read from its column; an unknown name is a database fault.
impl TryFrom<String> for ClientStatus {
    type Error = String;

    fn try_from(stored: String) -> Result<Self, Self::Error> {
        ClientStatus::parse(&stored).ok_or_else(|| format!("unknown client status {stored}"))
    }
}

/// Kinds of touch with a client, all on one timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InteractionKind {
    /// A phone call.
    Call,
    /// A text message.
    Sms,
    /// An e-mail.
    Email,
    /// A note.
    Note,
    /// A visit.
    Visit,
    /// An order.
    Order,
    /// A document.
    Document,
}

impl InteractionKind {
    /// Every kind.
    pub const ALL: [InteractionKind; 7] = [
        InteractionKind::Call,
        InteractionKind::Sms,
        InteractionKind::Email,
        InteractionKind::Note,
        InteractionKind::Visit,
        InteractionKind::Order,
        InteractionKind::Document,
    ];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            InteractionKind::Call => "call",
            InteractionKind::Sms => "sms",
            InteractionKind::Email => "email",
            InteractionKind::Note => "note",
            InteractionKind::Visit => "visit",
            InteractionKind::Order => "order",
            InteractionKind::Document => "document",
        }
    }

    /// Reads a stored name.
    pub fn parse(raw: &str) -> Option<InteractionKind> {
        InteractionKind::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// A stored kind; one this build does not know reads as a note.
impl From<String> for InteractionKind {
    fn from(stored: String) -> Self {
        InteractionKind::parse(&stored).unwrap_or(InteractionKind::Note)
    }
}
