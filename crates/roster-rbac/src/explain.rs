//! [`Explanation`]: a decision with its reason.
//!
//! The explanation is computed by a second, straightforward evaluator that walks the role
//! definitions permission by permission, the way Coder's `policy.rego` reads.
//! It shares no code with the compiled bit masks behind [`Subject::allows`], and the property
//! tests check that both always decide alike.

use std::fmt;

use roster_domain::ids::{GroupId, OrganizationId};
use roster_domain::permission::{Action, Permission, ResourceType};

use crate::compiled::query_bit;
use crate::definition::{PermissionLevel, RoleDefinition};
use crate::error::PermissionText;
use crate::object::Object;
use crate::role_name::RoleName;
use crate::subject::Subject;

/// One permission of one role, at a level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The role that holds the permission.
    pub role: RoleName,
    /// The level the permission applies at.
    pub level: PermissionLevel,
    /// The permission itself (possibly with wildcards).
    pub permission: Permission,
}

/// Why a decision came out the way it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Allowed: a role's permission at a level.
    Granted(Grant),
    /// Allowed: the object's user ACL lists the subject.
    UserAcl,
    /// Allowed: the object's group ACL lists one of the subject's groups, or the organization's
    /// "Everyone" group (whose id is the organization's).
    GroupAcl {
        /// The group.
        group: GroupId,
    },
    /// Denied: a negative permission at this level, which blocks this level and every lower one.
    Negated(Grant),
    /// Denied: no applicable level grants the action.
    NotGranted {
        /// The object's organization when the subject is not a member of it
        /// (so the organization levels did not apply).
        not_member_of: Option<OrganizationId>,
    },
    /// Denied: the roles allow it but the API key's scope does not.
    OutOfScope {
        /// The scope's negative permission that matched, if one did.
        negated: Option<Permission>,
    },
}

/// A decision and its reason, from [`Subject::explain`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The action asked about.
    pub action: Action,
    /// The object's type.
    pub resource_type: ResourceType,
    allowed: bool,
    reason: Reason,
}

impl Explanation {
    /// The decision; always the same as [`Subject::allows`].
    pub fn is_allowed(&self) -> bool {
        self.allowed
    }

    /// The reason.
    pub fn reason(&self) -> &Reason {
        &self.reason
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let asked = format!("{}:{}", self.resource_type, self.action);
        match &self.reason {
            Reason::Granted(g) => write!(
                f,
                "allowed: role \"{}\" grants {asked} at the {} (permission {})",
                g.role,
                g.level,
                PermissionText(g.permission)
            ),
            Reason::UserAcl => write!(
                f,
                "allowed: the object's user ACL grants {asked} to the subject"
            ),
            Reason::GroupAcl { group } => {
                write!(
                    f,
                    "allowed: the object's group ACL grants {asked} to group {group}"
                )
            }
            Reason::Negated(g) => write!(
                f,
                "denied: role \"{}\" negates {asked} at the {} (permission {}); \
                 a negative permission overrides every grant at its level and below",
                g.role,
                g.level,
                PermissionText(g.permission)
            ),
            Reason::NotGranted {
                not_member_of: None,
            } => {
                write!(
                    f,
                    "denied: no role of the subject grants {asked} on this object"
                )
            }
            Reason::NotGranted {
                not_member_of: Some(org),
            } => write!(
                f,
                "denied: no role of the subject grants {asked} on this object, \
                 and the subject is not a member of its organization {org}"
            ),
            Reason::OutOfScope { negated: None } => {
                write!(f, "denied: the API key's scope does not allow {asked}")
            }
            Reason::OutOfScope { negated: Some(p) } => write!(
                f,
                "denied: the API key's scope negates {asked} (permission {})",
                PermissionText(*p)
            ),
        }
    }
}

fn matches(p: &Permission, t: ResourceType, a: Action) -> bool {
    (p.action == a || p.action == Action::Wildcard)
        && (p.resource_type == t || p.resource_type == ResourceType::Wildcard)
}

/// The matching permissions of one level: the first positive and the first negative.
#[derive(Debug, Default)]
struct Tally {
    allow: Option<Grant>,
    deny: Option<Grant>,
}

impl Tally {
    fn over<'a>(
        defs: impl Iterator<Item = &'a RoleDefinition>,
        want: impl Fn(PermissionLevel) -> bool,
        t: ResourceType,
        a: Action,
    ) -> Tally {
        let mut tally = Tally::default();
        for def in defs {
            for (level, p) in def.permissions() {
                if !want(level) || !matches(&p, t, a) {
                    continue;
                }
                let slot = if p.negate {
                    &mut tally.deny
                } else {
                    &mut tally.allow
                };
                if slot.is_none() {
                    *slot = Some(Grant {
                        role: def.role_name(),
                        level,
                        permission: p,
                    });
                }
            }
        }
        tally
    }

    /// Coder's vote: -1 if a negative matched, +1 if only positives did, 0 if none.
    fn vote(&self) -> i8 {
        match (&self.deny, &self.allow) {
            (Some(_), _) => -1,
            (None, Some(_)) => 1,
            (None, None) => 0,
        }
    }
}

