//! `ebl-node dev` (a module of the binary): a one-validator network of the pilot
//! organisations, built from the ledger's test CA and test keys (`ebl_ledger::testkit`).
//!
//! R205: that material must never be in a validator. It is compiled only with the `dev`
//! feature, which is off by default (`./scripts/run.sh` and the test crates turn it on); in a
//! build without it, `ebl-node dev` exits non-zero and says how to get it.

#[cfg(not(feature = "dev"))]
pub(crate) use absent::run;
#[cfg(feature = "dev")]
pub(crate) use present::run;

/// Why `ebl-node dev` is refused in a build without the `dev` feature.
#[cfg_attr(feature = "dev", allow(dead_code))]
pub(crate) const NOT_IN_THIS_BUILD: &str = "`ebl-node dev` is not in this build: it runs the \
ledger's test CA and test keys, which a validator build leaves out (R205). Run \
`./scripts/run.sh`, or build with `cargo build -p ebl-node --features dev`.";

/// `--pint-trust` and `--pint-partner CODE=FILE`: the dev network as a DCSA PINT platform.
#[derive(Debug, Clone, Default)]
pub(crate) struct DevPint {
    settings: Option<ebl_gateway::platform::PintSettings>,
}

impl DevPint {
    /// Reads the flags (the partners' key files now, so a typo fails at start).
    pub(crate) fn from_args(
        trust: Option<std::path::PathBuf>,
        partners: &[String],
    ) -> anyhow::Result<Self> {
        let Some(trust_file) = trust else {
            anyhow::ensure!(partners.is_empty(), "--pint-partner needs --pint-trust");
            return Ok(DevPint::default());
        };
        let mut api_keys = std::collections::BTreeMap::new();
        for partner in partners {
            let (code, file) = partner
                .split_once('=')
                .ok_or_else(|| anyhow::anyhow!("--pint-partner `{partner}`: expected CODE=FILE"))?;
            let key = std::fs::read_to_string(file)
                .map_err(|e| anyhow::anyhow!("--pint-partner {code}: {file}: {e}"))?;
            api_keys.insert(code.to_string(), key.trim().to_string());
        }
        Ok(DevPint {
            settings: Some(ebl_gateway::platform::PintSettings {
                trust_file,
                api_keys,
                signing_key: None,
            }),
        })
    }

    /// Turns PINT on in `config`, with the trust file's platform code. Without `--pint-trust`
    /// the dev network is still a platform (code EBLL, its own key in `data/pint-trust.json`,
    /// no partners), so its PINT routes answer as a real platform's would.
    #[cfg_attr(not(feature = "dev"), allow(dead_code))]
    fn apply(
        self,
        config: &mut ebl_gateway::GatewayConfig,
        data: &std::path::Path,
    ) -> anyhow::Result<()> {
        let settings = match self.settings {
            Some(settings) => settings,
            None => ebl_gateway::platform::PintSettings {
                trust_file: default_trust(data)?,
                api_keys: std::collections::BTreeMap::new(),
                signing_key: None,
            },
        };
        ebl_node::api_pint::apply(config, settings, false)
    }
}

