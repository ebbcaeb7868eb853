//! The steps of a join (see the module documentation of [`super`]), each printing what it did.
// A command-line tool: its results go to stdout.
#![allow(clippy::print_stdout)]

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use ebl_ledger::crypto::PublicKey;
use ebl_ledger::ebl::{EblAction, EblIssue, EblType};
use ebl_ledger::entry::{Body, DocumentRef};
use ebl_ledger::hash::Hash32;
use ebl_ledger::identity::{Proposal, Validator};
use ebl_ledger::ids::OrgId;
use ebl_ledger::receipt::{VerificationOutcome, VerificationReceipt};
use ed25519_dalek::SigningKey;
use serde_json::Value;

use super::network::{Network, Outcome};
use super::node_home::{self, use_validator_key};
use super::partner::{self, PartnerKeys, csr_path};
use super::{ca, vote};
use crate::error::{Result, TestnetError};
use crate::genesis::VALIDATOR_POWER;
use crate::netns::host;
use crate::netns::layout::Group;
use crate::pki::OrgSpec;
use crate::state::OrgInfo;
use crate::{home, ops, ports, process};

/// (a) The partner's keys and CSR, on its side (R441).
pub fn keys_and_csr(net: &Network, org: &OrgSpec) -> Result<PartnerKeys> {
    println!(
        "a. {} makes its keys and certificate request on its side",
        org.id
    );
    let folder = net.state.root.join("join").join(&org.id);
    let keys = partner::generate(&folder, org)?;
    println!(
        "   organisation key {}, validator key {}",
        hex::encode(keys.org_key.verifying_key().as_bytes()),
        hex::encode(keys.consensus_key.verifying_key().as_bytes())
    );
    println!(
        "   CSR {} (as `ebl-wallet org csr` writes it)",
        csr_path(&keys, &org.id).display()
    );
    Ok(keys)
}

/// (b) The consortium CA vets the CSR and issues the certificate (R442).
pub fn ca_ceremony(net: &Network, keys: &PartnerKeys, org: &OrgSpec) -> Result<Vec<u8>> {
    println!("b. The consortium CA vets the request and issues the certificate");
    let request = std::fs::read(csr_path(keys, &org.id))
        .map_err(TestnetError::io("read the partner's CSR"))?;
    let (der, vetted) = ca::certify(&net.state.root, &request)?;
    if vetted.subject.id != org.id {
        return Err(TestnetError::unexpected(
            "b",
            format!("the CSR names {}, not {}", vetted.subject.id, org.id),
        ));
    }
    let roles: Vec<&str> = vetted.subject.roles.iter().map(|r| r.code()).collect();
    println!(
        "   self-signature valid; CN={} O={} C={} OU={}; certificate {}",
        vetted.subject.id,
        vetted.subject.name,
        vetted.subject.country,
        roles.join(","),
        net.state
            .root
            .join("pki")
            .join(format!("{}.pem", org.id))
            .display()
    );
    Ok(der)
}

/// A receipt about a bill that need not exist: any active member may record one (R81), so the
/// ledger's answer shows whether the signer is a member.
fn probe_receipt(document: Hash32, detail: &str) -> Body {
    Body::Verification(VerificationReceipt {
        subject: DocumentRef::Ebl { id: document },
        outcome: VerificationOutcome::Verified,
        purpose: "JOIN".into(),
        detail: detail.into(),
        cites: Vec::new(),
    })
}

/// R447: before admission, an entry signed by the partner's key is refused by the network.
pub fn refused_before_admission(
    net: &mut Network,
    org: &OrgSpec,
    keys: &PartnerKeys,
) -> Result<()> {
    let body = probe_receipt(Hash32::sha256(b"join probe"), "before admission");
    match net.sign_and_submit(0, &keys.org_key, body)? {
        Outcome::Refused(code) => {
            println!(
                "   before admission an entry signed by {} is refused by {}: {code} (R447)",
                org.id, net.state.nodes[0].name
            );
            Ok(())
        }
        Outcome::Final(h) => Err(TestnetError::unexpected(
            "c",
            format!(
                "an entry by the not yet admitted {} became final at {h}",
                org.id
            ),
        )),
    }
}

fn admitted(net: &Network, org: &str) -> bool {
    net.get(0, &format!("/v1/organisations/{org}"))
        .is_ok_and(|r| r.status == 200)
}

/// (c) The members admit the organisation (R443, R444).
pub fn admit(net: &mut Network, org: &OrgSpec, certificate_der: Vec<u8>) -> Result<()> {
    println!(
        "c. The members vote to admit {} (ADMIT_ORGANISATION)",
        org.id
    );
    let profile = ebl_ledger::testkit::profiles::genesis_profiles([(
        org.id.as_str(),
        org.name.as_str(),
        org.country.as_str(),
    )])
    .into_iter()
    .next()
    .map(|g| g.profile);
    let id = org.id.clone();
    let proposal = Proposal::AdmitOrganisation {
        certificate_der,
        profile,
    };
    vote::carry(net, "admission", proposal, |net| !admitted(net, &id))?;
    if !admitted(net, &org.id) {
        return Err(TestnetError::unexpected(
            "c",
            format!("{} is not a member", org.id),
        ));
    }
    println!(
        "   {} is a member (GET /v1/organisations/{} answers 200)",
        org.id, org.id
    );
    Ok(())
}

