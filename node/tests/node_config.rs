//! `config.toml`: the defaults `init` writes read back to working settings; unknown keys and
//! bad key files are refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ebl_node::api_server::ApiSection;
use ebl_node::config::{
    ConfigFile, ConsensusSection, GossipSection, MempoolSection, P2pSection, read_secret,
    write_secret,
};

fn sample() -> ConfigFile {
    ConfigFile {
        moniker: "v0".into(),
        data_dir: "data".into(),
        genesis_file: "genesis.json".into(),
        consensus_key_file: "consensus_key".into(),
        node_key_file: "node_key".into(),
        p2p: P2pSection {
            listen_addr: "/ip4/127.0.0.1/tcp/27000".into(),
            persistent_peers: vec!["/ip4/127.0.0.1/tcp/27001".into()],
        },
        consensus: ConsensusSection::default(),
        mempool: MempoolSection::default(),
        api: Some(ApiSection::with_admin_key("127.0.0.1:8080", "secret")),
        gossip: Some(GossipSection::beside("/ip4/127.0.0.1/tcp/27000")),
    }
}

#[test]
fn default_config_round_trips_through_toml_and_resolves_to_settings() {
    let dir = tempfile::tempdir().unwrap();
    let config = sample();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, toml::to_string_pretty(&config).unwrap()).unwrap();
    write_secret(&dir.path().join("consensus_key"), &[1; 32]).unwrap();
    write_secret(&dir.path().join("node_key"), &[2; 32]).unwrap();
    let net = ebl_ledger::testkit::TestNetwork::pilot();
    std::fs::write(
        dir.path().join("genesis.json"),
        serde_json::to_string(&net.genesis).unwrap(),
    )
    .unwrap();
    let loaded = ConfigFile::load(&path).unwrap();
    assert_eq!(loaded, config);
    let (settings, genesis) = loaded.settings(&path).unwrap();
    assert_eq!(genesis, net.genesis);
    assert_eq!(settings.consensus_secret, [1; 32]);
    assert_eq!(settings.data_dir, dir.path().join("data"));
    assert_eq!(settings.persistent_peers.len(), 1);
    assert!(settings.limits.block_interval.is_some());
    let gossip = settings.gossip.expect("gossip settings");
    assert_eq!(gossip.listen_addr.to_string(), "/ip4/127.0.0.1/tcp/28000");
}

#[test]
fn the_gossip_port_sits_beside_the_consensus_port_or_falls_back_to_the_default() {
    let moved = GossipSection::beside("/ip4/10.0.0.5/tcp/26656");
    assert_eq!(moved.listen_addr, "/ip4/10.0.0.5/tcp/27656");
    let default = GossipSection::default();
    assert_eq!(GossipSection::beside("/ip4/127.0.0.1/tcp/0"), default);
    assert_eq!(GossipSection::beside("not an address"), default);
}

#[test]
fn an_unknown_key_in_the_config_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let text = toml::to_string_pretty(&sample()).unwrap() + "\nsurprise = 1\n";
    std::fs::write(&path, text).unwrap();
    assert!(ConfigFile::load(&path).is_err());
}

#[test]
fn a_key_file_of_the_wrong_length_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key");
    std::fs::write(&path, "abcd").unwrap();
    assert!(read_secret(&path).is_err());
}

#[test]
fn the_api_section_gives_a_gateway_config_with_the_hashed_key() {
    let section = ApiSection::with_admin_key("127.0.0.1:8080", "secret");
    let config = section.gateway_config().unwrap();
    let key = config
        .api_keys
        .get(&ebl_gateway::config::hash_secret("secret"))
        .unwrap();
    assert_eq!(key.scopes, vec![ebl_gateway::Scope::Admin]);
    assert!(!toml::to_string(&section).unwrap().contains("\"secret\""));
}

#[test]
fn an_api_key_with_an_unknown_scope_or_bad_hash_is_refused() {
    let mut section = ApiSection::with_admin_key("127.0.0.1:8080", "secret");
    section.keys[0].scopes = vec!["root".into()];
    assert!(section.gateway_config().is_err());
    let mut section = ApiSection::with_admin_key("127.0.0.1:8080", "secret");
    section.keys[0].sha256 = "xyz".into();
    assert!(section.gateway_config().is_err());
}

