//! Auditing requests: the per-request [`AuditCtx`] handlers stamp their changes with, and the
//! [`record_failures`] middleware that records audited requests which failed.
//!
//! Design: a successful change is recorded by the store, in the change's own transaction, from
//! the [`AuditStamp`] the handler passes with the status it is about to answer. A request that
//! fails answers 4xx or 5xx and (the store's transaction rolled back, or never begun) changed
//! nothing; the middleware then records that status without a diff. So each audited request
//! writes exactly one entry. (Should a handler fail after its change committed, for instance
//! while reading the view it answers with, the failure is recorded as well: honest, if rare.)

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use roster_domain::audit::{AuditAction, AuditResource, AuditStamp, NewAuditEntry};
use roster_domain::ids::{AuditLogId, OrganizationId, UserId};
use time::OffsetDateTime;

use crate::auth::Actor;
use crate::router::REQUEST_ID_HEADER;
use crate::state::AppState;

/// What a failed request's entry knows beyond the request itself, filled in by the handler as it
/// resolves path values (shared between the middleware and the handler's [`AuditCtx`]).
#[derive(Debug, Clone, Default)]
struct Notes {
    organization: Option<OrganizationId>,
    target: String,
}

/// The audit context of one request: who asks, from where, under which request id.
#[derive(Debug, Clone)]
pub(crate) struct AuditCtx {
    actor: Option<UserId>,
    request_id: String,
    ip: String,
    user_agent: String,
    notes: Arc<Mutex<Notes>>,
}

impl AuditCtx {
    fn from_parts(parts: &Parts) -> Self {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        AuditCtx {
            actor: parts.extensions.get::<Actor>().map(|a| a.user.id),
            request_id: header(REQUEST_ID_HEADER),
            ip: parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_default(),
            user_agent: header(header::USER_AGENT.as_str()),
            notes: parts
                .extensions
                .get::<Arc<Mutex<Notes>>>()
                .cloned()
                .unwrap_or_default(),
        }
    }

    /// The stamp of a change made at `at` that the handler answers with `status`.
    pub(crate) fn stamp(&self, status: StatusCode, at: OffsetDateTime) -> AuditStamp {
        AuditStamp {
            id: AuditLogId::new_v7(),
            time: at,
            actor: self.actor,
            status_code: status.as_u16(),
            request_id: self.request_id.clone(),
            ip: self.ip.clone(),
            user_agent: self.user_agent.clone(),
        }
    }

    /// Notes the organization the request is about, for its entry should it fail.
    pub(crate) fn note_organization(&self, org: OrganizationId) {
        if let Ok(mut notes) = self.notes.lock() {
            notes.organization = Some(org);
        }
    }

    fn notes(&self) -> Notes {
        self.notes.lock().map(|n| n.clone()).unwrap_or_default()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AuditCtx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(AuditCtx::from_parts(parts))
    }
}

/// The audited operations: method and route to action and resource type (Coder's choices).
fn audited(method: &Method, route: &str) -> Option<(AuditAction, AuditResource)> {
    use AuditAction::{Create, Delete, Write};
    use AuditResource::{CustomRole, Organization, OrganizationMember, User};
    let m = method.as_str();
    Some(match (m, route) {
        ("POST", "/api/v2/users") => (Create, User),
        ("DELETE", "/api/v2/users/{user}") => (Delete, User),
        ("PUT", "/api/v2/users/{user}/status/suspend" | "/api/v2/users/{user}/status/activate") => {
            (Write, User)
        }
        ("PUT", "/api/v2/users/{user}/roles") => (Write, User),
        ("POST", "/api/v2/organizations") => (Create, Organization),
        ("PATCH", "/api/v2/organizations/{organization}") => (Write, Organization),
        ("DELETE", "/api/v2/organizations/{organization}") => (Delete, Organization),
        ("POST", "/api/v2/organizations/{organization}/members/{user}") => {
            (Create, OrganizationMember)
        }
        ("DELETE", "/api/v2/organizations/{organization}/members/{user}") => {
            (Delete, OrganizationMember)
        }
        ("PUT", "/api/v2/organizations/{organization}/members/{user}/roles") => {
            (Write, OrganizationMember)
        }
        ("POST", "/api/v2/organizations/{organization}/members/roles") => (Create, CustomRole),
        ("PUT", "/api/v2/organizations/{organization}/members/roles") => (Write, CustomRole),
        ("DELETE", "/api/v2/organizations/{organization}/members/roles/{roleName}") => {
            (Delete, CustomRole)
        }
        _ => return None,
    })
}

/// Middleware (inside `authenticate`): records an audited request that failed, with its status,
/// the organization its handler resolved (if any) and the raw path value naming its target.
pub async fn record_failures(
    State(state): State<AppState>,
    route: Option<MatchedPath>,
    params: Result<RawPathParams, RawPathParamsRejection>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some((action, resource)) = route
        .as_ref()
        .and_then(|r| audited(request.method(), r.as_str()))
    else {
        return next.run(request).await;
    };
    let raw = |name: &str| {
        params.as_ref().ok().and_then(|p| {
            p.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_owned())
        })
    };
    let target = match resource {
        AuditResource::User | AuditResource::OrganizationMember => raw("user"),
        AuditResource::CustomRole => raw("roleName"),
        AuditResource::Organization => raw("organization"),
    };
    let notes = Arc::new(Mutex::new(Notes {
        organization: None,
        target: target.unwrap_or_default(),
    }));
    request.extensions_mut().insert(notes);
    let (parts, body) = request.into_parts();
    let ctx = AuditCtx::from_parts(&parts);
    let response = next.run(Request::from_parts(parts, body)).await;
    let status = response.status();
    if status.is_client_error() || status.is_server_error() {
        let notes = ctx.notes();
        let entry = NewAuditEntry::failure(
            ctx.stamp(status, state.clock.now()),
            action,
            resource,
            notes.target,
            notes.organization,
        );
        if let Err(e) = state.ports.audit.record(entry).await {
            tracing::error!(error.message = %e, error.cause_chain = ?e, "recording a failed request in the audit log failed");
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_audited_route_has_coders_action() {
        let check = |m: Method, r: &str, expected: Option<(AuditAction, AuditResource)>| {
            assert_eq!(audited(&m, r), expected, "{m} {r}");
        };
        check(
            Method::PUT,
            "/api/v2/organizations/{organization}/members/{user}/roles",
            Some((AuditAction::Write, AuditResource::OrganizationMember)),
        );
        check(
            Method::PUT,
            "/api/v2/users/{user}/roles",
            Some((AuditAction::Write, AuditResource::User)),
        );
        check(Method::GET, "/api/v2/users/{user}/roles", None);
        check(Method::GET, "/api/v2/audit", None);
    }
}
