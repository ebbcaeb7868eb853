//! Two dev networks as two DCSA PINT platforms for `ebl-testnet scenario pint`: each its own
//! `ebl-node dev` process, chain id, platform code and signing key, and a trust file naming the
//! other (its key, its gateway, and the carrier key it trusts for bills issued there).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use serde_json::{Value, json};

use crate::error::{Result, TestnetError};
use crate::http::Client;

/// How long a dev node may take to answer `/v1/status`.
const START: Duration = Duration::from_secs(90);

/// One platform: a dev network with its gateway.
#[derive(Debug)]
pub struct Platform {
    /// PINT platform code.
    pub code: &'static str,
    /// Data folder.
    pub data: PathBuf,
    /// Gateway base URL.
    pub url: String,
    port: u16,
    chain_id: String,
    trust: PathBuf,
    partner: String,
    child: Option<Child>,
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(TestnetError::io(format!("write {}", path.display())))
}

fn jwk(key: &SigningKey, kid: Option<&str>) -> Value {
    let mut jwk = json!({"kty": "OKP", "crv": "Ed25519",
        "x": URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes())});
    if let Some(kid) = kid {
        jwk["kid"] = kid.into();
    }
    jwk
}

/// Two platforms `a` and `b` under `dir`, trusting each other; `carrier` is the key the
/// carrier of both dev networks signs issuance manifests with. Not started yet.
pub fn pair(dir: &Path, carrier: &SigningKey) -> Result<(Platform, Platform)> {
    let codes = [("EBLA", "ebl-pint-a"), ("EBLB", "ebl-pint-b")];
    let mut seeds = Vec::new();
    // Free now and below the ephemeral range, so no outgoing connection takes them first.
    let ports = crate::ports::free_ports(codes.len())?;
    for (code, _) in codes {
        let data = dir.join(code);
        std::fs::create_dir_all(&data)
            .map_err(TestnetError::io(format!("create {}", data.display())))?;
        // The admin key both the node and its partner read: the partner presents it (scope
        // admin includes pint).
        let secret: [u8; 32] = rand::random();
        write(&data.join("api_key"), &hex::encode(secret))?;
        seeds.push(rand::random::<[u8; 32]>());
    }
    let mut platforms = Vec::new();
    for (i, (code, chain_id)) in codes.iter().enumerate() {
        let other = 1 - i;
        let (other_code, _) = codes[other];
        let own = SigningKey::from_bytes(&seeds[i]);
        let theirs = SigningKey::from_bytes(&seeds[other]);
        let trust = json!({
            "platformCode": code,
            "signingKey": {"kid": format!("{code}-1"), "seedHex": hex::encode(own.to_bytes())},
            "platforms": [{
                "code": other_code,
                "keys": [jwk(&theirs, Some(&format!("{other_code}-1")))],
                "envelopesUrl": format!("http://127.0.0.1:{}", ports[other]),
            }],
            "carriers": [{
                "partyCodes": [{"codeListProvider": other_code, "partyCode": "CARRIER"}],
                "keys": [jwk(carrier, None)],
            }],
        });
        let path = dir.join(format!("trust-{code}.json"));
        write(
            &path,
            &serde_json::to_string_pretty(&trust).map_err(TestnetError::setup("trust"))?,
        )?;
        platforms.push(Platform {
            code,
            data: dir.join(code),
            url: format!("http://127.0.0.1:{}", ports[i]),
            port: ports[i],
            chain_id: (*chain_id).to_string(),
            trust: path,
            partner: format!(
                "{other_code}={}",
                dir.join(other_code).join("api_key").display()
            ),
            child: None,
        });
    }
    let b = platforms
        .pop()
        .ok_or_else(|| TestnetError::Setup("two platforms".into()))?;
    let a = platforms
        .pop()
        .ok_or_else(|| TestnetError::Setup("two platforms".into()))?;
    Ok((a, b))
}

impl Platform {
    /// Starts (or restarts) the node and waits for its gateway.
    pub fn start(&mut self, node_bin: &Path, client: &Client) -> Result<()> {
        let log = self.data.join("node.log");
        let open = || {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&log)
                .map_err(TestnetError::io(format!("open {}", log.display())))
        };
        let child = Command::new(node_bin)
            .arg("dev")
            .arg("--data")
            .arg(&self.data)
            .args(["--api", &format!("127.0.0.1:{}", self.port)])
            .args(["--chain-id", &self.chain_id])
            .arg("--pint-trust")
            .arg(&self.trust)
            .args(["--pint-partner", &self.partner])
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(open()?)
            .stderr(open()?)
            .spawn()
            .map_err(TestnetError::io(format!("start {}", node_bin.display())))?;
        self.child = Some(child);
        let started = Instant::now();
        while started.elapsed() < START {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(exit)) = child.try_wait()
            {
                return Err(TestnetError::Setup(format!(
                    "{} exited ({exit}); see {}",
                    self.code,
                    log.display()
                )));
            }
            if let Ok(reply) = client.get(&format!("{}/v1/status", self.url), &self.admin_key()?)
                && reply.status == 200
            {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(TestnetError::Timeout {
            what: format!("{}'s gateway", self.code),
            seconds: START.as_secs(),
        })
    }

    /// SIGKILL, no chance to flush or answer.
    pub fn kill(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill().map_err(TestnetError::io("kill the node"))?;
            let _ = child.wait();
        }
        Ok(())
    }

    /// The admin key (also the key the partner platform presents).
    pub fn admin_key(&self) -> Result<String> {
        let path = self.data.join("api_key");
        Ok(std::fs::read_to_string(&path)
            .map_err(TestnetError::io(format!("read {}", path.display())))?
            .trim()
            .to_string())
    }

    /// The custodial API key of organisation `org` on this network.
    pub fn org_key(&self, org: &str) -> Result<String> {
        let path = self.data.join("org_api_keys").join(org);
        Ok(std::fs::read_to_string(&path)
            .map_err(TestnetError::io(format!("read {}", path.display())))?
            .trim()
            .to_string())
    }
}

impl Drop for Platform {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
