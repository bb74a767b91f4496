//! Organization members: lists, one member, add, remove, and organization role changes.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_domain::RepoError;
use roster_domain::filter::RowFilter;
use roster_domain::ids::UserId;
use roster_domain::organization::{MemberWithUser, Organization};
use roster_domain::page::Pagination;
use roster_domain::role::CustomRole;
use roster_domain::search::parse_user_query;
use roster_rbac::{Action, Object, ResourceType, RoleName, builtin};

use crate::audit::AuditCtx;
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, ErrorBody, json_response};
use crate::extract::{ApiJson, RawBody, RawQuery, pagination};
use crate::routes::{
    ai_seats, assign_org_role_object, member_object, resolve_member, resolve_org, resolve_user,
};
use crate::state::AppState;
use crate::views::{MemberView, MemberWithUserView, PaginatedMembersResponse, UpdateRoles};

/// Views of a page of members: one query for custom role display names and one for AI seats,
/// whatever the page size.
async fn member_views(
    state: &AppState,
    org: &Organization,
    members: &[MemberWithUser],
) -> ApiResult<Vec<MemberWithUserView>> {
    let custom =
        custom_roles_for_display(state, org, members.iter().map(|m| &m.membership.roles)).await?;
    let ids: Vec<UserId> = members.iter().map(|m| m.user.id).collect();
    let seats = ai_seats(state, &ids).await;
    Ok(members
        .iter()
        .map(|m| MemberWithUserView::new(m, &custom, seats.contains(&m.user.id)))
        .collect())
}

/// The organization's custom roles, loaded only when a role on the page is not built in.
async fn custom_roles_for_display<'a>(
    state: &AppState,
    org: &Organization,
    mut role_lists: impl Iterator<Item = &'a Vec<String>>,
) -> ApiResult<Vec<CustomRole>> {
    if role_lists.any(|roles| roles.iter().any(|r| !builtin::is_org_role(r))) {
        Ok(state.ports.roles.list(org.id).await?)
    } else {
        Ok(Vec::new())
    }
}

fn member_query(query: &RawQuery) -> ApiResult<roster_domain::search::UserQuery> {
    let mut q = parse_user_query(query.get("q").unwrap_or(""))
        .map_err(|e| ApiError::invalid("Invalid member search query.", e))?;
    // Every member holds the implied `organization-member`: asking for it filters nothing,
    // as asking for `member` on the users list does.
    if q.roles.iter().any(|r| r == builtin::ORG_MEMBER) {
        q.roles.clear();
    }
    Ok(q)
}

