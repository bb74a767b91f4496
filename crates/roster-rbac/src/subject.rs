//! [`Subject`]: an authenticated user's roles, compiled for fast decisions.

use roster_domain::filter::{RowFilter, Scoped};
use roster_domain::ids::{GroupId, OrganizationId, UserId};
use roster_domain::permission::{Action, Permission, ResourceType};
use roster_domain::role::CustomRole;
use rustc_hash::FxHashMap;

use crate::builtin;
use crate::compiled::{Level, Vote, query_bit};
use crate::definition::RoleDefinition;
use crate::error::{AuthzError, EscalationError};
use crate::explain::Explanation;
use crate::object::Object;
use crate::role_name::RoleName;
use crate::scope::Scope;

/// Proof that an authorization succeeded. Zero-sized; only [`Subject::authorize`] makes one,
/// so a function taking `Authorized` cannot be called without a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "an authorization proof is meant to be passed to the operation it allows"]
pub struct Authorized(());

/// The organization and organization-member levels of one organization.
#[derive(Debug, Clone, Default)]
struct OrgLevels {
    org: Level,
    member: Level,
}

/// An authenticated user with expanded, compiled roles (Coder's `rbac.Subject`).
///
/// Build one per request with [`Subject::new`]; decisions are then a few lookups and bit tests
/// ([`Subject::allows`]), independent of how many roles and organizations the subject has.
#[derive(Debug, Clone)]
pub struct Subject {
    id: UserId,
    roles: Vec<RoleName>,
    definitions: Vec<RoleDefinition>,
    site: Level,
    user: Level,
    /// Per-organization levels, sorted by organization id (so filters come out sorted).
    orgs: Vec<(OrganizationId, OrgLevels)>,
    /// Position of each organization in `orgs`: lookups cost the same for 1 or 100 of them.
    org_index: FxHashMap<OrganizationId, usize>,
    any_org: Level,
    scope: Scope,
    groups: Vec<GroupId>,
}

impl Subject {
    /// Expands stored role names and compiles them.
    ///
    /// - `site_roles`: the user's stored site role names (built-in site roles or custom site role
    ///   names);
    /// - `memberships`: each organization the user belongs to, with the stored bare organization
    ///   role names of that membership;
    /// - `custom_roles`: custom role rows that may be referenced.
    ///
    /// The implied `member` role and, per membership, `organization-member:<org>` are added.
    /// Unknown names, org role names among site roles, placeholders and the retired
    /// `agents-access` grant nothing and are dropped silently, as Coder drops missing custom roles.
    /// Custom role names match ignoring ASCII case (they are stored lower-cased).
    pub fn new(
        id: UserId,
        site_roles: &[String],
        memberships: &[(OrganizationId, Vec<String>)],
        custom_roles: &[CustomRole],
    ) -> Subject {
        let mut definitions = Vec::with_capacity(1 + site_roles.len() + 2 * memberships.len());
        definitions.extend(builtin::site_role(builtin::MEMBER));
        for name in site_roles {
            let def = builtin::site_role(name).or_else(|| {
                custom_roles
                    .iter()
                    .find(|c| {
                        c.organization_id.is_none()
                            && !builtin::is_reserved(name)
                            && c.name.eq_ignore_ascii_case(name)
                    })
                    .map(RoleDefinition::from)
            });
            definitions.extend(def);
        }
        for (org, names) in memberships {
            definitions.extend(builtin::org_role(builtin::ORG_MEMBER, *org));
            for name in names {
                let def = builtin::org_role(name, *org).or_else(|| {
                    custom_roles
                        .iter()
                        .find(|c| {
                            c.organization_id == Some(*org)
                                && !builtin::is_reserved(name)
                                && c.name.eq_ignore_ascii_case(name)
                        })
                        .map(RoleDefinition::from)
                });
                definitions.extend(def);
            }
        }
        Subject::from_definitions(id, definitions)
    }

