//! The chaos soak's checker (R362–R366): pure code from what the nodes' chains hold and what
//! the client was told to a list of violations. It models title independently of the ledger:
//! one holder per bill, a transfer is legal only from the holder of the moment, nothing
//! follows a closing status.

use std::collections::{BTreeMap, BTreeSet};

use ebl_ledger::ebl::EblAction;
use ebl_ledger::entry::Body;
use serde::Serialize;

/// One entry of a block as `GET /v1/blocks/{height}` shows it to the regulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainEntry {
    /// Entry id (hex).
    pub id: String,
    /// APPLIED (true) or FAILED.
    pub applied: bool,
    /// The signer's organisation (or its key in hex when no organisation holds it).
    pub actor: String,
    /// Signer key (hex) and sequence: an account's sequence is spent once.
    pub signer: String,
    /// The signer's sequence.
    pub sequence: u64,
    /// What the entry does.
    pub body: Body,
}

/// One final block on one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBlock {
    /// Height.
    pub height: u64,
    /// Header hash (hex): it covers the state root, so equal hashes mean equal state.
    pub hash: String,
    /// Entries in block order.
    pub entries: Vec<ChainEntry>,
}

/// What the client was told about one submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Answer {
    /// 200 `final` at this height.
    Final {
        /// The height the gateway named.
        height: u64,
    },
    /// 422 with the ledger's code (a decided failure).
    Failed {
        /// The code.
        code: String,
    },
    /// 202 or a `pending` answer: accepted, not yet decided.
    Accepted,
    /// No answer (connection refused, timeout: the node was down or paused).
    NoAnswer,
}

/// One submission of the workload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Submission {
    /// Workload round; the submissions of one round race for the same bill.
    pub round: u64,
    /// Entry id (hex).
    pub id: String,
    /// Bill (document id hex).
    pub bill: String,
    /// The node it was sent to.
    pub node: usize,
    /// What the gateway answered.
    pub answer: Answer,
}

/// What the checker found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Findings {
    /// Heights compared on every node.
    pub heights_compared: u64,
    /// Heights at which two nodes hold different blocks.
    pub forks: u64,
    /// Submissions told `final` whose entry is not applied at that height.
    pub lost: u64,
    /// Entries applied more than once, or account sequences spent twice.
    pub duplicated: u64,
    /// Rounds in which two racing transfers both applied.
    pub conflicts_both_applied: u64,
    /// Transfers applied by someone other than the holder of the moment, or after closing.
    pub illegal_transfers: u64,
    /// Submissions told `final`.
    pub acknowledged_final: u64,
    /// Workload entries applied on the chain.
    pub applied: u64,
    /// Workload entries that failed on the chain (e.g. NOT_HOLDER, a spent sequence).
    pub failed_on_chain: u64,
    /// Submissions accepted or unanswered that were never decided on the chain (in a crashed
    /// node's pool, or a race's loser dropped as a spent sequence): not a violation for a
    /// self-signed entry, whose client may resubmit it (R368).
    pub never_decided: u64,
    /// Submissions refused at intake (a 4xx/5xx answer) and not on the chain.
    pub refused: u64,
    /// What the gateways answered, by kind (`final`, `accepted`, `no_answer`, or the code).
    pub answers: BTreeMap<String, u64>,
    /// Every violation, in words.
    pub violations: Vec<String>,
}

/// R362: every node holds the same block at every height up to the lowest head.
pub fn compare_chains(chains: &[Vec<ChainBlock>], findings: &mut Findings) {
    let Some(common) = chains.iter().map(Vec::len).min() else {
        return;
    };
    findings.heights_compared = common as u64;
    for i in 0..common {
        let first = &chains[0][i];
        if chains.iter().any(|c| c[i].hash != first.hash) {
            findings.forks += 1;
            findings
                .violations
                .push(format!("fork at height {}", first.height));
        }
    }
}

