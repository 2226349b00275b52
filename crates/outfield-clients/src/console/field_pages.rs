//! The client types and custom fields the company records about each client.

use super::*;
use outfield_core::companies::labels;
use outfield_core::error::AppError;
use outfield_core::people::domain::Language;

#[derive(Template)]
#[template(path = "client_fields.html")]
struct FieldSettingsPage {
    frame: Frame,
    types: String,
    /// The types' Hindi wordings, one line per type.
    types_hindi: String,
    rows: Vec<CustomField>,
    kinds: Vec<&'static str>,
    errors: FormErrors,
    saved: bool,
}

impl FieldSettingsPage {
    /// A field's choices as the form shows them.
    fn choices(&self, field: &CustomField) -> String {
        field.choices.join(", ")
    }
}

async fn field_settings_view(
    user: &Principal,
    settings: ClientFieldSettings,
    types_hindi: String,
    errors: FormErrors,
    saved: bool,
) -> Response {
    let mut rows = settings.custom_fields;
    rows.push(CustomField {
        key: String::new(),
        label: String::new(),
        kind: FieldKind::Text,
        choices: Vec::new(),
        required: false,
    });
    let status = errors.status();
    let page = FieldSettingsPage {
        frame: Frame::new(user, "Client types and fields", "settings"),
        types: settings.client_types.join("\n"),
        types_hindi,
        rows,
        kinds: FieldKind::ALL.iter().map(|k| k.as_str()).collect(),
        errors,
        saved,
    };
    (status, render(&page)).into_response()
}

pub(super) async fn field_settings_page(
    State(state): State<AppState>,
    ConsoleUser(user): ConsoleUser,
) -> Response {
    let read = async {
        let settings = fields::get(&state.db, &user.scope).await?;
        Ok::<_, AppError>((settings, labels::get(&state.db, &user.scope).await?))
    };
    match read.await {
        Ok((settings, labels)) => {
            let hindi = labels.lines(Language::Hindi, &settings.client_types);
            field_settings_view(&user, settings, hindi, FormErrors::default(), false).await
        }
        Err(error) => framed_error_page(&user, &error),
    }
}

/// Reads the settings form: the types (one per line) and one row per field; a row without a key is
/// left out (the blank row for a new field, or a field being removed).
fn settings_from(form: &ConsoleForm) -> ClientFieldSettings {
    let client_types = form
        .text("client_types")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let mut custom_fields = Vec::new();
    for index in 0..=fields::MAX_FIELDS {
        let key = form.text(&format!("key_{index}")).trim();
        if key.is_empty() || form.0.contains_key(&format!("remove_{index}")) {
            continue;
        }
        let kind = FieldKind::parse(form.text(&format!("kind_{index}"))).unwrap_or(FieldKind::Text);
        let choices = form
            .text(&format!("choices_{index}"))
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        custom_fields.push(CustomField {
            key: key.to_string(),
            label: form.text(&format!("label_{index}")).trim().to_string(),
            kind,
            choices,
            required: form.0.contains_key(&format!("required_{index}")),
        });
    }
    ClientFieldSettings {
        client_types,
        custom_fields,
    }
}

pub(super) async fn save_field_settings(
    State(state): State<AppState>,
    Submission { user, form, actor }: Submission,
) -> Response {
    let submitted = settings_from(&form);
    let hindi = form.text("client_types_hi").to_string();
    let saved = async {
        let wordings = labels::typed("client_types_hi", &submitted.client_types, &hindi)
            .map_err(|e| AppError::Validation(vec![e]))?;
        let saved = fields::update(&state.db, &user.scope, &actor, submitted.clone()).await?;
        let types = &saved.client_types;
        labels::save(
            &state.db,
            &user.scope,
            &actor,
            Language::Hindi,
            types,
            &wordings,
        )
        .await?;
        Ok::<_, AppError>(saved)
    };
    match saved.await {
        Ok(saved) => field_settings_view(&user, saved, hindi, FormErrors::default(), true).await,
        Err(error) => {
            let errors = FormErrors::from_error(&error);
            field_settings_view(&user, submitted, hindi, errors, false).await
        }
    }
}
