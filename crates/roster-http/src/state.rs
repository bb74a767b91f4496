//! The application state every handler receives: the ports, the clock and the API settings.

use std::sync::Arc;

use roster_domain::Clock;
use roster_domain::ports::{
    AiRepo, ApiKeyRepo, AuditRepo, AuthzEpoch, MemberRepo, OrganizationRepo, RoleRepo, StoreHealth,
    UserRepo,
};

/// The storage ports, as trait objects so tests can pass mocks.
#[derive(Clone)]
pub struct Ports {
    /// Users.
    pub users: Arc<dyn UserRepo>,
    /// Organizations.
    pub orgs: Arc<dyn OrganizationRepo>,
    /// Memberships.
    pub members: Arc<dyn MemberRepo>,
    /// Custom roles.
    pub roles: Arc<dyn RoleRepo>,
    /// API keys.
    pub keys: Arc<dyn ApiKeyRepo>,
    /// AI seats, interceptions and workspaces.
    pub ai: Arc<dyn AiRepo>,
    /// The audit log.
    pub audit: Arc<dyn AuditRepo>,
    /// Database liveness.
    pub health: Arc<dyn StoreHealth>,
    /// The authorization epoch, which says whether a cached caller is still current.
    pub epoch: Arc<dyn AuthzEpoch>,
}

impl std::fmt::Debug for Ports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ports").finish_non_exhaustive()
    }
}

/// The features the operator enabled (Roster has no licence server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entitlements {
    /// Custom role create, update and delete.
    pub custom_roles: bool,
    /// Organizations beyond the default one.
    pub multiple_organizations: bool,
    /// AI seat tracking with this many seats; `None` when disabled.
    pub ai_governance_user_limit: Option<u64>,
}

impl Default for Entitlements {
    fn default() -> Self {
        Entitlements {
            custom_roles: true,
            multiple_organizations: true,
            ai_governance_user_limit: None,
        }
    }
}

/// Settings of the API itself.
#[derive(Debug, Clone)]
pub struct ApiSettings {
    /// Enabled features.
    pub entitlements: Entitlements,
    /// How long a session from `POST /users/login` lasts.
    pub session_lifetime: time::Duration,
    /// The longest lifetime a long-lived token may ask for.
    pub max_token_lifetime: time::Duration,
    /// The version reported by `/buildinfo`.
    pub version: String,
    /// A stable id of this deployment, reported by `/buildinfo`.
    pub deployment_id: String,
    /// Whether the session cookie is marked `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
}

impl Default for ApiSettings {
    fn default() -> Self {
        ApiSettings {
            entitlements: Entitlements::default(),
            session_lifetime: time::Duration::hours(24),
            max_token_lifetime: time::Duration::days(30),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            deployment_id: String::new(),
            secure_cookies: false,
        }
    }
}

/// Everything a handler needs. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Storage.
    pub ports: Ports,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Settings.
    pub settings: Arc<ApiSettings>,
    /// Callers compiled by earlier requests, valid while the authorization epoch holds.
    pub actors: Arc<crate::auth::ActorCache>,
    /// Organizations resolved by earlier requests, valid while the authorization epoch holds.
    pub organizations: Arc<crate::auth::OrganizationCache>,
}

impl AppState {
    /// Builds the state.
    pub fn new(ports: Ports, clock: Arc<dyn Clock>, settings: ApiSettings) -> Self {
        AppState {
            ports,
            clock,
            settings: Arc::new(settings),
            actors: Arc::new(crate::auth::ActorCache::default()),
            organizations: Arc::new(crate::auth::OrganizationCache::default()),
        }
    }
}
