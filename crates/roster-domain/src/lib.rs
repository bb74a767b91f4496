//! Roster's domain: the vocabulary every other crate speaks.
//!
//! - ids ([`ids`]), entities ([`user`], [`organization`], [`role`], [`token`], [`ai`]) and the
//!   name rule ([`name`]);
//! - the permission catalogue ([`permission`]) and the row filter ([`filter`]) that
//!   `roster-rbac` produces and `roster-store` turns into SQL;
//! - the `q` search grammar ([`search`]) and pagination ([`page`]);
//! - the ports ([`ports`]): async traits that `roster-store` implements and the HTTP layer calls;
//! - the audit log ([`audit`]): entries, their diffs and the audit `q` grammar;
//! - [`clock`]: time is an input.
//!
//! Design: no I/O, no HTTP, no SQL. This crate must never depend on sea-orm, sqlx, axum, tower,
//! tokio, config or tracing-subscriber. Start reading at [`ports`].

pub mod ai;
pub mod audit;
pub mod clock;
pub mod error;
pub mod filter;
pub mod ids;
pub mod name;
pub mod organization;
pub mod page;
pub mod permission;
pub mod ports;
pub mod role;
pub mod search;
pub mod token;
pub mod user;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{RepoError, RepoResult, ValidationError, ValidationErrors};
pub use ids::{CustomRoleId, GroupId, OrganizationId, UserId, WorkspaceId};