    /// Compiles already expanded roles, exactly as given (no implied roles are added).
    /// The subject is a member of every organization some role is scoped to.
    /// Roles with the same identifier are kept once (the first wins).
    pub fn from_definitions(id: UserId, definitions: Vec<RoleDefinition>) -> Subject {
        let mut roles: Vec<RoleName> = Vec::with_capacity(definitions.len());
        let mut kept = Vec::with_capacity(definitions.len());
        let mut site = Level::EMPTY;
        let mut user = Level::EMPTY;
        let mut by_org: FxHashMap<OrganizationId, OrgLevels> = FxHashMap::default();
        for def in definitions {
            let name = def.role_name();
            if roles.contains(&name) {
                continue;
            }
            site.extend(&def.site_permissions);
            user.extend(&def.user_permissions);
            if let Some(org) = def.organization_id {
                let levels = by_org.entry(org).or_default();
                levels.org.extend(&def.organization_permissions);
                levels.member.extend(&def.organization_member_permissions);
            }
            roles.push(name);
            kept.push(def);
        }
        let mut orgs: Vec<(OrganizationId, OrgLevels)> = by_org.into_iter().collect();
        orgs.sort_unstable_by_key(|(org, _)| *org);
        let org_index = orgs
            .iter()
            .enumerate()
            .map(|(i, (org, _))| (*org, i))
            .collect();
        let any_org = Level::max_of(orgs.iter().map(|(_, l)| &l.org));
        Subject {
            id,
            roles,
            definitions: kept,
            site,
            user,
            orgs,
            org_index,
            any_org,
            scope: Scope::all(),
            groups: Vec::new(),
        }
    }

    /// Restricts the subject to an API-key scope.
    pub fn with_scope(mut self, scope: Scope) -> Subject {
        self.scope = scope;
        self
    }

    /// Sets the groups the subject belongs to (for group ACLs).
    pub fn with_groups(mut self, groups: Vec<GroupId>) -> Subject {
        self.groups = groups;
        self
    }

    /// The user's id.
    pub fn id(&self) -> UserId {
        self.id
    }

    /// Whether the subject belongs to `org`.
    pub fn is_member_of(&self, org: OrganizationId) -> bool {
        self.org_index.contains_key(&org)
    }

