//! R473: how much each column family holds, from RocksDB's own accounting, so an operator (and
//! the throughput work of ADR 0052) can see what a committed entry costs on disk per family.

use super::{RocksReader, layout, reader::db_error};
use crate::error::StorageError;

/// One column family's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FamilySize {
    /// Column family name (see the store's layout: `state`, `jmt_nodes`, `entries`, ...).
    pub family: &'static str,
    /// Bytes in its SST files (compressed where the family compresses).
    pub sst_bytes: u64,
    /// Bytes in its memtables, not yet flushed to SST files.
    pub memtable_bytes: u64,
    /// RocksDB's estimate of its live keys.
    pub keys: u64,
}

impl FamilySize {
    /// SST and memtable bytes together.
    pub fn bytes(&self) -> u64 {
        self.sst_bytes.saturating_add(self.memtable_bytes)
    }
}

impl RocksReader {
    /// The size of every column family, in layout order.
    pub fn family_sizes(&self) -> Result<Vec<FamilySize>, StorageError> {
        layout::COLUMN_FAMILIES
            .iter()
            .map(|family| {
                let cf = self.cf(family)?;
                let property = |name: &str| {
                    self.db
                        .property_int_value_cf(cf, name)
                        .map(Option::unwrap_or_default)
                        .map_err(|e| db_error("property", &e))
                };
                Ok(FamilySize {
                    family,
                    sst_bytes: property("rocksdb.total-sst-files-size")?,
                    memtable_bytes: property("rocksdb.size-all-mem-tables")?,
                    keys: property("rocksdb.estimate-num-keys")?,
                })
            })
            .collect()
    }
}
