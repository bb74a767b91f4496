//! [`AiRepo`] on [`SeaStore`]: AI Bridge interceptions, workspaces, builds and the AI seats
//! derived from them (the seed's "version A" derivation).

use async_trait::async_trait;
use roster_domain::ai::{Interception, Transition, Workspace, WorkspaceBuild};
use roster_domain::filter::RowFilter;
use roster_domain::ids::{InterceptionId, OrganizationId, UserId, WorkspaceBuildId, WorkspaceId};
use roster_domain::ports::AiRepo;
use roster_domain::{RepoError, RepoResult};
use sea_orm::sea_query::{
    Alias, Asterisk, Condition, Expr, ExprTrait, Func, Query, SelectStatement, SubQueryStatement,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::SeaStore;
use crate::convert::{from_micros, key, micros};
use crate::entity::{
    aibridge_interceptions as ai, users, workspace_builds as wb, workspaces as ws,
};
use crate::error::{corrupt, db_err, db_err_fk};
use crate::query::{ObjectOrg, row_filter};

fn interception_from(m: ai::Model) -> RepoResult<Interception> {
    Ok(Interception {
        id: InterceptionId(m.id),
        initiator_id: UserId(m.initiator_id),
        provider: m.provider,
        model: m.model,
        started_at: from_micros(m.started_at)?,
    })
}

fn workspace_from(m: ws::Model) -> RepoResult<Workspace> {
    Ok(Workspace {
        id: WorkspaceId(m.id),
        organization_id: OrganizationId(m.organization_id),
        owner_id: UserId(m.owner_id),
        name: m.name,
        deleted: m.deleted,
        created_at: from_micros(m.created_at)?,
        updated_at: from_micros(m.updated_at)?,
    })
}

/// `EXISTS (a build of workspace `ws` with an AI task)`.
fn has_ai_build() -> Expr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(wb::Entity)
            .and_where(
                Expr::col((wb::Entity, wb::Column::WorkspaceId))
                    .equals((ws::Entity, ws::Column::Id)),
            )
            .and_where(Expr::col((wb::Entity, wb::Column::HasAiTask)).eq(true))
            .to_owned(),
    )
}

/// Live workspaces with an AI build, without a select list.
fn ai_workspaces() -> SelectStatement {
    Query::select()
        .from(ws::Entity)
        .and_where(Expr::col((ws::Entity, ws::Column::Deleted)).eq(false))
        .and_where(has_ai_build())
        .to_owned()
}

