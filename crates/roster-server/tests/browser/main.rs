//! Browser tests of the admin web UI: the real `roster` binary, Debian's Chromium driven through
//! chromedriver (WebDriver) with fantoccini.
//!
//! Needs `/usr/bin/chromium` and `chromedriver` (`apt-get install chromium chromium-driver`).
//! Without them each test prints a note and passes, unless `ROSTER_REQUIRE_BROWSER=1`, which
//! turns a missing browser into a failure (CI sets it). A screenshot of the members page is
//! saved to `target/ui-screenshots/members.png`.

// Test code: a failed unwrap is a failed test, which is what we want.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod browser;
mod harness;
mod ui;
