//! `status`, `down`, `kill`, `restart` and `logs` of a running testnet.
// A command-line tool: its results go to stdout.
#![allow(clippy::print_stdout)]

use std::io::{Read as _, Seek as _, Write as _};
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::error::{Result, TestnetError};
use crate::http::Client;
use crate::netns::host;
use crate::state::{NodeInfo, TestnetState};
use crate::up::node_status;
use crate::{home, process};

/// What `status` reports about one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeStatus {
    /// Node index.
    pub index: usize,
    /// Whether its process is running.
    pub running: bool,
    /// Final height, when its gateway answered.
    pub height: Option<u64>,
    /// Connected consensus peers.
    pub peers: Option<u64>,
    /// Hash of its last final block.
    pub last_block_hash: Option<String>,
}

/// The status of every node (heights, peers, last block hash from `GET /v1/status`).
pub fn statuses(state: &TestnetState) -> Vec<NodeStatus> {
    let client = Client::new(Duration::from_secs(3));
    state
        .nodes
        .iter()
        .map(|node| {
            let running = node.pid.is_some_and(process::alive);
            let status = if running {
                node_status(&client, state, node.index)
            } else {
                None
            };
            let field = |k: &str| status.as_ref().and_then(|s| s.get(k)).cloned();
            NodeStatus {
                index: node.index,
                running,
                height: field("height").and_then(|v| v.as_u64()),
                peers: field("peers").and_then(|v| v.as_u64()),
                last_block_hash: field("last_block_hash")
                    .and_then(|v| v.as_str().map(str::to_string)),
            }
        })
        .collect()
}

/// Prints the status table; fails when a node recorded as running is not.
pub fn print_status(state: &TestnetState) -> Result<()> {
    println!("testnet {} in {}", state.chain_id, state.root.display());
    println!(
        "{:<3} {:<16} {:<8} {:>7} {:>5}  {:<64}  gateway",
        "#", "node", "process", "height", "peers", "last block hash"
    );
    let mut down = Vec::new();
    for (s, node) in statuses(state).iter().zip(&state.nodes) {
        let opt = |v: Option<u64>| v.map_or("-".to_string(), |v| v.to_string());
        println!(
            "{:<3} {:<16} {:<8} {:>7} {:>5}  {:<64}  {}",
            s.index,
            node.name,
            if s.running { "running" } else { "stopped" },
            opt(s.height),
            opt(s.peers),
            s.last_block_hash.as_deref().unwrap_or("-"),
            node.gateway_url
        );
        if node.pid.is_some() && !s.running {
            down.push(node.name.clone());
        }
    }
    if down.is_empty() {
        Ok(())
    } else {
        Err(TestnetError::Setup(format!(
            "nodes exited unexpectedly: {down:?} (see `ebl-testnet logs I`)"
        )))
    }
}

fn node(state: &TestnetState, index: usize) -> Result<&NodeInfo> {
    state.nodes.get(index).ok_or_else(|| {
        TestnetError::Usage(format!(
            "no node {index} (the testnet has {})",
            state.nodes.len()
        ))
    })
}

/// Stops every node (graceful signal, bounded wait, SIGKILL), then removes the namespaces, links
/// and delayer of a namespaced testnet (R434; again on every call, so a `down` that was
/// interrupted is finished by the next); `clean` then removes the folder.
pub fn down(mut state: TestnetState, clean: bool) -> Result<()> {
    if state.netns.is_some() {
        host::require_root(host::effective_uid())?;
    }
    for i in 0..state.nodes.len() {
        if let Some(pid) = state.nodes[i].pid {
            process::stop(pid)?;
            println!("stopped {} (pid {pid})", state.nodes[i].name);
        }
        state.nodes[i].pid = None;
    }
    if let Some(record) = state.netns.as_mut() {
        if let Some(pid) = record.delayer_pid.take()
            && host::delayer_alive(pid)
        {
            process::signal_any(pid)?;
            println!("stopped the WAN delayer (pid {pid})");
        }
        for what in host::teardown(&record.layout)? {
            println!("removed {what}");
        }
    }
    if clean {
        std::fs::remove_dir_all(&state.root)
            .map_err(TestnetError::io(format!("remove {}", state.root.display())))?;
        println!("removed {}", state.root.display());
        Ok(())
    } else {
        Ok(state.save()?)
    }
}

/// SIGKILL node `index` (a crash, for recovery tests).
pub fn kill(state: &mut TestnetState, index: usize) -> Result<()> {
    let info = node(state, index)?;
    if let Some(pid) = info.pid {
        process::hard_kill(pid)?;
    }
    state.nodes[index].pid = None;
    Ok(state.save()?)
}

/// (Re)starts node `index`: stops it if it runs, starts it, and waits (bounded) until its
/// gateway answers.
pub fn restart(state: &mut TestnetState, index: usize, bound: Duration) -> Result<()> {
    let info = node(state, index)?;
    if let Some(pid) = info.pid {
        process::stop(pid)?;
    }
    let ns = state.namespace_of(index);
    let pid = process::spawn(&state.node_binary, &info.home, ns.as_deref())?;
    state.nodes[index].pid = Some(pid);
    state.save()?;
    let client = Client::new(Duration::from_secs(2));
    let start = Instant::now();
    while node_status(&client, state, index).is_none() {
        if !process::alive(pid) {
            return Err(TestnetError::Setup(format!(
                "{} exited at start; see {}",
                state.nodes[index].name,
                home::log_path(&state.nodes[index].home).display()
            )));
        }
        if start.elapsed() >= bound {
            return Err(TestnetError::Timeout {
                what: format!("the gateway of {}", state.nodes[index].name),
                seconds: bound.as_secs(),
            });
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok(())
}

/// Prints node `index`'s log; with `follow`, keeps printing what is appended until interrupted.
pub fn logs(state: &TestnetState, index: usize, follow: bool) -> Result<()> {
    let path = home::log_path(&node(state, index)?.home);
    let mut file =
        std::fs::File::open(&path).map_err(TestnetError::io(format!("open {}", path.display())))?;
    let mut out = std::io::stdout().lock();
    loop {
        let mut chunk = Vec::new();
        file.read_to_end(&mut chunk)
            .map_err(TestnetError::io(format!("read {}", path.display())))?;
        out.write_all(&chunk)
            .and_then(|()| out.flush())
            .map_err(TestnetError::io("write stdout"))?;
        if !follow {
            return Ok(());
        }
        // A log that shrank was truncated: start again from its beginning.
        let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let pos = file.stream_position().unwrap_or(0);
        if len < pos {
            file.seek(std::io::SeekFrom::Start(0))
                .map_err(TestnetError::io("rewind the log"))?;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// The state of the testnet in `dir`.
pub fn load(dir: &Path) -> Result<TestnetState> {
    Ok(TestnetState::load(&crate::up::absolute(dir)?)?)
}

/// A JSON field as text, for messages.
pub fn text(v: &Value, key: &str) -> String {
    v.get(key).map_or("-".into(), |v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}
