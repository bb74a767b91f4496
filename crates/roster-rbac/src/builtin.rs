//! The built-in roles of the target Coder release, their display names, and who may assign them.
//!
//! The catalogue follows `coder-behaviour.md` §3.5–3.7 and `decisions.md`:
//! there is no `organization-workspace-access` role in the target release, so the implied
//! `organization-member` role carries the member-level rights over one's own workspaces itself,
//! and (a Roster decision) it also grants organization-level `organization_member:read` and
//! `group:read` so members can list their own organizations.

use roster_domain::ids::OrganizationId;
use roster_domain::permission::{Action, Permission, ResourceType};

use crate::definition::RoleDefinition;

/// Site role: everything (`Owner`).
pub const OWNER: &str = "owner";
/// Site role implied for every user, never listed or assignable through the API (`Member`).
pub const MEMBER: &str = "member";
/// Site role: read access for audits (`Auditor`).
pub const AUDITOR: &str = "auditor";
/// Site role: templates, files and provisioners (`Template Admin`).
pub const TEMPLATE_ADMIN: &str = "template-admin";
/// Site role: users, groups and memberships (`User Admin`).
pub const USER_ADMIN: &str = "user-admin";
/// Organization role: everything in the organization but workspace exec (`Organization Admin`).
pub const ORG_ADMIN: &str = "organization-admin";
/// Organization role implied for every member, never listed or assignable through the API.
pub const ORG_MEMBER: &str = "organization-member";
/// Organization role: read access for audits (`Organization Auditor`).
pub const ORG_AUDITOR: &str = "organization-auditor";
/// Organization role: members, groups and role assignment (`Organization User Admin`).
pub const ORG_USER_ADMIN: &str = "organization-user-admin";
/// Organization role: templates and provisioners (`Organization Template Admin`).
pub const ORG_TEMPLATE_ADMIN: &str = "organization-template-admin";
/// Organization role: negates workspace creation and deletion
/// (`Organization Workspace Creation Ban`).
pub const ORG_WORKSPACE_CREATION_BAN: &str = "organization-workspace-creation-ban";
/// Placeholder standing for every custom site role in assignment checks.
pub const CUSTOM_SITE_ROLE: &str = "custom-site-role";
/// Placeholder standing for every custom organization role in assignment checks.
pub const CUSTOM_ORG_ROLE: &str = "custom-organization-role";
/// A retired built-in name: reserved, and granting nothing when still stored.
pub const RETIRED_AGENTS_ACCESS: &str = "agents-access";

const SITE_ROLES: [&str; 5] = [OWNER, MEMBER, AUDITOR, TEMPLATE_ADMIN, USER_ADMIN];
const ORG_ROLES: [&str; 6] = [
    ORG_ADMIN,
    ORG_MEMBER,
    ORG_AUDITOR,
    ORG_USER_ADMIN,
    ORG_TEMPLATE_ADMIN,
    ORG_WORKSPACE_CREATION_BAN,
];
const LISTED_SITE_ROLES: [&str; 4] = [OWNER, AUDITOR, TEMPLATE_ADMIN, USER_ADMIN];
const LISTED_ORG_ROLES: [&str; 5] = [
    ORG_ADMIN,
    ORG_AUDITOR,
    ORG_TEMPLATE_ADMIN,
    ORG_USER_ADMIN,
    ORG_WORKSPACE_CREATION_BAN,
];

use Action::*;
use ResourceType as R;

/// Workspace actions of a dormant workspace (no exec, no start, no share).
const DORMANT: &[Action] = &[
    Read,
    Delete,
    Create,
    Update,
    Stop,
    CreateAgent,
    DeleteAgent,
    UpdateAgent,
];
const CRUD: &[Action] = &[Create, Read, Update, Delete];
const READ: &[Action] = &[Read];

/// Positive permissions from a `(type, actions)` table.
fn grants(table: &[(ResourceType, &[Action])]) -> Vec<Permission> {
    table
        .iter()
        .flat_map(|(t, actions)| actions.iter().map(move |a| Permission::allow(*t, *a)))
        .collect()
}

/// Every action of `t` as individual permissions.
fn every_action(t: ResourceType) -> Vec<Action> {
    t.valid_actions().iter().collect()
}

/// `type:*` for every concrete type except `except` (Coder's `allPermsExcept`).
fn all_except(except: &[ResourceType]) -> Vec<Permission> {
    ResourceType::concrete()
        .filter(|t| !except.contains(t))
        .map(|t| Permission::allow(t, Action::Wildcard))
        .collect()
}

fn workspace_without_exec() -> Vec<Action> {
    every_action(R::Workspace)
        .into_iter()
        .filter(|a| !matches!(a, ApplicationConnect | Ssh))
        .collect()
}

