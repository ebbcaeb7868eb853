//! The one canonical binary codec of the ledger (specs/protocol.md R1).
//!
//! Every byte string that is hashed, signed or stored goes through this module: bincode 2.0.1 with
//! one fixed configuration (big-endian, fixed-width integers), a decode size limit, trailing bytes
//! rejected, and a re-encoding check so that exactly one byte string decodes to a given value.

use bincode::config::{BigEndian, Configuration, Fixint, Limit};
use bincode::{Decode, Encode};

/// Largest byte string the ledger decodes (an entry, a record, a block header or a whole block).
pub const MAX_DECODE_BYTES: usize = 16 * 1024 * 1024;

type CanonicalConfig = Configuration<BigEndian, Fixint, Limit<MAX_DECODE_BYTES>>;

const CONFIG: CanonicalConfig = bincode::config::standard()
    .with_big_endian()
    .with_fixed_int_encoding()
    .with_limit::<MAX_DECODE_BYTES>();

/// Why a byte string is not the canonical encoding of a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// Input longer than the limit for its kind.
    #[error("input of {len} bytes exceeds the limit of {limit} bytes")]
    Oversize {
        /// Length of the input.
        len: usize,
        /// Largest accepted length.
        limit: usize,
    },
    /// Input could not be decoded (truncated, unknown enum tag, invalid UTF-8, bad bool, ...).
    /// R186: the reason is one of our fixed texts ([`malformed_reason`]), never bincode's, so a
    /// result message that carries it is the same whatever library version decoded it.
    #[error("malformed encoding: {0}")]
    Malformed(&'static str),
    /// Input decoded but bytes were left over.
    #[error("{0} trailing bytes after the value")]
    TrailingBytes(usize),
    /// Input decoded but is not the canonical encoding of the value it decodes to.
    #[error("non-canonical encoding")]
    NonCanonical,
    /// The value could not be encoded (only for values over the size limit).
    #[error("encoding failed: {0}")]
    Encode(&'static str),
}

impl CodecError {
    /// Stable code for the gateway and the ledger results.
    pub fn code(&self) -> &'static str {
        match self {
            CodecError::Oversize { .. } => "OVERSIZE",
            CodecError::Malformed(_) => "MALFORMED",
            CodecError::TrailingBytes(_) => "TRAILING_BYTES",
            CodecError::NonCanonical => "NON_CANONICAL",
            CodecError::Encode(_) => "ENCODE_FAILED",
        }
    }
}

/// R186: our own fixed reason for a bincode decode failure. Library error text never reaches a
/// block result or a state record: two builds with other bincode versions could word it
/// differently and fork.
pub fn malformed_reason(e: &bincode::error::DecodeError) -> &'static str {
    use bincode::error::DecodeError as E;
    match e {
        E::UnexpectedEnd { .. } => "truncated input",
        E::LimitExceeded => "size limit exceeded",
        E::InvalidIntegerType { .. } | E::NonZeroTypeIsZero { .. } | E::OutsideUsizeRange(_) => {
            "integer out of range"
        }
        E::UnexpectedVariant { .. } | E::EmptyEnum { .. } => "unknown variant",
        E::Utf8 { .. } | E::InvalidCharEncoding(_) => "text is not valid UTF-8",
        E::InvalidBooleanValue(_) => "invalid boolean",
        E::ArrayLengthMismatch { .. } => "array length mismatch",
        _ => "undecodable input",
    }
}

/// Encodes a value canonically.
pub fn encode<T: Encode + ?Sized>(value: &T) -> Vec<u8> {
    // Encoding into a Vec cannot fail for our types: they have no custom encoders that error and
    // the limit only applies to decoding. A failure here would be a programming error, so we
    // return an empty vector which can never decode and is caught by every consumer's decode.
    bincode::encode_to_vec(value, CONFIG).unwrap_or_default()
}

/// The length of `value`'s canonical encoding, counted without building it (R191).
pub fn encoded_len<T: Encode>(value: &T) -> usize {
    let mut size = bincode::enc::write::SizeWriter::default();
    match bincode::encode_into_writer(value, &mut size, CONFIG) {
        Ok(()) => size.bytes_written,
        // As in `encode`: unreachable for our types; counted as too long for any cap.
        Err(_) => usize::MAX,
    }
}

