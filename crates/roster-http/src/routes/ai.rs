//! Roster extensions that feed `has_ai_seat`: AI Bridge interceptions and a minimal workspace
//! registry. Every call is authorized on its resource type, with the object's owner and
//! organization, so roles such as `organization-workspace-creation-ban` visibly take effect.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use roster_domain::ai::{Interception, Transition, Workspace, WorkspaceBuild};
use roster_domain::ids::{InterceptionId, OrganizationId, UserId, WorkspaceBuildId, WorkspaceId};
use roster_domain::{RepoError, ValidationError, ValidationErrors};
use roster_rbac::{Action, Object, ResourceType};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, ErrorBody, json_response};
use crate::extract::ApiJson;
use crate::routes::{resolve_member, resolve_org};
use crate::state::AppState;
use crate::validate;

/// An AI Bridge interception.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub(crate) struct InterceptionView {
    #[schema(value_type = String, format = Uuid)]
    id: InterceptionId,
    #[schema(value_type = String, format = Uuid)]
    initiator_id: UserId,
    provider: String,
    model: String,
    #[serde(with = "time::serde::rfc3339")]
    started_at: OffsetDateTime,
}

impl From<&Interception> for InterceptionView {
    fn from(i: &Interception) -> Self {
        InterceptionView {
            id: i.id,
            initiator_id: i.initiator_id,
            provider: i.provider.clone(),
            model: i.model.clone(),
            started_at: i.started_at,
        }
    }
}

/// Body of `POST /api/v2/aibridge/interceptions`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct CreateInterceptionRequest {
    #[schema(value_type = String, format = Uuid)]
    initiator_id: Option<UserId>,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    model: String,
    #[serde(default, with = "time::serde::rfc3339::option")]
    started_at: Option<OffsetDateTime>,
}

fn interception_object(initiator: UserId) -> Object {
    Object::new(ResourceType::AibridgeInterception).owned_by(initiator)
}

/// `POST /api/v2/aibridge/interceptions` (Roster extension): records an interception.
#[utoipa::path(post, path = "/api/v2/aibridge/interceptions", tag = "Roster",
    request_body = CreateInterceptionRequest,
    responses((status = 201, body = InterceptionView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn record_interception(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(req): ApiJson<CreateInterceptionRequest>,
) -> ApiResult<Response> {
    let mut errors = ValidationErrors::default();
    if req.initiator_id.is_none() {
        errors.push("initiator_id", validate::tag_failed("required", ""));
    }
    if req.provider.is_empty() {
        errors.push("provider", validate::tag_failed("required", ""));
    }
    if req.model.is_empty() {
        errors.push("model", validate::tag_failed("required", ""));
    }
    let (Some(initiator), true) = (req.initiator_id, errors.is_empty()) else {
        return Err(ApiError::invalid("Validation failed.", errors));
    };
    if !actor
        .subject
        .allows(Action::Create, &interception_object(initiator))
    {
        return Err(ApiError::Forbidden);
    }
    if state.ports.users.find(initiator).await?.is_none() {
        return Err(ApiError::validation("initiator_id", "no user has this id"));
    }
    let interception = Interception {
        id: InterceptionId::new_v7(),
        initiator_id: initiator,
        provider: req.provider,
        model: req.model,
        started_at: req.started_at.unwrap_or_else(|| state.clock.now()),
    };
    state
        .ports
        .ai
        .record_interception(interception.clone())
        .await?;
    Ok(json_response(
        StatusCode::CREATED,
        &InterceptionView::from(&interception),
    ))
}

/// `GET /api/v2/aibridge/interceptions` (Roster extension): the interceptions the caller may read.
#[utoipa::path(get, path = "/api/v2/aibridge/interceptions", tag = "Roster",
    responses((status = 200, body = Vec<InterceptionView>)))]
pub(crate) async fn list_interceptions(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Response> {
    let filter = actor
        .subject
        .prepare(Action::Read, ResourceType::AibridgeInterception);
    let rows = state.ports.ai.list_interceptions(&filter).await?;
    let views: Vec<InterceptionView> = rows.iter().map(InterceptionView::from).collect();
    Ok(json_response(StatusCode::OK, &views))
}

/// A workspace (a subset of Coder's `codersdk.Workspace`).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub(crate) struct WorkspaceView {
    #[schema(value_type = String, format = Uuid)]
    id: WorkspaceId,
    name: String,
    #[schema(value_type = String, format = Uuid)]
    owner_id: UserId,
    #[schema(value_type = String, format = Uuid)]
    organization_id: OrganizationId,
    deleted: bool,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
}