fn site(
    name: &str,
    site_permissions: Vec<Permission>,
    user_permissions: Vec<Permission>,
) -> RoleDefinition {
    RoleDefinition {
        name: name.to_owned(),
        display_name: display_name(name).unwrap_or_default().to_owned(),
        organization_id: None,
        site_permissions,
        organization_permissions: Vec::new(),
        user_permissions,
        organization_member_permissions: Vec::new(),
    }
}

fn org(
    name: &str,
    org: OrganizationId,
    site_permissions: Vec<Permission>,
    organization_permissions: Vec<Permission>,
    organization_member_permissions: Vec<Permission>,
) -> RoleDefinition {
    RoleDefinition {
        name: name.to_owned(),
        display_name: display_name(name).unwrap_or_default().to_owned(),
        organization_id: Some(org),
        site_permissions,
        organization_permissions,
        user_permissions: Vec::new(),
        organization_member_permissions,
    }
}

/// A built-in site role by name: `owner`, `member`, `auditor`, `template-admin`, `user-admin`.
pub fn site_role(name: &str) -> Option<RoleDefinition> {
    let role = match name {
        OWNER => {
            let mut perms = all_except(&[
                R::WorkspaceDormant,
                R::PrebuiltWorkspace,
                R::Workspace,
                R::UserSecret,
                R::UsageEvent,
                R::BoundaryUsage,
            ]);
            perms.extend(grants(&[
                (R::Workspace, &every_action(R::Workspace)),
                (R::WorkspaceDormant, DORMANT),
                (R::PrebuiltWorkspace, &[Update, Delete]),
            ]));
            site(OWNER, perms, Vec::new())
        }
        MEMBER => {
            let mut user = all_except(&[
                R::WorkspaceDormant,
                R::PrebuiltWorkspace,
                R::Workspace,
                R::User,
                R::OrganizationMember,
                R::BoundaryUsage,
                R::AibridgeInterception,
                R::Chat,
            ]);
            user.extend(grants(&[
                (R::User, &[Read, ReadPersonal, UpdatePersonal]),
                (R::ProvisionerDaemon, &[Create, Read, Update]),
                (R::AibridgeInterception, &[Create, Update]),
            ]));
            let site_perms = grants(&[
                (R::AssignRole, READ),
                (R::Oauth2App, READ),
                (R::WorkspaceProxy, READ),
            ]);
            site(MEMBER, site_perms, user)
        }
        AUDITOR => site(
            AUDITOR,
            grants(&[
                (R::AssignOrgRole, READ),
                (R::AuditLog, READ),
                (R::ConnectionLog, READ),
                (R::Template, &[Read, ViewInsights]),
                (R::User, READ),
                (R::Group, READ),
                (R::GroupMember, READ),
                (R::Organization, READ),
                (R::OrganizationMember, READ),
                (R::DeploymentStats, READ),
                (R::DeploymentConfig, READ),
                (R::AibridgeInterception, READ),
            ]),
            Vec::new(),
        ),
        TEMPLATE_ADMIN => site(
            TEMPLATE_ADMIN,
            grants(&[
                (R::AssignOrgRole, READ),
                (R::Template, &every_action(R::Template)),
                (R::File, &[Create, Read]),
                (R::Workspace, READ),
                (R::WorkspaceDormant, READ),
                (R::PrebuiltWorkspace, &[Update, Delete]),
                (R::ProvisionerDaemon, CRUD),
                (R::User, READ),
                (R::Group, READ),
                (R::GroupMember, READ),
                (R::Organization, READ),
                (R::OrganizationMember, READ),
            ]),
            Vec::new(),
        ),
        USER_ADMIN => site(
            USER_ADMIN,
            grants(&[
                (R::AssignRole, &[Assign, Unassign, Read]),
                (R::AssignOrgRole, &[Assign, Unassign, Read]),
                (
                    R::User,
                    &[Create, Read, Update, Delete, UpdatePersonal, ReadPersonal],
                ),
                (R::Group, CRUD),
                (R::GroupMember, READ),
                (R::Organization, READ),
                (R::OrganizationMember, CRUD),
                (R::IdpsyncSettings, &[Read, Update]),
            ]),
            Vec::new(),
        ),
        _ => return None,
    };
    Some(role)
}

