//! R205: `ebl-node dev` — what `./scripts/run.sh`, the README's main command, starts — runs in a
//! build with the `dev` feature: a fresh data folder gets an admin key and a gateway that
//! answers `/v1/status` with it, and SIGTERM stops the node cleanly.
//!
//! The binary is the `ebl-node` next to this package's `ebl-testnet` (scripts/test.sh builds it
//! with `--features dev`) or EBL_NODE_BIN; when it is missing or was built without the
//! feature (it then refuses `dev`), the test builds it with the feature into that folder.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

const TESTNET: &str = env!("CARGO_BIN_EXE_ebl-testnet");
/// Bound on the node's start (first build of a RocksDB store included) and on its stop.
const START: Duration = Duration::from_secs(60);
const STOP: Duration = Duration::from_secs(20);

fn node_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("EBL_NODE_BIN") {
        return PathBuf::from(path);
    }
    Path::new(TESTNET).parent().unwrap().join("ebl-node")
}

/// Builds `ebl-node` with the `dev` feature into the folder of `node`.
fn build_with_dev(node: &Path) {
    let bin_dir = node.parent().unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let status = Command::new(cargo)
        .args([
            "build",
            "-p",
            "ebl-node",
            "--bin",
            "ebl-node",
            "--features",
            "dev",
        ])
        .arg("--manifest-path")
        .arg(manifest)
        .arg("--target-dir")
        .arg(bin_dir.parent().unwrap())
        .status()
        .unwrap();
    assert!(
        status.success(),
        "cargo build -p ebl-node --features dev failed"
    );
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Starts `ebl-node dev` on `data` and `port`, its output in `log`.
fn start(node: &Path, data: &Path, port: u16, log: &Path) -> Child {
    Command::new(node)
        .args(["dev", "--data"])
        .arg(data)
        .args(["--api", &format!("127.0.0.1:{port}")])
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(log).unwrap())
        .stderr(std::fs::File::create(log.with_extension("err")).unwrap())
        .spawn()
        .unwrap()
}

fn output(log: &Path) -> String {
    let out = std::fs::read_to_string(log).unwrap_or_default();
    let err = std::fs::read_to_string(log.with_extension("err")).unwrap_or_default();
    format!("{out}{err}")
}

