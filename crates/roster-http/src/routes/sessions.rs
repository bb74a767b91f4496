//! The first user, sign-in, sign-out and long-lived tokens.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use roster_domain::RepoError;
use roster_domain::ValidationErrors;
use roster_domain::ids::{OrganizationId, UserId};
use roster_domain::token::{ApiKey, ApiKeyKind};
use roster_domain::user::{LoginType, NewUser, UserStatus};
use roster_rbac::{Action, Object, ResourceType};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::auth::{self, Actor, SESSION_COOKIE};
use crate::error::{ApiError, ApiResult, ErrorBody, json_response};
use crate::extract::{ApiJson, RawBody};
use crate::routes::resolve_user;
use crate::state::AppState;
use crate::validate;

fn message(status: StatusCode, message: &str) -> Response {
    json_response(
        status,
        &ErrorBody {
            message: message.to_owned(),
            detail: String::new(),
            validations: vec![],
        },
    )
}

/// `GET /api/v2/users/first`: whether the first user exists (200) or not (404).
#[utoipa::path(get, path = "/api/v2/users/first", tag = "Users",
    responses((status = 200, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn first_user_exists(State(state): State<AppState>) -> ApiResult<Response> {
    Ok(if state.ports.users.any_exists().await? {
        message(StatusCode::OK, "The initial user has already been created!")
    } else {
        message(
            StatusCode::NOT_FOUND,
            "The initial user has not been created!",
        )
    })
}

/// Coder's `codersdk.CreateFirstUserRequest`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = codersdk::CreateFirstUserRequest)]
pub(crate) struct CreateFirstUserRequest {
    #[serde(default)]
    email: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    #[allow(dead_code)] // Accepted for compatibility; Roster has no trials.
    trial: bool,
}

/// Coder's `codersdk.CreateFirstUserResponse`.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = codersdk::CreateFirstUserResponse)]
pub(crate) struct CreateFirstUserResponse {
    #[schema(value_type = String, format = Uuid)]
    user_id: UserId,
    #[schema(value_type = String, format = Uuid)]
    organization_id: OrganizationId,
}

/// `POST /api/v2/users/first`: creates the first user, an `owner` and member of the default
/// organization. Refused with 409 once any user exists.
#[utoipa::path(post, path = "/api/v2/users/first", tag = "Users", request_body = CreateFirstUserRequest,
    responses((status = 201, body = CreateFirstUserResponse), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(crate) async fn create_first_user(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<CreateFirstUserRequest>,
) -> ApiResult<Response> {
    let mut errors = ValidationErrors::default();
    validate::email(&mut errors, "email", &req.email);
    validate::name(&mut errors, "username", &req.username);
    if req.password.is_empty() {
        errors.push("password", validate::tag_failed("required", ""));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid("Validation failed.", errors));
    }
    validate::strong_password(&req.password)?;
    if state.ports.users.any_exists().await? {
        return Err(first_user_conflict());
    }
    let org = state.ports.orgs.default_org().await?.ok_or_else(|| {
        ApiError::internal(std::io::Error::other("the default organization is missing"))
    })?;
    let hash = auth::hash_password_blocking(req.password).await?;
    let new = NewUser {
        id: UserId::new_v7(),
        username: req.username,
        email: req.email,
        name: req.name.trim().to_owned(),
        password_hash: Some(hash),
        login_type: LoginType::Password,
        is_service_account: false,
        status: UserStatus::Active,
        site_roles: vec![roster_rbac::builtin::OWNER.to_owned()],
        organization_ids: vec![org.id],
        created_at: state.clock.now(),
    };
    let user = state
        .ports
        .users
        .create_first(new)
        .await
        .map_err(|e| match e {
            RepoError::Conflict {
                field: "first_user",
            } => first_user_conflict(),
            e => e.into(),
        })?;
    Ok(json_response(
        StatusCode::CREATED,
        &CreateFirstUserResponse {
            user_id: user.id,
            organization_id: org.id,
        },
    ))
}

fn first_user_conflict() -> ApiError {
    ApiError::Conflict {
        message: "The initial user has already been created.".into(),
        validations: vec![],
    }
}

/// Coder's `codersdk.LoginWithPasswordRequest`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = codersdk::LoginWithPasswordRequest)]
pub(crate) struct LoginWithPasswordRequest {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// Coder's `codersdk.LoginWithPasswordResponse`.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = codersdk::LoginWithPasswordResponse)]
pub(crate) struct LoginWithPasswordResponse {
    session_token: String,
}

/// An Argon2id hash of a random password, verified when the email is unknown so that the
/// answer takes as long as for a known email.
fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| {
            let random = auth::generate_token().token;
            auth::hash_password(&random).unwrap_or_default()
        })
        .clone()
}

/// `POST /api/v2/users/login`: email and password for a session token (also set as a cookie).
#[utoipa::path(post, path = "/api/v2/users/login", tag = "Authorization", request_body = LoginWithPasswordRequest,
    responses((status = 201, body = LoginWithPasswordResponse), (status = 401, body = ErrorBody)))]
