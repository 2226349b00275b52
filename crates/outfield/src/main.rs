//! The `outfield` command: the server and its administration commands.

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use outfield::Server;
use outfield_core::audit::verify::{verify_all, ChainStatus};
use outfield_core::auth::ClientInfo;
use outfield_core::companies::domain::{CompanyName, CompanySlug, CurrencyCode, TimeZoneName};
use outfield_core::companies::{self, NewCompany};
use outfield_core::config::ServerConfig;
use outfield_core::error::AppError;
use outfield_core::people::domain::{Email, PersonName};

/// Outfield — sales force automation for field teams, self-hosted.
///
/// Every flag can also be set with the environment variable named in its help (OUTFIELD_…).
/// Data lives in SQLite under --data-dir unless --database-url names a PostgreSQL server.
#[derive(Parser)]
#[command(name = "outfield", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (console at /console, field app at /app/, API at /api/v1, OpenAPI at
    /// /api/openapi.json).
    Serve {
        #[command(flatten)]
        config: ServerConfig,
        /// On an empty database, create a demo company and print its sign-ins.
        #[arg(long, env = "OUTFIELD_DEMO")]
        demo: bool,
    },
    /// Manage companies.
    Company {
        #[command(subcommand)]
        command: CompanyCommand,
    },
    /// Check the audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum CompanyCommand {
    /// Create a company and print a one-time link for its owner to set a password.
    Create(CreateCompany),
}

#[derive(Args)]
struct CreateCompany {
    /// Display name of the company.
    #[arg(long)]
    name: String,
    /// Code people type at sign-in (default: derived from the name).
    #[arg(long)]
    slug: Option<String>,
    /// The owner's e-mail.
    #[arg(long)]
    owner_email: String,
    /// The owner's name (default: the part of the e-mail before @).
    #[arg(long)]
    owner_name: Option<String>,
    /// IANA time zone.
    #[arg(long, default_value = "Asia/Kolkata")]
    time_zone: String,
    /// ISO 4217 currency.
    #[arg(long, default_value = "INR")]
    currency: String,
    #[command(flatten)]
    config: ServerConfig,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute every company's hash chain and name the first broken entry. Exit code 1 if any is broken.
    Verify {
        /// Only this company (by sign-in code).
        #[arg(long)]
        company: Option<String>,
        #[command(flatten)]
        config: ServerConfig,
    },
    /// Erase a person's personal data from their company's trail (address, browser and details of each
    /// entry they acted in or were the subject of); the chain still verifies. For a data request.
    Erase {
        /// The company, by sign-in code.
        #[arg(long)]
        company: String,
        /// The person, by e-mail address.
        #[arg(long)]
        person: String,
        #[command(flatten)]
        config: ServerConfig,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    return_large_allocations_to_the_system();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("OUTFIELD_LOG")
                .unwrap_or_else(|_| "outfield=info,tower_http=warn".into()),
        )
        .init();
    outfield::install_features();
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Each sign-in hashes with 19 MiB of memory. glibc's adaptive threshold would keep such blocks in the
/// heap after the first one is freed, so a few sign-ins would leave tens of MiB resident for good. A fixed
/// threshold makes blocks of 1 MiB and more come from (and go straight back to) the operating system.
fn return_large_allocations_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: mallopt only tunes the allocator; it is called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve { config, demo } => serve(config, demo).await,
        Command::Company {
            command: CompanyCommand::Create(args),
        } => create_company(args).await,
        Command::Audit {
            command: AuditCommand::Verify { company, config },
        } => verify_audit(config, company).await,
        Command::Audit {
            command:
                AuditCommand::Erase {
                    company,
                    person,
                    config,
                },
        } => erase_audit(config, &company, &person).await,
    }
}

