#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Shared helpers of the CLI tests: a wallet command bound to a temporary keystore, with fast KDF
//! costs and a passphrase file, and a fixed test chain.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use ebl_ledger::entry::{ChainRef, SignedEntry};
use ebl_ledger::hash::Hash32;

pub const PASSPHRASE: &str = "correct horse battery";
pub const CHAIN_ID: &str = "ebl-test-1";

/// A temporary keystore and working directory.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pass.txt"), format!("{PASSPHRASE}\n")).unwrap();
        Sandbox { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn keystore(&self) -> PathBuf {
        self.path("ks")
    }

    /// `ebl-wallet` with the keystore, fast KDF and the passphrase file; no ambient variables.
    pub fn wallet(&self) -> Command {
        let mut cmd = self.bare();
        cmd.arg("--passphrase-file").arg(self.path("pass.txt"));
        cmd
    }

    /// Like [`Sandbox::wallet`] but without a passphrase source.
    pub fn bare(&self) -> Command {
        let mut cmd = Command::cargo_bin("ebl-wallet").unwrap();
        cmd.current_dir(self.dir.path())
            .env_remove("EBL_WALLET_PASSPHRASE")
            .env_remove("EBL_WALLET_IDENTITY")
            .env_remove("EBL_CHAIN_ID")
            .env_remove("EBL_GENESIS_HASH")
            .env_remove("EBL_GATEWAY")
            .env_remove("EBL_API_KEY")
            .env("EBL_WALLET_DIR", self.keystore())
            .env("EBL_WALLET_INSECURE_FAST_KDF", "1");
        cmd
    }

    /// Creates identity `name` with a fresh key.
    pub fn generate(&self, name: &str) {
        self.wallet()
            .args(["key", "generate", name])
            .assert()
            .success();
    }

    /// Runs a `sign … --dry-run` command for `identity` and returns the decoded entry.
    pub fn sign(&self, identity: &str, sequence: u64, action: &[&str]) -> SignedEntry {
        let out = self
            .wallet()
            .args(["--json", "--identity", identity, "sign", "--dry-run"])
            .args([
                "--chain-id",
                CHAIN_ID,
                "--genesis-hash",
                &genesis().to_hex(),
            ])
            .args(["--sequence", &sequence.to_string()])
            .args(action)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{action:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let view: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let bytes = hex::decode(view["signed_entry_hex"].as_str().unwrap()).unwrap();
        let signed = SignedEntry::decode(&bytes).unwrap();
        assert_eq!(view["entry_id"].as_str().unwrap(), signed.id().to_hex());
        signed
    }
}

pub fn genesis() -> Hash32 {
    Hash32::sha256(b"test genesis")
}

pub fn chain() -> ChainRef {
    ChainRef {
        chain_id: CHAIN_ID.into(),
        genesis_hash: genesis(),
    }
}

/// The DCSA samples: `/work/shared/…` here, `<repo>/../shared/…` in CI.
pub fn samples_dir() -> PathBuf {
    let beside_repo =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/dcsa/samples");
    for dir in [
        beside_repo,
        PathBuf::from("/work/shared/reference/dcsa/samples"),
    ] {
        if dir.is_dir() {
            return dir;
        }
    }
    panic!("DCSA samples not found beside the repository (shared/reference/dcsa/samples)");
}

pub fn sample(name: &str) -> PathBuf {
    samples_dir().join(name)
}

pub const NEGOTIABLE_BL: &str = "dcsa-conformance__ebl-api-3.0.0-negotiable-bl.json";
pub const STRAIGHT_BL: &str = "dcsa-conformance__ebl-api-3.0.0-straight-bl.json";
pub const ISSUANCE_REQUEST: &str =
    "dcsa-ebl-iss-3.0.4__put-ebl-issuance-requests__request__regularSTDExample.json";

pub const DOC: &str = "1111111111111111111111111111111111111111111111111111111111111111";
pub const DOC2: &str = "2222222222222222222222222222222222222222222222222222222222222222";

/// Signs as identity `me` and asserts the ledger's stateless check, the action code and sequence.
pub fn checked(sb: &Sandbox, seq: u64, args: &[&str], code: &str) -> SignedEntry {
    let signed = sb.sign("me", seq, args);
    signed.check_stateless(&chain()).unwrap();
    assert_eq!(signed.entry().body.action_kind().code(), code, "{args:?}");
    assert_eq!(signed.entry().sequence, seq);
    signed
}