/// `GET /api/v2/organizations/{organization}/members` (deprecated, unpaginated): the members the
/// caller may read.
#[utoipa::path(get, path = "/api/v2/organizations/{organization}/members", tag = "Members",
    params(("organization" = String, Path, description = "Organization id, name or `default`"),
           ("q" = Option<String>, Query, description = "Member search query")),
    responses((status = 200, body = Vec<MemberWithUserView>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<String>,
    query: RawQuery,
) -> ApiResult<Response> {
    let org = resolve_org(&state, &actor, &org).await?;
    let q = member_query(&query)?;
    let filter = actor
        .subject
        .prepare(Action::Read, ResourceType::OrganizationMember);
    let page = state
        .ports
        .members
        .list(org.id, &q, &filter, Pagination::default())
        .await?;
    Ok(json_response(
        StatusCode::OK,
        &member_views(&state, &org, &page.rows).await?,
    ))
}

/// `GET /api/v2/organizations/{organization}/paginated-members`: needs organization-wide read
/// of members (else 404); ordered by username; `count` covers every match.
#[utoipa::path(get, path = "/api/v2/organizations/{organization}/paginated-members", tag = "Members",
    params(("organization" = String, Path, description = "Organization id, name or `default`"),
           ("q" = Option<String>, Query, description = "Member search query"),
           ("after_id" = Option<String>, Query, description = "After ID"),
           ("limit" = Option<i32>, Query, description = "Page limit, 0 for no limit"),
           ("offset" = Option<i32>, Query, description = "Page offset")),
    responses((status = 200, body = PaginatedMembersResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn paginated(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<String>,
    query: RawQuery,
) -> ApiResult<Response> {
    let org = resolve_org(&state, &actor, &org).await?;
    let org_wide = Object::new(ResourceType::OrganizationMember).in_org(org.id);
    if !actor.subject.allows(Action::Read, &org_wide) {
        return Err(ApiError::NotFound);
    }
    let q = member_query(&query)?;
    let page = pagination(&query)?;
    let result = state
        .ports
        .members
        .list(org.id, &q, &RowFilter::All, page)
        .await?;
    let members = member_views(&state, &org, &result.rows).await?;
    Ok(json_response(
        StatusCode::OK,
        &PaginatedMembersResponse {
            members,
            count: result.count,
        },
    ))
}

/// `GET /api/v2/organizations/{organization}/members/{user}`.
#[utoipa::path(get, path = "/api/v2/organizations/{organization}/members/{user}", tag = "Members",
    params(("organization" = String, Path, description = "Organization id, name or `default`"),
           ("user" = String, Path, description = "User id, username or `me`")),
    responses((status = 200, body = MemberWithUserView), (status = 404, body = ErrorBody)))]
pub(crate) async fn get(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, user)): Path<(String, String)>,
) -> ApiResult<Response> {
    let org = resolve_org(&state, &actor, &org).await?;
    let member = resolve_member(&state, &actor, &org, &user).await?;
    let mut views = member_views(&state, &org, std::slice::from_ref(&member)).await?;
    let view = views.pop().ok_or(ApiError::NotFound)?;
    Ok(json_response(StatusCode::OK, &view))
}

