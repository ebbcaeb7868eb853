//! `ebl-wallet sign ebl …`: every eBL action (R30–R49).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};

use ebl_ledger::ebl::{
    AmendmentReason, EblAction, EblIssue, EblType, ExportAnswerCode, ForeignParty,
};
use ebl_ledger::hash::{DocumentId, Hash32};
use ebl_ledger::ids::OrgId;

use super::crate_api::build::ebl::{self, IssueOptions};
use super::crate_api::{WalletError, document, error::bad_input, error::read_input, parse};

const EX: &str =
    "ebl-wallet sign --identity ID --chain-id C --genesis-hash G --sequence N --dry-run";

/// The document an action is about.
#[derive(Debug, Args)]
pub struct DocArg {
    /// Document id (64 hex digits, see `ebl-wallet doc-id`).
    #[arg(long, value_name = "DOC-ID", value_parser = parse::hash32,
          required_unless_present = "document_file", conflicts_with = "document_file")]
    document: Option<Hash32>,
    /// The TransportDocument JSON instead of its id.
    #[arg(long, value_name = "FILE")]
    document_file: Option<PathBuf>,
}

impl DocArg {
    fn id(&self) -> Result<DocumentId, WalletError> {
        match (&self.document, &self.document_file) {
            (Some(id), _) => Ok(*id),
            (None, Some(path)) => Ok(read_document(path)?.id),
            (None, None) => Err(WalletError::InvalidArgument {
                field: "--document".into(),
                reason: "name --document DOC-ID or --document-file FILE".into(),
            }),
        }
    }
}

/// Who a (replacement) document is issued to.
#[derive(Debug, Args)]
pub struct IssueArgs {
    /// First holder (usually the shipper).
    #[arg(long, value_name = "ORG", value_parser = parse::org_id)]
    issue_to: OrgId,
    /// Consignee (straight BL, sea waybill) or first endorsee (to-order BL), when the document
    /// names it only by code lists other than EBLL; must agree with the document otherwise.
    #[arg(long, value_name = "ORG", value_parser = parse::org_id)]
    consignee: Option<OrgId>,
    /// transportDocumentReference, for a document without one; must agree otherwise.
    #[arg(long, value_name = "REF")]
    reference: Option<String>,
    /// The kind, for a document that does not declare it; must agree otherwise.
    #[arg(long, value_parser = ebl_type)]
    kind: Option<EblType>,
}

fn ebl_type(text: &str) -> Result<EblType, String> {
    parse::ledger_enum(text, "kind", "STRAIGHT_BL, TO_ORDER_BL, SEA_WAYBILL")
}

fn reason_code(text: &str) -> Result<AmendmentReason, String> {
    parse::ledger_enum(text, "surrender reason", "SWTP, COD, SWI, OTHR")
}

/// What a surrender is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SurrenderFor {
    /// To take delivery of the goods.
    Delivery,
    /// To have the document amended (needs --reason).
    Amendment,
}