/// R363–R366 on one chain (the nodes agree, R362): legal title histories, exactly-once
/// application, final answers kept, and at most one winner per race.
pub fn check_history(chain: &[ChainBlock], submissions: &[Submission], findings: &mut Findings) {
    let ours: BTreeSet<&str> = submissions.iter().map(|s| s.id.as_str()).collect();
    let mut applied_at: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    let mut decided: BTreeSet<&str> = BTreeSet::new();
    let mut sequences: BTreeSet<(&str, u64)> = BTreeSet::new();
    let mut titles: BTreeMap<String, Title> = BTreeMap::new();
    for block in chain {
        for e in &block.entries {
            decided.insert(&e.id);
            let mine = ours.contains(e.id.as_str());
            if !e.applied {
                findings.failed_on_chain += u64::from(mine);
                continue;
            }
            findings.applied += u64::from(mine);
            applied_at.entry(&e.id).or_default().push(block.height);
            if !sequences.insert((&e.signer, e.sequence)) {
                findings.duplicated += 1;
                findings.violations.push(format!(
                    "sequence {} of {} applied twice (height {})",
                    e.sequence, e.signer, block.height
                ));
            }
            if let Err(why) = title_step(&mut titles, e) {
                findings.illegal_transfers += 1;
                findings
                    .violations
                    .push(format!("height {}: entry {}: {why}", block.height, e.id));
            }
        }
    }
    for (id, heights) in &applied_at {
        if heights.len() > 1 {
            findings.duplicated += 1;
            findings
                .violations
                .push(format!("entry {id} applied at heights {heights:?}"));
        }
    }
    let mut winners: BTreeMap<u64, Vec<&str>> = BTreeMap::new();
    for s in submissions {
        let heights = applied_at.get(s.id.as_str());
        if heights.is_some() {
            winners.entry(s.round).or_default().push(&s.id);
        }
        if let Answer::Final { height } = s.answer {
            findings.acknowledged_final += 1;
            if !heights.is_some_and(|h| h.contains(&height)) {
                findings.lost += 1;
                findings.violations.push(format!(
                    "entry {} was told final at height {height} but is not applied there",
                    s.id
                ));
            }
        }
        let kind = match &s.answer {
            Answer::Final { .. } => "final",
            Answer::Accepted => "accepted",
            Answer::NoAnswer => "no_answer",
            Answer::Failed { code } => code.as_str(),
        };
        *findings.answers.entry(kind.to_string()).or_insert(0) += 1;
        if !decided.contains(s.id.as_str()) {
            match s.answer {
                Answer::Failed { .. } => findings.refused += 1,
                _ => findings.never_decided += 1,
            }
        }
    }
    for (round, ids) in winners {
        let distinct: BTreeSet<&str> = ids.into_iter().collect();
        if distinct.len() > 1 {
            findings.conflicts_both_applied += 1;
            findings.violations.push(format!(
                "round {round}: racing transfers {distinct:?} all applied"
            ));
        }
    }
}

/// A bill as the checker's own model sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Title {
    holder: String,
    closed: bool,
}

/// R364: applies one applied entry to the model; an entry the model finds illegal is reported.
fn title_step(titles: &mut BTreeMap<String, Title>, e: &ChainEntry) -> Result<(), String> {
    let Body::Ebl(action) = &e.body else {
        return Ok(());
    };
    let bill = action.document().to_hex();
    if let EblAction::Issue(issue) = action {
        if titles.contains_key(&bill) {
            return Err(format!("bill {bill} issued twice"));
        }
        let holder = issue.issue_to.0.clone();
        titles.insert(
            bill,
            Title {
                holder,
                closed: false,
            },
        );
        return Ok(());
    }
    let Some(title) = titles.get_mut(&bill) else {
        return Err(format!("action on bill {bill}, never issued"));
    };
    if title.closed {
        return Err(format!("action on bill {bill} after a closing status"));
    }
    match action {
        EblAction::Transfer { to, .. } => {
            if title.holder != e.actor {
                return Err(format!(
                    "{} transferred bill {bill} held by {}",
                    e.actor, title.holder
                ));
            }
            title.holder = to.0.clone();
        }
        EblAction::SurrenderForDelivery { .. } | EblAction::Void { .. } => title.closed = true,
        // The workload sends transfers only; other actions on its bills keep the holder.
        _ => {}
    }
    Ok(())
}
