//! Sign-in, sessions, device tokens, CSRF, brute-force limits, links and deactivation.

use reqwest::Method;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{problem, TestApp, PASSWORD};

async fn session_cookie_is_http_only_and_same_site(app: TestApp) {
    let response = app
        .browser()
        .post(app.url("/api/v1/sessions"))
        .json(&json!({ "company": app.a.slug, "login": app.a.admin.email, "password": PASSWORD, "remember": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_string())
        .find(|c| c.starts_with("outfield_session="))
        .expect("a session cookie is set");
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
            && cookie.contains("Max-Age="),
        "{cookie}"
    );
    let signed_in = app.audit_count("auth.signed_in").await;
    assert_eq!(signed_in, 1);
}

async fn sign_in_with_mobile_number(app: TestApp) {
    let response = app
        .sign_in_attempt(&app.browser(), &app.a.slug, "98000 00002", PASSWORD)
        .await;
    assert_eq!(response.status(), 201);
}

async fn wrong_credentials_get_one_answer(app: TestApp) {
    let client = app.browser();
    for (company, login, password) in [
        (
            app.a.slug.as_str(),
            app.a.admin.email.as_str(),
            "wrong password!",
        ),
        (
            app.a.slug.as_str(),
            "nobody@alpha-traders.example",
            PASSWORD,
        ),
        ("no-such-company", app.a.admin.email.as_str(), PASSWORD),
        (app.b.slug.as_str(), app.a.admin.email.as_str(), PASSWORD),
    ] {
        let response = app.sign_in_attempt(&client, company, login, password).await;
        assert_eq!(response.status(), 401);
        let body = problem(response).await;
        assert_eq!(body["type"], "/problems/bad-credentials");
        assert_eq!(
            body["title"],
            "the company, sign-in name or password is wrong"
        );
    }
    let failures = app.audit_count("auth.sign_in_failed").await;
    assert_eq!(
        failures, 3,
        "attempts on a known company are audited in that company"
    );
}

async fn signing_in_again_rotates_the_session(app: TestApp) {
    let session = app.session(&app.a, &app.a.admin).await;
    let old_cookie = app.count("SELECT COUNT(*) FROM sessions").await;
    assert_eq!(old_cookie, 1);
    let response = app
        .sign_in_attempt(&session.client, &app.a.slug, &app.a.admin.email, PASSWORD)
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions").await,
        1,
        "the presented session was ended"
    );
    assert_eq!(session.get("/api/v1/me").await.status(), 200);
}

async fn sign_out_ends_the_session(app: TestApp) {
    let session = app.session(&app.a, &app.a.manager).await;
    assert_eq!(session.get("/api/v1/me").await.status(), 200);
    let response = session
        .send(Method::DELETE, "/api/v1/sessions/current", None)
        .await;
    assert_eq!(response.status(), 204);
    assert_eq!(session.get("/api/v1/me").await.status(), 401);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

async fn sign_out_everywhere_keeps_only_the_current_session(app: TestApp) {
    let first = app.session(&app.a, &app.a.field).await;
    let second = app.session(&app.a, &app.a.field).await;
    let device = app.device(&app.a, &app.a.field).await;
    let response = first
        .post("/api/v1/sessions/sign-out-everywhere", json!({}))
        .await;
    assert_eq!(response.status(), 204);
    assert_eq!(first.get("/api/v1/me").await.status(), 200);
    assert_eq!(second.get("/api/v1/me").await.status(), 401);
    assert_eq!(device.get("/api/v1/me").await.status(), 401);
}

async fn csrf_token_is_required_for_cookie_requests(app: TestApp) {
    let session = app.session(&app.a, &app.a.admin).await;
    let without = session
        .client
        .patch(app.url("/api/v1/company"))
        .json(&json!({ "name": "Hijacked" }))
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), 403);
    assert_eq!(problem(without).await["type"], "/problems/csrf");
    let wrong = session
        .client
        .patch(app.url("/api/v1/company"))
        .header("x-csrf-token", "not-the-token")
        .json(&json!({ "name": "Hijacked" }))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    let console = session
        .client
        .post(app.url("/console/settings"))
        .form(&[("name", "Hijacked")])
        .send()
        .await
        .unwrap();
    assert_eq!(console.status(), 403);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM companies WHERE name = 'Hijacked'")
            .await,
        0
    );
    let with = session
        .patch("/api/v1/company", json!({ "name": "Alpha Traders Ltd" }))
        .await;
    assert_eq!(with.status(), 200);
}

