//! The same role catalogue and the same questions, answered by roster-rbac, cedar-policy and
//! casbin.
//!
//! - The catalogue is roster-rbac's built-in roles ([`roster_rbac::builtin`]), translated once
//!   into each engine's language.
//! - [`fixture`] generates seeded (subject, action, object) questions across site objects,
//!   organization objects, member-owned objects and user-owned objects outside any
//!   organization.
//! - Each engine answers question `i` with `answer(i)`; [`disagreements`] lists the questions
//!   where any two engines differ.
//!
//! Cedar: one `permit` per (type, action) whose condition spells Coder's level precedence out
//! over principal attributes (`site_roles`, and per organization role name the set of
//! organizations where the subject holds it).
//! Casbin: one policy line per (role, level, type, action, effect) ordered site denies, site
//! allows, organization denies, organization allows, member denies, member allows, user denies,
//! user allows, under `priority(p.eft) || deny`, so the first matching line decides — which is
//! Coder's precedence.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::error::Error;
use std::str::FromStr;

use casbin::prelude::*;
use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityUid, PolicySet, Request,
    RestrictedExpression,
};
use roster_domain::ids::{OrganizationId, UserId};
use roster_rbac::{Action, Object, Permission, ResourceType, RoleDefinition, Subject, builtin};
use uuid::Uuid;

pub type BoxResult<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// A subject as stored: site role names and memberships with their role names.
#[derive(Debug, Clone)]
pub struct SubjectSpec {
    pub name: &'static str,
    pub id: UserId,
    pub site_roles: Vec<String>,
    pub memberships: Vec<(OrganizationId, Vec<String>)>,
}

/// One question: may `subjects[subject]` do `action` on an object of `resource_type` in `org`
/// owned by `owner`?
#[derive(Debug, Clone)]
pub struct Question {
    pub subject: usize,
    pub action: Action,
    pub resource_type: ResourceType,
    pub org: Option<OrganizationId>,
    pub owner: Option<UserId>,
}

#[derive(Debug, Clone)]
pub struct Fixture {
    pub subjects: Vec<SubjectSpec>,
    pub questions: Vec<Question>,
}

pub fn org(n: u128) -> OrganizationId {
    OrganizationId(Uuid::from_u128(0x0a00 + n))
}

pub fn user(n: u128) -> UserId {
    UserId(Uuid::from_u128(0x0b00 + n))
}

