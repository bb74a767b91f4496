//! Custom roles as stored. Built-in roles live in `roster-rbac`.

use time::OffsetDateTime;

use crate::ids::{CustomRoleId, OrganizationId};
use crate::permission::Permission;

/// A custom role. Names are stored lower-cased and are unique per organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomRole {
    /// Id.
    pub id: CustomRoleId,
    /// Lower-case name.
    pub name: String,
    /// Display name (no rules).
    pub display_name: String,
    /// The organization it belongs to; `None` for site-wide roles (not creatable through the API).
    pub organization_id: Option<OrganizationId>,
    /// Site-level permissions.
    pub site_permissions: Vec<Permission>,
    /// Organization-level permissions.
    pub organization_permissions: Vec<Permission>,
    /// User-level permissions.
    pub user_permissions: Vec<Permission>,
    /// Organization-member-level permissions.
    pub organization_member_permissions: Vec<Permission>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last changed.
    pub updated_at: OffsetDateTime,
}

/// What a caller asks to create or replace; the store stamps the times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomRoleInput {
    /// Lower-case name.
    pub name: String,
    /// Display name.
    pub display_name: String,
    /// The organization.
    pub organization_id: OrganizationId,
    /// Organization-level permissions (the only kind an organization role may carry).
    pub organization_permissions: Vec<Permission>,
}
