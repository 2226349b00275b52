//! Console pages of sign-in, sign-out, setting a password through a link, and one's own account.

use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;

use crate::auth::links::{self, LinkInfo, LinkPurpose};
use crate::auth::principal::presented_session;
use crate::auth::sign_in::{self, Attempt, Credentials};
use crate::auth::tokens::constant_time_eq;
use crate::auth::{sessions, sign_in_devices, ClientInfo, Principal};
use crate::console::{
    chosen_language, error_page, forget_chosen_language, remembered_cookie, render,
    visitor_language, ConsoleUser, FormErrors, Frame, Submission,
};
use crate::error::AppError;
use crate::people::domain::{Language, NewPassword};
use crate::people::{self, Preferences};
use crate::state::AppState;

/// Remembers the company code between visits so people type it once.
const COMPANY_COOKIE: &str = "outfield_company";

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/welcome/{token}", get(welcome_page).post(set_password))
        .route("/console/account", get(account_page))
        .route("/console/account/preferences", post(save_preferences))
        .route("/console/account/password", post(change_password))
        .route(
            "/console/account/sign-out-everywhere",
            post(sign_out_everywhere),
        )
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    lang: Language,
    title: &'static str,
    company: String,
    login: String,
    error: String,
    csrf: String,
}

/// Guards the sign-in form against login CSRF (a page elsewhere signing the visitor in to an account of
/// the attacker's): the form carries a token that must equal this cookie's, which a cross-site request
/// neither sends (SameSite=Strict) nor can read.
const SIGN_IN_CSRF_COOKIE: &str = "outfield_sign_in";

/// The sign-in page with a fresh form token, its cookie set.
fn sign_in_form(
    (jar, lang): (CookieJar, Language),
    secure: bool,
    (company, login, error): (String, String, String),
) -> (CookieJar, Response) {
    let csrf = crate::auth::tokens::new_token();
    let cookie = Cookie::build((SIGN_IN_CSRF_COOKIE, csrf.clone()))
        .path("/sign-in")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .build();
    let page = render(&SignInPage {
        lang,
        title: "Sign in",
        company,
        login,
        error,
        csrf,
    });
    (jar.add(cookie), page)
}

/// The sign-in page's language choice (`?lang=hi`), offered before anyone has signed in.
#[derive(serde::Deserialize)]
struct LanguageChoice {
    lang: Option<String>,
}