/// eBL actions.
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples (all after `ebl-wallet sign --identity … --sequence N --dry-run`):
  ebl issue td.json --issue-to SHIPPER --consignee BANK
  ebl transfer --document <DOC-ID> --to BANK
  ebl surrender --document <DOC-ID> --for amendment --reason COD"
)]
pub enum EblCmd {
    /// ISSUE from a DCSA TransportDocument (or issuance request / PINT envelope) JSON file.
    #[command(after_help = format!("Examples:\n  {EX} ebl issue td.json --issue-to SHIPPER --consignee CONSIGNEE\n  {EX} ebl issue td.json --issue-to SHIPPER   # to-order BL issued blank"))]
    Issue {
        /// TransportDocument JSON.
        file: PathBuf,
        #[command(flatten)]
        to: IssueArgs,
    },
    /// TRANSFER possession to another organisation.
    #[command(after_help = format!("Examples:\n  {EX} ebl transfer --document <DOC-ID> --to BANK"))]
    Transfer {
        #[command(flatten)]
        doc: DocArg,
        /// New holder.
        #[arg(long, value_name = "ORG", value_parser = parse::org_id)]
        to: OrgId,
    },
    /// ENDORSE to a new endorsee (holder who is the endorsee).
    #[command(after_help = format!("Examples:\n  {EX} ebl endorse --document <DOC-ID> --endorsee BUYER2"))]
    Endorse {
        #[command(flatten)]
        doc: DocArg,
        /// New endorsee.
        #[arg(long, value_name = "ORG", value_parser = parse::org_id)]
        endorsee: OrgId,
    },
    /// ENDORSE_TO_ORDER of a new endorsee.
    #[command(after_help = format!("Examples:\n  {EX} ebl endorse-to-order --document <DOC-ID> --endorsee BANK"))]
    EndorseToOrder {
        #[command(flatten)]
        doc: DocArg,
        /// New endorsee.
        #[arg(long, value_name = "ORG", value_parser = parse::org_id)]
        endorsee: OrgId,
    },
    /// BLANK_ENDORSE: the bill becomes bearer.
    #[command(after_help = format!("Examples:\n  {EX} ebl blank-endorse --document <DOC-ID>"))]
    BlankEndorse {
        #[command(flatten)]
        doc: DocArg,
    },
    /// NOMINATE a new endorsee (endorsee not holding; the holder executes it).
    #[command(after_help = format!("Examples:\n  {EX} ebl nominate --document <DOC-ID> --nominee BUYER2"))]
    Nominate {
        #[command(flatten)]
        doc: DocArg,
        /// Proposed endorsee.
        #[arg(long, value_name = "ORG", value_parser = parse::org_id)]
        nominee: OrgId,
    },
    /// REJECT a transfer or endorsement just received.
    #[command(after_help = format!("Examples:\n  {EX} ebl reject --document <DOC-ID> --reason \"not our LC\""))]
    Reject {
        #[command(flatten)]
        doc: DocArg,
        /// Why, for the sender.
        #[arg(long)]
        reason: String,
    },
    /// SIGN the document (e.g. the shipper).
    #[command(after_help = format!("Examples:\n  {EX} ebl sign --document-file td.json"))]
    Sign {
        #[command(flatten)]
        doc: DocArg,
    },
    /// SURRENDER_FOR_DELIVERY or SURRENDER_FOR_AMENDMENT to the issuing carrier.
    #[command(after_help = format!("Examples:\n  {EX} ebl surrender --document <DOC-ID> --for delivery\n  {EX} ebl surrender --document <DOC-ID> --for amendment --reason SWTP"))]
    Surrender {
        #[command(flatten)]
        doc: DocArg,
        /// Delivery or amendment.
        #[arg(long = "for", value_enum)]
        purpose: SurrenderFor,
        /// For amendment: SWTP (switch to paper), COD (change of destination), SWI (switch BL).
        #[arg(long, value_parser = reason_code, required_if_eq("purpose", "amendment"))]
        reason: Option<AmendmentReason>,
    },
    /// SACC: the issuing carrier accepts a pending surrender.
    #[command(after_help = format!("Examples:\n  {EX} ebl accept-surrender --document <DOC-ID>"))]
    AcceptSurrender {
        #[command(flatten)]
        doc: DocArg,
    },
    /// SREJ: the issuing carrier rejects a pending surrender.
    #[command(after_help = format!("Examples:\n  {EX} ebl reject-surrender --document <DOC-ID> --reason \"endorsement chain broken\""))]
    RejectSurrender {
        #[command(flatten)]
        doc: DocArg,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// AMEND: issue the replacement of a document surrendered for amendment.
    #[command(after_help = format!("Examples:\n  {EX} ebl amend --document <OLD-ID> --replacement td-v2.json --issue-to SHIPPER"))]
    Amend {
        #[command(flatten)]
        doc: DocArg,
        /// The replacement TransportDocument JSON.
        #[arg(long, value_name = "FILE")]
        replacement: PathBuf,
        #[command(flatten)]
        to: IssueArgs,
    },
    /// SPLIT a surrendered document into 2-32 replacements (each issued to the same parties).
    #[command(after_help = format!("Examples:\n  {EX} ebl split --document <OLD-ID> --replacement a.json --replacement b.json --issue-to SHIPPER"))]
    Split {
        #[command(flatten)]
        doc: DocArg,
        /// A replacement TransportDocument JSON (repeat).
        #[arg(long = "replacement", value_name = "FILE", required = true)]
        replacements: Vec<PathBuf>,
        #[command(flatten)]
        to: IssueArgs,
    },
    /// COMBINE 2-32 surrendered documents into one replacement.
    #[command(after_help = format!("Examples:\n  {EX} ebl combine --document <ID-1> --document <ID-2> --replacement all.json --issue-to SHIPPER"))]
    Combine {
        /// A surrendered document id (repeat).
        #[arg(long = "document", value_name = "DOC-ID", value_parser = parse::hash32, required = true)]
        documents: Vec<Hash32>,
        /// The replacement TransportDocument JSON.
        #[arg(long, value_name = "FILE")]
        replacement: PathBuf,
        #[command(flatten)]
        to: IssueArgs,
    },
    /// VOID a document no one else has rights in (issuing carrier).
    #[command(after_help = format!("Examples:\n  {EX} ebl void --document <DOC-ID> --reason \"issued in error\""))]
    Void {
        #[command(flatten)]
        doc: DocArg,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// PINT_EXPORT: send the bill to a party on another eBL platform (DCSA PINT, R291, R337),
    /// with the chain entry your gateway signed for it (`POST /v1/ebls/{id}/pint/chain-entry`).
    #[command(after_help = format!("Examples:\n  {EX} ebl export --document <DOC-ID> --recipient party.json --chain-entry \"$(jq -r .chainEntry entry.json)\""))]
    Export {
        #[command(flatten)]
        doc: DocArg,
        /// The receiving party: a DCSA PINT `RecipientParty` JSON file (partyName, eblPlatform,
        /// identifyingCodes).
        #[arg(long, value_name = "FILE")]
        recipient: PathBuf,
        /// The chain entry (compact JWS) the gateway gave for this move.
        #[arg(long, value_name = "JWS")]
        chain_entry: String,
        /// Endorse the bill to the order of the recipient as well (a to-order holder-endorsee).
        #[arg(long)]
        endorse: bool,
    },
    /// PINT_EXPORT_ANSWER: record the receiving platform's final answer (R292, R339), as the
    /// gateway serves it (`GET /v1/ebls/{id}/pint/answer`).
    #[command(after_help = format!("Examples:\n  {EX} ebl export-answer --document <DOC-ID> --code RECE --response \"$(jq -r .response answer.json)\""))]
    ExportAnswer {
        #[command(flatten)]
        doc: DocArg,
        /// RECE, DUPE, BSIG or BENV.
        #[arg(long, value_parser = parse_answer_code)]
        code: ExportAnswerCode,
        /// The signed EnvelopeTransferFinishedResponse (compact JWS).
        #[arg(long, value_name = "JWS")]
        response: String,
    },
}

fn parse_answer_code(text: &str) -> Result<ExportAnswerCode, String> {
    serde_json::from_value(serde_json::Value::String(text.to_string()))
        .map_err(|_| "one of RECE, DUPE, BSIG, BENV".to_string())
}

fn recipient(path: &Path) -> Result<ForeignParty, WalletError> {
    let text = read_input(path)?;
    serde_json::from_slice(&text).map_err(|e| bad_input(path, format!("not a PINT party: {e}")))
}

fn read_document(path: &Path) -> Result<document::TransportDocument, WalletError> {
    let text = read_input(path)?;
    document::read_transport_document(&text).map_err(|reason| bad_input(path, reason))
}

fn issue(path: &Path, to: &IssueArgs) -> Result<EblIssue, WalletError> {
    let doc = read_document(path)?;
    let options = IssueOptions {
        issue_to: to.issue_to.clone(),
        consignee: to.consignee.clone(),
        reference: to.reference.clone(),
        kind: to.kind,
    };
    ebl::issue_from_document(&doc, path, &options)
}

/// The body of an eBL command.
pub(super) fn body(cmd: EblCmd) -> Result<EblAction, WalletError> {
    use EblCmd as C;
    Ok(match cmd {
        C::Issue { file, to } => EblAction::Issue(issue(&file, &to)?),
        C::Transfer { doc, to } => EblAction::Transfer {
            document: doc.id()?,
            to,
        },
        C::Endorse { doc, endorsee } => EblAction::Endorse {
            document: doc.id()?,
            endorsee,
        },
        C::EndorseToOrder { doc, endorsee } => EblAction::EndorseToOrder {
            document: doc.id()?,
            endorsee,
        },
        C::BlankEndorse { doc } => EblAction::BlankEndorse {
            document: doc.id()?,
        },
        C::Nominate { doc, nominee } => EblAction::Nominate {
            document: doc.id()?,
            nominee,
        },
        C::Reject { doc, reason } => EblAction::Reject {
            document: doc.id()?,
            reason,
        },
        C::Sign { doc } => EblAction::Sign {
            document: doc.id()?,
        },
        C::Surrender {
            doc,
            purpose,
            reason,
        } => match (purpose, reason) {
            (SurrenderFor::Delivery, None) => EblAction::SurrenderForDelivery {
                document: doc.id()?,
                request_reference: None,
            },
            (SurrenderFor::Amendment, Some(reason)) => EblAction::SurrenderForAmendment {
                document: doc.id()?,
                reason,
                request_reference: None,
            },
            (SurrenderFor::Delivery, Some(_)) | (SurrenderFor::Amendment, None) => {
                return Err(WalletError::InvalidArgument {
                    field: "--reason".into(),
                    reason: "give --reason SWTP|COD|SWI with --for amendment, and only then".into(),
                });
            }
        },
        C::AcceptSurrender { doc } => EblAction::AcceptSurrender {
            document: doc.id()?,
        },
        C::RejectSurrender { doc, reason } => EblAction::RejectSurrender {
            document: doc.id()?,
            reason,
        },
        C::Amend {
            doc,
            replacement,
            to,
        } => EblAction::Amend {
            document: doc.id()?,
            replacement: issue(&replacement, &to)?,
        },
        C::Split {
            doc,
            replacements,
            to,
        } => {
            let issues = replacements
                .iter()
                .map(|p| issue(p, &to))
                .collect::<Result<Vec<_>, _>>()?;
            ebl::split(doc.id()?, issues)?
        }
        C::Combine {
            documents,
            replacement,
            to,
        } => ebl::combine(documents, issue(&replacement, &to)?)?,
        C::Void { doc, reason } => EblAction::Void {
            document: doc.id()?,
            reason,
        },
        C::Export {
            doc,
            recipient: file,
            chain_entry,
            endorse,
        } => EblAction::Export {
            document: doc.id()?,
            to: recipient(&file)?,
            endorse,
            chain_entry,
        },
        C::ExportAnswer {
            doc,
            code,
            response,
        } => EblAction::ExportAnswer {
            document: doc.id()?,
            code,
            response,
        },
    })
}