fn names(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

/// The subjects Coder benchmarks (`BenchmarkRBACAuthorize`), plus one with negations.
pub fn subjects() -> Vec<SubjectSpec> {
    vec![
        SubjectSpec {
            name: "no_roles",
            id: user(1),
            site_roles: vec![],
            memberships: vec![],
        },
        SubjectSpec {
            name: "owner",
            id: user(2),
            site_roles: names(&[builtin::OWNER]),
            memberships: vec![(org(1), vec![])],
        },
        SubjectSpec {
            name: "org_admin",
            id: user(3),
            site_roles: vec![],
            memberships: vec![(org(1), names(&[builtin::ORG_ADMIN]))],
        },
        SubjectSpec {
            name: "org_member_2_orgs",
            id: user(4),
            site_roles: vec![],
            memberships: vec![(org(1), vec![]), (org(2), vec![])],
        },
        SubjectSpec {
            name: "many_roles",
            id: user(5),
            site_roles: names(&[
                builtin::AUDITOR,
                builtin::TEMPLATE_ADMIN,
                builtin::USER_ADMIN,
            ]),
            memberships: (1..=3)
                .map(|n| (org(n), names(&[builtin::ORG_ADMIN])))
                .collect(),
        },
        SubjectSpec {
            name: "banned_template_admin",
            id: user(6),
            site_roles: vec![],
            memberships: vec![
                (
                    org(1),
                    names(&[
                        builtin::ORG_WORKSPACE_CREATION_BAN,
                        builtin::ORG_TEMPLATE_ADMIN,
                    ]),
                ),
                (
                    org(2),
                    names(&[builtin::ORG_USER_ADMIN, builtin::ORG_AUDITOR]),
                ),
            ],
        },
    ]
}

/// splitmix64: a tiny seeded generator, so the questions are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// `n` seeded questions spread evenly over [`subjects`].
pub fn fixture(seed: u64, n: usize) -> Fixture {
    use ResourceType as R;
    let subjects = subjects();
    let members_api = [
        R::Organization,
        R::OrganizationMember,
        R::AssignRole,
        R::AssignOrgRole,
        R::User,
        R::Group,
        R::GroupMember,
        R::Workspace,
        R::Template,
        R::AuditLog,
        R::ApiKey,
    ];
    let all: Vec<ResourceType> = ResourceType::concrete().collect();
    let orgs = [org(1), org(2), org(3), org(9)];
    let mut rng = Rng(seed);
    let questions = (0..n)
        .map(|i| {
            let subject = i % subjects.len();
            let me = subjects[subject].id;
            let resource_type = if rng.below(2) == 0 {
                rng.pick(&members_api)
            } else {
                rng.pick(&all)
            };
            let actions: Vec<Action> = resource_type.valid_actions().iter().collect();
            let action = rng.pick(&actions);
            let someone = if rng.below(2) == 0 { me } else { user(99) };
            let (org, owner) = match rng.below(10) {
                0..=1 => (None, None),                           // site object
                2..=4 => (Some(rng.pick(&orgs)), None),          // organization object
                5..=7 => (Some(rng.pick(&orgs)), Some(someone)), // member-owned
                _ => (None, Some(someone)),                      // user-owned, outside orgs
            };
            Question {
                subject,
                action,
                resource_type,
                org,
                owner,
            }
        })
        .collect();
    Fixture {
        subjects,
        questions,
    }
}

/// Built-in role definitions: the site roles, and the organization roles with a placeholder org.
fn catalogue() -> (Vec<RoleDefinition>, Vec<RoleDefinition>) {
    let site = [
        builtin::OWNER,
        builtin::MEMBER,
        builtin::AUDITOR,
        builtin::TEMPLATE_ADMIN,
        builtin::USER_ADMIN,
    ]
    .iter()
    .filter_map(|n| builtin::site_role(n))
    .collect();
    let placeholder = OrganizationId(Uuid::nil());
    let orgs = [
        builtin::ORG_ADMIN,
        builtin::ORG_MEMBER,
        builtin::ORG_AUDITOR,
        builtin::ORG_USER_ADMIN,
        builtin::ORG_TEMPLATE_ADMIN,
        builtin::ORG_WORKSPACE_CREATION_BAN,
    ]
    .iter()
    .filter_map(|n| builtin::org_role(n, placeholder))
    .collect();
    (site, orgs)
}

/// Implied roles added, as `Subject::new` does.
fn effective_roles(s: &SubjectSpec) -> (BTreeSet<String>, Vec<(OrganizationId, BTreeSet<String>)>) {
    let mut site: BTreeSet<String> = s.site_roles.iter().cloned().collect();
    site.insert(builtin::MEMBER.to_owned());
    let orgs = s
        .memberships
        .iter()
        .map(|(o, roles)| {
            let mut set: BTreeSet<String> = roles.iter().cloned().collect();
            set.insert(builtin::ORG_MEMBER.to_owned());
            (*o, set)
        })
        .collect();
    (site, orgs)
}

// ---------------------------------------------------------------------------------------------

pub struct RosterEngine {
    subjects: Vec<Subject>,
    questions: Vec<(usize, Action, Object)>,
}

impl RosterEngine {
    pub fn new(f: &Fixture) -> Self {
        let subjects = f
            .subjects
            .iter()
            .map(|s| Subject::new(s.id, &s.site_roles, &s.memberships, &[]))
            .collect();
        let questions = f
            .questions
            .iter()
            .map(|q| {
                let mut o = Object::new(q.resource_type);
                if let Some(org) = q.org {
                    o = o.in_org(org);
                }
                if let Some(owner) = q.owner {
                    o = o.owned_by(owner);
                }
                (q.subject, q.action, o)
            })
            .collect();
        RosterEngine {
            subjects,
            questions,
        }
    }

    #[inline]
    pub fn answer(&self, i: usize) -> bool {
        let (s, a, o) = &self.questions[i];
        self.subjects[*s].allows(*a, o)
    }
}

// ---------------------------------------------------------------------------------------------

fn cedar_attr(role: &str) -> String {
    role.replace('-', "_")
}

fn matches(p: &Permission, t: ResourceType, a: Action) -> bool {
    (p.resource_type == t || p.resource_type == ResourceType::Wildcard)
        && (p.action == a || p.action == Action::Wildcard)
}

/// Names of the roles whose `perms(role)` hold a permission matching (t, a) with this sign.
fn holders<'a>(
    roles: &'a [RoleDefinition],
    perms: impl Fn(&'a RoleDefinition) -> &'a [Permission],
    t: ResourceType,
    a: Action,
    negate: bool,
) -> Vec<&'a str> {
    roles
        .iter()
        .filter(|r| {
            perms(r)
                .iter()
                .any(|p| p.negate == negate && matches(p, t, a))
        })
        .map(|r| r.name.as_str())
        .collect()
}

