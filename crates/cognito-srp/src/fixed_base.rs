//! g^e for secret e, fast: a Lim–Lee comb over precomputed powers of the fixed base g.
//!
//! The comb splits an exponent of up to `ROWS * spacing` bits into `ROWS` rows of `spacing`
//! bits and reads it column by column: per column one squaring, one constant-time table lookup
//! and one multiplication. A 1024-bit exponent thus costs 2·171 operations instead of the
//! ~1290 of a 4-bit windowed exponentiation; a 256-bit one costs 2·43 instead of ~330.
//!
//! Each table holds the 64 products of subsets of g^(2^(spacing·r)), r < 6 (24 KiB), and is
//! built once per process on first use — about 910 (long) and 270 (short) multiplications,
//! some 3.5 ms and 1 ms here — then shared read-only. Exponents longer than the long comb fall
//! back to crypto-bigint's windowed `pow_bounded_exp`.
//!
//! Constant time: the column index is gathered from the secret bits with shifts and masks at
//! public positions, and every lookup reads all 64 entries (`ct_assign`), so neither branches
//! nor memory addresses depend on the exponent. Only the public bound decides the loop length.

use std::sync::LazyLock;

use crypto_bigint::{Choice, CtAssign, Limb, U3072};

use crate::group::{generator, Element, N_BITS};

/// Rows of the comb; the tables have 2^ROWS entries (64 × 384 bytes = 24 KiB each).
const ROWS: u32 = 6;
const ENTRIES: usize = 1 << ROWS;

/// Spacing for exponents up to 258 bits: x (for v and for S) and b.
const SHORT_SPACING: u32 = 43;
/// Spacing for exponents up to 1026 bits: a (128 bytes).
const LONG_SPACING: u32 = 171;

static SHORT_COMB: LazyLock<Comb> = LazyLock::new(|| Comb::new(SHORT_SPACING));
static LONG_COMB: LazyLock<Comb> = LazyLock::new(|| Comb::new(LONG_SPACING));

/// g^exponent mod N, where `exponent < 2^bits` and `bits` is public.
pub(crate) fn pow_g(exponent: &U3072, bits: u32) -> Element {
    debug_assert!(bits <= N_BITS);
    if bits <= SHORT_SPACING * ROWS {
        SHORT_COMB.pow(exponent)
    } else if bits <= LONG_SPACING * ROWS {
        LONG_COMB.pow(exponent)
    } else {
        generator().pow_bounded_exp(exponent, bits)
    }
}

struct Comb {
    spacing: u32,
    /// `table[s]` = ∏ g^(2^(spacing·r)) over the bits r set in s.
    table: Box<[Element; ENTRIES]>,
}

impl Comb {
    fn new(spacing: u32) -> Self {
        // Everything here is public (powers of g), so variable-time squaring is fine.
        let mut row_bases = [generator(); ROWS as usize];
        for r in 1..ROWS as usize {
            row_bases[r] = row_bases[r - 1].square_repeat_vartime(spacing);
        }
        let mut table = Box::new([Element::ONE; ENTRIES]);
        for s in 1..ENTRIES {
            let lowest_row = s.trailing_zeros() as usize;
            table[s] = table[s & (s - 1)].mul(&row_bases[lowest_row]);
        }
        Self { spacing, table }
    }

    /// g^exponent for `exponent < 2^(ROWS·spacing)`: the caller checks the bound.
    fn pow(&self, exponent: &U3072) -> Element {
        let limbs = exponent.as_limbs();
        let mut acc = Element::ONE;
        for column in (0..self.spacing).rev() {
            if column + 1 != self.spacing {
                acc = acc.square();
            }
            let mut index = 0u32;
            for row in 0..ROWS {
                // Public position, secret bit.
                let position = row * self.spacing + column;
                let limb = limbs[(position / Limb::BITS) as usize];
                let bit = (limb.0 >> (position % Limb::BITS)) & 1;
                index |= (bit as u32) << row;
            }
            acc = acc.mul(&self.lookup(index));
        }
        acc
    }

    /// `table[index]`, reading every entry so the access pattern is independent of `index`.
    fn lookup(&self, index: u32) -> Element {
        let mut selected = U3072::ZERO;
        for (i, entry) in self.table.iter().enumerate() {
            selected.ct_assign(entry.as_montgomery(), Choice::from_u32_eq(i as u32, index));
        }
        Element::from_montgomery(selected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(exponent: U3072, bits: u32) {
        let expected = generator().pow_vartime(&exponent);
        assert_eq!(
            pow_g(&exponent, bits).retrieve(),
            expected.retrieve(),
            "{bits}-bit bound"
        );
    }

    #[test]
    fn combs_agree_with_plain_exponentiation() {
        // Patterns that hit every row and column, at and just under each comb's capacity.
        let ones = U3072::MAX;
        for bits in [1, 64, 255, 256, 258, 259, 700, 1024, 1026, 1027, 2000, 3072] {
            check(ones.shr_vartime(N_BITS - bits), bits);
            let alternating = U3072::from_be_hex(&"a5".repeat(384)).shr_vartime(N_BITS - bits);
            check(alternating, bits);
        }
        check(U3072::ZERO, 256);
        check(U3072::ONE, 1024);
    }
}
