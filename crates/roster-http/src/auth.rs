//! Authentication: API tokens (`<10-char id>-<22-char secret>`, only a SHA-256 of the secret
//! stored), passwords (Argon2id), and the middleware that turns a request's token into an
//! [`Actor`] whose RBAC subject every handler authorizes with.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use rand::Rng;
use rand::distr::Alphanumeric;
use roster_domain::audit::AuditStamp;
use roster_domain::ids::{AuditLogId, UserId};
use roster_domain::organization::{Membership, Organization};
use roster_domain::token::ApiKey;
use roster_domain::user::{User, UserStatus};
use roster_rbac::Subject;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The cookie (and query parameter) carrying a session token.
pub const SESSION_COOKIE: &str = "coder_session_token";
/// The header carrying a session token.
pub const SESSION_HEADER: &str = "Coder-Session-Token";

const ID_LEN: usize = 10;
const SECRET_LEN: usize = 22;

/// A freshly generated token: what the client gets once, and what is stored.
#[derive(Debug)]
pub struct GeneratedToken {
    /// `<id>-<secret>`, shown once.
    pub token: String,
    /// The public id.
    pub id: String,
    /// SHA-256 of the secret.
    pub hashed_secret: Vec<u8>,
}

/// Generates a token from the thread's CSPRNG.
pub fn generate_token() -> GeneratedToken {
    let mut rng = rand::rng();
    let id: String = (&mut rng)
        .sample_iter(Alphanumeric)
        .take(ID_LEN)
        .map(char::from)
        .collect();
    let secret: String = (&mut rng)
        .sample_iter(Alphanumeric)
        .take(SECRET_LEN)
        .map(char::from)
        .collect();
    GeneratedToken {
        token: format!("{id}-{secret}"),
        hashed_secret: hash_secret(&secret),
        id,
    }
}

fn hash_secret(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// Splits a token into id and secret, with Coder's format errors.
pub fn split_token(token: &str) -> Result<(&str, &str), String> {
    let parts: Vec<&str> = token.split('-').collect();
    let [id, secret] = parts[..] else {
        return Err(format!(
            "incorrect amount of API key parts, expected 2 got {}",
            parts.len()
        ));
    };
    if id.len() != ID_LEN {
        return Err(format!(
            "invalid API key ID length, expected {ID_LEN} got {}",
            id.len()
        ));
    }
    if secret.len() != SECRET_LEN {
        return Err(format!(
            "invalid API key secret length, expected {SECRET_LEN} got {}",
            secret.len()
        ));
    }
    Ok((id, secret))
}

/// Hashes a password with Argon2id and a random salt, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let mut salt = [0u8; 16];
    rand::rng().fill(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| ApiError::internal(PhcError(e)))?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::internal(PhcError(e)))
}

/// Whether `password` matches the PHC string. A malformed stored hash never matches.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Runs Argon2 off the async executor: it takes tens of milliseconds on purpose.
pub async fn hash_password_blocking(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(ApiError::internal)?
}

/// Verifies off the async executor.
pub async fn verify_password_blocking(password: String, phc: String) -> ApiResult<bool> {
    tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .map_err(ApiError::internal)
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
struct PhcError(argon2::password_hash::Error);

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The user.
    pub user: User,
    /// Their memberships (explicit org roles).
    pub memberships: Vec<Membership>,
    /// The compiled RBAC subject.
    pub subject: Arc<Subject>,
    /// The id of the API key used.
    pub key_id: String,
    /// The authorization epoch this caller was checked at; caches of authorization-relevant
    /// data (organizations) are valid for the request while they were filled at this value.
    pub epoch: i64,
}

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // The authenticate middleware runs on every route that takes an Actor; its absence is a
        // wiring mistake, so it is a server fault rather than a client error.
        parts.extensions.get::<Actor>().cloned().ok_or_else(|| {
            ApiError::internal(std::io::Error::other(
                "route is missing the authenticate layer",
            ))
        })
    }
}

