//! Wallet CLI: keys, keystore, entry builders and offline proof checks for carriers, banks and maritime authorities (issue 5; not built yet).
