//! `[api]` edge keys (R201–R204): defaults, overrides and refusals.

use std::time::Duration;

use super::*;

fn section(extra: &str) -> anyhow::Result<ApiSection> {
    let text = format!("listen_addr = \"127.0.0.1:0\"\n{extra}");
    Ok(toml::from_str(&text)?)
}

#[test]
fn an_api_section_without_edge_keys_gets_the_defaults() {
    let api = section("").unwrap();
    assert_eq!(api.edge_limits().unwrap(), EdgeLimits::default());
    let config = api.gateway_config().unwrap();
    assert_eq!(
        config.streams,
        ebl_gateway::streams::StreamLimits::default()
    );
    assert_eq!(
        config.webhook_targets,
        ebl_gateway::webhooks::TargetPolicy::default(),
        "R204: public receivers only unless the operator says otherwise"
    );
}

#[test]
fn the_edge_keys_override_the_defaults() {
    let api = section(
        "max_connections = 64\nheader_read_timeout_secs = 3\nidle_timeout_secs = 30\n\
         max_event_streams_per_client = 2\nmax_event_streams = 10\n\
         [webhooks]\nallowed_target_cidrs = [\"10.20.0.0/24\", \"fd00::/8\"]\n",
    )
    .unwrap();
    let limits = api.edge_limits().unwrap();
    assert_eq!(limits.max_connections, 64);
    assert_eq!(limits.header_read_timeout, Duration::from_secs(3));
    assert_eq!(limits.idle_timeout, Duration::from_secs(30));
    let config = api.gateway_config().unwrap();
    assert_eq!(config.streams.per_client, 2);
    assert_eq!(config.streams.total, 10);
    let targets = config.webhook_targets;
    assert!(!targets.allow_private);
    assert!(targets.check("10.20.0.7".parse().unwrap()).is_ok());
    assert!(targets.check("10.21.0.7".parse().unwrap()).is_err());
}

#[test]
fn zero_caps_bad_timeouts_and_bad_cidrs_are_refused() {
    for extra in [
        "max_connections = 0",
        "header_read_timeout_secs = 0",
        "idle_timeout_secs = 7200",
    ] {
        let api = section(extra).unwrap();
        assert!(api.edge_limits().is_err(), "{extra}");
    }
    for extra in [
        "max_event_streams_per_client = 0",
        "max_event_streams = 0",
        "[webhooks]\nallowed_target_cidrs = [\"10.0.0.0/33\"]",
        "[webhooks]\nallowed_target_cidrs = [\"intranet\"]",
    ] {
        let api = section(extra).unwrap();
        assert!(api.gateway_config().is_err(), "{extra}");
    }
    assert!(section("[webhooks]\nallow_everything = true").is_err());
}

#[test]
fn the_section_init_writes_round_trips_with_the_edge_keys() {
    let api = ApiSection::with_admin_key("127.0.0.1:8080", "secret");
    let text = toml::to_string_pretty(&api).unwrap();
    assert!(text.contains("max_connections = 1024"), "{text}");
    assert!(text.contains("header_read_timeout_secs = 10"), "{text}");
    let back: ApiSection = toml::from_str(&text).unwrap();
    assert_eq!(back, api);
}

#[test]
fn environment_variables_override_a_section_built_in_code() {
    let vars = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    };
    let api = ApiSection::with_admin_key("127.0.0.1:0", "secret")
        .with_env_overrides(vars(&[
            ("EBL_NODE__API__RATE_LIMIT__BURST", "5000"),
            ("EBL_NODE__API__RATE_LIMIT__PER_SECOND", "1000"),
            ("EBL_NODE__P2P__LISTEN_ADDR", "ignored here"),
        ]))
        .unwrap();
    assert_eq!(
        api.rate_limit,
        Some(RateLimitSection {
            burst: 5000,
            per_second: 1000
        })
    );
    assert_eq!(api.keys.len(), 1, "the admin key stays");
    let unchanged = ApiSection::with_admin_key("127.0.0.1:0", "secret")
        .with_env_overrides(Vec::new())
        .unwrap();
    assert_eq!(
        unchanged,
        ApiSection::with_admin_key("127.0.0.1:0", "secret")
    );
    let wrong_type = ApiSection::with_admin_key("127.0.0.1:0", "secret")
        .with_env_overrides(vars(&[("EBL_NODE__API__RATE_LIMIT__BURST", "many")]));
    assert!(wrong_type.is_err());
}
