//! `ebl-wallet sign grant …` and `sign governance …` (R25–R29, R90–R99).

use std::path::PathBuf;

use clap::{ArgGroup, Args, Subcommand};

use ebl_ledger::cert::CertificateRef;
use ebl_ledger::crypto::PublicKey;
use ebl_ledger::entry::{ActionKind, DocumentRef};
use ebl_ledger::hash::Hash32;
use ebl_ledger::identity::{
    DocumentKind, GovernanceAction, GrantAction, Grantee, Proposal, Validator,
};
use ebl_ledger::ids::OrgId;
use ebl_ledger::time::Timestamp;

use super::crate_api::build::admin;
use super::crate_api::{WalletError, error::read_input, parse};
use super::sign::certificate_ref;

const EX: &str =
    "ebl-wallet sign --identity ID --chain-id C --genesis-hash G --sequence N --dry-run";

fn document_kind(text: &str) -> Result<DocumentKind, String> {
    parse::ledger_enum(
        text,
        "document kind",
        "EBL, SHIP_CERTIFICATE, TRADE_CERTIFICATE",
    )
}

/// Grant commands.
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples (all after `ebl-wallet sign --identity … --sequence N --dry-run`):\n  grant create --grantee-org AGENT --action ISSUE --valid-from 2026-01-01T00:00:00Z --valid-until 2026-12-31T00:00:00Z\n  grant revoke --grant <GRANT-ID>"
)]
pub enum GrantCmd {
    /// Let a key or organisation act for you, for some actions, within a time window.
    #[command(group(ArgGroup::new("grantee").required(true).args(["grantee_key", "grantee_org"])))]
    #[command(after_help = format!("Examples:\n  {EX} grant create --grantee-org CARRIER-SG-AGENT --action ISSUE \\\n      --valid-from 2026-01-01T00:00:00Z --valid-until 2026-12-31T23:59:59Z\n  {EX} grant create --grantee-key <HEX> --action TRANSFER --action ENDORSE \\\n      --document <DOC-ID> --valid-from 2026-01-01T00:00:00Z --valid-until 2026-03-31T00:00:00Z"))]
    Create {
        /// Grantee: one key (64 hex digits).
        #[arg(long, value_name = "HEX", value_parser = parse::public_key)]
        grantee_key: Option<PublicKey>,
        /// Grantee: every key of an organisation.
        #[arg(long, value_name = "ORG", value_parser = parse::org_id)]
        grantee_org: Option<OrgId>,
        /// Action code (repeat): ISSUE, TRANSFER, SACC, CERT_ENDORSE, VERIFY, …
        #[arg(long = "action", value_name = "CODE", required = true, value_parser = parse::action_kind)]
        actions: Vec<ActionKind>,
        /// Document kind (repeat): EBL, SHIP_CERTIFICATE [default: from the actions].
        #[arg(long = "document-kind", value_name = "KIND", value_parser = document_kind)]
        document_kinds: Vec<DocumentKind>,
        /// Only this eBL.
        #[arg(long, value_name = "DOC-ID", value_parser = parse::hash32, conflicts_with = "certificate")]
        document: Option<Hash32>,
        /// Only this certificate, as ADMINISTRATION:UTN.
        #[arg(long, value_name = "ADMIN:UTN", value_parser = certificate_ref)]
        certificate: Option<CertificateRef>,
        /// First instant (RFC 3339 or epoch ms).
        #[arg(long, value_name = "TIME", value_parser = parse::timestamp)]
        valid_from: Timestamp,
        /// Last instant (RFC 3339 or epoch ms).
        #[arg(long, value_name = "TIME", value_parser = parse::timestamp)]
        valid_until: Timestamp,
    },
    /// Revoke a grant you gave.
    #[command(after_help = format!("Examples:\n  {EX} grant revoke --grant <GRANT-ID>"))]
    Revoke {
        /// Grant id (64 hex digits).
        #[arg(long, value_name = "GRANT-ID", value_parser = parse::hash32)]
        grant: Hash32,
    },
}

