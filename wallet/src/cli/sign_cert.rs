//! `ebl-wallet sign cert …`: ship certificate actions (R60–R79).

use std::path::PathBuf;

use clap::{Args, Subcommand};

use ebl_ledger::cert::{
    CertAction, CertificateIssue, CertificateKind, CertificateRef, Endorsement, EndorsementKind,
};
use ebl_ledger::ids::OrgId;
use ebl_ledger::time::CalendarDate;

use super::crate_api::build::cert;
use super::crate_api::{WalletError, error::bad_input, error::read_input, parse};

const EX: &str =
    "ebl-wallet sign --identity ID --chain-id C --genesis-hash G --sequence N --dry-run";

fn cert_kind(text: &str) -> Result<CertificateKind, String> {
    parse::ledger_enum(
        text,
        "certificate kind",
        "SAFETY_CONSTRUCTION, SAFETY_EQUIPMENT, SAFETY_RADIO, PASSENGER_SHIP_SAFETY, LOAD_LINE, \
         IOPP, IAPP, ISSC, SMC, DOC, MLC, REGISTRY, MINIMUM_SAFE_MANNING, TONNAGE",
    )
}

fn endorsement_kind(text: &str) -> Result<EndorsementKind, String> {
    parse::ledger_enum(
        text,
        "endorsement kind",
        "ANNUAL, INTERMEDIATE, PERIODICAL, RENEWAL",
    )
}

/// The certificate an action is about.
#[derive(Debug, Args)]
pub struct CertArg {
    /// The issuing flag Administration.
    #[arg(long, value_name = "ORG", value_parser = parse::org_id)]
    administration: OrgId,
    /// The certificate's unique tracking number.
    #[arg(long)]
    utn: String,
}

impl CertArg {
    fn reference(self) -> CertificateRef {
        CertificateRef {
            administration: self.administration,
            utn: self.utn,
        }
    }
}

