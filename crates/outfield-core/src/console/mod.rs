//! The web console's shared parts: the signed-in page frame, the extractor that sends strangers to the
//! sign-in page, form parsing with CSRF checks, and the embedded stylesheet. Each feature keeps its own
//! pages (`people/console.rs`, …); the binary's `console` module composes them.

use std::collections::HashMap;

use crate::companies::labels::CompanyLabels;
use askama::Template;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use serde::de::DeserializeOwned;

use crate::audit::Actor;
use crate::auth::client::ClientInfo;
use crate::auth::principal::authenticate;
use crate::auth::Principal;
use crate::error::{AppError, FieldError};
use crate::http::extract::control_character_error;
use crate::people::domain::{Language, Role};
use crate::state::AppState;
use crate::text::is_forbidden_control;

pub mod map;
pub mod pager;

/// The console's own assets: the stylesheet and the vendored map library. The binary composes these
/// with every feature's pages.
pub fn asset_routes() -> Router<AppState> {
    Router::new()
        .route("/assets/console.css", get(stylesheet))
        .merge(map::routes())
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/console.css"),
    )
}

/// Remembers the language a visitor chose on the sign-in page.
const LANGUAGE_COOKIE: &str = "outfield_language";

/// The language a visitor who is not signed in reads: the one chosen on the sign-in page (`?lang=`,
/// then remembered), else the first of the browser's languages Outfield has, else English. Returns the
/// cookie jar with the choice remembered when one was made.
pub fn visitor_language(
    jar: CookieJar,
    headers: &HeaderMap,
    chosen: Option<&str>,
    secure: bool,
) -> (CookieJar, Language) {
    if let Some(code) = chosen {
        let lang = Language::parse(code);
        let cookie = remembered_cookie(LANGUAGE_COOKIE, lang.as_str().to_string(), secure);
        return (jar.add(cookie), lang);
    }
    if let Some(remembered) = jar.get(LANGUAGE_COOKIE) {
        let lang = Language::parse(remembered.value());
        return (jar, lang);
    }
    (jar, browser_language(headers))
}

/// The language the visitor chose on this browser (the sign-in page's switch), if they chose one.
pub fn chosen_language(jar: &CookieJar) -> Option<Language> {
    jar.get(LANGUAGE_COOKIE)
        .map(|remembered| Language::parse(remembered.value()))
}

/// Drops the visitor's language choice once it became an account's (see [`chosen_language`]).
pub fn forget_chosen_language(jar: CookieJar) -> CookieJar {
    jar.remove(Cookie::build(LANGUAGE_COOKIE).path("/"))
}

tokio::task_local! {
    /// The language of the visitor whose request is being answered, for pages that have no signed-in
    /// person to ask (error pages, expired links).
    static VISITOR_LANGUAGE: Language;
}

/// Middleware that answers each request knowing its visitor's language (the remembered choice, else
/// the browser's), so that every page shown to a stranger, error pages included, speaks it without each
/// handler passing it along.
pub async fn in_visitor_language(request: Request, next: axum::middleware::Next) -> Response {
    let jar = CookieJar::from_headers(request.headers());
    let lang = match jar.get(LANGUAGE_COOKIE) {
        Some(remembered) => Language::parse(remembered.value()),
        None => browser_language(request.headers()),
    };
    VISITOR_LANGUAGE.scope(lang, next.run(request)).await
}

/// The language of the current request's visitor; English outside [`in_visitor_language`].
fn current_visitor_language() -> Language {
    VISITOR_LANGUAGE.try_with(|lang| *lang).unwrap_or_default()
}

/// A cookie that remembers a visitor's choice for a year (the company code, the language): not a
/// credential, so it travels on ordinary cross-site navigation (`Lax`) but never to scripts.
pub fn remembered_cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(time::Duration::days(365))
        .build()
}

/// The first language of `Accept-Language` that Outfield ships, ignoring weights (browsers list
/// languages in order of preference).
fn browser_language(headers: &HeaderMap) -> Language {
    let accepted = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    accepted
        .split(',')
        .map(|part| part.split(';').next().unwrap_or_default().trim())
        .find_map(|tag| match tag.split('-').next().unwrap_or_default() {
            "hi" => Some(Language::Hindi),
            "en" => Some(Language::English),
            _ => None,
        })
        .unwrap_or_default()
}

/// A signed-in console user; anyone else is redirected to the sign-in page.
pub struct ConsoleUser(pub Principal);