/// A built-in organization role by bare name, scoped to `org`.
pub fn org_role(name: &str, org_id: OrganizationId) -> Option<RoleDefinition> {
    let user_read = || grants(&[(R::User, READ)]);
    let role = match name {
        ORG_ADMIN => {
            let mut perms = all_except(&[
                R::Workspace,
                R::WorkspaceDormant,
                R::PrebuiltWorkspace,
                R::AssignRole,
                R::UserSecret,
                R::BoundaryUsage,
            ]);
            perms.extend(grants(&[
                (R::Workspace, &workspace_without_exec()),
                (R::WorkspaceDormant, DORMANT),
                (R::PrebuiltWorkspace, &[Update, Delete]),
            ]));
            org(ORG_ADMIN, org_id, user_read(), perms, Vec::new())
        }
        ORG_MEMBER => org(
            ORG_MEMBER,
            org_id,
            Vec::new(),
            grants(&[
                (R::ProvisionerDaemon, READ),
                (R::Organization, READ),
                (R::AssignOrgRole, READ),
                (R::OrganizationMember, READ),
                (R::Group, READ),
            ]),
            grants(&[
                (R::OrganizationMember, READ),
                (R::GroupMember, READ),
                (R::AibridgeInterception, &[Create, Update]),
                (R::ApiKey, CRUD),
                (R::NotificationMessage, &[Read, Update]),
                (R::NotificationPreference, &[Read, Update]),
                (R::InboxNotification, &[Create, Read, Update]),
                (R::Chat, &[Create, Read, Share, Update]),
                (R::Workspace, &every_action(R::Workspace)),
                (R::WorkspaceDormant, DORMANT),
                (R::Task, CRUD),
                (R::File, &[Create, Read]),
                (R::ProvisionerDaemon, &[Create, Read]),
            ]),
        ),
        ORG_AUDITOR => org(
            ORG_AUDITOR,
            org_id,
            Vec::new(),
            grants(&[
                (R::AuditLog, READ),
                (R::ConnectionLog, READ),
                (R::Template, &[Read, ViewInsights]),
                (R::Group, READ),
                (R::GroupMember, READ),
                (R::Organization, READ),
                (R::OrganizationMember, READ),
            ]),
            Vec::new(),
        ),
        ORG_USER_ADMIN => org(
            ORG_USER_ADMIN,
            org_id,
            user_read(),
            grants(&[
                (R::AssignOrgRole, &[Assign, Unassign, Read]),
                (R::Organization, READ),
                (R::OrganizationMember, CRUD),
                (R::Group, &every_action(R::Group)),
                (R::GroupMember, &every_action(R::GroupMember)),
                (R::IdpsyncSettings, &[Read, Update]),
            ]),
            Vec::new(),
        ),
        ORG_TEMPLATE_ADMIN => org(
            ORG_TEMPLATE_ADMIN,
            org_id,
            Vec::new(),
            grants(&[
                (R::Template, &every_action(R::Template)),
                (R::File, &[Create, Read]),
                (R::Workspace, READ),
                (R::WorkspaceDormant, READ),
                (R::PrebuiltWorkspace, &[Update, Delete]),
                (R::Organization, READ),
                (R::OrganizationMember, READ),
                (R::Group, READ),
                (R::GroupMember, READ),
                (R::ProvisionerDaemon, CRUD),
                (R::ProvisionerJobs, &[Read, Update, Create]),
            ]),
            Vec::new(),
        ),
        ORG_WORKSPACE_CREATION_BAN => org(
            ORG_WORKSPACE_CREATION_BAN,
            org_id,
            Vec::new(),
            [Create, Delete, CreateAgent, DeleteAgent]
                .into_iter()
                .map(|a| Permission::deny(R::Workspace, a))
                .collect(),
            Vec::new(),
        ),
        _ => return None,
    };
    Some(role)
}

/// The site roles `GET /users/roles` lists, in order: owner, auditor, template-admin, user-admin.
pub fn listed_site_roles() -> Vec<RoleDefinition> {
    LISTED_SITE_ROLES
        .iter()
        .filter_map(|n| site_role(n))
        .collect()
}

/// The organization roles `GET /organizations/{org}/members/roles` lists, in order:
/// organization-admin, organization-auditor, organization-template-admin,
/// organization-user-admin, organization-workspace-creation-ban.
pub fn listed_org_roles(org_id: OrganizationId) -> Vec<RoleDefinition> {
    LISTED_ORG_ROLES
        .iter()
        .filter_map(|n| org_role(n, org_id))
        .collect()
}

/// Whether `name` is a built-in site role (`member` included, placeholders excluded).
pub fn is_site_role(name: &str) -> bool {
    SITE_ROLES.contains(&name)
}

/// Whether `name` is a built-in organization role (`organization-member` included).
pub fn is_org_role(name: &str) -> bool {
    ORG_ROLES.contains(&name)
}

/// Whether a custom role may not take `name`: every built-in name, the two placeholders and the
/// retired `agents-access`. The comparison ignores ASCII case, because custom role names are
/// stored lower-cased.
pub fn is_reserved(name: &str) -> bool {
    SITE_ROLES
        .iter()
        .chain(ORG_ROLES.iter())
        .chain([CUSTOM_SITE_ROLE, CUSTOM_ORG_ROLE, RETIRED_AGENTS_ACCESS].iter())
        .any(|reserved| reserved.eq_ignore_ascii_case(name))
}

