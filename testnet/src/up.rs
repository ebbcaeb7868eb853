//! `ebl-testnet up`: consortium, genesis, node homes, processes, and a bounded wait until every
//! node has final blocks.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;
use time::OffsetDateTime;

use crate::error::{Result, TestnetError};
use crate::http::Client;
use crate::netns::{Group, Layout, NetnsRecord, WanProfile, host};
use crate::state::{STATE_FILE, TestnetState};
use crate::{genesis, home, orgs, ports, process};

/// What `up` needs.
#[derive(Debug, Clone)]
pub struct UpOptions {
    /// Number of validators (= nodes).
    pub validators: usize,
    /// The testnet folder.
    pub dir: PathBuf,
    /// First port of the layout (see [`ports::allocate`]); none: free ports.
    pub base_port: Option<u16>,
    /// The `ebl-node` binary; none: next to this executable.
    pub node_bin: Option<PathBuf>,
    /// Bound on the wait for final blocks on every node.
    pub timeout: Duration,
    /// R440: pilot organisations left out of genesis, to join later (`ebl-testnet join`).
    pub late: Vec<String>,
    /// R430: each node in its own network namespace (needs root).
    pub netns: bool,
    /// R433: the WAN profile between the China and the Singapore group (with `netns`).
    pub wan: Option<WanProfile>,
}

/// The folder as an absolute path (the state and node configs keep absolute paths, so that any
/// later command works from any working directory).
pub fn absolute(dir: &Path) -> Result<PathBuf> {
    std::path::absolute(dir).map_err(TestnetError::io(format!("resolve {}", dir.display())))
}

/// Creates and starts the testnet; returns its state (also saved as DIR/testnet.json).
pub fn up(options: &UpOptions) -> Result<TestnetState> {
    let root = absolute(&options.dir)?;
    if root.join(STATE_FILE).exists() {
        return Err(TestnetError::Usage(format!(
            "a testnet exists already in {} (`ebl-testnet down --clean` removes it)",
            root.display()
        )));
    }
    let busy = std::fs::read_dir(&root).is_ok_and(|mut entries| entries.next().is_some());
    if busy {
        return Err(TestnetError::Usage(format!(
            "{} is not empty; give an empty or new folder with --dir",
            root.display()
        )));
    }
    let node_binary = process::node_binary(options.node_bin.clone())?;
    let plan = orgs::Plan::without(options.validators, &options.late)?;
    let ports = ports::allocate(options.validators, options.base_port)?;
    if options.base_port.is_some() {
        let taken: Vec<u16> = ports
            .iter()
            .flat_map(|p| [p.api, p.p2p, p.gossip])
            .filter(|p| ports::in_use(*p))
            .collect();
        if !taken.is_empty() {
            return Err(TestnetError::Usage(format!(
                "ports already in use on 127.0.0.1: {taken:?} (choose another --base-port)"
            )));
        }
    }
    let layout = if options.netns {
        // R430, R431: refused before anything is written or created.
        host::require_root(host::effective_uid())?;
        Some(host::claim_free(Layout::new(&root, groups(&plan)))?)
    } else if options.wan.is_some() {
        return Err(TestnetError::Usage("--wan needs --netns".into()));
    } else {
        None
    };
    let addresses: Vec<Ipv4Addr> = match &layout {
        Some(layout) => (0..options.validators)
            .map(|i| layout.node_address(i))
            .collect(),
        None => vec![Ipv4Addr::LOCALHOST; options.validators],
    };
    std::fs::create_dir_all(&root)
        .map_err(TestnetError::io(format!("create {}", root.display())))?;
    let consortium = genesis::build(&plan, OffsetDateTime::now_utc())?;
    let mut orgs = home::write_consortium(&root, &consortium)?;
    let nodes = (0..options.validators)
        .map(|i| home::write_node(&root, &consortium, i, (&ports, &addresses), &mut orgs))
        .collect::<Result<Vec<_>>>()?;
    let mut state = TestnetState {
        chain_id: consortium.genesis.chain_id,
        root,
        node_binary,
        nodes,
        orgs,
        netns: layout.map(|layout| NetnsRecord {
            layout,
            wan: options.wan,
            delayer_pid: None,
        }),
    };
    // Saved before any process starts and any namespace is made (R434), so that `down` can
    // clean up whatever happens next.
    state.save()?;
    build_network(&mut state)?;
    for i in 0..state.nodes.len() {
        let ns = state.namespace_of(i);
        let pid = process::spawn(&state.node_binary, &state.nodes[i].home, ns.as_deref())?;
        state.nodes[i].pid = Some(pid);
        state.save()?;
    }
    wait_final_everywhere(&state, options.timeout)?;
    Ok(state)
}