/// The follower node after step (d).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Follower {
    /// Its index.
    pub node: usize,
    /// The height it caught up to.
    pub height: u64,
    /// How long that took from its start.
    pub catch_up: Duration,
}

/// R445 on a namespaced testnet (R436): the partner's node gets its own namespace on its
/// country's bridge, recorded in the state before it is made so that `down` removes it; the
/// address it listens on (127.0.0.1 on a loopback testnet).
fn join_namespace(net: &mut Network, org: &OrgSpec, index: usize) -> Result<Ipv4Addr> {
    let Some(record) = net.state.netns.as_mut() else {
        return Ok(Ipv4Addr::LOCALHOST);
    };
    let (added, commands) = record.layout.add_node(Group::of_country(&org.country));
    if added != index {
        return Err(TestnetError::Setup(format!(
            "the namespaced layout has {added} nodes and the testnet {index}"
        )));
    }
    let ip = record.layout.node_address(index);
    net.state.save()?;
    host::run_ip(&commands).map_err(|e| TestnetError::Setup(e.to_string()))?;
    Ok(ip)
}

/// (d) The partner's node: home from genesis and peers, started as a follower, caught up (R445).
pub fn start_follower(
    net: &mut Network,
    org: &OrgSpec,
    keys: &PartnerKeys,
    bound: Duration,
) -> Result<Follower> {
    println!(
        "d. {}'s node is written from the network's genesis and peers, and started",
        org.id
    );
    let root = net.state.root.clone();
    let peers = node_home::peers(&net.state)?;
    let port = ports::allocate(1, None)?
        .into_iter()
        .next()
        .ok_or_else(|| TestnetError::Setup("no free ports".into()))?;
    let index = net.state.nodes.len();
    let ip = join_namespace(net, org, index)?;
    let written = node_home::write(
        &root,
        &org.id,
        index,
        (ip, port),
        &root.join("genesis.json"),
        &peers,
        keys,
    )?;
    let secret_key_file = root.join("keys").join(format!("{}.key", org.id));
    home::write_private(&secret_key_file, &hex::encode(keys.org_key.to_bytes()))?;
    net.state.nodes.push(written.node);
    net.state.orgs.push(OrgInfo {
        id: org.id.clone(),
        roles: org.roles.iter().map(|r| r.code().to_string()).collect(),
        country: org.country.clone(),
        node: index,
        api_key: written.org_api_key,
        public_key: hex::encode(keys.org_key.verifying_key().as_bytes()),
        secret_key_file,
    });
    net.state.save()?;
    let target = net.height(0);
    let started = Instant::now();
    let pid = process::spawn(
        &net.state.node_binary,
        &net.state.nodes[index].home,
        net.state.namespace_of(index).as_deref(),
    )?;
    net.state.nodes[index].pid = Some(pid);
    net.state.save()?;
    println!(
        "   {} (pid {pid}) follows {} peers; the network is at height {target}",
        net.state.nodes[index].name,
        peers.len()
    );
    net.wait_until(
        &format!("{} to reach height {target}", net.state.nodes[index].name),
        bound,
        |net| net.height(index) >= target || !process::alive(pid),
    )?;
    if !process::alive(pid) {
        return Err(TestnetError::Setup(format!(
            "{} exited; see {}",
            net.state.nodes[index].name,
            home::log_path(&net.state.nodes[index].home).display()
        )));
    }
    let catch_up = started.elapsed();
    let height = net.height(index);
    println!(
        "   caught up: height {height} in {:.1} s by value sync, serving {} (not a validator)",
        catch_up.as_secs_f64(),
        net.state.nodes[index].gateway_url
    );
    Ok(Follower {
        node: index,
        height,
        catch_up,
    })
}

fn in_validator_set(net: &Network, node: usize, key: &str) -> bool {
    net.status(node)
        .and_then(|s| s.get("validators").and_then(Value::as_array).cloned())
        .is_some_and(|vs| {
            vs.iter()
                .any(|v| v.get("key").and_then(Value::as_str) == Some(key))
        })
}

/// The validator keys whose precommits the certificate of block `height` (on node `node`)
/// carries; none when the node does not have the block yet.
pub fn certificate_signers(net: &Network, node: usize, height: u64) -> Option<Vec<PublicKey>> {
    let reply = net.get(node, &format!("/v1/blocks/{height}")).ok()?;
    let hex_cert = reply.body.get("commit_certificate")?.as_str()?;
    let bytes = hex::decode(hex_cert).ok()?;
    let cert = ebl_node::consensus::codec::portable_certificate(&bytes)?;
    Some(cert.signatures.iter().map(|s| s.validator).collect())
}