impl FromRequestParts<AppState> for ConsoleUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match authenticate(parts, &state.db).await {
            Ok(Some(principal)) => Ok(ConsoleUser(principal)),
            Ok(None) => Err(Redirect::to("/sign-in").into_response()),
            Err(error) => Err(error_page(&error)),
        }
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for ConsoleUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Response> {
        match authenticate(parts, &state.db).await {
            Ok(principal) => Ok(principal.map(ConsoleUser)),
            Err(error) => Err(error_page(&error)),
        }
    }
}

/// The frame around every signed-in page: who is signed in, what the navigation offers.
pub struct Frame {
    /// Page title.
    pub title: String,
    /// Signed-in person's name.
    pub user_name: String,
    /// Company name.
    pub company_name: String,
    /// Role label.
    pub role_label: &'static str,
    /// Whether to show administration links.
    pub is_admin: bool,
    /// CSRF token for the page's forms.
    pub csrf: String,
    /// Which navigation item is current.
    pub section: &'static str,
    /// The signed-in person's interface language, which every wording on the page is shown in.
    pub lang: Language,
    /// The company's own wordings of its client types and outcomes, for pages that show them.
    pub labels: CompanyLabels,
}

impl Frame {
    /// The frame for `principal` on a page of `section`.
    /// The title is an English wording (translated here) or a name (shown as it is).
    pub fn new(principal: &Principal, title: impl Into<String>, section: &'static str) -> Self {
        let lang = principal.language;
        Frame {
            title: lang.tr(&title.into()).to_string(),
            user_name: principal.name.clone(),
            company_name: principal.company_name.clone(),
            role_label: lang.tr(principal.scope.role().label()),
            is_admin: principal.scope.role().administers(),
            csrf: principal.csrf_token().to_string(),
            section,
            lang,
            labels: CompanyLabels::default(),
        }
    }

    /// The frame of a page that shows labels the company defined, with the company's wordings of them
    /// (a page still renders, with the labels as catalogued, if they cannot be read).
    pub async fn labelled(
        db: &crate::db::Db,
        principal: &Principal,
        title: impl Into<String>,
        section: &'static str,
    ) -> Self {
        let labels = crate::companies::labels::get(db, &principal.scope)
            .await
            .unwrap_or_default();
        Frame {
            labels,
            ..Frame::new(principal, title, section)
        }
    }

    /// A label the company defined (a client type, a visit outcome) in the page's language.
    pub fn label<'a>(&'a self, label: &'a str) -> &'a str {
        self.labels.tr(self.lang, label)
    }

    /// `english` in the page's language (see [`crate::i18n`]).
    pub fn tr<'a>(&self, english: &'a str) -> &'a str {
        self.lang.tr(english)
    }

    /// A wording with one value, in the page's language.
    pub fn tr1(&self, english: &str, value: impl std::fmt::Display) -> String {
        self.lang.tr1(english, value)
    }

    /// A wording with two values `{1}` and `{2}`, in the page's language.
    pub fn tr2(
        &self,
        english: &str,
        first: impl std::fmt::Display,
        second: impl std::fmt::Display,
    ) -> String {
        self.lang.tr2(english, first, second)
    }
}

/// Renders a template into a response.
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => error_page(&AppError::Internal(error.into())),
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    lang: Language,
    title: &'a str,
    message: &'a str,
}

/// A plain page with a title and a message, in the visitor's language (no frame, so it also works for
/// strangers).
pub fn message_page(status: StatusCode, title: &str, message: &str) -> Response {
    let lang = current_visitor_language();
    let html = MessagePage {
        lang,
        title,
        message: lang.tr(message),
    }
    .render()
    .unwrap_or_else(|_| message.to_string());
    (status, Html(html)).into_response()
}

/// A readable page for an error, in the visitor's language (no frame, so it also works for strangers).
pub fn error_page(error: &AppError) -> Response {
    let title = match error.status() {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::TOO_MANY_REQUESTS => "Please wait",
        status if status.is_server_error() => "Something went wrong",
        _ => "Cannot do that",
    };
    titled_error_page(title, error)
}

/// [`error_page`] under a title that says what failed ("The enquiry could not be sent"), for public
/// forms whose visitors have no console to go back to.
pub fn titled_error_page(title: &str, error: &AppError) -> Response {
    if let AppError::Internal(inner) = error {
        tracing::error!(error = format!("{inner:#}"), "console request failed");
    }
    let message = readable_message(error, current_visitor_language());
    message_page(error.status(), title, &message)
}

#[derive(Template)]
#[template(path = "framed_message.html")]
struct FramedMessagePage<'a> {
    frame: Frame,
    message: &'a str,
}