/// Waits until the gateway answers `/v1/status` with the admin key and returns the status;
/// `Err` with the node's output if it exited first.
fn status_when_ready(
    child: &mut Child,
    data: &Path,
    port: u16,
    log: &Path,
) -> Result<serde_json::Value, String> {
    let started = Instant::now();
    loop {
        if let Some(exit) = child.try_wait().unwrap() {
            assert!(!exit.success(), "ebl-node dev exited 0 on its own");
            return Err(output(log));
        }
        assert!(
            started.elapsed() < START,
            "no status within {START:?}:\n{}",
            output(log)
        );
        if let Ok(key) = std::fs::read_to_string(data.join("api_key")) {
            let answer = ureq::get(&format!("http://127.0.0.1:{port}/v1/status"))
                .set("Authorization", &format!("Bearer {}", key.trim()))
                .timeout(Duration::from_secs(2))
                .call();
            if let Ok(response) = answer {
                return Ok(response.into_json().unwrap());
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn the_dev_network_starts_answers_with_its_admin_key_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_binary();
    let data = dir.path().join("data");
    let log = dir.path().join("node.log");
    if !node.is_file() {
        build_with_dev(&node);
    }
    let (mut child, mut port, status) = start_on_a_free_port(&node, &data, &log);
    let status = match status {
        Ok(status) => status,
        // A binary built without the feature refuses at once and says so (R205).
        Err(refusal) => {
            assert!(refusal.contains("--features dev"), "{refusal}");
            println!(
                "{} lacks `dev`; building it with the feature",
                node.display()
            );
            build_with_dev(&node);
            let (again, again_port, status) = start_on_a_free_port(&node, &data, &log);
            (child, port) = (again, again_port);
            status.unwrap()
        }
    };
    assert!(status.is_object(), "{status}");
    let unauthenticated = ureq::get(&format!("http://127.0.0.1:{port}/v1/status")).call();
    assert!(
        matches!(unauthenticated, Err(ureq::Error::Status(401, _))),
        "the status needs the key"
    );
    assert!(data.join("org_api_keys").join("CARRIER").is_file());

    let pid = i32::try_from(child.id()).unwrap();
    kill(Pid::from_raw(pid), Signal::SIGTERM).unwrap();
    let stopping = Instant::now();
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        if stopping.elapsed() > STOP {
            let _ = child.kill();
            panic!("ebl-node dev ignored SIGTERM:\n{}", output(&log));
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(exit.success(), "{exit}:\n{}", output(&log));
}

/// Starts `ebl-node dev` (building it with the feature when the binary lacks it) and waits for
/// its gateway.
fn start_ready(node: &Path, data: &Path, log: &Path) -> (Child, u16) {
    if !node.is_file() {
        build_with_dev(node);
    }
    match start_on_a_free_port(node, data, log) {
        (child, port, Ok(_)) => (child, port),
        (_, _, Err(_)) => {
            build_with_dev(node);
            let (child, port, status) = start_on_a_free_port(node, data, log);
            status.unwrap();
            (child, port)
        }
    }
}

/// Starts the node on a port free a moment ago and waits for its status. Another test may
/// take that port before the node binds it: then it starts again on another (a few times).
fn start_on_a_free_port(
    node: &Path,
    data: &Path,
    log: &Path,
) -> (Child, u16, Result<serde_json::Value, String>) {
    let mut attempt = 0;
    loop {
        let port = free_port();
        let mut child = start(node, data, port, log);
        let status = status_when_ready(&mut child, data, port, log);
        match &status {
            Err(out) if out.contains("Address already in use") && attempt < 4 => attempt += 1,
            _ => return (child, port, status),
        }
    }
}

/// A ship certificate the dev network's MSA issues custodially (R65), numbered `n`.
fn certificate(n: usize) -> serde_json::Value {
    serde_json::json!({"certificate": {
        "utn": format!("MSA-DURABLE-{n:04}"),
        "kind": "SAFETY_EQUIPMENT",
        "ship": {"imo_number": "9074729", "name": "PILOT STAR", "flag": "CN",
                 "call_sign": "BPXA", "gross_tonnage": 41000},
        "issued_on": "2026-01-10",
        "expires_on": "2031-01-09",
        "document": null,
        "place": "Guangzhou",
    }})
}

/// R250, issue 13 item 4: every custodial submission answered `202 pending` survives a
/// `kill -9` of the node: after a restart each one is final or a typed failure, none unknown.
#[test]
fn custodial_entries_answered_202_survive_kill_minus_9() {
    // Within the key's burst (50), so no request meets the rate limit.
    const SUBMISSIONS: usize = 45;
    let dir = tempfile::tempdir().unwrap();
    let node = node_binary();
    let data = dir.path().join("data");
    let log = dir.path().join("node.log");
    let (mut child, port) = start_ready(&node, &data, &log);
    let key = std::fs::read_to_string(data.join("org_api_keys").join("MSA")).unwrap();
    let key = key.trim().to_string();
    let url = format!("http://127.0.0.1:{port}/v1/custodial/certificates");
    let mut accepted = Vec::new();
    for n in 0..SUBMISSIONS {
        let reply = ureq::post(&url)
            .set("Authorization", &format!("Bearer {key}"))
            .timeout(Duration::from_secs(10))
            .send_json(certificate(n));
        let reply: serde_json::Value = reply.unwrap().into_json().unwrap();
        accepted.push(reply["id"].as_str().unwrap().to_string());
    }
    // No graceful stop: the pool and everything in memory are gone.
    child.kill().unwrap();
    child.wait().unwrap();

    let log2 = dir.path().join("node2.log");
    let (mut child, port) = start_ready(&node, &data, &log2);
    let admin = std::fs::read_to_string(data.join("api_key")).unwrap();
    let deadline = Instant::now() + START;
    let mut unsettled = accepted.clone();
    while !unsettled.is_empty() && Instant::now() < deadline {
        unsettled.retain(|id| {
            let reply = ureq::get(&format!("http://127.0.0.1:{port}/v1/entries/{id}"))
                .set("Authorization", &format!("Bearer {}", admin.trim()))
                .call();
            let status = match reply {
                Ok(r) => r.into_json::<serde_json::Value>().unwrap()["status"].clone(),
                Err(ureq::Error::Status(404, _)) => serde_json::json!("unknown"),
                // The admin key's bucket (50, 20/s): ask again on the next round.
                Err(ureq::Error::Status(429, _)) => serde_json::json!("rate limited"),
                Err(e) => panic!("{e}"),
            };
            !(status == "final" || status == "failed")
        });
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        unsettled.is_empty(),
        "{} of {SUBMISSIONS} entries answered 202 were lost: {unsettled:?}\n{}",
        unsettled.len(),
        output(&log2)
    );
    println!(
        "replay after kill -9: {}",
        output(&log2)
            .lines()
            .find(|l| l.contains("custodial journal replayed"))
            .unwrap_or("nothing was pending")
    );
}