/// Ship certificate actions.
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples (all after `ebl-wallet sign --identity … --sequence N --dry-run`):\n  cert endorse --administration MSA --utn SG-2026-0001 --kind PERIODICAL --survey-date 2027-01-10 --place Singapore --surveyor \"J. Tan\"\n  cert suspend --administration MSA --utn SG-2026-0001 --reason detention"
)]
pub enum CertCmd {
    /// ISSUE a certificate (the Administration, or an RO acting for it with --act-for).
    #[command(after_help = format!("Examples:\n  {EX} cert issue --utn SG-2026-0001 --kind SAFETY_RADIO --imo 9074729 \\\n      --ship-name \"MV Example\" --flag SG --call-sign 9V1234 --gross-tonnage 50000 \\\n      --issued-on 2026-01-15 --expires-on 2031-01-14 --place Singapore"))]
    Issue {
        /// Unique tracking number.
        #[arg(long)]
        utn: String,
        /// Certificate kind, e.g. SAFETY_RADIO, LOAD_LINE, IOPP, ISSC, MLC.
        #[arg(long, value_parser = cert_kind)]
        kind: CertificateKind,
        /// IMO number (7 digits with check digit).
        #[arg(long)]
        imo: String,
        /// Ship name.
        #[arg(long)]
        ship_name: String,
        /// Flag State (ISO 3166-1 alpha-2).
        #[arg(long, value_name = "CC")]
        flag: String,
        /// Call sign.
        #[arg(long)]
        call_sign: String,
        /// Gross tonnage.
        #[arg(long, value_name = "GT")]
        gross_tonnage: u32,
        /// First day of validity (YYYY-MM-DD).
        #[arg(long, value_parser = parse::date, value_name = "DATE")]
        issued_on: CalendarDate,
        /// Last day of validity (YYYY-MM-DD).
        #[arg(long, value_parser = parse::date, value_name = "DATE")]
        expires_on: CalendarDate,
        /// Place of issue.
        #[arg(long)]
        place: String,
        /// The certificate document JSON kept off-ledger (its RFC 8785 SHA-256 is recorded).
        #[arg(long, value_name = "FILE")]
        document_file: Option<PathBuf>,
    },
    /// ENDORSE after a survey.
    #[command(after_help = format!("Examples:\n  {EX} cert endorse --administration MSA --utn SG-2026-0001 --kind PERIODICAL \\\n      --survey-date 2027-01-10 --place Singapore --surveyor \"J. Tan\""))]
    Endorse {
        #[command(flatten)]
        cert: CertArg,
        /// ANNUAL, INTERMEDIATE, PERIODICAL or RENEWAL, as the kind's survey regime has (R280; a SAFETY_RADIO certificate takes PERIODICAL).
        #[arg(long, value_parser = endorsement_kind)]
        kind: EndorsementKind,
        /// Date the survey was completed (YYYY-MM-DD).
        #[arg(long, value_parser = parse::date, value_name = "DATE")]
        survey_date: CalendarDate,
        /// Place of survey.
        #[arg(long)]
        place: String,
        /// Surveyor's name or id.
        #[arg(long)]
        surveyor: String,
        /// For RENEWAL: the extended expiry (YYYY-MM-DD).
        #[arg(long, value_parser = parse::date, value_name = "DATE")]
        extended_until: Option<CalendarDate>,
    },
    /// EXTEND validity (at most 3 months, once).
    #[command(after_help = format!("Examples:\n  {EX} cert extend --administration MSA --utn SG-2026-0001 --new-expiry 2031-04-14 --reason \"voyage to survey port\""))]
    Extend {
        #[command(flatten)]
        cert: CertArg,
        /// New last day of validity (YYYY-MM-DD).
        #[arg(long, value_parser = parse::date, value_name = "DATE")]
        new_expiry: CalendarDate,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// SUSPEND a certificate.
    #[command(after_help = format!("Examples:\n  {EX} cert suspend --administration MSA --utn SG-2026-0001 --reason \"detention\""))]
    Suspend {
        #[command(flatten)]
        cert: CertArg,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// REINSTATE a suspended certificate.
    #[command(after_help = format!("Examples:\n  {EX} cert reinstate --administration MSA --utn SG-2026-0001"))]
    Reinstate {
        #[command(flatten)]
        cert: CertArg,
    },
    /// WITHDRAW a certificate for good.
    #[command(after_help = format!("Examples:\n  {EX} cert withdraw --administration MSA --utn SG-2026-0001 --reason \"ship scrapped\""))]
    Withdraw {
        #[command(flatten)]
        cert: CertArg,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// SUPERSEDE a certificate by a newer one of the same ship and kind.
    #[command(after_help = format!("Examples:\n  {EX} cert supersede --administration MSA --utn SG-2026-0001 --by-utn SG-2031-0001"))]
    Supersede {
        #[command(flatten)]
        cert: CertArg,
        /// UTN of the new certificate (same Administration).
        #[arg(long)]
        by_utn: String,
    },
    /// FLAG_CHANGE: the ship moves to another flag; certificates of the old flag cease to be
    /// valid on the effective day (R386–R388). Signed by the new or the old flag's Administration.
    #[command(after_help = format!("Examples:\n  {EX} cert flag-change --imo 9074729 --to-flag SG --effective-on 2027-03-01"))]
    FlagChange {
        /// IMO number of the ship.
        #[arg(long)]
        imo: String,
        /// The new flag State (ISO 3166-1 alpha-2).
        #[arg(long)]
        to_flag: String,
        /// First day under the new flag, in the Administration's local zone (YYYY-MM-DD).
        #[arg(long, value_parser = parse::date, value_name = "DATE")]
        effective_on: CalendarDate,
    },
}

/// The body of a certificate command.
pub(super) fn body(cmd: CertCmd) -> Result<CertAction, WalletError> {
    use CertCmd as C;
    Ok(match cmd {
        C::Issue {
            utn,
            kind,
            imo,
            ship_name,
            flag,
            call_sign,
            gross_tonnage,
            issued_on,
            expires_on,
            place,
            document_file,
        } => {
            let document = match document_file {
                Some(path) => Some(
                    ebl_ledger::docid::document_id_of_json(&read_input(&path)?)
                        .map_err(|e| bad_input(&path, e.to_string()))?,
                ),
                None => None,
            };
            CertAction::Issue(CertificateIssue {
                utn,
                kind,
                ship: cert::ship(&imo, &ship_name, &flag, &call_sign, gross_tonnage)?,
                issued_on,
                expires_on,
                document,
                place,
            })
        }
        C::Endorse {
            cert,
            kind,
            survey_date,
            place,
            surveyor,
            extended_until,
        } => CertAction::Endorse {
            certificate: cert.reference(),
            endorsement: Endorsement {
                kind,
                survey_date,
                place,
                surveyor,
                extended_until,
            },
        },
        C::Extend {
            cert,
            new_expiry,
            reason,
        } => CertAction::Extend {
            certificate: cert.reference(),
            new_expiry,
            reason,
        },
        C::Suspend { cert, reason } => CertAction::Suspend {
            certificate: cert.reference(),
            reason,
        },
        C::Reinstate { cert } => CertAction::Reinstate {
            certificate: cert.reference(),
        },
        C::Withdraw { cert, reason } => CertAction::Withdraw {
            certificate: cert.reference(),
            reason,
        },
        C::Supersede { cert, by_utn } => CertAction::Supersede {
            certificate: cert.reference(),
            by_utn,
        },
        C::FlagChange {
            imo,
            to_flag,
            effective_on,
        } => CertAction::FlagChange {
            imo_number: imo,
            to_flag,
            effective_on,
        },
    })
}
