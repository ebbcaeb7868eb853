//! `validators export`: saves the chain's current validator set (from `GET /v1/status`) as the
//! trusted set for offline finality checks (`verify --proof … --validators FILE`).

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::json;

use super::Ctx;
use super::context::write_private;
use super::crate_api::WalletError;
use super::crate_api::finality::ValidatorFile;

/// `validators` subcommands.
#[derive(Debug, Subcommand)]
#[command(after_help = "Examples:
  ebl-wallet validators export --out validators.json")]
pub enum ValidatorsCmd {
    /// Save the validator set (chain id, genesis hash, height, keys, operators, powers).
    #[command(
        after_help = "The file is what offline verification trusts: export it from a \
gateway you trust (or compare it with one your consortium publishes), and export it again after a
validator set change.

Examples:
  ebl-wallet validators export --out validators.json
  ebl-wallet verify td.json --proof bundle.json --validators validators.json"
    )]
    Export {
        /// Where to write the JSON.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
}

pub(super) fn run(ctx: &Ctx, cmd: ValidatorsCmd) -> Result<(), WalletError> {
    let ValidatorsCmd::Export { out, force } = cmd;
    let g = ctx.gateway()?;
    let status = g.get("/v1/status")?;
    let file = ValidatorFile::from_status(&status).map_err(|detail| WalletError::Gateway {
        status: 200,
        code: "UNEXPECTED_ANSWER".into(),
        detail,
    })?;
    let text = serde_json::to_vec_pretty(&file).unwrap_or_default();
    write_private(&out, &text, force)?;
    let total: u64 = file.validators.iter().map(|v| v.power).sum();
    ctx.print(
        &format!(
            "saved {} validators (total power {total}) of chain {} at height {} to {}",
            file.validators.len(),
            file.chain_id,
            file.height,
            out.display()
        ),
        &json!({"out": out, "chain_id": file.chain_id, "height": file.height,
                "validators": file.validators.len(), "total_power": total}),
    )
}
