//! `ebl-wallet import DIR`: issues every TransportDocument / issuance request in a folder, one at
//! a time, each waited for until final, recording progress in DIR's state file so a rerun skips
//! finished files and re-checks submitted ones.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use ebl_ledger::ebl::EblAction;
use ebl_ledger::entry::{Body, ChainRef};
use ebl_ledger::ids::OrgId;
use ed25519_dalek::SigningKey;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use super::Ctx;
use super::crate_api::build::ebl::{IssueOptions, issue_from_document};
use super::crate_api::build::{self, Envelope};
use super::crate_api::client::{Gateway, Submitted};
use super::crate_api::import::{
    FileState, FileStatus, ImportState, MAPPING_FILE, Parties, documents_in, load_mapping,
};
use super::crate_api::{WalletError, document, error::read_input, parse};
use super::import_report::Summary;

/// `import` arguments.
#[derive(Debug, Args)]
#[command(
    after_help = "Every *.json file of DIR is issued by --identity (a carrier), one at a time,
each waited for until final. Progress is kept in DIR/.ebl-import-state.json: run the same command
again after an interruption or a failure, and finished files are skipped, submitted ones are
re-checked, failed ones are retried. Parties per file can come from DIR/ebl-import-mapping.json
(or --mapping FILE): {\"td-1.json\": {\"issue_to\": \"SHIPPER\", \"consignee\": \"BANK\"}}.
Exit 1 when any file failed (the summary lists each with its reason).

Examples:
  ebl-wallet --identity carrier-ops import ./outbox --issue-to SHIPPER --consignee CONSIGNEE
  ebl-wallet --json --identity carrier-ops import ./outbox --mapping parties.json"
)]
pub struct ImportArgs {
    /// Folder of DCSA TransportDocument or issuance-request JSON files.
    dir: PathBuf,
    /// Default first holder.
    #[arg(long, value_name = "ORG", value_parser = parse::org_id)]
    issue_to: Option<OrgId>,
    /// Default consignee / first endorsee (omit for a blank to-order BL).
    #[arg(long, value_name = "ORG", value_parser = parse::org_id)]
    consignee: Option<OrgId>,
    /// Per-file parties [default: DIR/ebl-import-mapping.json when present].
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
    /// How long to wait for each document to be final, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    timeout: u64,
}

/// Errors after which every further file would fail too: stop and keep the state.
fn fatal(e: &WalletError) -> bool {
    match e {
        WalletError::GatewayUnreachable { .. } | WalletError::GatewayAuth { .. } => true,
        // 429 after the client's own retries: the next file would be refused too.
        WalletError::Gateway { status, .. } => *status >= 500 || *status == 429,
        _ => false,
    }
}

struct Run<'a> {
    g: Gateway,
    chain: ChainRef,
    key: SigningKey,
    wait: Duration,
    dir: &'a Path,
    args: &'a ImportArgs,
    mapping: BTreeMap<String, Parties>,
    state: ImportState,
}

