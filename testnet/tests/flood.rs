//! A hostile member against real `ebl-node` processes (specs/protocol.md R210–R214): while one
//! member floods the honest nodes' entry gossip with every mode, a light benchmark's entries
//! all become final; after a second flood blocks keep coming; no forged or stranger entry is
//! ever final; `down --clean` leaves no process and no folder. Bounded in seconds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod support;

use std::time::{Duration, Instant};

use ebl_testnet::state::TestnetState;
use serde_json::Value;
use support::Fixture;

const MODES: [&str; 4] = ["forged", "duplicate", "stranger", "junk"];

/// Every node's final height (0 for a node that did not answer).
fn heights(state: &TestnetState) -> Vec<u64> {
    ebl_testnet::ops::statuses(state)
        .iter()
        .map(|s| s.height.unwrap_or(0))
        .collect()
}

/// Waits (at most `bound`) until every node is at least `more` blocks past `from`.
fn wait_for_blocks(state: &TestnetState, from: &[u64], more: u64, bound: Duration) {
    let deadline = Instant::now() + bound;
    loop {
        let now = heights(state);
        if now.iter().zip(from).all(|(h, f)| *h >= f + more) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "blocks stopped: heights {now:?}, were {from:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The flood object's ids of forged and stranger entries.
fn must_fail(flood: &Value) -> Vec<String> {
    ["forged", "stranger"]
        .iter()
        .flat_map(|m| {
            flood["must_fail"][m]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|id| id.as_str().map(str::to_string))
        .collect()
}

fn parse(stdout: &str) -> Value {
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[test]
fn a_member_flooding_gossip_with_every_mode_neither_stalls_the_nodes_nor_gets_an_entry_anywhere() {
    let net = Fixture::new();
    net.succeeds(&["up", "--validators", "4"], 120);
    let state = TestnetState::load(net.dir()).unwrap();

    // During: every entry of a light benchmark becomes final beside a flood by BANK.
    let bench = net.succeeds(
        &[
            "bench",
            "--rate",
            "20",
            "--duration",
            "4",
            "--drain",
            "30",
            "--json",
            "--flood-as",
            "BANK",
            "--flood-rate",
            "400",
            "--flood-batch",
            "8",
        ],
        180,
    );
    let report = parse(&bench.stdout);
    assert_eq!(report["submitted"], 80, "{report}");
    assert_eq!(report["committed"], report["submitted"], "{report}");
    assert_eq!(report["lost"], 0, "{report}");
    let flood = &report["flood"];
    assert_eq!(flood["as"], "BANK", "{report}");
    assert_eq!(flood["peers_at_start"], 4, "{flood}");
    for mode in MODES {
        // Duplicates exist from the start: the benchmark's warm-up entries are final.
        assert!(
            flood["modes"][mode]["messages"].as_u64() > Some(0),
            "{mode}: {flood}"
        );
    }

    // After: a second member floods on its own, then blocks still come on every node.
    let second = net.succeeds(
        &[
            "flood",
            "--as",
            "CARRIER2",
            "--rate",
            "400",
            "--duration",
            "2",
            "--batch",
            "8",
            "--json",
        ],
        60,
    );
    let second = parse(&second.stdout);
    assert!(
        second["modes"]["forged"]["messages"].as_u64() > Some(0),
        "{second}"
    );
    wait_for_blocks(&state, &heights(&state), 3, Duration::from_secs(30));

    // Neither flood got an entry of its own anywhere: forged entries fail their signature and
    // a stranger has no standing (R180-R182), both before any pool, so no node pooled,
    // proposed or recorded one.
    let ids = [must_fail(flood), must_fail(&second)].concat();
    assert!(ids.len() >= 4, "{flood} {second}");
    let client = ebl_testnet::http::Client::new(Duration::from_secs(5));
    for node in &state.nodes {
        for id in &ids {
            let url = format!("{}/v1/entries/{id}", node.gateway_url);
            let reply = client.get(&url, &node.admin_api_key).unwrap();
            assert_eq!(reply.status, 404, "{url}: {}", reply.body);
            assert_eq!(reply.body["code"], "UNKNOWN_ENTRY", "{url}: {}", reply.body);
        }
    }

    net.succeeds(&["down", "--clean"], 60);
    assert!(!net.dir().exists(), "down --clean removes the folder");
    for node in &state.nodes {
        let pid = node.pid.unwrap();
        assert!(!ebl_testnet::process::alive(pid), "{} stopped", node.name);
    }
}