#[test]
fn environment_variables_override_the_file_and_unknown_keys_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, toml::to_string_pretty(&sample()).unwrap()).unwrap();
    let vars = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    let loaded = ConfigFile::load_with_env(
        &path,
        vars(&[
            ("EBL_NODE__MONIKER", "singapore-1"),
            ("EBL_NODE__API__LISTEN_ADDR", "0.0.0.0:9090"),
            ("EBL_NODE__P2P__PERSISTENT_PEERS", "[]"),
        ]),
    )
    .unwrap();
    assert_eq!(loaded.moniker, "singapore-1");
    assert_eq!(loaded.api.unwrap().listen_addr, "0.0.0.0:9090");
    assert!(loaded.p2p.persistent_peers.is_empty());

    let unknown = ConfigFile::load_with_env(&path, vars(&[("EBL_NODE__P2P__LISTEN", "x")]));
    assert!(unknown.is_err(), "a misspelt key must not be ignored");
    let wrong_type = ConfigFile::load_with_env(
        &path,
        vars(&[("EBL_NODE__P2P__PERSISTENT_PEERS", "not-a-list")]),
    );
    assert!(wrong_type.is_err());
}

#[test]
fn an_api_rate_limit_section_sets_every_keys_bucket_and_a_zero_one_is_refused() {
    let mut section = ApiSection::with_admin_key("127.0.0.1:8080", "secret");
    assert_eq!(section.gateway_config().unwrap().rate_limit.burst, 50);
    let text = format!(
        "{}\n[rate_limit]\nburst = 20000\nper_second = 10000\n",
        toml::to_string(&section).unwrap()
    );
    let parsed: ApiSection = toml::from_str(&text).unwrap();
    let limit = parsed.gateway_config().unwrap().rate_limit;
    assert_eq!((limit.burst, limit.per_second), (20_000, 10_000.0));
    section.rate_limit = Some(ebl_node::api_server::RateLimitSection {
        burst: 0,
        per_second: 10,
    });
    assert!(section.gateway_config().is_err());
}

/// Writes `config` with key files and the pilot genesis into a fresh folder; returns the path.
fn written(dir: &std::path::Path, config: &ConfigFile) -> std::path::PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(&path, toml::to_string_pretty(config).unwrap()).unwrap();
    write_secret(&dir.join("consensus_key"), &[1; 32]).unwrap();
    write_secret(&dir.join("node_key"), &[2; 32]).unwrap();
    let net = ebl_ledger::testkit::TestNetwork::pilot();
    std::fs::write(
        dir.join("genesis.json"),
        serde_json::to_string(&net.genesis).unwrap(),
    )
    .unwrap();
    path
}

#[test]
fn r194_the_time_lag_defaults_to_thirty_seconds_and_can_be_set() {
    assert_eq!(ConsensusSection::default().max_time_lag_ms, 30_000);
    let dir = tempfile::tempdir().unwrap();
    let mut config = sample();
    config.consensus.max_time_lag_ms = 5_000;
    let path = written(dir.path(), &config);
    let (settings, _) = ConfigFile::load(&path).unwrap().settings(&path).unwrap();
    assert_eq!(
        settings.limits.max_time_lag,
        std::time::Duration::from_secs(5)
    );
}

#[test]
fn r194_a_time_lag_below_the_propose_timeout_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = sample();
    config.consensus.max_time_lag_ms = config.consensus.timeout_propose_ms - 1;
    let path = written(dir.path(), &config);
    let err = ConfigFile::load(&path)
        .unwrap()
        .settings(&path)
        .unwrap_err();
    assert!(format!("{err:#}").contains("max_time_lag_ms"), "{err:#}");
}

#[test]
fn r191_a_genesis_file_without_block_caps_still_loads_with_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let path = written(dir.path(), &sample());
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("genesis.json")).unwrap())
            .unwrap();
    let object = json.as_object_mut().unwrap();
    object.remove("max_block_entries");
    object.remove("max_block_bytes");
    std::fs::write(dir.path().join("genesis.json"), json.to_string()).unwrap();
    let (_, genesis) = ConfigFile::load(&path).unwrap().settings(&path).unwrap();
    assert_eq!(
        genesis.block_caps(),
        ebl_ledger::genesis::BlockCaps::default()
    );
    assert_eq!(genesis, ebl_ledger::testkit::TestNetwork::pilot().genesis);
}
