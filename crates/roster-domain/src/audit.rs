//! The audit log: what a change records (who, what, when, where from, the old and new values of
//! the auditable fields, the HTTP status) and the `q` grammar of `GET /audit`.
//!
//! Design: the HTTP layer knows who asks, from where and what it will answer (an [`AuditStamp`]);
//! the store knows the rows before and after a change. So audited port methods take a stamp and
//! the store builds the [`NewAuditEntry`] with one of the constructors here, inside the change's
//! own transaction: an entry exists exactly when its change was committed. A request that failed
//! before changing anything is recorded with [`NewAuditEntry::failure`], without a diff.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, Time};
use uuid::Uuid;

use crate::error::ValidationErrors;
use crate::ids::{AuditLogId, OrganizationId, UserId};
use crate::organization::{Membership, Organization};
use crate::role::CustomRole;
use crate::search::{go_quote, keyed_terms};
use crate::user::User;

/// What a change did, in Coder's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditAction {
    /// Something was created.
    Create,
    /// Something was changed.
    Write,
    /// Something was deleted.
    Delete,
}

impl AuditAction {
    /// The wire and database spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuditAction::Create => "create",
            AuditAction::Write => "write",
            AuditAction::Delete => "delete",
        }
    }

    /// Parses the wire spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "create" => Some(AuditAction::Create),
            "write" => Some(AuditAction::Write),
            "delete" => Some(AuditAction::Delete),
            _ => None,
        }
    }

    /// The past tense, for descriptions.
    pub const fn past_tense(self) -> &'static str {
        match self {
            AuditAction::Create => "created",
            AuditAction::Write => "updated",
            AuditAction::Delete => "deleted",
        }
    }
}

/// The kinds of resources Roster audits (Coder's `ResourceType` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditResource {
    /// A user (creation, status, site roles, deletion).
    User,
    /// An organization.
    Organization,
    /// A membership; its resource id is the member's user id.
    OrganizationMember,
    /// A custom organization role.
    CustomRole,
}

impl AuditResource {
    /// The wire and database spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuditResource::User => "user",
            AuditResource::Organization => "organization",
            AuditResource::OrganizationMember => "organization_member",
            AuditResource::CustomRole => "custom_role",
        }
    }

    /// Parses the wire spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "user" => Some(AuditResource::User),
            "organization" => Some(AuditResource::Organization),
            "organization_member" => Some(AuditResource::OrganizationMember),
            "custom_role" => Some(AuditResource::CustomRole),
            _ => None,
        }
    }

    /// The words a description uses.
    pub const fn friendly(self) -> &'static str {
        match self {
            AuditResource::User => "user",
            AuditResource::Organization => "organization",
            AuditResource::OrganizationMember => "organization member",
            AuditResource::CustomRole => "custom role",
        }
    }
}

/// One changed field: Coder's `AuditDiffField`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditDiffField {
    /// The value before (`null` on creation).
    pub old: Value,
    /// The value after (`null` on deletion).
    pub new: Value,
    /// Whether the values are secrets (then both are hidden); never true for Roster's fields.
    pub secret: bool,
}

/// The changed auditable fields of a change, by field name: Coder's `AuditDiff`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AuditDiff(pub BTreeMap<String, AuditDiffField>);

