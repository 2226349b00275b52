//! The audit trail: every sign-in attempt and every state change, written in the same transaction as the
//! change, then sealed into the company's hash chain by the background sealer (`seal.rs`, within a second),
//! append-only (database triggers refuse UPDATE and DELETE), so that `outfield audit verify` can tell
//! whether any sealed entry was altered, removed, reordered or inserted afterwards. Each entry's
//! personal part (address, user agent, details) is sealed beside the chain, which hashes its salted
//! digest, so that a person's personal data can be erased (`erase.rs`) and the chain still verifies.

pub mod actions;
pub mod api;
pub mod console;
pub mod erase;
pub mod seal;
pub mod store;
pub mod verify;

pub use actions::Action;
pub use store::{entry, record, AuditEvent};

use crate::ids::{CompanyId, PersonId};
use std::net::IpAddr;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;

use crate::auth::client::{ClientInfo, TrustedProxies};
use crate::auth::principal::Principal;
use crate::db::Db;
use crate::error::AppError;

/// Who did something, from where.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The company whose trail receives the entry.
    pub company_id: CompanyId,
    /// The person, when known (not for failed sign-ins of unknown people, or command-line tools).
    pub person_id: Option<PersonId>,
    /// Client address.
    pub ip: IpAddr,
    /// Client user agent (or the tool's name).
    pub user_agent: String,
}

impl Actor {
    /// The signed-in person of a request.
    pub fn of(principal: &Principal, client: &ClientInfo) -> Actor {
        Actor {
            company_id: principal.scope.company_id(),
            person_id: Some(principal.scope.person_id()),
            ip: client.ip,
            user_agent: client.user_agent.clone(),
        }
    }

    /// Someone acting on a company without being (yet) a signed-in member of it.
    pub fn anonymous(
        company_id: CompanyId,
        person_id: Option<PersonId>,
        client: &ClientInfo,
    ) -> Actor {
        Actor {
            company_id,
            person_id,
            ip: client.ip,
            user_agent: client.user_agent.clone(),
        }
    }
}

/// The signed-in person of a request and the actor their changes are audited as (the person, the
/// client's address and user agent): a handler that changes something takes this, not the pieces to
/// assemble the actor from.
pub struct Acting {
    /// Who is signed in.
    pub principal: Principal,
    /// Who the trail records.
    pub actor: Actor,
}

impl<S: Send + Sync> FromRequestParts<S> for Acting
where
    Db: FromRef<S>,
    TrustedProxies: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let principal = Principal::from_request_parts(parts, state).await?;
        let client = ClientInfo::from_request_parts(parts, state).await?;
        let actor = Actor::of(&principal, &client);
        Ok(Acting { principal, actor })
    }
}

/// A page of the company's trail for an administrator.
/// How many entries `filter` matches, and how many of those come before its page (see
/// [`store::count`]); the console's audit page shows where a page stands in the whole.
pub(crate) async fn count(
    db: &crate::db::Db,
    scope: &crate::kernel::scope::Scope,
    filter: &store::AuditFilter,
) -> crate::error::AppResult<(i64, i64)> {
    scope.require_admin()?;
    let mut tx = db.tenant_read(scope).await?;
    let counted = store::count(&mut tx, scope.company_id(), filter).await?;
    tx.commit().await?;
    Ok(counted)
}

pub(crate) async fn browse(
    db: &crate::db::Db,
    scope: &crate::kernel::scope::Scope,
    filter: &store::AuditFilter,
) -> crate::error::AppResult<Vec<store::AuditEntry>> {
    scope.require_admin()?;
    seal::catch_up(db, scope).await?;
    let mut tx = db.tenant_read(scope).await?;
    let entries = store::list(&mut tx, scope.company_id(), filter).await?;
    tx.commit().await?;
    Ok(entries)
}
