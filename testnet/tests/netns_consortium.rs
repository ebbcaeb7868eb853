//! Issue 17's whole story on one machine, as separate hosts over a WAN: four validators in
//! their own network namespaces with the China–Singapore corridor between the groups (R430–
//! R438), the Singapore single window joining the running network and becoming its fifth
//! validator (R440–R449), the pilot run through the nodes' gateways, then a validator that
//! loses its disk, restored from a snapshot its node took while running (R420–R426), catching
//! up; at the end every node holds the same state root at the same heights.
//!
//! Needs root and network namespaces: otherwise it prints why it skips and passes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod support;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use ebl_testnet::http::Client;
use ebl_testnet::netns::{Group, Layout};
use ebl_testnet::state::TestnetState;
use serde_json::{Value, json};
use support::Fixture;

/// The validator that loses its disk (MSA, China group).
const RESTORED: usize = 2;

fn get(client: &Client, state: &TestnetState, node: usize, path: &str) -> Option<Value> {
    let info = &state.nodes[node];
    let url = format!("{}{path}", info.gateway_url);
    let reply = client.get(&url, &info.admin_api_key).ok()?;
    (reply.status == 200).then_some(reply.body)
}

fn height(client: &Client, state: &TestnetState, node: usize) -> u64 {
    get(client, state, node, "/v1/status")
        .and_then(|s| s["height"].as_u64())
        .unwrap_or(0)
}

fn state_root(client: &Client, state: &TestnetState, node: usize, h: u64) -> Option<String> {
    let block = get(client, state, node, &format!("/v1/blocks/{h}"))?;
    block
        .pointer("/header/state_root")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Waits until every node is at `target` or above; panics after `bound`.
fn wait_for_all(client: &Client, state: &TestnetState, target: u64, bound: Duration) {
    let start = Instant::now();
    loop {
        let heights: Vec<u64> = (0..state.nodes.len())
            .map(|i| height(client, state, i))
            .collect();
        if heights.iter().all(|h| *h >= target) {
            return;
        }
        assert!(
            start.elapsed() < bound,
            "not every node reached {target}: {heights:?}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// R422: the snapshot a running validator writes through its admin API.
fn snapshot_while_running(client: &Client, state: &TestnetState, node: usize) -> PathBuf {
    let info = &state.nodes[node];
    let url = format!("{}/v1/admin/snapshots", info.gateway_url);
    let reply = client.post(&url, &info.admin_api_key, &json!({})).unwrap();
    assert_eq!(reply.status, 201, "{}", reply.body);
    PathBuf::from(reply.body["path"].as_str().unwrap())
}

#[test]
fn a_namespaced_consortium_takes_a_partner_runs_the_pilot_and_restores_a_validator() {
    crate::skip_unless_netns!();
    let net = Fixture::new();
    let root = std::path::absolute(net.dir()).unwrap();
    // Armed before `up`: the names depend on the folder only; 5 covers the joining node.
    let _teardown = support::netns::Teardown(Layout::new(&root, vec![Group::China; 5]));
    let up = [
        "up",
        "--validators",
        "4",
        "--netns",
        "--wan",
        "corridor",
        "--late",
        "SGSW",
    ];
    net.succeeds(&up, 180);

    // R445 over the corridor: SGSW's node gets its own namespace in the Singapore group.
    let join = net.succeeds(&["join", "SGSW"], 300);
    assert!(
        join.stdout
            .contains("all 5 nodes hold the bill and state root"),
        "{}",
        join.stdout
    );
    let state = TestnetState::load(net.dir()).unwrap();
    let layout = state.netns.as_ref().unwrap().layout.clone();
    assert_eq!(layout.groups.len(), 5);
    assert_eq!(layout.groups[4], Group::Singapore);
    assert!(
        state.nodes[4]
            .gateway_url
            .contains(&layout.node_address(4).to_string()),
        "{}",
        state.nodes[4].gateway_url
    );
    assert!(state.nodes[4].validator);

    let pilot = net.succeeds(&["scenario", "pilot"], 300);
    assert!(
        pilot.stdout.contains("pilot scenario passed"),
        "{}",
        pilot.stdout
    );

    // A validator loses its disk: snapshot first (while it runs), then kill, wipe, import.
    let client = Client::new(Duration::from_secs(10));
    let snapshot = snapshot_while_running(&client, &state, RESTORED);
    net.succeeds(&["kill", &RESTORED.to_string()], 30);
    let home = state.nodes[RESTORED].home.clone();
    let ledger = home.join("data").join("ledger");
    let kept = net.dir().join("restored-snapshot");
    std::fs::rename(&snapshot, &kept).unwrap();
    std::fs::remove_dir_all(&ledger).unwrap();
    let import = Command::new(support::node_binary())
        .args(["snapshot", "import", "--config"])
        .arg(home.join("config.toml"))
        .arg("--from")
        .arg(&kept)
        .output()
        .unwrap();
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    let imported: Value = serde_json::from_slice(&import.stdout).unwrap();
    assert_eq!(imported["snapshot"], "imported");
    net.succeeds(&["restart", &RESTORED.to_string()], 120);

    // Everyone, the restored validator and the partner included, past the network's height
    // at the restart, with one state root per height.
    let target = height(&client, &state, 0) + 3;
    wait_for_all(&client, &state, target, Duration::from_secs(120));
    for h in [imported["height"].as_u64().unwrap(), target] {
        let roots: Vec<Option<String>> = (0..state.nodes.len())
            .map(|i| state_root(&client, &state, i, h))
            .collect();
        assert!(roots[0].is_some(), "height {h}: {roots:?}");
        assert!(
            roots.iter().all(|r| r == &roots[0]),
            "height {h}: {roots:?}"
        );
    }

    net.succeeds(&["down"], 60);
    let left = Command::new("ip").args(["netns", "list"]).output().unwrap();
    assert!(
        !String::from_utf8_lossy(&left.stdout).contains(&layout.prefix),
        "down removed every namespace, the joined node's too"
    );
}