fn any_site_role(roles: &[&str]) -> String {
    if roles.is_empty() {
        return "false".into();
    }
    let list: Vec<String> = roles.iter().map(|r| format!("\"{r}\"")).collect();
    format!("principal.site_roles.containsAny([{}])", list.join(", "))
}

fn any_org_role(roles: &[&str]) -> String {
    if roles.is_empty() {
        return "false".into();
    }
    let list: Vec<String> = roles
        .iter()
        .map(|r| format!("principal.{}.contains(resource.org)", cedar_attr(r)))
        .collect();
    format!("({})", list.join(" || "))
}

/// The Cedar policy text for the catalogue: one `permit` per (type, action) anyone may get.
pub fn cedar_policies() -> String {
    let (site, orgs) = catalogue();
    let all: Vec<RoleDefinition> = site.iter().chain(orgs.iter()).cloned().collect();
    let mut out = String::new();
    for t in ResourceType::concrete() {
        for a in t.valid_actions().iter() {
            let sa = holders(&all, |r| &r.site_permissions, t, a, false);
            let sd = holders(&all, |r| &r.site_permissions, t, a, true);
            let ua = holders(&site, |r| &r.user_permissions, t, a, false);
            let ud = holders(&site, |r| &r.user_permissions, t, a, true);
            let oa = holders(&orgs, |r| &r.organization_permissions, t, a, false);
            let od = holders(&orgs, |r| &r.organization_permissions, t, a, true);
            let ma = holders(&orgs, |r| &r.organization_member_permissions, t, a, false);
            let md = holders(&orgs, |r| &r.organization_member_permissions, t, a, true);
            if sa.is_empty() && ua.is_empty() && oa.is_empty() && ma.is_empty() {
                continue;
            }
            let owned = "resource.owner == principal";
            let no_org = "resource.org == Org::\"none\"";
            let user_allow = format!(
                "({no_org} && {owned} && {} && !{})",
                any_site_role(&ua),
                any_site_role(&ud)
            );
            let org_allow = format!("({} && !{})", any_org_role(&oa), any_org_role(&od));
            let member_allow = format!(
                "(!{} && {owned} && {} && !{})",
                any_org_role(&od),
                any_org_role(&ma),
                any_org_role(&md)
            );
            let sd = any_site_role(&sd);
            out.push_str(&format!(
                "permit(principal, action == Action::\"{a}\", resource) when {{\n  resource.type == \"{t}\" && (\n    ({} && !{sd}) ||\n    (!{sd} && ({user_allow} || {org_allow} || {member_allow}))\n  )\n}};\n",
                any_site_role(&sa)
            ));
        }
    }
    out
}