/// Finds the token in the five places Coder accepts, in Coder's order.
pub fn token_from_request(parts: &Parts) -> Option<String> {
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let cookie = parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .and_then(|(_, v)| non_empty(v));
    if cookie.is_some() {
        return cookie;
    }
    let query: Vec<(String, String)> =
        serde_urlencoded::from_str(parts.uri.query().unwrap_or("")).unwrap_or_default();
    let query_value = |name: &str| {
        query
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.clone())
    };
    if let Some(t) = query_value(SESSION_COOKIE) {
        return Some(t);
    }
    if let Some(t) = parts
        .headers
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
        && !t.is_empty()
    {
        return Some(t.to_owned());
    }
    if let Some(auth) = parts.headers.get(axum::http::header::AUTHORIZATION)
        && let Some(t) = auth.to_str().ok().and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        && !t.is_empty()
    {
        return Some(t.to_owned());
    }
    query_value("access_token")
}

/// Checks a token against storage and returns its key, with Coder's 401 details.
pub async fn verify_token(state: &AppState, token: &str) -> ApiResult<ApiKey> {
    let (id, secret) = split_token(token)
        .map_err(|reason| ApiError::signed_out(format!("Invalid API key format: {reason}")))?;
    let key = state
        .ports
        .keys
        .find(id)
        .await?
        .ok_or_else(|| ApiError::signed_out("API key is invalid."))?;
    let presented = hash_secret(secret);
    if !bool::from(presented.ct_eq(&key.hashed_secret)) {
        return Err(ApiError::signed_out("API key secret is invalid."));
    }
    let now = state.clock.now();
    if key.expires_at <= now {
        let at = key
            .expires_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        return Err(ApiError::signed_out(format!("API key expired at {at:?}.")));
    }
    Ok(key)
}

/// Loads the user, memberships and custom roles behind a key and compiles the subject.
pub async fn load_actor(state: &AppState, key: ApiKey, epoch: i64) -> ApiResult<Actor> {
    let now = state.clock.now();
    let mut user = state
        .ports
        .users
        .find(key.user_id)
        .await?
        .ok_or_else(|| ApiError::signed_out("API key is invalid."))?;
    match user.status {
        UserStatus::Active => {}
        UserStatus::Dormant => {
            // Coder reactivates dormant users on their next authenticated request.
            user = state
                .ports
                .users
                .set_status(user.id, UserStatus::Active, now, reactivation(user.id, now))
                .await?;
        }
        UserStatus::Suspended => {
            return Err(ApiError::Unauthorized {
                message: format!(
                    "User is not active (status = {:?}). Contact an admin to reactivate your account.",
                    user.status.as_str()
                ),
                detail: String::new(),
                invalid_token: false,
            });
        }
    }
    if now - key.last_used >= time::Duration::HOUR {
        state.ports.keys.touch(&key.id, user.id, now).await?;
        user.last_seen_at = now;
    }
    let memberships = state.ports.members.memberships_of(user.id).await?;
    let subject = build_subject(state, &user, &memberships).await?;
    Ok(Actor {
        user,
        memberships,
        subject: Arc::new(subject),
        key_id: key.id,
        epoch,
    })
}

/// Compiles a user's RBAC subject, loading custom roles only when a role name is not built in.
pub async fn build_subject(
    state: &AppState,
    user: &User,
    memberships: &[Membership],
) -> ApiResult<Subject> {
    let grants: Vec<_> = memberships
        .iter()
        .map(|m| (m.organization_id, m.roles.clone()))
        .collect();
    let needs_custom = memberships.iter().any(|m| {
        m.roles
            .iter()
            .any(|r| !roster_rbac::builtin::is_org_role(r))
    });
    let custom = if needs_custom {
        let orgs: Vec<_> = memberships.iter().map(|m| m.organization_id).collect();
        state.ports.roles.list_for_orgs(&orgs).await?
    } else {
        Vec::new()
    };
    Ok(Subject::new(user.id, &user.site_roles, &grants, &custom))
}

/// The audit stamp of a dormant user's automatic reactivation: the user acts on themselves, as
/// in Coder's background audit of dormancy.
pub(crate) fn reactivation(user: UserId, now: OffsetDateTime) -> AuditStamp {
    AuditStamp {
        id: AuditLogId::new_v7(),
        time: now,
        actor: Some(user),
        status_code: 200,
        request_id: String::new(),
        ip: String::new(),
        user_agent: String::new(),
    }
}

