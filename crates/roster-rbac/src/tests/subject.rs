//! Decision rules one at a time: precedence, membership, ACLs, scopes, `any_org`, role
//! expansion, assignment, escalation and explanations.

use roster_domain::filter::{RowFilter, Scoped};
use roster_domain::ids::{CustomRoleId, GroupId, OrganizationId};
use roster_domain::permission::{Action, Permission, ResourceType};
use roster_domain::role::CustomRole;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::builtin::{self, CUSTOM_ORG_ROLE, CUSTOM_SITE_ROLE};
use crate::tests::fixtures::{fx_bob, fx_group, fx_me, fx_org, fx_other_org};
use crate::{
    AuthzError, EscalationError, Object, PermissionLevel, Reason, RoleDefinition, RoleName, Scope,
    Subject,
};

use Action::*;
use ResourceType as R;

fn fx_role(
    org: Option<OrganizationId>,
    level: PermissionLevel,
    perms: &[Permission],
) -> RoleDefinition {
    let mut def = RoleDefinition {
        name: "fx".into(),
        display_name: String::new(),
        organization_id: org,
        site_permissions: vec![],
        organization_permissions: vec![],
        user_permissions: vec![],
        organization_member_permissions: vec![],
    };
    let list = match level {
        PermissionLevel::Site => &mut def.site_permissions,
        PermissionLevel::Org(_) => &mut def.organization_permissions,
        PermissionLevel::OrgMember(_) => &mut def.organization_member_permissions,
        PermissionLevel::User => &mut def.user_permissions,
    };
    list.extend_from_slice(perms);
    def
}

fn fx_custom(name: &str, org: Option<OrganizationId>, org_perms: &[Permission]) -> CustomRole {
    CustomRole {
        id: CustomRoleId(Uuid::from_u128(99)),
        name: name.into(),
        display_name: name.into(),
        organization_id: org,
        site_permissions: vec![],
        organization_permissions: org_perms.to_vec(),
        user_permissions: vec![],
        organization_member_permissions: vec![],
        created_at: OffsetDateTime::UNIX_EPOCH,
        updated_at: OffsetDateTime::UNIX_EPOCH,
    }
}

