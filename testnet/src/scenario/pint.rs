//! `ebl-testnet scenario pint`: one bill between two independent networks by DCSA PINT 3.0
//! (issue 14). Two dev networks (chains `ebl-pint-a` and `ebl-pint-b`, platforms EBLA and
//! EBLB) each run as their own `ebl-node dev` process; the bill is issued on EBLA (DCSA ISS),
//! passed to the bank there, exported to EBLB, endorsed and passed on there, exported back to
//! EBLA and surrendered there. Every step is read back on both ledgers.
//!
//! `--kill-sender`: EBLA is killed with SIGKILL the moment EBLB has imported the bill, which
//! is between "sent" and "answer recorded" unless EBLA was faster; restarted, its sender finds
//! the pending export on its ledger, sends the same chain entry again and records EBLB's DUPE.
//! Either way the run checks that nothing was lost and nothing applied twice.
// A command-line tool: its results go to stdout.
#![allow(clippy::print_stdout)]

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::dcsa::issuance_request_on;
use super::pint_nodes::{Platform, pair};
use crate::error::{Result, TestnetError};
use crate::http::Client;

/// Longest one step waits for the other platform.
const STEP: Duration = Duration::from_secs(60);

/// Options of the scenario.
#[derive(Debug, Clone)]
pub struct PintOptions {
    /// Folder of the two networks (replaced).
    pub dir: std::path::PathBuf,
    /// The `ebl-node` binary (built with the `dev` feature).
    pub node_bin: std::path::PathBuf,
    /// Kill EBLA's node between sending and recording the answer.
    pub kill_sender: bool,
}

fn party(code: &str, org: &str) -> Value {
    json!({"partyName": format!("{org} on {code}"), "eblPlatform": code,
           "identifyingCodes": [{"codeListProvider": code, "partyCode": org}]})
}

struct Run {
    client: Client,
    id: String,
}

impl Run {
    fn ebl(&self, side: &Platform) -> Result<Option<Value>> {
        let reply = self.client.get(
            &format!("{}/v1/ebls/{}", side.url, self.id),
            &side.admin_key()?,
        )?;
        Ok((reply.status == 200).then_some(reply.body))
    }

    fn act(
        &self,
        step: &str,
        side: &Platform,
        org: &str,
        action: &str,
        body: &Value,
    ) -> Result<()> {
        let url = format!(
            "{}/v1/custodial/ebls/{}/{action}?wait=final",
            side.url, self.id
        );
        let reply = self.client.post(&url, &side.org_key(org)?, body)?;
        if reply.status != 200 || reply.body["status"] != "final" {
            return Err(TestnetError::unexpected(
                step,
                format!(
                    "{org} {action} on {}: {} {}",
                    side.code, reply.status, reply.body
                ),
            ));
        }
        println!("  {step}: {org} {action} on {} — final", side.code);
        Ok(())
    }