async fn sign_in_page(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    Query(choice): Query<LanguageChoice>,
) -> Response {
    let company = jar
        .get(COMPANY_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    let secure = state.config.secure_cookies;
    let visitor = visitor_language(jar, &headers, choice.lang.as_deref(), secure);
    sign_in_form(visitor, secure, (company, String::new(), String::new())).into_response()
}

async fn sign_in(
    State(state): State<AppState>,
    client: ClientInfo,
    jar: CookieJar,
    request: Request,
) -> Response {
    let secure = state.config.secure_cookies;
    let (jar, lang) = visitor_language(jar, request.headers(), None, secure);
    let bytes = match axum::body::to_bytes(request.into_body(), crate::http::BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => return error_page(&AppError::PayloadTooLarge),
    };
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(&bytes).into_owned().collect();
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let (company, login, remember) = (field("company"), field("login"), field("remember") == "on");
    let expected = jar.get(SIGN_IN_CSRF_COOKIE).map(|c| c.value().to_string());
    let form_is_ours = expected.is_some_and(|token| constant_time_eq(&token, &field("_csrf")));
    if !form_is_ours {
        let error = lang
            .tr("This sign-in form has expired. Please sign in again.")
            .to_string();
        let (jar, page) = sign_in_form((jar, lang), secure, (company, login, error));
        return (StatusCode::FORBIDDEN, jar, page).into_response();
    }
    let credentials = Credentials {
        company: company.clone(),
        login: login.clone(),
        password: field("password"),
    };
    let attempt = Attempt {
        client: &client,
        device: sign_in_devices::presented(&jar),
    };
    let outcome = match sign_in::verify(&state.db, credentials, attempt).await {
        Ok(verified) => {
            sign_in::start_session(
                &state.db,
                verified,
                (remember, chosen_language(&jar)),
                presented_session(&jar),
                &client,
            )
            .await
        }
        Err(error) => Err(error),
    };
    match outcome {
        Ok((session, device)) => {
            let jar = signed_in(jar, (session.token, device), &company, remember, secure);
            (jar, Redirect::to("/")).into_response()
        }
        Err(
            error @ (AppError::BadCredentials | AppError::TooManyRequests(_) | AppError::Busy(_)),
        ) => {
            let message = match &error {
                AppError::TooManyRequests(seconds) => {
                    lang.tr1("too many attempts; try again in {} s", seconds)
                }
                AppError::Busy(seconds) => {
                    lang.tr1("the server is busy; try again in {} s", seconds)
                }
                other => lang.tr(&other.public_message()).to_string(),
            };
            let (jar, page) = sign_in_form((jar, lang), secure, (company, login, message));
            (error.status(), jar, page).into_response()
        }
        Err(error) => error_page(&error),
    }
}

/// The cookies of a console session just started: the session, the sign-in device, and the company code
/// the sign-in form offers next time.
fn signed_in(
    jar: CookieJar,
    (session, device): (String, String),
    company: &str,
    remember: bool,
    secure: bool,
) -> CookieJar {
    let remembered = remembered_cookie(COMPANY_COOKIE, company.trim().to_lowercase(), secure);
    // The language chosen on the sign-in page is the account's now; kept in the browser it would
    // override a later change in the account, or the next person signing in on this browser.
    forget_chosen_language(jar)
        .add(sessions::cookie(session, remember, secure))
        .add(sign_in_devices::cookie(device, secure))
        .add(remembered)
        .remove(Cookie::build(SIGN_IN_CSRF_COOKIE).path("/sign-in"))
}

async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
    Submission { user, actor, .. }: Submission,
) -> Response {
    match crate::auth::sign_out(&state.db, &user, &actor).await {
        Ok(()) => (
            jar.add(sessions::removal_cookie()),
            Redirect::to("/sign-in"),
        )
            .into_response(),
        Err(error) => error_page(&error),
    }
}

#[derive(Template)]
#[template(path = "welcome.html")]
struct WelcomePage {
    lang: Language,
    title: &'static str,
    info: Option<LinkInfo>,
    is_invite: bool,
    error: String,
}

fn welcome(lang: Language, info: Option<LinkInfo>, error: String) -> Response {
    let is_invite = info
        .as_ref()
        .is_some_and(|i| i.purpose == LinkPurpose::Invite);
    let title = if is_invite {
        "Welcome to Outfield"
    } else {
        "Set a new password"
    };
    render(&WelcomePage {
        lang,
        title,
        info,
        is_invite,
        error,
    })
}

async fn welcome_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    jar: CookieJar,
    headers: HeaderMap,
) -> Response {
    let (_, lang) = visitor_language(jar, &headers, None, state.config.secure_cookies);
    match links::inspect(&state.db, &token).await {
        Ok(info) => welcome(lang, Some(info), String::new()),
        Err(AppError::NotFound) => link_gone(lang),
        Err(error) => error_page(&error),
    }
}

fn link_gone(lang: Language) -> Response {
    let message =
        "This link is not valid any more: it was used, it expired, or a newer one was made. \
                   Ask an administrator of your company for a new one.";
    (
        axum::http::StatusCode::NOT_FOUND,
        welcome(lang, None, lang.tr(message).to_string()),
    )
        .into_response()
}

