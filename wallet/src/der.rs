//! The few DER encodings a PKCS#10 request needs (X.690), written out because rcgen's
//! `DistinguishedName` keeps one value per attribute type and our subjects carry one OU per role.

/// Tag of a SEQUENCE.
pub const SEQUENCE: u8 = 0x30;
/// Tag of a SET.
pub const SET: u8 = 0x31;
/// Tag of an INTEGER.
pub const INTEGER: u8 = 0x02;
/// Tag of a BIT STRING.
pub const BIT_STRING: u8 = 0x03;
/// Tag of an OBJECT IDENTIFIER.
pub const OID: u8 = 0x06;
/// Tag of a UTF8String.
pub const UTF8_STRING: u8 = 0x0c;
/// Tag of a PrintableString.
pub const PRINTABLE_STRING: u8 = 0x13;
/// Context-specific constructed tag [0].
pub const CONTEXT_0: u8 = 0xa0;

/// Encoded OID bodies.
pub mod oid {
    /// id-at-commonName 2.5.4.3.
    pub const COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
    /// id-at-countryName 2.5.4.6.
    pub const COUNTRY: &[u8] = &[0x55, 0x04, 0x06];
    /// id-at-organizationName 2.5.4.10.
    pub const ORGANIZATION: &[u8] = &[0x55, 0x04, 0x0a];
    /// id-at-organizationalUnitName 2.5.4.11.
    pub const ORGANIZATIONAL_UNIT: &[u8] = &[0x55, 0x04, 0x0b];
    /// id-Ed25519 1.3.101.112 (RFC 8410).
    pub const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
}

/// A tag-length-value with a definite length.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if let Ok(short) = u8::try_from(len)
        && short < 0x80
    {
        out.push(short);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let significant = &bytes[skip..];
        // At most 8 length bytes: a usize has 8.
        out.push(0x80 | u8::try_from(significant.len()).unwrap_or(8));
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(content);
    out
}

/// A SEQUENCE of already-encoded parts.
pub fn sequence(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(SEQUENCE, &parts.concat())
}

/// A BIT STRING with no unused bits.
pub fn bit_string(bytes: &[u8]) -> Vec<u8> {
    let mut content = vec![0u8];
    content.extend_from_slice(bytes);
    tlv(BIT_STRING, &content)
}

/// `AlgorithmIdentifier { id-Ed25519 }` (parameters absent, RFC 8410 §3).
pub fn ed25519_algorithm() -> Vec<u8> {
    sequence(&[tlv(OID, oid::ED25519)])
}

/// A relative distinguished name holding one attribute.
pub fn rdn(oid_body: &[u8], string_tag: u8, value: &str) -> Vec<u8> {
    tlv(
        SET,
        &sequence(&[tlv(OID, oid_body), tlv(string_tag, value.as_bytes())]),
    )
}

/// Encodes `der` as PEM with `label`, 64-character lines.
pub fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let text = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in text.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_lengths_follow_x690() {
        assert_eq!(tlv(0x04, &[1, 2]), vec![0x04, 2, 1, 2]);
        let long = tlv(0x04, &[0u8; 200]);
        assert_eq!(&long[..3], &[0x04, 0x81, 200]);
        let longer = tlv(0x04, &[0u8; 300]);
        assert_eq!(&longer[..4], &[0x04, 0x82, 0x01, 0x2c]);
    }
}