/// The page for an error met by a signed-in person: inside the console frame, with the navigation, so
/// that a mistake never strands anyone on a bare page.
pub fn framed_error_page(user: &Principal, error: &AppError) -> Response {
    if let AppError::Internal(inner) = error {
        tracing::error!(error = format!("{inner:#}"), "console request failed");
    }
    let title = match error.status() {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        status if status.is_server_error() => "Something went wrong",
        _ => "Please check what you entered",
    };
    let message = readable_message(error, user.language);
    let page = FramedMessagePage {
        frame: Frame::new(user, title, ""),
        message: &message,
    };
    match page.render() {
        Ok(html) => (error.status(), Html(html)).into_response(),
        Err(_) => error_page(error),
    }
}

/// What a page says about an error: the field problems when there are some, the general message otherwise.
fn readable_message(error: &AppError, lang: Language) -> String {
    let fields = error.field_errors();
    if fields.is_empty() {
        return lang.tr(&error.public_message()).to_string();
    }
    fields
        .iter()
        .map(|field| sentence(field, lang))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A field problem as a sentence in `lang`: the message itself when it is one, else "The <field>
/// <message>." (the field named in words, as the catalogue has them).
fn sentence(error: &FieldError, lang: Language) -> String {
    match error.message.chars().next() {
        Some(c) if c.is_uppercase() => {
            let message = lang.tr(error.message.trim_end_matches('.'));
            lang.tr1("{}.", message)
        }
        _ => {
            let field = error.field.replace('_', " ");
            lang.tr2("The {1} {2}.", lang.tr(&field), lang.tr(&error.message))
        }
    }
}

/// The page for unknown console paths.
pub fn not_found_page() -> Response {
    error_page(&AppError::NotFound)
}

/// A form submitted by a signed-in console user, its CSRF token already checked. Strangers are sent to
/// the sign-in page; a missing or wrong token gets the "form has expired" page and changes nothing.
pub struct Submission {
    /// Who submitted it.
    pub user: Principal,
    /// What they submitted.
    pub form: ConsoleForm,
    /// Who the trail records for what the form changes (the user, from the client's address).
    pub actor: Actor,
}

impl axum::extract::FromRequest<AppState> for Submission {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let ConsoleActing { user, actor } =
            ConsoleActing::from_request_parts(&mut parts, state).await?;
        let form = ConsoleForm::read(&user, Request::from_parts(parts, body)).await?;
        Ok(Submission { user, form, actor })
    }
}

/// A signed-in console user with the actor the trail records for what they change: for pages that
/// change something from a body other than a urlencoded form (an upload read as multipart, whose
/// handler checks the CSRF field itself). Strangers are sent to the sign-in page.
pub struct ConsoleActing {
    /// Who is signed in.
    pub user: Principal,
    /// Who the trail records (the user, from the client's address).
    pub actor: Actor,
}

impl FromRequestParts<AppState> for ConsoleActing {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let ConsoleUser(user) = ConsoleUser::from_request_parts(parts, state).await?;
        let client = ClientInfo::from_request_parts(parts, state)
            .await
            .map_err(|error| error_page(&error))?;
        let actor = Actor::of(&user, &client);
        Ok(ConsoleActing { user, actor })
    }
}

/// A submitted form: its fields as text, CSRF already checked against the session. A name sent more
/// than once (a group of checkboxes) holds its values joined by commas.
pub struct ConsoleForm(pub HashMap<String, String>);

impl ConsoleForm {
    /// Reads a urlencoded body and checks its `_csrf` field against the signed-in session.
    pub async fn read(principal: &Principal, request: Request) -> Result<ConsoleForm, Response> {
        let bytes = axum::body::to_bytes(request.into_body(), crate::http::BODY_LIMIT)
            .await
            .map_err(|_| error_page(&AppError::PayloadTooLarge))?;
        let mut fields: HashMap<String, String> = HashMap::new();
        for (name, value) in url::form_urlencoded::parse(&bytes).into_owned() {
            fields
                .entry(name)
                .and_modify(|earlier| {
                    earlier.push(',');
                    earlier.push_str(&value);
                })
                .or_insert(value);
        }
        principal
            .check_csrf(fields.get("_csrf").map(String::as_str))
            .map_err(|error| error_page(&error))?;
        if let Some(name) = fields.iter().find_map(|(name, value)| {
            let bad = |text: &str| text.chars().any(|c| is_forbidden_control(c, true));
            (bad(name) || bad(value)).then_some(name)
        }) {
            let name: String = name.chars().filter(|c| !c.is_control()).collect();
            return Err(error_page(&control_character_error(&name)));
        }
        Ok(ConsoleForm(fields))
    }

    /// A field's text ("" when absent).
    pub fn text(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or("")
    }

