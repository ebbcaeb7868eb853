//! `GET /metrics` of a one-validator node after a few committed entries.

use std::time::Duration;

use ebl_node::Node;
use ebl_node::api_server::{ApiSection, ApiServer};
use ebl_node::mempool::Status;
use ebl_tests::entries::{doc, issue, transfer};
use ebl_tests::single::{one_validator_network, single_validator_settings};
use ebl_tests::{init_logs, wait_fates};

/// One sample line: `name{labels} value`, the name in the Prometheus alphabet.
fn is_sample(line: &str) -> bool {
    let Some((series, value)) = line.rsplit_once(' ') else {
        return false;
    };
    let name = match series.split_once('{') {
        Some((name, labels)) => labels.ends_with('}').then_some(name),
        None => Some(series),
    };
    let name_ok = name.is_some_and(|n| {
        !n.is_empty()
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
            && !n.starts_with(|c: char| c.is_ascii_digit())
    });
    name_ok && value.parse::<f64>().is_ok()
}

/// The value of the sample whose series (name and labels) is exactly `series`.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no sample {series} in\n{text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn metrics_show_committed_blocks_entries_and_latencies() {
    init_logs();
    let mut net = one_validator_network();
    let dir = tempfile::tempdir().unwrap();
    let settings = single_validator_settings(
        &net,
        "solo",
        dir.path().to_path_buf(),
        Duration::from_millis(100),
    )
    .unwrap();
    let node = Node::start(settings, &net.genesis).await.unwrap();
    let handle = node.handle();
    let config = ApiSection::with_admin_key("127.0.0.1:0", "k")
        .gateway_config()
        .unwrap();
    let api = ApiServer::start(handle.clone(), "127.0.0.1:0", config)
        .await
        .unwrap();

    // Two issues that apply and a transfer of an unknown document that fails.
    let entries = vec![
        net.sign("CARRIER", issue("BL-M-1", "SHIPPER")),
        net.sign("CARRIER", issue("BL-M-2", "SHIPPER")),
        net.sign("SHIPPER", transfer(doc("BL-M-404"), "BANK")),
    ];
    let ids: Vec<_> = entries.iter().map(|e| e.id()).collect();
    let mut fates = handle.subscribe_notifications();
    for entry in entries {
        handle.submit(entry).await.unwrap();
    }
    let fates = wait_fates(&mut fates, &ids, Duration::from_secs(30))
        .await
        .unwrap();
    let failed = fates
        .iter()
        .filter(|(_, s)| matches!(s, Status::Rejected { .. }))
        .count();

    let url = format!("http://{}/metrics", api.addr);
    let (content_type, text) = tokio::task::spawn_blocking(move || {
        let response = ureq::get(&url).call().expect("GET /metrics without a key");
        let content_type = response.content_type().to_string();
        (content_type, response.into_string().unwrap())
    })
    .await
    .unwrap();

    assert!(content_type.contains("openmetrics-text"), "{content_type}");
    for line in text.lines().filter(|l| !l.is_empty()) {
        assert!(
            line.starts_with('#') || is_sample(line),
            "bad line `{line}`"
        );
    }
    assert!(sample(&text, "ebl_height") >= 1.0);
    assert!(sample(&text, "ebl_committed_blocks_total") >= 1.0);
    assert!(sample(&text, "ebl_committed_entries_total") >= 3.0);
    assert!(sample(&text, "ebl_commit_latency_seconds_count") >= 1.0);
    assert!(sample(&text, "ebl_block_execution_seconds_count") >= 1.0);
    assert!(sample(&text, "ebl_mempool_entries") >= 0.0);
    assert!(sample(&text, "ebl_connected_peers") >= 0.0);
    // R473: every column family of the store, the committed entries among its keys.
    assert!(sample(&text, "ebl_storage_family_keys{family=\"entries\"}") >= 3.0);
    assert!(sample(&text, "ebl_storage_family_bytes{family=\"state\"}") > 0.0);
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("ebl_storage_family_bytes{"))
            .count(),
        8,
        "{text}"
    );
    let by_code: f64 = text
        .lines()
        .filter(|l| l.starts_with("ebl_failed_entries_total{code="))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum();
    assert_eq!(by_code, failed as f64, "{text}");

    api.stop().await.unwrap();
    node.stop().await.unwrap();
}
