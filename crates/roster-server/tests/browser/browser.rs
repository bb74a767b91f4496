//! Chromium through chromedriver: start, drive, wait, clean up.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::harness::{PASSWORD, free_port};

/// How long a wait for the page may take.
const WAIT: Duration = Duration::from_secs(15);

/// One browser at a time: the machine running the tests may have two cores.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// A headless Chromium session; on drop the session ends (Chromium quits) and chromedriver is
/// killed.
pub struct Browser {
    pub client: Client,
    driver: Child,
    port: u16,
    session: Option<String>,
    finished: bool,
    _profile: tempfile::TempDir,
    _turn: tokio::sync::MutexGuard<'static, ()>,
    base: String,
}

impl Drop for Browser {
    fn drop(&mut self) {
        // A test that failed never ended its session: ask chromedriver to quit Chromium, then
        // stop chromedriver itself.
        if !self.finished
            && let Some(id) = &self.session
        {
            end_session(self.port, id);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// `DELETE /session/{id}` over a plain socket (no runtime is available in `drop`).
fn end_session(port: u16, id: &str) {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    let req = format!(
        "DELETE /session/{id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if s.write_all(req.as_bytes()).is_ok() {
        let mut sink = Vec::new();
        let _ = s.read_to_end(&mut sink);
    }
}

impl Browser {
    /// Starts chromedriver and a headless Chromium pointed at `base` (the server's address).
    /// `None` (after printing why) when the browser is not installed and not required.
    pub async fn start(base: &str) -> Option<Browser> {
        let chromium = std::env::var_os("ROSTER_CHROMIUM")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
        let driver_bin = std::env::var_os("ROSTER_CHROMEDRIVER")
            .map(PathBuf::from)
            .or_else(|| find_on_path("chromedriver"));
        let missing = match (&driver_bin, chromium.is_file()) {
            (None, _) => Some("chromedriver is not installed".to_owned()),
            (Some(d), _) if !d.is_file() => Some(format!("{} does not exist", d.display())),
            (_, false) => Some(format!("{} does not exist", chromium.display())),
            _ => None,
        };
        if let Some(why) = missing {
            assert!(
                std::env::var("ROSTER_REQUIRE_BROWSER").as_deref() != Ok("1"),
                "ROSTER_REQUIRE_BROWSER=1 but {why} (apt-get install chromium chromium-driver)"
            );
            eprintln!(
                "note: skipping the browser test: {why} (apt-get install chromium chromium-driver)"
            );
            return None;
        }
        let driver_bin = driver_bin?;
        let turn = ONE_AT_A_TIME.lock().await;
        let port = free_port();
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().unwrap();
        let webdriver = format!("http://127.0.0.1:{port}");
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--disable-dev-shm-usage",
                    "--window-size=1400,1000",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        });
        let Value::Object(caps) = caps else {
            unreachable!()
        };
        // chromedriver needs a moment before it accepts sessions.
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&webdriver)
                .await
            {
                Ok(c) => break c,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("could not start a Chromium session: {e}"),
            }
        };
        let session = client.session_id().await.ok().flatten();
        Some(Browser {
            client,
            driver,
            port,
            session,
            finished: false,
            _profile: profile,
            _turn: turn,
            base: base.to_owned(),
        })
    }

    /// Opens a path of the server (e.g. `/#/users`).
    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    /// Waits for an element matching `css`.
    pub async fn wait(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(e) => e,
            Err(e) => panic!(
                "no element {css:?} within {WAIT:?}: {e}\n{}",
                self.page_text().await
            ),
        }
    }

    /// How many elements match `css` right now.
    pub async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .map(|v| v.len())
            .unwrap_or(0)
    }

    /// Waits until nothing matches `css`.
    pub async fn wait_gone(&self, css: &str) {
        let deadline = Instant::now() + WAIT;
        while self.count(css).await > 0 {
            assert!(Instant::now() < deadline, "{css:?} still present");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the text of the first element matching `css` contains `text`.
    pub async fn wait_text(&self, css: &str, text: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(e) = self.client.find(Locator::Css(css)).await
                && let Ok(t) = e.text().await
                && t.contains(text)
            {
                return t;
            }
            assert!(
                Instant::now() < deadline,
                "{css:?} never contained {text:?}\n{}",
                self.page_text().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The visible text of the page, for failure messages.
    pub async fn page_text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(b) => b.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Clicks the first element matching `css` (waiting for it), scrolled to the middle of
    /// its scroll container so sticky headers can't cover it.
    /// An element the page re-renders between finding and using it is found again.
    pub async fn click(&self, css: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let e = self.wait(css).await;
            let scrolled = self
                .client
                .execute(
                    "arguments[0].scrollIntoView({block: 'center', inline: 'center'});",
                    vec![serde_json::to_value(&e).unwrap()],
                )
                .await;
            let clicked = match scrolled {
                Ok(_) => e.click().await,
                Err(err) => Err(err),
            };
            match clicked {
                Ok(()) => return,
                Err(err) => assert!(Instant::now() < deadline, "clicking {css:?}: {err}"),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Types into the first element matching `css` (waiting for it); an element the page
    /// re-renders meanwhile is found again.
    pub async fn type_into(&self, css: &str, text: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            match self.wait(css).await.send_keys(text).await {
                Ok(()) => return,
                Err(err) => assert!(Instant::now() < deadline, "typing into {css:?}: {err}"),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Signs in through the sign-in form and waits for the Users page.
    pub async fn sign_in(&self, email: &str) {
        self.goto("/").await;
        self.wait_text("h1", "Sign in").await;
        self.type_into("input[name=email]", email).await;
        self.type_into("input[name=password]", PASSWORD).await;
        self.click("button[type=submit]").await;
        self.wait_text("h1", "Users").await;
        self.wait("table[data-list=users]").await;
    }

    /// Saves a PNG of the window.
    pub async fn screenshot(&self, path: &Path) {
        let png = self.client.screenshot().await.unwrap();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(path, png).unwrap();
    }

    /// Ends the WebDriver session.
    pub async fn finish(mut self) {
        let _ = self.client.clone().close().await;
        self.finished = true;
    }
}
