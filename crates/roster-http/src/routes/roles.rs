//! Role listings with `assignable`, and custom organization roles (create, replace, delete).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_domain::name::check_name;
use roster_domain::permission::Permission;
use roster_domain::role::{CustomRole, CustomRoleInput};
use roster_domain::{RepoError, ValidationError, ValidationErrors};
use roster_rbac::{Action, Object, ResourceType, RoleDefinition, RoleName, builtin};
use serde::Deserialize;

use crate::audit::AuditCtx;
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, ErrorBody, json_response};
use crate::extract::ApiJson;
use crate::routes::{assign_org_role_object, resolve_org};
use crate::state::AppState;
use crate::validate;
use crate::views::{AssignableRoleView, PermissionView, RoleView};

/// `GET /api/v2/organizations/{organization}/members/roles`: built-in and custom roles of the
/// organization, each with whether the caller may assign it. Not allowed: 404.
#[utoipa::path(get, path = "/api/v2/organizations/{organization}/members/roles", tag = "Members",
    params(("organization" = String, Path, description = "Organization id, name or `default`")),
    responses((status = 200, body = Vec<AssignableRoleView>), (status = 404, body = ErrorBody)))]
pub(crate) async fn list_org_roles(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<String>,
) -> ApiResult<Response> {
    let org = resolve_org(&state, &actor, &org).await?;
    if !actor
        .subject
        .allows(Action::Read, &assign_org_role_object(org.id))
    {
        return Err(ApiError::NotFound);
    }
    let mut out: Vec<AssignableRoleView> = builtin::listed_org_roles(org.id)
        .iter()
        .map(|r| AssignableRoleView {
            role: RoleView::from(r),
            assignable: actor.subject.can_assign(&RoleName {
                name: r.name.clone(),
                org: Some(org.id),
            }),
            built_in: true,
        })
        .collect();
    let custom_assignable = actor.subject.can_assign(&RoleName {
        name: builtin::CUSTOM_ORG_ROLE.to_owned(),
        org: Some(org.id),
    });
    for role in state.ports.roles.list(org.id).await? {
        out.push(AssignableRoleView {
            role: RoleView::from(&RoleDefinition::from(&role)),
            assignable: custom_assignable,
            built_in: false,
        });
    }
    Ok(json_response(StatusCode::OK, &out))
}

/// `GET /api/v2/users/roles`: the built-in site roles with whether the caller may assign each.
/// Not allowed: 403.
#[utoipa::path(get, path = "/api/v2/users/roles", tag = "Members",
    responses((status = 200, body = Vec<AssignableRoleView>), (status = 403, body = ErrorBody)))]
pub(crate) async fn list_site_roles(actor: Actor) -> ApiResult<Response> {
    if !actor
        .subject
        .allows(Action::Read, &Object::new(ResourceType::AssignRole))
    {
        return Err(ApiError::Forbidden);
    }
    let out: Vec<AssignableRoleView> = builtin::listed_site_roles()
        .iter()
        .map(|r| AssignableRoleView {
            role: RoleView::from(r),
            assignable: actor.subject.can_assign(&RoleName {
                name: r.name.clone(),
                org: None,
            }),
            built_in: true,
        })
        .collect();
    Ok(json_response(StatusCode::OK, &out))
}

/// Coder's `codersdk.CustomRoleRequest`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = codersdk::CustomRoleRequest)]
pub(crate) struct CustomRoleRequest {
    #[serde(default)]
    name: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    site_permissions: Vec<PermissionView>,
    #[serde(default)]
    organization_permissions: Vec<PermissionView>,
    #[serde(default)]
    user_permissions: Vec<PermissionView>,
    #[serde(default)]
    organization_member_permissions: Vec<PermissionView>,
}

const PREMIUM: &str = "Custom Roles is a Premium feature. Contact sales!";
const FAILED: &str = "Failed to update role permissions";

fn require_feature(state: &AppState) -> ApiResult<()> {
    if state.settings.entitlements.custom_roles {
        Ok(())
    } else {
        Err(ApiError::ForbiddenMessage(PREMIUM.into()))
    }
}

fn reserved(name: &str) -> ApiError {
    ApiError::bad_request_detail(
        "Reserved role name",
        format!("{name:?} is a reserved role name, and not allowed to be used"),
    )
}

/// Which write a custom role request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Write {
    Create,
    Replace,
}

/// Checks a request in Coder's order and returns the role to store.
fn validate_request(
    actor: &Actor,
    org: roster_domain::ids::OrganizationId,
    req: CustomRoleRequest,
    write: Write,
) -> ApiResult<CustomRoleInput> {
    let mut errors = ValidationErrors::default();
    validate::name(&mut errors, "name", &req.name);
    if !errors.is_empty() {
        return Err(ApiError::invalid("Validation failed.", errors));
    }
    let name = req.name.to_lowercase();
    if builtin::is_reserved(&name) {
        return Err(reserved(&req.name));
    }
    if !req.site_permissions.is_empty() {
        return Err(ApiError::bad_request_detail(
            "Invalid request, not allowed to assign site wide permissions for an organization role.",
            "organization scoped roles may not contain site wide permissions",
        ));
    }
    if !req.user_permissions.is_empty() {
        return Err(ApiError::bad_request_detail(
            "Invalid request, not allowed to assign user permissions for an organization role.",
            "organization scoped roles may not contain user permissions",
        ));
    }
    if !req.organization_member_permissions.is_empty() {
        return Err(ApiError::bad_request_detail(
            "Invalid request, not allowed to assign organization member permissions for an organization role.",
            "organization scoped roles may not contain organization member permissions",
        ));
    }
    let mut permissions: Vec<Permission> = Vec::new();
    for p in &req.organization_permissions {
        match Permission::parse(&p.resource_type, &p.action, p.negate) {
            Ok(p) => {
                if !permissions.contains(&p) {
                    permissions.push(p);
                }
            }
            // A replacement drops what is no longer valid: the catalogue changes between
            // releases, and a role saved by an older one must stay editable.
            Err(_) if write == Write::Replace => {}
            Err(e) => {
                return Err(ApiError::bad_request_detail(
                    FAILED,
                    format!("invalid role: {e}"),
                ));
            }
        }
    }
    if let Err(problems) = actor.subject.check_grantable(org, &permissions) {
        let detail = problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        return Err(ApiError::BadRequest {
            message: FAILED.into(),
            detail,
            validations: problems
                .iter()
                .map(|p| ValidationError::new("organization_permissions", p.to_string()))
                .collect(),
        });
    }
    Ok(CustomRoleInput {
        name,
        display_name: req.display_name,
        organization_id: org,
        organization_permissions: permissions,
    })
}

