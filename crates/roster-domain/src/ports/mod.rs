//! Ports: what the application needs from storage, as object-safe async traits.
//! `roster-store` implements them; tests use the mockall mocks (feature `mocks`).
//!
//! Audited changes take an [`AuditStamp`] (who, when, from where, the status to answer): the
//! store writes the audit entry, with the diff of the rows it changed, in the change's own
//! transaction, so an entry exists exactly when its change was committed.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::ai::{Interception, Workspace, WorkspaceBuild};
use crate::audit::{AuditEntry, AuditQuery, AuditStamp, NewAuditEntry};
use crate::error::RepoResult;
use crate::filter::RowFilter;
use crate::ids::{OrganizationId, UserId, WorkspaceId};
use crate::organization::{
    MemberWithUser, Membership, NewOrganization, Organization, OrganizationPatch,
};
use crate::page::{PageOf, Pagination};
use crate::role::{CustomRole, CustomRoleInput};
use crate::search::UserQuery;
use crate::token::ApiKey;
use crate::user::{NewUser, User, UserCredentials, UserStatus};

/// Whether the storage answers.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait StoreHealth: Send + Sync {
    /// A trivial round trip to the database.
    async fn ping(&self) -> RepoResult<()>;
}

/// A counter of authorization-relevant changes, for caching compiled subjects.
///
/// Every change to roles, memberships, user status or site roles, organizations, custom roles
/// and API key revocation increments it in the same transaction, so a subject cached at one
/// value is current exactly while the counter still reads that value, on every replica.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait AuthzEpoch: Send + Sync {
    /// The current value.
    async fn authz_epoch(&self) -> RepoResult<i64>;
}

/// Users.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait UserRepo: Send + Sync {
    /// Whether any user exists (deleted ones included: the first user is created once).
    async fn any_exists(&self) -> RepoResult<bool>;
    /// Creates a user and their memberships in one transaction, audited.
    /// `Conflict { field: "username" }` or `"email"` on duplicates.
    async fn create(&self, new: NewUser, audit: AuditStamp) -> RepoResult<User>;
    /// Creates the first user, atomically refusing with `Conflict { field: "first_user" }` when any
    /// user already exists, even under concurrent calls.
    async fn create_first(&self, new: NewUser) -> RepoResult<User>;
    /// A non-deleted user by id.
    async fn find(&self, id: UserId) -> RepoResult<Option<User>>;
    /// A non-deleted user by username, case-insensitively.
    async fn find_by_username(&self, username: &str) -> RepoResult<Option<User>>;
    /// A non-deleted user and password hash by email, case-insensitively.
    async fn credentials_by_email(&self, email: &str) -> RepoResult<Option<UserCredentials>>;
    /// Non-deleted users matching `query` and `filter` (objects of type `user`: owner = the user,
    /// no organization), ordered by lower-case username, with the total count.
    async fn list(
        &self,
        query: &UserQuery,
        filter: &RowFilter,
        page: Pagination,
    ) -> RepoResult<PageOf<User>>;
    /// Sets the status, audited. `NotFound` for unknown or deleted users.
    async fn set_status(
        &self,
        id: UserId,
        status: UserStatus,
        at: OffsetDateTime,
        audit: AuditStamp,
    ) -> RepoResult<User>;
    /// Replaces the explicit site roles, audited. `NotFound` for unknown or deleted users.
    async fn set_site_roles(
        &self,
        id: UserId,
        roles: Vec<String>,
        at: OffsetDateTime,
        audit: AuditStamp,
    ) -> RepoResult<User>;
    /// Soft-deletes a user, removing their memberships and API keys in the same transaction,
    /// audited.
    async fn delete(&self, id: UserId, at: OffsetDateTime, audit: AuditStamp) -> RepoResult<()>;
    /// Sets `last_seen_at`.
    async fn touch_last_seen(&self, id: UserId, at: OffsetDateTime) -> RepoResult<()>;
}

