//! The import pages: upload a CSV or XLSX file, preview it row by row, confirm.

use super::*;
use axum::http::header;
use outfield_core::people::StatusFilter;

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    frame: Frame,
    upload_id: String,
    report: Option<ImportReport>,
    targets: Vec<(&'static str, &'static str)>,
    /// Active people who may own the imported clients, and the one chosen.
    people: Vec<(String, String)>,
    default_owner: String,
    message: String,
}

impl ImportPage {
    /// The column chosen for a target field, or "".
    fn chosen(&self, target: &str) -> &str {
        self.report
            .as_ref()
            .and_then(|r| r.mapping.get(target))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The words for a target field (or the field's key when it is another, such as a custom field).
    fn field_label<'a>(&self, field: &'a str) -> &'a str {
        TARGETS
            .iter()
            .find(|(target, _)| *target == field)
            .map_or(field, |(_, label)| label)
    }
}

/// The fields an import fills, each with the words the page and the template file name it by.
const TARGETS: [(&str, &str); 14] = [
    ("name", "Name"),
    ("code", "Code"),
    ("client_type", "Type"),
    ("status", "Status"),
    ("phone", "Phone"),
    ("email", "E-mail"),
    ("gstin", "GSTIN"),
    ("category", "Category"),
    ("territory", "Area"),
    ("tags", "Tags"),
    ("address", "Address"),
    ("latitude", "Latitude"),
    ("longitude", "Longitude"),
    ("owner_email", "Owner e-mail"),
];

/// The example row of the template file, under [`TARGETS`]' headings.
const TEMPLATE_EXAMPLE: [&str; 14] = [
    "Shree Ganesh Kirana",
    "PUN-0042",
    "Retailer",
    "active",
    "+91 98200 12345",
    "ganesh.kirana@example.in",
    "27AAPFU0939F1ZV",
    "A",
    "Hadapsar",
    "fertiliser; seeds",
    "Shop 4, Magarpatta Road, Hadapsar, Pune 411028",
    "18.5089",
    "73.9260",
    "",
];

/// A CSV file with the headings an import recognises and one example row, to fill in a spreadsheet.
pub(super) async fn import_template(ConsoleUser(user): ConsoleUser) -> Response {
    if let Err(error) = user.scope.require_admin() {
        return framed_error_page(&user, &error);
    }
    let mut csv = String::new();
    for row in [TARGETS.map(|(_, label)| label), TEMPLATE_EXAMPLE] {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| format!("\"{}\"", cell.replace('"', "\"\"")))
            .collect();
        csv.push_str(&cells.join(","));
        csv.push_str("\r\n");
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"outfield-clients-template.csv\"",
            ),
        ],
        csv,
    )
        .into_response()
}

async fn import_view(
    state: &AppState,
    user: &Principal,
    (upload_id, report): (String, Option<ImportReport>),
    (default_owner, message): (Option<PersonId>, String),
) -> Response {
    let people = outfield_core::people::list(&state.db, &user.scope, StatusFilter::Active, None)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|p| (p.id.to_string(), p.name))
        .collect();
    render(&ImportPage {
        frame: Frame::new(user, "Import clients", "clients"),
        upload_id,
        report,
        targets: TARGETS.to_vec(),
        people,
        default_owner: default_owner.unwrap_or(user.scope.person_id()).to_string(),
        message,
    })
}

pub(super) async fn import_page(
    State(state): State<AppState>,
    ConsoleUser(user): ConsoleUser,
) -> Response {
    if let Err(error) = user.scope.require_admin() {
        return framed_error_page(&user, &error);
    }
    import_view(&state, &user, (String::new(), None), (None, String::new())).await
}

