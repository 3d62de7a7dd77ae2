//! The public ephemerals SRP_A and SRP_B as they cross the wire.

use crypto_bigint::U3072;

use crate::encoding::{decode_hex, integer_hex, strip_leading_zeros};
use crate::group::{from_be_bytes, to_be_bytes, Element, N, N_BYTES, N_NONZERO};
use crate::SrpError;

/// A peer's (or our own) public value: its bytes as sent, for hashing into u, and its residue
/// mod N, for the math.
pub(crate) struct PublicValue {
    /// Big-endian, without leading zeros, *not* reduced mod N: u hashes what was sent.
    bytes: Vec<u8>,
    element: Element,
}

impl PublicValue {
    /// Parses a peer's SRP_A / SRP_B, refusing values ≡ 0 mod N (RFC 5054 §2.5.4, §2.6).
    ///
    /// Values of up to 6144 bits are accepted and reduced; longer ones are refused too, since
    /// no honest peer sends more than 3072.
    pub(crate) fn from_hex(hex: &str) -> Result<Self, SrpError> {
        let raw = decode_hex(hex)?;
        let bytes = strip_leading_zeros(&raw).to_vec();
        if bytes.len() > 2 * N_BYTES {
            return Err(SrpError::IllegalPublicValue);
        }
        // Public data: variable-time reduction is fine.
        let residue = if bytes.len() <= N_BYTES {
            let value = from_be_bytes(&bytes);
            // value < 2^3072 < 2N: at most one subtraction.
            if value >= N {
                value.wrapping_sub(&N)
            } else {
                value
            }
        } else {
            let (high, low) = bytes.split_at(bytes.len() - N_BYTES);
            U3072::rem_wide_vartime((from_be_bytes(low), from_be_bytes(high)), &N_NONZERO)
        };
        if residue.is_zero_vartime() {
            return Err(SrpError::IllegalPublicValue);
        }
        Ok(Self {
            bytes,
            element: Element::new(&residue),
        })
    }

    /// Our own public value, computed mod N.
    pub(crate) fn from_element(element: Element) -> Self {
        let encoded = to_be_bytes(&element.retrieve());
        Self {
            bytes: strip_leading_zeros(&encoded).to_vec(),
            element,
        }
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.bytes.is_empty()
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) fn element(&self) -> &Element {
        &self.element
    }

    /// Lowercase hex without leading zeros, as SRP_A and SRP_B are sent.
    pub(crate) fn to_hex(&self) -> String {
        integer_hex(&self.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hex of k·N·2^(8·shift_bytes) + add, by schoolbook byte arithmetic.
    fn multiple_of_n_hex(k: u32, shift_bytes: usize, add: u8) -> String {
        let n = to_be_bytes(&N);
        let mut out = vec![0u8; N_BYTES + 1];
        let mut carry = 0u32;
        for i in (0..N_BYTES).rev() {
            let v = u32::from(n[i]) * k + carry;
            out[i + 1] = v as u8;
            carry = v >> 8;
        }
        out[0] = carry as u8;
        out.extend(std::iter::repeat_n(0, shift_bytes));
        let mut carry = u32::from(add);
        for byte in out.iter_mut().rev() {
            let v = u32::from(*byte) + carry;
            *byte = v as u8;
            carry = v >> 8;
        }
        assert_eq!(carry, 0);
        integer_hex(&out)
    }

    #[test]
    fn multiples_of_n_are_refused() {
        let mut refused = vec!["0".to_owned(), "0000".to_owned()];
        for k in [1, 2, 3, 255] {
            refused.push(multiple_of_n_hex(k, 0, 0));
        }
        refused.push(format!("000{}", multiple_of_n_hex(1, 0, 0)));
        refused.push(multiple_of_n_hex(1, N_BYTES - 1, 0)); // a 767-byte multiple
        for value in &refused {
            assert_eq!(
                PublicValue::from_hex(value).err(),
                Some(SrpError::IllegalPublicValue),
                "{value:.16}… ({} digits)",
                value.len()
            );
        }
    }

    #[test]
    fn other_residues_are_reduced_and_the_sent_bytes_kept() {
        let n_plus_1 = PublicValue::from_hex(&multiple_of_n_hex(1, 0, 1)).unwrap();
        assert_eq!(n_plus_1.element().retrieve(), U3072::ONE);
        assert_eq!(n_plus_1.bytes().len(), N_BYTES);

        let wide = PublicValue::from_hex(&multiple_of_n_hex(7, N_BYTES - 1, 5)).unwrap();
        assert_eq!(wide.element().retrieve(), U3072::from_u8(5));

        let small = PublicValue::from_hex("00abc").unwrap();
        assert_eq!(small.bytes(), &[0x0a, 0xbc]);
        assert_eq!(small.to_hex(), "abc");
    }

    #[test]
    fn values_longer_than_6144_bits_are_refused() {
        let too_long = format!("1{}", "0".repeat(2 * 2 * N_BYTES));
        assert_eq!(
            PublicValue::from_hex(&too_long).err(),
            Some(SrpError::IllegalPublicValue)
        );
    }
}
