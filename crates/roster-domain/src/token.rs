//! API keys (session and long-lived tokens). Only a SHA-256 of the secret is stored.

use time::OffsetDateTime;

use crate::ids::UserId;
use crate::user::LoginType;

/// Whether a key came from a sign-in or was issued as a long-lived token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyKind {
    /// From `POST /users/login`.
    Session,
    /// From `POST /users/{user}/keys/tokens`.
    Token,
}

/// An API key as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// The public 10-character id (the part before `-`).
    pub id: String,
    /// The owner.
    pub user_id: UserId,
    /// SHA-256 of the 22-character secret.
    pub hashed_secret: Vec<u8>,
    /// Session or token.
    pub kind: ApiKeyKind,
    /// The login type the key was created with.
    pub login_type: LoginType,
    /// A name for tokens; empty for sessions.
    pub token_name: String,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Refused at and after this time.
    pub expires_at: OffsetDateTime,
    /// Last use, refreshed at most hourly.
    pub last_used: OffsetDateTime,
}