#[async_trait]
impl AiRepo for SeaStore {
    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn seats_among(&self, users: &[UserId]) -> RepoResult<Vec<UserId>> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let mut ids: Vec<Uuid> = users.iter().map(|u| u.0).collect();
        ids.sort_unstable();
        ids.dedup();
        // `SELECT v.id FROM (VALUES …) v WHERE (one interception of v.id) IS NOT NULL OR (one AI
        // workspace of v.id) IS NOT NULL`: each id probes the initiator and owner indexes. Unlike
        // an `IN (…)` list, the estimates don't depend on the ids, so PostgreSQL keeps one
        // generic plan per page size instead of planning every lookup afresh; and unlike
        // `EXISTS`, a scalar subquery is never turned into hashing a whole table per execution.
        let v = Alias::new("v");
        let user = || Expr::col((v.clone(), Alias::new("column1")));
        let first = |mut sel: SelectStatement| {
            sel.limit(1);
            Expr::from(SubQueryStatement::from(sel)).is_not_null()
        };
        let intercepted = Query::select()
            .expr(Expr::val(1))
            .from(ai::Entity)
            .and_where(Expr::col((ai::Entity, ai::Column::InitiatorId)).eq(user()))
            .to_owned();
        let mut owns = ai_workspaces();
        owns.expr(Expr::val(1))
            .and_where(Expr::col((ws::Entity, ws::Column::OwnerId)).eq(user()));
        let stmt = Query::select()
            .expr(user())
            .from_values(ids, v.clone())
            .cond_where(Condition::any().add(first(intercepted)).add(first(owns)))
            .to_owned();
        let rows = self.db.query_all(&stmt).await.map_err(db_err)?;
        rows.iter()
            .map(|r| r.try_get_by_index::<Uuid>(0).map(UserId).map_err(db_err))
            .collect()
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn seat_count(&self) -> RepoResult<u64> {
        let intercepted = Query::select()
            .expr(Expr::val(1))
            .from(ai::Entity)
            .and_where(
                Expr::col((ai::Entity, ai::Column::InitiatorId))
                    .equals((users::Entity, users::Column::Id)),
            )
            .to_owned();
        let mut owns = ai_workspaces();
        owns.expr(Expr::val(1)).and_where(
            Expr::col((ws::Entity, ws::Column::OwnerId)).equals((users::Entity, users::Column::Id)),
        );
        let stmt = Query::select()
            .expr_as(Func::count(Expr::col(Asterisk)), Alias::new("n"))
            .from(users::Entity)
            .and_where(Expr::col((users::Entity, users::Column::Deleted)).eq(false))
            .and_where(Expr::exists(intercepted).or(Expr::exists(owns)))
            .to_owned();
        let n: i64 = match self.db.query_one(&stmt).await.map_err(db_err)? {
            Some(row) => row.try_get("", "n").map_err(db_err)?,
            None => 0,
        };
        Ok(u64::try_from(n).unwrap_or(0))
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn record_interception(&self, interception: Interception) -> RepoResult<()> {
        let model = ai::Model {
            id: interception.id.0,
            initiator_id: interception.initiator_id.0,
            provider: interception.provider,
            model: interception.model,
            started_at: micros(interception.started_at),
        };
        ai::Entity::insert(model.into_active_model())
            .exec_without_returning(&self.db)
            .await
            .map_err(db_err_fk("user"))?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn list_interceptions(&self, filter: &RowFilter) -> RepoResult<Vec<Interception>> {
        let cond = row_filter(
            filter,
            ObjectOrg::Outside,
            Some(Expr::col((ai::Entity, ai::Column::InitiatorId))),
        );
        ai::Entity::find()
            .filter(cond)
            .order_by_desc(ai::Column::StartedAt)
            .order_by_desc(ai::Column::Id)
            .all(&self.db)
            .await
            .map_err(db_err)?
            .into_iter()
            .map(interception_from)
            .collect()
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn create_workspace(&self, workspace: Workspace) -> RepoResult<Workspace> {
        let model = ws::Model {
            id: workspace.id.0,
            organization_id: workspace.organization_id.0,
            owner_id: workspace.owner_id.0,
            name_key: (!workspace.deleted).then(|| key(&workspace.name)),
            name: workspace.name,
            deleted: workspace.deleted,
            created_at: micros(workspace.created_at),
            updated_at: micros(workspace.updated_at),
        };
        ws::Entity::insert(model.clone().into_active_model())
            .exec_without_returning(&self.db)
            .await
            .map_err(db_err_fk("organization or owner"))?;
        workspace_from(model)
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn find_workspace(&self, id: WorkspaceId) -> RepoResult<Option<Workspace>> {
        ws::Entity::find_by_id(id.0)
            .one(&self.db)
            .await
            .map_err(db_err)?
            .map(workspace_from)
            .transpose()
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn list_workspaces(&self, filter: &RowFilter) -> RepoResult<Vec<Workspace>> {
        let cond = row_filter(
            filter,
            ObjectOrg::Column(Expr::col((ws::Entity, ws::Column::OrganizationId))),
            Some(Expr::col((ws::Entity, ws::Column::OwnerId))),
        );
        ws::Entity::find()
            .filter(ws::Column::Deleted.eq(false))
            .filter(cond)
            .order_by_asc(ws::Column::NameKey)
            .order_by_asc(ws::Column::Id)
            .all(&self.db)
            .await
            .map_err(db_err)?
            .into_iter()
            .map(workspace_from)
            .collect()
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn add_build(&self, build: WorkspaceBuild) -> RepoResult<WorkspaceBuild> {
        let at = micros(build.created_at);
        let tx = self.write_tx().await?;
        // Touching the workspace first locks it, so two builds can't take the same number.
        let mut touch = ws::Entity::update_many().col_expr(ws::Column::UpdatedAt, Expr::val(at));
        if build.transition == Transition::Delete {
            touch = touch
                .col_expr(ws::Column::Deleted, Expr::val(true))
                .col_expr(ws::Column::NameKey, Expr::val(Option::<String>::None));
        }
        let res = touch
            .filter(ws::Column::Id.eq(build.workspace_id.0))
            .filter(ws::Column::Deleted.eq(false))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        if res.rows_affected == 0 {
            return Err(RepoError::NotFound {
                entity: "workspace",
            });
        }
        let last: Option<i32> = wb::Entity::find()
            .select_only()
            .column_as(wb::Column::BuildNumber.max(), "n")
            .filter(wb::Column::WorkspaceId.eq(build.workspace_id.0))
            .into_tuple::<Option<i32>>()
            .one(&tx)
            .await
            .map_err(db_err)?
            .flatten();
        let number = last
            .unwrap_or(0)
            .checked_add(1)
            .ok_or_else(|| corrupt("build_number", "overflow"))?;
        wb::Entity::insert(wb::ActiveModel {
            id: Set(build.id.0),
            workspace_id: Set(build.workspace_id.0),
            build_number: Set(number),
            transition: Set(build.transition.as_str().to_owned()),
            has_ai_task: Set(build.has_ai_task),
            initiator_id: Set(build.initiator_id.0),
            created_at: Set(at),
        })
        .exec_without_returning(&tx)
        .await
        .map_err(db_err_fk("user"))?;
        tx.commit().await.map_err(db_err)?;
        Ok(WorkspaceBuild {
            id: WorkspaceBuildId(build.id.0),
            build_number: number,
            created_at: from_micros(at)?,
            ..build
        })
    }
}