impl AuditDiff {
    /// The fields that differ between two JSON objects of auditable fields; a missing side (a
    /// creation or a deletion) reads as `null` for every field of the other.
    pub fn between(old: Option<&Value>, new: Option<&Value>) -> Self {
        let empty = serde_json::Map::new();
        let old = old.and_then(Value::as_object).unwrap_or(&empty);
        let new = new.and_then(Value::as_object).unwrap_or(&empty);
        let mut fields = BTreeMap::new();
        for name in old.keys().chain(new.keys()) {
            let before = old.get(name).cloned().unwrap_or(Value::Null);
            let after = new.get(name).cloned().unwrap_or(Value::Null);
            if before != after {
                fields.insert(
                    name.clone(),
                    AuditDiffField {
                        old: before,
                        new: after,
                        secret: false,
                    },
                );
            }
        }
        AuditDiff(fields)
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// What the HTTP layer knows about an audited request: the entry's id and time, who asked,
/// from where, and the status it answers when the change succeeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditStamp {
    /// The entry's id, generated by the caller.
    pub id: AuditLogId,
    /// When the change happened.
    pub time: OffsetDateTime,
    /// The acting user; `None` for the operator's command line.
    pub actor: Option<UserId>,
    /// The HTTP status of the answer.
    pub status_code: u16,
    /// The request id (`x-request-id`).
    pub request_id: String,
    /// The client's address, empty when unknown.
    pub ip: String,
    /// The client's `User-Agent`.
    pub user_agent: String,
}

/// An audit entry to write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEntry {
    /// Who, when, from where, and the status.
    pub stamp: AuditStamp,
    /// What was done.
    pub action: AuditAction,
    /// To what kind of resource.
    pub resource_type: AuditResource,
    /// The resource's id; the nil UUID when a failed request never found it.
    pub resource_id: Uuid,
    /// A human name of the resource: username, organization or role name.
    pub resource_target: String,
    /// The organization the entry belongs to (its readers); `None` for site-wide resources.
    pub organization_id: Option<OrganizationId>,
    /// The changed auditable fields; empty for failures.
    pub diff: AuditDiff,
}

fn rfc3339(t: OffsetDateTime) -> Value {
    t.format(&Rfc3339).map(Value::String).unwrap_or(Value::Null)
}

/// The auditable fields of a user.
pub fn user_fields(u: &User) -> Value {
    json!({
        "id": u.id,
        "username": u.username,
        "email": u.email,
        "name": u.name,
        "avatar_url": u.avatar_url,
        "status": u.status.as_str(),
        "login_type": u.login_type.as_str(),
        "rbac_roles": u.site_roles,
        "created_at": rfc3339(u.created_at),
        "deleted": false,
    })
}

/// The auditable fields of an organization.
pub fn organization_fields(o: &Organization) -> Value {
    json!({
        "id": o.id,
        "name": o.name,
        "display_name": o.display_name,
        "description": o.description,
        "icon": o.icon,
        "is_default": o.is_default,
        "created_at": rfc3339(o.created_at),
        "updated_at": rfc3339(o.updated_at),
    })
}

/// The auditable fields of a membership (Coder's: user_id, organization_id, created_at,
/// updated_at, roles, and the member's username).
pub fn membership_fields(m: &Membership, username: &str) -> Value {
    json!({
        "user_id": m.user_id,
        "organization_id": m.organization_id,
        "created_at": rfc3339(m.created_at),
        "updated_at": rfc3339(m.updated_at),
        "roles": m.roles,
        "username": username,
    })
}

/// The auditable fields of a custom role.
pub fn custom_role_fields(r: &CustomRole) -> Value {
    let perms: Vec<Value> = r
        .organization_permissions
        .iter()
        .map(|p| {
            json!({
                "negate": p.negate,
                "resource_type": p.resource_type.as_str(),
                "action": p.action.as_str(),
            })
        })
        .collect();
    json!({
        "name": r.name,
        "display_name": r.display_name,
        "organization_id": r.organization_id,
        "organization_permissions": perms,
    })
}

/// Create when there was nothing before, delete when nothing is left, else write.
fn action_of<T>(old: Option<&T>, new: Option<&T>) -> AuditAction {
    match (old, new) {
        (None, _) => AuditAction::Create,
        (Some(_), None) => AuditAction::Delete,
        (Some(_), Some(_)) => AuditAction::Write,
    }
}

