//! The demo company `serve --demo` creates on an empty database: an agri-inputs distributor in Pune with
//! a small field team, so every role can be tried at once.

use chrono::Datelike;
use outfield_core::ids::{ClientId, CompanyId, PersonId, VisitId};
use serde_json::json;

use outfield_core::audit::{self, Actor, AuditEvent};
use outfield_core::auth::{passwords, ClientInfo};
use outfield_core::clock::{DAY_MS, MINUTE_MS};
use outfield_core::companies::domain::{CompanyName, CompanySlug, CurrencyCode, TimeZoneName};
use outfield_core::companies::{self, NewCompany};
use outfield_core::db::Db;
use outfield_core::people::domain::{Email, PersonName, PhoneNumber, Role};
use outfield_core::people::store::{self, NewPerson};

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
    .bind(created.owner_id)
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
        let event = AuditEvent::new(outfield_core::audit::actions::PERSON_INVITED, id)
            .with(json!({ "email": email, "role": role }));
        audit::record(&mut tx, &actor, event).await?;
        ids.push(id);
    }
    // The team has worked together for a while: everyone joined before the demo's history begins.
    sqlx::query("UPDATE people SET created_at = $1 WHERE company_id = $2")
        .bind(outfield_core::clock::now_ms() - (HISTORY_DAYS + 30) * DAY_MS)
        .bind(&company)
        .execute(&mut *tx)
        .await?;
    field_day(&mut tx, created.company_id, &ids).await?;
    tx.commit().await?;
    outfield_field::exceptions::sweep(db, outfield_core::clock::now_ms()).await?;
    Ok(())
}

