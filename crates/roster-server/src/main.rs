//! `roster`: the Roster server binary, and the composition root — the only place that reads
//! configuration, installs a subscriber, opens the database and wires adapters into ports.

mod config;
mod telemetry;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use migrations::{Migrator, MigratorTrait};
use roster_domain::audit::AuditStamp;
use roster_domain::ids::{AuditLogId, OrganizationId, UserId};
use roster_domain::organization::NewOrganization;
use roster_domain::ports::{OrganizationRepo, UserRepo};
use roster_domain::user::{LoginType, NewUser, UserStatus};
use roster_domain::{Clock, SystemClock};
use roster_http::{ApiSettings, AppState, Entitlements, Ports};
use roster_store::SeaStore;
use sea_orm::DatabaseConnection;
use secrecy::ExposeSecret;

use crate::config::Settings;

/// Roster: a self-hosted organization-membership and RBAC server speaking Coder's /api/v2.
#[derive(Debug, Parser)]
#[command(name = "roster", version)]
struct Cli {
    /// Configuration file (default: ./roster.toml when present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API.
    Server,
    /// Manage the database schema.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Create an owner without the API, for operators locked out.
    CreateAdminUser {
        /// Username.
        #[arg(long)]
        username: String,
        /// Email.
        #[arg(long)]
        email: String,
        /// Password.
        #[arg(long)]
        password: String,
    },
    /// Fill an organization with generated members, for benchmarks.
    Seed {
        /// Organization name (created when missing).
        #[arg(long, default_value = "bench")]
        organization: String,
        /// How many members to add.
        #[arg(long, default_value_t = 100_000)]
        members: usize,
        /// Give every N-th new member an AI seat (one AI Bridge interception); 0 for none.
        #[arg(long, default_value_t = 0)]
        ai_seat_every: usize,
    },
}

#[derive(Debug, Subcommand)]
enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Revert the last migration.
    Down,
    /// List migrations and whether each is applied.
    Status,
}

/// A page allocates a few thousand small values (rows, strings, JSON). With mimalloc the server
/// spends 12 to 15 % less CPU per member page than with the system allocator (server CPU per
/// request in `scripts/bench-members.sh`), for about 13 MB more resident memory.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load(cli.config.as_deref())?;
    telemetry::init(&settings.log)?;
    tracing::info!(config = %settings, "configuration loaded");
    match cli.command {
        Command::Server => serve(settings).await,
        Command::Migrate { action } => {
            let db = connect(&settings).await?;
            match action {
                MigrateAction::Up => Migrator::up(&db, None).await.context("migrating up")?,
                MigrateAction::Down => Migrator::down(&db, Some(1))
                    .await
                    .context("migrating down")?,
                MigrateAction::Status => Migrator::status(&db)
                    .await
                    .context("reading migration status")?,
            }
            Ok(())
        }
        Command::CreateAdminUser {
            username,
            email,
            password,
        } => {
            let db = prepare_database(&settings, true).await?;
            create_admin(&SeaStore::new(db), &SystemClock, username, email, password).await
        }
        Command::Seed {
            organization,
            members,
            ai_seat_every,
        } => {
            let db = prepare_database(&settings, true).await?;
            let store = SeaStore::new(db);
            seed(&store, &SystemClock, &organization, members, ai_seat_every).await
        }
    }
}

async fn connect(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    roster_store::connect_with(
        settings.database.url.expose_secret(),
        settings.database.pool_size(),
    )
    .await
    .with_context(|| {
        format!(
            "connecting to {}",
            config::redact_url(settings.database.url.expose_secret())
        )
    })
}

