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
}

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
        let journal = Journal {
            path: path.to_path_buf(),
            file,
            lines: changes.len(),
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
        Ok(())
    }

    /// Lines appended since the last compaction (or open).
    pub(super) fn lines(&self) -> usize {
        self.lines
    }

    /// Replaces the journal by `changes` (the current state).
    pub(super) fn compact(&mut self, changes: &[Change]) -> std::io::Result<()> {
        let tmp = self.path.with_extension("compacting");
        let mut out = File::create(&tmp)?;
        for change in changes {
            let mut line = serde_json::to_vec(change).map_err(std::io::Error::other)?;
            line.push(b'\n');
            out.write_all(&line)?;
        }
        out.sync_all()?;
        std::fs::rename(&tmp, &self.path)?;
        self.file = OpenOptions::new().append(true).open(&self.path)?;
        self.lines = changes.len();
        Ok(())
    }
}
