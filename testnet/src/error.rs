//! The one error type of `ebl-testnet`, each variant with a stable code printed beside the
//! message so that scripts can tell failures apart.

use std::path::PathBuf;

use crate::state::StateError;

/// Why a testnet command failed.
#[derive(Debug, thiserror::Error)]
pub enum TestnetError {
    /// The testnet.json state could not be read or written.
    #[error(transparent)]
    State(#[from] StateError),
    /// A file or process operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A command-line argument or the testnet folder is not usable.
    #[error("{0}")]
    Usage(String),
    /// Certificates, keys, genesis or node configs could not be made.
    #[error("setup: {0}")]
    Setup(String),
    /// The `ebl-node` binary was not found.
    #[error(
        "no ebl-node binary at {0} (build it with `cargo build -p ebl-node --bin ebl-node`, or pass --node-bin / EBL_NODE_BIN)"
    )]
    NodeBinary(PathBuf),
    /// An HTTP call to a gateway failed below HTTP (connection refused, timeout, bad JSON).
    #[error("{method} {url}: {detail}")]
    Http {
        /// Method.
        method: String,
        /// URL.
        url: String,
        /// What went wrong.
        detail: String,
    },
    /// A condition was not met within its bound.
    #[error("timed out after {seconds} s waiting for {what}")]
    Timeout {
        /// The condition.
        what: String,
        /// The bound.
        seconds: u64,
    },
    /// The benchmark could not run.
    #[error(transparent)]
    Bench(#[from] crate::bench::BenchError),
    /// The flood could not run.
    #[error(transparent)]
    Flood(#[from] crate::flood::FloodError),
    /// A scenario step saw something other than what the pilot expects.
    #[error("step {step}: {detail}")]
    Unexpected {
        /// The step (1–8).
        step: String,
        /// What was expected and what happened.
        detail: String,
    },
    /// A namespaced testnet could not be built or removed (R430–R434).
    #[error(transparent)]
    Netns(#[from] crate::netns::NetnsError),
}

impl TestnetError {
    /// Stable code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            TestnetError::State(_) => "STATE",
            TestnetError::Io { .. } => "IO",
            TestnetError::Usage(_) => "USAGE",
            TestnetError::Setup(_) => "SETUP",
            TestnetError::NodeBinary(_) => "NODE_BINARY",
            TestnetError::Http { .. } => "HTTP",
            TestnetError::Timeout { .. } => "TIMEOUT",
            TestnetError::Unexpected { .. } => "UNEXPECTED",
            TestnetError::Bench(_) => "BENCH",
            TestnetError::Flood(e) => e.code(),
            TestnetError::Netns(e) => e.code(),
        }
    }

    /// An [`TestnetError::Io`] for `what`.
    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> TestnetError {
        let what = what.into();
        move |source| TestnetError::Io { what, source }
    }

    /// A [`TestnetError::Setup`] from any displayable cause.
    pub fn setup<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> TestnetError + '_ {
        move |cause| TestnetError::Setup(format!("{what}: {cause}"))
    }

    /// A [`TestnetError::Unexpected`] in `step`.
    pub fn unexpected(step: &str, detail: impl Into<String>) -> TestnetError {
        TestnetError::Unexpected {
            step: step.to_string(),
            detail: detail.into(),
        }
    }
}

/// Result of the testnet's operations.
pub type Result<T> = std::result::Result<T, TestnetError>;