/// Role levels, each becoming one role.
type Levels<'a> = &'a [(PermissionLevel, &'a [Permission])];

/// A subject made of the given role levels, each a separate role, member of `fx_org()`.
fn fx_levels(levels: &[(PermissionLevel, &[Permission])]) -> Subject {
    let mut defs: Vec<RoleDefinition> = levels
        .iter()
        .enumerate()
        .map(|(i, (level, perms))| {
            let org = match level {
                PermissionLevel::Org(o) | PermissionLevel::OrgMember(o) => Some(*o),
                _ => None,
            };
            RoleDefinition {
                name: format!("r{i}"),
                ..fx_role(org, *level, perms)
            }
        })
        .collect();
    defs.push(RoleDefinition {
        name: "membership".into(),
        ..fx_role(Some(fx_org()), PermissionLevel::Org(fx_org()), &[])
    });
    Subject::from_definitions(fx_me(), defs)
}

#[track_caller]
fn check(subject: &Subject, action: Action, object: &Object, expected: bool) {
    assert_eq!(
        subject.allows(action, object),
        expected,
        "{action} {object:?}"
    );
    let why = subject.explain(action, object);
    assert_eq!(why.is_allowed(), expected, "explain disagrees: {why}");
    assert_eq!(subject.authorize(action, object).is_ok(), expected);
}

const ORG: PermissionLevel = PermissionLevel::Org(fx_org());
const MEMBER: PermissionLevel = PermissionLevel::OrgMember(fx_org());
const SITE: PermissionLevel = PermissionLevel::Site;
const USER: PermissionLevel = PermissionLevel::User;

fn allow(t: ResourceType, a: Action) -> Permission {
    Permission::allow(t, a)
}
fn deny(t: ResourceType, a: Action) -> Permission {
    Permission::deny(t, a)
}

#[test]
fn levels_follow_coders_precedence() {
    let ws = || Object::new(R::Workspace);
    let mine_in_org = ws().in_org(fx_org()).owned_by(fx_me());
    let mine_outside = ws().owned_by(fx_me());
    let cases: &[(Levels<'_>, &Object, bool)] = &[
        // Deny by default.
        (&[], &mine_in_org, false),
        // A site negative blocks every lower level.
        (
            &[
                (SITE, &[deny(R::Workspace, Read)]),
                (ORG, &[allow(R::Workspace, Read)]),
            ],
            &mine_in_org,
            false,
        ),
        (
            &[
                (SITE, &[deny(R::Wildcard, Read)]),
                (MEMBER, &[allow(R::Workspace, Read)]),
            ],
            &mine_in_org,
            false,
        ),
        (
            &[
                (SITE, &[deny(R::Workspace, Wildcard)]),
                (USER, &[allow(R::Workspace, Read)]),
            ],
            &mine_outside,
            false,
        ),
        // Within a level a negative beats a positive, whichever role holds it.
        (
            &[
                (SITE, &[allow(R::Workspace, Read)]),
                (SITE, &[deny(R::Workspace, Read)]),
            ],
            &mine_in_org,
            false,
        ),
        (
            &[(
                SITE,
                &[allow(R::Wildcard, Wildcard), deny(R::Workspace, Read)],
            )],
            &mine_in_org,
            false,
        ),
        // A site positive wins over lower negatives.
        (
            &[
                (SITE, &[allow(R::Workspace, Read)]),
                (ORG, &[deny(R::Workspace, Read)]),
            ],
            &mine_in_org,
            true,
        ),
        // An organization negative blocks the member level, not the other way round.
        (
            &[
                (ORG, &[deny(R::Workspace, Read)]),
                (MEMBER, &[allow(R::Workspace, Read)]),
            ],
            &mine_in_org,
            false,
        ),
        (
            &[
                (ORG, &[allow(R::Workspace, Read)]),
                (MEMBER, &[deny(R::Workspace, Read)]),
            ],
            &mine_in_org,
            true,
        ),
        (
            &[(MEMBER, &[allow(R::Workspace, Read)])],
            &mine_in_org,
            true,
        ),
        // The member level needs ownership; the user level needs no organization.
        (
            &[(MEMBER, &[allow(R::Workspace, Read)])],
            &ws().in_org(fx_org()).owned_by(fx_bob()),
            false,
        ),
        (&[(USER, &[allow(R::Workspace, Read)])], &mine_in_org, false),
        (&[(USER, &[allow(R::Workspace, Read)])], &mine_outside, true),
        (
            &[(USER, &[allow(R::Workspace, Read)])],
            &ws().owned_by(fx_bob()),
            false,
        ),
        (&[(USER, &[allow(R::Workspace, Read)])], &ws(), false),
        // Organization levels count only for organizations the subject belongs to.
        (
            &[(ORG, &[allow(R::Workspace, Read)])],
            &ws().in_org(fx_org()),
            true,
        ),
        (
            &[(ORG, &[allow(R::Workspace, Read)])],
            &ws().in_org(fx_other_org()),
            false,
        ),
        (
            &[(
                PermissionLevel::Org(fx_other_org()),
                &[allow(R::Workspace, Read)],
            )],
            &ws().in_org(fx_other_org()),
            true,
        ),
        // Wildcards.
        (
            &[(ORG, &[allow(R::Wildcard, Read)])],
            &ws().in_org(fx_org()),
            true,
        ),
        (
            &[(ORG, &[allow(R::Workspace, Wildcard)])],
            &ws().in_org(fx_org()),
            true,
        ),
        (
            &[(ORG, &[allow(R::Template, Wildcard)])],
            &ws().in_org(fx_org()),
            false,
        ),
    ];
    for (i, (levels, object, expected)) in cases.iter().enumerate() {
        let subject = fx_levels(levels);
        assert_eq!(subject.allows(Read, object), *expected, "case {i}");
        check(&subject, Read, object, *expected);
    }
}

#[test]
fn acl_is_an_alternative_to_roles() {
    let nobody =
        Subject::new(fx_me(), &[], &[(fx_org(), vec![])], &[]).with_groups(vec![fx_group()]);
    let tpl = || Object::new(R::Template).in_org(fx_org());
    check(&nobody, Use, &tpl(), false);
    check(&nobody, Use, &tpl().with_user_acl(fx_me(), &[Use]), true);
    check(&nobody, Read, &tpl().with_user_acl(fx_me(), &[Use]), false);
    check(
        &nobody,
        Read,
        &tpl().with_user_acl(fx_me(), &[Wildcard]),
        true,
    );
    check(&nobody, Use, &tpl().with_user_acl(fx_bob(), &[Use]), false);
    check(
        &nobody,
        Use,
        &tpl().with_group_acl(fx_group(), &[Use]),
        true,
    );
    check(
        &nobody,
        Use,
        &tpl().with_group_acl(GroupId(Uuid::from_u128(77)), &[Use]),
        false,
    );
    // The "Everyone" group has the organization's id.
    check(
        &nobody,
        Use,
        &tpl().with_group_acl(GroupId(fx_org().0), &[Use]),
        true,
    );
    // ACLs need membership of the object's organization.
    let foreign = || Object::new(R::Template).in_org(fx_other_org());
    check(
        &nobody,
        Use,
        &foreign().with_user_acl(fx_me(), &[Use]),
        false,
    );
    check(
        &nobody,
        Use,
        &foreign().with_group_acl(fx_group(), &[Use]),
        false,
    );
    check(
        &nobody,
        Use,
        &foreign().with_group_acl(GroupId(fx_other_org().0), &[Use]),
        false,
    );
    // Outside any organization only the user ACL applies.
    check(
        &nobody,
        Use,
        &Object::new(R::Template).with_user_acl(fx_me(), &[Use]),
        true,
    );
    check(
        &nobody,
        Use,
        &Object::new(R::Template).with_group_acl(fx_group(), &[Use]),
        false,
    );
    // The ACL is an alternative to roles, so even a site negative does not block it (Coder).
    let denied = fx_levels(&[(SITE, &[deny(R::Template, Use)])]);
    check(&denied, Use, &tpl().with_user_acl(fx_me(), &[Use]), true);
}

#[test]
fn scope_must_also_allow() {
    let owner = Subject::new(fx_me(), &["owner".into()], &[], &[]);
    let read_only = Scope::from_permissions(&[allow(R::Wildcard, Read)]);
    let scoped = owner.clone().with_scope(read_only);
    let user = Object::new(R::User);
    check(&owner, Update, &user, true);
    check(&scoped, Read, &user, true);
    check(&scoped, Update, &user, false);
    check(
        &scoped,
        Update,
        &user.clone().with_user_acl(fx_me(), &[Update]),
        false,
    );
    let no_users =
        Scope::from_permissions(&[allow(R::Wildcard, Wildcard), deny(R::User, Wildcard)]);
    let scoped = owner.with_scope(no_users);
    check(&scoped, Read, &user, false);
    check(&scoped, Read, &Object::new(R::Group), true);
    let why = scoped.explain(Read, &user);
    assert_eq!(
        why.reason(),
        &Reason::OutOfScope {
            negated: Some(deny(R::User, Wildcard))
        }
    );
    assert_eq!(scoped.prepare(Read, R::User), RowFilter::Nothing);
}

#[test]
fn any_org_takes_the_best_organization() {
    let ws = Object::new(R::Workspace).any_org();
    let banned_here = vec![(fx_org(), vec![builtin::ORG_WORKSPACE_CREATION_BAN.into()])];
    let banned = Subject::new(fx_me(), &[], &banned_here, &[]);
    check(&banned, Create, &ws, false);
    let admin_elsewhere = [
        banned_here.clone(),
        vec![(fx_other_org(), vec![builtin::ORG_ADMIN.into()])],
    ]
    .concat();
    let subject = Subject::new(fx_me(), &[], &admin_elsewhere, &[]);
    check(&subject, Create, &ws, true);
    check(&subject, Read, &Object::new(R::AuditLog).any_org(), true);
    check(&banned, Read, &Object::new(R::AuditLog).any_org(), false);
    let loner = Subject::new(fx_me(), &[], &[], &[]);
    check(&loner, Read, &Object::new(R::Organization).any_org(), false);
    check(&banned, Read, &Object::new(R::Organization).any_org(), true);
}

#[test]
fn roles_expand_with_implied_ones_and_drop_unknown_names() {
    let customs = [
        fx_custom("auditor-lite", None, &[]),
        fx_custom(
            "greeter",
            Some(fx_org()),
            &[allow(R::OrganizationMember, Create)],
        ),
        fx_custom("greeter", Some(fx_other_org()), &[allow(R::Group, Create)]),
        fx_custom("agents-access", Some(fx_org()), &[allow(R::Group, Delete)]),
    ];
    let site = [
        "owner",
        "ghost",
        "organization-admin",
        "member",
        "Auditor-Lite",
    ]
    .map(String::from);
    let memberships = [(
        fx_org(),
        [
            "GREETER",
            "organization-auditor",
            "owner",
            "agents-access",
            "organization-member",
            "greeter",
        ]
        .map(String::from)
        .to_vec(),
    )];
    let subject = Subject::new(fx_me(), &site, &memberships, &customs);
    let names: Vec<String> = subject.roles().iter().map(ToString::to_string).collect();
    let org = fx_org();
    assert_eq!(
        names,
        [
            "member".to_owned(),
            "owner".to_owned(),
            "auditor-lite".to_owned(),
            format!("organization-member:{org}"),
            format!("greeter:{org}"),
            format!("organization-auditor:{org}"),
        ]
    );
    assert!(subject.is_member_of(fx_org()) && !subject.is_member_of(fx_other_org()));
    let plain = Subject::new(fx_me(), &[], &memberships, &customs);
    check(
        &plain,
        Create,
        &Object::new(R::OrganizationMember).in_org(fx_org()),
        true,
    );
    check(
        &plain,
        Create,
        &Object::new(R::Group).in_org(fx_other_org()),
        false,
    );
    check(
        &plain,
        Delete,
        &Object::new(R::Group).in_org(fx_org()),
        false,
    );
}

#[test]
fn prepare_builds_the_smallest_filter() {
    let admin_two = Subject::new(
        fx_me(),
        &[],
        &[
            (fx_org(), vec![builtin::ORG_ADMIN.into()]),
            (fx_other_org(), vec![]),
        ],
        &[],
    );
    let cases = [
        (
            Subject::new(fx_me(), &["owner".into()], &[], &[]),
            Read,
            R::Workspace,
            RowFilter::All,
        ),
        (
            Subject::new(fx_me(), &[], &[], &[]),
            Read,
            R::OrganizationMember,
            RowFilter::Nothing,
        ),
        (
            admin_two.clone(),
            Read,
            R::Workspace,
            RowFilter::Where(Scoped {
                subject: fx_me(),
                orgs: vec![fx_org()],
                owned_in_orgs: vec![fx_other_org()],
                owned_outside_orgs: false,
            }),
        ),
        (
            admin_two.clone(),
            Read,
            R::OrganizationMember,
            RowFilter::Where(Scoped {
                subject: fx_me(),
                orgs: vec![fx_org(), fx_other_org()],
                owned_in_orgs: vec![],
                owned_outside_orgs: false,
            }),
        ),
        (
            admin_two,
            Read,
            R::ApiKey,
            RowFilter::Where(Scoped {
                subject: fx_me(),
                orgs: vec![fx_org()],
                owned_in_orgs: vec![fx_other_org()],
                owned_outside_orgs: true,
            }),
        ),
    ];
    for (subject, action, t, expected) in cases {
        assert_eq!(subject.prepare(action, t), expected, "{t}:{action}");
    }
}

#[test]
fn who_may_assign_what() {
    let org = fx_org();
    let other = fx_other_org();
    let site_subject = |role: &str| Subject::new(fx_me(), &[role.into()], &[], &[]);
    let org_subject = |role: &str| Subject::new(fx_me(), &[], &[(org, vec![role.into()])], &[]);
    let site_targets = [
        "owner",
        "auditor",
        "member",
        "template-admin",
        "user-admin",
        CUSTOM_SITE_ROLE,
    ];
    let org_targets = [
        "organization-admin",
        "organization-member",
        "organization-auditor",
        "organization-user-admin",
        "organization-template-admin",
        "organization-workspace-creation-ban",
        CUSTOM_ORG_ROLE,
    ];
    #[track_caller]
    fn check_assign(subject: &Subject, target: RoleName, expected: bool) {
        assert_eq!(
            subject.can_assign(&target),
            expected,
            "{:?} assigning {target}",
            subject.roles()
        );
    }
    // (actor, site targets it may assign, org targets it may assign in its org)
    let owner = site_subject("owner");
    let user_admin = site_subject("user-admin");
    let org_admin = org_subject("organization-admin");
    let org_user_admin = org_subject("organization-user-admin");
    let others = [
        site_subject("auditor"),
        site_subject("template-admin"),
        org_subject("organization-auditor"),
        Subject::new(fx_me(), &[], &[], &[]),
    ];
    for t in site_targets {
        check_assign(&owner, RoleName::site(t), true);
        check_assign(&user_admin, RoleName::site(t), t == "member");
        check_assign(&org_admin, RoleName::site(t), false);
        check_assign(&org_user_admin, RoleName::site(t), false);
        for s in &others {
            check_assign(s, RoleName::site(t), false);
        }
    }
    for t in org_targets {
        for o in [org, other] {
            check_assign(&owner, RoleName::in_org(t, o), true);
            check_assign(
                &user_admin,
                RoleName::in_org(t, o),
                t == "organization-member",
            );
            check_assign(&org_admin, RoleName::in_org(t, o), o == org);
            check_assign(
                &org_user_admin,
                RoleName::in_org(t, o),
                o == org && t == "organization-member",
            );
            for s in &others {
                check_assign(s, RoleName::in_org(t, o), false);
            }
        }
    }
    let names = |roles: Vec<RoleName>| roles.into_iter().map(|r| r.name).collect::<Vec<_>>();
    assert_eq!(
        names(org_admin.assignable_roles(None)),
        Vec::<String>::new()
    );
    assert_eq!(names(org_admin.assignable_roles(Some(org))).len(), 6);
    assert_eq!(
        names(owner.assignable_roles(None)),
        [
            "owner",
            "auditor",
            "template-admin",
            "user-admin",
            CUSTOM_SITE_ROLE
        ]
    );
    assert_eq!(
        names(org_user_admin.assignable_roles(Some(org))),
        Vec::<String>::new()
    );
}

#[test]
fn escalation_check_reports_every_refused_permission() {
    let org_admin = Subject::new(
        fx_me(),
        &[],
        &[(fx_org(), vec![builtin::ORG_ADMIN.into()])],
        &[],
    );
    let asked = [
        allow(R::OrganizationMember, Read),
        deny(R::Group, Read),
        allow(R::Wildcard, Read),
        allow(R::Group, Wildcard),
        allow(R::Workspace, Ssh),
        allow(R::AssignRole, Assign),
        allow(R::Template, Create),
    ];
    let errors = org_admin.check_grantable(fx_org(), &asked).unwrap_err();
    assert_eq!(
        errors,
        [
            EscalationError::Negative(asked[1]),
            EscalationError::Wildcard(asked[2]),
            EscalationError::Wildcard(asked[3]),
            EscalationError::NotHeld(asked[4]),
            EscalationError::NotHeld(asked[5]),
        ]
    );
    assert_eq!(
        org_admin.check_grantable(fx_org(), &[asked[0], asked[6]]),
        Ok(())
    );
    // Not in another organization.
    assert_eq!(
        org_admin.check_grantable(fx_other_org(), &[asked[0]]),
        Err(vec![EscalationError::NotHeld(asked[0])])
    );
    // The owner may grant anything concrete anywhere, even in organizations it is not part of.
    let owner = Subject::new(fx_me(), &["owner".into()], &[], &[]);
    assert_eq!(
        owner.check_grantable(fx_other_org(), &[asked[4], asked[5], asked[6]]),
        Ok(())
    );
    assert_eq!(owner.check_grantable(fx_org(), &[]), Ok(()));
}

#[test]
fn explanations_name_the_role_level_and_permission() {
    let org = fx_org();
    let memberships = [(
        org,
        vec![
            builtin::ORG_ADMIN.into(),
            builtin::ORG_WORKSPACE_CREATION_BAN.into(),
        ],
    )];
    let subject = Subject::new(fx_me(), &[], &memberships, &[]);
    let ws = Object::new(R::Workspace).in_org(org).owned_by(fx_me());
    let cases = [
        (
            subject.explain(Create, &ws).to_string(),
            format!(
                "denied: role \"organization-workspace-creation-ban:{org}\" negates workspace:create at the \
                 organization level of {org} (permission -workspace:create); a negative permission \
                 overrides every grant at its level and below"
            ),
        ),
        (
            subject.explain(Update, &ws).to_string(),
            format!(
                "allowed: role \"organization-admin:{org}\" grants workspace:update at the organization \
                 level of {org} (permission workspace:update)"
            ),
        ),
        (
            subject.explain(Ssh, &ws).to_string(),
            format!(
                "allowed: role \"organization-member:{org}\" grants workspace:ssh at the \
                 organization-member level of {org} (permission workspace:ssh)"
            ),
        ),
        (
            subject.explain(Read, &Object::new(R::User)).to_string(),
            "allowed: role \"organization-admin:".to_owned()
                + &org.to_string()
                + "\" grants user:read at the site level (permission user:read)",
        ),
        (
            subject
                .explain(Read, &Object::new(R::AuditLog).in_org(fx_other_org()))
                .to_string(),
            format!(
                "denied: no role of the subject grants audit_log:read on this object, and the subject \
                 is not a member of its organization {}",
                fx_other_org()
            ),
        ),
        (
            subject.explain(Read, &Object::new(R::License)).to_string(),
            "denied: no role of the subject grants license:read on this object".to_owned(),
        ),
    ];
    for (got, expected) in cases {
        assert_eq!(got, expected);
    }
    let err = subject.authorize(Create, &ws).unwrap_err();
    assert_eq!(
        err,
        AuthzError::Forbidden {
            action: Create,
            resource_type: R::Workspace
        }
    );
}
