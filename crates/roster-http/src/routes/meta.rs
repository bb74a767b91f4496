//! Build information, health probes and entitlements.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use time::OffsetDateTime;

use crate::auth::Actor;
use crate::error::{ApiResult, ErrorBody, json_response};
use crate::state::AppState;

/// Coder's `codersdk.BuildInfoResponse`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = codersdk::BuildInfoResponse)]
pub(crate) struct BuildInfoResponse {
    external_url: String,
    version: String,
    dashboard_url: String,
    telemetry: bool,
    workspace_proxy: bool,
    agent_api_version: String,
    provisioner_api_version: String,
    upgrade_message: String,
    deployment_id: String,
    webpush_public_key: String,
}

/// `GET /api/v2/buildinfo`.
#[utoipa::path(get, path = "/api/v2/buildinfo", tag = "General",
    responses((status = 200, body = BuildInfoResponse)))]
pub(crate) async fn buildinfo(State(state): State<AppState>) -> Response {
    let s = &state.settings;
    json_response(
        StatusCode::OK,
        &BuildInfoResponse {
            external_url: String::new(),
            version: format!("v{}", s.version),
            dashboard_url: String::new(),
            telemetry: false,
            workspace_proxy: false,
            agent_api_version: String::new(),
            provisioner_api_version: String::new(),
            upgrade_message: String::new(),
            deployment_id: s.deployment_id.clone(),
            webpush_public_key: String::new(),
        },
    )
}

/// `GET /healthz`: the process is up.
pub(crate) async fn healthz() -> &'static str {
    "OK"
}

/// `GET /readyz`: the database answers.
pub(crate) async fn readyz(State(state): State<AppState>) -> Response {
    match state.ports.health.ping().await {
        Ok(()) => json_response(
            StatusCode::OK,
            &ErrorBody {
                message: "ready".into(),
                detail: String::new(),
                validations: vec![],
            },
        ),
        Err(e) => {
            tracing::warn!(error.message = %e, error.cause_chain = ?e, "readiness check failed");
            json_response(
                StatusCode::SERVICE_UNAVAILABLE,
                &ErrorBody {
                    message: "The database is unavailable.".into(),
                    detail: String::new(),
                    validations: vec![],
                },
            )
        }
    }
}

/// One feature of Coder's `codersdk.Feature`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = codersdk::Feature)]
pub(crate) struct Feature {
    entitlement: &'static str,
    enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    actual: Option<u64>,
}

impl Feature {
    fn flag(enabled: bool) -> Self {
        Feature {
            entitlement: if enabled { "entitled" } else { "not_entitled" },
            enabled,
            limit: None,
            actual: None,
        }
    }
}

/// Coder's `codersdk.Entitlements`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = codersdk::Entitlements)]
pub(crate) struct EntitlementsResponse {
    features: BTreeMap<&'static str, Feature>,
    warnings: Vec<String>,
    errors: Vec<String>,
    has_license: bool,
    trial: bool,
    require_telemetry: bool,
    #[serde(with = "time::serde::rfc3339")]
    refreshed_at: OffsetDateTime,
}

/// `GET /api/v2/entitlements`: the features the operator enabled, with AI seat usage.
#[utoipa::path(get, path = "/api/v2/entitlements", tag = "Enterprise",
    responses((status = 200, body = EntitlementsResponse)))]
pub(crate) async fn entitlements(
    State(state): State<AppState>,
    _actor: Actor,
) -> ApiResult<Response> {
    let e = &state.settings.entitlements;
    let mut features = BTreeMap::new();
    features.insert("custom_roles", Feature::flag(e.custom_roles));
    features.insert(
        "multiple_organizations",
        Feature::flag(e.multiple_organizations),
    );
    let ai = match e.ai_governance_user_limit {
        Some(limit) => Feature {
            limit: Some(limit),
            actual: Some(state.ports.ai.seat_count().await?),
            ..Feature::flag(true)
        },
        None => Feature::flag(false),
    };
    features.insert("ai_governance_user_limit", ai);
    Ok(json_response(
        StatusCode::OK,
        &EntitlementsResponse {
            features,
            warnings: vec![],
            errors: vec![],
            has_license: false,
            trial: false,
            require_telemetry: false,
            refreshed_at: state.clock.now(),
        },
    ))
}
