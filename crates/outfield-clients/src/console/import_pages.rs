//! The import pages: upload a CSV or XLSX file, preview it row by row, confirm.

use super::*;

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    frame: Frame,
    upload_id: String,
    report: Option<ImportReport>,
    targets: Vec<&'static str>,
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
}

const TARGETS: [&str; 14] = [
    "name",
    "code",
    "client_type",
    "status",
    "phone",
    "email",
    "gstin",
    "category",
    "territory",
    "tags",
    "address",
    "latitude",
    "longitude",
    "owner_email",
];

fn import_view(
    user: &Principal,
    upload_id: String,
    report: Option<ImportReport>,
    message: String,
) -> Response {
    render(&ImportPage {
        frame: Frame::new(user, "Import clients", "clients"),
        upload_id,
        report,
        targets: TARGETS.to_vec(),
        message,
    })
}

pub(super) async fn import_page(ConsoleUser(user): ConsoleUser) -> Response {
    if let Err(error) = user.scope.require_admin() {
        return framed_error_page(&user, &error);
    }
    import_view(&user, String::new(), None, String::new())
}

/// Stores the uploaded file for the preview and the confirmation.
pub(super) async fn upload(
    State(state): State<AppState>,
    ConsoleUser(user): ConsoleUser,
    multipart: axum::extract::Multipart,
) -> Response {
    let file = match uploaded_file(&user, multipart).await {
        Ok(file) => file,
        Err(page) => return page,
    };
    let Some((name, bytes)) = file.filter(|(_, bytes)| !bytes.is_empty()) else {
        return import_view(
            &user,
            String::new(),
            None,
            "Choose a CSV or XLSX file.".into(),
        );
    };
    match import::save_upload(&state.db, &user.scope, &name, &bytes).await {
        Ok(id) => Redirect::to(&format!("/console/clients/import/{id}")).into_response(),
        Err(error) => import_view(&user, String::new(), None, error_text(&error)),
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
        }
    }
    options
}

pub(super) async fn preview(
    State(state): State<AppState>,
    ConsoleUser(user): ConsoleUser,
    client: ClientInfo,
    ApiPath(id): ApiPath<Uuid>,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let table = match import::load_upload(&state.db, &user.scope, id).await {
        Ok(table) => table,
        Err(error) => return framed_error_page(&user, &error),
    };
    let options = options_from(query.into_iter());
    match import::run(
        &state.db,
        &user.scope,
        &Actor::of(&user, &client),
        &table,
        &options,
    )
    .await
    {
        Ok(report) => import_view(&user, id.to_string(), Some(report), String::new()),
        Err(error) => import_view(&user, id.to_string(), None, error_text(&error)),
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
    client: ClientInfo,
    ApiPath(id): ApiPath<Uuid>,
    Submission { user, form }: Submission,
) -> Response {
    let table = match import::load_upload(&state.db, &user.scope, id).await {
        Ok(table) => table,
        Err(error) => return framed_error_page(&user, &error),
    };
    let mut options = options_from(form.0.clone().into_iter());
    options.commit = true;
    match import::run(
        &state.db,
        &user.scope,
        &Actor::of(&user, &client),
        &table,
        &options,
    )
    .await
    {
        Ok(report) => {
            let _ = import::delete_upload(&state.db, &user.scope, id).await;
            let notice = format!(
                "{} clients imported; {} duplicates and {} rows with errors skipped.",
                report.created,
                report.duplicates.len(),
                report.invalid
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
            let report = import::run(
                &state.db,
                &user.scope,
                &Actor::of(&user, &client),
                &table,
                &options,
            )
            .await
            .ok();
            import_view(
                &user,
                id.to_string(),
                report,
                format!("Nothing was imported. {}", error_text(&error)),
            )
        }
    }
}