/// Stores the uploaded file for the preview and the confirmation.
pub(super) async fn upload(
    State(state): State<AppState>,
    ConsoleUser(user): ConsoleUser,
    multipart: axum::extract::Multipart,
) -> Response {
    // Refused as the page itself is, before the file is read: not as a message on the import page.
    if let Err(error) = user.scope.require_admin() {
        return framed_error_page(&user, &error);
    }
    let file = match uploaded_file(&user, multipart).await {
        Ok(file) => file,
        Err(page) => return page,
    };
    let Some((name, bytes)) = file.filter(|(_, bytes)| !bytes.is_empty()) else {
        let message = user.language.tr("Choose a CSV or XLSX file.").to_string();
        return import_view(&state, &user, (String::new(), None), (None, message)).await;
    };
    match import::save_upload(&state.db, &user.scope, &name, &bytes).await {
        Ok(id) => Redirect::to(&format!("/console/clients/import/{id}")).into_response(),
        Err(error) => {
            let message = error_text(&error);
            import_view(&state, &user, (String::new(), None), (None, message)).await
        }
    }
}

/// The `file` part of an upload form (its name, up to 200 characters, and bytes), once the form's
/// `_csrf` part has been checked; the error page otherwise.
pub(super) async fn uploaded_file(
    user: &Principal,
    mut multipart: axum::extract::Multipart,
) -> Result<Option<(String, axum::body::Bytes)>, Response> {
    let mut csrf = None;
    let mut file = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name() {
            Some("_csrf") => csrf = field.text().await.ok(),
            Some("file") => {
                let name: String = field
                    .file_name()
                    .unwrap_or("upload")
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect();
                file = field.bytes().await.ok().map(|bytes| (name, bytes));
            }
            _ => {}
        }
    }
    user.check_csrf(csrf.as_deref())
        .map_err(|error| framed_error_page(user, &error))?;
    Ok(file)
}

fn options_from(pairs: impl Iterator<Item = (String, String)>) -> ImportOptions {
    let mut options = ImportOptions::default();
    for (name, value) in pairs {
        if let Some(target) = name.strip_prefix("map_") {
            options.mapping.insert(target.to_string(), value);
        } else if name == "commit_valid_rows" {
            options.commit_valid_rows = value == "on";
        } else if name == "default_owner" {
            options.default_owner = value.parse().ok();
        }
    }
    options
}

pub(super) async fn preview(
    State(state): State<AppState>,
    ConsoleActing { user, actor }: ConsoleActing,
    ApiPath(id): ApiPath<Uuid>,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let table = match import::load_upload(&state.db, &user.scope, id).await {
        Ok(table) => table,
        Err(error) => return framed_error_page(&user, &error),
    };
    let options = options_from(query.into_iter());
    match import::run(&state.db, &user.scope, &actor, &table, &options).await {
        Ok(report) => {
            let upload = (id.to_string(), Some(report));
            import_view(
                &state,
                &user,
                upload,
                (options.default_owner, String::new()),
            )
            .await
        }
        Err(error) => {
            let message = error_text(&error);
            let upload = (id.to_string(), None);
            import_view(&state, &user, upload, (options.default_owner, message)).await
        }
    }
}

fn error_text(error: &outfield_core::error::AppError) -> String {
    let fields: Vec<String> = error
        .field_errors()
        .iter()
        .take(20)
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect();
    if fields.is_empty() {
        error.public_message()
    } else {
        fields.join("; ")
    }
}

pub(super) async fn confirm(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    Submission { user, form, actor }: Submission,
) -> Response {
    let table = match import::load_upload(&state.db, &user.scope, id).await {
        Ok(table) => table,
        Err(error) => return framed_error_page(&user, &error),
    };
    let mut options = options_from(form.0.clone().into_iter());
    options.commit = true;
    match import::run(&state.db, &user.scope, &actor, &table, &options).await {
        Ok(report) => {
            let _ = import::delete_upload(&state.db, &user.scope, id).await;
            let lang = user.language;
            let skipped = lang.tr2(
                "{1} duplicates and {2} rows with errors",
                report.duplicates.len(),
                report.invalid,
            );
            let notice = lang.tr2(
                "{1} clients imported; {2} skipped.",
                report.created,
                skipped,
            );
            list_view(
                &state,
                &user,
                ListQuery::default(),
                FormErrors::default(),
                notice,
            )
            .await
        }
        Err(error) => {
            options.commit = false;
            let report = import::run(&state.db, &user.scope, &actor, &table, &options)
                .await
                .ok();
            let message = user
                .language
                .tr1("Nothing was imported. {}", error_text(&error));
            let upload = (id.to_string(), report);
            import_view(&state, &user, upload, (options.default_owner, message)).await
        }
    }
}
