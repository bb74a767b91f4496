//! Handlers, one module per resource, and the helpers they share: path resolution that hides
//! what the caller may not see, and the per-page AI seat lookup.

pub(crate) mod ai;
pub(crate) mod audit;
pub(crate) mod members;
pub(crate) mod meta;
pub(crate) mod organizations;
pub(crate) mod roles;
pub(crate) mod sessions;
pub(crate) mod users;

use std::collections::HashSet;

use roster_domain::ids::{OrganizationId, UserId};
use roster_domain::organization::{MemberWithUser, Organization};
use roster_domain::user::User;
use roster_rbac::{Action, Object, ResourceType};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The RBAC object of a user (personal actions: owned by the user, outside any organization).
pub(crate) fn user_object(id: UserId) -> Object {
    Object::new(ResourceType::User).owned_by(id)
}

/// The RBAC object of an organization.
pub(crate) fn org_object(id: OrganizationId) -> Object {
    Object::new(ResourceType::Organization).in_org(id)
}

/// The RBAC object of a membership: in the organization, owned by the member.
pub(crate) fn member_object(org: OrganizationId, user: UserId) -> Object {
    Object::new(ResourceType::OrganizationMember)
        .in_org(org)
        .owned_by(user)
}

/// The role-assignment pseudo-object of an organization.
pub(crate) fn assign_org_role_object(org: OrganizationId) -> Object {
    Object::new(ResourceType::AssignOrgRole).in_org(org)
}

/// Resolves `{organization}`: `default` (or the nil UUID), an id, or a name. Missing or not
/// readable by the caller: 404 with the standard body.
pub(crate) async fn resolve_org(
    state: &AppState,
    actor: &Actor,
    raw: &str,
) -> ApiResult<Organization> {
    if raw.is_empty() {
        return Err(ApiError::bad_request("\"organization\" must be provided."));
    }
    let key = raw.to_lowercase();
    let org = match state.organizations.get(&key, actor.epoch) {
        Some(org) => org,
        None => {
            let orgs = &state.ports.orgs;
            let found = if key == "default" || key == Uuid::nil().to_string() {
                orgs.default_org().await?
            } else if let Ok(id) = key.parse::<OrganizationId>() {
                orgs.find(id).await?
            } else {
                orgs.find_by_name(&key).await?
            };
            let org = found.ok_or(ApiError::NotFound)?;
            state.organizations.put(key, actor.epoch, org.clone());
            org
        }
    };
    if !actor.subject.allows(Action::Read, &org_object(org.id)) {
        return Err(ApiError::NotFound);
    }
    Ok(org)
}

/// Finds `{user}` (`me`, an id, or a username, case-insensitively) without checking the
/// caller's right to read it.
pub(crate) async fn find_user(
    state: &AppState,
    actor: &Actor,
    raw: &str,
) -> ApiResult<Option<User>> {
    if raw == "me" {
        return Ok(Some(actor.user.clone()));
    }
    if let Ok(id) = raw.parse::<UserId>() {
        return Ok(state.ports.users.find(id).await?);
    }
    Ok(state.ports.users.find_by_username(raw).await?)
}

/// Resolves `{user}` as the caller: missing or not readable gives 404.
pub(crate) async fn resolve_user(state: &AppState, actor: &Actor, raw: &str) -> ApiResult<User> {
    let user = find_user(state, actor, raw)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !actor.subject.allows(Action::Read, &user_object(user.id)) {
        return Err(ApiError::NotFound);
    }
    Ok(user)
}

/// Resolves `{user}` as a member of `org`: the user is found with system privileges, the
/// membership is read as the caller. Any failure is 404.
pub(crate) async fn resolve_member(
    state: &AppState,
    actor: &Actor,
    org: &Organization,
    raw: &str,
) -> ApiResult<MemberWithUser> {
    let user = find_user(state, actor, raw)
        .await?
        .ok_or(ApiError::NotFound)?;
    let member = state
        .ports
        .members
        .find(org.id, user.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !actor
        .subject
        .allows(Action::Read, &member_object(org.id, user.id))
    {
        return Err(ApiError::NotFound);
    }
    Ok(member)
}

/// The users among `ids` consuming an AI seat: one query for exactly these ids, and none at all
/// unless the `ai_governance_user_limit` entitlement is enabled. A storage failure is logged and
/// read as "nobody", as Coder does: the flag must never fail a listing.
pub(crate) async fn ai_seats(state: &AppState, ids: &[UserId]) -> HashSet<UserId> {
    if state
        .settings
        .entitlements
        .ai_governance_user_limit
        .is_none()
        || ids.is_empty()
    {
        return HashSet::new();
    }
    match state.ports.ai.seats_among(ids).await {
        Ok(seats) => seats.into_iter().collect(),
        Err(e) => {
            tracing::warn!(error.message = %e, error.cause_chain = ?e, "AI seat lookup failed");
            HashSet::new()
        }
    }
}
