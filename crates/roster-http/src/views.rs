//! Response and request bodies: Coder's SDK types, field for field. Domain types never
//! serialize themselves; these views do.

use roster_domain::ids::{OrganizationId, UserId};
use roster_domain::organization::{MemberWithUser, Membership, Organization};
use roster_domain::permission::Permission;
use roster_domain::role::CustomRole;
use roster_domain::user::{LoginType, User, UserStatus};
use roster_rbac::RoleDefinition;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// Coder's `codersdk.SlimRole`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = codersdk::SlimRole)]
pub struct SlimRole {
    /// Role name.
    pub name: String,
    /// Display name; built-in names come from code, custom ones from storage.
    pub display_name: String,
    /// The organization of an organization role; omitted for site roles.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub organization_id: String,
}

impl SlimRole {
    /// A site role.
    pub fn site(name: &str, custom: &[CustomRole]) -> Self {
        SlimRole {
            name: name.to_owned(),
            display_name: display_name(name, None, custom),
            organization_id: String::new(),
        }
    }

    /// An organization role.
    pub fn org(name: &str, org: OrganizationId, custom: &[CustomRole]) -> Self {
        SlimRole {
            name: name.to_owned(),
            display_name: display_name(name, Some(org), custom),
            organization_id: org.to_string(),
        }
    }
}

fn display_name(name: &str, org: Option<OrganizationId>, custom: &[CustomRole]) -> String {
    if let Some(d) = roster_rbac::builtin::display_name(name) {
        return d.to_owned();
    }
    custom
        .iter()
        .find(|r| r.name == name && r.organization_id == org)
        .map(|r| r.display_name.clone())
        .unwrap_or_default()
}

/// Coder's `codersdk.User`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = codersdk::User)]
pub struct UserView {
    /// Id.
    #[schema(value_type = String, format = Uuid)]
    pub id: UserId,
    /// Username.
    pub username: String,
    /// Email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Avatar address.
    pub avatar_url: String,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Last seen.
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen_at: OffsetDateTime,
    /// Status.
    #[schema(value_type = String)]
    pub status: UserStatus,
    /// Login type.
    #[schema(value_type = String)]
    pub login_type: LoginType,
    /// Whether this is a service account.
    pub is_service_account: bool,
    /// The organizations the user belongs to.
    #[schema(value_type = Vec<String>)]
    pub organization_ids: Vec<OrganizationId>,
    /// Explicit site roles (`member` is implied and not listed).
    pub roles: Vec<SlimRole>,
    /// Deprecated by Coder; always empty.
    pub theme_preference: String,
    /// Whether the user consumes an AI seat; always present.
    pub has_ai_seat: bool,
}

impl UserView {
    /// Builds the view.
    pub fn new(user: &User, organization_ids: Vec<OrganizationId>, has_ai_seat: bool) -> Self {
        UserView {
            id: user.id,
            username: user.username.clone(),
            email: user.email.clone(),
            name: user.name.clone(),
            avatar_url: user.avatar_url.clone(),
            created_at: user.created_at,
            updated_at: user.updated_at,
            last_seen_at: user.last_seen_at,
            status: user.status,
            login_type: user.login_type,
            is_service_account: user.is_service_account,
            organization_ids,
            roles: user
                .site_roles
                .iter()
                .map(|r| SlimRole::site(r, &[]))
                .collect(),
            theme_preference: String::new(),
            has_ai_seat,
        }
    }
}

/// Coder's `codersdk.GetUsersResponse`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = codersdk::GetUsersResponse)]
pub struct GetUsersResponse {
    /// The page.
    pub users: Vec<UserView>,
    /// Every user matching the query.
    pub count: u64,
}

/// Coder's `codersdk.Organization`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = codersdk::Organization)]
pub struct OrganizationView {
    /// Id.
    #[schema(value_type = String, format = Uuid)]
    pub id: OrganizationId,
    /// Name.
    pub name: String,
    /// Display name.
    pub display_name: String,
    /// Description.
    pub description: String,
    /// Icon.
    pub icon: String,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Whether this is the default organization.
    pub is_default: bool,
}

