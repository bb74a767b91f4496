//! [`OrganizationRepo`] on [`SeaStore`].

use async_trait::async_trait;
use roster_domain::audit::{AuditStamp, NewAuditEntry};
use roster_domain::filter::RowFilter;
use roster_domain::ids::{OrganizationId, UserId};
use roster_domain::organization::{NewOrganization, Organization, OrganizationPatch};
use roster_domain::ports::OrganizationRepo;
use roster_domain::{RepoError, RepoResult};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};
use time::OffsetDateTime;

use crate::SeaStore;
use crate::audit::write_entry;
use crate::convert::{from_micros, key, micros};
use crate::entity::{
    custom_roles, organization_member_roles as omr, organization_members as om, organizations,
    users,
};
use crate::error::db_err;
use crate::marks::next_members_version;
use crate::query::{ObjectOrg, row_filter};

/// The role the creator of an organization gets in it.
const CREATOR_ROLE: &str = "organization-admin";

/// A stored organization as a domain organization.
pub(crate) fn org_from(m: organizations::Model) -> RepoResult<Organization> {
    Ok(Organization {
        id: OrganizationId(m.id),
        name: m.name,
        display_name: m.display_name,
        description: m.description,
        icon: m.icon,
        is_default: m.is_default,
        created_at: from_micros(m.created_at)?,
        updated_at: from_micros(m.updated_at)?,
    })
}

async fn find_live(
    conn: &impl ConnectionTrait,
    cond: sea_orm::Condition,
) -> RepoResult<Option<Organization>> {
    organizations::Entity::find()
        .filter(cond)
        .filter(organizations::Column::Deleted.eq(false))
        .one(conn)
        .await
        .map_err(db_err)?
        .map(org_from)
        .transpose()
}

/// Locks a live organization's row for the rest of `tx` (a no-op update) and reads it: the
/// state an audited change replaces. `NotFound` for unknown or deleted organizations.
async fn lock_org(tx: &impl ConnectionTrait, id: OrganizationId) -> RepoResult<Organization> {
    let res = organizations::Entity::update_many()
        .col_expr(
            organizations::Column::UpdatedAt,
            Expr::col(organizations::Column::UpdatedAt),
        )
        .filter(organizations::Column::Id.eq(id.0))
        .filter(organizations::Column::Deleted.eq(false))
        .exec(tx)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        return Err(RepoError::NotFound {
            entity: "organization",
        });
    }
    find_live(
        tx,
        sea_orm::Condition::all().add(organizations::Column::Id.eq(id.0)),
    )
    .await?
    .ok_or(RepoError::NotFound {
        entity: "organization",
    })
}

fn all_orgs(models: Vec<organizations::Model>) -> RepoResult<Vec<Organization>> {
    models.into_iter().map(org_from).collect()
}

