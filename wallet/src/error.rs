//! Typed wallet errors, each with a stable code, a hint saying what to do next, and the exit code
//! the CLI returns for it.

use std::path::PathBuf;

use ebl_ledger::RuleError;

/// The CLI's exit codes (documented in `ebl-wallet --help` and wallet/README.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// 0: success.
    Ok = 0,
    /// 1: the operation failed (e.g. the ledger's stateless checks reject the entry).
    Failed = 1,
    /// 2: the command line is wrong (clap also exits 2).
    Usage = 2,
    /// 3: an input file is missing, unreadable or not what was expected.
    BadInput = 3,
    /// 4: keystore or passphrase problem.
    Keystore = 4,
    /// 5: the gateway cannot be reached or is unavailable (5xx).
    Unreachable = 5,
    /// 6: the gateway refused the API key (401) or its scopes (403).
    Auth = 6,
}

/// Everything that can go wrong in the wallet.
#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    /// The passphrase does not open the key file (or the file was altered: AEAD cannot tell).
    #[error("wrong passphrase for identity `{0}` (or its key file was altered)")]
    WrongPassphrase(String),
    /// The key file is not a keystore file this wallet can read.
    #[error("key file {} is corrupted: {reason}", path.display())]
    CorruptKeyFile {
        /// File.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// No key file for this identity.
    #[error("no identity `{name}` in keystore {}", dir.display())]
    UnknownIdentity {
        /// Identity name.
        name: String,
        /// Keystore directory.
        dir: PathBuf,
    },
    /// Creating an identity that exists.
    #[error("identity `{name}` already exists in keystore {}", dir.display())]
    IdentityExists {
        /// Identity name.
        name: String,
        /// Keystore directory.
        dir: PathBuf,
    },
    /// Identity names are file names: keep them simple.
    #[error("identity name `{0}` is not 1-64 of A-Z a-z 0-9 . _ - (not starting with `.`)")]
    BadIdentityName(String),
    /// A key file others can read.
    #[error("key file {} has mode {mode:o}; it must be readable by its owner only", path.display())]
    InsecurePermissions {
        /// File.
        path: PathBuf,
        /// Its mode bits.
        mode: u32,
    },
    /// No passphrase source.
    #[error("no passphrase available")]
    NoPassphrase,
    /// A passphrase that is empty or too weak to store.
    #[error("passphrase rejected: {0}")]
    BadPassphrase(String),
    /// The keystore directory cannot be used.
    #[error("keystore {}: {source}", path.display())]
    KeystoreIo {
        /// File or directory.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// An input file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    ReadInput {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// An input file is not what the command expects.
    #[error("{}: {reason}", path.display())]
    BadInput {
        /// File.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// An output file cannot be written.
    #[error("cannot write {}: {reason}", path.display())]
    WriteOutput {
        /// File.
        path: PathBuf,
        /// Cause.
        reason: String,
    },
    /// A value given on the command line is not valid (found after parsing).
    #[error("invalid {field}: {reason}")]
    InvalidArgument {
        /// Flag or field.
        field: String,
        /// Why.
        reason: String,
    },
    /// The ledger's stateless checks reject the entry.
    #[error("the ledger would reject this entry: {0} ({code})", code = .0.code())]
    Rule(RuleError),
    /// Any other failure of the operation.
    #[error("{0}")]
    Failed(String),
    /// No gateway configured for a command that needs one.
    #[error("this command needs a gateway: {0}")]
    NoGateway(String),
    /// The gateway cannot be reached.
    #[error("gateway {url} is unreachable: {reason}")]
    GatewayUnreachable {
        /// Base URL.
        url: String,
        /// Cause.
        reason: String,
    },
    /// 401/403 from the gateway.
    #[error("the gateway refused the request (HTTP {status} {code}): {detail}")]
    GatewayAuth {
        /// HTTP status.
        status: u16,
        /// Problem code.
        code: String,
        /// Detail.
        detail: String,
    },
    /// The ledger refused the entry (422, or a final FAILED result).
    #[error("the ledger rejected the entry: {code}: {detail}")]
    Rejected {
        /// The ledger's stable code, e.g. `NOT_HOLDER`.
        code: String,
        /// The ledger's explanation.
        detail: String,
        /// The entry concerned.
        entry_id: Option<String>,
    },
    /// Any other problem answer from the gateway.
    #[error("the gateway answered HTTP {status} {code}: {detail}")]
    Gateway {
        /// HTTP status.
        status: u16,
        /// Problem code.
        code: String,
        /// Detail.
        detail: String,
    },
    /// A proof bundle or an offline check failed.
    #[error("verification failed ({code}): {reason}")]
    Verification {
        /// Stable code, e.g. `PROOF_INVALID`.
        code: &'static str,
        /// What does not match.
        reason: String,
    },
    /// A failure whose report was printed already (a failed verification, a batch with
    /// failures); `--json` prints no second document for it.
    #[error("{message}")]
    Reported {
        /// Stable code, e.g. `VERIFICATION_FAILED`, `IMPORT_INCOMPLETE`.
        code: &'static str,
        /// One line for stderr.
        message: String,
    },
}

impl WalletError {
    /// A stable code for scripts (`--json` prints it).
    pub fn code(&self) -> String {
        use WalletError::*;
        match self {
            WrongPassphrase(_) => "WRONG_PASSPHRASE".into(),
            CorruptKeyFile { .. } => "KEY_FILE_CORRUPTED".into(),
            UnknownIdentity { .. } => "UNKNOWN_IDENTITY".into(),
            IdentityExists { .. } => "IDENTITY_EXISTS".into(),
            BadIdentityName(_) => "BAD_IDENTITY_NAME".into(),
            InsecurePermissions { .. } => "INSECURE_KEY_FILE".into(),
            NoPassphrase => "NO_PASSPHRASE".into(),
            BadPassphrase(_) => "BAD_PASSPHRASE".into(),
            KeystoreIo { .. } => "KEYSTORE_IO".into(),
            ReadInput { .. } => "INPUT_UNREADABLE".into(),
            BadInput { .. } => "BAD_INPUT".into(),
            WriteOutput { .. } => "OUTPUT_UNWRITABLE".into(),
            InvalidArgument { .. } => "INVALID_ARGUMENT".into(),
            Rule(e) => format!("RULE_{}", e.code()),
            Failed(_) => "FAILED".into(),
            NoGateway(_) => "NO_GATEWAY".into(),
            GatewayUnreachable { .. } => "GATEWAY_UNREACHABLE".into(),
            GatewayAuth { code, .. } | Rejected { code, .. } | Gateway { code, .. } => code.clone(),
            Verification { code, .. } | Reported { code, .. } => (*code).into(),
        }
    }

    /// The exit code of the CLI for this error.
    pub fn exit_code(&self) -> ExitCode {
        use WalletError::*;
        match self {
            WrongPassphrase(_)
            | CorruptKeyFile { .. }
            | UnknownIdentity { .. }
            | IdentityExists { .. }
            | BadIdentityName(_)
            | InsecurePermissions { .. }
            | NoPassphrase
            | BadPassphrase(_)
            | KeystoreIo { .. } => ExitCode::Keystore,
            ReadInput { .. } | BadInput { .. } => ExitCode::BadInput,
            InvalidArgument { .. } | NoGateway(_) => ExitCode::Usage,
            GatewayUnreachable { .. } => ExitCode::Unreachable,
            Gateway { status, .. } if *status >= 500 => ExitCode::Unreachable,
            GatewayAuth { .. } => ExitCode::Auth,
            WriteOutput { .. }
            | Rule(_)
            | Failed(_)
            | Rejected { .. }
            | Gateway { .. }
            | Verification { .. }
            | Reported { .. } => ExitCode::Failed,
        }
    }

    /// Whether the command printed its own report (so `--json` prints no error document).
    pub fn already_reported(&self) -> bool {
        matches!(self, WalletError::Reported { .. })
    }

    /// What the user can do next.
    pub fn hint(&self) -> Option<String> {
        use WalletError::*;
        Some(match self {
            WrongPassphrase(_) => "check the passphrase (--passphrase-file, EBL_WALLET_PASSPHRASE \
                 or the prompt); if it is right, restore the key file from a backup"
                .into(),
            CorruptKeyFile { .. } => {
                "restore the key file from a backup, or re-import the key with `key import`".into()
            }
            UnknownIdentity { .. } => {
                "list identities with `ebl-wallet key list`, or create one with `key generate NAME` \
                 (check --keystore / EBL_WALLET_DIR)"
                    .into()
            }
            IdentityExists { .. } => "choose another name, or delete the old key file first".into(),
            BadIdentityName(_) => "use a name like `carrier-ops` or `bank.tf1`".into(),
            InsecurePermissions { path, .. } => format!("run `chmod 600 {}`", path.display()),
            NoPassphrase => "pass --passphrase-file FILE, set EBL_WALLET_PASSPHRASE, or run in a \
                 terminal to be prompted"
                .into(),
            BadPassphrase(_) => "choose a passphrase of at least 8 characters".into(),
            KeystoreIo { .. } => "check --keystore / EBL_WALLET_DIR and its permissions".into(),
            ReadInput { .. } => "check the path and that the file is readable".into(),
            BadInput { .. } => "check that the file is the expected kind (see --help)".into(),
            WriteOutput { .. } => "check the directory exists and is writable; use --force to \
                 replace an existing file"
                .into(),
            InvalidArgument { .. } => "see the command's --help for the accepted values".into(),
            Rule(_) => "fix the field named above; specs/protocol.md lists the rule".into(),
            NoGateway(_) => "pass --gateway URL (or set EBL_GATEWAY), or use --dry-run with \
                 --chain-id, --genesis-hash and --sequence"
                .into(),
            GatewayUnreachable { .. } => "check --gateway / EBL_GATEWAY and that the gateway is \
                 running and reachable from here, then retry"
                .into(),
            Gateway { status, .. } if *status >= 500 => {
                "the gateway or its node is unavailable; retry later or ask its operator".into()
            }
            GatewayAuth { status: 403, .. } => "the API key lacks the scope for this call \
                 (submitting needs `submit`, queries `read`); ask the gateway operator"
                .into(),
            GatewayAuth { .. } => {
                "pass a valid API key with --api-key or EBL_API_KEY (ask the gateway operator)"
                    .into()
            }
            Rejected { code, .. } => format!(
                "the ledger's rule for {code} is in specs/protocol.md; check the document's \
                 current state with `ebl-wallet show`, and your sequence with the gateway"
            ),
            Gateway { status: 429, .. } => "the gateway kept rate-limiting this API key after \
                 the wallet waited and retried; wait a minute and run the same command again (an \
                 import resumes where it stopped), or ask the operator for a higher limit"
                .into(),
            Gateway { .. } => "check the id or reference given; see the gateway's detail above"
                .into(),
            Verification {
                code: "VALIDATORS_WRONG_CHAIN",
                ..
            } => "the validator file is of another network: export the set of the bundle's \
                 chain (`ebl-wallet validators export --out FILE` against its gateway)"
                .into(),
            Verification {
                code: "CERT_MISSING",
                ..
            } => "the bundle has no commit certificate: export a fresh bundle \
                 (`ebl-wallet proof export`) once the record is in a final block"
                .into(),
            Verification {
                code: "CERT_UNKNOWN_VALIDATOR" | "CERT_INVALID_VALIDATOR_SET",
                ..
            } => "the block is not signed by your trusted set: if the consortium changed its \
                 validators, export the set again from a gateway you trust \
                 (`ebl-wallet validators export`); otherwise do not rely on this bundle"
                .into(),
            Verification { code, .. } if code.starts_with("CERT_") => "the block is NOT proven \
                 final by your trusted validators: do not rely on this bundle; obtain a fresh one \
                 from a trusted gateway (`ebl-wallet proof export`) and check it again"
                .into(),
            Verification { .. } => "do not rely on this document or bundle: obtain a fresh \
                 bundle from a trusted gateway (`ebl-wallet proof export`) and compare"
                .into(),
            Reported { code: "IMPORT_INCOMPLETE", .. } => "fix the failed files and run the same \
                 command again: finished files are skipped"
                .into(),
            Reported { .. } => "see the report above".into(),
            Failed(_) => return None,
        })
    }
}

impl From<RuleError> for WalletError {
    fn from(e: RuleError) -> Self {
        WalletError::Rule(e)
    }
}

/// Reads an input file, mapping failures to [`WalletError::ReadInput`] (exit 3).
pub fn read_input(path: &std::path::Path) -> Result<Vec<u8>, WalletError> {
    std::fs::read(path).map_err(|source| WalletError::ReadInput {
        path: path.to_path_buf(),
        source,
    })
}

/// Builds a [`WalletError::BadInput`].
pub fn bad_input(path: &std::path::Path, reason: impl Into<String>) -> WalletError {
    WalletError::BadInput {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}
