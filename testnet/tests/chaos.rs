//! Issue 13: `ebl-testnet chaos` on four `ebl-node` processes — racing transfers while
//! validators are killed (SIGKILL, restart) and frozen (SIGSTOP, SIGCONT) on a seeded
//! schedule; the checker finds no fork, no lost or duplicated entry, no race won twice and no
//! illegal title step (R360–R369). A short, fixed budget for CI; the long runs and their
//! figures are in RELIABILITY.md.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use support::Fixture;

#[test]
fn a_seeded_soak_with_kills_and_pauses_keeps_every_title_history_legal() {
    let net = Fixture::new();
    net.succeeds(&["up", "--validators", "4"], 120);

    let run = net.succeeds(
        &["chaos", "--duration", "25", "--seed", "7", "--bills", "3"],
        300,
    );
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["ok"], true, "{report:#}");
    for zero in [
        "forks",
        "lost",
        "duplicated",
        "conflicts_both_applied",
        "illegal_transfers",
    ] {
        assert_eq!(report[zero], 0, "{zero}: {report:#}");
    }
    let injected = &report["faults_injected"];
    let faults = injected["kill"].as_u64().unwrap_or(0) + injected["pause"].as_u64().unwrap_or(0);
    assert!(faults >= 2, "{report:#}");
    assert!(report["applied"].as_u64().unwrap() >= 3, "{report:#}");
    assert!(
        report["heights_compared"].as_u64().unwrap() >= 10,
        "{report:#}"
    );

    // The run's submit keys are gone from every node (R369).
    let state = ebl_testnet::state::TestnetState::load(net.dir()).unwrap();
    let client = ebl_testnet::http::Client::new(std::time::Duration::from_secs(5));
    for node in &state.nodes {
        let url = format!("{}/v1/admin/api-keys", node.gateway_url);
        let keys = client
            .get(&url, &node.admin_api_key)
            .unwrap()
            .body
            .to_string();
        assert!(!keys.contains("chaos-"), "{}: {keys}", node.name);
    }

    // `--faults` without a value: the workload alone, no fault planned or injected.
    let args = [
        "chaos",
        "--duration",
        "5",
        "--seed",
        "7",
        "--bills",
        "1",
        "--faults",
    ];
    let again: Value = serde_json::from_str(&net.succeeds(&args, 120).stdout).unwrap();
    assert_eq!(again["ok"], true, "{again:#}");
    assert_eq!(again["fault_plan"], serde_json::json!([]));

    net.succeeds(&["down", "--clean"], 60);
}

#[test]
fn chaos_refuses_to_start_while_a_node_is_down() {
    let net = Fixture::new();
    net.succeeds(&["up", "--validators", "1"], 120);
    net.succeeds(&["kill", "0"], 30);
    net.refused(
        &["chaos", "--duration", "5"],
        30,
        &["[USAGE]", "0 of 1 nodes run"],
    );
    net.succeeds(&["down", "--clean"], 60);
}
