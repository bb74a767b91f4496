//! Roster's HTTP API: Coder's `/api/v2` members and roles routes on axum.
//!
//! - [`router()`] builds the application from an [`AppState`] (ports as trait objects, a clock,
//!   settings), so tests drive it with mocks through `tower::ServiceExt::oneshot`;
//! - [`auth`] turns a request's token into an [`auth::Actor`] carrying the caller's compiled
//!   RBAC subject; handlers in `routes` authorize every action with it;
//! - [`error`] is the one place errors become status codes and Coder's error body.
//!
//! Design: this crate sees only the ports of `roster-domain` and the engine of `roster-rbac`;
//! it must never depend on `roster-store`. Start reading at `router.rs`.

pub mod audit;
pub mod auth;
pub mod error;
pub mod extract;
mod router;
mod routes;
pub mod state;
mod ui;
mod validate;
pub mod views;

pub use router::{REQUEST_ID_HEADER, openapi, router};
pub use state::{ApiSettings, AppState, Entitlements, Ports};