/// (e) The second vote: the partner's validator key joins the set (R446); the node switches to
/// it; returns the first height whose certificate carries its precommit.
pub fn make_validator(
    net: &mut Network,
    org: &OrgSpec,
    keys: &PartnerKeys,
    node: usize,
    bound: Duration,
) -> Result<u64> {
    println!(
        "e. The members vote to make {}'s node a validator (ADD_VALIDATOR)",
        org.id
    );
    let key = PublicKey::from(keys.consensus_key.verifying_key());
    let key_hex = key.to_hex();
    let operator = OrgId::new(org.id.as_str()).map_err(TestnetError::setup("operator id"))?;
    let proposal = Proposal::AddValidator {
        validator: Validator {
            key,
            operator,
            power: VALIDATOR_POWER,
        },
    };
    let probe = key_hex.clone();
    let added = vote::carry(net, "validator", proposal, |net| {
        !in_validator_set(net, 0, &probe)
    })?;
    println!(
        "   {}'s node signs with its validator key from now on (restart)",
        org.id
    );
    use_validator_key(&net.state.nodes[node].home)?;
    ops::restart(&mut net.state, node, bound)?;
    net.state.nodes[node].validator = true;
    net.state.save()?;
    let signed = first_signed(net, &key, added + 1, bound)?;
    let own_view = in_validator_set(net, node, &key_hex);
    println!(
        "   the certificate of block {signed} carries {}'s precommit; its own /v1/status lists it as a validator: {own_view}",
        org.id
    );
    Ok(signed)
}

/// The first height from `from` whose certificate (on node 0) carries `key`'s precommit.
fn first_signed(net: &Network, key: &PublicKey, from: u64, bound: Duration) -> Result<u64> {
    let start = Instant::now();
    let mut next = from;
    loop {
        if next <= net.height(0) {
            if certificate_signers(net, 0, next).is_some_and(|s| s.contains(key)) {
                return Ok(next);
            }
            next += 1;
            continue;
        }
        if start.elapsed() >= bound {
            return Err(TestnetError::Timeout {
                what: "a certificate carrying the new validator's precommit".into(),
                seconds: bound.as_secs(),
            });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// (f) Business through the new node's gateway, final on every node, one state root (R448).
pub fn business(net: &mut Network, org: &OrgSpec, node: usize, bound: Duration) -> Result<()> {
    println!(
        "f. Business through {}'s gateway",
        net.state.nodes[node].name
    );
    let carrier = read_key(net, "CARRIER")?;
    let reference = format!("JOIN-{}-{}", org.id, net.height(0));
    let document = Hash32::sha256(reference.as_bytes());
    let issue = Body::Ebl(EblAction::Issue(EblIssue {
        document,
        reference: reference.clone(),
        kind: EblType::ToOrderBl,
        issue_to: OrgId("CONSIGNEE".into()),
        consignee: Some(OrgId("CONSIGNEE".into())),
    }));
    let issued = final_or_fail(
        net.sign_and_submit(node, &carrier, issue)?,
        "the carrier's issue",
    )?;
    println!("   CARRIER issues {reference} through it: final at height {issued}");
    let own = read_key(net, &org.id)?;
    let receipt = probe_receipt(document, "after admission");
    let h = final_or_fail(net.sign_and_submit(node, &own, receipt)?, "the receipt")?;
    println!(
        "   {} records a verification receipt on it: final at height {h}",
        org.id
    );
    let nodes = net.state.nodes.len();
    net.wait_until("every node at the receipt's height", bound, |net| {
        (0..nodes).all(|i| net.height(i) >= h)
    })?;
    let path = format!("/v1/ebls/{document}");
    for i in 0..nodes {
        let reply = net.get(i, &path)?;
        if reply.status != 200 {
            return Err(TestnetError::unexpected(
                "f",
                format!(
                    "{} does not have the bill: HTTP {}",
                    net.state.nodes[i].name, reply.status
                ),
            ));
        }
    }
    let roots: Vec<String> = (0..nodes)
        .map(|i| {
            net.get(i, &format!("/v1/blocks/{h}"))
                .ok()
                .and_then(|r| {
                    r.body
                        .pointer("/header/state_root")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .unwrap_or_default()
        })
        .collect();
    if roots.iter().any(|r| r.is_empty() || *r != roots[0]) {
        return Err(TestnetError::unexpected(
            "f",
            format!("state roots at {h} differ: {roots:?}"),
        ));
    }
    println!(
        "   all {nodes} nodes hold the bill and state root {} at height {h}",
        roots[0]
    );
    Ok(())
}

fn final_or_fail(outcome: Outcome, what: &str) -> Result<u64> {
    match outcome {
        Outcome::Final(h) => Ok(h),
        Outcome::Refused(code) => Err(TestnetError::unexpected("f", format!("{what}: {code}"))),
    }
}

fn read_key(net: &Network, org: &str) -> Result<SigningKey> {
    let info = net
        .state
        .org(org)
        .ok_or_else(|| TestnetError::Usage(format!("no organisation {org}")))?;
    let text = std::fs::read_to_string(&info.secret_key_file).map_err(TestnetError::io(
        format!("read {}", info.secret_key_file.display()),
    ))?;
    let mut secret = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut secret)
        .map_err(|e| TestnetError::Usage(format!("{}: {e}", info.secret_key_file.display())))?;
    Ok(SigningKey::from_bytes(&secret))
}