impl From<&Organization> for OrganizationView {
    fn from(o: &Organization) -> Self {
        OrganizationView {
            id: o.id,
            name: o.name.clone(),
            display_name: o.display_name.clone(),
            description: o.description.clone(),
            icon: o.icon.clone(),
            created_at: o.created_at,
            updated_at: o.updated_at,
            is_default: o.is_default,
        }
    }
}

/// Coder's `codersdk.OrganizationMember`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = codersdk::OrganizationMember)]
pub struct MemberView {
    /// The member.
    #[schema(value_type = String, format = Uuid)]
    pub user_id: UserId,
    /// The organization.
    #[schema(value_type = String, format = Uuid)]
    pub organization_id: OrganizationId,
    /// Membership created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Membership last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Explicit organization roles (`organization-member` is implied and not listed).
    pub roles: Vec<SlimRole>,
}

impl MemberView {
    /// Builds the view; `custom` supplies custom role display names.
    pub fn new(m: &Membership, custom: &[CustomRole]) -> Self {
        MemberView {
            user_id: m.user_id,
            organization_id: m.organization_id,
            created_at: m.created_at,
            updated_at: m.updated_at,
            roles: m
                .roles
                .iter()
                .map(|r| SlimRole::org(r, m.organization_id, custom))
                .collect(),
        }
    }
}

/// Coder's `codersdk.OrganizationMemberWithUserData`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = codersdk::OrganizationMemberWithUserData)]
pub struct MemberWithUserView {
    /// The membership fields.
    #[serde(flatten)]
    pub member: MemberView,
    /// Username.
    pub username: String,
    /// Display name.
    pub name: String,
    /// Avatar address.
    pub avatar_url: String,
    /// Email.
    pub email: String,
    /// The user's site roles.
    pub global_roles: Vec<SlimRole>,
    /// Last seen.
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen_at: OffsetDateTime,
    /// Status.
    #[schema(value_type = String)]
    pub status: UserStatus,
    /// Login type.
    #[schema(value_type = String)]
    pub login_type: LoginType,
    /// Whether this is a service account.
    pub is_service_account: bool,
    /// User created.
    #[serde(with = "time::serde::rfc3339")]
    pub user_created_at: OffsetDateTime,
    /// User last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub user_updated_at: OffsetDateTime,
    /// Whether the user consumes an AI seat; always present.
    pub has_ai_seat: bool,
}

impl MemberWithUserView {
    /// Builds the view.
    pub fn new(m: &MemberWithUser, custom: &[CustomRole], has_ai_seat: bool) -> Self {
        let u = &m.user;
        MemberWithUserView {
            member: MemberView::new(&m.membership, custom),
            username: u.username.clone(),
            name: u.name.clone(),
            avatar_url: u.avatar_url.clone(),
            email: u.email.clone(),
            global_roles: u
                .site_roles
                .iter()
                .map(|r| SlimRole::site(r, custom))
                .collect(),
            last_seen_at: u.last_seen_at,
            status: u.status,
            login_type: u.login_type,
            is_service_account: u.is_service_account,
            user_created_at: u.created_at,
            user_updated_at: u.updated_at,
            has_ai_seat,
        }
    }
}

/// Coder's `codersdk.PaginatedMembersResponse`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = codersdk::PaginatedMembersResponse)]
pub struct PaginatedMembersResponse {
    /// The page.
    pub members: Vec<MemberWithUserView>,
    /// Every member matching the query.
    pub count: u64,
}

/// Coder's `codersdk.Permission`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = codersdk::Permission)]
pub struct PermissionView {
    /// A negative permission denies.
    pub negate: bool,
    /// `codersdk.RBACResource`.
    pub resource_type: String,
    /// `codersdk.RBACAction`.
    pub action: String,
}

impl From<&Permission> for PermissionView {
    fn from(p: &Permission) -> Self {
        PermissionView {
            negate: p.negate,
            resource_type: p.resource_type.as_str().to_owned(),
            action: p.action.as_str().to_owned(),
        }
    }
}