    /// The organizations the subject belongs to, in id order.
    pub fn organizations(&self) -> impl Iterator<Item = OrganizationId> + '_ {
        self.orgs.iter().map(|(org, _)| *org)
    }

    fn org_levels(&self, org: OrganizationId) -> Option<&OrgLevels> {
        self.org_index
            .get(&org)
            .and_then(|i| self.orgs.get(*i))
            .map(|(_, levels)| levels)
    }

    /// The expanded roles, implied ones included, in expansion order.
    pub fn roles(&self) -> &[RoleName] {
        &self.roles
    }

    /// The expanded role definitions, in the order of [`Subject::roles`].
    pub fn role_definitions(&self) -> &[RoleDefinition] {
        &self.definitions
    }

    /// The API-key scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The subject's groups.
    pub fn groups(&self) -> &[GroupId] {
        &self.groups
    }

    /// Whether the subject may perform `action` on `object`: `(roles OR ACL) AND scope`,
    /// deny by default. Does not allocate.
    pub fn allows(&self, action: Action, object: &Object) -> bool {
        let t = object.resource_type().index();
        let bit = query_bit(action);
        if self.scope.level().vote(t, bit) != Vote::Allow {
            return false;
        }
        self.roles_allow(t, bit, object) || self.acl_allows(bit, object)
    }

    /// [`Subject::allows`] as a result carrying a proof token.
    pub fn authorize(&self, action: Action, object: &Object) -> Result<Authorized, AuthzError> {
        if self.allows(action, object) {
            Ok(Authorized(()))
        } else {
            Err(AuthzError::Forbidden {
                action,
                resource_type: object.resource_type(),
            })
        }
    }

    /// The same decision as [`Subject::authorize`], with the reason: the role, level and
    /// permission that allowed it, or the negation or missing permission that denied it.
    /// Slower than `allows` (it walks the role definitions): meant for error details and tools.
    pub fn explain(&self, action: Action, object: &Object) -> Explanation {
        crate::explain::explain(self, action, object)
    }

    fn roles_allow(&self, t: usize, bit: u32, object: &Object) -> bool {
        match self.site.vote(t, bit) {
            Vote::Allow => return true,
            Vote::Deny => return false,
            Vote::Abstain => {}
        }
        if object.is_any_org() {
            return self.any_org.vote(t, bit) == Vote::Allow;
        }
        let owned = object.owner() == Some(self.id);
        match object.org() {
            Some(org) => match self.org_levels(org) {
                None => false,
                Some(levels) => match levels.org.vote(t, bit) {
                    Vote::Allow => true,
                    Vote::Deny => false,
                    Vote::Abstain => owned && levels.member.vote(t, bit) == Vote::Allow,
                },
            },
            None => owned && self.user.vote(t, bit) == Vote::Allow,
        }
    }

    fn acl_allows(&self, bit: u32, object: &Object) -> bool {
        if !object.has_acl() {
            return false;
        }
        let org_member = match object.org() {
            _ if object.is_any_org() => !self.orgs.is_empty(),
            Some(org) => self.org_index.contains_key(&org),
            None => false,
        };
        let org_ok = org_member || (object.org().is_none() && !object.is_any_org());
        let user_acl = org_ok
            && object
                .acl_users()
                .iter()
                .any(|(user, bits)| *user == self.id && bits & bit != 0);
        let group_acl = org_member
            && object.acl_groups().iter().any(|(group, bits)| {
                bits & bit != 0
                    && (self.groups.contains(group) || object.org().is_some_and(|o| o.0 == group.0))
            });
        user_acl || group_acl
    }

    /// A filter selecting the objects of `resource_type` the subject may perform `action` on,
    /// for lists: the store turns it into a SQL `WHERE`.
    ///
    /// It agrees with [`Subject::allows`] on every object with an organization and owner (or
    /// none) and no ACL; ACL grants and `any_org` questions are not part of a row filter.
    pub fn prepare(&self, action: Action, resource_type: ResourceType) -> RowFilter {
        let t = resource_type.index();
        let bit = query_bit(action);
        if self.scope.level().vote(t, bit) != Vote::Allow {
            return RowFilter::Nothing;
        }
        match self.site.vote(t, bit) {
            Vote::Allow => return RowFilter::All,
            Vote::Deny => return RowFilter::Nothing,
            Vote::Abstain => {}
        }
        let mut orgs = Vec::with_capacity(self.orgs.len());
        let mut owned_in_orgs = Vec::with_capacity(self.orgs.len());
        for (org, levels) in &self.orgs {
            match levels.org.vote(t, bit) {
                Vote::Allow => orgs.push(*org),
                Vote::Deny => {}
                Vote::Abstain => {
                    if levels.member.vote(t, bit) == Vote::Allow {
                        owned_in_orgs.push(*org);
                    }
                }
            }
        }
        let owned_outside_orgs = self.user.vote(t, bit) == Vote::Allow;
        if orgs.is_empty() && owned_in_orgs.is_empty() && !owned_outside_orgs {
            return RowFilter::Nothing;
        }
        RowFilter::Where(Scoped {
            subject: self.id,
            orgs,
            owned_in_orgs,
            owned_outside_orgs,
        })
    }

    /// Whether the subject may assign (or unassign) `role` (Coder's `CanAssignRole`, §3.7).
    ///
    /// Only role names count, not permissions; an organization-scoped role of the subject
    /// counts only for targets in the same organization. For custom roles pass the placeholder
    /// [`builtin::CUSTOM_ORG_ROLE`] (with the organization) or [`builtin::CUSTOM_SITE_ROLE`].
    /// Assignment also needs the `assign`/`unassign` permission, checked separately.
    pub fn can_assign(&self, role: &RoleName) -> bool {
        self.roles.iter().any(|mine| {
            (mine.org.is_none() || mine.org == role.org)
                && builtin::may_assign(&mine.name, &role.name)
        })
    }

    /// The listed built-in roles and the custom-role placeholder that the subject may assign:
    /// site roles when `org` is `None`, otherwise organization roles of `org`.
    pub fn assignable_roles(&self, org: Option<OrganizationId>) -> Vec<RoleName> {
        let candidates: Vec<RoleName> = match org {
            None => builtin::listed_site_roles()
                .iter()
                .map(RoleDefinition::role_name)
                .chain([RoleName::site(builtin::CUSTOM_SITE_ROLE)])
                .collect(),
            Some(org) => builtin::listed_org_roles(org)
                .iter()
                .map(RoleDefinition::role_name)
                .chain([RoleName::in_org(builtin::CUSTOM_ORG_ROLE, org)])
                .collect(),
        };
        candidates
            .into_iter()
            .filter(|r| self.can_assign(r))
            .collect()
    }

    /// The escalation check for creating or updating a custom role of `org` with `permissions`
    /// as its organization permissions: no negations, no wildcards, and nothing the subject does
    /// not itself hold on an object of that type in `org`.
    /// Returns every refused permission, in input order (one error per permission).
    /// Permission validity against the catalogue is checked separately
    /// ([`Permission::validate`]).
    pub fn check_grantable(
        &self,
        org: OrganizationId,
        permissions: &[Permission],
    ) -> Result<(), Vec<EscalationError>> {
        let errors: Vec<EscalationError> = permissions
            .iter()
            .filter_map(|p| {
                if p.negate {
                    Some(EscalationError::Negative(*p))
                } else if p.resource_type == ResourceType::Wildcard || p.action == Action::Wildcard
                {
                    Some(EscalationError::Wildcard(*p))
                } else if !self.allows(p.action, &Object::new(p.resource_type).in_org(org)) {
                    Some(EscalationError::NotHeld(*p))
                } else {
                    None
                }
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}