pub struct CedarEngine {
    authorizer: Authorizer,
    policies: PolicySet,
    entities: Entities,
    requests: Vec<Request>,
}

fn uid(kind: &str, id: &str) -> BoxResult<EntityUid> {
    Ok(EntityUid::from_str(&format!("{kind}::\"{id}\""))?)
}

impl CedarEngine {
    pub fn new(f: &Fixture) -> BoxResult<Self> {
        let policies = PolicySet::from_str(&cedar_policies())?;
        let (_, org_roles) = catalogue();
        let mut entities = Vec::new();
        for s in &f.subjects {
            let (site, memberships) = effective_roles(s);
            let mut attrs = HashMap::new();
            let mut held_site: BTreeSet<String> = site;
            for role in &org_roles {
                let mut in_orgs = Vec::new();
                for (o, roles) in &memberships {
                    if roles.contains(&role.name) {
                        in_orgs.push(RestrictedExpression::new_entity_uid(uid(
                            "Org",
                            &o.to_string(),
                        )?));
                        // Site permissions of an organization role apply once it is held anywhere.
                        held_site.insert(role.name.clone());
                    }
                }
                attrs.insert(
                    cedar_attr(&role.name),
                    RestrictedExpression::new_set(in_orgs),
                );
            }
            attrs.insert(
                "site_roles".to_owned(),
                RestrictedExpression::new_set(
                    held_site.into_iter().map(RestrictedExpression::new_string),
                ),
            );
            entities.push(Entity::new(
                uid("User", &s.id.to_string())?,
                attrs,
                HashSet::new(),
            )?);
        }
        let mut requests = Vec::with_capacity(f.questions.len());
        for (i, q) in f.questions.iter().enumerate() {
            let object = uid("Object", &format!("q{i}"))?;
            let org = match q.org {
                Some(o) => uid("Org", &o.to_string())?,
                None => uid("Org", "none")?,
            };
            let owner = match q.owner {
                Some(u) => uid("User", &u.to_string())?,
                None => uid("User", "none")?,
            };
            let attrs = HashMap::from([
                (
                    "type".to_owned(),
                    RestrictedExpression::new_string(q.resource_type.to_string()),
                ),
                ("org".to_owned(), RestrictedExpression::new_entity_uid(org)),
                (
                    "owner".to_owned(),
                    RestrictedExpression::new_entity_uid(owner),
                ),
            ]);
            entities.push(Entity::new(object.clone(), attrs, HashSet::new())?);
            let principal = uid("User", &f.subjects[q.subject].id.to_string())?;
            let action = uid("Action", q.action.as_str())?;
            requests.push(Request::new(
                principal,
                action,
                object,
                Context::empty(),
                None,
            )?);
        }
        Ok(CedarEngine {
            authorizer: Authorizer::new(),
            policies,
            entities: Entities::from_entities(entities, None)?,
            requests,
        })
    }

    #[inline]
    pub fn answer(&self, i: usize) -> bool {
        let response =
            self.authorizer
                .is_authorized(&self.requests[i], &self.policies, &self.entities);
        response.decision() == Decision::Allow
    }
}

// ---------------------------------------------------------------------------------------------

pub const CASBIN_MODEL: &str = r#"
[request_definition]
r = sub, org, owner, typ, act

[policy_definition]
p = sub, lvl, typ, act, eft

[role_definition]
g = _, _
g2 = _, _, _

[policy_effect]
e = priority(p.eft) || deny

