//! Wire encodings: Cognito's hex integers and Java-style `pad()`.

use crate::SrpError;

/// Decodes a hex integer as Cognito and its SDKs write them (`BigInteger.toString(16)`): any
/// case, any length (odd lengths mean a leading zero nibble was dropped), no sign, no prefix.
pub(crate) fn decode_hex(hex: &str) -> Result<Vec<u8>, SrpError> {
    if hex.is_empty() {
        return Err(SrpError::InvalidHex);
    }
    let result = if hex.len() % 2 == 1 {
        let mut even = String::with_capacity(hex.len() + 1);
        even.push('0');
        even.push_str(hex);
        hex::decode(even)
    } else {
        hex::decode(hex)
    };
    result.map_err(|_| SrpError::InvalidHex)
}

/// The big-endian bytes of an unsigned integer without its leading zero bytes (empty for 0).
pub(crate) fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first_nonzero = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first_nonzero..]
}

/// `pad(n)`: the minimal big-endian two's-complement encoding of the non-negative integer whose
/// big-endian bytes are `bytes` — Java's `BigInteger.toByteArray()`, amplify's `padHex`.
///
/// Leading zero bytes are dropped, then one 0x00 is put back if the top bit is set (so the
/// value does not read as negative). Zero encodes as a single 0x00.
pub(crate) fn pad(bytes: &[u8]) -> Vec<u8> {
    let minimal = strip_leading_zeros(bytes);
    let needs_sign_byte = minimal.first().is_none_or(|&b| b & 0x80 != 0);
    let mut out = Vec::with_capacity(minimal.len() + 1);
    if needs_sign_byte {
        out.push(0);
    }
    out.extend_from_slice(minimal);
    out
}

/// Lowercase hex of an unsigned integer with no leading zeros (`BigInteger.toString(16)`),
/// "0" for zero. This is how SRP_A and SRP_B travel.
pub(crate) fn integer_hex(bytes: &[u8]) -> String {
    let hex = hex::encode(strip_leading_zeros(bytes));
    match hex.strip_prefix('0') {
        Some(rest) => rest.to_owned(),
        None if hex.is_empty() => "0".to_owned(),
        None => hex,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_hex_accepts_odd_length_and_any_case() {
        assert_eq!(decode_hex("abc").unwrap(), vec![0x0a, 0xbc]);
        assert_eq!(decode_hex("6D79").unwrap(), vec![0x6d, 0x79]);
        assert_eq!(decode_hex("0").unwrap(), vec![0]);
    }

    #[test]
    fn decode_hex_rejects_empty_signs_prefixes_and_junk() {
        for bad in ["", "-1", "+1", "0x12", "12 34", "zz", "é1"] {
            assert_eq!(decode_hex(bad), Err(SrpError::InvalidHex), "{bad:?}");
        }
    }

    #[test]
    fn pad_follows_java_to_byte_array() {
        assert_eq!(pad(&[]), vec![0]);
        assert_eq!(pad(&[0, 0]), vec![0]);
        assert_eq!(pad(&[0x7f]), vec![0x7f]);
        assert_eq!(pad(&[0x80]), vec![0, 0x80]);
        assert_eq!(pad(&[0, 0, 0x01, 0x00]), vec![0x01, 0x00]);
        assert_eq!(pad(&[0, 0xff]), vec![0, 0xff]);
    }

    #[test]
    fn integer_hex_drops_every_leading_zero_nibble() {
        assert_eq!(integer_hex(&[]), "0");
        assert_eq!(integer_hex(&[0, 0]), "0");
        assert_eq!(integer_hex(&[0, 0x0a, 0xbc]), "abc");
        assert_eq!(integer_hex(&[0xab, 0x0c]), "ab0c");
    }
}