impl From<&Workspace> for WorkspaceView {
    fn from(w: &Workspace) -> Self {
        WorkspaceView {
            id: w.id,
            name: w.name.clone(),
            owner_id: w.owner_id,
            organization_id: w.organization_id,
            deleted: w.deleted,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

fn workspace_object(w: &Workspace) -> Object {
    Object::new(ResourceType::Workspace)
        .in_org(w.organization_id)
        .owned_by(w.owner_id)
}

/// Body of the workspace creation.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct CreateWorkspaceRequest {
    #[serde(default)]
    name: String,
}

/// `POST /api/v2/organizations/{organization}/members/{user}/workspaces` (Roster extension).
#[utoipa::path(post, path = "/api/v2/organizations/{organization}/members/{user}/workspaces", tag = "Roster",
    params(("organization" = String, Path, description = "Organization id, name or `default`"),
           ("user" = String, Path, description = "User id, username or `me`")),
    request_body = CreateWorkspaceRequest,
    responses((status = 201, body = WorkspaceView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn create_workspace(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, user)): Path<(String, String)>,
    ApiJson(req): ApiJson<CreateWorkspaceRequest>,
) -> ApiResult<Response> {
    let org = resolve_org(&state, &actor, &org).await?;
    let member = resolve_member(&state, &actor, &org, &user).await?;
    let mut errors = ValidationErrors::default();
    validate::name(&mut errors, "name", &req.name);
    if !errors.is_empty() {
        return Err(ApiError::invalid("Validation failed.", errors));
    }
    let now = state.clock.now();
    let workspace = Workspace {
        id: WorkspaceId::new_v7(),
        organization_id: org.id,
        owner_id: member.user.id,
        name: req.name.clone(),
        deleted: false,
        created_at: now,
        updated_at: now,
    };
    if !actor
        .subject
        .allows(Action::Create, &workspace_object(&workspace))
    {
        return Err(ApiError::Forbidden);
    }
    let created = state
        .ports
        .ai
        .create_workspace(workspace)
        .await
        .map_err(|e| match e {
            RepoError::Conflict { .. } => ApiError::Conflict {
                message: format!("Workspace {:?} already exists.", req.name),
                validations: vec![ValidationError::new(
                    "name",
                    "This value is already in use and should be unique.",
                )],
            },
            e => e.into(),
        })?;
    Ok(json_response(
        StatusCode::CREATED,
        &WorkspaceView::from(&created),
    ))
}

/// `GET /api/v2/workspaces` (Roster extension): the workspaces the caller may read.
#[utoipa::path(get, path = "/api/v2/workspaces", tag = "Roster",
    responses((status = 200, body = Vec<WorkspaceView>)))]
pub(crate) async fn list_workspaces(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Response> {
    let filter = actor.subject.prepare(Action::Read, ResourceType::Workspace);
    let rows = state.ports.ai.list_workspaces(&filter).await?;
    let views: Vec<WorkspaceView> = rows.iter().map(WorkspaceView::from).collect();
    Ok(json_response(StatusCode::OK, &views))
}

async fn readable_workspace(state: &AppState, actor: &Actor, raw: &str) -> ApiResult<Workspace> {
    let id: WorkspaceId = raw.parse().map_err(|_| ApiError::NotFound)?;
    let workspace = state
        .ports
        .ai
        .find_workspace(id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !actor
        .subject
        .allows(Action::Read, &workspace_object(&workspace))
    {
        return Err(ApiError::NotFound);
    }
    Ok(workspace)
}

/// `GET /api/v2/workspaces/{workspace}` (Roster extension).
#[utoipa::path(get, path = "/api/v2/workspaces/{workspace}", tag = "Roster",
    params(("workspace" = String, Path, description = "Workspace id")),
    responses((status = 200, body = WorkspaceView), (status = 404, body = ErrorBody)))]
pub(crate) async fn get_workspace(
    State(state): State<AppState>,
    actor: Actor,
    Path(workspace): Path<String>,
) -> ApiResult<Response> {
    let workspace = readable_workspace(&state, &actor, &workspace).await?;
    Ok(json_response(
        StatusCode::OK,
        &WorkspaceView::from(&workspace),
    ))
}

/// Body of a build.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct CreateBuildRequest {
    #[serde(default)]
    transition: String,
    #[serde(default)]
    has_ai_task: bool,
}

/// A workspace build.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub(crate) struct BuildView {
    #[schema(value_type = String, format = Uuid)]
    id: WorkspaceBuildId,
    #[schema(value_type = String, format = Uuid)]
    workspace_id: WorkspaceId,
    build_number: i32,
    transition: String,
    has_ai_task: bool,
    #[schema(value_type = String, format = Uuid)]
    initiator_id: UserId,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
}

/// `POST /api/v2/workspaces/{workspace}/builds` (Roster extension): start, stop or delete.
#[utoipa::path(post, path = "/api/v2/workspaces/{workspace}/builds", tag = "Roster",
    params(("workspace" = String, Path, description = "Workspace id")),
    request_body = CreateBuildRequest,
    responses((status = 201, body = BuildView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn create_build(
    State(state): State<AppState>,
    actor: Actor,
    Path(workspace): Path<String>,
    ApiJson(req): ApiJson<CreateBuildRequest>,
) -> ApiResult<Response> {
    let workspace = readable_workspace(&state, &actor, &workspace).await?;
    let Some(transition) = Transition::parse(&req.transition) else {
        return Err(ApiError::validation(
            "transition",
            validate::tag_failed("oneof", &req.transition),
        ));
    };
    let action = match transition {
        Transition::Start => Action::Start,
        Transition::Stop => Action::Stop,
        Transition::Delete => Action::Delete,
    };
    if !actor.subject.allows(action, &workspace_object(&workspace)) {
        return Err(ApiError::Forbidden);
    }
    if workspace.deleted {
        return Err(ApiError::bad_request("Workspace has been deleted."));
    }
    let build = WorkspaceBuild {
        id: WorkspaceBuildId::new_v7(),
        workspace_id: workspace.id,
        build_number: 0,
        transition,
        has_ai_task: req.has_ai_task,
        initiator_id: actor.user.id,
        created_at: state.clock.now(),
    };
    let b = state.ports.ai.add_build(build).await?;
    Ok(json_response(
        StatusCode::CREATED,
        &BuildView {
            id: b.id,
            workspace_id: b.workspace_id,
            build_number: b.build_number,
            transition: b.transition.as_str().to_owned(),
            has_ai_task: b.has_ai_task,
            initiator_id: b.initiator_id,
            created_at: b.created_at,
        },
    ))
}