/// R432: the group of each node: China for an operator registered in CN, Singapore otherwise.
pub fn groups(plan: &orgs::Plan) -> Vec<Group> {
    plan.operators
        .iter()
        .map(|op| {
            let country = plan
                .orgs
                .iter()
                .find(|o| &o.id == op)
                .map(|o| o.country.as_str());
            Group::of_country(country.unwrap_or(""))
        })
        .collect()
}

/// Builds the namespaces and, with a WAN profile, starts the delayer and then installs the
/// corridor's rules (in that order: with the rules but no delayer the corridor is cut).
fn build_network(state: &mut TestnetState) -> Result<()> {
    let Some(record) = state.netns.clone() else {
        return Ok(());
    };
    host::build(&record.layout)?;
    if let Some(wan) = record.wan {
        let log = state.root.join("wan-delay.log");
        let pid = host::spawn_delayer(&record.layout, wan, &log)?;
        if let Some(r) = state.netns.as_mut() {
            r.delayer_pid = Some(pid);
        }
        state.save()?;
        host::shape(&record.layout, wan)?;
    }
    Ok(())
}

/// The `GET /v1/status` of node `i`, when it answers.
pub fn node_status(client: &Client, state: &TestnetState, i: usize) -> Option<Value> {
    let node = state.nodes.get(i)?;
    let reply = client
        .get(
            &format!("{}/v1/status", node.gateway_url),
            &node.admin_api_key,
        )
        .ok()?;
    (reply.status == 200).then_some(reply.body)
}

/// Waits (bounded) until every node's gateway reports a final block above genesis; fails early
/// when a node process has died.
pub fn wait_final_everywhere(state: &TestnetState, bound: Duration) -> Result<()> {
    let client = Client::new(Duration::from_secs(2));
    let start = Instant::now();
    let mut pending: Vec<usize> = (0..state.nodes.len()).collect();
    while !pending.is_empty() {
        for node in &state.nodes {
            if let Some(pid) = node.pid
                && !process::alive(pid)
            {
                let log = home::log_path(&node.home);
                return Err(TestnetError::Setup(format!(
                    "{} exited; see {}; its last lines:\n{}",
                    node.name,
                    log.display(),
                    last_lines(&log, 12)
                )));
            }
        }
        pending.retain(|&i| {
            let height = node_status(&client, state, i)
                .and_then(|s| s.get("height").and_then(Value::as_u64))
                .unwrap_or(0);
            height < 1
        });
        if pending.is_empty() {
            break;
        }
        if start.elapsed() >= bound {
            let names: Vec<&str> = pending
                .iter()
                .map(|&i| state.nodes[i].name.as_str())
                .collect();
            return Err(TestnetError::Timeout {
                what: format!(
                    "final blocks on {names:?} (the nodes are left running for inspection: `ebl-testnet logs I`, `ebl-testnet down`)"
                ),
                seconds: bound.as_secs(),
            });
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok(())
}

/// The last `n` lines of a node log, without the dial noise of peers that are not up yet, so a
/// failed start explains itself even when the folder is gone afterwards (tests).
fn last_lines(log: &std::path::Path, n: usize) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.contains("dial") && !l.contains("NoPeersSubscribedToTopic"))
        .collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