/// Governance commands.
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples (all after `ebl-wallet sign --identity … --sequence N --dry-run`):\n  governance propose --expires-at-height 5000 admit-organisation --certificate org.crt.pem\n  governance vote --proposal <PROPOSAL-ID> --approve"
)]
pub enum GovernanceCmd {
    /// Open a proposal (counts as your approving vote).
    #[command(after_help = format!("Examples:\n  {EX} governance propose --expires-at-height 5000 admit-organisation --certificate new-org.crt.pem\n  {EX} governance propose --expires-at-height 5000 set-validator-power --key <HEX> --power 2"))]
    Propose(ProposeArgs),
    /// Vote on an open proposal.
    #[command(group(ArgGroup::new("choice").required(true).args(["approve", "reject"])))]
    #[command(after_help = format!("Examples:\n  {EX} governance vote --proposal <PROPOSAL-ID> --approve"))]
    Vote {
        /// Proposal id (64 hex digits).
        #[arg(long, value_name = "PROPOSAL-ID", value_parser = parse::hash32)]
        proposal: Hash32,
        /// Vote for.
        #[arg(long)]
        approve: bool,
        /// Vote against.
        #[arg(long)]
        reject: bool,
    },
}

/// `governance propose` arguments.
#[derive(Debug, Args)]
pub struct ProposeArgs {
    /// Last height at which votes are counted.
    #[arg(long, value_name = "HEIGHT")]
    expires_at_height: u64,
    /// The change.
    #[command(subcommand)]
    proposal: ProposalCmd,
}

/// The changes a proposal can make.
#[derive(Debug, Subcommand)]
pub enum ProposalCmd {
    /// Admit an organisation by its CA-issued certificate (PEM or DER).
    #[command(
        after_help = "Examples:\n  ... governance propose --expires-at-height 5000 admit-organisation --certificate org.crt.pem"
    )]
    AdmitOrganisation {
        /// Certificate file.
        #[arg(long, value_name = "FILE")]
        certificate: PathBuf,
    },
    /// Revoke an organisation.
    #[command(
        after_help = "Examples:\n  ... governance propose --expires-at-height 5000 revoke-organisation --org BUYER2 --reason \"left\""
    )]
    RevokeOrganisation {
        /// Organisation.
        #[arg(long, value_name = "ORG", value_parser = parse::org_id)]
        org: OrgId,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Add a validator.
    #[command(
        after_help = "Examples:\n  ... governance propose --expires-at-height 5000 add-validator --key <HEX> --operator MPA --power 1"
    )]
    AddValidator {
        /// Consensus key (64 hex digits).
        #[arg(long, value_name = "HEX", value_parser = parse::public_key)]
        key: PublicKey,
        /// Operating organisation.
        #[arg(long, value_name = "ORG", value_parser = parse::org_id)]
        operator: OrgId,
        /// Voting power (> 0).
        #[arg(long, default_value_t = 1)]
        power: u64,
    },
    /// Remove a validator.
    #[command(
        after_help = "Examples:\n  ... governance propose --expires-at-height 5000 remove-validator --key <HEX>"
    )]
    RemoveValidator {
        /// Consensus key.
        #[arg(long, value_name = "HEX", value_parser = parse::public_key)]
        key: PublicKey,
    },
    /// Change a validator's power.
    #[command(
        after_help = "Examples:\n  ... governance propose --expires-at-height 5000 set-validator-power --key <HEX> --power 2"
    )]
    SetValidatorPower {
        /// Consensus key.
        #[arg(long, value_name = "HEX", value_parser = parse::public_key)]
        key: PublicKey,
        /// New power (> 0).
        #[arg(long)]
        power: u64,
    },
    /// Switch the network to a new protocol version at a height (R413). Install a build that
    /// implements it on every node first (OPERATIONS.md, "Upgrades").
    #[command(
        after_help = "Examples:\n  ... governance propose --expires-at-height 5000 schedule-protocol-upgrade --version 2 --activation-height 12000"
    )]
    ScheduleProtocolUpgrade {
        /// The new version.
        #[arg(long)]
        version: u32,
        /// The first height made under it.
        #[arg(long)]
        activation_height: u64,
    },
    /// Set an organisation's display names and local zone (R380–R382).
    #[command(
        after_help = "Examples:\n  ... governance propose --expires-at-height 5000 set-organisation-profile --org GDSW \\\n      --name-en \"Guangdong Single Window\" --name-zh 广东国际贸易单一窗口 --utc-offset-minutes 480 --time-zone Asia/Shanghai"
    )]
    SetOrganisationProfile {
        /// Organisation.
        #[arg(long, value_name = "ORG", value_parser = parse::org_id)]
        org: OrgId,
        /// English display name.
        #[arg(long)]
        name_en: String,
        /// Chinese display name.
        #[arg(long)]
        name_zh: Option<String>,
        /// Minutes east of UTC in which its days are judged (-720 to 840).
        #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
        utc_offset_minutes: i16,
        /// IANA time-zone name, shown to people.
        #[arg(long, default_value = "UTC")]
        time_zone: String,
    },
}