#[async_trait]
impl OrganizationRepo for SeaStore {
    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn ensure_default(&self, new: NewOrganization) -> RepoResult<Organization> {
        if let Some(org) = self.default_org().await? {
            return Ok(org);
        }
        // Created by the server itself at start-up: not audited.
        match self
            .insert_org(
                NewOrganization {
                    is_default: true,
                    ..new
                },
                None,
            )
            .await
        {
            Ok(org) => Ok(org),
            // Another replica created it first.
            Err(RepoError::Conflict { .. }) => self
                .default_org()
                .await?
                .ok_or(RepoError::Conflict { field: "name" }),
            Err(e) => Err(e),
        }
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn default_org(&self) -> RepoResult<Option<Organization>> {
        find_live(
            &self.db,
            sea_orm::Condition::all().add(organizations::Column::IsDefault.eq(true)),
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn find(&self, id: OrganizationId) -> RepoResult<Option<Organization>> {
        find_live(
            &self.db,
            sea_orm::Condition::all().add(organizations::Column::Id.eq(id.0)),
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn find_by_name(&self, name: &str) -> RepoResult<Option<Organization>> {
        find_live(
            &self.db,
            sea_orm::Condition::all().add(organizations::Column::NameKey.eq(key(name))),
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn list(&self, filter: &RowFilter) -> RepoResult<Vec<Organization>> {
        let cond = row_filter(
            filter,
            ObjectOrg::Column(Expr::col((
                organizations::Entity,
                organizations::Column::Id,
            ))),
            None,
        );
        let models = organizations::Entity::find()
            .filter(organizations::Column::Deleted.eq(false))
            .filter(cond)
            .order_by_asc(organizations::Column::NameKey)
            .all(&self.db)
            .await
            .map_err(db_err)?;
        all_orgs(models)
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn list_for_user(&self, user: UserId) -> RepoResult<Vec<Organization>> {
        let member_of = Query::select()
            .column(om::Column::OrganizationId)
            .from(om::Entity)
            .and_where(Expr::col(om::Column::UserId).eq(user.0))
            .to_owned();
        let models = organizations::Entity::find()
            .filter(organizations::Column::Deleted.eq(false))
            .filter(organizations::Column::Id.in_subquery(member_of))
            .order_by_asc(organizations::Column::NameKey)
            .all(&self.db)
            .await
            .map_err(db_err)?;
        all_orgs(models)
    }

    #[tracing::instrument(level = "debug", skip(self, audit), err(level = "debug"))]
    async fn create(&self, new: NewOrganization, audit: AuditStamp) -> RepoResult<Organization> {
        self.insert_org(new, Some(audit)).await
    }

    #[tracing::instrument(level = "debug", skip(self, audit), err(level = "debug"))]
    async fn update(
        &self,
        id: OrganizationId,
        patch: OrganizationPatch,
        at: OffsetDateTime,
        audit: AuditStamp,
    ) -> RepoResult<Organization> {
        let tx = self.write_tx().await?;
        // Who may do what changes: cached subjects must be rebuilt.
        crate::bump_authz_epoch(&tx).await?;
        let old = lock_org(&tx, id).await?;
        let mut update = organizations::Entity::update_many()
            .col_expr(organizations::Column::UpdatedAt, Expr::val(micros(at)));
        if let Some(name) = patch.name {
            update = update
                .col_expr(organizations::Column::NameKey, Expr::val(key(&name)))
                .col_expr(organizations::Column::Name, Expr::val(name));
        }
        if let Some(v) = patch.display_name {
            update = update.col_expr(organizations::Column::DisplayName, Expr::val(v));
        }
        if let Some(v) = patch.description {
            update = update.col_expr(organizations::Column::Description, Expr::val(v));
        }
        if let Some(v) = patch.icon {
            update = update.col_expr(organizations::Column::Icon, Expr::val(v));
        }
        update
            .filter(organizations::Column::Id.eq(id.0))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        let new = find_live(
            &tx,
            sea_orm::Condition::all().add(organizations::Column::Id.eq(id.0)),
        )
        .await?
        .ok_or(RepoError::NotFound {
            entity: "organization",
        })?;
        write_entry(
            &tx,
            &NewAuditEntry::organization(audit, Some(&old), Some(&new)),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(new)
    }

    #[tracing::instrument(level = "debug", skip(self, audit), err(level = "debug"))]
    async fn delete(
        &self,
        id: OrganizationId,
        at: OffsetDateTime,
        audit: AuditStamp,
    ) -> RepoResult<()> {
        let tx = self.write_tx().await?;
        // Who may do what changes: cached subjects must be rebuilt.
        crate::bump_authz_epoch(&tx).await?;
        let old = lock_org(&tx, id).await?;
        // Freeing the name key lets a new organization take the name.
        organizations::Entity::update_many()
            .col_expr(organizations::Column::Deleted, Expr::val(true))
            .col_expr(
                organizations::Column::NameKey,
                Expr::val(Option::<String>::None),
            )
            .col_expr(organizations::Column::MemberCount, Expr::val(0_i64))
            .col_expr(
                organizations::Column::MembersVersion,
                next_members_version(),
            )
            .col_expr(organizations::Column::UpdatedAt, Expr::val(micros(at)))
            .filter(organizations::Column::Id.eq(id.0))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        omr::Entity::delete_many()
            .filter(omr::Column::OrganizationId.eq(id.0))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        om::Entity::delete_many()
            .filter(om::Column::OrganizationId.eq(id.0))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        custom_roles::Entity::delete_many()
            .filter(custom_roles::Column::OrganizationId.eq(id.0))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        write_entry(&tx, &NewAuditEntry::organization(audit, Some(&old), None)).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(())
    }
}

impl SeaStore {
    /// Creates an organization (and the creator's membership), with its audit entry when
    /// `audit` is given, in one transaction.
    async fn insert_org(
        &self,
        new: NewOrganization,
        audit: Option<AuditStamp>,
    ) -> RepoResult<Organization> {
        let at = micros(new.created_at);
        let model = organizations::Model {
            id: new.id.0,
            name_key: Some(key(&new.name)),
            name: new.name,
            display_name: new.display_name,
            description: new.description,
            icon: new.icon,
            is_default: new.is_default,
            deleted: false,
            member_count: i64::from(new.creator.is_some()),
            members_version: 0,
            created_at: at,
            updated_at: at,
        };
        let tx = self.write_tx().await?;
        // Who may do what changes: cached subjects must be rebuilt.
        crate::bump_authz_epoch(&tx).await?;
        organizations::Entity::insert(model.clone().into_active_model())
            .exec_without_returning(&tx)
            .await
            .map_err(db_err)?;
        if let Some(creator) = new.creator {
            let (username_key, email_key) = users::Entity::find_by_id(creator.0)
                .filter(users::Column::Deleted.eq(false))
                .select_only()
                .column(users::Column::UsernameKey)
                .column(users::Column::EmailKey)
                .into_tuple::<(Option<String>, Option<String>)>()
                .one(&tx)
                .await
                .map_err(db_err)?
                .and_then(|(key, email_key)| Some((key?, email_key)))
                .ok_or(RepoError::NotFound { entity: "user" })?;
            om::Entity::insert(om::ActiveModel {
                organization_id: Set(model.id),
                user_id: Set(creator.0),
                username_key: Set(username_key),
                email_key: Set(email_key),
                created_at: Set(at),
                updated_at: Set(at),
                role_list: Set(CREATOR_ROLE.to_owned()),
            })
            .exec_without_returning(&tx)
            .await
            .map_err(db_err)?;
            omr::Entity::insert(omr::ActiveModel {
                organization_id: Set(model.id),
                user_id: Set(creator.0),
                role: Set(CREATOR_ROLE.to_owned()),
            })
            .exec_without_returning(&tx)
            .await
            .map_err(db_err)?;
        }
        let org = org_from(model)?;
        if let Some(audit) = audit {
            write_entry(&tx, &NewAuditEntry::organization(audit, None, Some(&org))).await?;
        }
        tx.commit().await.map_err(db_err)?;
        Ok(org)
    }
}
