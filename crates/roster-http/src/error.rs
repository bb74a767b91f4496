//! Every error the API answers with, and the one place that turns them into status codes and
//! Coder's error body `{message, detail?, validations?}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use roster_domain::{RepoError, ValidationError, ValidationErrors};
use serde::Serialize;

/// Coder's `codersdk.Response`: the body of every error (and of a few informational answers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = codersdk::Response)]
pub struct ErrorBody {
    /// A sentence for people.
    pub message: String,
    /// More detail, omitted when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// One entry per invalid field, omitted when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validations: Vec<ValidationView>,
}

/// Coder's `codersdk.ValidationError`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = codersdk::ValidationError)]
pub struct ValidationView {
    /// The field (JSON or query name).
    pub field: String,
    /// What is wrong with it.
    pub detail: String,
}

impl From<ValidationError> for ValidationView {
    fn from(e: ValidationError) -> Self {
        ValidationView {
            field: e.field,
            detail: e.detail,
        }
    }
}

/// The standard 401 message.
pub const SIGNED_OUT: &str =
    "You are signed out or your session has expired. Please sign in again to continue.";
/// The standard 404 message.
pub const NOT_FOUND: &str = "Resource not found or you do not have access to this resource";
/// The standard 403 detail.
pub const FORBIDDEN_DETAIL: &str = "You don't have permission to view this content. If you believe this is a mistake, please contact your administrator or try signing in with different credentials.";

/// An API error. Each variant documents the status it becomes.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// `400 Bad Request` with a message, optional detail and validations.
    #[error("bad request: {message}")]
    BadRequest {
        /// The message.
        message: String,
        /// The detail.
        detail: String,
        /// Per-field problems.
        validations: Vec<ValidationError>,
    },
    /// `401 Unauthorized` with `WWW-Authenticate: Bearer realm="coder"` and the given body.
    #[error("unauthorized: {detail}")]
    Unauthorized {
        /// The message (the signed-out sentence, or the inactive-user one).
        message: String,
        /// The detail.
        detail: String,
        /// Whether the token itself was bad (adds `error="invalid_token"` to the header).
        invalid_token: bool,
    },
    /// `403 Forbidden` with the standard body.
    #[error("forbidden")]
    Forbidden,
    /// `403 Forbidden` with a specific message (entitlements, self-deletion).
    #[error("forbidden: {0}")]
    ForbiddenMessage(String),
    /// `404 Not Found` with the standard body: missing, or not visible to the caller.
    #[error("not found")]
    NotFound,
    /// `404 Not Found` with a specific message and detail.
    #[error("not found: {0}")]
    NotFoundMessage(String, String),
    /// `404 Not Found`, `Route not found.`
    #[error("route not found")]
    RouteNotFound,
    /// `405 Method Not Allowed`.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// `409 Conflict` with a message and validations.
    #[error("conflict: {message}")]
    Conflict {
        /// The message.
        message: String,
        /// Per-field problems.
        validations: Vec<ValidationError>,
    },
    /// `413 Payload Too Large`.
    #[error("payload too large")]
    PayloadTooLarge,
    /// `500 Internal Server Error`; the source is logged, never sent.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// `400` with a message only.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            message: message.into(),
            detail: String::new(),
            validations: vec![],
        }
    }

    /// `400` with a message and a detail.
    pub fn bad_request_detail(message: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError::BadRequest {
            message: message.into(),
            detail: detail.into(),
            validations: vec![],
        }
    }

    /// `400` with a message and validations.
    pub fn invalid(message: impl Into<String>, errors: ValidationErrors) -> Self {
        ApiError::BadRequest {
            message: message.into(),
            detail: String::new(),
            validations: errors.0,
        }
    }

    /// `400 Validation failed.` for one field.
    pub fn validation(field: &str, detail: impl Into<String>) -> Self {
        ApiError::BadRequest {
            message: "Validation failed.".into(),
            detail: String::new(),
            validations: vec![ValidationError::new(field, detail)],
        }
    }

    /// `401` with the signed-out message.
    pub fn signed_out(detail: impl Into<String>) -> Self {
        ApiError::Unauthorized {
            message: SIGNED_OUT.into(),
            detail: detail.into(),
            invalid_token: true,
        }
    }

    /// `500` from any error.
    pub fn internal(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        ApiError::Internal(Box::new(e))
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden | ApiError::ForbiddenMessage(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound | ApiError::NotFoundMessage(..) | ApiError::RouteNotFound => {
                StatusCode::NOT_FOUND
            }
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The body sent to the client.
    pub fn body(&self) -> ErrorBody {
        let plain = |message: &str| ErrorBody {
            message: message.to_owned(),
            detail: String::new(),
            validations: vec![],
        };
        match self {
            ApiError::BadRequest {
                message,
                detail,
                validations,
            } => ErrorBody {
                message: message.clone(),
                detail: detail.clone(),
                validations: validations.iter().cloned().map(Into::into).collect(),
            },
            ApiError::Unauthorized {
                message, detail, ..
            } => ErrorBody {
                message: message.clone(),
                detail: detail.clone(),
                validations: vec![],
            },
            ApiError::Forbidden => ErrorBody {
                message: "Forbidden.".into(),
                detail: FORBIDDEN_DETAIL.into(),
                validations: vec![],
            },
            ApiError::ForbiddenMessage(m) => plain(m),
            ApiError::NotFound => plain(NOT_FOUND),
            ApiError::NotFoundMessage(m, d) => ErrorBody {
                message: m.clone(),
                detail: d.clone(),
                validations: vec![],
            },
            ApiError::RouteNotFound => plain("Route not found."),
            ApiError::MethodNotAllowed => plain("Method not allowed."),
            ApiError::Conflict {
                message,
                validations,
            } => ErrorBody {
                message: message.clone(),
                detail: String::new(),
                validations: validations.iter().cloned().map(Into::into).collect(),
            },
            ApiError::PayloadTooLarge => ErrorBody {
                message: "Request body too large.".into(),
                detail: "The request body must be at most 1 MiB.".into(),
                validations: vec![],
            },
            ApiError::Internal(_) => plain("An internal server error occurred."),
        }
    }
}

impl From<RepoError> for ApiError {
    /// Handlers map the conflicts and missing rows they expect to Coder's specific messages.
    /// What reaches this conversion unmapped comes from a race (the row vanished, or appeared,
    /// between the handler's checks and its write): still the client's view of the data, so a
    /// 404 or a 409, never a 500. Only an unavailable store is a server fault.
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::NotFound { .. } => ApiError::NotFound,
            RepoError::Conflict { field } => ApiError::Conflict {
                message: "The request conflicts with the current state of the resource.".into(),
                validations: vec![ValidationError::new(
                    field,
                    "This value is already in use and should be unique.",
                )],
            },
            e @ RepoError::Unavailable(_) => ApiError::Internal(Box::new(e)),
        }
    }
}

