//! The console as a browser uses it: forms, redirects, pages per role, headers.

use crate::both_backends;
use crate::helpers::{TestApp, PASSWORD};

async fn sign_in_page_signs_in_and_remembers_the_company(app: TestApp) {
    let browser = app.browser();
    let page = browser.get(app.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 303);
    assert_eq!(page.headers()["location"], "/sign-in");
    let form = browser
        .get(app.url("/sign-in"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains(r#"<label for="company">Company code</label>"#));
    let wrong = app
        .console_sign_in(&browser, &app.a.admin.email, "nope")
        .await;
    assert_eq!(wrong.status(), 401);
    assert!(wrong
        .text()
        .await
        .unwrap()
        .contains("the company, sign-in name or password is wrong"));
    let ok = app
        .console_sign_in(&browser, &app.a.admin.email, PASSWORD)
        .await;
    assert_eq!(ok.status(), 303);
    let people = browser
        .get(app.url("/console/people"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(people.contains(&app.a.field.email) && !people.contains(&app.b.field.email));
    let again = app.page(&browser, "/sign-in").await;
    assert!(
        again.contains(&format!(r#"value="{}""#, app.a.slug)),
        "company code remembered"
    );
    let home = browser.get(app.url("/")).send().await.unwrap();
    assert_eq!(
        home.headers()["location"],
        "/console/people",
        "last view restored"
    );
}

async fn pages_follow_the_role(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    for path in [
        "/console",
        "/console/people",
        "/console/people/new",
        "/console/settings",
        "/console/audit",
        "/console/account",
    ] {
        let response = admin.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
    }
    let person = admin
        .get(&format!("/console/people/{}", app.a.field.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(person.contains("Deactivate"));
    let field = app.session(&app.a, &app.a.field).await;
    for path in ["/console/people/new", "/console/settings", "/console/audit"] {
        assert_eq!(field.get(path).await.status(), 403, "{path}");
    }
    let own = field
        .get(&format!("/console/people/{}", app.a.field.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(!own.contains("Deactivate"));
    let other = field
        .get(&format!("/console/people/{}", app.a.manager.id))
        .await;
    assert_eq!(other.status(), 404);
    let foreign = admin
        .get(&format!("/console/people/{}", app.b.field.id))
        .await;
    assert_eq!(foreign.status(), 404);
}

async fn invite_form_shows_field_errors_and_keeps_input(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let before = app.snapshot().await;
    let response = admin
        .form(
            "/console/people/new",
            &[
                ("name", "Sneha Joshi"),
                ("email", "sneha@"),
                ("mobile", ""),
                ("employee_code", ""),
                ("role", "field_employee"),
                ("manager_id", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("E-mail is not a valid e-mail address"),
        "{page}"
    );
    assert!(page.contains(r#"value="Sneha Joshi""#));
    assert_eq!(app.snapshot().await, before);
    let ok = admin
        .form(
            "/console/people/new",
            &[
                ("name", "Sneha Joshi"),
                ("email", "sneha@alpha-traders.example"),
                ("mobile", "9820012345"),
                ("employee_code", "AT-77"),
                ("role", "field_employee"),
                ("manager_id", &app.a.manager.id.to_string()),
            ],
        )
        .await;
    assert_eq!(ok.status(), 200);
    let page = ok.text().await.unwrap();
    assert!(page.contains("/welcome/"), "the one-time link is shown");
    let link = page
        .split("readonly value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let welcome = reqwest::get(&link).await.unwrap().text().await.unwrap();
    assert!(welcome.contains("Sneha Joshi") && welcome.contains("Choose a password"));
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let landed = browser
        .post(&link)
        .form(&[("password", "monsoon-beat-2026")])
        .send()
        .await
        .unwrap();
    assert_eq!(landed.status(), 200);
    assert!(
        landed.url().path().starts_with("/console"),
        "setting the password signs the person in: {}",
        landed.url()
    );
    let page = landed.text().await.unwrap();
    assert!(page.contains("Signed in as Sneha Joshi"), "{page}");
}

async fn edit_and_deactivate_through_the_console(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let id = app.a.other_field.id.to_string();
    let saved = admin
        .form(
            &format!("/console/people/{id}"),
            &[
                ("name", "Renamed Person"),
                ("email", &app.a.other_field.email),
                ("mobile", ""),
                ("employee_code", "F-9"),
                ("role", "field_employee"),
                ("manager_id", &app.a.manager.id.to_string()),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let people: Vec<serde_json::Value> = admin
        .get("/api/v1/people?q=Renamed")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(people[0]["manager_id"], app.a.manager.id.to_string());
    assert!(people[0]["mobile"].is_null());
    let gone = admin
        .form(&format!("/console/people/{id}/deactivate"), &[])
        .await;
    assert_eq!(gone.status(), 303);
    let page = admin
        .get(&format!("/console/people/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Deactivated"));
}

async fn security_headers_are_set(app: TestApp) {
    let response = reqwest::get(app.url("/sign-in")).await.unwrap();
    let headers = response.headers();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'")
            && !csp.contains("unsafe-inline")
            && csp.contains("frame-ancestors 'none'")
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert_eq!(headers["x-frame-options"], "DENY");
    let html = response.text().await.unwrap();
    assert!(
        !html.contains("<script") && !html.contains("style="),
        "no inline script or style"
    );
}

/// Every console page a manager and an admin open, in Hindi once they choose it: the page says it is
/// Hindi, the frame and the page's own headings are Hindi, and no English navigation is left.
async fn the_console_speaks_hindi_once_chosen_and_before_sign_in(app: TestApp) {
    let visitor = app.browser();
    let chosen = visitor
        .get(app.url("/sign-in?lang=hi"))
        .send()
        .await
        .unwrap();
    assert!(chosen
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|cookie| cookie.to_str().unwrap().starts_with("outfield_language=hi")));
    let sign_in = chosen.text().await.unwrap();
    assert!(sign_in.contains(r#"<html lang="hi">"#) && sign_in.contains("कंपनी कोड"));
    let remembered = visitor.get(app.url("/sign-in")).send().await.unwrap();
    assert!(remembered.text().await.unwrap().contains("पासवर्ड"));
    let by_browser = app
        .browser()
        .get(app.url("/sign-in"))
        .header("accept-language", "hi-IN,hi;q=0.9,en;q=0.8")
        .send()
        .await
        .unwrap();
    assert!(by_browser.text().await.unwrap().contains("साइन इन करें"));
    let stranger = visitor.get(app.url("/no-such-page")).send().await.unwrap();
    assert_eq!(stranger.status(), 404);
    let page = stranger.text().await.unwrap();
    assert!(
        page.contains(r#"<html lang="hi">"#) && page.contains("नहीं मिला"),
        "a stranger's error page speaks the language chosen before sign-in: {page}"
    );
    let wrong = app
        .console_sign_in(&visitor, &app.a.manager.email, "not-the-password")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        wrong.contains("कंपनी कोड, साइन-इन नाम या पासवर्ड गलत है")
            && wrong.contains(&format!(r#"value="{}""#, app.a.manager.email)),
        "the error is Hindi and what was typed stays: {wrong}"
    );
    // Signing in after choosing Hindi keeps Hindi, whatever the account had saved (English here).
    let signed_in = app
        .console_sign_in(&visitor, &app.a.owner.email, crate::helpers::PASSWORD)
        .await;
    assert!(signed_in.status().is_redirection());
    let overview = app.page(&visitor, "/console").await;
    assert!(
        overview.contains(r#"<html lang="hi">"#) && overview.contains("पिछले 30 दिन"),
        "the language chosen on the sign-in page wins over the saved one"
    );
    let saved = app
        .count(&format!(
            "SELECT COUNT(*) FROM people WHERE id = '{}' AND language = 'hi'",
            app.a.owner.id
        ))
        .await;
    assert_eq!(saved, 1, "and becomes the account's");

    for member in [&app.a.manager, &app.a.admin] {
        let session = app.session(&app.a, member).await;
        let saved = session
            .form("/console/account/preferences", &[("language", "hi")])
            .await;
        assert!(saved.status().is_success() || saved.status().is_redirection());
        let mut pages = vec![
            ("/console", "पिछले 30 दिन"),
            ("/console/people", "लोग"),
            ("/console/clients", "ग्राहक जोड़ें"),
            ("/console/live", "लाइव नक्शा"),
            ("/console/attendance", "हाज़िरी"),
            ("/console/reports/activity", "गतिविधि रिपोर्ट"),
            ("/console/privacy", "व्यक्ति के अनुसार सहमति"),
            ("/console/account", "पासवर्ड बदलें"),
        ];
        let plan = format!("/console/people/{}/plan", app.a.field.id);
        let day = format!("/console/people/{}/day", app.a.field.id);
        pages.push((&plan, "योजना में ग्राहक जोड़ें"));
        pages.push((&day, "घटनाक्रम"));
        if member.role.administers() {
            pages.push(("/console/settings", "कंपनी सेटिंग्स"));
            pages.push(("/console/audit", "ऑडिट ट्रेल"));
            pages.push(("/console/settings/field-activity", "कामकाजी दिन"));
            pages.push(("/console/clients/import", "ग्राहक आयात करें"));
        }
        for (path, heading) in pages {
            let response = session.get(path).await;
            assert_eq!(response.status(), 200, "{path}");
            let html = response.text().await.unwrap();
            assert!(
                html.contains(r#"<html lang="hi">"#),
                "{path} says it is Hindi"
            );
            assert!(html.contains(heading), "{path} shows “{heading}”");
            assert!(
                html.contains("अवलोकन") && html.contains("साइन आउट"),
                "{path} has the Hindi frame"
            );
            for english in [">Overview<", ">Sign out<", ">Search<", ">Save<", ">Filter<"] {
                assert!(!html.contains(english), "{path} still shows {english}");
            }
        }
    }
}

/// The people list and the attendance register show 50 rows a page with the true count, the pages
/// together cover everyone exactly once, and filters stay in the pager's links.
async fn people_and_attendance_page_with_true_counts(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    for n in 0..60 {
        let response = admin
            .post(
                "/api/v1/people",
                serde_json::json!({ "name": format!("Paged Person {n:02}"), "email": format!("paged{n}@alpha.example"), "role": "field_employee" }),
            )
            .await;
        assert_eq!(response.status(), 201);
    }
    let total = app
        .count(&format!(
            "SELECT COUNT(*) FROM people WHERE company_id = '{}' AND deactivated_at IS NULL",
            app.a.company_id
        ))
        .await;
    let first = admin.get("/console/people").await.text().await.unwrap();
    assert!(
        first.contains(&format!("People 1–50 of {total}")),
        "{first}"
    );
    assert!(
        first.contains(r#"href="?q=&#38;status=active&#38;page=2""#),
        "{first}"
    );
    let second = admin
        .get("/console/people?status=active&page=2")
        .await
        .text()
        .await
        .unwrap();
    assert!(second.contains(&format!("People 51–{total} of {total}")));
    let seen: usize = [&first, &second]
        .iter()
        .map(|page| page.matches("Paged Person").count())
        .sum();
    assert_eq!(seen, 60, "every person on exactly one page");
    let beyond = admin
        .get("/console/people?page=99")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        beyond.contains(&format!("People 51–{total} of {total}")),
        "a page past the end shows the last"
    );
    let searched = admin
        .get("/console/people?q=paged+person+0")
        .await
        .text()
        .await
        .unwrap();
    assert!(searched.contains("People 1–10 of 10"), "{searched}");
    let register = admin.get("/console/attendance").await.text().await.unwrap();
    let on_register: usize = register
        .split("people 1–50 of ")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .and_then(|n| n.parse().ok())
        .expect("the register's first page says how many people it has");
    assert!(on_register > 50, "{register}");
    let register_two = admin
        .get("/console/attendance?page=2")
        .await
        .text()
        .await
        .unwrap();
    assert!(register_two.contains(&format!("people 51–{on_register} of {on_register}")));
    assert!(
        register_two.contains("Paged Person 59"),
        "the second page holds the rest"
    );
}

async fn company_labels_read_in_each_language(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let types = [
        ("client_types", "Retailer\nStockist\nNursery"),
        ("client_types_hi", "खुदरा विक्रेता\n\nनर्सरी\nएक और"),
    ];
    let refused = admin.form("/console/settings/clients", &types).await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains("4 lines for 3 labels"), "{page}");
    assert!(page.contains("एक और"), "what was typed stays");
    let types = [types[0], ("client_types_hi", "खुदरा विक्रेता\n\nनर्सरी")];
    let saved = admin.form("/console/settings/clients", &types).await;
    assert_eq!(saved.status(), 200);
    let page = saved.text().await.unwrap();
    assert!(page.contains("खुदरा विक्रेता\n\nनर्सरी</textarea>"), "{page}");

    let outcomes = [
        ("day_1", "on"),
        ("work_start_minute", "09:00"),
        ("work_end_minute", "18:00"),
        ("late_after_minutes", "10"),
        ("auto_end_minute", ""),
        ("fix_interval_seconds", "60"),
        ("visit_radius_m", "150"),
        ("fix_retention_days", "30"),
        ("silence_alert_minutes", "30"),
        ("still_alert_minutes", "60"),
        ("visit_outcomes", "Order taken\nSamples given"),
        ("visit_outcomes_hi", "ऑर्डर लिया\nनमूने दिए"),
    ];
    let saved = admin
        .form("/console/settings/field-activity", &outcomes)
        .await;
    assert_eq!(saved.status(), 200);
    assert!(saved
        .text()
        .await
        .unwrap()
        .contains("ऑर्डर लिया\nनमूने दिए</textarea>"));

    let field = app.session(&app.a, &app.a.field).await;
    let created = field
        .post(
            "/api/v1/clients",
            serde_json::json!({ "name": "Green Leaf Nursery", "client_type": "Nursery" }),
        )
        .await;
    assert_eq!(created.status(), 201);
    let api: serde_json::Value = field.get("/api/v1/clients").await.json().await.unwrap();
    assert_eq!(
        api[0]["client_type"], "Nursery",
        "the stored value stays the label"
    );
    let english = field.get("/console/clients").await.text().await.unwrap();
    assert!(english.contains("<td>Nursery</td>") && !english.contains("नर्सरी"));
    field
        .form("/console/account/preferences", &[("language", "hi")])
        .await;
    let hindi = field.get("/console/clients").await.text().await.unwrap();
    assert!(hindi.contains("<td>नर्सरी</td>"), "{hindi}");

    let activity: serde_json::Value = field
        .get("/api/v1/company/activity-settings")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(activity["visit_outcomes"][0], "Order taken");
    assert_eq!(
        activity["visit_outcome_wordings"]["hi"]["Order taken"],
        "ऑर्डर लिया"
    );
    assert_eq!(
        activity["visit_outcome_wordings"]["hi"]["Samples given"],
        "नमूने दिए"
    );

    let outsider = app.session(&app.b, &app.b.admin).await;
    let other: serde_json::Value = outsider
        .get("/api/v1/company/activity-settings")
        .await
        .json()
        .await
        .unwrap();
    let wordings = other["visit_outcome_wordings"]["hi"].to_string();
    assert!(
        !wordings.contains("ऑर्डर लिया") && !wordings.contains("नमूने दिए"),
        "another company's wordings never show: {wordings}"
    );
    let page = outsider
        .get("/console/settings/clients")
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("नर्सरी"));
}

async fn notice(session: &crate::helpers::Session) -> serde_json::Value {
    session
        .get("/api/v1/privacy/notice")
        .await
        .json()
        .await
        .unwrap()
}

async fn the_privacy_notice_is_published_per_language(app: TestApp) {
    let field = app.session(&app.a, &app.a.field).await;
    let built_in = notice(&field).await;
    assert_eq!(built_in["version"], 1);
    assert!(built_in["translations"]["hi"]
        .as_str()
        .unwrap()
        .contains("केवल तब दर्ज होता है जब आप ड्यूटी पर हों"));

    let admin = app.session(&app.a, &app.a.admin).await;
    let english = "Version two: location only on duty, photos only when you take them.";
    let short = admin
        .form(
            "/console/privacy",
            &[("body", english), ("body_hi", "बहुत छोटा")],
        )
        .await;
    assert_eq!(short.status(), 422);
    let page = short.text().await.unwrap();
    assert!(
        page.contains("The Hindi notice must be 20–20,000 characters"),
        "{page}"
    );
    assert!(
        page.contains(english) && page.contains("बहुत छोटा"),
        "what was typed stays"
    );
    assert_eq!(notice(&field).await["version"], 1, "nothing was published");

    let hindi = "संस्करण दो: स्थान केवल ड्यूटी पर, फ़ोटो केवल जब आप लें।";
    let published = admin
        .form("/console/privacy", &[("body", english), ("body_hi", hindi)])
        .await;
    assert!(
        published.status().is_redirection(),
        "{}",
        published.status()
    );
    let current = notice(&field).await;
    assert_eq!(current["version"], 2);
    assert_eq!(current["body"], english);
    assert_eq!(current["translations"]["hi"], hindi);
    let page = admin.get("/console/privacy").await.text().await.unwrap();
    assert!(
        page.contains(hindi),
        "the form shows the Hindi text to edit"
    );

    let unknown = admin
        .send(
            reqwest::Method::PUT,
            "/api/v1/privacy/notice",
            Some(serde_json::json!({ "body": english, "translations": { "xx": hindi } })),
        )
        .await;
    assert_eq!(unknown.status(), 422);
    let english_only = admin
        .send(
            reqwest::Method::PUT,
            "/api/v1/privacy/notice",
            Some(serde_json::json!({ "body": "Version three, in English only for now." })),
        )
        .await;
    assert_eq!(english_only.status(), 200);
    let three = notice(&field).await;
    assert_eq!(
        (three["version"].clone(), three["translations"].clone()),
        (serde_json::json!(3), serde_json::json!({}))
    );
    let other = app.session(&app.b, &app.b.field).await;
    assert_eq!(
        notice(&other).await["version"],
        1,
        "another company's notice is its own"
    );
}

both_backends!(
    the_privacy_notice_is_published_per_language,
    company_labels_read_in_each_language,
    sign_in_page_signs_in_and_remembers_the_company,
    people_and_attendance_page_with_true_counts,
    the_console_speaks_hindi_once_chosen_and_before_sign_in,
    pages_follow_the_role,
    invite_form_shows_field_errors_and_keeps_input,
    edit_and_deactivate_through_the_console,
    security_headers_are_set,
);
