//! What a person may do in their company: the role a `Scope` carries and every check of access reads.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a person may do in their company. Ordered from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the company account; the only role that can appoint owners.
    Owner,
    /// Manages people, settings and data of the whole company.
    Admin,
    /// Sees and approves the work of their team (everyone below them in the reporting line).
    Manager,
    /// Works in the field; sees their own work.
    FieldEmployee,
}

/// A stored role, read from its column; an unknown name is a database fault.
impl TryFrom<String> for Role {
    type Error = String;

    fn try_from(stored: String) -> Result<Self, Self::Error> {
        Role::parse(&stored).ok_or_else(|| format!("unknown role {stored}"))
    }
}

impl Role {
    /// Every role, most powerful first (for forms and tests).
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Manager, Role::FieldEmployee];

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::FieldEmployee => "field_employee",
        }
    }

    /// A label for pages.
    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Admin => "Admin",
            Role::Manager => "Manager",
            Role::FieldEmployee => "Field employee",
        }
    }

    /// Reads a stored name.
    pub fn parse(raw: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == raw)
    }

    /// Owners and admins administer the company: people, settings, audit trail.
    pub fn administers(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }

    /// Whether someone in this role may give `other` to a person. Only owners make owners.
    pub(crate) fn may_grant(self, other: Role) -> bool {
        match self {
            Role::Owner => true,
            Role::Admin => other != Role::Owner,
            Role::Manager | Role::FieldEmployee => false,
        }
    }
}
