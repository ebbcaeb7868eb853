//! `ebl-wallet`: keys, encrypted keystore, onboarding CSRs, document ids and signed entries for
//! eBL ledger members. See `ebl-wallet --help` and wallet/README.md.

mod cli;

use std::io::Write;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    let json = cli.json;
    match cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            let code = err.exit_code() as u8;
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "error: {err}");
            if let Some(hint) = err.hint() {
                let _ = writeln!(stderr, "hint: {hint}");
            }
            if json && !err.already_reported() {
                let report = serde_json::json!({
                    "error": { "code": err.code(), "message": err.to_string(),
                               "hint": err.hint(), "exit_code": code }
                });
                let _ = writeln!(
                    std::io::stdout().lock(),
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            }
            std::process::ExitCode::from(code)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        super::cli::Cli::command().debug_assert();
    }

    fn missing_examples(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
        let path = format!("{path} {}", cmd.get_name());
        let has = cmd
            .get_after_help()
            .is_some_and(|h| h.to_string().contains("Example"));
        if !has {
            out.push(path.clone());
        }
        for sub in cmd.get_subcommands() {
            missing_examples(sub, &path, out);
        }
    }

    #[test]
    fn every_command_has_examples_in_its_help() {
        use clap::CommandFactory;
        let mut missing = Vec::new();
        missing_examples(&super::cli::Cli::command(), "", &mut missing);
        assert!(missing.is_empty(), "no examples: {missing:?}");
    }
}
