//! `ebl-testnet`: see the library's [`ebl_testnet::cli`].

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    let cli = ebl_testnet::cli::Cli::parse();
    match ebl_testnet::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The error, with its stable code, is the command's answer on failure.
            let mut err = std::io::stderr().lock();
            let _ = std::io::Write::write_all(
                &mut err,
                format!("ebl-testnet: error [{}]: {e}\n", e.code()).as_bytes(),
            );
            std::process::ExitCode::FAILURE
        }
    }
}
