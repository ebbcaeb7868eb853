//! R471: RocksDB options for a validator on a small machine. The defaults read every point
//! lookup through the memtable's skip list and the table files' index, with no filter, and
//! keep a small block cache per column family. Nearly every read of a block's execution is a
//! point lookup (a state key, a tree node, an entry id), and many of them miss (a new record,
//! an id never seen), so whole-key Bloom filters in the memtables and the table files let a
//! miss skip the search. None of this changes what is stored: a database written with other
//! options opens and reads the same.

use rocksdb::{BlockBasedOptions, Cache, DBCompressionType, Options};

use super::layout;

/// One block cache shared by every column family, in bytes.
pub const BLOCK_CACHE_BYTES: usize = 128 * 1024 * 1024;

/// Bits per key of the Bloom filters (about 1 % false positives).
const BLOOM_BITS_PER_KEY: f64 = 10.0;

/// Share of a memtable given to its Bloom filter.
const MEMTABLE_BLOOM_RATIO: f64 = 0.05;

/// Options of the database as a whole: background flushes and compactions sized for two
/// cores, so they do not crowd out execution.
pub fn database() -> Options {
    let mut options = Options::default();
    options.create_if_missing(true);
    options.create_missing_column_families(true);
    options.increase_parallelism(2);
    options.set_max_background_jobs(2);
    options
}

/// Options of column family `name`, with the shared `cache`.
pub fn family(name: &str, cache: &Cache) -> Options {
    let mut table = BlockBasedOptions::default();
    table.set_block_cache(cache);
    let mut options = Options::default();
    if is_point_lookup(name) {
        table.set_bloom_filter(BLOOM_BITS_PER_KEY, false);
        options.set_memtable_prefix_bloom_ratio(MEMTABLE_BLOOM_RATIO);
        options.set_memtable_whole_key_filtering(true);
    }
    if name == layout::JMT_NODES {
        // Tree nodes are mostly hashes, which do not compress: spend no CPU trying.
        options.set_compression_type(DBCompressionType::None);
    }
    options.set_block_based_table_factory(&table);
    options
}

/// Column families read by exact key. `jmt_values` is read by a reverse seek over a key
/// hash's versions, which a whole-key filter cannot answer, so it gets none.
fn is_point_lookup(name: &str) -> bool {
    [
        layout::STATE,
        layout::JMT_NODES,
        layout::ENTRIES,
        layout::ENTRIES_UNDECIDED,
        layout::BLOCKS,
        layout::META,
        layout::SYNC_LINKS,
    ]
    .contains(&name)
}

/// The block cache shared by the column families of one database.
pub fn block_cache() -> Result<Cache, rocksdb::Error> {
    Cache::new_lru_cache(BLOCK_CACHE_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_but_the_versioned_values_is_filtered() {
        for name in layout::COLUMN_FAMILIES {
            assert_eq!(is_point_lookup(name), name != layout::JMT_VALUES, "{name}");
        }
    }
}
