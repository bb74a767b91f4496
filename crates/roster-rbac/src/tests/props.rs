//! Property tests: the compiled decision against the reference evaluator behind `explain`, the
//! prepared filter against the decision, and the invariants the issue names.

use proptest::prelude::*;
use roster_domain::ids::{GroupId, OrganizationId, UserId};
use roster_domain::permission::{Action, Permission, ResourceType};
use uuid::Uuid;

use crate::tests::fixtures::{fx_bob, fx_group, fx_me};
use crate::{Object, RoleDefinition, Scope, Subject};

/// Organizations 1–3 may appear in roles; 4 never does.
fn org(n: u128) -> OrganizationId {
    OrganizationId(Uuid::from_u128(100 + n))
}

fn arb_org() -> impl Strategy<Value = OrganizationId> {
    (1u128..=4).prop_map(org)
}

fn arb_type() -> impl Strategy<Value = ResourceType> {
    use ResourceType as R;
    prop_oneof![
        4 => prop::sample::select(vec![R::Wildcard, R::Workspace, R::Template, R::OrganizationMember, R::User]),
        1 => prop::sample::select(ResourceType::VALUES.to_vec()),
    ]
}

fn arb_concrete_type() -> impl Strategy<Value = ResourceType> {
    arb_type().prop_filter("concrete", |t| *t != ResourceType::Wildcard)
}

fn arb_action() -> impl Strategy<Value = Action> {
    use Action::*;
    prop_oneof![
        4 => prop::sample::select(vec![Wildcard, Read, Create, Update, Delete, Ssh]),
        1 => prop::sample::select(Action::VALUES.to_vec()),
    ]
}

fn arb_concrete_action() -> impl Strategy<Value = Action> {
    arb_action().prop_filter("concrete", |a| *a != Action::Wildcard)
}

fn arb_permission() -> impl Strategy<Value = Permission> {
    (prop::bool::weighted(0.25), arb_type(), arb_action()).prop_map(
        |(negate, resource_type, action)| Permission {
            negate,
            resource_type,
            action,
        },
    )
}

fn arb_perms() -> impl Strategy<Value = Vec<Permission>> {
    prop::collection::vec(arb_permission(), 0..4)
}

fn arb_role() -> impl Strategy<Value = RoleDefinition> {
    (
        "[a-c]",
        prop::option::weighted(0.7, (1u128..=3).prop_map(org)),
        arb_perms(),
        arb_perms(),
        arb_perms(),
        arb_perms(),
    )
        .prop_map(
            |(name, organization_id, site, in_org, user, member)| RoleDefinition {
                name,
                display_name: String::new(),
                organization_id,
                site_permissions: site,
                organization_permissions: in_org,
                user_permissions: user,
                organization_member_permissions: member,
            },
        )
}

fn arb_subject() -> impl Strategy<Value = Subject> {
    (
        prop::collection::vec(arb_role(), 0..5),
        prop::option::weighted(0.2, prop::collection::vec(arb_permission(), 0..4)),
        prop::bool::ANY,
    )
        .prop_map(|(roles, scope, in_group)| {
            let subject = Subject::from_definitions(fx_me(), roles);
            let subject = match scope {
                Some(perms) => subject.with_scope(Scope::from_permissions(&perms)),
                None => subject,
            };
            if in_group {
                subject.with_groups(vec![fx_group()])
            } else {
                subject
            }
        })
}

fn arb_user() -> impl Strategy<Value = UserId> {
    prop::sample::select(vec![fx_me(), fx_bob()])
}

/// An object without ACLs that is not an `any_org` question: what a row filter describes.
fn arb_plain_object() -> impl Strategy<Value = Object> {
    (
        arb_type(),
        prop::option::of(arb_org()),
        prop::option::of(arb_user()),
    )
        .prop_map(|(t, org, owner)| {
            let o = Object::new(t);
            let o = match org {
                Some(org) => o.in_org(org),
                None => o,
            };
            match owner {
                Some(u) => o.owned_by(u),
                None => o,
            }
        })
}

fn arb_object() -> impl Strategy<Value = Object> {
    let group = prop_oneof![Just(fx_group()), arb_org().prop_map(|o| GroupId(o.0))];
    (
        arb_plain_object(),
        prop::bool::weighted(0.15),
        prop::collection::vec(
            (arb_user(), prop::collection::vec(arb_action(), 0..3)),
            0..2,
        ),
        prop::collection::vec((group, prop::collection::vec(arb_action(), 0..3)), 0..2),
    )
        .prop_map(|(mut o, any_org, users, groups)| {
            if any_org {
                o = o.any_org();
            }
            for (u, actions) in users {
                o = o.with_user_acl(u, &actions);
            }
            for (g, actions) in groups {
                o = o.with_group_acl(g, &actions);
            }
            o
        })
}