impl NewAuditEntry {
    /// A change of a user, from its state before (`None`: created) to after (`None`: deleted).
    pub fn user(stamp: AuditStamp, old: Option<&User>, new: Option<&User>) -> Self {
        let any = new.or(old);
        let mut new_fields = new.map(user_fields);
        if let (Some(old), None) = (old, new) {
            // A deleted user is kept, flagged: the diff says so.
            let mut after = user_fields(old);
            after["deleted"] = Value::Bool(true);
            new_fields = Some(after);
        }
        NewAuditEntry {
            stamp,
            action: action_of(old, new),
            resource_type: AuditResource::User,
            resource_id: any.map(|u| u.id.0).unwrap_or_default(),
            resource_target: any.map(|u| u.username.clone()).unwrap_or_default(),
            organization_id: None,
            diff: AuditDiff::between(old.map(user_fields).as_ref(), new_fields.as_ref()),
        }
    }

    /// A change of an organization; the entry belongs to that organization.
    pub fn organization(
        stamp: AuditStamp,
        old: Option<&Organization>,
        new: Option<&Organization>,
    ) -> Self {
        let any = new.or(old);
        NewAuditEntry {
            stamp,
            action: action_of(old, new),
            resource_type: AuditResource::Organization,
            resource_id: any.map(|o| o.id.0).unwrap_or_default(),
            resource_target: any.map(|o| o.name.clone()).unwrap_or_default(),
            organization_id: any.map(|o| o.id),
            diff: AuditDiff::between(
                old.map(organization_fields).as_ref(),
                new.map(organization_fields).as_ref(),
            ),
        }
    }

    /// A change of a membership of the user called `username`.
    pub fn membership(
        stamp: AuditStamp,
        username: &str,
        old: Option<&Membership>,
        new: Option<&Membership>,
    ) -> Self {
        let any = new.or(old);
        NewAuditEntry {
            stamp,
            action: action_of(old, new),
            resource_type: AuditResource::OrganizationMember,
            resource_id: any.map(|m| m.user_id.0).unwrap_or_default(),
            resource_target: username.to_owned(),
            organization_id: any.map(|m| m.organization_id),
            diff: AuditDiff::between(
                old.map(|m| membership_fields(m, username)).as_ref(),
                new.map(|m| membership_fields(m, username)).as_ref(),
            ),
        }
    }

    /// A change of a custom role; the entry belongs to the role's organization.
    pub fn custom_role(
        stamp: AuditStamp,
        old: Option<&CustomRole>,
        new: Option<&CustomRole>,
    ) -> Self {
        let any = new.or(old);
        NewAuditEntry {
            stamp,
            action: action_of(old, new),
            resource_type: AuditResource::CustomRole,
            resource_id: any.map(|r| r.id.0).unwrap_or_default(),
            resource_target: any.map(|r| r.name.clone()).unwrap_or_default(),
            organization_id: any.and_then(|r| r.organization_id),
            diff: AuditDiff::between(
                old.map(custom_role_fields).as_ref(),
                new.map(custom_role_fields).as_ref(),
            ),
        }
    }

    /// A request that failed before changing anything: its status, no diff.
    pub fn failure(
        stamp: AuditStamp,
        action: AuditAction,
        resource_type: AuditResource,
        resource_target: String,
        organization_id: Option<OrganizationId>,
    ) -> Self {
        NewAuditEntry {
            stamp,
            action,
            resource_type,
            resource_id: Uuid::nil(),
            resource_target,
            organization_id,
            diff: AuditDiff::default(),
        }
    }
}

/// An audit entry as listed, with the acting user and the organization when they exist.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// Id.
    pub id: AuditLogId,
    /// When.
    pub time: OffsetDateTime,
    /// The acting user's id.
    pub user_id: Option<UserId>,
    /// The acting user (deleted users included); `None` when unknown.
    pub user: Option<User>,
    /// The organization's id.
    pub organization_id: Option<OrganizationId>,
    /// The organization (deleted ones included).
    pub organization: Option<Organization>,
    /// What was done.
    pub action: AuditAction,
    /// To what kind of resource.
    pub resource_type: AuditResource,
    /// The resource's id.
    pub resource_id: Uuid,
    /// Its human name.
    pub resource_target: String,
    /// The changed fields.
    pub diff: AuditDiff,
    /// The HTTP status.
    pub status_code: u16,
    /// The request id.
    pub request_id: String,
    /// The client's address.
    pub ip: String,
    /// The client's `User-Agent`.
    pub user_agent: String,
}

