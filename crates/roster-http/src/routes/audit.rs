//! The audit log: `GET /api/v2/audit`.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use roster_domain::audit::{AuditEntry, describe, parse_audit_query};
use roster_domain::ids::UserId;
use roster_domain::user::User;
use roster_rbac::{Action, ResourceType};

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult, ErrorBody, json_response};
use crate::extract::{RawQuery, pagination};
use crate::routes::users::user_views;
use crate::state::AppState;
use crate::views::{AuditLogResponse, AuditLogView, MinimalOrganizationView, UserView};

/// Coder's page size when `limit` is absent or 0.
const DEFAULT_LIMIT: u64 = 100;

fn view(entry: &AuditEntry, user: Option<UserView>) -> AuditLogView {
    AuditLogView {
        id: entry.id.0,
        request_id: entry.request_id.clone(),
        time: entry.time,
        organization_id: entry.organization_id.map(|o| o.0).unwrap_or_default(),
        organization: entry
            .organization
            .as_ref()
            .map(|o| MinimalOrganizationView {
                id: o.id,
                name: o.name.clone(),
                display_name: o.display_name.clone(),
                icon: o.icon.clone(),
            }),
        ip: entry.ip.clone(),
        user_agent: entry.user_agent.clone(),
        resource_type: entry.resource_type.as_str().to_owned(),
        resource_id: entry.resource_id,
        resource_target: entry.resource_target.clone(),
        resource_icon: String::new(),
        action: entry.action.as_str().to_owned(),
        diff: serde_json::to_value(&entry.diff).unwrap_or_default(),
        status_code: i32::from(entry.status_code),
        additional_fields: serde_json::json!({}),
        description: describe(
            entry.user.as_ref().map(|u| u.username.as_str()),
            entry.action,
            entry.resource_type,
            &entry.resource_target,
        ),
        resource_link: String::new(),
        is_deleted: false,
        user,
    }
}

/// `GET /api/v2/audit`: the entries the caller may read (`audit_log:read`: owners and auditors
/// everything, organization admins and auditors their organizations'), newest first. A caller
/// who may read none gets an empty page, as in Coder.
#[utoipa::path(get, path = "/api/v2/audit", tag = "Audit",
    params(("q" = Option<String>, Query, description = "Search query: action, resource_type, username, organization, date_from, date_to"),
           ("limit" = Option<i32>, Query, description = "Page limit (default 100)"),
           ("offset" = Option<i32>, Query, description = "Page offset")),
    responses((status = 200, body = AuditLogResponse), (status = 400, body = ErrorBody)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    query: RawQuery,
) -> ApiResult<Response> {
    let q = parse_audit_query(query.get("q").unwrap_or(""))
        .map_err(|e| ApiError::invalid("Invalid audit search query.", e))?;
    let mut page = pagination(&query)?;
    page.after_id = None;
    page.limit = Some(page.limit.unwrap_or(DEFAULT_LIMIT));
    let filter = actor.subject.prepare(Action::Read, ResourceType::AuditLog);
    let result = state.ports.audit.list(&q, &filter, page).await?;

    // The acting users' views, built once per user for the whole page.
    let mut users: Vec<User> = Vec::new();
    for u in result.rows.iter().filter_map(|e| e.user.as_ref()) {
        if !users.iter().any(|known| known.id == u.id) {
            users.push(u.clone());
        }
    }
    let views: HashMap<UserId, UserView> = user_views(&state, &users)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    let audit_logs = result
        .rows
        .iter()
        .map(|e| view(e, e.user_id.and_then(|u| views.get(&u).cloned())))
        .collect();
    Ok(json_response(
        StatusCode::OK,
        &AuditLogResponse {
            audit_logs,
            count: result.count,
        },
    ))
}