fn views(ps: &[Permission]) -> Vec<PermissionView> {
    ps.iter().map(PermissionView::from).collect()
}

/// Coder's `codersdk.Role`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = codersdk::Role)]
pub struct RoleView {
    /// Name.
    pub name: String,
    /// The organization of an organization role; omitted for site roles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub organization_id: Option<OrganizationId>,
    /// Display name.
    pub display_name: String,
    /// Site-level permissions.
    pub site_permissions: Vec<PermissionView>,
    /// Organization-level permissions.
    pub organization_permissions: Vec<PermissionView>,
    /// User-level permissions.
    pub user_permissions: Vec<PermissionView>,
    /// Organization-member-level permissions.
    pub organization_member_permissions: Vec<PermissionView>,
}

impl From<&RoleDefinition> for RoleView {
    fn from(r: &RoleDefinition) -> Self {
        RoleView {
            name: r.name.clone(),
            organization_id: r.organization_id,
            display_name: r.display_name.clone(),
            site_permissions: views(&r.site_permissions),
            organization_permissions: views(&r.organization_permissions),
            user_permissions: views(&r.user_permissions),
            organization_member_permissions: views(&r.organization_member_permissions),
        }
    }
}

/// Coder's `codersdk.AssignableRoles`: a role, whether the caller may assign it, and whether
/// it is built in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = codersdk::AssignableRoles)]
pub struct AssignableRoleView {
    /// The role.
    #[serde(flatten)]
    pub role: RoleView,
    /// Whether the caller may assign it.
    pub assignable: bool,
    /// Built-in roles are immutable.
    pub built_in: bool,
}

/// Coder's `codersdk.UpdateRoles`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = codersdk::UpdateRoles)]
pub struct UpdateRoles {
    /// Role names (bare names for organization roles).
    #[serde(default)]
    pub roles: Vec<String>,
}

/// Coder's `codersdk.MinimalOrganization`, as audit entries carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = codersdk::MinimalOrganization)]
pub struct MinimalOrganizationView {
    /// Id.
    #[schema(value_type = String, format = Uuid)]
    pub id: OrganizationId,
    /// Name.
    pub name: String,
    /// Display name.
    pub display_name: String,
    /// Icon.
    pub icon: String,
}

/// Coder's `codersdk.AuditLog`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = codersdk::AuditLog)]
pub struct AuditLogView {
    /// Id.
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    /// The request id (`x-request-id`).
    #[schema(value_type = String, format = Uuid)]
    pub request_id: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    /// The organization's id; the nil UUID for site-wide resources.
    #[schema(value_type = String, format = Uuid)]
    pub organization_id: uuid::Uuid,
    /// The organization, omitted for site-wide resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<MinimalOrganizationView>,
    /// The client's address.
    pub ip: String,
    /// The client's `User-Agent`.
    pub user_agent: String,
    /// `user`, `organization`, `organization_member` or `custom_role`.
    pub resource_type: String,
    /// The resource's id.
    #[schema(value_type = String, format = Uuid)]
    pub resource_id: uuid::Uuid,
    /// The resource's human name.
    pub resource_target: String,
    /// Always empty.
    pub resource_icon: String,
    /// `create`, `write` or `delete`.
    pub action: String,
    /// Changed fields: `{"field": {"old": v, "new": v, "secret": false}}`.
    #[schema(value_type = Object)]
    pub diff: serde_json::Value,
    /// The HTTP status of the answer.
    pub status_code: i32,
    /// Always `{}`.
    #[schema(value_type = Object)]
    pub additional_fields: serde_json::Value,
    /// A sentence: who did what to what.
    pub description: String,
    /// Always empty.
    pub resource_link: String,
    /// Always false.
    pub is_deleted: bool,
    /// The acting user, `null` when unknown.
    pub user: Option<UserView>,
}

/// Coder's `codersdk.AuditLogResponse`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = codersdk::AuditLogResponse)]
pub struct AuditLogResponse {
    /// The page, newest first.
    pub audit_logs: Vec<AuditLogView>,
    /// Every matching entry.
    pub count: u64,
}