    /// Deserializes the form into an API input type, so pages and the API share one validation. Fields
    /// named in `nullable` turn from "" into null; `_csrf` and fields not in `fields` are dropped.
    pub fn parse<T: DeserializeOwned>(
        &self,
        fields: &[&str],
        nullable: &[&str],
    ) -> Result<T, Vec<FieldError>> {
        let mut object = serde_json::Map::new();
        for name in fields {
            let Some(value) = self.0.get(*name) else {
                continue;
            };
            let value = value.trim();
            let json = if value.is_empty() && nullable.contains(name) {
                serde_json::Value::Null
            } else {
                serde_json::Value::String(value.to_string())
            };
            object.insert((*name).to_string(), json);
        }
        crate::http::extract::parse_fields(&serde_json::Value::Object(object))
    }
}

/// Field errors of a failed submission, looked up by field name in templates, and whether the
/// submission was refused as a whole (not allowed, or naming nothing the reader may see), which the page
/// answers with that status rather than as a correctable form.
#[derive(Default)]
pub struct FormErrors {
    fields: Vec<FieldError>,
    refused: Option<StatusCode>,
}

impl FormErrors {
    /// The errors of fields a person can correct.
    pub fn of(fields: Vec<FieldError>) -> FormErrors {
        FormErrors {
            fields,
            refused: None,
        }
    }

    /// The message for `field`, or "".
    pub fn get(&self, field: &str) -> &str {
        self.fields
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
            .unwrap_or("")
    }

    /// Every problem as a sentence in `lang`, for the summary above a form.
    pub fn sentences(&self, lang: &Language) -> Vec<String> {
        self.fields
            .iter()
            .map(|error| sentence(error, *lang))
            .collect()
    }

    /// Every error, in the order found.
    pub fn all(&self) -> &[FieldError] {
        &self.fields
    }

    /// Whether there is any error.
    pub fn any(&self) -> bool {
        !self.fields.is_empty()
    }

    /// The status a page with these errors is answered with: 403 or 404 when the submission was refused
    /// as a whole, 422 when a field needs correcting.
    pub fn status(&self) -> StatusCode {
        if let Some(refused) = self.refused {
            refused
        } else if self.any() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        }
    }

    /// From an error of a service call: its field errors, or one general message.
    pub fn from_error(error: &AppError) -> FormErrors {
        let fields = error.field_errors();
        let refused = matches!(
            error.status(),
            StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
        )
        .then(|| error.status());
        if fields.is_empty() {
            FormErrors {
                fields: vec![FieldError::new("form", error.public_message())],
                refused,
            }
        } else {
            FormErrors { fields, refused }
        }
    }
}

/// Role options for select boxes: the roles `actor` may grant.
pub(crate) fn grantable_roles(actor: Role) -> Vec<(&'static str, &'static str)> {
    Role::ALL
        .into_iter()
        .filter(|r| actor.may_grant(*r))
        .map(|r| (r.as_str(), r.label()))
        .collect()
}

/// A local time for pages, in the company's zone and the reader's language: "7 Dec 2026, 11:59".
pub fn local_time(at: chrono::DateTime<chrono::Utc>, zone: &str, lang: Language) -> String {
    let local = at.with_timezone(&crate::clock::zone(zone));
    format!(
        "{}, {}",
        lang.day_month_year(local.date_naive()),
        local.format("%H:%M")
    )
}

/// A local clock time for pages (hours and minutes), in the company's zone.
pub fn local_clock(at: &chrono::DateTime<chrono::Utc>, zone: &str) -> String {
    at.with_timezone(&crate::clock::zone(zone))
        .format("%H:%M")
        .to_string()
}

/// Reads a `YYYY-MM-DD` date from a page's query, defaulting to `today`; a malformed date is an error
/// the page shows.
pub fn day_param(
    raw: Option<&str>,
    today: chrono::NaiveDate,
) -> Result<chrono::NaiveDate, AppError> {
    match raw.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(today),
        Some(raw) => raw.parse().map_err(|_| {
            AppError::field(
                "day",
                "Dates are written as YYYY-MM-DD, for example 2026-11-25.",
            )
        }),
    }
}

/// Remembers the page as the person's last view, so sign-in brings them back to it.
pub async fn remember_view(
    state: &AppState,
    user: &Principal,
    client: &crate::auth::ClientInfo,
    path: &str,
) {
    let Ok(view) = crate::people::domain::ConsolePath::parse(path) else {
        return;
    };
    if user.last_view.as_ref() != Some(&view) {
        let preferences = crate::people::Preferences {
            language: None,
            last_view: Some(view),
        };
        let _ = crate::people::save_preferences(
            &state.db,
            &user.scope,
            &crate::audit::Actor::of(user, client),
            preferences,
        )
        .await;
    }
}
