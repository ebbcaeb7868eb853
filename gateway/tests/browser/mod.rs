//! Headless Chromium for the page and printout tests (Debian's `chromium`, installed by
//! `scripts/setup.sh`): the tests fail, never skip, without it.
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where Debian installs it.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Runs Chromium headless on `url` with `extra` arguments; returns stdout.
pub fn chromium(profile: &Path, url: &str, extra: &[&str]) -> String {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: install Debian's `chromium` package (scripts/setup.sh does)"
    );
    let output = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            &format!("--user-data-dir={}", profile.display()),
            "--virtual-time-budget=5000",
        ])
        .args(extra)
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A folder that outlives the test for its screenshots and PDFs (never committed): the test
/// prints their paths.
pub fn keep_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join("ebl-gateway-page-browser")
        .join(format!("{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
