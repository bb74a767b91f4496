//! Extractors that answer bad input with Coder's error body instead of axum's plain text.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use roster_domain::ValidationErrors;
use roster_domain::ids::UserId;
use roster_domain::page::Pagination;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A JSON body. Not JSON: `400 Request body must be valid JSON.`; too large: `413`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let RawBody(bytes) = RawBody::from_request(req, state).await?;
        ApiJson::parse(&bytes)
    }
}

impl<T: DeserializeOwned> ApiJson<T> {
    /// Parses a body read earlier (handlers that check the path before the body).
    pub fn parse(bytes: &[u8]) -> Result<Self, ApiError> {
        serde_json::from_slice(bytes).map(ApiJson).map_err(|e| {
            ApiError::bad_request_detail("Request body must be valid JSON.", e.to_string())
        })
    }
}

/// The raw body, with the size limit answered as `413` in Coder's error shape.
#[derive(Debug, Clone, Default)]
pub struct RawBody(pub Bytes);

impl RawBody {
    /// Whether the body is empty or only whitespace.
    pub fn is_blank(&self) -> bool {
        self.0.iter().all(u8::is_ascii_whitespace)
    }
}

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::bad_request_detail(
                        "Request body must be valid JSON.",
                        rejection.body_text(),
                    )
                }
            })
    }
}

/// The raw query string as `(key, value)` pairs, percent-decoded.
#[derive(Debug, Clone, Default)]
pub struct RawQuery(pub Vec<(String, String)>);

impl RawQuery {
    /// The last value of `key`, if any.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RawQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let pairs: Vec<(String, String)> = serde_urlencoded_pairs(query);
        Ok(RawQuery(pairs))
    }
}

fn serde_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
    // axum's Query extractor would reject the whole request on one bad value with a plain-text
    // body; decoding to pairs first lets each parameter get its own validation entry.
    serde_urlencoded::from_str(query).unwrap_or_default()
}

/// Parses `after_id`, `limit` and `offset` (Coder's pagination parameters).
/// Problems: `400 Query parameters have invalid values.` with one entry per parameter.
pub fn pagination(query: &RawQuery) -> Result<Pagination, ApiError> {
    let mut errors = ValidationErrors::default();
    let mut page = Pagination::default();
    if let Some(v) = query.get("after_id").filter(|v| !v.is_empty()) {
        match v.parse::<UserId>() {
            Ok(id) => page.after_id = Some(id),
            Err(_) => errors.push(
                "after_id",
                format!("Query param \"after_id\" must be a valid UUID: {v:?}"),
            ),
        }
    }
    for (name, slot) in [("limit", 0usize), ("offset", 1)] {
        let Some(v) = query.get(name).filter(|v| !v.is_empty()) else {
            continue;
        };
        match v.parse::<u32>() {
            Ok(n) if slot == 0 => page.limit = (n > 0).then_some(u64::from(n)),
            Ok(n) => page.offset = u64::from(n),
            Err(_) => errors.push(
                name,
                format!("Query param {name:?} must be a valid non-negative 32-bit integer: {v:?}"),
            ),
        }
    }
    if errors.is_empty() {
        Ok(page)
    } else {
        Err(ApiError::invalid(
            "Query parameters have invalid values.",
            errors,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> RawQuery {
        RawQuery(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn pagination_defaults_and_values() {
        assert_eq!(pagination(&q(&[])).unwrap(), Pagination::default());
        let p = pagination(&q(&[("limit", "0"), ("offset", "5")])).unwrap();
        assert_eq!((p.limit, p.offset), (None, 5));
        let p = pagination(&q(&[("limit", "50")])).unwrap();
        assert_eq!(p.limit, Some(50));
    }

    #[test]
    fn pagination_reports_every_bad_parameter() {
        let Err(ApiError::BadRequest {
            message,
            validations,
            ..
        }) = pagination(&q(&[("after_id", "x"), ("limit", "-1"), ("offset", "a")]))
        else {
            panic!("expected a 400")
        };
        assert_eq!(message, "Query parameters have invalid values.");
        let fields: Vec<_> = validations.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["after_id", "limit", "offset"]);
    }

    #[test]
    fn raw_query_decodes_percent_and_plus() {
        let pairs = serde_urlencoded_pairs("q=status%3Aactive+role%3Aowner&limit=2");
        assert_eq!(pairs[0], ("q".into(), "status:active role:owner".into()));
    }
}
