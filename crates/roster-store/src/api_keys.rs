//! [`ApiKeyRepo`] on [`SeaStore`].

use async_trait::async_trait;
use roster_domain::RepoResult;
use roster_domain::ids::UserId;
use roster_domain::ports::ApiKeyRepo;
use roster_domain::token::{ApiKey, ApiKeyKind};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use time::OffsetDateTime;

use crate::SeaStore;
use crate::convert::{self, from_micros, micros};
use crate::entity::{api_keys, users};
use crate::error::{corrupt, db_err, db_err_fk};

fn kind_str(kind: ApiKeyKind) -> &'static str {
    match kind {
        ApiKeyKind::Session => "session",
        ApiKeyKind::Token => "token",
    }
}

fn key_from(m: api_keys::Model) -> RepoResult<ApiKey> {
    let kind = match m.kind.as_str() {
        "session" => ApiKeyKind::Session,
        "token" => ApiKeyKind::Token,
        other => return Err(corrupt("api_keys.kind", other)),
    };
    Ok(ApiKey {
        id: m.id,
        user_id: UserId(m.user_id),
        hashed_secret: m.hashed_secret,
        kind,
        login_type: convert::login_type(&m.login_type)?,
        token_name: m.token_name,
        created_at: from_micros(m.created_at)?,
        expires_at: from_micros(m.expires_at)?,
        last_used: from_micros(m.last_used)?,
    })
}

#[async_trait]
impl ApiKeyRepo for SeaStore {
    // The key holds a secret's hash: only its id is recorded.
    #[tracing::instrument(level = "debug", skip(self, key), fields(key_id = %key.id), err(level = "debug"))]
    async fn create(&self, key: ApiKey) -> RepoResult<()> {
        let model = api_keys::Model {
            id: key.id,
            user_id: key.user_id.0,
            hashed_secret: key.hashed_secret,
            kind: kind_str(key.kind).to_owned(),
            login_type: key.login_type.as_str().to_owned(),
            token_name: key.token_name,
            created_at: micros(key.created_at),
            expires_at: micros(key.expires_at),
            last_used: micros(key.last_used),
        };
        api_keys::Entity::insert(model.into_active_model())
            .exec_without_returning(&self.db)
            .await
            .map_err(db_err_fk("user"))?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn find(&self, id: &str) -> RepoResult<Option<ApiKey>> {
        api_keys::Entity::find_by_id(id.to_owned())
            .one(&self.db)
            .await
            .map_err(db_err)?
            .map(key_from)
            .transpose()
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn delete(&self, id: &str) -> RepoResult<()> {
        let tx = self.write_tx().await?;
        // A revoked key must stop working on every replica at once, cached or not.
        crate::bump_authz_epoch(&tx).await?;
        api_keys::Entity::delete_by_id(id.to_owned())
            .exec(&tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn touch(&self, id: &str, user: UserId, at: OffsetDateTime) -> RepoResult<()> {
        let tx = self.write_tx().await?;
        api_keys::Entity::update_many()
            .col_expr(api_keys::Column::LastUsed, Expr::val(micros(at)))
            .filter(api_keys::Column::Id.eq(id))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        users::Entity::update_many()
            .col_expr(users::Column::LastSeenAt, Expr::val(micros(at)))
            .filter(users::Column::Id.eq(user.0))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(())
    }
}