/// `POST /api/v2/organizations/{organization}/members/{user}`: adds a member with no explicit
/// roles. Takes no body. Not allowed: 404.
#[utoipa::path(post, path = "/api/v2/organizations/{organization}/members/{user}", tag = "Members",
    params(("organization" = String, Path, description = "Organization id, name or `default`"),
           ("user" = String, Path, description = "User id, username or `me`")),
    responses((status = 200, body = MemberView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn add(
    State(state): State<AppState>,
    actor: Actor,
    audit: AuditCtx,
    Path((org, user)): Path<(String, String)>,
) -> ApiResult<Response> {
    let org = resolve_org(&state, &actor, &org).await?;
    audit.note_organization(org.id);
    let user = resolve_user(&state, &actor, &user).await?;
    let implied = RoleName {
        name: builtin::ORG_MEMBER.to_owned(),
        org: Some(org.id),
    };
    let allowed = actor
        .subject
        .allows(Action::Assign, &assign_org_role_object(org.id))
        && actor.subject.can_assign(&implied)
        && actor
            .subject
            .allows(Action::Create, &member_object(org.id, user.id));
    if !allowed {
        return Err(ApiError::NotFound);
    }
    let now = state.clock.now();
    let membership = state
        .ports
        .members
        .add(org.id, user.id, now, audit.stamp(StatusCode::OK, now))
        .await
        .map_err(|e| match e {
            RepoError::Conflict { .. } => {
                ApiError::bad_request("User is already an organization member")
            }
            e => e.into(),
        })?;
    Ok(json_response(
        StatusCode::OK,
        &MemberView::new(&membership, &[]),
    ))
}

/// `DELETE /api/v2/organizations/{organization}/members/{user}`: 204. Not allowed: 404.
#[utoipa::path(delete, path = "/api/v2/organizations/{organization}/members/{user}", tag = "Members",
    params(("organization" = String, Path, description = "Organization id, name or `default`"),
           ("user" = String, Path, description = "User id, username or `me`")),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn remove(
    State(state): State<AppState>,
    actor: Actor,
    audit: AuditCtx,
    Path((org, user)): Path<(String, String)>,
) -> ApiResult<Response> {
    let org = resolve_org(&state, &actor, &org).await?;
    audit.note_organization(org.id);
    let member = resolve_member(&state, &actor, &org, &user).await?;
    if member.user.id == actor.user.id {
        return Err(ApiError::bad_request(
            "cannot remove self from an organization",
        ));
    }
    if !actor
        .subject
        .allows(Action::Delete, &member_object(org.id, member.user.id))
    {
        return Err(ApiError::NotFound);
    }
    state
        .ports
        .members
        .remove(
            org.id,
            member.user.id,
            audit.stamp(StatusCode::NO_CONTENT, state.clock.now()),
        )
        .await
        .map_err(|e| match e {
            RepoError::NotFound { .. } => ApiError::NotFound,
            e => e.into(),
        })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `PUT /api/v2/organizations/{organization}/members/{user}/roles`: replaces the member's
/// explicit organization roles.
#[utoipa::path(put, path = "/api/v2/organizations/{organization}/members/{user}/roles", tag = "Members",
    params(("organization" = String, Path, description = "Organization id, name or `default`"),
           ("user" = String, Path, description = "User id, username or `me`")),
    request_body = UpdateRoles,
    responses((status = 200, body = MemberView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn put_roles(
    State(state): State<AppState>,
    actor: Actor,
    audit: AuditCtx,
    Path((org, user)): Path<(String, String)>,
    body: RawBody,
) -> ApiResult<Response> {
    let org = resolve_org(&state, &actor, &org).await?;
    audit.note_organization(org.id);
    let member = resolve_member(&state, &actor, &org, &user).await?;
    if member.user.id == actor.user.id {
        return Err(ApiError::bad_request_detail(
            "You cannot change your own organization roles.",
            "Another user with the appropriate permissions must change your roles.",
        ));
    }
    let ApiJson(req) = ApiJson::<UpdateRoles>::parse(&body.0)?;
    let mut wanted: Vec<String> = Vec::new();
    for raw in &req.roles {
        if raw.contains(':') {
            return Err(ApiError::bad_request(format!(
                "converting to organization roles: attempt to assign a role {raw:?}, remove the ':<organization_id> suffix"
            )));
        }
        if raw != builtin::ORG_MEMBER && !wanted.contains(raw) {
            wanted.push(raw.clone());
        }
    }
    let current = &member.membership.roles;
    let added: Vec<&String> = wanted.iter().filter(|r| !current.contains(r)).collect();
    let removed: Vec<&String> = current.iter().filter(|r| !wanted.contains(r)).collect();
    // One lookup serves both the check below and the answer's display names.
    let custom = custom_roles_for_display(&state, &org, [&wanted, current].into_iter()).await?;
    // Every changed role must exist in this organization: built in, or a custom role of it.
    for name in added.iter().chain(removed.iter()) {
        if !builtin::is_org_role(name) && !custom.iter().any(|r| &r.name == *name) {
            return Err(ApiError::bad_request(format!(
                "\"{name}:{}\" is not a supported role",
                org.id
            )));
        }
    }
    let target = assign_org_role_object(org.id);
    if !added.is_empty() && !actor.subject.allows(Action::Assign, &target) {
        return Err(ApiError::Forbidden);
    }
    if !removed.is_empty() && !actor.subject.allows(Action::Unassign, &target) {
        return Err(ApiError::Forbidden);
    }
    for name in added.iter().chain(removed.iter()) {
        let as_checked = if builtin::is_org_role(name) {
            RoleName {
                name: (*name).clone(),
                org: Some(org.id),
            }
        } else {
            RoleName {
                name: builtin::CUSTOM_ORG_ROLE.to_owned(),
                org: Some(org.id),
            }
        };
        if !actor.subject.can_assign(&as_checked) {
            return Err(ApiError::bad_request(format!(
                "not authorized to assign role {name:?}"
            )));
        }
    }
    let now = state.clock.now();
    let membership = if added.is_empty() && removed.is_empty() {
        member.membership
    } else {
        state
            .ports
            .members
            .set_roles(
                org.id,
                member.user.id,
                wanted,
                now,
                audit.stamp(StatusCode::OK, now),
            )
            .await
            .map_err(|e| match e {
                RepoError::NotFound { .. } => ApiError::NotFound,
                e => e.into(),
            })?
    };
    Ok(json_response(
        StatusCode::OK,
        &MemberView::new(&membership, &custom),
    ))
}
