//! The router: every route, its authentication, and the cross-cutting layers (request ids,
//! tracing, body limit, Coder-shaped 404 and 405). Routes and the OpenAPI document are built
//! together, so the document can't miss a route.

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, Response};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Span;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::record_failures;
use crate::auth::authenticate;
use crate::error::{ApiError, json_response};
use crate::extract::MAX_BODY_BYTES;
use crate::routes::{ai, audit, members, meta, organizations, roles, sessions, users};
use crate::state::AppState;

/// The header carrying the request id (generated when the client sends none).
pub const REQUEST_ID_HEADER: &str = "x-request-id";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Roster API",
        description = "Coder's /api/v2 members and roles API, served by Roster. Operations tagged `Roster` are Roster extensions."
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ValidationView))
)]
struct ApiDoc;

fn public_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(meta::buildinfo))
        .routes(routes!(
            sessions::first_user_exists,
            sessions::create_first_user
        ))
        .routes(routes!(sessions::login))
}

fn protected_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sessions::logout))
        .routes(routes!(sessions::create_token))
        .routes(routes!(meta::entitlements))
        .routes(routes!(users::list, users::create))
        .routes(routes!(roles::list_site_roles))
        .routes(routes!(users::get, users::delete))
        .routes(routes!(users::suspend))
        .routes(routes!(users::activate))
        .routes(routes!(users::get_roles, users::put_roles))
        .routes(routes!(users::organizations))
        .routes(routes!(organizations::list, organizations::create))
        .routes(routes!(
            organizations::get,
            organizations::update,
            organizations::delete
        ))
        .routes(routes!(members::list))
        .routes(routes!(members::paginated))
        .routes(routes!(
            roles::list_org_roles,
            roles::create_custom,
            roles::update_custom
        ))
        .routes(routes!(roles::delete_custom))
        .routes(routes!(members::get, members::add, members::remove))
        .routes(routes!(members::put_roles))
        .routes(routes!(ai::record_interception, ai::list_interceptions))
        .routes(routes!(ai::create_workspace))
        .routes(routes!(ai::list_workspaces))
        .routes(routes!(ai::get_workspace))
        .routes(routes!(ai::create_build))
        .routes(routes!(audit::list))
}

/// The OpenAPI document of every route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    OpenApiRouter::<AppState>::with_openapi(ApiDoc::openapi())
        .merge(public_routes())
        .merge(protected_routes())
        .split_for_parts()
        .1
}

/// Builds the whole application.
pub fn router(state: AppState) -> Router {
    let authenticated = middleware::from_fn_with_state(state.clone(), authenticate);
    // Inside `authenticate`, so the acting user is known.
    let audit_failures = middleware::from_fn_with_state(state.clone(), record_failures);
    let (api, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(public_routes())
        .merge(
            protected_routes()
                .route_layer(audit_failures)
                .route_layer(authenticated),
        )
        .split_for_parts();
    let doc = std::sync::Arc::new(doc);
    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    api.route(
        "/api/v2/openapi.json",
        get(move || {
            let doc = doc.clone();
            async move { json_response(axum::http::StatusCode::OK, &*doc) }
        }),
    )
    .route("/healthz", get(meta::healthz))
    .merge(crate::ui::routes())
    .route("/readyz", get(meta::readyz))
    .fallback(|| async { ApiError::RouteNotFound.into_response() })
    .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed.into_response() })
    .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
    .layer(
        TraceLayer::new_for_http()
            .make_span_with(|req: &Request| {
                let route = req
                    .extensions()
                    .get::<MatchedPath>()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default();
                let request_id = req
                    .headers()
                    .get(REQUEST_ID_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                tracing::info_span!(
                    "request",
                    method = %req.method(),
                    route = %route,
                    request_id = %request_id,
                    user_id = tracing::field::Empty,
                    status = tracing::field::Empty,
                    latency_ms = tracing::field::Empty,
                )
            })
            .on_request(())
            .on_response(|res: &Response<_>, latency: Duration, span: &Span| {
                span.record("status", res.status().as_u16());
                span.record("latency_ms", latency.as_secs_f64() * 1000.0);
                tracing::info!(
                    status = res.status().as_u16(),
                    latency_ms = latency.as_secs_f64() * 1000.0,
                    "response"
                );
            })
            .on_failure(()),
    )
    .layer(PropagateRequestIdLayer::new(request_id.clone()))
    .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
    .with_state(state)
}
