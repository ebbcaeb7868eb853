//! The DCSA memory's journal: one JSON line per change, appended and synced before the change is
//! acknowledged, replayed at start, so BREQ/REFU verdicts and the parts of a split being gathered
//! (R344) survive a gateway restart (lines of
//! the surrender requests earlier versions kept here are skipped: those are on the ledger now).
//! Compacted (rewritten from the current maps, then renamed over the old file) when it grows
//! past a multiple of what it describes, so it stays bounded.

use std::fs::{File, OpenOptions};
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::split::PartAdded;
use super::store::Verdict;
use ebl_ledger::hash::DocumentId;
use ebl_ledger::ids::OrgId;

/// One change of the DCSA memory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Change {
    /// `set_verdict`.
    Verdict {
        /// Issuing carrier.
        carrier: OrgId,
        /// transportDocumentReference.
        reference: String,
        /// The verdict.
        verdict: Verdict,
    },
    /// R344: a part of a split gathered.
    SplitPart(Box<PartAdded>),
    /// R344, R346: a split gathering ended (signed, or expired).
    SplitClosed {
        /// Issuing carrier.
        carrier: OrgId,
        /// The document split.
        old: DocumentId,
    },
}

/// The open journal.
#[derive(Debug)]
pub(super) struct Journal {
    path: PathBuf,
    file: File,
    lines: usize,
    /// Bytes in the file, and right after the last compaction (or open).
    bytes: u64,
    compacted_bytes: u64,
}

/// R346: the journal is also compacted when its bytes pass twice what it held after the last
/// compaction and at least this much, since split parts make long lines.
const MIN_COMPACT_BYTES: u64 = 64 * 1024 * 1024;

impl Journal {
    /// Opens (creating) the journal at `path` and returns it with the changes it holds, oldest
    /// first. A torn last line (a crash mid-append) is skipped.
    pub(super) fn open(path: &Path) -> std::io::Result<(Journal, Vec<Change>)> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut changes = Vec::new();
        if let Ok(file) = File::open(path) {
            for line in BufReader::new(file).lines() {
                let line = line?;
                match serde_json::from_str::<Change>(&line) {
                    Ok(change) => changes.push(change),
                    Err(e) => tracing::warn!(error = %e, "skipped a torn DCSA journal line"),
                }
            }
        }
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let bytes = file.metadata()?.len();
        let journal = Journal {
            path: path.to_path_buf(),
            file,
            lines: changes.len(),
            bytes,
            compacted_bytes: bytes,
        };
        Ok((journal, changes))
    }

    /// Appends `change` and syncs it to disk.
    pub(super) fn append(&mut self, change: &Change) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(change).map_err(std::io::Error::other)?;
        line.push(b'\n');
        self.file.write_all(&line)?;
        self.file.sync_data()?;
        self.lines += 1;
        self.bytes = self.bytes.saturating_add(line.len() as u64);
        Ok(())
    }

    /// Whether the file has grown past its byte bound (see [`MIN_COMPACT_BYTES`]).
    pub(super) fn too_large(&self) -> bool {
        self.bytes > MIN_COMPACT_BYTES.max(self.compacted_bytes.saturating_mul(2))
    }

    /// Lines appended since the last compaction (or open).
    pub(super) fn lines(&self) -> usize {
        self.lines
    }

    /// Replaces the journal by `changes` (the current state).
    pub(super) fn compact(&mut self, changes: &[Change]) -> std::io::Result<()> {
        let tmp = self.path.with_extension("compacting");
        let mut out = File::create(&tmp)?;
        let mut bytes = 0u64;
        for change in changes {
            let mut line = serde_json::to_vec(change).map_err(std::io::Error::other)?;
            line.push(b'\n');
            out.write_all(&line)?;
            bytes = bytes.saturating_add(line.len() as u64);
        }
        out.sync_all()?;
        std::fs::rename(&tmp, &self.path)?;
        self.file = OpenOptions::new().append(true).open(&self.path)?;
        self.lines = changes.len();
        self.bytes = bytes;
        self.compacted_bytes = bytes;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_is_too_large_past_its_byte_bound_and_not_after_compaction() {
        let dir = tempfile::tempdir().unwrap();
        let (mut journal, _) = Journal::open(&dir.path().join("dcsa.jsonl")).unwrap();
        assert!(!journal.too_large());
        journal.bytes = MIN_COMPACT_BYTES + 1;
        assert!(journal.too_large());
        journal.compact(&[]).unwrap();
        assert!(!journal.too_large());
        // A large current state is allowed to double before the next compaction.
        journal.compacted_bytes = MIN_COMPACT_BYTES;
        journal.bytes = 2 * MIN_COMPACT_BYTES;
        assert!(!journal.too_large());
        journal.bytes += 1;
        assert!(journal.too_large());
    }
}
