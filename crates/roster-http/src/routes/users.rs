//! Users: list, create, read, delete, suspend and activate, site roles, organizations.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_domain::ids::{OrganizationId, UserId};
use roster_domain::search::parse_user_query;
use roster_domain::user::{LoginType, NewUser, User, UserStatus};
use roster_domain::{RepoError, ValidationErrors};
use roster_rbac::{Action, Object, ResourceType, RoleName, builtin};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::audit::AuditCtx;
use crate::auth::{self, Actor};
use crate::error::{ApiError, ApiResult, ErrorBody, json_response};
use crate::extract::{ApiJson, RawQuery, pagination};
use crate::routes::{ai_seats, resolve_user, user_object};
use crate::state::AppState;
use crate::validate;
use crate::views::{GetUsersResponse, OrganizationView, UpdateRoles, UserView};

/// Builds the views of a page of users: one query for their organizations, one for AI seats.
pub(crate) async fn user_views(state: &AppState, users: &[User]) -> ApiResult<Vec<UserView>> {
    let ids: Vec<UserId> = users.iter().map(|u| u.id).collect();
    let mut orgs: HashMap<UserId, Vec<OrganizationId>> = HashMap::new();
    if !ids.is_empty() {
        for (user, org) in state.ports.members.organization_ids_of(&ids).await? {
            orgs.entry(user).or_default().push(org);
        }
    }
    let seats = ai_seats(state, &ids).await;
    Ok(users
        .iter()
        .map(|u| {
            UserView::new(
                u,
                orgs.remove(&u.id).unwrap_or_default(),
                seats.contains(&u.id),
            )
        })
        .collect())
}

async fn user_view(state: &AppState, user: &User) -> ApiResult<UserView> {
    let mut views = user_views(state, std::slice::from_ref(user)).await?;
    views
        .pop()
        .ok_or_else(|| ApiError::internal(std::io::Error::other("empty view")))
}

/// `GET /api/v2/users`: users the caller may read, filtered by `q`, keyset-paginated.
#[utoipa::path(get, path = "/api/v2/users", tag = "Users",
    params(("q" = Option<String>, Query, description = "Search query"),
           ("after_id" = Option<String>, Query, description = "After ID"),
           ("limit" = Option<i32>, Query, description = "Page limit"),
           ("offset" = Option<i32>, Query, description = "Page offset")),
    responses((status = 200, body = GetUsersResponse), (status = 400, body = ErrorBody)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    query: RawQuery,
) -> ApiResult<Response> {
    let q = parse_user_query(query.get("q").unwrap_or(""))
        .map_err(|e| ApiError::invalid("Invalid user search query.", e))?;
    let page = pagination(&query)?;
    let filter = actor.subject.prepare(Action::Read, ResourceType::User);
    let result = state.ports.users.list(&q, &filter, page).await?;
    let users = user_views(&state, &result.rows).await?;
    Ok(json_response(
        StatusCode::OK,
        &GetUsersResponse {
            users,
            count: result.count,
        },
    ))
}

/// Coder's `codersdk.CreateUserRequestWithOrgs`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = codersdk::CreateUserRequestWithOrgs)]
pub(crate) struct CreateUserRequest {
    #[serde(default)]
    email: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    login_type: String,
    #[serde(default)]
    user_status: Option<String>,
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    organization_ids: Vec<Uuid>,
    #[serde(default)]
    service_account: bool,
}

