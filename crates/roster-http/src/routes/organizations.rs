//! Organizations: list, create, read, update, delete.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use roster_domain::ids::OrganizationId;
use roster_domain::organization::{NewOrganization, OrganizationPatch};
use roster_domain::{RepoError, ValidationError, ValidationErrors};
use roster_rbac::{Action, Object, ResourceType};
use serde::Deserialize;

use crate::audit::AuditCtx;
use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, ErrorBody, json_response};
use crate::extract::ApiJson;
use crate::routes::{org_object, resolve_org};
use crate::state::AppState;
use crate::validate;
use crate::views::OrganizationView;

/// `GET /api/v2/organizations`: the organizations the caller may read.
#[utoipa::path(get, path = "/api/v2/organizations", tag = "Organizations",
    responses((status = 200, body = Vec<OrganizationView>)))]
pub(crate) async fn list(State(state): State<AppState>, actor: Actor) -> ApiResult<Response> {
    let filter = actor
        .subject
        .prepare(Action::Read, ResourceType::Organization);
    let orgs = state.ports.orgs.list(&filter).await?;
    let views: Vec<OrganizationView> = orgs.iter().map(OrganizationView::from).collect();
    Ok(json_response(StatusCode::OK, &views))
}

/// Coder's `codersdk.CreateOrganizationRequest`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = codersdk::CreateOrganizationRequest)]
pub(crate) struct CreateOrganizationRequest {
    #[serde(default)]
    name: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    icon: String,
}

fn name_conflict(name: &str) -> ApiError {
    ApiError::Conflict {
        message: format!("Organization already exists with the name {name:?}."),
        validations: vec![ValidationError::new(
            "name",
            "This value is already in use and should be unique.",
        )],
    }
}

/// `POST /api/v2/organizations`: creates an organization; the creator joins it as
/// `organization-admin`.
#[utoipa::path(post, path = "/api/v2/organizations", tag = "Organizations",
    request_body = CreateOrganizationRequest,
    responses((status = 201, body = OrganizationView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn create(
    State(state): State<AppState>,
    actor: Actor,
    audit: AuditCtx,
    ApiJson(req): ApiJson<CreateOrganizationRequest>,
) -> ApiResult<Response> {
    if !state.settings.entitlements.multiple_organizations {
        return Err(ApiError::ForbiddenMessage(
            "Multiple Organizations is a Premium feature. Contact sales!".into(),
        ));
    }
    if !actor
        .subject
        .allows(Action::Create, &Object::new(ResourceType::Organization))
    {
        return Err(ApiError::Forbidden);
    }
    let mut errors = ValidationErrors::default();
    validate::name(&mut errors, "name", &req.name);
    if !errors.is_empty() {
        return Err(ApiError::invalid("Validation failed.", errors));
    }
    if req.name.eq_ignore_ascii_case("default") {
        return Err(ApiError::bad_request(format!(
            "Organization name {:?} is reserved.",
            req.name
        )));
    }
    let display_name = if req.display_name.is_empty() {
        req.name.clone()
    } else {
        req.display_name
    };
    let now = state.clock.now();
    let new = NewOrganization {
        id: OrganizationId::new_v7(),
        name: req.name.clone(),
        display_name,
        description: req.description,
        icon: req.icon,
        is_default: false,
        creator: Some(actor.user.id),
        created_at: now,
    };
    let stamp = audit.stamp(StatusCode::CREATED, now);
    let org = state
        .ports
        .orgs
        .create(new, stamp)
        .await
        .map_err(|e| match e {
            RepoError::Conflict { .. } => name_conflict(&req.name),
            e => e.into(),
        })?;
    Ok(json_response(
        StatusCode::CREATED,
        &OrganizationView::from(&org),
    ))
}

/// `GET /api/v2/organizations/{organization}`.
#[utoipa::path(get, path = "/api/v2/organizations/{organization}", tag = "Organizations",
    params(("organization" = String, Path, description = "Organization id, name or `default`")),
    responses((status = 200, body = OrganizationView), (status = 404, body = ErrorBody)))]
pub(crate) async fn get(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<String>,
) -> ApiResult<Response> {
    let org = resolve_org(&state, &actor, &org).await?;
    Ok(json_response(StatusCode::OK, &OrganizationView::from(&org)))
}

/// Coder's `codersdk.UpdateOrganizationRequest`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = codersdk::UpdateOrganizationRequest)]
pub(crate) struct UpdateOrganizationRequest {
    name: Option<String>,
    display_name: Option<String>,
    description: Option<String>,
    icon: Option<String>,
}

/// `PATCH /api/v2/organizations/{organization}`.
#[utoipa::path(patch, path = "/api/v2/organizations/{organization}", tag = "Organizations",
    params(("organization" = String, Path, description = "Organization id, name or `default`")),
    request_body = UpdateOrganizationRequest,
    responses((status = 200, body = OrganizationView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn update(
    State(state): State<AppState>,
    actor: Actor,
    audit: AuditCtx,
    Path(org): Path<String>,
    ApiJson(req): ApiJson<UpdateOrganizationRequest>,
) -> ApiResult<Response> {
    let org = resolve_org(&state, &actor, &org).await?;
    audit.note_organization(org.id);
    if !actor.subject.allows(Action::Update, &org_object(org.id)) {
        return Err(ApiError::Forbidden);
    }
    if let Some(name) = &req.name {
        let mut errors = ValidationErrors::default();
        validate::name(&mut errors, "name", name);
        if !errors.is_empty() {
            return Err(ApiError::invalid("Validation failed.", errors));
        }
        if name.eq_ignore_ascii_case("default") && !org.is_default {
            return Err(ApiError::bad_request(format!(
                "Organization name {name:?} is reserved."
            )));
        }
    }
    let patch = OrganizationPatch {
        name: req.name.clone(),
        display_name: req.display_name,
        description: req.description,
        icon: req.icon,
    };
    let now = state.clock.now();
    let updated = state
        .ports
        .orgs
        .update(org.id, patch, now, audit.stamp(StatusCode::OK, now))
        .await
        .map_err(|e| match e {
            RepoError::Conflict { .. } => name_conflict(req.name.as_deref().unwrap_or_default()),
            RepoError::NotFound { .. } => ApiError::NotFound,
            e => e.into(),
        })?;
    Ok(json_response(
        StatusCode::OK,
        &OrganizationView::from(&updated),
    ))
}

/// `DELETE /api/v2/organizations/{organization}`: the default organization can't be deleted.
#[utoipa::path(delete, path = "/api/v2/organizations/{organization}", tag = "Organizations",
    params(("organization" = String, Path, description = "Organization id, name or `default`")),
    responses((status = 200, body = ErrorBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn delete(
    State(state): State<AppState>,
    actor: Actor,
    audit: AuditCtx,
    Path(org): Path<String>,
) -> ApiResult<Response> {
    let org = resolve_org(&state, &actor, &org).await?;
    audit.note_organization(org.id);
    if !actor.subject.allows(Action::Delete, &org_object(org.id)) {
        return Err(ApiError::Forbidden);
    }
    if org.is_default {
        return Err(ApiError::bad_request(
            "Default organization cannot be deleted.",
        ));
    }
    let now = state.clock.now();
    state
        .ports
        .orgs
        .delete(org.id, now, audit.stamp(StatusCode::OK, now))
        .await
        .map_err(|e| match e {
            RepoError::NotFound { .. } => ApiError::NotFound,
            e => e.into(),
        })?;
    Ok(json_response(
        StatusCode::OK,
        &ErrorBody {
            message: "Organization deleted.".into(),
            detail: String::new(),
            validations: vec![],
        },
    ))
}