impl Run<'_> {
    fn parties(&self, name: &str) -> Result<(OrgId, Option<OrgId>), String> {
        let mapped = self.mapping.get(name).cloned().unwrap_or_default();
        let issue_to = match mapped.issue_to {
            Some(text) => parse::org_id(&text)?,
            None => self
                .args
                .issue_to
                .clone()
                .ok_or("no --issue-to and no issue_to in the mapping for this file")?,
        };
        let consignee = match mapped.consignee {
            Some(text) => Some(parse::org_id(&text)?),
            None => self.args.consignee.clone(),
        };
        Ok((issue_to, consignee))
    }

    fn record(&mut self, name: &str, file: FileState) -> Result<(), WalletError> {
        self.state.files.insert(name.to_string(), file);
        self.state.save(self.dir)
    }

    /// Re-checks a file submitted by an earlier run; `Ok(true)` when nothing more is needed.
    fn recheck(&mut self, name: &str, s: &mut Summary) -> Result<bool, WalletError> {
        let Some(prev) = self.state.files.get(name).cloned() else {
            return Ok(false);
        };
        if prev.done() {
            s.skipped.push(name.into());
            return Ok(true);
        }
        let Some(id) = prev
            .entry_id
            .as_deref()
            .and_then(ebl_ledger::hash::Hash32::from_hex)
        else {
            return Ok(false);
        };
        if prev.status != FileStatus::Submitted {
            return Ok(false);
        }
        match self.g.entry_status(&id, Some(self.wait)) {
            Ok(Submitted::Final(_, height)) => {
                let file = FileState {
                    status: FileStatus::Final,
                    height: Some(height),
                    error: None,
                    ..prev
                };
                self.record(name, file)?;
                s.skipped.push(name.into());
                Ok(true)
            }
            Ok(Submitted::Pending(_)) => {
                s.pending.push(name.into());
                Ok(true)
            }
            Err(e) if fatal(&e) => Err(e),
            // Rejected, failed or unknown to the node: issue it again.
            Err(_) => Ok(false),
        }
    }

    fn issue(&mut self, name: &str, s: &mut Summary) -> Result<(), WalletError> {
        let path = self.dir.join(name);
        let doc = match read_input(&path).and_then(|b| {
            document::read_transport_document(&b)
                .map_err(|e| super::crate_api::error::bad_input(&path, e))
        }) {
            Ok(d) => d,
            Err(e) => {
                s.failed.push((name.into(), e.to_string()));
                return Ok(());
            }
        };
        let mut file = FileState {
            document_id: doc.id.to_hex(),
            entry_id: None,
            status: FileStatus::Failed,
            height: None,
            error: None,
        };
        let fail = |run: &mut Self, s: &mut Summary, mut file: FileState, why: String| {
            file.status = FileStatus::Failed;
            file.error = Some(why.clone());
            s.failed.push((name.into(), why));
            run.record(name, file)
        };
        // Issued already (e.g. by a run whose state was lost): nothing to submit.
        match self.g.get(&format!("/v1/ebls/{}", doc.id.to_hex())) {
            Ok(_) => {
                file.status = FileStatus::AlreadyIssued;
                s.skipped.push(name.into());
                return self.record(name, file);
            }
            Err(WalletError::Gateway { status: 404, .. }) => {}
            Err(e) => return Err(e),
        }
        let (issue_to, consignee) = match self.parties(name) {
            Ok(p) => p,
            Err(why) => return fail(self, s, file, why),
        };
        let options = IssueOptions {
            issue_to,
            consignee,
            reference: None,
            kind: None,
        };
        let body = match issue_from_document(&doc, &path, &options) {
            Ok(issue) => Body::Ebl(EblAction::Issue(issue)),
            Err(e) => return fail(self, s, file, e.to_string()),
        };
        let signer = ebl_ledger::crypto::PublicKey(self.key.verifying_key().to_bytes());
        let sequence = self.g.next_sequence(&signer)?;
        let signed = match build::sign(
            &Envelope::new(self.chain.clone(), sequence),
            body,
            &self.key,
        ) {
            Ok(e) => e,
            Err(e) => return fail(self, s, file, e.to_string()),
        };
        // Recorded before submitting: an interruption now is re-checked on the next run.
        file.entry_id = Some(signed.id().to_hex());
        file.status = FileStatus::Submitted;
        self.record(name, file.clone())?;
        match self.g.submit(&signed, Some(self.wait)) {
            Ok(Submitted::Final(id, height)) => {
                file.status = FileStatus::Final;
                file.height = Some(height);
                s.issued
                    .push(json!({"file": name, "document_id": file.document_id,
                                     "entry_id": id.to_hex(), "height": height}));
                self.record(name, file)
            }
            Ok(Submitted::Pending(_)) => {
                s.pending.push(name.into());
                Ok(())
            }
            Err(e) if fatal(&e) => Err(e),
            Err(e) => fail(self, s, file, e.to_string()),
        }
    }
}

pub(super) fn run(ctx: &Ctx, args: &ImportArgs) -> Result<(), WalletError> {
    let dir = args.dir.as_path();
    let names = documents_in(dir)?;
    let mapping_path = args
        .mapping
        .clone()
        .unwrap_or_else(|| dir.join(MAPPING_FILE));
    let mapping = if args.mapping.is_some() || mapping_path.exists() {
        load_mapping(&mapping_path)?
    } else {
        BTreeMap::new()
    };
    let g = ctx.gateway()?;
    let chain = g.chain()?;
    let key = ctx.signing_key()?;
    let mut run = Run {
        g,
        chain,
        key,
        wait: Duration::from_secs(args.timeout),
        dir,
        args,
        mapping,
        state: ImportState::load(dir)?,
    };
    let target = if ctx.json || !std::io::stderr().is_terminal() {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(Some(names.len() as u64), target);
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}") {
        bar.set_style(style);
    }
    let mut summary = Summary::default();
    for name in &names {
        bar.set_message(name.clone());
        if !run.recheck(name, &mut summary)? {
            run.issue(name, &mut summary)?;
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    super::import_report::report(ctx, &summary, names.len())
}