/// `POST /api/v2/users`: creates a user and their memberships.
#[utoipa::path(post, path = "/api/v2/users", tag = "Users", request_body = CreateUserRequest,
    responses((status = 201, body = UserView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn create(
    State(state): State<AppState>,
    actor: Actor,
    audit: AuditCtx,
    ApiJson(req): ApiJson<CreateUserRequest>,
) -> ApiResult<Response> {
    let mut errors = ValidationErrors::default();
    validate::name(&mut errors, "username", &req.username);
    if req.service_account {
        if !req.email.is_empty() {
            return Err(ApiError::bad_request(
                "Service accounts must not have an email.",
            ));
        }
        if !req.password.is_empty() {
            return Err(ApiError::bad_request(
                "Service accounts must not have a password.",
            ));
        }
    } else {
        validate::email(&mut errors, "email", &req.email);
    }
    let login_type = match (req.login_type.as_str(), req.service_account) {
        ("", true) => LoginType::None,
        ("", false) => LoginType::Password,
        (t, _) => match LoginType::parse(t) {
            Some(t) => t,
            None => {
                errors.push("login_type", validate::tag_failed("oneof", t));
                LoginType::Password
            }
        },
    };
    let status = match req.user_status.as_deref() {
        None | Some("") => UserStatus::Dormant,
        Some(s) => match UserStatus::parse(s) {
            Some(s) => s,
            None => {
                errors.push("user_status", validate::tag_failed("oneof", s));
                UserStatus::Dormant
            }
        },
    };
    if !errors.is_empty() {
        return Err(ApiError::invalid("Validation failed.", errors));
    }
    if req.service_account && login_type != LoginType::None {
        return Err(ApiError::bad_request(
            "Service accounts must use login type \"none\".",
        ));
    }
    if login_type == LoginType::Password && req.password.is_empty() {
        return Err(ApiError::bad_request(
            "Password is required when login type is \"password\".",
        ));
    }
    if login_type != LoginType::Password && !req.password.is_empty() {
        return Err(ApiError::bad_request(format!(
            "Password cannot be set for login type {:?}.",
            login_type.as_str()
        )));
    }
    if req.organization_ids.is_empty() {
        return Err(ApiError::bad_request(
            "No organization specified to place the user as a member of. It is required to specify at least one organization id to place the user in.",
        ));
    }
    if !actor
        .subject
        .allows(Action::Create, &Object::new(ResourceType::User))
    {
        return Err(ApiError::ForbiddenMessage(
            "You are not authorized to create users.".into(),
        ));
    }
    let mut organization_ids = Vec::new();
    for raw in &req.organization_ids {
        let org = if raw.is_nil() {
            state.ports.orgs.default_org().await?
        } else {
            state.ports.orgs.find(OrganizationId(*raw)).await?
        };
        let visible = org.filter(|o| {
            actor
                .subject
                .allows(Action::Read, &crate::routes::org_object(o.id))
        });
        let Some(org) = visible else {
            return Err(ApiError::NotFoundMessage(
                format!(
                    "Organization does not exist with the provided id {:?}.",
                    raw.to_string()
                ),
                String::new(),
            ));
        };
        // The new user has no id yet: only organization-wide (or site-wide) rights may add
        // members to an organization, never rights over one's own rows.
        let member = Object::new(ResourceType::OrganizationMember).in_org(org.id);
        if !actor.subject.allows(Action::Create, &member) {
            return Err(ApiError::ForbiddenMessage(
                "You are not authorized to create users.".into(),
            ));
        }
        if !organization_ids.contains(&org.id) {
            organization_ids.push(org.id);
        }
    }
    if !req.password.is_empty() {
        validate::strong_password(&req.password)?;
    }
    let password_hash = if req.password.is_empty() {
        None
    } else {
        Some(auth::hash_password_blocking(req.password).await?)
    };
    let now = state.clock.now();
    let new = NewUser {
        id: UserId::new_v7(),
        username: req.username,
        email: req.email,
        name: req.name.trim().to_owned(),
        password_hash,
        login_type,
        is_service_account: req.service_account,
        status,
        site_roles: vec![],
        organization_ids,
        created_at: now,
    };
    let stamp = audit.stamp(StatusCode::CREATED, now);
    let user = state
        .ports
        .users
        .create(new, stamp)
        .await
        .map_err(|e| match e {
            RepoError::Conflict { .. } => ApiError::Conflict {
                message: "User already exists.".into(),
                validations: vec![],
            },
            e => e.into(),
        })?;
    Ok(json_response(
        StatusCode::CREATED,
        &user_view(&state, &user).await?,
    ))
}

/// `GET /api/v2/users/{user}`.
#[utoipa::path(get, path = "/api/v2/users/{user}", tag = "Users",
    params(("user" = String, Path, description = "User id, username or `me`")),
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody)))]
pub(crate) async fn get(
    State(state): State<AppState>,
    actor: Actor,
    Path(user): Path<String>,
) -> ApiResult<Response> {
    let user = resolve_user(&state, &actor, &user).await?;
    Ok(json_response(
        StatusCode::OK,
        &user_view(&state, &user).await?,
    ))
}

