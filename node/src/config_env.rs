//! Configuration from environment variables: `EBL_NODE__<SECTION>__<KEY>=value` overrides
//! `[section] key = value` of `config.toml` (any depth; `EBL_NODE__MONIKER` for top-level keys),
//! so containers and service managers can configure a node without editing the file.
//!
//! A value is read as a TOML value when it parses as one (`8080`, `true`,
//! `["/ip4/10.0.0.2/tcp/27000"]`), and as a string otherwise (`/ip4/0.0.0.0/tcp/27000`). Names
//! are lower-cased; a section that does not exist yet is created. The result still goes through
//! the typed configuration, so an unknown key or a wrong type is refused with the variable's name.

use anyhow::{Context as _, bail};
use toml::Value;

/// Prefix of the variables read.
pub const PREFIX: &str = "EBL_NODE__";

/// Applies every `EBL_NODE__...` variable of `vars` to `config` (a parsed `config.toml`).
pub fn apply(
    config: &mut Value,
    vars: impl IntoIterator<Item = (String, String)>,
) -> anyhow::Result<()> {
    let mut overrides: Vec<(String, String)> = vars
        .into_iter()
        .filter(|(name, _)| name.starts_with(PREFIX))
        .collect();
    // Deterministic order, whatever the environment's.
    overrides.sort();
    for (name, text) in overrides {
        let path: Vec<String> = name[PREFIX.len()..]
            .split("__")
            .map(str::to_ascii_lowercase)
            .collect();
        if path.iter().any(String::is_empty) {
            bail!("{name}: empty name segment (use EBL_NODE__SECTION__KEY)");
        }
        set(config, &path, parse(&text)).with_context(|| name.clone())?;
    }
    Ok(())
}

/// `text` as a TOML value if it is one, else as a string.
fn parse(text: &str) -> Value {
    let wrapped = format!("v = {text}");
    match toml::from_str::<toml::Table>(&wrapped) {
        Ok(mut table) => table
            .remove("v")
            .unwrap_or_else(|| Value::String(text.into())),
        Err(_) => Value::String(text.to_string()),
    }
}

fn set(config: &mut Value, path: &[String], value: Value) -> anyhow::Result<()> {
    let Some((last, sections)) = path.split_last() else {
        bail!("no key");
    };
    let mut table = config
        .as_table_mut()
        .context("the configuration is not a table")?;
    for section in sections {
        let entry = table
            .entry(section.clone())
            .or_insert_with(|| Value::Table(toml::Table::new()));
        table = entry
            .as_table_mut()
            .with_context(|| format!("`{section}` is not a section"))?;
    }
    table.insert(last.clone(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn variables_override_keys_at_any_depth_with_typed_values() {
        let mut config: Value = toml::from_str(
            "moniker = \"a\"\n[p2p]\nlisten_addr = \"/ip4/0.0.0.0/tcp/1\"\n[mempool]\nmax_entries = 5\n",
        )
        .unwrap();
        apply(
            &mut config,
            vars(&[
                ("EBL_NODE__MONIKER", "node-7"),
                ("EBL_NODE__P2P__LISTEN_ADDR", "/ip4/0.0.0.0/tcp/27000"),
                ("EBL_NODE__MEMPOOL__MAX_ENTRIES", "10000"),
                (
                    "EBL_NODE__P2P__PERSISTENT_PEERS",
                    "[\"/ip4/10.0.0.2/tcp/27000\"]",
                ),
                ("EBL_NODE__API__LISTEN_ADDR", "0.0.0.0:8080"),
                ("OTHER_VARIABLE", "ignored"),
            ]),
        )
        .unwrap();
        assert_eq!(config["moniker"].as_str(), Some("node-7"));
        assert_eq!(
            config["p2p"]["listen_addr"].as_str(),
            Some("/ip4/0.0.0.0/tcp/27000")
        );
        assert_eq!(config["mempool"]["max_entries"].as_integer(), Some(10_000));
        assert_eq!(
            config["p2p"]["persistent_peers"][0].as_str(),
            Some("/ip4/10.0.0.2/tcp/27000")
        );
        assert_eq!(config["api"]["listen_addr"].as_str(), Some("0.0.0.0:8080"));
    }

    #[test]
    fn a_malformed_name_or_a_key_under_a_plain_value_is_refused() {
        let mut config: Value = toml::from_str("moniker = \"a\"\n").unwrap();
        let empty = apply(&mut config, vars(&[("EBL_NODE__P2P____X", "1")]));
        assert!(empty.is_err());
        let under_value = apply(&mut config, vars(&[("EBL_NODE__MONIKER__X", "1")]));
        assert!(format!("{:#}", under_value.unwrap_err()).contains("EBL_NODE__MONIKER__X"));
        assert_eq!(config["moniker"].as_str(), Some("a"));
    }
}