[matchers]
m = (p.typ == r.typ || p.typ == "*") && (p.act == r.act || p.act == "*") && ((p.lvl == "site" && g(r.sub, p.sub)) || (p.lvl == "org" && g2(r.sub, p.sub, r.org)) || (p.lvl == "member" && r.owner == r.sub && g2(r.sub, p.sub, r.org)) || (p.lvl == "user" && r.org == "none" && r.owner == r.sub && g(r.sub, p.sub)))
"#;

/// The casbin policy lines, in priority order (first match decides).
pub fn casbin_policies() -> Vec<Vec<String>> {
    let (site, orgs) = catalogue();
    let all: Vec<RoleDefinition> = site.iter().chain(orgs.iter()).cloned().collect();
    type Select = fn(&RoleDefinition) -> &[Permission];
    let levels: [(&str, &[RoleDefinition], Select); 4] = [
        ("site", &all, |r| &r.site_permissions),
        ("org", &orgs, |r| &r.organization_permissions),
        ("member", &orgs, |r| &r.organization_member_permissions),
        ("user", &site, |r| &r.user_permissions),
    ];
    let mut lines = Vec::new();
    for (level, roles, select) in levels {
        for negate in [true, false] {
            for role in roles {
                for p in select(role).iter().filter(|p| p.negate == negate) {
                    lines.push(vec![
                        role.name.clone(),
                        level.to_owned(),
                        p.resource_type.to_string(),
                        p.action.to_string(),
                        if negate { "deny" } else { "allow" }.to_owned(),
                    ]);
                }
            }
        }
    }
    lines
}

pub struct CasbinEngine {
    enforcer: Enforcer,
    requests: Vec<(String, String, String, String, String)>,
}

impl CasbinEngine {
    pub fn new(f: &Fixture) -> BoxResult<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread().build()?;
        let enforcer = runtime.block_on(async {
            let model = DefaultModel::from_str(CASBIN_MODEL).await?;
            let mut e = Enforcer::new(model, MemoryAdapter::default()).await?;
            e.add_policies(casbin_policies()).await?;
            let mut site_links = Vec::new();
            let mut org_links = Vec::new();
            for s in &f.subjects {
                let (site, memberships) = effective_roles(s);
                let me = s.id.to_string();
                let mut held: BTreeSet<String> = site;
                for (o, roles) in memberships {
                    for r in roles {
                        org_links.push(vec![me.clone(), r.clone(), o.to_string()]);
                        held.insert(r);
                    }
                }
                site_links.extend(held.into_iter().map(|r| vec![me.clone(), r]));
            }
            e.add_named_grouping_policies("g", site_links).await?;
            e.add_named_grouping_policies("g2", org_links).await?;
            Ok::<_, casbin::Error>(e)
        })?;
        let requests = f
            .questions
            .iter()
            .map(|q| {
                (
                    f.subjects[q.subject].id.to_string(),
                    q.org.map_or("none".to_owned(), |o| o.to_string()),
                    q.owner.map_or("none".to_owned(), |u| u.to_string()),
                    q.resource_type.to_string(),
                    q.action.to_string(),
                )
            })
            .collect();
        Ok(CasbinEngine { enforcer, requests })
    }

    #[inline]
    pub fn answer(&self, i: usize) -> bool {
        let r = &self.requests[i];
        // An evaluation error counts as a denial; the agreement check would expose it.
        self.enforcer
            .enforce((&r.0, &r.1, &r.2, &r.3, &r.4))
            .unwrap_or(false)
    }
}

/// Questions where the engines do not all agree: (index, roster, cedar, casbin).
pub fn disagreements(
    f: &Fixture,
    roster: &RosterEngine,
    cedar: &CedarEngine,
    casbin: &CasbinEngine,
) -> Vec<(usize, bool, bool, bool)> {
    (0..f.questions.len())
        .map(|i| (i, roster.answer(i), cedar.answer(i), casbin.answer(i)))
        .filter(|(_, r, c, k)| r != c || r != k)
        .collect()
}