/// How `organization:` names an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrganizationRef {
    /// By id.
    Id(OrganizationId),
    /// By name, lower-cased.
    Name(String),
}

/// A parsed audit `q`. `None` fields don't filter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditQuery {
    /// Substring of the resource target (bare words or `search:`), lower-cased.
    pub search: Option<String>,
    /// The action (`action:`).
    pub action: Option<AuditAction>,
    /// The resource type (`resource_type:`).
    pub resource_type: Option<AuditResource>,
    /// True when `action:` or `resource_type:` named one of Coder's values that Roster never
    /// records (`login`, `workspace`, …): valid, and matching nothing.
    pub matches_nothing: bool,
    /// The acting user's username, lower-cased (`username:`).
    pub username: Option<String>,
    /// The organization (`organization:`, a name or an id).
    pub organization: Option<OrganizationRef>,
    /// At or after the start of this UTC day (`date_from:`).
    pub time_from: Option<OffsetDateTime>,
    /// Before the end of this UTC day (`date_to:`, inclusive).
    pub time_before: Option<OffsetDateTime>,
}

/// Coder's audit actions that Roster never records.
const OTHER_ACTIONS: [&str; 10] = [
    "start",
    "stop",
    "login",
    "logout",
    "register",
    "request_password_reset",
    "connect",
    "disconnect",
    "open",
    "close",
];

/// Coder's resource types that Roster never records.
const OTHER_RESOURCES: [&str; 21] = [
    "template",
    "template_version",
    "workspace",
    "workspace_build",
    "git_ssh_key",
    "api_key",
    "group",
    "license",
    "convert_login",
    "health_settings",
    "notifications_settings",
    "prebuilds_settings",
    "workspace_proxy",
    "oauth2_provider_app",
    "oauth2_provider_app_secret",
    "notification_template",
    "idp_sync_settings_organization",
    "idp_sync_settings_group",
    "idp_sync_settings_role",
    "workspace_agent",
    "workspace_app",
];

/// Parses the `q` of `GET /audit` with the users grammar (see [`crate::search`]): keys
/// `action`, `resource_type`, `username`, `organization`, `date_from`, `date_to` (`YYYY-MM-DD`,
/// UTC, both inclusive) and `search` (or bare words). Every problem is reported.
pub fn parse_audit_query(q: &str) -> Result<AuditQuery, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let mut query = AuditQuery::default();
    for (key, values) in keyed_terms(q, &mut errors) {
        let value = match values.as_slice() {
            [] => continue,
            [v] => v.trim(),
            _ => {
                errors.push(
                    key.as_str(),
                    format!(
                        "Query param {} provided more than once, found {} times. \
                         Only provide 1 instance of this query param.",
                        go_quote(&key),
                        values.len()
                    ),
                );
                continue;
            }
        };
        let invalid = |errors: &mut ValidationErrors| {
            errors.push(
                key.as_str(),
                format!(
                    "Query param {} has invalid values: {} is not a valid value",
                    go_quote(&key),
                    go_quote(value)
                ),
            );
        };
        match key.as_str() {
            "search" => query.search = Some(value.to_owned()),
            "username" => query.username = Some(value.to_owned()),
            "action" => match AuditAction::parse(value) {
                Some(a) => query.action = Some(a),
                None if OTHER_ACTIONS.contains(&value) => query.matches_nothing = true,
                None => invalid(&mut errors),
            },
            "resource_type" => match AuditResource::parse(value) {
                Some(r) => query.resource_type = Some(r),
                None if OTHER_RESOURCES.contains(&value) => query.matches_nothing = true,
                None => invalid(&mut errors),
            },
            "organization" => {
                query.organization = Some(match value.parse::<OrganizationId>() {
                    Ok(id) => OrganizationRef::Id(id),
                    Err(_) => OrganizationRef::Name(value.to_owned()),
                });
            }
            "date_from" | "date_to" => match Date::parse(
                value,
                format_description!("[year]-[month]-[day]"),
            ) {
                Ok(day) => {
                    if key == "date_from" {
                        query.time_from = Some(day.with_time(Time::MIDNIGHT).assume_utc());
                    } else {
                        query.time_before = day
                            .next_day()
                            .map(|d| d.with_time(Time::MIDNIGHT).assume_utc());
                    }
                }
                Err(_) => errors.push(
                    key.as_str(),
                    format!(
                        "Query param {} must be a valid date format (2006-01-02): {} is not a date",
                        go_quote(&key),
                        go_quote(value)
                    ),
                ),
            },
            _ => errors.push(
                key.as_str(),
                format!("{} is not a valid query param", go_quote(&key)),
            ),
        }
    }
    errors.into_result(query)
}

