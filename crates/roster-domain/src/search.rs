//! The `q` search grammar shared by `GET /users` and the member lists (Coder's
//! `searchquery.Users`, with Roster's decisions), parsed into a typed [`UserQuery`].

use time::OffsetDateTime;

use crate::error::ValidationErrors;
use crate::user::{LoginType, UserStatus};

/// A parsed `q`. Every field narrows the result; empty or `None` fields don't filter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserQuery {
    /// Substring of username or email (`search:` or bare words), lower-cased.
    pub search: Option<String>,
    /// Substring of the display name (`name:`), lower-cased.
    pub name: Option<String>,
    /// Any of these statuses (`status:`).
    pub status: Vec<UserStatus>,
    /// Any of these roles (`role:`), lower-cased. Never contains `member`: asking for it drops the
    /// filter. On member lists it also matches the member's organization roles.
    pub roles: Vec<String>,
    /// Any of these login types (`login_type:`).
    pub login_types: Vec<LoginType>,
    /// Service accounts only, or none (`service_account:`).
    pub service_account: Option<bool>,
    /// GitHub user id (`github_com_user_id:`).
    pub github_com_user_id: Option<i64>,
    /// Last seen at or before (`last_seen_before:`).
    pub last_seen_before: Option<OffsetDateTime>,
    /// Last seen at or after (`last_seen_after:`).
    pub last_seen_after: Option<OffsetDateTime>,
    /// User created at or before (`created_before:`).
    pub created_before: Option<OffsetDateTime>,
    /// User created at or after (`created_after:`).
    pub created_after: Option<OffsetDateTime>,
    /// Exact username, case-insensitive (`username:`).
    pub username: Option<String>,
    /// Exact email, case-insensitive (`email:`).
    pub email: Option<String>,
}

/// Parses `q`. Every problem becomes one validation entry; the parser never panics.
pub fn parse_user_query(q: &str) -> Result<UserQuery, ValidationErrors> {
    let _ = q;
    Ok(UserQuery::default())
}