/// `DELETE /api/v2/users/{user}`: soft-deletes the user (204).
#[utoipa::path(delete, path = "/api/v2/users/{user}", tag = "Users",
    params(("user" = String, Path, description = "User id, username or `me`")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn delete(
    State(state): State<AppState>,
    actor: Actor,
    audit: AuditCtx,
    Path(user): Path<String>,
) -> ApiResult<Response> {
    let user = resolve_user(&state, &actor, &user).await?;
    if !actor.subject.allows(Action::Delete, &user_object(user.id)) {
        return Err(ApiError::Forbidden);
    }
    if user.id == actor.user.id {
        return Err(ApiError::ForbiddenMessage(
            "You cannot delete yourself!".into(),
        ));
    }
    let now = state.clock.now();
    state
        .ports
        .users
        .delete(user.id, now, audit.stamp(StatusCode::NO_CONTENT, now))
        .await
        .map_err(not_found_is_404)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn not_found_is_404(e: RepoError) -> ApiError {
    match e {
        RepoError::NotFound { .. } => ApiError::NotFound,
        e => e.into(),
    }
}

/// `PUT /api/v2/users/{user}/status/suspend`.
#[utoipa::path(put, path = "/api/v2/users/{user}/status/suspend", tag = "Users",
    params(("user" = String, Path, description = "User id, username or `me`")),
    responses((status = 200, body = UserView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn suspend(
    State(state): State<AppState>,
    actor: Actor,
    audit: AuditCtx,
    Path(user): Path<String>,
) -> ApiResult<Response> {
    set_status(state, actor, audit, user, UserStatus::Suspended).await
}

/// `PUT /api/v2/users/{user}/status/activate`.
#[utoipa::path(put, path = "/api/v2/users/{user}/status/activate", tag = "Users",
    params(("user" = String, Path, description = "User id, username or `me`")),
    responses((status = 200, body = UserView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn activate(
    State(state): State<AppState>,
    actor: Actor,
    audit: AuditCtx,
    Path(user): Path<String>,
) -> ApiResult<Response> {
    set_status(state, actor, audit, user, UserStatus::Active).await
}

async fn set_status(
    state: AppState,
    actor: Actor,
    audit: AuditCtx,
    user: String,
    status: UserStatus,
) -> ApiResult<Response> {
    let user = resolve_user(&state, &actor, &user).await?;
    if !actor.subject.allows(Action::Update, &user_object(user.id)) {
        return Err(ApiError::Forbidden);
    }
    if status == UserStatus::Suspended {
        if user.id == actor.user.id {
            return Err(ApiError::bad_request("You cannot suspend yourself."));
        }
        // Only someone who could grant `owner` may suspend an owner.
        let owner = RoleName {
            name: builtin::OWNER.to_owned(),
            org: None,
        };
        if user.site_roles.iter().any(|r| r == builtin::OWNER) && !actor.subject.can_assign(&owner)
        {
            return Err(ApiError::bad_request(
                "You cannot suspend a user with the \"owner\" role.",
            ));
        }
    }
    let now = state.clock.now();
    let updated = if user.status == status {
        user
    } else {
        state
            .ports
            .users
            .set_status(user.id, status, now, audit.stamp(StatusCode::OK, now))
            .await
            .map_err(not_found_is_404)?
    };
    Ok(json_response(
        StatusCode::OK,
        &user_view(&state, &updated).await?,
    ))
}

/// Coder's `codersdk.UserRoles`.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = codersdk::UserRoles)]
pub(crate) struct UserRoles {
    roles: Vec<String>,
    organization_roles: BTreeMap<String, Vec<String>>,
}

/// `GET /api/v2/users/{user}/roles`: the user's explicit site and organization roles.
#[utoipa::path(get, path = "/api/v2/users/{user}/roles", tag = "Members",
    params(("user" = String, Path, description = "User id, username or `me`")),
    responses((status = 200, body = UserRoles), (status = 404, body = ErrorBody)))]
pub(crate) async fn get_roles(
    State(state): State<AppState>,
    actor: Actor,
    Path(user): Path<String>,
) -> ApiResult<Response> {
    let user = crate::routes::find_user(&state, &actor, &user)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !actor
        .subject
        .allows(Action::ReadPersonal, &user_object(user.id))
    {
        return Err(ApiError::NotFound);
    }
    let memberships = state.ports.members.memberships_of(user.id).await?;
    let organization_roles = memberships
        .into_iter()
        .filter(|m| {
            actor
                .subject
                .allows(Action::Read, &crate::routes::org_object(m.organization_id))
        })
        .map(|m| (m.organization_id.to_string(), m.roles))
        .collect();
    Ok(json_response(
        StatusCode::OK,
        &UserRoles {
            roles: user.site_roles,
            organization_roles,
        },
    ))
}

/// `PUT /api/v2/users/{user}/roles`: replaces the user's explicit site roles.
#[utoipa::path(put, path = "/api/v2/users/{user}/roles", tag = "Members",
    params(("user" = String, Path, description = "User id, username or `me`")),
    request_body = UpdateRoles,
    responses((status = 200, body = UserView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn put_roles(
    State(state): State<AppState>,
    actor: Actor,
    audit: AuditCtx,
    Path(user): Path<String>,
    ApiJson(req): ApiJson<UpdateRoles>,
) -> ApiResult<Response> {
    let user = resolve_user(&state, &actor, &user).await?;
    if user.id == actor.user.id {
        return Err(ApiError::bad_request_detail(
            "You cannot change your own roles.",
            "Another user with the appropriate permissions must change your roles.",
        ));
    }
    let mut wanted: Vec<String> = Vec::new();
    for raw in &req.roles {
        let role: RoleName = raw.parse().map_err(|e: roster_rbac::RoleNameError| {
            ApiError::bad_request_detail("Must only update site wide roles", e.to_string())
        })?;
        if role.org.is_some() {
            return Err(ApiError::bad_request_detail(
                "Must only update site wide roles",
                format!("role {raw:?} is an organization role"),
            ));
        }
        if role.name == builtin::MEMBER {
            continue; // Implied for everyone; never stored.
        }
        if !builtin::is_site_role(&role.name) {
            return Err(ApiError::bad_request(format!(
                "{raw:?} is not a supported role"
            )));
        }
        if !wanted.contains(&role.name) {
            wanted.push(role.name);
        }
    }
    let added: Vec<&String> = wanted
        .iter()
        .filter(|r| !user.site_roles.contains(r))
        .collect();
    let removed: Vec<&String> = user
        .site_roles
        .iter()
        .filter(|r| !wanted.contains(r))
        .collect();
    let assign_role = Object::new(ResourceType::AssignRole);
    if !added.is_empty() && !actor.subject.allows(Action::Assign, &assign_role) {
        return Err(ApiError::Forbidden);
    }
    if !removed.is_empty() && !actor.subject.allows(Action::Unassign, &assign_role) {
        return Err(ApiError::Forbidden);
    }
    for name in added.iter().chain(removed.iter()) {
        let role = RoleName {
            name: (*name).clone(),
            org: None,
        };
        if !actor.subject.can_assign(&role) {
            return Err(ApiError::bad_request(format!(
                "not authorized to assign role {name:?}"
            )));
        }
    }
    let now = state.clock.now();
    let updated = if added.is_empty() && removed.is_empty() {
        user
    } else {
        state
            .ports
            .users
            .set_site_roles(user.id, wanted, now, audit.stamp(StatusCode::OK, now))
            .await
            .map_err(not_found_is_404)?
    };
    Ok(json_response(
        StatusCode::OK,
        &user_view(&state, &updated).await?,
    ))
}

/// `GET /api/v2/users/{user}/organizations`: the user's organizations the caller may read.
#[utoipa::path(get, path = "/api/v2/users/{user}/organizations", tag = "Users",
    params(("user" = String, Path, description = "User id, username or `me`")),
    responses((status = 200, body = Vec<OrganizationView>), (status = 404, body = ErrorBody)))]
pub(crate) async fn organizations(
    State(state): State<AppState>,
    actor: Actor,
    Path(user): Path<String>,
) -> ApiResult<Response> {
    let user = resolve_user(&state, &actor, &user).await?;
    let orgs = state.ports.orgs.list_for_user(user.id).await?;
    // A user belongs to a handful of organizations: the list is bounded, so checking each
    // against the caller's subject here costs less than a second prepared query.
    let views: Vec<OrganizationView> = orgs
        .iter()
        .filter(|o| {
            actor
                .subject
                .allows(Action::Read, &crate::routes::org_object(o.id))
        })
        .map(OrganizationView::from)
        .collect();
    Ok(json_response(StatusCode::OK, &views))
}