/// The body of a grant command.
pub(super) fn grant(cmd: GrantCmd) -> Result<GrantAction, WalletError> {
    match cmd {
        GrantCmd::Create {
            grantee_key,
            grantee_org,
            actions,
            document_kinds,
            document,
            certificate,
            valid_from,
            valid_until,
        } => {
            let grantee = match (grantee_key, grantee_org) {
                (Some(key), _) => Grantee::Key(key),
                (None, Some(org)) => Grantee::Organisation(org),
                (None, None) => {
                    return Err(WalletError::InvalidArgument {
                        field: "--grantee-key".into(),
                        reason: "name --grantee-key or --grantee-org".into(),
                    });
                }
            };
            let document = match (document, certificate) {
                (Some(id), _) => Some(DocumentRef::Ebl { id }),
                (None, Some(c)) => Some(DocumentRef::Certificate(c)),
                (None, None) => None,
            };
            Ok(GrantAction::Create(admin::grant_terms(
                grantee,
                actions,
                document_kinds,
                document,
                valid_from,
                valid_until,
            )?))
        }
        GrantCmd::Revoke { grant } => Ok(GrantAction::Revoke { grant }),
    }
}

/// The body of a governance command.
pub(super) fn governance(cmd: GovernanceCmd) -> Result<GovernanceAction, WalletError> {
    match cmd {
        GovernanceCmd::Vote {
            proposal, approve, ..
        } => Ok(GovernanceAction::Vote { proposal, approve }),
        GovernanceCmd::Propose(ProposeArgs {
            expires_at_height,
            proposal,
        }) => {
            let proposal = match proposal {
                ProposalCmd::AdmitOrganisation { certificate } => Proposal::AdmitOrganisation {
                    certificate_der: admin::certificate_der(
                        &read_input(&certificate)?,
                        &certificate,
                    )?,
                    profile: None,
                },
                ProposalCmd::RevokeOrganisation { org, reason } => {
                    Proposal::RevokeOrganisation { org, reason }
                }
                ProposalCmd::AddValidator {
                    key,
                    operator,
                    power,
                } => Proposal::AddValidator {
                    validator: Validator {
                        key,
                        operator,
                        power,
                    },
                },
                ProposalCmd::RemoveValidator { key } => Proposal::RemoveValidator { key },
                ProposalCmd::SetValidatorPower { key, power } => {
                    Proposal::SetValidatorPower { key, power }
                }
                ProposalCmd::ScheduleProtocolUpgrade {
                    version,
                    activation_height,
                } => Proposal::ScheduleProtocolUpgrade {
                    version,
                    activation_height,
                },
                ProposalCmd::SetOrganisationProfile {
                    org,
                    name_en,
                    name_zh,
                    utc_offset_minutes,
                    time_zone,
                } => Proposal::SetOrganisationProfile {
                    org,
                    profile: ebl_ledger::identity::OrgProfile::new(
                        &name_en,
                        name_zh.as_deref(),
                        ebl_ledger::local_time::LocalZone::new(utc_offset_minutes, &time_zone),
                    ),
                },
            };
            Ok(GovernanceAction::Propose {
                proposal,
                expires_at_height,
            })
        }
    }
}
