//! Fixtures shared by the tests.

use roster_domain::audit::AuditStamp;
use roster_domain::ids::{AuditLogId, OrganizationId, UserId};
use roster_domain::organization::{NewOrganization, Organization};
use roster_domain::ports::{OrganizationRepo, UserRepo};
use roster_domain::user::{LoginType, NewUser, User, UserStatus};
use roster_store::SeaStore;
use time::OffsetDateTime;
use time::macros::datetime;

/// The time every fixture is created at.
pub(crate) const T0: OffsetDateTime = datetime!(2026-01-02 03:04:05.678901 UTC);

/// `T0` plus some seconds.
pub(crate) fn t(secs: i64) -> OffsetDateTime {
    T0 + time::Duration::seconds(secs)
}

/// A new user named `username`, with email `<username>@example.com`.
pub(crate) fn fx_new_user(username: &str) -> NewUser {
    NewUser {
        id: UserId::new_v7(),
        username: username.to_owned(),
        email: format!("{username}@example.com"),
        name: format!("Name of {username}"),
        password_hash: Some("$argon2id$fake".to_owned()),
        login_type: LoginType::Password,
        is_service_account: false,
        status: UserStatus::Active,
        site_roles: Vec::new(),
        organization_ids: Vec::new(),
        created_at: T0,
    }
}

/// A stored user.
pub(crate) async fn fx_user(store: &SeaStore, username: &str) -> User {
    UserRepo::create(store, fx_new_user(username), fx_audit())
        .await
        .expect("create user")
}

/// A new organization.
pub(crate) fn fx_new_org(name: &str) -> NewOrganization {
    NewOrganization {
        id: OrganizationId::new_v7(),
        name: name.to_owned(),
        display_name: format!("Display {name}"),
        description: String::new(),
        icon: String::new(),
        is_default: false,
        creator: None,
        created_at: T0,
    }
}

/// A stored organization.
pub(crate) async fn fx_org(store: &SeaStore, name: &str) -> Organization {
    OrganizationRepo::create(store, fx_new_org(name), fx_audit())
        .await
        .expect("create organization")
}

/// An audit stamp of an anonymous request at `T0`.
pub(crate) fn fx_audit() -> AuditStamp {
    fx_audit_by(None, T0)
}

/// An audit stamp of a request by `actor` at `at`.
pub(crate) fn fx_audit_by(actor: Option<UserId>, at: OffsetDateTime) -> AuditStamp {
    AuditStamp {
        id: AuditLogId::new_v7(),
        time: at,
        actor,
        status_code: 200,
        request_id: "req-1".to_owned(),
        ip: "127.0.0.1".to_owned(),
        user_agent: "tests".to_owned(),
    }
}
