//! Starts the binary and talks to it.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Where the server keeps its data.
#[derive(Debug, Clone)]
pub enum Backend {
    /// A temporary SQLite file.
    Sqlite,
    /// A PostgreSQL server; each server start gets a fresh database.
    Postgres(String),
}

impl Backend {
    /// The PostgreSQL backend, when configured. Fails the test when it is required but missing.
    pub fn postgres() -> Option<Backend> {
        match std::env::var("ROSTER_TEST_PG_URL") {
            Ok(url) if !url.is_empty() => Some(Backend::Postgres(url)),
            _ => {
                assert!(
                    std::env::var("ROSTER_REQUIRE_PG").as_deref() != Ok("1"),
                    "ROSTER_REQUIRE_PG=1 but ROSTER_TEST_PG_URL is not set"
                );
                None
            }
        }
    }
}

/// A running server, killed on drop.
pub struct Server {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
    client: reqwest::Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Sends SIGTERM and waits for the process to exit, returning its exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success(), "kill -TERM {pid}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "roster did not stop within 20 s of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Creates an empty PostgreSQL database next to `admin_url`'s and returns its URL.
pub async fn fresh_postgres_database(admin_url: &str) -> String {
    use sea_orm::{ConnectionTrait, Database};
    let name = format!("roster_e2e_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(admin_url)
        .await
        .expect("connect to PostgreSQL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    admin.close().await.unwrap();
    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("a database URL with a path");
    format!("{base}/{name}")
}

/// A response: status and JSON body (`Value::Null` when empty).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// Asserts the status and returns the body.
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status, body: {}",
            self.body
        );
        self.body
    }

    /// Asserts a Coder error body.
    #[track_caller]
    pub fn expect_error(self, status: u16, message: &str) -> Value {
        let body = self.expect(status);
        assert_eq!(body["message"], message, "body: {body}");
        body
    }
}

impl Server {
    /// Starts the binary with extra `ROSTER_*` settings and waits until it answers.
    pub async fn start(backend: &Backend, env: &[(&str, &str)]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let url = match backend {
            Backend::Sqlite => format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("roster.db").display()
            ),
            Backend::Postgres(admin) => fresh_postgres_database(admin).await,
        };
        Server::start_on(dir, &url, env).await
    }

    /// Starts the binary on an existing database (several servers may share one).
    pub async fn start_on(dir: tempfile::TempDir, url: &str, env: &[(&str, &str)]) -> Server {
        let port = free_port();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_roster"));
        cmd.arg("server")
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("ROSTER_HTTP__ADDRESS", format!("127.0.0.1:{port}"))
            .env("ROSTER_DATABASE__URL", url)
            .env(
                "ROSTER_LOG__FILTER",
                std::env::var("TEST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        if std::env::var("TEST_LOG").is_err() {
            cmd.stderr(Stdio::null());
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start roster");
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            _dir: dir,
            client: reqwest::Client::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let health = server.client.get(server.url("/healthz")).send().await;
            if health.is_ok_and(|r| r.status().is_success()) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "roster did not start within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    /// The address of a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request with an optional session token and JSON body.
    pub fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let mut rb = self.client.request(method, self.url(path));
        if let Some(t) = token {
            rb = rb.header("Coder-Session-Token", t);
        }
        rb
    }

    /// Sends a request and decodes the reply.
    pub async fn send(&self, rb: reqwest::RequestBuilder) -> Reply {
        let res = rb.send().await.expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// `GET` as `token`.
    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.send(self.request(Method::GET, path, Some(token)))
            .await
    }

    /// A JSON request as `token`.
    pub async fn call(&self, method: Method, path: &str, token: &str, body: Value) -> Reply {
        self.send(self.request(method, path, Some(token)).json(&body))
            .await
    }

    /// Creates the first user (`admin`, an owner) and returns their session token.
    pub async fn first_user(&self) -> String {
        let r = self
            .send(
                self.request(Method::POST, "/api/v2/users/first", None)
                    .json(&json!({
                        "email": "admin@example.com",
                        "username": "admin",
                        "name": "Admin",
                        "password": "SomeSecurePassword!",
                    })),
            )
            .await;
        r.expect(201);
        self.login("admin@example.com", "SomeSecurePassword!").await
    }

    /// Signs in and returns the session token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let body = self
            .send(
                self.request(Method::POST, "/api/v2/users/login", None)
                    .json(&json!({
                        "email": email, "password": password,
                    })),
            )
            .await
            .expect(201);
        body["session_token"].as_str().unwrap().to_owned()
    }

    /// Creates an active password user in the default organization, returning (id, token).
    pub async fn user(&self, admin: &str, username: &str) -> (String, String) {
        let email = format!("{username}@example.com");
        let body = self
            .call(
                Method::POST,
                "/api/v2/users",
                admin,
                json!({
                    "email": email, "username": username, "password": "SomeSecurePassword!",
                    "organization_ids": ["00000000-0000-0000-0000-000000000000"],
                    "user_status": "active",
                }),
            )
            .await
            .expect(201);
        let token = self.login(&email, "SomeSecurePassword!").await;
        (body["id"].as_str().unwrap().to_owned(), token)
    }
}
