//! The real gateway router over `ebl_gateway::testkit::LocalNode::pilot()` (real ledger rules, no
//! consensus), served on 127.0.0.1:0 by a tokio runtime in a background thread, and helpers to
//! drive the wallet binary against it as the pilot's organisations.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use assert_cmd::Command;
use ebl_gateway::testkit::LocalNode;
use ebl_gateway::{ApiKey, GatewayConfig, Scope};
use serde_json::Value;

use crate::common::Sandbox;

/// The API key the wallet uses (read + submit).
pub const API_KEY: &str = "wallet-test-key";
/// A key with `read` only.
pub const READ_ONLY: &str = "wallet-read-only";

/// A running gateway.
pub struct Server {
    pub url: String,
    pub node: Arc<LocalNode>,
}

/// Starts the gateway; it runs until the test process ends.
pub fn start() -> Server {
    let node = LocalNode::pilot();
    let config = GatewayConfig::with_keys([
        // R235: the tests act for several organisations with one key and read every bill
        // back, so the key reads as the regulator (a party's key would see its own bills).
        ApiKey::from_secret(
            "wallet",
            API_KEY,
            &[Scope::Read, Scope::Submit, Scope::Regulator],
        ),
        ApiKey::from_secret("reader", READ_ONLY, &[Scope::Read]),
    ]);
    let app = ebl_gateway::router(node.clone(), config);
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    let addr = rx.recv().unwrap();
    Server {
        url: format!("http://{addr}"),
        node,
    }
}

/// A URL where nothing listens.
pub fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

/// A sandbox with the pilot keys of `orgs` imported as identities named after them.
pub fn sandbox_with(orgs: &[&str]) -> Sandbox {
    let sb = Sandbox::new();
    for org in orgs {
        let key = ebl_ledger::testkit::key_from_label(&format!("org:{org}"));
        let pem = ebl_wallet::keys::to_pkcs8_pem(&key).unwrap();
        let path = sb.path(&format!("{org}.pem"));
        std::fs::write(&path, pem.as_bytes()).unwrap();
        sb.wallet()
            .args(["key", "import", org, "--pem"])
            .arg(&path)
            .assert()
            .success();
    }
    sb
}

/// `ebl-wallet --gateway URL --api-key KEY …` in the sandbox.
pub fn online(sb: &Sandbox, server: &Server) -> Command {
    let mut cmd = sb.wallet();
    cmd.args(["--gateway", &server.url, "--api-key", API_KEY]);
    cmd
}

/// The DCSA issuance request committed with the ledger.
pub fn sample_request() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ledger/src/testkit/dcsa-issuance-request.json")
}

/// The sample with another transportDocumentReference, written to `path`.
pub fn variant(path: &Path, reference: &str) {
    let mut v: Value = serde_json::from_slice(&std::fs::read(sample_request()).unwrap()).unwrap();
    v["document"]["transportDocumentReference"] = Value::String(reference.into());
    std::fs::write(path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
}

/// Runs `cmd` with `--json` output expected on stdout and returns (exit code, JSON, stderr).
pub fn run_json(cmd: &mut Command) -> (i32, Value, String) {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json, stderr)
}

/// The document id the wallet computes for `file`.
pub fn doc_id(sb: &Sandbox, file: &Path) -> String {
    let (code, v, err) = run_json(sb.wallet().args(["--json", "doc-id"]).arg(file));
    assert_eq!(code, 0, "{err}");
    v["document_id"].as_str().unwrap().to_string()
}
