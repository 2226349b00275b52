//! Contacts from vCard files (`.vcf`), as phones and mail programs export them: vCard 2.1 (Android's
//! export, with quoted-printable names in Indian scripts), 3.0 and 4.0. Only what a contact holds is
//! read — name, role, first usable phone, first e-mail, language — forgivingly: an unknown property is
//! skipped, a card without a usable name is reported with its number.
//!
//! The parser is small on purpose: the strict vCard crates refuse 2.1, which is what phones export.

use outfield_core::ids::ClientId;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{store, NewContact};
use outfield_core::audit::{self, Actor, AuditEvent};
use outfield_core::auth::Scope;
use outfield_core::db::Db;
use outfield_core::error::{AppError, AppResult, FieldError};

/// Largest vCard file accepted.
pub const MAX_BYTES: usize = 1024 * 1024;
/// Most cards one file may hold.
const MAX_CARDS: usize = 1000;

/// The properties of one card that a contact uses, decoded.
#[derive(Debug, Default, PartialEq)]
struct Card {
    formatted_name: Option<String>,
    structured_name: Option<String>,
    title: Option<String>,
    phones: Vec<String>,
    emails: Vec<String>,
    language: Option<String>,
}

/// Splits a file into cards: unfolds continuation lines, decodes each value and keeps the properties a
/// contact needs.
fn cards(text: &str) -> Vec<Card> {
    let mut cards = Vec::new();
    let mut current: Option<Card> = None;
    for line in unfold(text) {
        let Some((head, value)) = line.split_once(':') else {
            continue;
        };
        let mut params = head.split(';');
        let name = params.next().unwrap_or("");
        let name = name.rsplit('.').next().unwrap_or(name).to_ascii_uppercase();
        let params: Vec<String> = params.map(str::to_ascii_uppercase).collect();
        match name.as_str() {
            "BEGIN" if value.trim().eq_ignore_ascii_case("VCARD") => {
                current = Some(Card::default())
            }
            "END" if value.trim().eq_ignore_ascii_case("VCARD") => cards.extend(current.take()),
            _ => {
                if let Some(card) = current.as_mut() {
                    card.take(&name, &decode(value, &params));
                }
            }
        }
    }
    cards
}

impl Card {
    fn take(&mut self, name: &str, value: &str) {
        let value = value.trim().to_string();
        if value.is_empty() {
            return;
        }
        match name {
            "FN" => self.formatted_name = Some(unescape(&value)),
            "N" => {
                // Family; Given; Additional; Prefix; Suffix — shown as "Given Additional Family".
                let parts: Vec<String> = split_unescaped(&value);
                let order = [3, 1, 2, 0, 4];
                let name = order
                    .iter()
                    .filter_map(|i| parts.get(*i))
                    .filter(|p| !p.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" ");
                if !name.is_empty() {
                    self.structured_name = Some(name);
                }
            }
            "TITLE" | "ROLE" if self.title.is_none() => self.title = Some(unescape(&value)),
            "TEL" => self
                .phones
                .push(value.trim_start_matches("tel:").to_string()),
            "EMAIL" => self.emails.push(unescape(&value)),
            "LANG" => self.language = Some(value),
            _ => {}
        }
    }
}

/// Joins folded lines (a line starting with a space or tab continues the previous one; in 2.1
/// quoted-printable a line ending in `=` continues on the next).
fn unfold(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut soft_break = false;
    for raw in text.lines() {
        if soft_break {
            if let Some(last) = lines.last_mut() {
                last.pop();
                last.push_str(raw.trim_start());
                soft_break = last.ends_with('=') && is_quoted_printable(last);
                continue;
            }
        }
        match (raw.chars().next(), lines.last_mut()) {
            (Some(' ') | Some('\t'), Some(last)) => last.push_str(&raw[1..]),
            _ => lines.push(raw.to_string()),
        }
        let last = lines.last().map(String::as_str).unwrap_or("");
        soft_break = last.ends_with('=') && is_quoted_printable(last);
    }
    lines
}

