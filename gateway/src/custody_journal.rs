//! The custodial journal: every entry the node signs for a custodial identity is written here,
//! and synced, before it is submitted, so an answer `202 pending` survives a crash of the node
//! (issue 13 item 4; R250). The client of a custodial route holds no signed entry it could
//! resubmit, so the node must: at start, [`crate::custody_sequenced::SequencedCustodian::replay`]
//! resubmits every journaled entry the ledger has not decided, in the order they were signed,
//! and each such entry becomes final or a typed failure.
//!
//! One line per entry: the hex of its canonical `SignedEntry` bytes (R1), which carry their own
//! signature, so a line cannot be forged into something the identity did not sign. A torn last
//! line (a crash mid-append) is skipped. The file is rewritten (to a temporary file, synced,
//! renamed) with only the undecided entries at start and whenever it has grown past
//! [`COMPACT_AFTER`] lines, so it stays bounded by the pool's own bounds.

use std::fs::{File, OpenOptions};
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};

use ebl_ledger::entry::SignedEntry;

/// Lines appended after which the custodian compacts the journal.
pub const COMPACT_AFTER: usize = 4096;

/// Longest line read back (a signed entry is bounded by the ledger's entry limit, R8; hex
/// doubles it); a longer line is not one this node wrote and is skipped.
const MAX_LINE_BYTES: usize = 2 * ebl_ledger::entry::MAX_ENTRY_BYTES + 1;

/// The open journal.
#[derive(Debug)]
pub struct CustodyJournal {
    path: PathBuf,
    file: File,
    lines: usize,
}

impl CustodyJournal {
    /// Opens (creating) the journal at `path`; returns it with the entries it holds, oldest
    /// first.
    pub fn open(path: &Path) -> std::io::Result<(CustodyJournal, Vec<SignedEntry>)> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let entries = read(path)?;
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let journal = CustodyJournal {
            path: path.to_path_buf(),
            file,
            lines: entries.len(),
        };
        Ok((journal, entries))
    }

    /// Appends `entry` and syncs it to disk; only then may it be submitted and acknowledged.
    pub fn append(&mut self, entry: &SignedEntry) -> std::io::Result<()> {
        let mut line = hex::encode(entry.encode()).into_bytes();
        line.push(b'\n');
        self.file.write_all(&line)?;
        self.file.sync_data()?;
        self.lines += 1;
        Ok(())
    }

    /// The entries in the file, oldest first.
    pub fn read_back(&self) -> std::io::Result<Vec<SignedEntry>> {
        read(&self.path)
    }

    /// Lines in the file since it was opened or last compacted.
    pub fn lines(&self) -> usize {
        self.lines
    }

    /// Replaces the file by `entries` (the ones still undecided), atomically.
    pub fn compact(&mut self, entries: &[SignedEntry]) -> std::io::Result<()> {
        let tmp = self.path.with_extension("compacting");
        let mut out = File::create(&tmp)?;
        for entry in entries {
            let mut line = hex::encode(entry.encode()).into_bytes();
            line.push(b'\n');
            out.write_all(&line)?;
        }
        out.sync_all()?;
        std::fs::rename(&tmp, &self.path)?;
        if let Some(dir) = self.path.parent()
            && let Ok(dir) = File::open(dir)
        {
            // The rename is durable once the directory is.
            dir.sync_all()?;
        }
        self.file = OpenOptions::new().append(true).open(&self.path)?;
        self.lines = entries.len();
        Ok(())
    }
}

/// The entries of the file at `path` (none if it does not exist), skipping torn lines.
fn read(path: &Path) -> std::io::Result<Vec<SignedEntry>> {
    let mut entries = Vec::new();
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(entries),
        Err(e) => return Err(e),
    };
    for line in BufReader::new(file).lines() {
        match decode_line(&line?) {
            Some(entry) => entries.push(entry),
            None => tracing::warn!(path = %path.display(),
                "skipped a torn or foreign line of the custodial journal"),
        }
    }
    Ok(entries)
}

fn decode_line(line: &str) -> Option<SignedEntry> {
    if line.len() > MAX_LINE_BYTES {
        return None;
    }
    let bytes = hex::decode(line.trim_end()).ok()?;
    SignedEntry::decode(&bytes).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn entries(n: u64) -> Vec<SignedEntry> {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        (0..n)
            .map(|sequence| {
                ebl_ledger::entry::Entry {
                    chain: ebl_ledger::entry::ChainRef {
                        chain_id: "journal-test".into(),
                        genesis_hash: ebl_ledger::hash::Hash32::sha256(b"genesis"),
                    },
                    signer: key.verifying_key().into(),
                    sequence,
                    act_for: None,
                    body: ebl_ledger::entry::Body::Ebl(ebl_ledger::ebl::EblAction::Sign {
                        document: ebl_ledger::hash::Hash32::sha256(b"doc"),
                    }),
                    remark: None,
                }
                .sign(&key)
            })
            .collect()
    }

    #[test]
    fn entries_survive_a_reopen_in_order_and_a_torn_line_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("custody.journal");
        let written = entries(3);
        {
            let (mut journal, read) = CustodyJournal::open(&path).unwrap();
            assert!(read.is_empty());
            for e in &written {
                journal.append(e).unwrap();
            }
        }
        // A crash mid-append leaves half a line.
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"0a0b0c").unwrap();
        let (journal, read) = CustodyJournal::open(&path).unwrap();
        assert_eq!(read, written);
        assert_eq!(journal.lines(), 3);
    }

    #[test]
    fn compaction_keeps_only_what_it_is_given() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("custody.journal");
        let written = entries(4);
        let (mut journal, _) = CustodyJournal::open(&path).unwrap();
        for e in &written {
            journal.append(e).unwrap();
        }
        journal.compact(&written[2..]).unwrap();
        journal.append(&written[0]).unwrap();
        let (_, read) = CustodyJournal::open(&path).unwrap();
        assert_eq!(
            read,
            vec![written[2].clone(), written[3].clone(), written[0].clone()]
        );
    }
}