impl From<roster_rbac::AuthzError> for ApiError {
    /// An authorization refusal that a handler did not map itself hides the resource.
    fn from(_: roster_rbac::AuthzError) -> Self {
        ApiError::NotFound
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let ApiError::Internal(source) = &self {
            tracing::error!(error.message = %source, error.cause_chain = ?source, "request failed");
        } else {
            tracing::debug!(status = status.as_u16(), error = %self, "request refused");
        }
        let mut response = json_response(status, &self.body());
        if let ApiError::Unauthorized { invalid_token, .. } = &self {
            let value = if *invalid_token {
                r#"Bearer realm="coder", error="invalid_token""#
            } else {
                r#"Bearer realm="coder""#
            };
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(value));
        }
        response
    }
}

/// A JSON response with Coder's content type.
pub fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            )],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error.message = %e, "response serialization failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(error: ApiError, status: u16, body: &str) {
        assert_eq!(error.status().as_u16(), status);
        assert_eq!(serde_json::to_string(&error.body()).unwrap(), body);
    }

    #[test]
    fn bodies_follow_coder() {
        check(
            ApiError::NotFound,
            404,
            r#"{"message":"Resource not found or you do not have access to this resource"}"#,
        );
        check(
            ApiError::RouteNotFound,
            404,
            r#"{"message":"Route not found."}"#,
        );
        check(
            ApiError::Forbidden,
            403,
            &format!(r#"{{"message":"Forbidden.","detail":"{FORBIDDEN_DETAIL}"}}"#),
        );
        check(
            ApiError::validation("name", "bad"),
            400,
            r#"{"message":"Validation failed.","validations":[{"field":"name","detail":"bad"}]}"#,
        );
        check(
            ApiError::signed_out("API key is invalid."),
            401,
            &format!(r#"{{"message":"{SIGNED_OUT}","detail":"API key is invalid."}}"#),
        );
        check(
            ApiError::internal(std::io::Error::other("secret db detail")),
            500,
            r#"{"message":"An internal server error occurred."}"#,
        );
        check(
            ApiError::ForbiddenMessage("Custom Roles is a Premium feature. Contact sales!".into()),
            403,
            r#"{"message":"Custom Roles is a Premium feature. Contact sales!"}"#,
        );
    }

    #[test]
    fn unmapped_repository_errors_are_the_clients_view_not_a_fault() {
        let status = |e: RepoError| ApiError::from(e).status().as_u16();
        assert_eq!(status(RepoError::NotFound { entity: "user" }), 404);
        assert_eq!(status(RepoError::Conflict { field: "name" }), 409);
        assert_eq!(
            status(RepoError::Unavailable(Box::new(std::io::Error::other(
                "down"
            )))),
            500
        );
    }

    #[test]
    fn unauthorized_sets_www_authenticate() {
        let r = ApiError::signed_out("x").into_response();
        assert_eq!(r.status(), 401);
        assert_eq!(
            r.headers()[header::WWW_AUTHENTICATE],
            r#"Bearer realm="coder", error="invalid_token""#
        );
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "application/json; charset=utf-8"
        );
    }
}