fn is_quoted_printable(line: &str) -> bool {
    line.split_once(':')
        .is_some_and(|(head, _)| head.to_ascii_uppercase().contains("QUOTED-PRINTABLE"))
}

/// A value as text: quoted-printable bytes decoded as UTF-8 when the parameters say so.
fn decode(value: &str, params: &[String]) -> String {
    if !params.iter().any(|p| p.contains("QUOTED-PRINTABLE")) {
        return value.to_string();
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn unescape(value: &str) -> String {
    value
        .replace("\\n", " ")
        .replace("\\N", " ")
        .replace("\\,", ",")
        .replace("\\;", ";")
        .replace("\\\\", "\\")
}

/// The components of a structured value (`;`-separated, `\;` kept).
fn split_unescaped(value: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut escaped = false;
    for c in value.chars() {
        match (escaped, c) {
            (false, '\\') => escaped = true,
            (false, ';') => parts.push(String::new()),
            (_, c) => {
                escaped = false;
                if let Some(last) = parts.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    parts.into_iter().map(|p| unescape(p.trim())).collect()
}

/// One card's outcome in a vCard import.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CardResult {
    /// Position of the card in the file, from 1.
    pub card: usize,
    /// The name read from it.
    pub name: Option<String>,
    /// `new`, `duplicate` (a contact with this phone or e-mail exists), `invalid`, or `added`.
    pub status: &'static str,
    /// What is wrong, for invalid cards.
    pub errors: Vec<FieldError>,
}

/// The answer to a vCard import.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VcardReport {
    /// Per card, in file order.
    pub cards: Vec<CardResult>,
    /// Contacts added (0 for a preview).
    pub added: usize,
    /// Whether the valid new cards were stored.
    pub committed: bool,
}

/// Reads the contacts of a vCard file for a client the scope may see; with `commit`, adds the valid
/// cards that are not already contacts of the client. Nothing is stored without `commit`.
pub async fn import(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    client_id: ClientId,
    (bytes, commit): (&[u8], bool),
) -> AppResult<VcardReport> {
    let mut tx = db.tenant(scope).await?;
    store::find(&mut tx, scope, client_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let text = String::from_utf8_lossy(bytes);
    let cards = cards(&text);
    if cards.is_empty() {
        return Err(AppError::field(
            "file",
            "holds no vCard (BEGIN:VCARD … END:VCARD)",
        ));
    }
    if cards.len() > MAX_CARDS {
        return Err(AppError::field(
            "file",
            format!("holds more than {MAX_CARDS} cards"),
        ));
    }
    let mut known: Vec<String> = store::contacts(&mut tx, scope.company_id(), client_id)
        .await?
        .into_iter()
        .flat_map(|c| [c.phone, c.email])
        .flatten()
        .collect();
    let mut results = Vec::new();
    let mut added = 0;
    for (index, card) in cards.into_iter().enumerate() {
        let name = card.formatted_name.clone().or(card.structured_name.clone());
        let mut result = CardResult {
            card: index + 1,
            name: name.clone(),
            status: "new",
            errors: Vec::new(),
        };
        match contact_of(card) {
            Err(errors) => {
                result.status = "invalid";
                result.errors = errors;
            }
            Ok(contact) => {
                let keys: Vec<String> = [
                    contact.phone.as_ref().map(|p| p.as_str().to_string()),
                    contact.email.as_ref().map(|e| e.as_str().to_string()),
                ]
                .into_iter()
                .flatten()
                .collect();
                if keys.iter().any(|k| known.contains(k)) {
                    result.status = "duplicate";
                } else if commit {
                    let id = Uuid::now_v7();
                    store::insert_contact(&mut tx, scope.company_id(), client_id, id, &contact)
                        .await?;
                    known.extend(keys);
                    added += 1;
                    result.status = "added";
                }
            }
        }
        results.push(result);
    }
    if commit && added > 0 {
        let event = AuditEvent::new(crate::actions::CLIENT_CONTACTS_IMPORTED, client_id)
            .with(json!({ "added": added, "format": "vcard" }));
        audit::record(&mut tx, actor, event).await?;
        tx.commit().await?;
    }
    Ok(VcardReport {
        cards: results,
        added,
        committed: commit,
    })
}

/// A card as a new contact, through the same checks as a contact typed in by hand.
fn contact_of(card: Card) -> Result<NewContact, Vec<FieldError>> {
    let name = card
        .formatted_name
        .or(card.structured_name)
        .unwrap_or_default();
    let phone = card
        .phones
        .iter()
        .find(|p| outfield_core::people::domain::PhoneNumber::parse(p).is_ok())
        .or(card.phones.first());
    let language = card
        .language
        .map(|l| l.split('-').next().unwrap_or_default().to_lowercase());
    let body = json!({
        "name": name, "role": card.title, "phone": phone, "email": card.emails.first(),
        "language": language.filter(|l| ["en", "hi"].contains(&l.as_str())),
    });
    outfield_core::http::extract::parse_fields(&body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn android_export_with_quoted_printable_names() {
        let file = "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E0=A4=B6=E0=A4=B0=E0=A5=8D=E0=A4=AE=E0=A4=BE;=E0=A4=B0=E0=A4=BE=E0=A4=AE;;;\r\n\
            FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E0=A4=B0=E0=A4=BE=E0=A4=AE =E0=A4=B6=E0=A4=B0=\r\n=E0=A5=8D=E0=A4=AE=E0=A4=BE\r\n\
            TEL;CELL:+91 98220 12345\r\nTEL;WORK:020-2553 0000\r\nEND:VCARD\r\n";
        let cards = cards(file);
        assert_eq!(cards.len(), 1);
        assert_eq!(cards[0].formatted_name.as_deref(), Some("राम शर्मा"));
        assert_eq!(cards[0].structured_name.as_deref(), Some("राम शर्मा"));
        assert_eq!(cards[0].phones, ["+91 98220 12345", "020-2553 0000"]);
    }

    #[test]
    fn version_three_and_four_with_folding_groups_and_escapes() {
        let file = "BEGIN:VCARD\nVERSION:3.0\nFN:Anita Deshpande\\, CA\nN:Deshpande;Anita;;;\nTITLE:Accounts\n  head\n\
            item1.EMAIL;TYPE=INTERNET:anita@example.in\nEND:VCARD\n\
            BEGIN:VCARD\nVERSION:4.0\nN:Patil;Suresh;;Shri;\nTEL;VALUE=uri;TYPE=cell:tel:+91-97654-32109\nLANG:hi-IN\nEND:VCARD\n";
        let cards = cards(file);
        assert_eq!(cards.len(), 2);
        assert_eq!(
            cards[0].formatted_name.as_deref(),
            Some("Anita Deshpande, CA")
        );
        assert_eq!(cards[0].title.as_deref(), Some("Accounts head"));
        assert_eq!(cards[0].emails, ["anita@example.in"]);
        assert_eq!(cards[1].formatted_name, None);
        assert_eq!(
            cards[1].structured_name.as_deref(),
            Some("Shri Suresh Patil")
        );
        assert_eq!(cards[1].phones, ["+91-97654-32109"]);
        let contact = contact_of(cards.into_iter().nth(1).unwrap()).unwrap();
        assert_eq!(contact.phone.unwrap().as_str(), "+919765432109");
        assert_eq!(
            contact.language.map(|l| l.as_str().to_string()).as_deref(),
            Some("hi")
        );
    }

    #[test]
    fn cards_without_a_name_or_with_a_bad_email_are_invalid() {
        let file = "BEGIN:VCARD\nTEL:12\nEND:VCARD\nBEGIN:VCARD\nFN:Ravi\nEMAIL:not-an-address\nEND:VCARD\n";
        let errors: Vec<Vec<String>> = cards(file)
            .into_iter()
            .map(|card| {
                contact_of(card)
                    .unwrap_err()
                    .into_iter()
                    .map(|e| e.field)
                    .collect()
            })
            .collect();
        assert_eq!(
            errors,
            [vec!["name".to_string()], vec!["email".to_string()]]
        );
    }
}