pub(crate) fn explain(subject: &Subject, action: Action, object: &Object) -> Explanation {
    let t = object.resource_type();
    let defs = subject.role_definitions();
    let members: Vec<OrganizationId> = {
        let mut orgs: Vec<_> = defs.iter().filter_map(|d| d.organization_id).collect();
        orgs.sort_unstable();
        orgs.dedup();
        orgs
    };
    let owned = object.owner() == Some(subject.id());
    let object_org_member = object.org().filter(|o| members.contains(o));

    let site = Tally::over(defs.iter(), |l| l == PermissionLevel::Site, t, action);
    let org = if object.is_any_org() {
        // The best organization: one that allows, else one that abstains, else any (all deny).
        let mut best: Option<Tally> = None;
        for m in &members {
            let tally = Tally::over(defs.iter(), |l| l == PermissionLevel::Org(*m), t, action);
            if best.as_ref().is_none_or(|b| tally.vote() > b.vote()) {
                best = Some(tally);
            }
        }
        best.unwrap_or_default()
    } else if let Some(o) = object_org_member {
        Tally::over(defs.iter(), |l| l == PermissionLevel::Org(o), t, action)
    } else {
        Tally::default()
    };
    let member = match object_org_member {
        Some(o) if owned && !object.is_any_org() => Tally::over(
            defs.iter(),
            |l| l == PermissionLevel::OrgMember(o),
            t,
            action,
        ),
        _ => Tally::default(),
    };
    let user = if owned && object.org().is_none() && !object.is_any_org() {
        Tally::over(defs.iter(), |l| l == PermissionLevel::User, t, action)
    } else {
        Tally::default()
    };

    let role_reason = if site.vote() == 1 {
        site.allow.clone().map(Reason::Granted)
    } else if site.vote() != -1 && user.vote() == 1 {
        user.allow.clone().map(Reason::Granted)
    } else if site.vote() != -1 && org.vote() == 1 {
        org.allow.clone().map(Reason::Granted)
    } else if site.vote() != -1 && org.vote() != -1 && member.vote() == 1 {
        member.allow.clone().map(Reason::Granted)
    } else {
        None
    };
    let acl_reason = role_reason
        .is_none()
        .then(|| acl_reason(subject, action, object, &members))
        .flatten();
    let allow_reason = role_reason.or(acl_reason);

    let scope = subject.scope();
    let scope_tally = {
        let mut tally = Tally::default();
        for p in scope.permissions() {
            if matches(p, t, action) {
                let slot = if p.negate {
                    &mut tally.deny
                } else {
                    &mut tally.allow
                };
                if slot.is_none() {
                    *slot = Some(Grant {
                        role: RoleName::site("scope"),
                        level: PermissionLevel::Site,
                        permission: *p,
                    });
                }
            }
        }
        tally
    };

    let (allowed, reason) = match allow_reason {
        Some(reason) if scope_tally.vote() == 1 => (true, reason),
        Some(_) => (
            false,
            Reason::OutOfScope {
                negated: scope_tally.deny.map(|g| g.permission),
            },
        ),
        None => {
            let negation = [site.deny, org.deny, member.deny, user.deny]
                .into_iter()
                .flatten()
                .next();
            let reason = match negation {
                Some(g) => Reason::Negated(g),
                None => Reason::NotGranted {
                    not_member_of: object.org().filter(|o| !members.contains(o)),
                },
            };
            (false, reason)
        }
    };
    Explanation {
        action,
        resource_type: t,
        allowed,
        reason,
    }
}

fn acl_reason(
    subject: &Subject,
    action: Action,
    object: &Object,
    members: &[OrganizationId],
) -> Option<Reason> {
    let bit = query_bit(action);
    let org_member = if object.is_any_org() {
        !members.is_empty()
    } else {
        object.org().is_some_and(|o| members.contains(&o))
    };
    let org_ok = org_member || (object.org().is_none() && !object.is_any_org());
    if org_ok
        && object
            .acl_users()
            .iter()
            .any(|(u, bits)| *u == subject.id() && bits & bit != 0)
    {
        return Some(Reason::UserAcl);
    }
    if !org_member {
        return None;
    }
    object
        .acl_groups()
        .iter()
        .find(|(g, bits)| {
            bits & bit != 0
                && (subject.groups().contains(g) || object.org().is_some_and(|o| o.0 == g.0))
        })
        .map(|(group, _)| Reason::GroupAcl { group: *group })
}
