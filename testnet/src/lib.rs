//! Local N-node testnet, the China-Singapore pilot scenario and the throughput benchmark (issue 6; not built yet).
