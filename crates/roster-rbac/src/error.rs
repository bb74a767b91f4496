//! The crate's error types.

use std::fmt;

use roster_domain::permission::{Action, Permission, ResourceType};

/// Result of an authorization, carrying the proof token on success.
pub type Result<T, E = AuthzError> = std::result::Result<T, E>;

/// Why an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthzError {
    /// No authenticated subject. Becomes `401 Unauthorized`.
    #[error("unauthenticated")]
    Unauthenticated,
    /// The subject may not perform `action` on an object of `resource_type`.
    /// Becomes `403 Forbidden`, or `404 Not Found` where Coder hides the object.
    #[error("forbidden: not allowed to {action} {resource_type}")]
    Forbidden {
        /// The action asked for.
        action: Action,
        /// The object's resource type.
        resource_type: ResourceType,
    },
}

/// Why a permission may not go into a custom role the subject creates or updates
/// (Coder's `customRoleCheck`). The texts are Coder's; each error carries its permission.
/// The HTTP layer answers `400 Failed to update role permissions` with the text as detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EscalationError {
    /// Custom roles may not contain negated permissions.
    #[error("no negative permissions")]
    Negative(Permission),
    /// Custom roles may not contain `*` as type or action.
    #[error("no wildcard symbols")]
    Wildcard(Permission),
    /// The creator does not hold the permission in the organization, so may not grant it.
    #[error(
        "invalid permission for action={:?} type={:?}, not allowed to grant this permission",
        .0.action.as_str(),
        .0.resource_type.as_str()
    )]
    NotHeld(Permission),
}

impl EscalationError {
    /// The permission that was refused.
    pub const fn permission(&self) -> Permission {
        match self {
            EscalationError::Negative(p)
            | EscalationError::Wildcard(p)
            | EscalationError::NotHeld(p) => *p,
        }
    }
}

/// A permission as text: `type:action`, with a leading `-` when negated.
pub(crate) struct PermissionText(pub(crate) Permission);

impl fmt::Display for PermissionText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.0;
        let sign = if p.negate { "-" } else { "" };
        write!(f, "{sign}{}:{}", p.resource_type, p.action)
    }
}

#[cfg(test)]
mod tests {
    use roster_domain::permission::{Action, Permission, ResourceType};

    use crate::error::{AuthzError, EscalationError};

    #[test]
    fn messages_are_coders() {
        let p = Permission::allow(ResourceType::AssignOrgRole, Action::Create);
        assert_eq!(
            EscalationError::NotHeld(p).to_string(),
            r#"invalid permission for action="create" type="assign_org_role", not allowed to grant this permission"#
        );
        assert_eq!(
            EscalationError::Negative(p).to_string(),
            "no negative permissions"
        );
        assert_eq!(
            EscalationError::Wildcard(p).to_string(),
            "no wildcard symbols"
        );
        assert_eq!(EscalationError::Wildcard(p).permission(), p);
        let e = AuthzError::Forbidden {
            action: Action::Read,
            resource_type: ResourceType::User,
        };
        assert_eq!(e.to_string(), "forbidden: not allowed to read user");
    }
}
