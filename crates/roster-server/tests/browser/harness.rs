//! Starts the binary and talks to its API (a trimmed copy of the e2e harness).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The first user's credentials.
pub const ADMIN_EMAIL: &str = "admin@example.com";
/// Every test user's password.
pub const PASSWORD: &str = "SomeSecurePassword!";

/// A running server on SQLite in a temporary directory, killed on drop.
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

/// A free TCP port on the loopback interface.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    /// Starts the binary with extra `ROSTER_*` settings and waits until it answers.
    pub async fn start(env: &[(&str, &str)]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("roster.db").display()
        );
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
            if let Ok(r) = server.client.get(server.url("/healthz")).send().await
                && r.status().is_success()
            {
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

    /// Sends a request as `token` and returns the status and JSON body (`Null` when empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut rb = self.client.request(method, self.url(path));
        if let Some(t) = token {
            rb = rb.header("Coder-Session-Token", t);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let res = rb.send().await.expect("request");
        let status = res.status();
        let bytes = res.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        (status, body)
    }

    /// `GET` as `token`, asserting 200.
    pub async fn get(&self, path: &str, token: &str) -> Value {
        let (status, body) = self.call(Method::GET, path, Some(token), None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    /// A request as `token`, asserting the status.
    pub async fn expect(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
        want: u16,
    ) -> Value {
        let (status, body) = self.call(method, path, Some(token), body).await;
        assert_eq!(status.as_u16(), want, "{path}: {body}");
        body
    }

    /// Creates the first user (`admin`, an owner) and returns their session token.
    pub async fn first_user(&self) -> String {
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v2/users/first",
                None,
                Some(json!({
                    "email": ADMIN_EMAIL, "username": "admin", "name": "Admin", "password": PASSWORD,
                })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        self.login(ADMIN_EMAIL).await
    }

    /// Signs in and returns the session token.
    pub async fn login(&self, email: &str) -> String {
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v2/users/login",
                None,
                Some(json!({"email": email, "password": PASSWORD})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["session_token"].as_str().unwrap().to_owned()
    }

    /// Creates an active password user in the default organization and returns its id.
    pub async fn user(&self, admin: &str, username: &str) -> String {
        let body = self
            .expect(
                Method::POST,
                "/api/v2/users",
                admin,
                Some(json!({
                    "email": format!("{username}@example.com"), "username": username,
                    "name": format!("{username} Example"), "password": PASSWORD,
                    "organization_ids": ["00000000-0000-0000-0000-000000000000"],
                    "user_status": "active",
                })),
                201,
            )
            .await;
        body["id"].as_str().unwrap().to_owned()
    }
}