/// The one-line description Coder's UI shows: `alice created organization member bob`.
pub fn describe(
    actor: Option<&str>,
    action: AuditAction,
    resource: AuditResource,
    target: &str,
) -> String {
    let who = actor.unwrap_or("Roster");
    if target.is_empty() {
        format!("{who} {} {}", action.past_tense(), resource.friendly())
    } else {
        format!(
            "{who} {} {} {target}",
            action.past_tense(),
            resource.friendly()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[track_caller]
    fn check(q: &str, expected: AuditQuery) {
        assert_eq!(parse_audit_query(q).unwrap(), expected);
    }

    #[track_caller]
    fn check_err(q: &str, fields: &[&str]) {
        let errs = parse_audit_query(q).unwrap_err();
        let got: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(got, fields, "{errs:?}");
    }

    #[test]
    fn parses_every_key() {
        let org = OrganizationId::new_v7();
        check("", AuditQuery::default());
        check(
            &format!(
                "Action:WRITE resource_type:organization_member username:Alice organization:{org} \
                 date_from:2026-01-02 date_to:2026-01-03 bob"
            ),
            AuditQuery {
                search: Some("bob".into()),
                action: Some(AuditAction::Write),
                resource_type: Some(AuditResource::OrganizationMember),
                matches_nothing: false,
                username: Some("alice".into()),
                organization: Some(OrganizationRef::Id(org)),
                time_from: Some(datetime!(2026-01-02 0:00 UTC)),
                time_before: Some(datetime!(2026-01-04 0:00 UTC)),
            },
        );
        check(
            "organization:Acme action:login",
            AuditQuery {
                organization: Some(OrganizationRef::Name("acme".into())),
                matches_nothing: true,
                ..AuditQuery::default()
            },
        );
    }

    #[test]
    fn reports_every_problem() {
        check_err(
            "action:fly resource_type:planet date_from:yesterday colour:red",
            &["action", "resource_type", "date_from", "colour"],
        );
        check_err("username:a username:b", &["username"]);
        check_err("a:b:c", &["q"]);
    }

    #[test]
    fn diffs_keep_changed_fields_only() {
        let old = json!({"a": 1, "b": "x"});
        let new = json!({"a": 2, "b": "x"});
        let d = AuditDiff::between(Some(&old), Some(&new));
        assert_eq!(
            serde_json::to_value(&d).unwrap(),
            json!({"a": {"old": 1, "new": 2, "secret": false}})
        );
        let created = AuditDiff::between(None, Some(&new));
        assert_eq!(created.0.len(), 2);
        assert_eq!(created.0["b"].old, Value::Null);
        assert!(AuditDiff::between(Some(&old), Some(&old)).is_empty());
    }

    #[test]
    fn describes_entries() {
        assert_eq!(
            describe(
                Some("alice"),
                AuditAction::Create,
                AuditResource::OrganizationMember,
                "bob"
            ),
            "alice created organization member bob"
        );
        assert_eq!(
            describe(None, AuditAction::Delete, AuditResource::CustomRole, ""),
            "Roster deleted custom role"
        );
    }
}