proptest! {
    #[test]
    fn no_roles_deny_everything(object in arb_plain_object(), action in arb_action()) {
        let subject = Subject::from_definitions(fx_me(), vec![]);
        prop_assert!(!subject.allows(action, &object));
        prop_assert!(!subject.allows(action, &object.clone().any_org()));
        prop_assert_eq!(subject.prepare(action, object.resource_type()), crate::RowFilter::Nothing);
    }

    #[test]
    fn a_matching_site_negative_always_denies(
        mut roles in prop::collection::vec(arb_role(), 0..5),
        object in arb_plain_object(),
        action in arb_action(),
        wild_type in prop::bool::ANY,
        wild_action in prop::bool::ANY,
    ) {
        let t = if wild_type { ResourceType::Wildcard } else { object.resource_type() };
        let a = if wild_action { Action::Wildcard } else { action };
        let mut blocker = RoleDefinition { name: "blocker".into(), ..roles.first().cloned().unwrap_or_else(empty_role) };
        blocker.site_permissions.push(Permission::deny(t, a));
        roles.push(blocker);
        let subject = Subject::from_definitions(fx_me(), roles);
        // Without ACLs (which are an alternative to roles), nothing gets past it.
        prop_assert!(!subject.allows(action, &object));
        prop_assert!(!subject.allows(action, &object.clone().any_org()));
        prop_assert!(!subject.prepare(action, object.resource_type()).matches(object.org(), object.owner()));
    }

    #[test]
    fn explain_agrees_with_authorize(subject in arb_subject(), object in arb_object(), action in arb_action()) {
        let why = subject.explain(action, &object);
        prop_assert_eq!(why.is_allowed(), subject.allows(action, &object), "{}", why);
        prop_assert_eq!(why.is_allowed(), subject.authorize(action, &object).is_ok());
    }

    #[test]
    fn prepared_filter_agrees_with_allows(
        subject in arb_subject(),
        action in arb_action(),
        objects in prop::collection::vec(arb_plain_object(), 1..16),
    ) {
        for t in objects.iter().map(Object::resource_type) {
            let filter = subject.prepare(action, t);
            for object in objects.iter().filter(|o| o.resource_type() == t) {
                prop_assert_eq!(
                    filter.matches(object.org(), object.owner()),
                    subject.allows(action, object),
                    "{:?} {:?}", filter, object
                );
            }
        }
    }

    #[test]
    fn a_grantable_custom_role_grants_its_creator_nothing_new(
        roles in prop::collection::vec(arb_role(), 0..5),
        asked in prop::collection::vec(
            (arb_concrete_type(), arb_concrete_action()).prop_map(|(t, a)| Permission::allow(t, a)),
            0..12,
        ),
        objects in prop::collection::vec(arb_object(), 1..16),
        action in arb_action(),
    ) {
        let target = org(1);
        let mut roles = roles;
        roles.push(RoleDefinition { name: "membership".into(), organization_id: Some(target), ..empty_role() });
        let creator = Subject::from_definitions(fx_me(), roles.clone());
        // Keep what the check accepts; it must then accept the rest as a whole.
        let refused: Vec<Permission> = match creator.check_grantable(target, &asked) {
            Ok(()) => vec![],
            Err(errors) => errors.iter().map(|e| e.permission()).collect(),
        };
        let granted: Vec<Permission> = asked.into_iter().filter(|p| !refused.contains(p)).collect();
        prop_assert_eq!(creator.check_grantable(target, &granted), Ok(()));
        roles.push(RoleDefinition {
            name: "custom".into(),
            organization_id: Some(target),
            organization_permissions: granted,
            ..empty_role()
        });
        let with_role = Subject::from_definitions(fx_me(), roles);
        for object in &objects {
            let object = object.clone().in_org(target);
            prop_assert_eq!(with_role.allows(action, &object), creator.allows(action, &object), "{:?}", object);
        }
    }
}

fn empty_role() -> RoleDefinition {
    RoleDefinition {
        name: String::new(),
        display_name: String::new(),
        organization_id: None,
        site_permissions: vec![],
        organization_permissions: vec![],
        user_permissions: vec![],
        organization_member_permissions: vec![],
    }
}