/// How many callers the cache keeps before starting afresh.
const ACTOR_CACHE_CAPACITY: usize = 10_000;

/// Callers compiled by earlier requests, keyed by API key id.
///
/// An entry is used only while the authorization epoch (read from storage on every request)
/// still has the value the entry was built at, so a change made through any replica is seen on
/// the very next request; the key's secret, expiry and hourly `last_seen_at` refresh are checked
/// as on the slow path. This turns the five statements that load a caller into one.
#[derive(Debug, Default)]
pub struct ActorCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, CachedActor>>,
}

#[derive(Debug)]
struct CachedActor {
    epoch: i64,
    key: ApiKey,
    actor: Arc<Actor>,
}

impl ActorCache {
    fn get(&self, id: &str, secret: &str, epoch: i64, now: time::OffsetDateTime) -> Option<Actor> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let cached = entries.get(id)?;
        let fresh = cached.epoch == epoch
            && bool::from(hash_secret(secret).ct_eq(&cached.key.hashed_secret))
            && cached.key.expires_at > now
            && now - cached.key.last_used < time::Duration::HOUR;
        fresh.then(|| Actor::clone(&cached.actor))
    }

    fn put(&self, epoch: i64, key: ApiKey, actor: Actor) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= ACTOR_CACHE_CAPACITY {
            entries.clear();
        }
        entries.insert(
            key.id.clone(),
            CachedActor {
                epoch,
                key,
                actor: Arc::new(actor),
            },
        );
    }
}

/// Organizations looked up by earlier requests, keyed by the path value that named them
/// (`default`, an id, or a lower-cased name), valid while the authorization epoch holds: renames
/// and deletions move the epoch, and lookups that found nothing are never kept.
#[derive(Debug, Default)]
pub struct OrganizationCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (i64, Organization)>>,
}

impl OrganizationCache {
    /// The organization `key` named at `epoch`, if known.
    pub fn get(&self, key: &str, epoch: i64) -> Option<Organization> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(e, _)| *e == epoch)
            .map(|(_, org)| org.clone())
    }

    /// Remembers what `key` named at `epoch`.
    pub fn put(&self, key: String, epoch: i64, org: Organization) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= ACTOR_CACHE_CAPACITY {
            entries.clear();
        }
        entries.insert(key, (epoch, org));
    }
}

