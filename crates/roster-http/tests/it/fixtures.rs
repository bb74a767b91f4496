//! Fixtures: mocks of every port, a signed-in caller, and a request helper.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use roster_domain::FixedClock;
use roster_domain::ids::{OrganizationId, UserId};
use roster_domain::organization::{Membership, Organization};
use roster_domain::ports::{
    MockAiRepo, MockApiKeyRepo, MockAuditRepo, MockAuthzEpoch, MockMemberRepo,
    MockOrganizationRepo, MockRoleRepo, MockStoreHealth, MockUserRepo,
};
use roster_domain::token::{ApiKey, ApiKeyKind};
use roster_domain::user::{LoginType, User, UserStatus};
use roster_http::{ApiSettings, AppState, Ports};
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::macros::datetime;
use tower::ServiceExt;

pub const NOW: OffsetDateTime = datetime!(2026-11-27 12:00 UTC);
/// The caller's token: id `abcdefghij`, secret of 22 characters.
pub const TOKEN: &str = "abcdefghij-0123456789abcdefghijkl";

/// Mocks of every port, to set expectations on before building the app.
#[derive(Default)]
pub struct Mocks {
    pub users: MockUserRepo,
    pub orgs: MockOrganizationRepo,
    pub members: MockMemberRepo,
    pub roles: MockRoleRepo,
    pub keys: MockApiKeyRepo,
    pub ai: MockAiRepo,
    pub audit: MockAuditRepo,
    pub health: MockStoreHealth,
    pub epoch: MockAuthzEpoch,
    /// When false, [`Mocks::app`] accepts any failed-request audit record; tests about the
    /// audit log set their own expectations and this to true.
    pub audit_checked: bool,
}

pub fn fx_user(username: &str, site_roles: &[&str]) -> User {
    User {
        id: UserId::new_v7(),
        username: username.into(),
        email: format!("{username}@example.com"),
        name: String::new(),
        avatar_url: String::new(),
        status: UserStatus::Active,
        login_type: LoginType::Password,
        is_service_account: false,
        site_roles: site_roles.iter().map(|s| s.to_string()).collect(),
        created_at: NOW,
        updated_at: NOW,
        last_seen_at: NOW,
    }
}

pub fn fx_org(name: &str, is_default: bool) -> Organization {
    Organization {
        id: OrganizationId::new_v7(),
        name: name.into(),
        display_name: name.into(),
        description: String::new(),
        icon: String::new(),
        is_default,
        created_at: NOW,
        updated_at: NOW,
    }
}

pub fn fx_membership(org: &Organization, user: &User, roles: &[&str]) -> Membership {
    Membership {
        organization_id: org.id,
        user_id: user.id,
        roles: roles.iter().map(|s| s.to_string()).collect(),
        created_at: NOW,
        updated_at: NOW,
    }
}

impl Mocks {
    /// Expects the caller `user` (with these memberships) to sign in with [`TOKEN`].
    pub fn signed_in(&mut self, user: &User, memberships: Vec<Membership>) {
        self.signed_in_last_used(user, memberships, NOW);
    }

    /// Like [`Mocks::signed_in`], with the key last used at `last_used`.
    pub fn signed_in_last_used(
        &mut self,
        user: &User,
        memberships: Vec<Membership>,
        last_used: OffsetDateTime,
    ) {
        let (id, secret) = TOKEN.split_once('-').unwrap();
        let key = ApiKey {
            id: id.into(),
            user_id: user.id,
            hashed_secret: Sha256::digest(secret.as_bytes()).to_vec(),
            kind: ApiKeyKind::Session,
            login_type: LoginType::Password,
            token_name: String::new(),
            created_at: NOW,
            expires_at: NOW + time::Duration::DAY,
            last_used,
        };
        self.keys
            .expect_find()
            .returning(move |_| Ok(Some(key.clone())));
        let caller = user.clone();
        let caller_id = user.id;
        self.users
            .expect_find()
            .withf(move |id| *id == caller_id)
            .returning(move |_| Ok(Some(caller.clone())));
        self.members
            .expect_memberships_of()
            .withf(move |id| *id == caller_id)
            .returning(move |_| Ok(memberships.clone()));
    }

    /// An app whose public routes find a first user already there, for routing checks.
    pub fn app_lenient(mut self) -> axum::Router {
        self.users.expect_any_exists().returning(|| Ok(true));
        self.app()
    }

    pub fn app(mut self) -> axum::Router {
        // The authorization epoch never moves in these tests.
        self.epoch.expect_authz_epoch().returning(|| Ok(0));
        if !self.audit_checked {
            self.audit.expect_record().returning(|_| Ok(()));
        }
        let ports = Ports {
            users: Arc::new(self.users),
            orgs: Arc::new(self.orgs),
            members: Arc::new(self.members),
            roles: Arc::new(self.roles),
            keys: Arc::new(self.keys),
            ai: Arc::new(self.ai),
            audit: Arc::new(self.audit),
            health: Arc::new(self.health),
            epoch: Arc::new(self.epoch),
        };
        roster_http::router(AppState::new(
            ports,
            Arc::new(FixedClock::new(NOW)),
            ApiSettings::default(),
        ))
    }
}

/// Sends a request and returns the status and the JSON body (`Null` when empty).
pub async fn send(app: axum::Router, req: Request<Body>) -> (StatusCode, Value) {
    let res = app.oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    (status, body)
}

/// A request carrying [`TOKEN`].
pub fn authed(method: &str, uri: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("Coder-Session-Token", TOKEN)
        .body(Body::empty())
        .unwrap()
}

/// A JSON request carrying [`TOKEN`].
pub fn authed_json(method: &str, uri: &str, body: Value) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("Coder-Session-Token", TOKEN)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

pub const NOT_FOUND: &str = "Resource not found or you do not have access to this resource";