async fn device_tokens_authenticate_and_can_be_revoked(app: TestApp) {
    let (device_id, token) = app.device_token(&app.a, &app.a.field).await;
    let client = reqwest::Client::new();
    let me = client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let listed = app.session(&app.a, &app.a.admin).await;
    let devices: serde_json::Value = listed
        .get(&format!("/api/v1/people/{}/devices", app.a.field.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(devices[0]["id"], device_id.to_string());
    assert_eq!(devices[0]["label"], "Redmi Note 12");
    assert!(devices[0].get("token").is_none());
    let revoke = listed
        .send(
            Method::DELETE,
            &format!("/api/v1/people/{}/devices/{device_id}", app.a.field.id),
            None,
        )
        .await;
    assert_eq!(revoke.status(), 204);
    let me = client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 401);
    assert_eq!(problem(me).await["type"], "/problems/unauthorized");
}

async fn deactivation_ends_sessions_and_device_tokens_at_once(app: TestApp) {
    let session = app.session(&app.a, &app.a.field).await;
    let device = app.device(&app.a, &app.a.field).await;
    let admin = app.session(&app.a, &app.a.admin).await;
    let response = admin
        .post(
            &format!("/api/v1/people/{}/deactivate", app.a.field.id),
            json!({}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let person: serde_json::Value = response.json().await.unwrap();
    assert!(person["deactivated_at"].is_string());
    assert_eq!(session.get("/api/v1/me").await.status(), 401);
    assert_eq!(device.get("/api/v1/me").await.status(), 401);
    let again = app
        .sign_in_attempt(&app.browser(), &app.a.slug, &app.a.field.email, PASSWORD)
        .await;
    assert_eq!(again.status(), 401);
    let kept = app
        .count(&format!(
            "SELECT COUNT(*) FROM people WHERE id = '{}'",
            app.a.field.id
        ))
        .await;
    assert_eq!(kept, 1, "the person's record is kept");
    let audit = app.audit_count("person.deactivated").await;
    assert_eq!(audit, 1);
}

async fn repeated_failures_are_slowed_then_refused(app: TestApp) {
    let client = app.browser();
    let attempt = |password: &'static str| {
        client
            .post(app.url("/api/v1/sessions"))
            .json(&json!({ "company": app.a.slug, "login": app.a.manager.email, "password": password }))
            .send()
    };
    for _ in 0..5 {
        assert_eq!(attempt("wrong password!").await.unwrap().status(), 401);
    }
    let limited = attempt("wrong password!").await.unwrap();
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    assert_eq!(
        problem(limited).await["type"],
        "/problems/too-many-requests"
    );
    // Even the right password waits out the delay on a device the person never signed in from, so
    // guessing gains nothing from it.
    assert_eq!(attempt(PASSWORD).await.unwrap().status(), 429);
    // Other people of the same company are not affected.
    let other = app
        .sign_in_attempt(&client, &app.a.slug, &app.a.admin.email, PASSWORD)
        .await;
    assert_eq!(other.status(), 201);
}

async fn the_hourly_cap_refuses_an_account_for_at_most_an_hour(app: TestApp) {
    let key = format!("person:{}:{}", app.a.company_id, app.a.manager.id);
    app.record_failures(&key, 100, 3_000_000).await;
    let response = app
        .sign_in_attempt(&app.browser(), &app.a.slug, &app.a.manager.email, PASSWORD)
        .await;
    assert_eq!(response.status(), 429);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry <= 3600 && retry > 500, "retry after {retry} s");
}

async fn invitation_link_sets_the_first_password_once(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let response = admin
        .post("/api/v1/people", json!({ "name": "Ravi Kumar", "email": "ravi@alpha-traders.example", "role": "field_employee" }))
        .await;
    assert_eq!(response.status(), 201);
    let invited: serde_json::Value = response.json().await.unwrap();
    let link = invited["link"].as_str().unwrap();
    let token = link.rsplit('/').next().unwrap();
    assert!(link.starts_with("http://127.0.0.1:"));
    let client = reqwest::Client::new();
    let info: serde_json::Value = client
        .get(app.url(&format!("/api/v1/links/{token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["purpose"], "invite");
    assert_eq!(info["company"], app.a.slug);
    let short = client
        .post(app.url(&format!("/api/v1/links/{token}")))
        .json(&json!({ "password": "short" }))
        .send()
        .await
        .unwrap();
    assert_eq!(short.status(), 422);
    let set = client
        .post(app.url(&format!("/api/v1/links/{token}")))
        .json(&json!({ "password": "a long enough secret" }))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let reuse = client
        .post(app.url(&format!("/api/v1/links/{token}")))
        .json(&json!({ "password": "another long secret" }))
        .send()
        .await
        .unwrap();
    assert_eq!(reuse.status(), 404);
    let sign_in = app
        .browser()
        .post(app.url("/api/v1/sessions"))
        .json(&json!({ "company": app.a.slug, "login": "ravi@alpha-traders.example", "password": "a long enough secret" }))
        .send()
        .await
        .unwrap();
    assert_eq!(sign_in.status(), 201);
    let stored = app
        .admin_sql("SELECT password_hash FROM people WHERE email = 'ravi@alpha-traders.example'")
        .await;
    let hash: String = sqlx::Row::try_get(&stored[0], 0).unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
}

async fn reset_link_signs_the_person_out_everywhere(app: TestApp) {
    let victim = app.session(&app.a, &app.a.field).await;
    let admin = app.session(&app.a, &app.a.admin).await;
    let response = admin
        .post(
            &format!("/api/v1/people/{}/reset-link", app.a.field.id),
            json!({}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let link: serde_json::Value = response.json().await.unwrap();
    let token = link["link"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let set = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/links/{token}")))
        .json(&json!({ "password": "brand new secret 1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    assert_eq!(victim.get("/api/v1/me").await.status(), 401);
}

async fn password_change_checks_the_current_one(app: TestApp) {
    let session = app.session(&app.a, &app.a.manager).await;
    let other = app.session(&app.a, &app.a.manager).await;
    let wrong = session
        .post(
            "/api/v1/me/password",
            json!({ "current_password": "nope", "new_password": "new secret value" }),
        )
        .await;
    assert_eq!(wrong.status(), 422);
    assert_eq!(
        problem(wrong).await["errors"][0]["field"],
        "current_password"
    );
    let ok = session
        .post(
            "/api/v1/me/password",
            json!({ "current_password": PASSWORD, "new_password": "new secret value" }),
        )
        .await;
    assert_eq!(ok.status(), 204);
    assert_eq!(session.get("/api/v1/me").await.status(), 200);
    assert_eq!(other.get("/api/v1/me").await.status(), 401);
}

async fn preferences_are_remembered(app: TestApp) {
    let session = app.session(&app.a, &app.a.field).await;
    let saved = session
        .patch(
            "/api/v1/me/preferences",
            json!({ "language": "hi", "last_view": "/console/people" }),
        )
        .await;
    assert_eq!(saved.status(), 204);
    let me: serde_json::Value = app
        .session(&app.a, &app.a.field)
        .await
        .get("/api/v1/me")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["language"], "hi");
    assert_eq!(me["last_view"], "/console/people");
    let bad = session
        .patch(
            "/api/v1/me/preferences",
            json!({ "last_view": "https://evil.example/" }),
        )
        .await;
    assert_eq!(bad.status(), 422);
}

both_backends!(
    session_cookie_is_http_only_and_same_site,
    sign_in_with_mobile_number,
    wrong_credentials_get_one_answer,
    signing_in_again_rotates_the_session,
    sign_out_ends_the_session,
    sign_out_everywhere_keeps_only_the_current_session,
    csrf_token_is_required_for_cookie_requests,
    device_tokens_authenticate_and_can_be_revoked,
    deactivation_ends_sessions_and_device_tokens_at_once,
    repeated_failures_are_slowed_then_refused,
    the_hourly_cap_refuses_an_account_for_at_most_an_hour,
    invitation_link_sets_the_first_password_once,
    reset_link_signs_the_person_out_everywhere,
    password_change_checks_the_current_one,
    preferences_are_remembered,
);