async fn set_password(
    State(state): State<AppState>,
    client: ClientInfo,
    Path(token): Path<String>,
    jar: CookieJar,
    request: Request,
) -> Response {
    let (jar, lang) = visitor_language(jar, request.headers(), None, state.config.secure_cookies);
    let bytes = axum::body::to_bytes(request.into_body(), crate::http::BODY_LIMIT)
        .await
        .unwrap_or_default();
    let password = url::form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let typed = password.clone();
    let password = match NewPassword::parse(&password) {
        Ok(password) => password,
        Err(message) => {
            return match links::inspect(&state.db, &token).await {
                Ok(info) => {
                    let error = lang.tr1("The password {}.", lang.tr(&message));
                    welcome(lang, Some(info), error)
                }
                Err(_) => link_gone(lang),
            }
        }
    };
    match links::redeem(&state.db, &token, password, &client).await {
        Ok(info) => sign_in_with_new_password(&state, &client, jar, &info, typed).await,
        Err(AppError::NotFound) => link_gone(lang),
        Err(error) => error_page(&error),
    }
}

/// Signs the person in with the password they have just set, as the sign-in form would (same checks,
/// same audit entry), so that a new owner lands in the console instead of on an empty sign-in form.
async fn sign_in_with_new_password(
    state: &AppState,
    client: &ClientInfo,
    jar: CookieJar,
    info: &LinkInfo,
    password: String,
) -> Response {
    let credentials = Credentials {
        company: info.company.clone(),
        login: info.email.clone(),
        password,
    };
    let attempt = Attempt {
        client,
        device: sign_in_devices::presented(&jar),
    };
    let outcome = match sign_in::verify(&state.db, credentials, attempt).await {
        Ok(verified) => {
            sign_in::start_session(
                &state.db,
                verified,
                (false, chosen_language(&jar)),
                presented_session(&jar),
                client,
            )
            .await
        }
        Err(error) => Err(error),
    };
    match outcome {
        Ok((session, device)) => {
            let secure = state.config.secure_cookies;
            let jar = signed_in(jar, (session.token, device), &info.company, false, secure);
            (jar, Redirect::to("/")).into_response()
        }
        Err(_) => Redirect::to("/sign-in").into_response(),
    }
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    frame: Frame,
    language: &'static str,
    notice: String,
    errors: FormErrors,
}

fn account(user: &Principal, notice: &str, errors: FormErrors) -> Response {
    render(&AccountPage {
        frame: Frame::new(user, "Your account", "account"),
        language: user.language.as_str(),
        notice: user.language.tr(notice).to_string(),
        errors,
    })
}

async fn account_page(ConsoleUser(user): ConsoleUser) -> Response {
    account(&user, "", FormErrors::default())
}

async fn save_preferences(
    State(state): State<AppState>,
    Submission { user, form, actor }: Submission,
) -> Response {
    let preferences: Preferences = match form.parse(&["language"], &[]) {
        Ok(preferences) => preferences,
        Err(errors) => return account(&user, "", FormErrors::of(errors)),
    };
    match people::save_preferences(&state.db, &user.scope, &actor, preferences).await {
        Ok(()) => Redirect::to("/console/account").into_response(),
        Err(error) => account(&user, "", FormErrors::from_error(&error)),
    }
}

async fn change_password(
    State(state): State<AppState>,
    Submission { user, form, actor }: Submission,
) -> Response {
    let new = match NewPassword::parse(form.text("new_password")) {
        Ok(new) => new,
        Err(message) => {
            return account(
                &user,
                "",
                FormErrors::of(vec![crate::error::FieldError::new("new_password", message)]),
            )
        }
    };
    let current = form.text("current_password").to_string();
    match crate::auth::change_password(&state.db, &user, &actor, current, new).await {
        Ok(()) => account(
            &user,
            "Password changed. Every other session and device was signed out.",
            FormErrors::default(),
        ),
        Err(error) => account(&user, "", FormErrors::from_error(&error)),
    }
}

async fn sign_out_everywhere(
    State(state): State<AppState>,
    Submission { user, actor, .. }: Submission,
) -> Response {
    match crate::auth::sign_out_everywhere(&state.db, &user, &actor).await {
        Ok(()) => account(
            &user,
            "Every other session and device was signed out.",
            FormErrors::default(),
        ),
        Err(error) => error_page(&error),
    }
}