/// `data/pint-trust.json`, written once with a fresh signing key and no partners.
#[cfg_attr(not(feature = "dev"), allow(dead_code))]
fn default_trust(data: &std::path::Path) -> anyhow::Result<std::path::PathBuf> {
    let path = data.join("pint-trust.json");
    if !path.exists() {
        std::fs::create_dir_all(data)?;
        let seed: [u8; 32] = rand::random();
        let trust = serde_json::json!({
            "platformCode": ebl_gateway::dcsa::DcsaConfig::default().platform,
            "signingKey": {"kid": "dev-1", "seedHex": hex::encode(seed)},
            "platforms": [],
            "carriers": [],
        });
        std::fs::write(&path, serde_json::to_vec_pretty(&trust)?)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(path)
}

#[cfg(not(feature = "dev"))]
mod absent {
    use std::path::Path;

    /// R205: refused, with what to do instead.
    pub(crate) async fn run(
        _data: &Path,
        _api: &str,
        _chain_id: Option<&str>,
        _pint: super::DevPint,
    ) -> anyhow::Result<()> {
        anyhow::bail!(super::NOT_IN_THIS_BUILD)
    }
}

#[cfg(feature = "dev")]
mod present {
    use std::path::Path;

    use anyhow::Context as _;
    use ebl_node::api_server::{ApiSection, ServeOptions};
    use ebl_node::{Node, NodeSettings};

    use crate::{api_secret, run_until_signal, secret_at};

    /// Starts the dev network under `data` with its gateway on `api`, until a signal. A new
    /// data folder takes `chain_id` (two dev networks then are two distinct chains).
    pub(crate) async fn run(
        data: &Path,
        api: &str,
        chain_id: Option<&str>,
        pint: super::DevPint,
    ) -> anyhow::Result<()> {
        let (settings, genesis, custodial_keys) = network_settings(data, chain_id)?;
        let secret = api_secret(data)?;
        // `EBL_NODE__API__...` variables apply as they do to `ebl-node start`'s config.toml.
        let mut section = ApiSection::with_admin_key(api, &secret);
        // A development network's operator reads every title (R235, each read audited in the
        // log); a production node's admin key does not unless `regulator` is configured.
        for key in &mut section.keys {
            key.scopes.push("regulator".into());
        }
        let mut config = section
            .with_env_overrides(std::env::vars())?
            .gateway_config()?;
        for key in org_keys(data, &custodial_keys)? {
            config.api_keys.insert(key.secret_sha256, key);
        }
        config.webhook_state_dir = Some(settings.data_dir.join("webhooks"));
        config.dcsa_journal = Some(settings.data_dir.join("dcsa.jsonl"));
        pint.apply(&mut config, data)?;
        tracing::info!(
            gateway = %format!("http://{api}"),
            api_key_file = %data.join("api_key").display(),
            org_keys = %data.join("org_api_keys").display(),
            "dev network: one validator, the pilot organisations; send `Authorization: Bearer <key in api_key>` (admin) or an organisation's custodial key from org_api_keys/"
        );
        let options = ServeOptions {
            custodial_keys,
            api_key_file: Some(data.join("api_keys.json")),
            custody_journal: Some(settings.data_dir.join("custody.journal")),
            ..ServeOptions::default()
        };
        run_until_signal(
            Node::start(settings, &genesis).await?,
            Some((api.to_string(), config, options)),
        )
        .await
    }

    fn network_settings(
        data: &Path,
        chain_id: Option<&str>,
    ) -> anyhow::Result<(
        NodeSettings,
        ebl_ledger::genesis::Genesis,
        Vec<ebl_node::custody::HeldKey>,
    )> {
        let genesis_path = data.join("genesis.json");
        // One validator operator: the first of the pilot's; the others keep their other roles.
        let net = ebl_ledger::testkit::TestNetwork::one_validator_pilot();
        std::fs::create_dir_all(data)?;
        let genesis = if genesis_path.exists() {
            serde_json::from_str(&std::fs::read_to_string(&genesis_path)?)?
        } else {
            let mut genesis = net.genesis.clone();
            if let Some(chain_id) = chain_id {
                genesis.chain_id = chain_id.to_string();
            }
            std::fs::write(&genesis_path, serde_json::to_string_pretty(&genesis)?)?;
            genesis
        };
        let key = net
            .validator_keys
            .first()
            .context("dev network has no validator")?
            .to_bytes();
        let settings = NodeSettings {
            moniker: "dev".into(),
            data_dir: data.to_path_buf(),
            consensus_secret: key,
            node_secret: key,
            listen_addr: "/ip4/127.0.0.1/tcp/0".parse()?,
            persistent_peers: vec![],
            timeouts: ebl_node::run::fast_timeouts(),
            mempool: Default::default(),
            limits: ebl_node::consensus::BlockLimits {
                block_interval: Some(std::time::Duration::from_millis(200)),
                ..Default::default()
            },
            // One validator has no one to gossip with.
            gossip: None,
            #[cfg(feature = "byzantine")]
            faults: Default::default(),
        };
        // The dev network's organisations are test identities whose keys derive from their names;
        // the node holds them all so that custodial and DCSA routes work out of the box.
        let custodial = net
            .parties
            .values()
            .map(|p| ebl_node::custody::HeldKey {
                name: p.org.as_str().to_lowercase(),
                org: p.org.clone(),
                key: p.key.clone(),
            })
            .collect();
        Ok((settings, genesis, custodial))
    }

    /// One custodial API key per dev organisation (read, submit, custodial), bound to its key; the
    /// secrets are kept under `DATA/org_api_keys/<ORG>`.
    fn org_keys(
        data: &Path,
        custodial: &[ebl_node::custody::HeldKey],
    ) -> anyhow::Result<Vec<ebl_gateway::ApiKey>> {
        use ebl_gateway::Scope;
        let dir = data.join("org_api_keys");
        std::fs::create_dir_all(&dir)?;
        custodial
            .iter()
            .map(|held| {
                let secret = secret_at(&dir.join(held.org.as_str()))?;
                let name = format!("{}-system", held.name);
                let scopes = [Scope::Read, Scope::Submit, Scope::Custodial];
                Ok(ebl_gateway::ApiKey::from_secret(&name, &secret, &scopes)
                    .with_identity(&held.name))
            })
            .collect()
    }
}
