//! [`RoleDefinition`]: one role's permissions at each level, the form built-in and custom roles
//! share before they are compiled into a [`Subject`](crate::Subject).

use roster_domain::ids::OrganizationId;
use roster_domain::permission::Permission;
use roster_domain::role::CustomRole;

use crate::role_name::RoleName;

/// A role as lists of permissions per level (Coder's `rbac.Role`, flattened to one organization).
///
/// - `site_permissions` apply to every object;
/// - `organization_permissions` apply to objects in `organization_id`;
/// - `organization_member_permissions` apply to objects in `organization_id` owned by the subject;
/// - `user_permissions` apply to objects owned by the subject outside any organization.
///
/// Organization and member permissions of a role without an organization are ignored,
/// as Coder ignores them when it converts a stored site role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleDefinition {
    /// The bare name, e.g. `organization-admin`.
    pub name: String,
    /// The name shown in the UI; empty for roles the UI never shows.
    pub display_name: String,
    /// The organization an organization role belongs to; `None` for site roles.
    pub organization_id: Option<OrganizationId>,
    /// Permissions on every object.
    pub site_permissions: Vec<Permission>,
    /// Permissions on objects in the role's organization.
    pub organization_permissions: Vec<Permission>,
    /// Permissions on objects the subject owns outside any organization.
    pub user_permissions: Vec<Permission>,
    /// Permissions on objects the subject owns inside the role's organization.
    pub organization_member_permissions: Vec<Permission>,
}

impl RoleDefinition {
    /// The role's identifier (`name` or `name:<org>`).
    pub fn role_name(&self) -> RoleName {
        RoleName {
            name: self.name.clone(),
            org: self.organization_id,
        }
    }

    /// Every permission of the role with the level it sits at, in a fixed order
    /// (site, organization, organization member, user).
    pub fn permissions(&self) -> impl Iterator<Item = (PermissionLevel, Permission)> + '_ {
        let org_levels = self.organization_id.into_iter().flat_map(move |org| {
            let in_org = self
                .organization_permissions
                .iter()
                .map(move |p| (PermissionLevel::Org(org), *p));
            let member = self
                .organization_member_permissions
                .iter()
                .map(move |p| (PermissionLevel::OrgMember(org), *p));
            in_org.chain(member)
        });
        self.site_permissions
            .iter()
            .map(|p| (PermissionLevel::Site, *p))
            .chain(org_levels)
            .chain(
                self.user_permissions
                    .iter()
                    .map(|p| (PermissionLevel::User, *p)),
            )
    }
}

impl From<&CustomRole> for RoleDefinition {
    fn from(role: &CustomRole) -> Self {
        RoleDefinition {
            name: role.name.clone(),
            display_name: role.display_name.clone(),
            organization_id: role.organization_id,
            site_permissions: role.site_permissions.clone(),
            organization_permissions: role.organization_permissions.clone(),
            user_permissions: role.user_permissions.clone(),
            organization_member_permissions: role.organization_member_permissions.clone(),
        }
    }
}

/// The level a permission applies at (§3.3 of the behaviour spec).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PermissionLevel {
    /// Every object.
    Site,
    /// Every object in this organization.
    Org(OrganizationId),
    /// Objects in this organization owned by the subject.
    OrgMember(OrganizationId),
    /// Objects outside any organization owned by the subject.
    User,
}

impl std::fmt::Display for PermissionLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PermissionLevel::Site => f.write_str("site level"),
            PermissionLevel::Org(org) => write!(f, "organization level of {org}"),
            PermissionLevel::OrgMember(org) => write!(f, "organization-member level of {org}"),
            PermissionLevel::User => f.write_str("user level"),
        }
    }
}