/// Organizations.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait OrganizationRepo: Send + Sync {
    /// The default organization, created with `new` if it doesn't exist yet.
    async fn ensure_default(&self, new: NewOrganization) -> RepoResult<Organization>;
    /// The default organization.
    async fn default_org(&self) -> RepoResult<Option<Organization>>;
    /// A non-deleted organization by id.
    async fn find(&self, id: OrganizationId) -> RepoResult<Option<Organization>>;
    /// A non-deleted organization by name, case-insensitively.
    async fn find_by_name(&self, name: &str) -> RepoResult<Option<Organization>>;
    /// Non-deleted organizations passing `filter` (objects of type `organization`: in their own
    /// organization, no owner), ordered by lower-case name.
    async fn list(&self, filter: &RowFilter) -> RepoResult<Vec<Organization>>;
    /// Non-deleted organizations the user is a member of, ordered by lower-case name.
    async fn list_for_user(&self, user: UserId) -> RepoResult<Vec<Organization>>;
    /// Creates an organization, audited. `Conflict { field: "name" }` on a duplicate name.
    async fn create(&self, new: NewOrganization, audit: AuditStamp) -> RepoResult<Organization>;
    /// Applies a patch, audited. `NotFound`, or `Conflict { field: "name" }`.
    async fn update(
        &self,
        id: OrganizationId,
        patch: OrganizationPatch,
        at: OffsetDateTime,
        audit: AuditStamp,
    ) -> RepoResult<Organization>;
    /// Soft-deletes an organization and removes its memberships and custom roles, in one
    /// transaction, audited.
    async fn delete(
        &self,
        id: OrganizationId,
        at: OffsetDateTime,
        audit: AuditStamp,
    ) -> RepoResult<()>;
}

/// Organization memberships.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait MemberRepo: Send + Sync {
    /// Adds a member with no explicit roles, audited. `Conflict { field: "membership" }` if
    /// already one.
    async fn add(
        &self,
        org: OrganizationId,
        user: UserId,
        at: OffsetDateTime,
        audit: AuditStamp,
    ) -> RepoResult<Membership>;
    /// Removes a membership, audited. `NotFound` if there is none.
    async fn remove(&self, org: OrganizationId, user: UserId, audit: AuditStamp) -> RepoResult<()>;
    /// A membership of a non-deleted user, with the user.
    async fn find(&self, org: OrganizationId, user: UserId) -> RepoResult<Option<MemberWithUser>>;
    /// Members of non-deleted users matching `query` (where `role:` also matches organization
    /// roles) and `filter` (objects of type `organization_member`: in `org`, owned by the member),
    /// ordered by lower-case username, with the total count. A fixed number of statements
    /// whatever the page size.
    async fn list(
        &self,
        org: OrganizationId,
        query: &UserQuery,
        filter: &RowFilter,
        page: Pagination,
    ) -> RepoResult<PageOf<MemberWithUser>>;
    /// Replaces the explicit roles atomically (concurrent calls never mix sets), audited.
    /// `NotFound` if there is no such membership.
    async fn set_roles(
        &self,
        org: OrganizationId,
        user: UserId,
        roles: Vec<String>,
        at: OffsetDateTime,
        audit: AuditStamp,
    ) -> RepoResult<Membership>;
    /// Every membership of a user, in non-deleted organizations.
    async fn memberships_of(&self, user: UserId) -> RepoResult<Vec<Membership>>;
    /// The organizations (non-deleted) of each of these users, as `(user, organization)` pairs:
    /// one statement for a whole page of users.
    async fn organization_ids_of(
        &self,
        users: &[UserId],
    ) -> RepoResult<Vec<(UserId, OrganizationId)>>;
}

