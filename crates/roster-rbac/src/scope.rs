//! [`Scope`]: what an API key may be used for.

use roster_domain::permission::{Action, Permission, ResourceType};

use crate::compiled::Level;

/// An API-key scope: a second, site-level permission list that must also allow every decision
/// (Coder's `scope_allow`). The default scope allows everything (`*:*`).
///
/// Coder's scope allow-list of `{type, id}` pairs is not modelled: every Roster key uses a
/// permission scope, and an id list could not be expressed in a prepared
/// [`RowFilter`](crate::RowFilter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    permissions: Vec<Permission>,
    level: Level,
}

impl Default for Scope {
    fn default() -> Self {
        Scope::all()
    }
}

impl Scope {
    /// Everything: `*:*`.
    pub fn all() -> Self {
        Scope::from_permissions(&[Permission::allow(ResourceType::Wildcard, Action::Wildcard)])
    }

    /// A scope allowing exactly these site-level permissions (negations deny, as in roles).
    pub fn from_permissions(permissions: &[Permission]) -> Self {
        Scope {
            permissions: permissions.to_vec(),
            level: Level::from_permissions(permissions),
        }
    }

    /// The permissions the scope was built from.
    pub fn permissions(&self) -> &[Permission] {
        &self.permissions
    }

    pub(crate) fn level(&self) -> &Level {
        &self.level
    }
}