pub(crate) async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginWithPasswordRequest>,
) -> ApiResult<Response> {
    let mut errors = ValidationErrors::default();
    validate::email(&mut errors, "email", &req.email);
    if req.password.is_empty() {
        errors.push("password", validate::tag_failed("required", ""));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid("Validation failed.", errors));
    }
    let creds = state.ports.users.credentials_by_email(&req.email).await?;
    let phc = creds
        .as_ref()
        .and_then(|c| c.password_hash.clone())
        .unwrap_or_else(dummy_hash);
    let matches = auth::verify_password_blocking(req.password, phc).await?;
    let incorrect = || ApiError::Unauthorized {
        message: "Incorrect email or password.".into(),
        detail: String::new(),
        invalid_token: false,
    };
    let Some(creds) = creds.filter(|_| matches) else {
        return Err(incorrect());
    };
    let mut user = creds.user;
    if user.login_type != LoginType::Password {
        return Err(ApiError::ForbiddenMessage(format!(
            "Incorrect login type, attempting to use \"password\" but user is of login type {:?}",
            user.login_type.as_str()
        )));
    }
    let now = state.clock.now();
    match user.status {
        UserStatus::Suspended => {
            return Err(ApiError::Unauthorized {
                message: "Your account is suspended. Contact an admin to reactivate your account."
                    .into(),
                detail: String::new(),
                invalid_token: false,
            });
        }
        UserStatus::Dormant => {
            user = state
                .ports
                .users
                .set_status(
                    user.id,
                    UserStatus::Active,
                    now,
                    crate::auth::reactivation(user.id, now),
                )
                .await?;
        }
        UserStatus::Active => {}
    }
    let expires_at = now + state.settings.session_lifetime;
    let token = issue_key(
        &state,
        user.id,
        ApiKeyKind::Session,
        String::new(),
        expires_at,
    )
    .await?;
    let mut response = json_response(
        StatusCode::CREATED,
        &LoginWithPasswordResponse {
            session_token: token.clone(),
        },
    );
    set_cookie(&state, &mut response, &token, Some(expires_at));
    Ok(response)
}

async fn issue_key(
    state: &AppState,
    user: UserId,
    kind: ApiKeyKind,
    token_name: String,
    expires_at: OffsetDateTime,
) -> ApiResult<String> {
    let now = state.clock.now();
    // A collision of 10 random alphanumerics is astronomically unlikely; retry once anyway
    // rather than answer 500.
    for _ in 0..2 {
        let generated = auth::generate_token();
        let key = ApiKey {
            id: generated.id,
            user_id: user,
            hashed_secret: generated.hashed_secret,
            kind,
            login_type: LoginType::Password,
            token_name: token_name.clone(),
            created_at: now,
            expires_at,
            last_used: now,
        };
        match state.ports.keys.create(key).await {
            Ok(()) => return Ok(generated.token),
            Err(RepoError::Conflict { field: "id" }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::internal(std::io::Error::other(
        "could not allocate an API key id",
    )))
}

fn set_cookie(
    state: &AppState,
    response: &mut Response,
    token: &str,
    expires: Option<OffsetDateTime>,
) {
    let expiry = match expires {
        Some(at) => format!(
            "; Max-Age={}",
            (at - state.clock.now()).whole_seconds().max(0)
        ),
        None => "; Max-Age=0".to_owned(),
    };
    let secure = if state.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie =
        format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{expiry}{secure}");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// `POST /api/v2/users/logout`: revokes the session's key and clears the cookie.
#[utoipa::path(post, path = "/api/v2/users/logout", tag = "Users",
    responses((status = 200, body = ErrorBody)))]
pub(crate) async fn logout(State(state): State<AppState>, actor: Actor) -> ApiResult<Response> {
    state.ports.keys.delete(&actor.key_id).await?;
    let mut response = message(StatusCode::OK, "Logged out!");
    set_cookie(&state, &mut response, "", None);
    Ok(response)
}

/// Coder's `codersdk.CreateTokenRequest`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = codersdk::CreateTokenRequest)]
pub(crate) struct CreateTokenRequest {
    /// Lifetime in nanoseconds (Go's `time.Duration`); 0 means the longest allowed.
    #[serde(default)]
    lifetime: i64,
    #[serde(default)]
    token_name: String,
    #[serde(default)]
    #[allow(dead_code)] // Only the default scope ("all") exists in Roster.
    scope: String,
}

/// Coder's `codersdk.GenerateAPIKeyResponse`.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = codersdk::GenerateAPIKeyResponse)]
pub(crate) struct GenerateApiKeyResponse {
    key: String,
}

/// `POST /api/v2/users/{user}/keys/tokens`: a long-lived API token for the user.
#[utoipa::path(post, path = "/api/v2/users/{user}/keys/tokens", tag = "Users",
    params(("user" = String, Path, description = "User id, username or `me`")),
    request_body = CreateTokenRequest,
    responses((status = 201, body = GenerateApiKeyResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn create_token(
    State(state): State<AppState>,
    actor: Actor,
    Path(user): Path<String>,
    body: RawBody,
) -> ApiResult<Response> {
    let user = resolve_user(&state, &actor, &user).await?;
    // Coder's CLI may send no body at all; an absent body means every default.
    let req = if body.is_blank() {
        CreateTokenRequest::default()
    } else {
        ApiJson::<CreateTokenRequest>::parse(&body.0)?.0
    };
    let object = Object::new(ResourceType::ApiKey).owned_by(user.id);
    if !actor.subject.allows(Action::Create, &object) {
        return Err(ApiError::Forbidden);
    }
    let max = state.settings.max_token_lifetime;
    let lifetime = match req.lifetime {
        0 => max,
        n if n < 0 => return Err(ApiError::bad_request("Lifetime must be positive.")),
        n => time::Duration::nanoseconds(n),
    };
    if lifetime > max {
        return Err(ApiError::bad_request(format!(
            "Failed to validate create API key request: lifetime must be less than {} hours",
            max.whole_hours()
        )));
    }
    let name = if req.token_name.is_empty() {
        format!("token-{}", state.clock.now().unix_timestamp())
    } else {
        req.token_name
    };
    let expires_at = state.clock.now() + lifetime;
    let key = issue_key(&state, user.id, ApiKeyKind::Token, name, expires_at).await?;
    Ok((StatusCode::CREATED, Json(GenerateApiKeyResponse { key })).into_response())
}