/// Connects, migrates (when asked) and makes sure the default organization exists.
async fn prepare_database(
    settings: &Settings,
    migrate: bool,
) -> anyhow::Result<DatabaseConnection> {
    let db = connect(settings).await?;
    if migrate {
        Migrator::up(&db, None)
            .await
            .context("applying migrations")?;
    }
    let store = SeaStore::new(db.clone());
    store
        .ensure_default(NewOrganization {
            id: OrganizationId::new_v7(),
            name: "coder".into(),
            display_name: "Coder".into(),
            description: "Builtin default organization.".into(),
            icon: String::new(),
            is_default: true,
            creator: None,
            created_at: SystemClock.now(),
        })
        .await
        .context("creating the default organization")?;
    Ok(db)
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let db = prepare_database(&settings, settings.database.migrate_on_start).await?;
    let store = Arc::new(SeaStore::new(db));
    let ports = Ports {
        users: store.clone(),
        orgs: store.clone(),
        members: store.clone(),
        roles: store.clone(),
        keys: store.clone(),
        ai: store.clone(),
        audit: store.clone(),
        health: store.clone(),
        epoch: store.clone(),
    };
    let api = ApiSettings {
        entitlements: Entitlements {
            custom_roles: settings.entitlements.custom_roles,
            multiple_organizations: settings.entitlements.multiple_organizations,
            ai_governance_user_limit: settings.ai_seat_limit(),
        },
        session_lifetime: time::Duration::hours(i64::from(settings.auth.session_lifetime_hours)),
        max_token_lifetime: time::Duration::days(i64::from(settings.auth.max_token_lifetime_days)),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        deployment_id: String::new(),
        secure_cookies: settings.http.secure_cookies,
    };
    let app = roster_http::router(AppState::new(ports, Arc::new(SystemClock), api));
    let listener = tokio::net::TcpListener::bind(settings.http.address)
        .await
        .with_context(|| format!("listening on {}", settings.http.address))?;
    tracing::info!(address = %listener.local_addr()?, "serving");
    // The peer address becomes the `ip` of audit entries.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("serving")?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGINT or SIGTERM; the server then stops accepting and lets in-flight requests
/// finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("SIGINT received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}

/// The audit stamp of a change made by the operator's command line: no acting user, no request.
fn cli_stamp(clock: &dyn Clock, command: &str) -> AuditStamp {
    AuditStamp {
        id: AuditLogId::new_v7(),
        time: clock.now(),
        actor: None,
        status_code: 200,
        request_id: String::new(),
        ip: String::new(),
        user_agent: command.to_owned(),
    }
}

async fn create_admin(
    store: &SeaStore,
    clock: &dyn Clock,
    username: String,
    email: String,
    password: String,
) -> anyhow::Result<()> {
    if let Err(e) = roster_domain::name::check_name(&username) {
        bail!("invalid username {username:?}: {e}");
    }
    let org = store
        .default_org()
        .await?
        .context("the default organization is missing")?;
    let hash = roster_http::auth::hash_password(&password)
        .map_err(|e| anyhow::anyhow!("hashing the password: {e}"))?;
    let user = UserRepo::create(
        store,
        NewUser {
            id: UserId::new_v7(),
            username,
            email,
            name: String::new(),
            password_hash: Some(hash),
            login_type: LoginType::Password,
            is_service_account: false,
            status: UserStatus::Active,
            site_roles: vec![roster_rbac::builtin::OWNER.to_owned()],
            organization_ids: vec![org.id],
            created_at: clock.now(),
        },
        cli_stamp(clock, "roster create-admin-user"),
    )
    .await
    .map_err(|e| match e {
        roster_domain::RepoError::Conflict { field } => {
            anyhow::anyhow!("a user with this {field} already exists")
        }
        e => anyhow::Error::new(e).context("creating the user"),
    })?;
    println!("created owner {} ({})", user.username, user.id);
    Ok(())
}

async fn seed(
    store: &SeaStore,
    clock: &dyn Clock,
    name: &str,
    members: usize,
    ai_seat_every: usize,
) -> anyhow::Result<()> {
    let org = match store.find_by_name(name).await? {
        Some(org) => org,
        None => OrganizationRepo::create(
            store,
            NewOrganization {
                id: OrganizationId::new_v7(),
                name: name.to_owned(),
                display_name: name.to_owned(),
                description: "Generated for benchmarks.".into(),
                icon: String::new(),
                is_default: false,
                creator: None,
                created_at: clock.now(),
            },
            cli_stamp(clock, "roster seed"),
        )
        .await
        .context("creating the organization")?,
    };
    let ids = roster_store::seed::seed_members(store.connection(), org.id, members, clock.now())
        .await
        .context("seeding members")?;
    println!("seeded {members} members into {} ({})", org.name, org.id);
    if ai_seat_every > 0 {
        let seated: Vec<_> = ids.into_iter().step_by(ai_seat_every).collect();
        roster_store::seed::seed_ai_interceptions(store.connection(), &seated, clock.now())
            .await
            .context("seeding AI Bridge interceptions")?;
        println!("gave {} of them an AI seat", seated.len());
    }
    Ok(())
}
