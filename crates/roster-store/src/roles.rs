//! [`RoleRepo`] on [`SeaStore`].

use async_trait::async_trait;
use roster_domain::audit::{AuditStamp, NewAuditEntry};
use roster_domain::ids::{CustomRoleId, OrganizationId};
use roster_domain::ports::RoleRepo;
use roster_domain::role::{CustomRole, CustomRoleInput};
use roster_domain::{RepoError, RepoResult};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query, SubQueryStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
};
use time::OffsetDateTime;

use crate::SeaStore;
use crate::audit::write_entry;
use crate::convert::{from_micros, key, micros, permissions_from_json, permissions_to_json};
use crate::entity::{custom_roles, organization_member_roles as omr, organization_members as om};
use crate::error::{db_err, db_err_fk};
use crate::users::ROLE_SEPARATOR;

fn role_from(m: custom_roles::Model) -> RepoResult<CustomRole> {
    Ok(CustomRole {
        id: CustomRoleId(m.id),
        name: m.name,
        display_name: m.display_name,
        organization_id: m.organization_id.map(OrganizationId),
        site_permissions: permissions_from_json(
            "custom_roles.site_permissions",
            &m.site_permissions,
        )?,
        organization_permissions: permissions_from_json(
            "custom_roles.org_permissions",
            &m.org_permissions,
        )?,
        user_permissions: permissions_from_json(
            "custom_roles.user_permissions",
            &m.user_permissions,
        )?,
        organization_member_permissions: permissions_from_json(
            "custom_roles.member_permissions",
            &m.member_permissions,
        )?,
        created_at: from_micros(m.created_at)?,
        updated_at: from_micros(m.updated_at)?,
    })
}

async fn find_role(
    conn: &impl ConnectionTrait,
    org: OrganizationId,
    name: &str,
) -> RepoResult<Option<CustomRole>> {
    custom_roles::Entity::find()
        .filter(custom_roles::Column::OrganizationId.eq(org.0))
        .filter(custom_roles::Column::Name.eq(key(name)))
        .one(conn)
        .await
        .map_err(db_err)?
        .map(role_from)
        .transpose()
}

