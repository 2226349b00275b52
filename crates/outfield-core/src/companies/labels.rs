//! A company's own wordings of the labels it defines itself — client types, visit outcomes, later
//! expense categories — in the interface languages other than English.
//!
//! The label as the company typed it stays the stored value (what the API, exports and filters use);
//! a person reading the console or the field app in Hindi sees the company's Hindi wording of it, else
//! the catalogue's, else the label itself. The wordings are entered next to the list they translate,
//! one per line in the same order.

use std::collections::{BTreeMap, HashMap};

use serde_json::json;
use sqlx::Row;

use crate::audit::{self, Actor, AuditEvent};
use crate::db::{Db, Tx};
use crate::error::{AppResult, FieldError};
use crate::ids::CompanyId;
use crate::kernel::scope::Scope;
use crate::people::domain::Language;

/// Longest wording of one label, as long as the longest label.
const MAX_WORDING: usize = 80;

/// A company's wordings of its labels, by language and label.
#[derive(Debug, Clone, Default)]
pub struct CompanyLabels(HashMap<Language, HashMap<String, String>>);

impl CompanyLabels {
    /// `label` as a person reading `lang` sees it: the company's wording, else the catalogue's, else the
    /// label itself.
    pub fn tr<'a>(&'a self, lang: Language, label: &'a str) -> &'a str {
        self.0
            .get(&lang)
            .and_then(|words| words.get(label))
            .map_or_else(|| lang.tr(label), String::as_str)
    }

    /// The wordings in `lang` of `labels`, in their order, "" where the company gave none: the lines
    /// of the settings form.
    pub fn lines(&self, lang: Language, labels: &[String]) -> String {
        let words = self.0.get(&lang);
        labels
            .iter()
            .map(|label| words.and_then(|w| w.get(label)).map_or("", String::as_str))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Every label of `labels` in `lang`, as the field app and the map script look them up.
    pub fn dictionary<'a>(
        &'a self,
        lang: Language,
        labels: &'a [String],
    ) -> BTreeMap<&'a str, &'a str> {
        labels
            .iter()
            .map(|label| (label.as_str(), self.tr(lang, label)))
            .collect()
    }
}

/// The wordings typed for `labels`, one line each in the same order: blank lines give none; more lines
/// than labels, or a line too long, is an error naming `field`.
pub fn typed(
    field: &str,
    labels: &[String],
    text: &str,
) -> Result<Vec<(String, String)>, FieldError> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let used = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(0, |i| i + 1);
    if used > labels.len() {
        return Err(FieldError::new(
            field,
            format!(
                "has {used} lines for {} labels: one line per label, in the same order",
                labels.len()
            ),
        ));
    }
    if let Some(long) = lines.iter().find(|l| l.chars().count() > MAX_WORDING) {
        return Err(FieldError::new(
            field,
            format!("“{long}” is longer than {MAX_WORDING} characters"),
        ));
    }
    Ok(labels
        .iter()
        .zip(lines)
        .filter(|(_, wording)| !wording.is_empty())
        .map(|(label, wording)| (label.clone(), wording.to_string()))
        .collect())
}

/// Reads a company's wordings.
pub async fn load(tx: &mut Tx, company_id: CompanyId) -> sqlx::Result<CompanyLabels> {
    let rows =
        sqlx::query("SELECT language, label, wording FROM company_labels WHERE company_id = $1")
            .bind(company_id)
            .fetch_all(&mut **tx)
            .await?;
    let mut labels = CompanyLabels::default();
    for row in rows {
        let language = Language::parse(&row.try_get::<String, _>("language")?);
        labels
            .0
            .entry(language)
            .or_default()
            .insert(row.try_get("label")?, row.try_get("wording")?);
    }
    Ok(labels)
}

/// The scope's company's wordings.
pub async fn get(db: &Db, scope: &Scope) -> AppResult<CompanyLabels> {
    let mut tx = db.tenant_read(scope).await?;
    let labels = load(&mut tx, scope.company_id()).await?;
    tx.commit().await?;
    Ok(labels)
}

/// Replaces the wordings in `lang` of `labels` (owners and admins): those not in `wordings` lose theirs.
pub async fn save(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    lang: Language,
    labels: &[String],
    wordings: &[(String, String)],
) -> AppResult<()> {
    scope.require_admin()?;
    let mut tx = db.tenant(scope).await?;
    for label in labels {
        sqlx::query(
            "DELETE FROM company_labels WHERE company_id = $1 AND language = $2 AND label = $3",
        )
        .bind(scope.company_id())
        .bind(lang.as_str())
        .bind(label)
        .execute(&mut *tx)
        .await?;
    }
    for (label, wording) in wordings {
        sqlx::query(
            "INSERT INTO company_labels (company_id, language, label, wording) VALUES ($1, $2, $3, $4)",
        )
        .bind(scope.company_id())
        .bind(lang.as_str())
        .bind(label)
        .bind(wording)
        .execute(&mut *tx)
        .await?;
    }
    let event = AuditEvent::new(crate::audit::actions::COMPANY_LABELS_UPDATED, scope.company_id())
        .with(json!({ "language": lang.as_str(), "wordings": wordings.iter().cloned().collect::<BTreeMap<_, _>>() }));
    audit::record(&mut tx, actor, event).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Vec<String> {
        vec!["Retailer".into(), "Stockist".into(), "Order taken".into()]
    }

    #[test]
    fn wordings_pair_with_labels_line_by_line() {
        let paired = typed("client_types_hi", &labels(), "खुदरा विक्रेता\n\n  ").unwrap();
        assert_eq!(
            paired,
            [("Retailer".to_string(), "खुदरा विक्रेता".to_string())]
        );
        let too_many = typed("client_types_hi", &labels(), "a\nb\nc\nd").unwrap_err();
        assert_eq!(too_many.field, "client_types_hi");
        assert!(
            too_many.message.contains("4 lines for 3 labels"),
            "{}",
            too_many.message
        );
        assert!(typed("x", &labels(), &"क".repeat(81)).is_err());
    }

    #[test]
    fn the_company_wording_comes_before_the_catalogue() {
        let mut company = CompanyLabels::default();
        company
            .0
            .entry(Language::Hindi)
            .or_default()
            .insert("Stockist".into(), "स्टॉकिस्ट".into());
        assert_eq!(company.tr(Language::Hindi, "Stockist"), "स्टॉकिस्ट");
        assert_eq!(company.tr(Language::English, "Stockist"), "Stockist");
        assert_eq!(company.tr(Language::Hindi, "Nursery"), "Nursery");
        assert_eq!(company.lines(Language::Hindi, &labels()), "\nस्टॉकिस्ट\n");
    }
}
