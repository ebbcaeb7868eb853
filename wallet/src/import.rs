//! The resumable state of `ebl-wallet import DIR`: a JSON file in DIR that records, per file,
//! the document id and entry id submitted and how it ended, written after every step (to a
//! temporary file, fsynced, then renamed) so an interrupted run loses nothing.
//!
//! Exactly-once issuance across kills rests on three facts: the entry id is recorded (write
//! ahead) before the entry is submitted; a rerun asks the node about a recorded entry before
//! building a new one; and before submitting anything it asks whether the document is on the
//! ledger already (a document id can be issued only once, R30), which covers a kill between
//! submitting and recording.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::WalletError;

/// Name of the state file inside the imported folder.
pub const STATE_FILE: &str = ".ebl-import-state.json";
/// Name of the optional per-file mapping inside the folder.
pub const MAPPING_FILE: &str = "ebl-import-mapping.json";

/// Where one file stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    /// Submitted; finality not seen yet (re-checked on the next run).
    Submitted,
    /// Issued and final.
    Final,
    /// Already on the ledger before this import submitted it.
    AlreadyIssued,
    /// Failed (retried on the next run).
    Failed,
}

/// What the state file says about one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileState {
    /// Document id.
    pub document_id: String,
    /// Entry id of the ISSUE, once submitted.
    pub entry_id: Option<String>,
    /// Status.
    pub status: FileStatus,
    /// Final height.
    pub height: Option<u64>,
    /// Last error, for failed files.
    pub error: Option<String>,
}

impl FileState {
    /// Whether the file needs no more work.
    pub fn done(&self) -> bool {
        matches!(self.status, FileStatus::Final | FileStatus::AlreadyIssued)
    }
}

/// The state file's content.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportState {
    /// Per file name.
    pub files: BTreeMap<String, FileState>,
}

impl ImportState {
    /// Path of the state file of `dir`.
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(STATE_FILE)
    }

    /// Reads the state of `dir` (empty when there is none).
    pub fn load(dir: &Path) -> Result<Self, WalletError> {
        let path = Self::path(dir);
        if !path.exists() {
            return Ok(Self::default());
        }
        let bytes = crate::error::read_input(&path)?;
        serde_json::from_slice(&bytes).map_err(|e| {
            crate::error::bad_input(
                &path,
                format!("not an import state file ({e}); move it away to start over"),
            )
        })
    }

    /// Writes the state atomically and durably: a temporary file, fsynced, renamed over the
    /// state file, then the folder fsynced. A kill at any instant leaves either the old or the
    /// new state, never a torn one; a power loss after `save` returns keeps the new one.
    pub fn save(&self, dir: &Path) -> Result<(), WalletError> {
        use std::io::Write as _;
        let path = Self::path(dir);
        let tmp = dir.join(format!("{STATE_FILE}.tmp"));
        let fail = |e: std::io::Error| WalletError::WriteOutput {
            path: path.clone(),
            reason: e.to_string(),
        };
        let text = serde_json::to_vec_pretty(self).unwrap_or_default();
        let mut file = std::fs::File::create(&tmp).map_err(fail)?;
        file.write_all(&text).map_err(fail)?;
        file.sync_all().map_err(fail)?;
        drop(file);
        std::fs::rename(&tmp, &path).map_err(fail)?;
        // The rename is only durable once the directory entry is.
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(fail)
    }
}

/// The `*.json` files of `dir` to import, sorted by name (the state and mapping files excluded).
pub fn documents_in(dir: &Path) -> Result<Vec<String>, WalletError> {
    let read = std::fs::read_dir(dir).map_err(|source| WalletError::ReadInput {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut names: Vec<String> = read
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json") && !n.starts_with('.') && n != MAPPING_FILE)
        .collect();
    names.sort();
    Ok(names)
}

/// Per-file parties from the mapping file: `{"file.json": {"issue_to": "SHIPPER",
/// "consignee": "CONSIGNEE"}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parties {
    /// First holder.
    pub issue_to: Option<String>,
    /// Consignee or first endorsee.
    pub consignee: Option<String>,
}

/// Reads a mapping file.
pub fn load_mapping(path: &Path) -> Result<BTreeMap<String, Parties>, WalletError> {
    let bytes = crate::error::read_input(path)?;
    serde_json::from_slice(&bytes).map_err(|e| {
        crate::error::bad_input(
            path,
            format!(
                "not a mapping {{\"file.json\": {{\"issue_to\": .., \"consignee\": ..}}}}: {e}"
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_round_trips_and_only_documents_are_listed() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            ImportState::load(dir.path()).unwrap(),
            ImportState::default()
        );
        let mut state = ImportState::default();
        state.files.insert(
            "a.json".into(),
            FileState {
                document_id: "d".into(),
                entry_id: Some("e".into()),
                status: FileStatus::Submitted,
                height: None,
                error: None,
            },
        );
        state.save(dir.path()).unwrap();
        assert_eq!(ImportState::load(dir.path()).unwrap(), state);
        assert!(!state.files["a.json"].done());
        for name in ["b.json", "a.json", MAPPING_FILE, "notes.txt"] {
            std::fs::write(dir.path().join(name), "{}").unwrap();
        }
        assert_eq!(documents_in(dir.path()).unwrap(), ["a.json", "b.json"]);
    }

    #[test]
    fn a_corrupt_state_file_is_bad_input() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(STATE_FILE), "{oops").unwrap();
        let err = ImportState::load(dir.path()).unwrap_err();
        assert_eq!(err.exit_code(), crate::ExitCode::BadInput);
    }
}