#[async_trait]
impl RoleRepo for SeaStore {
    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn list(&self, org: OrganizationId) -> RepoResult<Vec<CustomRole>> {
        custom_roles::Entity::find()
            .filter(custom_roles::Column::OrganizationId.eq(org.0))
            .order_by_asc(custom_roles::Column::Name)
            .all(&self.db)
            .await
            .map_err(db_err)?
            .into_iter()
            .map(role_from)
            .collect()
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn list_for_orgs(&self, orgs: &[OrganizationId]) -> RepoResult<Vec<CustomRole>> {
        if orgs.is_empty() {
            return Ok(Vec::new());
        }
        custom_roles::Entity::find()
            .filter(custom_roles::Column::OrganizationId.is_in(orgs.iter().map(|o| o.0)))
            .order_by_asc(custom_roles::Column::OrganizationId)
            .order_by_asc(custom_roles::Column::Name)
            .all(&self.db)
            .await
            .map_err(db_err)?
            .into_iter()
            .map(role_from)
            .collect()
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn find(&self, org: OrganizationId, name: &str) -> RepoResult<Option<CustomRole>> {
        find_role(&self.db, org, name).await
    }

    #[tracing::instrument(level = "debug", skip(self, audit), err(level = "debug"))]
    async fn create(
        &self,
        input: CustomRoleInput,
        at: OffsetDateTime,
        audit: AuditStamp,
    ) -> RepoResult<CustomRole> {
        let model = custom_roles::Model {
            id: CustomRoleId::new_v7().0,
            organization_id: Some(input.organization_id.0),
            name: key(&input.name),
            display_name: input.display_name,
            site_permissions: permissions_to_json(&[]),
            org_permissions: permissions_to_json(&input.organization_permissions),
            user_permissions: permissions_to_json(&[]),
            member_permissions: permissions_to_json(&[]),
            created_at: micros(at),
            updated_at: micros(at),
        };
        let tx = self.write_tx().await?;
        // Who may do what changes: cached subjects must be rebuilt.
        crate::bump_authz_epoch(&tx).await?;
        custom_roles::Entity::insert(model.clone().into_active_model())
            .exec_without_returning(&tx)
            .await
            .map_err(db_err_fk("organization"))?;
        let role = role_from(model)?;
        write_entry(&tx, &NewAuditEntry::custom_role(audit, None, Some(&role))).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(role)
    }

    #[tracing::instrument(level = "debug", skip(self, audit), err(level = "debug"))]
    async fn update(
        &self,
        input: CustomRoleInput,
        at: OffsetDateTime,
        audit: AuditStamp,
    ) -> RepoResult<CustomRole> {
        let tx = self.write_tx().await?;
        // Who may do what changes: cached subjects must be rebuilt.
        crate::bump_authz_epoch(&tx).await?;
        let old = find_role(&tx, input.organization_id, &input.name)
            .await?
            .ok_or(RepoError::NotFound { entity: "role" })?;
        let res = custom_roles::Entity::update_many()
            .col_expr(
                custom_roles::Column::DisplayName,
                Expr::val(input.display_name),
            )
            .col_expr(
                custom_roles::Column::OrgPermissions,
                Expr::val(permissions_to_json(&input.organization_permissions)),
            )
            .col_expr(custom_roles::Column::UpdatedAt, Expr::val(micros(at)))
            .filter(custom_roles::Column::OrganizationId.eq(input.organization_id.0))
            .filter(custom_roles::Column::Name.eq(key(&input.name)))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        if res.rows_affected == 0 {
            return Err(RepoError::NotFound { entity: "role" });
        }
        let new = find_role(&tx, input.organization_id, &input.name)
            .await?
            .ok_or(RepoError::NotFound { entity: "role" })?;
        write_entry(
            &tx,
            &NewAuditEntry::custom_role(audit, Some(&old), Some(&new)),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(new)
    }

    #[tracing::instrument(level = "debug", skip(self, audit), err(level = "debug"))]
    async fn delete(&self, org: OrganizationId, name: &str, audit: AuditStamp) -> RepoResult<()> {
        let name = key(name);
        let tx = self.write_tx().await?;
        // Who may do what changes: cached subjects must be rebuilt.
        crate::bump_authz_epoch(&tx).await?;
        let old = find_role(&tx, org, &name)
            .await?
            .ok_or(RepoError::NotFound { entity: "role" })?;
        let res = custom_roles::Entity::delete_many()
            .filter(custom_roles::Column::OrganizationId.eq(org.0))
            .filter(custom_roles::Column::Name.eq(name.as_str()))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        if res.rows_affected == 0 {
            return Err(RepoError::NotFound { entity: "role" });
        }
        // What Coder's `remove_organization_member_custom_role` trigger does: the name leaves
        // every member of that organization, their other roles stay. The role lists of those
        // members are rewritten first, from the roles they keep.
        let holders = Query::select()
            .column(omr::Column::UserId)
            .from(omr::Entity)
            .and_where(Expr::col(omr::Column::OrganizationId).eq(org.0))
            .and_where(Expr::col(omr::Column::Role).eq(name.as_str()))
            .to_owned();
        let kept = Query::select()
            .expr(Func::coalesce([
                Expr::from(
                    Func::cust(Alias::new("string_agg"))
                        .arg(Expr::col((omr::Entity, omr::Column::Role)))
                        .arg(Expr::val(ROLE_SEPARATOR)),
                ),
                Expr::val(""),
            ]))
            .from(omr::Entity)
            .and_where(
                Expr::col((omr::Entity, omr::Column::OrganizationId))
                    .equals((om::Entity, om::Column::OrganizationId)),
            )
            .and_where(
                Expr::col((omr::Entity, omr::Column::UserId))
                    .equals((om::Entity, om::Column::UserId)),
            )
            .and_where(Expr::col((omr::Entity, omr::Column::Role)).ne(name.as_str()))
            .to_owned();
        om::Entity::update_many()
            .col_expr(
                om::Column::RoleList,
                Expr::from(SubQueryStatement::from(kept)),
            )
            .filter(om::Column::OrganizationId.eq(org.0))
            .filter(om::Column::UserId.in_subquery(holders))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        omr::Entity::delete_many()
            .filter(omr::Column::OrganizationId.eq(org.0))
            .filter(omr::Column::Role.eq(name.as_str()))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        write_entry(&tx, &NewAuditEntry::custom_role(audit, Some(&old), None)).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(())
    }
}
