//! The demo company `serve --demo` creates on an empty database: an agri-inputs distributor in Pune with
//! a small field team, so every role can be tried at once.

use serde_json::json;

use crate::audit::{self, Actor, AuditEvent};
use crate::auth::{passwords, ClientInfo};
use crate::companies::domain::{CompanyName, CompanySlug, CurrencyCode, TimeZoneName};
use crate::companies::{self, NewCompany};
use crate::db::Db;
use crate::people::domain::{Email, PersonName, Role};
use crate::people::store::{self, NewPerson};

/// Sign-in code of the demo company.
pub const DEMO_SLUG: &str = "sharma-agro";

/// One demo person: name, e-mail, mobile, employee code, role, and the index of their manager.
type DemoPerson = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Role,
    Option<usize>,
);

const PEOPLE: [DemoPerson; 9] = [
    (
        "Rajesh Sharma",
        "rajesh@sharma-agro.in",
        "+919822012345",
        "SA-001",
        Role::Owner,
        None,
    ),
    (
        "Priya Nair",
        "priya.nair@sharma-agro.in",
        "+919823456781",
        "SA-002",
        Role::Admin,
        Some(0),
    ),
    (
        "Anil Kulkarni",
        "anil.kulkarni@sharma-agro.in",
        "+919850011223",
        "SA-010",
        Role::Manager,
        Some(0),
    ),
    (
        "Sunita Reddy",
        "sunita.reddy@sharma-agro.in",
        "+919849022334",
        "SA-011",
        Role::Manager,
        Some(0),
    ),
    (
        "Vikram Singh",
        "vikram.singh@sharma-agro.in",
        "+919890133445",
        "SA-101",
        Role::FieldEmployee,
        Some(2),
    ),
    (
        "Deepa Iyer",
        "deepa.iyer@sharma-agro.in",
        "+919881244556",
        "SA-102",
        Role::FieldEmployee,
        Some(2),
    ),
    (
        "Arjun Mehta",
        "arjun.mehta@sharma-agro.in",
        "+919762355667",
        "SA-103",
        Role::FieldEmployee,
        Some(2),
    ),
    (
        "Mohammed Irfan",
        "mohammed.irfan@sharma-agro.in",
        "+919848466778",
        "SA-201",
        Role::FieldEmployee,
        Some(3),
    ),
    (
        "Kavita Patil",
        "kavita.patil@sharma-agro.in",
        "+919866577889",
        "SA-202",
        Role::FieldEmployee,
        Some(3),
    ),
];

/// The demo password of a role (the demo is for trying Outfield, never for real data).
pub fn demo_password(role: Role) -> String {
    format!("{}-demo-2026", role.as_str().replace('_', "-"))
}

/// A sign-in to print.
pub struct DemoSignIn {
    /// Role.
    pub role: Role,
    /// Name.
    pub name: &'static str,
    /// E-mail.
    pub email: &'static str,
    /// Password.
    pub password: String,
}

/// Creates the demo company if the database has no company yet; returns its sign-ins (empty when the
/// database holds other companies and no demo).
pub async fn ensure_demo_company(db: &Db) -> anyhow::Result<Vec<DemoSignIn>> {
    let mut tx = db.system_read().await?;
    let (companies, demo): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN slug = $1 THEN 1 ELSE 0 END), 0) FROM companies",
    )
    .bind(DEMO_SLUG)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    if demo == 0 && companies > 0 {
        return Ok(Vec::new());
    }
    if demo == 0 {
        create(db).await?;
    }
    let sign_ins = Role::ALL
        .into_iter()
        .filter_map(|role| PEOPLE.iter().find(|p| p.4 == role))
        .map(|p| DemoSignIn {
            role: p.4,
            name: p.0,
            email: p.1,
            password: demo_password(p.4),
        })
        .collect();
    Ok(sign_ins)
}

async fn create(db: &Db) -> anyhow::Result<()> {
    let client = ClientInfo::local("outfield serve --demo");
    let mut hashes = Vec::new();
    for role in Role::ALL {
        hashes.push((role, passwords::hash(demo_password(role)).await?));
    }
    let hash_of = |role: Role| {
        hashes
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, h)| h.clone())
    };
    let owner = &PEOPLE[0];
    let created = companies::create(
        db,
        NewCompany {
            name: CompanyName::parse("Sharma Agro Distributors").map_err(anyhow::Error::msg)?,
            slug: CompanySlug::parse(DEMO_SLUG).map_err(anyhow::Error::msg)?,
            time_zone: TimeZoneName::parse("Asia/Kolkata").map_err(anyhow::Error::msg)?,
            currency: CurrencyCode::parse("INR").map_err(anyhow::Error::msg)?,
            owner_name: PersonName::parse(owner.0).map_err(anyhow::Error::msg)?,
            owner_email: Email::parse(owner.1).map_err(anyhow::Error::msg)?,
            owner_password_hash: hash_of(Role::Owner),
        },
        &client,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{}", e.public_message()))?;

    let mut tx = db.system().await?;
    let company = created.company_id.to_string();
    sqlx::query("UPDATE companies SET legal_name = $1, address = $2, gstin = $3 WHERE id = $4")
        .bind("Sharma Agro Distributors Private Limited")
        .bind("Plot 14, Market Yard, Gultekdi, Pune, Maharashtra 411037")
        .bind("27AAPFU0939F1ZV")
        .bind(&company)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE people SET mobile = $1, employee_code = $2 WHERE company_id = $3 AND id = $4",
    )
    .bind(owner.2)
    .bind(owner.3)
    .bind(&company)
    .bind(created.owner_id.to_string())
    .execute(&mut *tx)
    .await?;
    let actor = Actor::anonymous(created.company_id, None, &client);
    let mut ids = vec![created.owner_id];
    for (name, email, mobile, code, role, manager) in PEOPLE.iter().skip(1) {
        let hash = hash_of(*role);
        let person = NewPerson {
            name,
            email,
            mobile: Some(mobile),
            employee_code: Some(code),
            role: *role,
            manager_id: manager.map(|index| ids[index]),
            password_hash: hash.as_deref(),
        };
        let id = store::insert(&mut tx, created.company_id, &person).await?;
        let event = AuditEvent::new("person.invited", "person", id)
            .with(json!({ "email": email, "role": role }));
        audit::record(&mut tx, &actor, event).await?;
        ids.push(id);
    }
    tx.commit().await?;
    Ok(())
}

/// The text `serve --demo` prints.
pub fn describe(url: &str, sign_ins: &[DemoSignIn]) -> String {
    if sign_ins.is_empty() {
        return "The database already holds companies; no demo company was created.".to_string();
    }
    let mut text = format!(
        "Demo company \"Sharma Agro Distributors\" is ready.\nOpen {url}/ and sign in with company code \
         {DEMO_SLUG}:\n"
    );
    for sign_in in sign_ins {
        text.push_str(&format!(
            "  {:<15} {:<16} {:<32} password {}\n",
            sign_in.role.label(),
            sign_in.name,
            sign_in.email,
            sign_in.password
        ));
    }
    text
}
