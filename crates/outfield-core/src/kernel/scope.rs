//! The tenant scope: proof that a request acts for one verified person of one company.

use crate::ids::{CompanyId, PersonId};

use crate::kernel::roles::Role;

/// Who is acting and for which company. Its fields are private and it has no public constructor: only the
/// authentication layer builds one, from a verified session or device token, so no handler can reach
/// tenant data with a company id taken from the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    company_id: CompanyId,
    person_id: PersonId,
    role: Role,
}

impl Scope {
    /// Built only by authentication (sessions, device tokens, links): crate-private, and a test of
    /// `auth` checks that no other module calls it.
    pub(crate) fn verified(company_id: CompanyId, person_id: PersonId, role: Role) -> Self {
        Scope {
            company_id,
            person_id,
            role,
        }
    }

    /// The company every query of this scope is limited to.
    pub fn company_id(&self) -> CompanyId {
        self.company_id
    }

    /// The person acting.
    pub fn person_id(&self) -> PersonId {
        self.person_id
    }

    /// The acting person's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// Fails with 403 unless the role administers the company.
    pub fn require_admin(&self) -> crate::error::AppResult<()> {
        if self.role.administers() {
            Ok(())
        } else {
            Err(crate::error::AppError::Forbidden)
        }
    }
}
