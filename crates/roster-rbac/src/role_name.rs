//! Role identifiers: `name` for site roles, `name:<org uuid>` for organization roles.

use std::fmt;
use std::str::FromStr;

use roster_domain::ids::OrganizationId;

/// A role identifier, as Coder writes it: `name` or `name:<organization uuid>`.
///
/// The organization is `None` for site-wide roles.
/// [`Display`](fmt::Display) gives the canonical form back, with the UUID hyphenated and lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoleName {
    /// The bare role name, e.g. `organization-admin`.
    pub name: String,
    /// The organization an organization role is scoped to.
    pub org: Option<OrganizationId>,
}

impl RoleName {
    /// A site-wide role name.
    pub fn site(name: impl Into<String>) -> Self {
        RoleName {
            name: name.into(),
            org: None,
        }
    }

    /// A role name scoped to `org`.
    pub fn in_org(name: impl Into<String>, org: OrganizationId) -> Self {
        RoleName {
            name: name.into(),
            org: Some(org),
        }
    }
}

/// Why a string is not a role identifier.
///
/// The HTTP layer turns each into a `400` validation error on the `roles` field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleNameError {
    /// The name part is empty (`""` or `":<uuid>"`).
    #[error("role cannot be the empty string")]
    Empty,
    /// More than one `:` separator.
    #[error("too many colons in role name {0:?}")]
    TooManyColons(String),
    /// The part after `:` is not a UUID.
    #[error("{org:?} not a valid uuid: {source}")]
    InvalidOrganization {
        /// The text after the colon.
        org: String,
        /// Why the UUID parser refused it.
        #[source]
        source: uuid::Error,
    },
}

impl FromStr for RoleName {
    type Err = RoleNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split(':');
        let name = parts.next().unwrap_or_default();
        let org = parts.next();
        if parts.next().is_some() {
            return Err(RoleNameError::TooManyColons(s.to_owned()));
        }
        if name.is_empty() {
            return Err(RoleNameError::Empty);
        }
        let org = match org {
            None => None,
            Some(text) => Some(text.parse::<OrganizationId>().map_err(|source| {
                RoleNameError::InvalidOrganization {
                    org: text.to_owned(),
                    source,
                }
            })?),
        };
        Ok(RoleName {
            name: name.to_owned(),
            org,
        })
    }
}

impl fmt::Display for RoleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.org {
            None => f.write_str(&self.name),
            Some(org) => write!(f, "{}:{}", self.name, org),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::role_name::{RoleName, RoleNameError};

    const ORG: &str = "6f5d1c1a-3b8e-4b1a-9b7a-2f0f3c9d8e11";

    #[track_caller]
    fn check(input: &str, expected: Result<&str, &str>) {
        let got = input.parse::<RoleName>();
        match (got, expected) {
            (Ok(role), Ok(canonical)) => assert_eq!(role.to_string(), canonical, "{input:?}"),
            (Err(e), Err(message)) => assert_eq!(e.to_string(), message, "{input:?}"),
            (got, expected) => panic!("{input:?}: got {got:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn parses_and_prints_the_canonical_form() {
        check("owner", Ok("owner"));
        check(
            &format!("organization-admin:{ORG}"),
            Ok(&format!("organization-admin:{ORG}")),
        );
        check(
            &format!("organization-admin:{}", ORG.to_uppercase()),
            Ok(&format!("organization-admin:{ORG}")),
        );
        check(
            "organization-admin:6f5d1c1a3b8e4b1a9b7a2f0f3c9d8e11",
            Ok(&format!("organization-admin:{ORG}")),
        );
    }

    #[test]
    fn rejects_anything_else() {
        check("", Err("role cannot be the empty string"));
        check(&format!(":{ORG}"), Err("role cannot be the empty string"));
        check("a:b:c", Err(r#"too many colons in role name "a:b:c""#));
        let err = "admin:nope".parse::<RoleName>().unwrap_err();
        assert!(matches!(err, RoleNameError::InvalidOrganization { ref org, .. } if org == "nope"));
        assert!(
            err.to_string().starts_with(r#""nope" not a valid uuid"#),
            "{err}"
        );
        assert!(matches!(
            "admin:".parse::<RoleName>(),
            Err(RoleNameError::InvalidOrganization { .. })
        ));
    }
}