async fn serve(config: ServerConfig, demo: bool) -> anyhow::Result<ExitCode> {
    let public_url = config.public_url.is_some().then(|| config.public_url());
    let server = Server::bind(config).await?;
    if let Some(url) = public_url {
        outfield_core::instance::record_public_url(&server.state.db, &url).await?;
    }
    let url = format!("http://{}", server.addr);
    if demo {
        let sign_ins = outfield::demo::ensure_demo_company(&server.state.db).await?;
        println!("{}", outfield::demo::describe(&url, &sign_ins));
    }
    println!("Outfield is listening on {url}");
    server.run(shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}

async fn create_company(args: CreateCompany) -> anyhow::Result<ExitCode> {
    let invalid =
        |field: &'static str| move |message: String| anyhow::anyhow!("--{field} {message}");
    let owner_email = Email::parse(&args.owner_email).map_err(invalid("owner-email"))?;
    let owner_name = args.owner_name.unwrap_or_else(|| {
        owner_email
            .as_str()
            .split('@')
            .next()
            .unwrap_or("Owner")
            .to_string()
    });
    let slug = args.slug.unwrap_or_else(|| slug_from(&args.name));
    let new = NewCompany {
        name: CompanyName::parse(&args.name).map_err(invalid("name"))?,
        slug: CompanySlug::parse(&slug).map_err(invalid("slug"))?,
        time_zone: TimeZoneName::parse(&args.time_zone).map_err(invalid("time-zone"))?,
        currency: CurrencyCode::parse(&args.currency).map_err(invalid("currency"))?,
        owner_name: PersonName::parse(&owner_name).map_err(invalid("owner-name"))?,
        owner_email,
        owner_password_hash: None,
    };
    let db = args.config.connect_migrated(&outfield::MIGRATIONS).await?;
    let created = companies::create(&db, new, &ClientInfo::local("outfield company create"))
        .await
        .map_err(for_the_operator)?;
    outfield_core::audit::seal::seal_all(&db).await?;
    let link = created.owner_link.unwrap_or_default();
    // The server's own public URL unless this command was given one: the link must open where people
    // reach the server, not on this machine's loopback address.
    let base = match args.config.public_url {
        Some(_) => args.config.public_url(),
        None => outfield_core::instance::public_url(&db)
            .await?
            .unwrap_or_else(|| args.config.public_url()),
    };
    println!("Company created: sign-in code {slug}");
    println!("The owner sets a password here (valid 7 days, once):");
    println!("  {base}{link}");
    Ok(ExitCode::SUCCESS)
}

/// An error as the operator at the command line needs it: the real cause of a failure (a locked or
/// unreachable database, a missing privilege), where a web page would show only that something failed;
/// the field at fault for invalid input.
fn for_the_operator(error: AppError) -> anyhow::Error {
    match error {
        AppError::Internal(cause) => cause,
        other => {
            let fields: Vec<String> = other
                .field_errors()
                .iter()
                .map(|e| format!("--{} {}", e.field, e.message))
                .collect();
            match fields.is_empty() {
                true => anyhow::anyhow!("{}", other.public_message()),
                false => anyhow::anyhow!("{}", fields.join("; ")),
            }
        }
    }
}

fn slug_from(name: &str) -> String {
    let mut slug = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').chars().take(40).collect()
}

async fn erase_audit(config: ServerConfig, company: &str, email: &str) -> anyhow::Result<ExitCode> {
    config.require_existing_database()?;
    let db = config.connect_migrated(&outfield::MIGRATIONS).await?;
    outfield_core::audit::seal::seal_all(&db).await?;
    let mut tx = db.system().await?;
    let found: Option<(outfield_core::ids::CompanyId, outfield_core::ids::PersonId)> =
        sqlx::query_as(
            "SELECT c.id, p.id FROM companies c JOIN people p ON p.company_id = c.id \
             WHERE c.slug = $1 AND LOWER(p.email) = LOWER($2)",
        )
        .bind(company)
        .bind(email)
        .fetch_optional(&mut *tx)
        .await?;
    let Some((company_id, person_id)) = found else {
        println!("no person {email} in company {company}");
        return Ok(ExitCode::FAILURE);
    };
    let actor = outfield_core::audit::Actor::anonymous(
        company_id,
        None,
        &outfield_core::auth::ClientInfo::local("outfield audit erase"),
    );
    let erased =
        outfield_core::audit::erase::erase_person(&mut tx, (company_id, person_id), &actor).await?;
    tx.commit().await?;
    outfield_core::audit::seal::seal_all(&db).await?;
    println!("{company}: erased the personal data of {erased} entries about {email}");
    Ok(ExitCode::SUCCESS)
}

async fn verify_audit(config: ServerConfig, company: Option<String>) -> anyhow::Result<ExitCode> {
    config.require_existing_database()?;
    let db = config.connect_migrated(&outfield::MIGRATIONS).await?;
    let results = verify_all(&db, company.as_deref()).await?;
    let mut broken = false;
    for chain in &results {
        match &chain.status {
            ChainStatus::Intact { entries } if chain.pending > 0 => println!(
                "{}: intact ({entries} entries, {} written in the last moments and not sealed yet)",
                chain.slug, chain.pending
            ),
            ChainStatus::Intact { entries } => {
                println!("{}: intact ({entries} entries)", chain.slug)
            }
            ChainStatus::Broken { seq, reason } => {
                broken = true;
                println!("{}: BROKEN at entry {seq}: {reason}", chain.slug);
            }
        }
    }
    if results.is_empty() {
        println!("no companies to verify");
    }
    Ok(if broken {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
