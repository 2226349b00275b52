//! PostgreSQL roles: the server runs its queries as `outfield_app`, a role that owns nothing, which a
//! login role reaches through membership. Roles belong to the whole cluster, not to one database: a
//! second installation on the same cluster, or a re-install, finds `outfield_app` already there,
//! created by another owner. Everything here makes that case start, or say exactly what to grant.

use sqlx::{AnyConnection, Executor, Row};

/// The role every query of the server runs as.
pub(crate) const SERVER_ROLE: &str = "outfield_app";

/// Whether the login behind `conn` may act as the server role (a superuser always may). False when the
/// role does not exist yet.
pub(crate) async fn login_is_member(conn: &mut AnyConnection) -> sqlx::Result<bool> {
    let members: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_roles WHERE rolname = 'outfield_app' \
         AND pg_has_role(session_user, oid, 'MEMBER')",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(members > 0)
}

/// Before migrating as the schema's owner: when `outfield_app` exists but the owner is not a member
/// (another installation created it), the owner grants it to itself if it may, or the error names the
/// statement a superuser must run.
pub(crate) async fn make_owner_a_member(conn: &mut AnyConnection) -> anyhow::Result<()> {
    let exists: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM pg_roles WHERE rolname = 'outfield_app'")
            .fetch_one(&mut *conn)
            .await?;
    if exists == 0 || login_is_member(conn).await? {
        return Ok(());
    }
    let owner = session_user(conn).await?;
    if conn
        .execute("GRANT outfield_app TO CURRENT_USER")
        .await
        .is_err()
    {
        anyhow::bail!(
            "the role outfield_app already exists on this PostgreSQL cluster (another installation \
             created it) and {owner} is not a member of it; as a superuser run: \
             GRANT outfield_app TO \"{owner}\" WITH ADMIN OPTION"
        );
    }
    Ok(())
}

/// After connecting the server's pool: its connections must run as `outfield_app`, or every query would
/// fail on privileges; the error says which grant is missing.
pub(crate) async fn check_server_role(conn: &mut AnyConnection) -> anyhow::Result<()> {
    let role: String = sqlx::query_scalar("SELECT CAST(current_user AS TEXT)")
        .fetch_one(&mut *conn)
        .await?;
    if role == SERVER_ROLE {
        return Ok(());
    }
    let login = session_user(conn).await?;
    anyhow::bail!(
        "{login} is not a member of the role outfield_app, so it cannot act as the server: start once \
         with the schema owner's URL as --migrate-database-url (it grants the membership), or as the \
         owner run: GRANT outfield_app TO \"{login}\""
    )
}

/// Whether every migration of `migrator` is applied, as far as this connection may read: false when
/// the ledger is missing or unreadable (then migrating tells what is wrong).
pub(crate) async fn up_to_date(
    conn: &mut AnyConnection,
    migrator: &sqlx::migrate::Migrator,
) -> bool {
    let Ok(rows) = sqlx::query("SELECT version, checksum FROM _sqlx_migrations WHERE success")
        .fetch_all(&mut *conn)
        .await
    else {
        return false;
    };
    let applied: Vec<(i64, Vec<u8>)> = rows
        .iter()
        .filter_map(|row| Some((row.try_get(0).ok()?, row.try_get(1).ok()?)))
        .collect();
    migrator
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .all(|m| applied.contains(&(m.version, m.checksum.to_vec())))
}

async fn session_user(conn: &mut AnyConnection) -> sqlx::Result<String> {
    sqlx::query_scalar("SELECT CAST(session_user AS TEXT)")
        .fetch_one(&mut *conn)
        .await
}