fn role_view(role: &CustomRole) -> RoleView {
    RoleView::from(&RoleDefinition::from(role))
}

/// `POST /api/v2/organizations/{organization}/members/roles`: creates a custom role.
#[utoipa::path(post, path = "/api/v2/organizations/{organization}/members/roles", tag = "Members",
    params(("organization" = String, Path, description = "Organization id, name or `default`")),
    request_body = CustomRoleRequest,
    responses((status = 200, body = RoleView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn create_custom(
    State(state): State<AppState>,
    actor: Actor,
    audit: AuditCtx,
    Path(org): Path<String>,
    ApiJson(req): ApiJson<CustomRoleRequest>,
) -> ApiResult<Response> {
    write_custom(state, actor, audit, org, req, Write::Create).await
}

/// `PUT /api/v2/organizations/{organization}/members/roles`: replaces a custom role wholly.
#[utoipa::path(put, path = "/api/v2/organizations/{organization}/members/roles", tag = "Members",
    params(("organization" = String, Path, description = "Organization id, name or `default`")),
    request_body = CustomRoleRequest,
    responses((status = 200, body = RoleView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn update_custom(
    State(state): State<AppState>,
    actor: Actor,
    audit: AuditCtx,
    Path(org): Path<String>,
    ApiJson(req): ApiJson<CustomRoleRequest>,
) -> ApiResult<Response> {
    write_custom(state, actor, audit, org, req, Write::Replace).await
}

async fn write_custom(
    state: AppState,
    actor: Actor,
    audit: AuditCtx,
    org: String,
    req: CustomRoleRequest,
    write: Write,
) -> ApiResult<Response> {
    require_feature(&state)?;
    let org = resolve_org(&state, &actor, &org).await?;
    audit.note_organization(org.id);
    let action = match write {
        Write::Create => Action::Create,
        Write::Replace => Action::Update,
    };
    if !actor
        .subject
        .allows(action, &assign_org_role_object(org.id))
    {
        return Err(ApiError::NotFound);
    }
    let input = validate_request(&actor, org.id, req, write)?;
    let now = state.clock.now();
    let role = match write {
        Write::Create => {
            let stamp = audit.stamp(StatusCode::OK, now);
            state.ports.roles.create(input.clone(), now, stamp).await
        }
        Write::Replace => {
            let stamp = audit.stamp(StatusCode::OK, now);
            state.ports.roles.update(input.clone(), now, stamp).await
        }
    }
    .map_err(|e| match e {
        RepoError::Conflict { .. } => ApiError::bad_request_detail(
            FAILED,
            format!(
                "a role named {:?} already exists in this organization",
                input.name
            ),
        ),
        RepoError::NotFound { .. } => ApiError::NotFound,
        e => e.into(),
    })?;
    Ok(json_response(StatusCode::OK, &role_view(&role)))
}

/// `DELETE /api/v2/organizations/{organization}/members/roles/{roleName}`: deletes a custom
/// role and removes it from every member of the organization. 204.
#[utoipa::path(delete, path = "/api/v2/organizations/{organization}/members/roles/{roleName}", tag = "Members",
    params(("organization" = String, Path, description = "Organization id, name or `default`"),
           ("roleName" = String, Path, description = "Role name")),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn delete_custom(
    State(state): State<AppState>,
    actor: Actor,
    audit: AuditCtx,
    Path((org, name)): Path<(String, String)>,
) -> ApiResult<Response> {
    require_feature(&state)?;
    let org = resolve_org(&state, &actor, &org).await?;
    audit.note_organization(org.id);
    let lower = name.to_lowercase();
    if builtin::is_reserved(&lower) {
        return Err(reserved(&name));
    }
    if let Err(e) = check_name(&name) {
        return Err(ApiError::bad_request_detail(
            "Invalid role name",
            e.to_string(),
        ));
    }
    if !actor
        .subject
        .allows(Action::Delete, &assign_org_role_object(org.id))
    {
        return Err(ApiError::Forbidden);
    }
    let not_found = || {
        ApiError::NotFoundMessage(
            format!("No custom role with the name {name} found"),
            "no role found".into(),
        )
    };
    state
        .ports
        .roles
        .delete(
            org.id,
            &lower,
            audit.stamp(StatusCode::NO_CONTENT, state.clock.now()),
        )
        .await
        .map_err(|e| match e {
            RepoError::NotFound { .. } => not_found(),
            e => e.into(),
        })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