/// Decodes `bytes` as exactly one canonical `T` of at most `limit` bytes.
pub fn decode<T: Decode<()> + Encode>(bytes: &[u8], limit: usize) -> Result<T, CodecError> {
    let limit = limit.min(MAX_DECODE_BYTES);
    if bytes.len() > limit {
        return Err(CodecError::Oversize {
            len: bytes.len(),
            limit,
        });
    }
    let (value, used): (T, usize) = bincode::decode_from_slice(bytes, CONFIG)
        .map_err(|e| CodecError::Malformed(malformed_reason(&e)))?;
    if used != bytes.len() {
        return Err(CodecError::TrailingBytes(bytes.len() - used));
    }
    if encode(&value) != bytes {
        return Err(CodecError::NonCanonical);
    }
    Ok(value)
}

/// Decodes a value that this node wrote itself (state records, stored blocks): complete input,
/// global size limit, but no re-encoding check — the node only ever stored canonical bytes, and
/// records are read on every entry's hot path.
pub fn decode_stored<T: Decode<()>>(bytes: &[u8]) -> Result<T, CodecError> {
    if bytes.len() > MAX_DECODE_BYTES {
        return Err(CodecError::Oversize {
            len: bytes.len(),
            limit: MAX_DECODE_BYTES,
        });
    }
    let (value, used): (T, usize) = bincode::decode_from_slice(bytes, CONFIG)
        .map_err(|e| CodecError::Malformed(malformed_reason(&e)))?;
    if used != bytes.len() {
        return Err(CodecError::TrailingBytes(bytes.len() - used));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Encode, Decode)]
    enum Sample {
        A(u64),
        B { flag: bool, text: String },
    }

    #[test]
    fn encode_then_decode_is_identity() {
        let value = Sample::B {
            flag: true,
            text: "HHL71800000".into(),
        };
        let bytes = encode(&value);
        assert_eq!(decode::<Sample>(&bytes, 1024), Ok(value));
    }

    #[test]
    fn integers_are_fixed_width_big_endian() {
        assert_eq!(
            encode(&Sample::A(1)),
            vec![0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
        );
    }

    #[test]
    fn trailing_bytes_are_rejected() {
        let mut bytes = encode(&Sample::A(7));
        bytes.push(0);
        assert_eq!(
            decode::<Sample>(&bytes, 1024),
            Err(CodecError::TrailingBytes(1))
        );
    }

    #[test]
    fn truncated_input_is_rejected() {
        let bytes = encode(&Sample::A(7));
        let err = decode::<Sample>(&bytes[..bytes.len() - 1], 1024).unwrap_err();
        assert_eq!(err.code(), "MALFORMED");
    }

    #[test]
    fn unknown_enum_tag_is_rejected() {
        let mut bytes = encode(&Sample::A(7));
        bytes[3] = 9;
        assert_eq!(
            decode::<Sample>(&bytes, 1024).unwrap_err().code(),
            "MALFORMED"
        );
    }

    #[test]
    fn invalid_bool_is_rejected() {
        let mut bytes = encode(&Sample::B {
            flag: true,
            text: String::new(),
        });
        bytes[4] = 2;
        assert_eq!(
            decode::<Sample>(&bytes, 1024).unwrap_err().code(),
            "MALFORMED"
        );
    }

    #[test]
    fn oversize_input_is_rejected_before_decoding() {
        let bytes = vec![0u8; 2048];
        assert_eq!(
            decode::<Sample>(&bytes, 1024),
            Err(CodecError::Oversize {
                len: 2048,
                limit: 1024
            })
        );
    }

    #[test]
    fn malformed_input_is_described_by_our_own_fixed_text() {
        // R186: the message is ours, not bincode's, whatever the library version.
        let bytes = encode(&Sample::A(7));
        let truncated = decode::<Sample>(&bytes[..bytes.len() - 1], 1024).unwrap_err();
        assert_eq!(truncated, CodecError::Malformed("truncated input"));
        assert_eq!(truncated.to_string(), "malformed encoding: truncated input");
        let mut tag = encode(&Sample::A(7));
        tag[3] = 9;
        assert_eq!(
            decode::<Sample>(&tag, 1024),
            Err(CodecError::Malformed("unknown variant"))
        );
        let mut flag = encode(&Sample::B {
            flag: true,
            text: String::new(),
        });
        flag[4] = 2;
        assert_eq!(
            decode::<Sample>(&flag, 1024),
            Err(CodecError::Malformed("invalid boolean"))
        );
    }

    #[test]
    fn huge_length_prefix_does_not_allocate() {
        // Variant B with a string claiming u64::MAX bytes.
        let mut bytes = vec![0, 0, 0, 1, 1];
        bytes.extend_from_slice(&u64::MAX.to_be_bytes());
        assert_eq!(
            decode::<Sample>(&bytes, 1024).unwrap_err().code(),
            "MALFORMED"
        );
    }
}
