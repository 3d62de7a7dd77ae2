//! Secret exponents (a, b, x, a + u·x) with a public bit bound.

use crypto_bigint::{CtSelect, Limb, U3072};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::group::{from_be_bytes, N_BITS, N_BYTES, N_MINUS_1};

/// A secret exponent, reduced modulo N - 1, with a *public* upper bound on its bit length.
///
/// Exponentiation runs for `bits` steps whatever the value, so timing reveals the bound (which
/// derives only from public lengths: "a is 48 bytes") and never the secret's own bit length.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct SecretExponent {
    value: U3072,
    #[zeroize(skip)]
    bits: u32,
}

impl SecretExponent {
    /// The exponent whose big-endian encoding is `bytes`, reduced modulo N - 1.
    ///
    /// Any length is accepted (P1 of the vectors uses a 1024-byte `a`); the bound is
    /// `8 * len`, capped at 3072 bits. Returns `None` when the value is ≡ 0 mod (N - 1) — an
    /// exponent that would make the public value 1.
    pub(crate) fn from_be_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.is_empty() {
            return None;
        }
        // Horner's rule in base 2^3072, most significant chunk first. Every step is constant
        // time in the value (`rem_wide_vartime` varies only with the public divisor).
        let first_len = match bytes.len() % N_BYTES {
            0 => N_BYTES,
            partial => partial,
        };
        let (first, rest) = bytes.split_at(first_len);
        let mut value = Zeroizing::new(reduce_below_2_pow_3072(from_be_bytes(first)));
        for chunk in rest.chunks(N_BYTES) {
            let low = Zeroizing::new(from_be_bytes(chunk));
            *value = U3072::rem_wide_vartime((*low, *value), &N_MINUS_1);
        }
        if bool::from(value.is_nonzero()) {
            let bits = u32::try_from(bytes.len())
                .ok()
                .and_then(|len| len.checked_mul(8))
                .map_or(N_BITS, |bits| bits.min(N_BITS));
            Some(Self {
                value: *value,
                bits,
            })
        } else {
            None
        }
    }

    /// An exponent already known to be below both N - 1 and `2^bits`.
    pub(crate) fn from_reduced(value: U3072, bits: u32) -> Self {
        debug_assert!(bits <= N_BITS && value.bit_width_vartime() <= bits);
        Self { value, bits }
    }

    pub(crate) fn value(&self) -> &U3072 {
        &self.value
    }

    /// The public bound on the exponent's bit length.
    pub(crate) fn bits(&self) -> u32 {
        self.bits
    }

    /// The big-endian bytes of the value, `bits / 8` of them (its public length).
    pub(crate) fn to_be_bytes(&self) -> Zeroizing<Vec<u8>> {
        let all = Zeroizing::new(crate::group::to_be_bytes(&self.value));
        let len = (self.bits as usize).div_ceil(8);
        Zeroizing::new(all[N_BYTES - len..].to_vec())
    }

    /// `self + factor·other` mod (N - 1), for the client's a + u·x. Both factors are at most
    /// 256 bits, so the product stays far below N - 1.
    pub(crate) fn add_product(&self, factor: &crypto_bigint::U256, other: &SecretExponent) -> Self {
        debug_assert!(other.bits <= 256);
        let other_256: Zeroizing<crypto_bigint::U256> = Zeroizing::new(other.value.resize());
        let product = Zeroizing::new(factor.concatenating_mul(&*other_256));
        let product_3072: Zeroizing<U3072> = Zeroizing::new(product.resize());
        let value = self.value.add_mod(&product_3072, &N_MINUS_1);
        let bits = (self.bits.max(512) + 1).min(N_BITS);
        Self { value, bits }
    }
}

/// x mod (N - 1) for any x < 2^3072: since 2^3072 < 2(N - 1), one conditional subtraction.
fn reduce_below_2_pow_3072(x: U3072) -> U3072 {
    let (difference, borrow) = x.borrowing_sub(N_MINUS_1.as_ref(), Limb::ZERO);
    // `borrow` is all ones when x < N - 1 (keep x then), zero otherwise (keep the difference).
    let keep_x = borrow.lsb_to_choice();
    difference.ct_select(&x, keep_x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::U256;

    #[test]
    fn reduces_values_at_and_above_n_minus_1() {
        let n_minus_1 = crate::group::to_be_bytes(N_MINUS_1.as_ref());
        assert!(SecretExponent::from_be_bytes(&n_minus_1).is_none());
        let from_n = SecretExponent::from_be_bytes(&crate::group::to_be_bytes(&crate::group::N))
            .expect("N ≡ 1 mod (N - 1)");
        assert_eq!(from_n.value(), &U3072::ONE);
        assert_eq!(from_n.bits(), N_BITS);
    }

    #[test]
    fn long_inputs_reduce_like_horner() {
        // (N - 1)·2^3072 + 5 ≡ 5 mod (N - 1), over two chunks.
        let mut bytes = crate::group::to_be_bytes(N_MINUS_1.as_ref()).to_vec();
        bytes.extend_from_slice(&[0u8; N_BYTES - 1]);
        bytes.push(5);
        let e = SecretExponent::from_be_bytes(&bytes).unwrap();
        assert_eq!(e.value(), &U3072::from_u8(5));
        assert_eq!(e.bits(), N_BITS);
    }

    #[test]
    fn zero_and_empty_are_rejected() {
        assert!(SecretExponent::from_be_bytes(&[]).is_none());
        assert!(SecretExponent::from_be_bytes(&[0; 128]).is_none());
    }

    #[test]
    fn bound_is_the_public_length_not_the_value_length() {
        let mut bytes = [0u8; 128];
        bytes[127] = 1;
        let e = SecretExponent::from_be_bytes(&bytes).unwrap();
        assert_eq!(e.bits(), 1024);
        assert_eq!(e.to_be_bytes().as_slice(), &bytes[..]);
    }

    #[test]
    fn add_product_matches_plain_arithmetic() {
        let a = SecretExponent::from_be_bytes(&[0xff; 128]).unwrap();
        let x = SecretExponent::from_reduced(U3072::from_u64(7), 256);
        let u = U256::from_u64(3);
        let sum = a.add_product(&u, &x);
        assert_eq!(sum.value(), &a.value().wrapping_add(&U3072::from_u64(21)));
        assert_eq!(sum.bits(), 1025);
    }
}