/// Custom roles.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait RoleRepo: Send + Sync {
    /// The custom roles of an organization, ordered by name.
    async fn list(&self, org: OrganizationId) -> RepoResult<Vec<CustomRole>>;
    /// The custom roles of several organizations (for expanding a subject's roles).
    async fn list_for_orgs(&self, orgs: &[OrganizationId]) -> RepoResult<Vec<CustomRole>>;
    /// One custom role by lower-case name.
    async fn find(&self, org: OrganizationId, name: &str) -> RepoResult<Option<CustomRole>>;
    /// Creates a role, audited. `Conflict { field: "name" }` when the name exists in the
    /// organization.
    async fn create(
        &self,
        input: CustomRoleInput,
        at: OffsetDateTime,
        audit: AuditStamp,
    ) -> RepoResult<CustomRole>;
    /// Replaces a role's display name and permissions, audited. `NotFound` if it doesn't exist.
    async fn update(
        &self,
        input: CustomRoleInput,
        at: OffsetDateTime,
        audit: AuditStamp,
    ) -> RepoResult<CustomRole>;
    /// Deletes a role and removes it from every member of its organization, in one transaction,
    /// audited. `NotFound` if it doesn't exist.
    async fn delete(&self, org: OrganizationId, name: &str, audit: AuditStamp) -> RepoResult<()>;
}

/// API keys.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait ApiKeyRepo: Send + Sync {
    /// Stores a new key. `Conflict { field: "id" }` on an id collision.
    async fn create(&self, key: ApiKey) -> RepoResult<()>;
    /// A key by its public id.
    async fn find(&self, id: &str) -> RepoResult<Option<ApiKey>>;
    /// Revokes a key. Revoking an unknown key is not an error.
    async fn delete(&self, id: &str) -> RepoResult<()>;
    /// Records a use: the key's `last_used` and its user's `last_seen_at`, in one transaction.
    async fn touch(&self, id: &str, user: UserId, at: OffsetDateTime) -> RepoResult<()>;
}

/// AI Bridge interceptions, workspaces and the AI seats derived from them.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait AiRepo: Send + Sync {
    /// Of these users, the ones consuming an AI seat: an interception they initiated, or a
    /// non-deleted workspace they own with any build where `has_ai_task` is true. One statement.
    async fn seats_among(&self, users: &[UserId]) -> RepoResult<Vec<UserId>>;
    /// How many non-deleted users consume a seat.
    async fn seat_count(&self) -> RepoResult<u64>;
    /// Records an interception.
    async fn record_interception(&self, interception: Interception) -> RepoResult<()>;
    /// Interceptions passing `filter` (objects of type `aibridge_interception`: owned by the
    /// initiator, no organization), newest first.
    async fn list_interceptions(&self, filter: &RowFilter) -> RepoResult<Vec<Interception>>;
    /// Creates a workspace. `Conflict { field: "name" }` when the owner has one of that name.
    async fn create_workspace(&self, workspace: Workspace) -> RepoResult<Workspace>;
    /// A workspace (deleted ones included, flagged).
    async fn find_workspace(&self, id: WorkspaceId) -> RepoResult<Option<Workspace>>;
    /// Non-deleted workspaces passing `filter` (objects of type `workspace`: in their
    /// organization, owned by their owner), ordered by name.
    async fn list_workspaces(&self, filter: &RowFilter) -> RepoResult<Vec<Workspace>>;
    /// Appends a build with the next build number, marking the workspace deleted for a `delete`
    /// transition, in one transaction. The `build_number` of the argument is ignored.
    async fn add_build(&self, build: WorkspaceBuild) -> RepoResult<WorkspaceBuild>;
}

/// The audit log.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait AuditRepo: Send + Sync {
    /// Writes one entry on its own: a request that failed before changing anything.
    async fn record(&self, entry: NewAuditEntry) -> RepoResult<()>;
    /// Entries matching `query` and `filter` (objects of type `audit_log`: in their organization,
    /// no owner), newest first, with the acting user and organization, and the total count.
    async fn list(
        &self,
        query: &AuditQuery,
        filter: &RowFilter,
        page: Pagination,
    ) -> RepoResult<PageOf<AuditEntry>>;
}