/// The display name of a built-in role (`""` for the implied `organization-member`).
pub fn display_name(name: &str) -> Option<&'static str> {
    Some(match name {
        OWNER => "Owner",
        MEMBER => "Member",
        AUDITOR => "Auditor",
        TEMPLATE_ADMIN => "Template Admin",
        USER_ADMIN => "User Admin",
        ORG_ADMIN => "Organization Admin",
        ORG_MEMBER => "",
        ORG_AUDITOR => "Organization Auditor",
        ORG_USER_ADMIN => "Organization User Admin",
        ORG_TEMPLATE_ADMIN => "Organization Template Admin",
        ORG_WORKSPACE_CREATION_BAN => "Organization Workspace Creation Ban",
        _ => return None,
    })
}

/// Coder's `assignRoles[actor][target]` table (§3.7), on bare names.
pub(crate) fn may_assign(actor: &str, target: &str) -> bool {
    match actor {
        OWNER => matches!(
            target,
            OWNER
                | AUDITOR
                | MEMBER
                | TEMPLATE_ADMIN
                | USER_ADMIN
                | CUSTOM_SITE_ROLE
                | ORG_ADMIN
                | ORG_MEMBER
                | ORG_AUDITOR
                | ORG_USER_ADMIN
                | ORG_TEMPLATE_ADMIN
                | ORG_WORKSPACE_CREATION_BAN
                | CUSTOM_ORG_ROLE
        ),
        USER_ADMIN => matches!(target, MEMBER | ORG_MEMBER),
        ORG_ADMIN => matches!(
            target,
            ORG_ADMIN
                | ORG_MEMBER
                | ORG_AUDITOR
                | ORG_USER_ADMIN
                | ORG_TEMPLATE_ADMIN
                | ORG_WORKSPACE_CREATION_BAN
                | CUSTOM_ORG_ROLE
        ),
        ORG_USER_ADMIN => target == ORG_MEMBER,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use roster_domain::ids::OrganizationId;
    use uuid::Uuid;

    use crate::builtin::*;

    fn fx_org() -> OrganizationId {
        OrganizationId(Uuid::from_u128(7))
    }

    #[test]
    fn every_builtin_permission_is_valid() {
        let roles = SITE_ROLES
            .iter()
            .filter_map(|n| site_role(n))
            .chain(ORG_ROLES.iter().filter_map(|n| org_role(n, fx_org())));
        let mut count = 0;
        for role in roles {
            count += 1;
            for (level, p) in role.permissions() {
                assert_eq!(p.validate(), Ok(()), "{} {level}: {p:?}", role.name);
            }
        }
        assert_eq!(count, 11);
    }

    #[test]
    fn listings_have_the_decided_order_and_names() {
        let site: Vec<_> = listed_site_roles()
            .into_iter()
            .map(|r| (r.name, r.display_name))
            .collect();
        assert_eq!(
            site,
            [
                ("owner", "Owner"),
                ("auditor", "Auditor"),
                ("template-admin", "Template Admin"),
                ("user-admin", "User Admin")
            ]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
        );
        let org: Vec<_> = listed_org_roles(fx_org())
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(
            org,
            [
                "organization-admin",
                "organization-auditor",
                "organization-template-admin",
                "organization-user-admin",
                "organization-workspace-creation-ban"
            ]
        );
        assert!(
            listed_org_roles(fx_org())
                .iter()
                .all(|r| r.organization_id == Some(fx_org()))
        );
    }

    #[test]
    fn site_and_org_lookups_do_not_cross() {
        assert!(site_role(ORG_ADMIN).is_none());
        assert!(org_role(OWNER, fx_org()).is_none());
        assert!(site_role(CUSTOM_SITE_ROLE).is_none());
        assert!(is_site_role(MEMBER) && !is_site_role(ORG_MEMBER));
        assert!(is_org_role(ORG_MEMBER) && !is_org_role(OWNER));
    }

    #[test]
    fn reserved_names() {
        for name in [
            OWNER,
            "Owner",
            ORG_MEMBER,
            CUSTOM_ORG_ROLE,
            CUSTOM_SITE_ROLE,
            "agents-access",
        ] {
            assert!(is_reserved(name), "{name}");
        }
        for name in ["testrole", "organization-workspace-access", "admin"] {
            assert!(!is_reserved(name), "{name}");
        }
    }

    #[test]
    fn display_names() {
        assert_eq!(display_name(ORG_MEMBER), Some(""));
        assert_eq!(
            display_name(ORG_WORKSPACE_CREATION_BAN),
            Some("Organization Workspace Creation Ban")
        );
        assert_eq!(display_name(CUSTOM_ORG_ROLE), None);
    }
}