/// A demo client: name, type, territory, metres north and east of Market Yard, and which demo person
/// (index into `PEOPLE`) owns it.
type DemoClient = (&'static str, &'static str, &'static str, f64, f64, usize);

/// The demo clients' counter phones and shop addresses, in the order of [`CLIENTS`].
const CLIENT_CONTACTS: [(&str, &str); 8] = [
    (
        "+919822140211",
        "Shop 3, Gadital Chowk, Hadapsar, Pune 411028",
    ),
    (
        "+919850377412",
        "Near Vaiduwadi bus stop, Solapur Road, Hadapsar, Pune 411028",
    ),
    ("+919881203345", "Survey 42, Kondhwa Budruk, Pune 411048"),
    (
        "+919763118890",
        "Opposite Kondhwa Khurd gram panchayat, Pune 411048",
    ),
    ("+919422056677", "Katraj Dairy Road, Katraj, Pune 411046"),
    (
        "+919890445566",
        "Ambegaon Phata, Katraj-Dehu Road, Pune 411046",
    ),
    ("+919765432109", "Upper Indiranagar, Bibwewadi, Pune 411037"),
    (
        "+919823334455",
        "Near Swargate ST stand, Shankarsheth Road, Pune 411042",
    ),
];

/// Outcomes and notes of demo visits, taken in turn, so that a day reads like a salesman's.
const VISIT_REPORTS: [(&str, &str); 8] = [
    (
        "Order taken",
        "Ordered 40 bags of DAP and 20 of urea for the kharif season",
    ),
    (
        "Order taken",
        "Repeat order: 15 cartons of chlorpyriphos 500 ml, delivery before Friday",
    ),
    (
        "Payment collected",
        "Collected ₹18,500 against last month's invoice; cheque to be deposited today",
    ),
    (
        "Follow-up needed",
        "Owner away at the APMC; come back on Thursday for the rabi seed order",
    ),
    (
        "No order",
        "Enough stock from last week; showed the new hybrid tomato seed range",
    ),
    (
        "Order taken",
        "Booked 10 bags of 10:26:26 and 5 of potash; asked about the dealer scheme",
    ),
    (
        "Payment collected",
        "Part payment of ₹7,000 in cash; balance promised next visit",
    ),
    (
        "Shop closed",
        "Shop shut for a family function; spoke to the owner on the phone",
    ),
];

const CLIENTS: [DemoClient; 8] = [
    (
        "Shree Siddhivinayak Krishi Kendra",
        "Dealer",
        "Hadapsar",
        1200.0,
        2600.0,
        4,
    ),
    (
        "Balaji Fertilisers",
        "Retailer",
        "Hadapsar",
        2600.0,
        4100.0,
        4,
    ),
    (
        "Annapurna Agro Agencies",
        "Distributor",
        "Kondhwa",
        -900.0,
        1800.0,
        4,
    ),
    (
        "Jai Kisan Seva Kendra",
        "Retailer",
        "Kondhwa",
        -2400.0,
        900.0,
        4,
    ),
    (
        "Sahyadri Seeds and Pesticides",
        "Dealer",
        "Katraj",
        -3800.0,
        -600.0,
        6,
    ),
    (
        "Godavari Krishi Bhandar",
        "Retailer",
        "Katraj",
        -5200.0,
        -1500.0,
        6,
    ),
    (
        "Maruti Agro Traders",
        "Retailer",
        "Bibwewadi",
        -1600.0,
        -1900.0,
        6,
    ),
    (
        "Vitthal Rukmini Krushi Seva",
        "Dealer",
        "Swargate",
        600.0,
        -2400.0,
        6,
    ),
];

/// Where the demo positions start: Market Yard, Pune.
const MARKET_YARD: (f64, f64) = (18.4862, 73.8652);

fn offset(north_m: f64, east_m: f64) -> outfield_core::geo::GeoPoint {
    let latitude = MARKET_YARD.0 + north_m / 111_195.0;
    let longitude = MARKET_YARD.1 + east_m / (111_195.0 * MARKET_YARD.0.to_radians().cos());
    outfield_core::geo::GeoPoint {
        latitude,
        longitude,
    }
}

/// Clients for two field employees of the demo team (the printed one among them), weekly beats, 30 days
/// of history and a day in progress for each — started a little over two hours ago, positions every two
/// minutes, two visits — so that the live map, a person's day, the reports and their charts have
/// something to show. The other employees start with a clean slate.
async fn field_day(
    tx: &mut outfield_core::db::Tx,
    company_id: CompanyId,
    ids: &[PersonId],
) -> anyhow::Result<()> {
    let now = outfield_core::clock::now_ms();
    let clients = demo_clients(tx, company_id, ids, now).await?;
    for person in [4, 6] {
        let own: Vec<_> = clients.iter().filter(|c| c.2 == person).collect();
        consent(tx, company_id, ids[person], now - HISTORY_DAYS * DAY_MS).await?;
        for days_ago in (1..=HISTORY_DAYS).rev() {
            let date = outfield_core::clock::local_day(now - days_ago * DAY_MS, INDIA);
            if date.weekday().number_from_monday() == 7 {
                continue;
            }
            // Between 09:05 and 09:54, so that about one day in six starts late.
            let minute = 9 * 60 + 5 + (days_ago * 37 + person as i64 * 13) % 50;
            let day_start = outfield_core::clock::instant_of(date, minute, INDIA);
            // Two to four clients a day, starting from a different one each day.
            let first = (days_ago as usize + person) % own.len();
            let visits = 2 + days_ago as usize % 3;
            let stops: Vec<_> = (0..visits).map(|k| own[(first + k) % own.len()]).collect();
            let day = Walk {
                person: ids[person],
                start: day_start,
                until: day_start + 9 * 60 * MINUTE_MS,
                ended: true,
                far_stop: None,
                step_ms: 2 * MINUTE_MS,
            };
            walk(tx, company_id, &day, &stops, now).await?;
        }
        // Today Arjun checks in at his second client from the road outside: a far check-in on the
        // overview's list of what needs the manager. The walk took the last 132 minutes, or, shortly
        // after midnight, the minutes since (at a quicker pace), so that it is always today's.
        let midnight =
            outfield_core::clock::instant_of(outfield_core::clock::local_day(now, INDIA), 0, INDIA);
        let step_ms = (2 * MINUTE_MS).min((now - midnight - MINUTE_MS).max(0) / STEPS_TO_TWO_STOPS);
        let today = Walk {
            person: ids[person],
            start: now - STEPS_TO_TWO_STOPS * step_ms,
            until: now,
            ended: false,
            far_stop: (person == 6).then_some(1),
            step_ms,
        };
        walk(tx, company_id, &today, &[own[0], own[1]], now).await?;
    }
    Ok(())
}

/// A demo client as the demo days use it: its id, where it is, and the index of its owner in `PEOPLE`.
type PlacedClient = (ClientId, outfield_core::geo::GeoPoint, usize);

/// The demo clients, each on its owner's beat every working day.
async fn demo_clients(
    tx: &mut outfield_core::db::Tx,
    company_id: CompanyId,
    ids: &[PersonId],
    now: i64,
) -> anyhow::Result<Vec<PlacedClient>> {
    use outfield_clients::domain::{ClientName, ClientStatus, Label};
    let company = company_id.to_string();
    let mut clients: Vec<PlacedClient> = Vec::new();
    for ((name, kind, territory, north, east, owner), (phone, address)) in
        CLIENTS.into_iter().zip(CLIENT_CONTACTS)
    {
        let id = ClientId::generate();
        let location = offset(north, east);
        let new = outfield_clients::NewClient {
            name: ClientName::parse(name).map_err(anyhow::Error::msg)?,
            code: None,
            client_type: Some(Label::parse(kind).map_err(anyhow::Error::msg)?),
            status: ClientStatus::Active,
            phone: Some(PhoneNumber::parse(phone).map_err(anyhow::Error::msg)?),
            email: None,
            gstin: None,
            category: None,
            territory: Some(Label::parse(territory).map_err(anyhow::Error::msg)?),
            tags: Vec::new(),
            address: Some(
                outfield_clients::domain::LongText::parse(address).map_err(anyhow::Error::msg)?,
            ),
            location: Some(location),
            owner_ids: Vec::new(),
            other_phones: Vec::new(),
            other_addresses: Vec::new(),
            custom: Default::default(),
        };
        outfield_clients::store::insert(tx, company_id, (None, &[ids[owner]]), id, &new).await?;
        for weekday in 1..=6 {
            sqlx::query(
                "INSERT INTO visit_plans (company_id, id, person_id, client_id, weekday, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&company)
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(ids[owner].to_string())
            .bind(id)
            .bind(weekday)
            .bind(ids[2].to_string())
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
        outfield_clients::search::reindex(tx, company_id, &[id]).await?;
        clients.push((id, location, owner));
    }
    Ok(clients)
}

/// Days of history before today.
const HISTORY_DAYS: i64 = 30;
/// The demo company's zone.
const INDIA: chrono_tz::Tz = chrono_tz::Asia::Kolkata;
/// How far from the client a far demo check-in is (m).
const FAR_CHECK_IN_M: f64 = 750.0;

/// One demo working day of a person: when it starts, up to when positions exist, and whether the
/// employee ended it.
struct Walk {
    person: PersonId,
    start: i64,
    until: i64,
    ended: bool,
    /// The stop (index) checked in at from too far away, if any.
    far_stop: Option<usize>,
    /// Time between two positions (two minutes; less for a day that began only minutes ago).
    step_ms: i64,
}

/// Positions of a walk to two stops and back: three legs of 15 and two visits of 10.
const STEPS_TO_TWO_STOPS: i64 = 3 * 15 + 2 * 10;

/// The employee's consent to location, given before their first demo day.
async fn consent(
    tx: &mut outfield_core::db::Tx,
    company_id: CompanyId,
    person: PersonId,
    at: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO consents (company_id, id, person_id, permission, state, policy_version, device_time, recorded_at) \
         VALUES ($1, $2, $3, 'location', 'granted', 1, $4, $4)",
    )
    .bind(company_id)
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(person)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One employee's day: start, a walk from Market Yard to each stop with a visit there and back, positions
/// every two minutes up to `day.until`, and the end of the day when the employee ended it.
async fn walk(
    tx: &mut outfield_core::db::Tx,
    company_id: CompanyId,
    day: &Walk,
    stops: &[&PlacedClient],
    now: i64,
) -> anyhow::Result<()> {
    let (company, person_text) = (company_id.to_string(), day.person.to_string());
    let (person, start) = (day.person, day.start);
    let date = outfield_core::clock::local_day(start, chrono_tz::Asia::Kolkata).to_string();
    sqlx::query(
        "INSERT INTO duty_days (company_id, person_id, day, start_id, started_at, start_device_time, \
         start_latitude, start_longitude, start_accuracy_m) VALUES ($1, $2, $3, $4, $5, $5, $6, $7, 12)",
    )
    .bind(&company)
    .bind(&person_text)
    .bind(&date)
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(start)
    .bind(MARKET_YARD.0)
    .bind(MARKET_YARD.1)
    .execute(&mut **tx)
    .await?;
    // Legs of 30 minutes between places, 20 minutes at each client, then on towards Market Yard.
    let home = offset(0.0, 0.0);
    let places: Vec<_> = std::iter::once(home)
        .chain(stops.iter().map(|stop| stop.1))
        .chain(std::iter::once(home))
        .collect();
    let mut fixes = Vec::new();
    let mut at = start;
    for (leg, pair) in places.windows(2).enumerate() {
        for step in 0..15 {
            let f = step as f64 / 15.0;
            let point = outfield_core::geo::GeoPoint {
                latitude: pair[0].latitude + (pair[1].latitude - pair[0].latitude) * f,
                longitude: pair[0].longitude + (pair[1].longitude - pair[0].longitude) * f,
            };
            fixes.push((at, point));
            at += day.step_ms;
        }
        if let Some(client) = stops.get(leg) {
            let (check_in, check_out) = (at, at + 10 * day.step_ms);
            for _ in 0..10 {
                fixes.push((at, client.1));
                at += day.step_ms;
            }
            if check_out <= day.until {
                let far = day.far_stop == Some(leg) || (check_in / MINUTE_MS) % 11 == 0;
                let visit = DemoVisit {
                    client: client.0,
                    day: &date,
                    times: (check_in, check_out),
                    at: client.1,
                    far,
                };
                demo_visit(tx, company_id, person, &visit).await?;
            }
        }
    }
    if day.ended {
        end_day(tx, company_id, person, &date, at).await?;
    }
    let rows: Vec<outfield_field::tracking::FixRow> = fixes
        .iter()
        .filter(|(t, _)| *t <= day.until)
        .map(|(t, p)| outfield_field::tracking::FixRow {
            i: uuid::Uuid::now_v7(),
            t: *t,
            a: p.latitude,
            o: p.longitude,
            c: 15.0,
            s: None,
            h: None,
            b: Some(0.9 - (*t - start) as f64 / (10.0 * 60.0 * MINUTE_MS as f64)),
            m: None,
        })
        .collect();
    outfield_field::tracking::insert_fixes(tx, company_id, person, now, &rows).await?;
    outfield_field::tracking::queue_summary(tx, company_id, person, &date, now).await?;
    Ok(())
}

/// Ends a demo day at Market Yard, as the employee would in the app.
async fn end_day(
    tx: &mut outfield_core::db::Tx,
    company_id: CompanyId,
    person: PersonId,
    date: &str,
    at: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE duty_days SET end_id = $4, ended_at = $5, end_device_time = $5, end_latitude = $6, \
         end_longitude = $7, end_accuracy_m = 12, end_reason = 'employee' \
         WHERE company_id = $1 AND person_id = $2 AND day = $3",
    )
    .bind(company_id)
    .bind(person)
    .bind(date)
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(at)
    .bind(MARKET_YARD.0)
    .bind(MARKET_YARD.1)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One demo visit: the client, the local date, check-in and check-out, where the client is, and whether
/// the check-in was made from too far away.
struct DemoVisit<'a> {
    client: ClientId,
    day: &'a str,
    times: (i64, i64),
    at: outfield_core::geo::GeoPoint,
    far: bool,
}

/// A checked-in and checked-out visit with its report and its entry on the timeline. About one check-in
/// in seven has a fix too coarse to verify, as happens indoors; a far one is made from the road, 750 m
/// away.
async fn demo_visit(
    tx: &mut outfield_core::db::Tx,
    company_id: CompanyId,
    person: PersonId,
    visit: &DemoVisit<'_>,
) -> anyhow::Result<()> {
    let id = VisitId::generate();
    let (check_in, check_out) = visit.times;
    let (outcome, notes) = VISIT_REPORTS[(check_in / MINUTE_MS) as usize % VISIT_REPORTS.len()];
    let (position, accuracy_m, distance_m, verdict) = if visit.far {
        let road = offset_from(visit.at, FAR_CHECK_IN_M);
        (road, 12.0, FAR_CHECK_IN_M, "out_of_range")
    } else if (check_in / MINUTE_MS) % 7 == 0 {
        (visit.at, 180.0, 4.0, "unverified")
    } else {
        (visit.at, 12.0, 4.0, "verified")
    };
    sqlx::query(
        "INSERT INTO visits (company_id, id, person_id, client_id, day, planned, checked_in_at, in_device_time, \
         in_latitude, in_longitude, in_accuracy_m, in_distance_m, in_verdict, checked_out_at, out_device_time, \
         out_latitude, out_longitude, out_accuracy_m, out_distance_m, out_verdict, outcome, notes, flags) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6, $7, $8, $11, $12, $13, $9, $9, $14, $15, 12, 4, 'verified', \
         $16, $10, '')",
    )
    .bind(company_id)
    .bind(id)
    .bind(person)
    .bind(visit.client)
    .bind(visit.day)
    .bind(check_in)
    .bind(position.latitude)
    .bind(position.longitude)
    .bind(check_out)
    .bind(notes)
    .bind(accuracy_m)
    .bind(distance_m)
    .bind(verdict)
    .bind(visit.at.latitude)
    .bind(visit.at.longitude)
    .bind(outcome)
    .execute(&mut **tx)
    .await?;
    let interaction = outfield_clients::NewInteraction {
        kind: outfield_clients::domain::InteractionKind::Visit,
        contact_id: None,
        outcome: outfield_clients::domain::Label::parse(outcome).ok(),
        body: outfield_clients::domain::LongText::parse(notes).map_err(anyhow::Error::msg)?,
    };
    outfield_clients::store::insert_interaction(
        tx,
        (company_id, person),
        id.uuid(),
        visit.client,
        &interaction,
        check_out,
        check_out,
    )
    .await?;
    Ok(())
}

/// A point `metres` north of `at`.
fn offset_from(at: outfield_core::geo::GeoPoint, metres: f64) -> outfield_core::geo::GeoPoint {
    outfield_core::geo::GeoPoint {
        latitude: at.latitude + metres / 111_195.0,
        longitude: at.longitude,
    }
}

/// The text `serve --demo` prints.
pub fn describe(url: &str, sign_ins: &[DemoSignIn]) -> String {
    if sign_ins.is_empty() {
        return "The database already holds companies; no demo company was created.".to_string();
    }
    let mut text = format!(
        "Demo company \"Sharma Agro Distributors\" is ready, with 30 days of field work.\n\
         Console (owners, admins, managers): {url}/console\n\
         Field app (open on a phone, or in a browser's phone view): {url}/app/\n\
         Sign in with company code {DEMO_SLUG}; the field employee has today's beat and a day in progress:\n"
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