/// Middleware: authenticates the request or answers 401, and stores the [`Actor`].
pub async fn authenticate(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let (mut parts, body) = request.into_parts();
    let token = token_from_request(&parts).ok_or_else(|| ApiError::Unauthorized {
        message: crate::error::SIGNED_OUT.into(),
        detail: format!("Cookie {SESSION_COOKIE:?} or query parameter must be provided."),
        invalid_token: false,
    })?;
    let (id, secret) = split_token(&token)
        .map_err(|reason| ApiError::signed_out(format!("Invalid API key format: {reason}")))?;
    let epoch = state.ports.epoch.authz_epoch().await?;
    let now = state.clock.now();
    let actor = match state.actors.get(id, secret, epoch, now) {
        Some(actor) => actor,
        None => {
            let mut key = verify_token(&state, &token).await?;
            let actor = load_actor(&state, key.clone(), epoch).await?;
            if now - key.last_used >= time::Duration::HOUR {
                key.last_used = now; // load_actor has just refreshed it.
            }
            state.actors.put(epoch, key, actor.clone());
            actor
        }
    };
    tracing::Span::current().record("user_id", tracing::field::display(actor.user.id));
    parts.extensions.insert(actor);
    Ok(next.run(Request::from_parts(parts, body)).await)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request as HttpRequest;

    fn parts(builder: axum::http::request::Builder) -> Parts {
        builder.body(()).unwrap().into_parts().0
    }

    #[test]
    fn cached_actors_serve_only_their_epoch_secret_and_lifetime() {
        use roster_domain::ids::UserId;
        use roster_domain::token::ApiKeyKind;
        use roster_domain::user::{LoginType, UserStatus};
        let now = time::macros::datetime!(2026-11-27 12:00 UTC);
        let t = generate_token();
        let (id, secret) = split_token(&t.token).unwrap();
        let user = User {
            id: UserId::new_v7(),
            username: "a".into(),
            email: String::new(),
            name: String::new(),
            avatar_url: String::new(),
            status: UserStatus::Active,
            login_type: LoginType::Password,
            is_service_account: false,
            site_roles: vec![],
            created_at: now,
            updated_at: now,
            last_seen_at: now,
        };
        let key = ApiKey {
            id: t.id.clone(),
            user_id: user.id,
            hashed_secret: t.hashed_secret.clone(),
            kind: ApiKeyKind::Session,
            login_type: LoginType::Password,
            token_name: String::new(),
            created_at: now,
            expires_at: now + time::Duration::DAY,
            last_used: now,
        };
        let actor = Actor {
            subject: Arc::new(Subject::new(user.id, &[], &[], &[])),
            user,
            memberships: vec![],
            key_id: t.id.clone(),
            epoch: 7,
        };
        let cache = ActorCache::default();
        assert!(cache.get(id, secret, 7, now).is_none());
        cache.put(7, key, actor);
        assert!(cache.get(id, secret, 7, now).is_some());
        assert!(cache.get(id, secret, 8, now).is_none(), "another epoch");
        assert!(
            cache.get(id, &"x".repeat(22), 7, now).is_none(),
            "another secret"
        );
        assert!(
            cache
                .get(id, secret, 7, now + time::Duration::HOUR)
                .is_none(),
            "last_seen refresh due"
        );
        assert!(
            cache
                .get(id, secret, 7, now + time::Duration::DAY)
                .is_none(),
            "expired"
        );
    }

    #[test]
    fn generated_tokens_split_and_hash() {
        let t = generate_token();
        let (id, secret) = split_token(&t.token).unwrap();
        assert_eq!(id, t.id);
        assert_eq!(hash_secret(secret), t.hashed_secret);
        assert_ne!(generate_token().token, t.token);
    }

    #[test]
    fn malformed_tokens_say_why() {
        assert_eq!(
            split_token("abc").unwrap_err(),
            "incorrect amount of API key parts, expected 2 got 1"
        );
        assert_eq!(
            split_token("abc-def").unwrap_err(),
            "invalid API key ID length, expected 10 got 3"
        );
        assert_eq!(
            split_token("abcdefghij-def").unwrap_err(),
            "invalid API key secret length, expected 22 got 3"
        );
    }

    #[test]
    fn passwords_verify() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a phc string"));
    }

    #[test]
    fn token_sources_follow_coders_order() {
        let p = parts(
            HttpRequest::builder()
                .uri("/x?coder_session_token=q1&access_token=q5")
                .header("Cookie", "a=b; coder_session_token=c1")
                .header(SESSION_HEADER, "h3")
                .header("Authorization", "Bearer b4"),
        );
        assert_eq!(token_from_request(&p).as_deref(), Some("c1"));
        let p = parts(
            HttpRequest::builder()
                .uri("/x?coder_session_token=q1&access_token=q5")
                .header(SESSION_HEADER, "h3"),
        );
        assert_eq!(token_from_request(&p).as_deref(), Some("q1"));
        let p = parts(
            HttpRequest::builder()
                .uri("/x?access_token=q5")
                .header(SESSION_HEADER, "h3")
                .header("Authorization", "Bearer b4"),
        );
        assert_eq!(token_from_request(&p).as_deref(), Some("h3"));
        let p = parts(
            HttpRequest::builder()
                .uri("/x?access_token=q5")
                .header("Authorization", "Bearer b4"),
        );
        assert_eq!(token_from_request(&p).as_deref(), Some("b4"));
        let p = parts(
            HttpRequest::builder()
                .uri("/x?access_token=q5")
                .header("Authorization", "Basic zz"),
        );
        assert_eq!(token_from_request(&p).as_deref(), Some("q5"));
        assert_eq!(
            token_from_request(&parts(HttpRequest::builder().uri("/x"))),
            None
        );
    }
}