    /// Waits until the bill on `side` satisfies `check`.
    fn until(
        &self,
        step: &str,
        side: &Platform,
        what: &str,
        check: impl Fn(&Value) -> bool,
    ) -> Result<Value> {
        let started = Instant::now();
        while started.elapsed() < STEP {
            if let Ok(Some(ebl)) = self.ebl(side)
                && check(&ebl)
            {
                return Ok(ebl);
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        Err(TestnetError::unexpected(
            step,
            format!("{what} on {} within {STEP:?}", side.code),
        ))
    }

    fn expect(&self, step: &str, side: &Platform, status: &str, holder: &str) -> Result<Value> {
        let ebl = self
            .ebl(side)?
            .ok_or_else(|| TestnetError::unexpected(step, format!("no bill on {}", side.code)))?;
        if ebl["status"] != status || ebl["holder"] != holder {
            return Err(TestnetError::unexpected(
                step,
                format!(
                    "{} shows {} held by {}; expected {status} held by {holder}",
                    side.code, ebl["status"], ebl["holder"]
                ),
            ));
        }
        println!("    {}: {status}, holder {holder}", side.code);
        Ok(ebl)
    }
}

fn count(ebl: &Value, action: &str) -> usize {
    ebl["history"].as_array().map_or(0, |h| {
        h.iter().filter(|line| line["action"] == action).count()
    })
}

/// Runs the scenario; the two networks are stopped at the end.
pub fn run(options: &PintOptions) -> Result<()> {
    if options.dir.exists() {
        std::fs::remove_dir_all(&options.dir)
            .map_err(TestnetError::io(format!("clear {}", options.dir.display())))?;
    }
    std::fs::create_dir_all(&options.dir).map_err(TestnetError::io(format!(
        "create {}",
        options.dir.display()
    )))?;
    let net = ebl_ledger::testkit::TestNetwork::one_validator_pilot();
    let carrier = net.party("CARRIER").key.clone();
    let (mut a, mut b) = pair(&options.dir, &carrier)?;
    let client = Client::new(Duration::from_secs(70));
    a.start(&options.node_bin, &client)?;
    b.start(&options.node_bin, &client)?;
    println!(
        "EBLA at {}, EBLB at {} (folder {})",
        a.url,
        b.url,
        options.dir.display()
    );
    let reference = format!("PINT{:016}", rand::random::<u64>() % 10_u64.pow(16));
    let (request, id) = issuance_request_on("EBLA", &reference, "SHIPPER", &carrier)?;
    let run = Run {
        client,
        id: id.to_hex(),
    };
    // 1. Issued on EBLA, to the order of the shipper.
    let url = format!("{}/v3/ebl-issuance-requests?responseMode=sync", a.url);
    let issued = run
        .client
        .call("PUT", &url, &a.org_key("CARRIER")?, Some(&request))?;
    if issued.body["issuanceResponseCode"] != "ISSU" {
        return Err(TestnetError::unexpected("1 issue", issued.body.to_string()));
    }
    println!("1 issued {reference} on EBLA ({})", run.id);
    run.expect("1 issue", &a, "ACTIVE", "SHIPPER")?;
    // 2. On EBLA: the shipper endorses to the bank and hands it over.
    println!("2 transferred on EBLA");
    run.act(
        "2",
        &a,
        "SHIPPER",
        "endorse-to-order",
        &json!({"endorsee": "BANK"}),
    )?;
    run.act("2", &a, "SHIPPER", "transfer", &json!({"to": "BANK"}))?;
    run.expect("2", &a, "ACTIVE", "BANK")?;
    // 3. Exported to the consignee on EBLB.
    println!("3 exported EBLA → EBLB");
    let sent = Instant::now();
    run.act(
        "3",
        &a,
        "BANK",
        "export",
        &json!({"recipient": party("EBLB", "CONSIGNEE"), "endorse": true}),
    )?;
    run.until("3", &b, "the import", |e| e["status"] == "ACTIVE")?;
    if options.kill_sender {
        crash_and_recover(&run, &mut a, &b, &options.node_bin)?;
    }
    run.until("3", &a, "EXPORTED", |e| e["status"] == "EXPORTED")?;
    if !options.kill_sender {
        println!(
            "  export to EXPORTED on EBLA in {} ms",
            sent.elapsed().as_millis()
        );
    }
    run.expect("3", &a, "EXPORTED", "BANK")?;
    let on_b = run.expect("3", &b, "ACTIVE", "CONSIGNEE")?;
    if on_b["carrier"] != "PINT.EBLA.CARRIER" {
        return Err(TestnetError::unexpected(
            "3",
            format!("carrier on EBLB: {}", on_b["carrier"]),
        ));
    }
    // 4. On EBLB: endorsed to the bank there and handed over.
    println!("4 endorsed on EBLB");
    run.act(
        "4",
        &b,
        "CONSIGNEE",
        "endorse-to-order",
        &json!({"endorsee": "BANK"}),
    )?;
    run.act("4", &b, "CONSIGNEE", "transfer", &json!({"to": "BANK"}))?;
    run.expect("4", &b, "ACTIVE", "BANK")?;
    // 5. Exported back to the bank on EBLA.
    println!("5 exported EBLB → EBLA");
    let sent = Instant::now();
    run.act(
        "5",
        &b,
        "BANK",
        "export",
        &json!({"recipient": party("EBLA", "BANK"), "endorse": true}),
    )?;
    run.until("5", &b, "EXPORTED", |e| e["status"] == "EXPORTED")?;
    println!(
        "  export to EXPORTED on EBLB in {} ms",
        sent.elapsed().as_millis()
    );
    run.expect("5", &a, "ACTIVE", "BANK")?;
    // 6. Surrendered on EBLA and accepted by the carrier.
    println!("6 surrendered on EBLA");
    run.act("6", &a, "BANK", "surrender", &json!({}))?;
    run.act("6", &a, "CARRIER", "accept-surrender", &json!({}))?;
    let home = run.expect("6", &a, "ACCOMPLISHED", "CARRIER")?;
    let away = run.expect("6", &b, "EXPORTED", "BANK")?;
    // Exactly once: one answer per export and one import per arrival, on both ledgers.
    let once = [
        (
            count(&home, "PINT_EXPORT_ANSWER"),
            1,
            "EBLA's export answers",
        ),
        (count(&home, "PINT_IMPORT"), 1, "EBLA's imports"),
        (count(&away, "PINT_IMPORT"), 1, "EBLB's imports"),
        (
            count(&away, "PINT_EXPORT_ANSWER"),
            1,
            "EBLB's export answers",
        ),
    ];
    for (seen, expected, what) in once {
        if seen != expected {
            return Err(TestnetError::unexpected(
                "6",
                format!("{what}: {seen}, expected {expected}"),
            ));
        }
    }
    println!(
        "done: the bill went EBLA → EBLB → EBLA and was accomplished on EBLA; each move recorded once"
    );
    a.kill()?;
    b.kill()?;
    Ok(())
}

/// Kills EBLA right after EBLB imported the bill, restarts it, and reports which side of the
/// crash the answer fell on.
fn crash_and_recover(run: &Run, a: &mut Platform, b: &Platform, node_bin: &Path) -> Result<()> {
    a.kill()?;
    println!("  kill -9 EBLA the moment EBLB holds the bill");
    let client = Client::new(Duration::from_secs(70));
    a.start(node_bin, &client)?;
    let status = run
        .ebl(a)?
        .map(|e| e["status"].clone())
        .unwrap_or(Value::Null);
    if status == "EXPORT_PENDING" {
        println!(
            "  restarted: EXPORT_PENDING (the answer was lost with the process); the sender resends"
        );
    } else {
        println!("  restarted: {status} (the answer was recorded before the kill)");
    }
    let imports = run.ebl(b)?.map_or(0, |e| count(&e, "PINT_IMPORT"));
    if imports != 1 {
        return Err(TestnetError::unexpected(
            "3",
            format!("EBLB imported {imports} times"),
        ));
    }
    Ok(())
}
