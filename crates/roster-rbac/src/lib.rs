//! Roster's authorization engine: Coder's RBAC model as a pure, synchronous, deny-by-default
//! policy engine.
//!
//! Design: no I/O, no async, no framework. This crate depends on `roster-domain` only (plus
//! `thiserror`, `rustc-hash` and `uuid`) and must never depend on sea-orm, sqlx, axum, tower,
//! tokio, config or tracing-subscriber. The caller loads role assignments through a port and
//! hands them in. Start reading at [`Subject`].
//!
//! # The model
//!
//! A **role** ([`RoleDefinition`]) lists permissions (`{negate, resource_type, action}`, `*`
//! allowed for type and action) at four **levels**:
//! *site* (every object), *organization* (objects in the role's organization),
//! *organization member* (objects in that organization owned by the subject) and *user*
//! (objects outside any organization owned by the subject).
//! Built-in roles live in [`builtin`]; custom roles come from [`CustomRole`](roster_domain::role::CustomRole) rows.
//!
//! A **subject** ([`Subject`]) is a user with their expanded roles: the implied `member`, their
//! site roles, and per organization membership the implied `organization-member` plus the
//! membership's roles. [`Subject::new`] compiles them into per-type allow/deny bit masks, one
//! set per level and per organization.
//!
//! An **object** ([`Object`]) has a type and optionally an owner, an organization and ACLs.
//!
//! A **decision** ([`Subject::allows`]) takes each level's vote (−1 if a matching permission is
//! negated, +1 if only positive ones match, 0 if none) and allows when:
//! site = +1; or site ≠ −1 and user = +1; or site ≠ −1 and org = +1;
//! or site ≠ −1 and org ≠ −1 and org-member = +1.
//! So a negative at a higher level blocks every lower level, and within a level a negative beats
//! a positive. Organization levels only count for organizations the subject belongs to; the user
//! level only for objects outside any organization. The object's user or group ACL is an
//! alternative to roles, and the API key's [`Scope`] must allow too. Anything else is denied.
//!
//! Around the decision: [`Subject::authorize`] returns an [`Authorized`] proof token,
//! [`Subject::explain`] says why, [`Subject::prepare`] gives a [`RowFilter`] for lists,
//! [`Subject::can_assign`] answers who may assign which role, and
//! [`Subject::check_grantable`] is the escalation check for custom roles.
//!
//! # Example
//!
//! ```
//! use roster_domain::ids::{OrganizationId, UserId};
//! use roster_rbac::{Action, Object, ResourceType, RoleName, RowFilter, Subject, builtin};
//!
//! let (org, other_org) = (OrganizationId::new_v7(), OrganizationId::new_v7());
//! let alice = UserId::new_v7();
//!
//! // Alice is a plain member of `org`, banned from creating workspaces there.
//! let memberships = vec![(org, vec![builtin::ORG_WORKSPACE_CREATION_BAN.to_owned()])];
//! let subject = Subject::new(alice, &[], &memberships, &[]);
//!
//! // She may read the members of her organization, but not of another one.
//! let members_of = |o| Object::new(ResourceType::OrganizationMember).in_org(o);
//! assert!(subject.allows(Action::Read, &members_of(org)));
//! assert!(subject.authorize(Action::Read, &members_of(other_org)).is_err());
//!
//! // Her own workspaces are hers to start, but the ban's org-level negative wins over her
//! // member-level right to create them.
//! let workspace = Object::new(ResourceType::Workspace).in_org(org).owned_by(alice);
//! assert!(subject.allows(Action::Start, &workspace));
//! let why = subject.explain(Action::Create, &workspace);
//! assert!(!why.is_allowed());
//! assert!(why.to_string().starts_with(
//!     "denied: role \"organization-workspace-creation-ban:"
//! ));
//!
//! // Lists are filtered by a prepared predicate the store turns into SQL.
//! let filter = subject.prepare(Action::Read, ResourceType::Workspace);
//! assert!(filter.matches(Some(org), Some(alice)));
//! assert!(!filter.matches(Some(org), Some(UserId::new_v7())));
//! let removable = subject.prepare(Action::Delete, ResourceType::OrganizationMember);
//! assert_eq!(removable, RowFilter::Nothing);
//!
//! // Only admins may hand out roles.
//! assert!(!subject.can_assign(&RoleName::in_org(builtin::ORG_AUDITOR, org)));
//! ```

pub mod builtin;
mod compiled;
mod definition;
mod error;
mod explain;
mod object;
mod role_name;
mod scope;
mod subject;

pub use roster_domain::filter::RowFilter;
pub use roster_domain::permission::{Action, ActionSet, Permission, PermissionError, ResourceType};

pub use crate::definition::{PermissionLevel, RoleDefinition};
pub use crate::error::{AuthzError, EscalationError, Result};
pub use crate::explain::{Explanation, Grant, Reason};
pub use crate::object::Object;
pub use crate::role_name::{RoleName, RoleNameError};
pub use crate::scope::Scope;
pub use crate::subject::{Authorized, Subject};

#[cfg(test)]
mod tests;
