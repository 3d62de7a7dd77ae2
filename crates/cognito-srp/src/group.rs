//! The SRP group Cognito uses: the RFC 3526 / RFC 5054 3072-bit MODP prime N, g = 2, and
//! k = H(pad(N) || pad(g)).

use crypto_bigint::{const_monty_params, modular::ConstMontyForm, NonZero, U256, U3072};
use sha2::{Digest, Sha256};

use crate::encoding::pad;

/// N in big-endian hex (RFC 3526 §4, group 15; the same prime as RFC 5054's 3072-bit group).
const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05",
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB",
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718",
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33",
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864",
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2",
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

const_monty_params!(
    ModN,
    U3072,
    N_HEX,
    "Montgomery parameters of the 3072-bit SRP prime N, computed at compile time."
);

/// An element of Z/NZ, kept in Montgomery form.
pub(crate) type Element = ConstMontyForm<ModN, { U3072::LIMBS }>;

/// Length of N, and of every fixed-width group element, in bytes.
pub(crate) const N_BYTES: usize = 384;

/// Length of N in bits; also the largest exponent bound we ever use.
pub(crate) const N_BITS: u32 = 3072;

/// N itself, as a plain integer.
pub(crate) const N: U3072 = U3072::from_be_hex(N_HEX);

/// N, as the non-zero divisor for reductions of public values.
pub(crate) const N_NONZERO: NonZero<U3072> = NonZero::<U3072>::new_unwrap(N);

/// N - 1: g and every base coprime to N have an order dividing it, so exponents may be
/// reduced modulo N - 1 without changing any result.
pub(crate) const N_MINUS_1: NonZero<U3072> =
    NonZero::<U3072>::new_unwrap(N.wrapping_sub(&U3072::ONE));

/// The generator g = 2.
pub(crate) const G: u64 = 2;

/// g, in Montgomery form.
pub(crate) const fn generator() -> Element {
    Element::new(&U3072::from_u64(G))
}

/// The SRP-6a multiplier k = SHA256(pad(N) || pad(g)), in Montgomery form.
pub(crate) fn multiplier() -> Element {
    Element::new(&multiplier_integer().resize())
}

/// k as a 256-bit integer.
pub(crate) fn multiplier_integer() -> U256 {
    let n_bytes = to_be_bytes(&N);
    let digest = Sha256::new()
        .chain_update(pad(&n_bytes))
        .chain_update(pad(&[G as u8]))
        .finalize();
    U256::from_be_slice(&digest)
}

/// Big-endian, fixed-width (384-byte) encoding of a group-sized integer.
pub(crate) fn to_be_bytes(value: &U3072) -> [u8; N_BYTES] {
    let mut out = [0u8; N_BYTES];
    out.copy_from_slice(value.to_be_bytes().as_slice());
    out
}

/// The integer whose big-endian encoding is `bytes`, which must be at most 384 bytes long.
pub(crate) fn from_be_bytes(bytes: &[u8]) -> U3072 {
    debug_assert!(bytes.len() <= N_BYTES);
    let mut padded = zeroize::Zeroizing::new([0u8; N_BYTES]);
    padded[N_BYTES - bytes.len()..].copy_from_slice(bytes);
    U3072::from_be_slice(padded.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn n_is_the_rfc_3526_prime_with_its_known_shape() {
        // Top and bottom 64 bits of the RFC 3526 primes are all ones.
        let bytes = to_be_bytes(&N);
        assert!(bytes[..8].iter().all(|&b| b == 0xff));
        assert!(bytes[N_BYTES - 8..].iter().all(|&b| b == 0xff));
        assert_eq!(N.bit_width_vartime(), N_BITS);
    }

    #[test]
    fn g_to_the_n_minus_1_is_one() {
        // Fermat: a cheap sanity check that N, g and the Montgomery parameters agree.
        let one = generator().pow(N_MINUS_1.as_ref());
        assert_eq!(one.retrieve(), U3072::ONE);
    }
}
