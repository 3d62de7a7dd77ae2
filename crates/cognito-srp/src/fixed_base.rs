//! g^e for secret e, in constant time and with no precomputation at run time.
//!
//! Two methods, chosen by the exponent's *public* bit bound:
//!
//! - **Up to 384 bits** — every exponent of g a sign-in uses: x (256 bits, for v and for S),
//!   the server's b (256) and a generated client a (384) — a Lim–Lee comb over a table of
//!   powers of g. The comb splits the exponent into `ROWS` rows of `spacing` bits and reads it
//!   column by column: per column one squaring, one constant-time table lookup and one
//!   multiplication. A 384-bit exponent costs 2·64 operations instead of the ~490 of a 4-bit
//!   windowed exponentiation; a 256-bit one 2·43 instead of ~330.
//! - **Longer** (a caller's own 128-byte a, as in the published vectors) — a left-to-right
//!   binary ladder in which "multiply by g" is a modular doubling, since g = 2: one squaring
//!   and one cheap doubling per bit, and no table at all.
//!
//! # Precomputation: by the compiler
//!
//! The `coffer` CLI is a one-shot process, so what a user pays is the *first* sign-in of a
//! process. Each comb table holds the 64 products of subsets of its row bases
//! g^(2^(spacing·r)), r < 6 (24 KiB). Both tables are `static`s that the compiler computes
//! (`Comb::new` is a `const fn`, 57 multiplications per table), from row bases written out in
//! `fixed_base/row_bases.rs` and checked by a test — deriving those too would cost the
//! compiler 535 squarings, several seconds per build. A process's first sign-in thus costs
//! about what every other one does (cold caches aside).
//!
//! Measured alternatives, for one client sign-in with a 48-byte a on the 2-core VM (best
//! times, warm / first in a fresh process): these compile-time tables 2.46 / 2.49 ms; the
//! same tables built on first use at run time 2.46 / 2.85 ms; with the row bases derived at
//! run time as well 2.42 / 4.2 ms; no tables, the doubling ladder for every power of g,
//! 3.5 / 3.6 ms. The price of the first is about 2 s more CPU time each time the compiler
//! builds this crate.
//!
//! # Constant time
//!
//! Exponent bits are read with shifts and masks at public positions. The comb gathers a
//! column's bits into an index and every lookup reads all 64 entries (`ct_assign`); the ladder
//! always computes the doubling and keeps it with a constant-time select. Neither branches nor
//! memory addresses depend on the exponent; only the public bound chooses the method and the
//! loop length.

mod row_bases;

use crypto_bigint::{Choice, CtAssign, Limb, U3072};

use crate::group::{generator, Element, G, N_BITS};

// The ladder's "multiply by g" is a doubling: it is only correct for g = 2.
const _: () = assert!(G == 2, "pow_g_by_doubling assumes g = 2");

/// Rows of the comb; the tables have 2^ROWS entries (64 × 384 bytes = 24 KiB each).
const ROWS: u32 = 6;
const ENTRIES: usize = 1 << ROWS;

/// Spacing for exponents up to 258 bits: x (for v and for S) and b.
const SHORT_SPACING: u32 = 43;
/// Spacing for exponents up to 384 bits: a generated a (48 bytes).
const MEDIUM_SPACING: u32 = 64;

/// The comb for exponents up to 258 bits, computed at compile time.
static SHORT_COMB: Comb = Comb::new(SHORT_SPACING, &row_bases::SPACING_43);
/// The comb for exponents up to 384 bits, computed at compile time.
static MEDIUM_COMB: Comb = Comb::new(MEDIUM_SPACING, &row_bases::SPACING_64);

/// g^exponent mod N, where `exponent < 2^bits` and `bits` is public.
pub(crate) fn pow_g(exponent: &U3072, bits: u32) -> Element {
    debug_assert!(bits <= N_BITS && exponent.bit_width_vartime() <= bits);
    if bits <= SHORT_SPACING * ROWS {
        SHORT_COMB.pow(exponent)
    } else if bits <= MEDIUM_SPACING * ROWS {
        MEDIUM_COMB.pow(exponent)
    } else {
        pow_g_by_doubling(exponent, bits)
    }
}

/// g^exponent for `exponent < 2^bits`, left to right: per bit, square, then double exactly
/// when the bit is set (g = 2, so multiplying by g is a modular doubling).
fn pow_g_by_doubling(exponent: &U3072, bits: u32) -> Element {
    let limbs = exponent.as_limbs();
    let mut acc = Element::ONE;
    for position in (0..bits).rev() {
        acc = acc.square();
        let doubled = acc.double();
        acc.ct_assign(&doubled, Choice::from_u64_lsb(secret_bit(limbs, position)));
    }
    acc
}

/// Bit `position` (public) of the integer in `limbs` (secret), as 0 or 1, without a branch
/// or a secret-dependent address.
fn secret_bit(limbs: &[Limb], position: u32) -> u64 {
    let limb = limbs[(position / Limb::BITS) as usize];
    (limb.0 >> (position % Limb::BITS)) & 1
}

struct Comb {
    spacing: u32,
    /// `table[s]` = ∏ g^(2^(spacing·r)) over the bits r set in s.
    table: [Element; ENTRIES],
}

impl Comb {
    /// The table from `row_bases[r - 1]` = g^(2^(spacing·r)), r = 1..ROWS, as plain integers.
    /// A `const fn` (hence the `while` loops), so that the statics above are compile-time data.
    const fn new(spacing: u32, row_bases: &[U3072; ROWS as usize - 1]) -> Self {
        let mut bases = [generator(); ROWS as usize];
        let mut r = 1;
        while r < ROWS as usize {
            bases[r] = Element::new(&row_bases[r - 1]);
            r += 1;
        }
        let mut table = [Element::ONE; ENTRIES];
        let mut s = 1;
        while s < ENTRIES {
            let lowest_row = s.trailing_zeros() as usize;
            let rest = s & (s - 1);
            table[s] = if rest == 0 {
                bases[lowest_row]
            } else {
                table[rest].mul(&bases[lowest_row])
            };
            s += 1;
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
                let bit = secret_bit(limbs, row * self.spacing + column);
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
    fn every_method_agrees_with_plain_exponentiation() {
        // Patterns that hit every row and column, at and just past each method's capacity.
        let ones = U3072::MAX;
        let alternating = U3072::from_be_hex(&"a5".repeat(384));
        for bits in [
            1, 64, 255, 256, 258, 259, 300, 383, 384, 385, 700, 1024, 1025, 2000, 3072,
        ] {
            check(ones.shr_vartime(N_BITS - bits), bits);
            check(alternating.shr_vartime(N_BITS - bits), bits);
        }
        check(U3072::ZERO, 256);
        check(U3072::ZERO, 384);
        check(U3072::ZERO, 1024);
        check(U3072::ONE, 384);
        check(U3072::ONE, 1024);
    }

    #[test]
    fn exponents_shorter_than_their_bound_are_not_cut() {
        // A 384-bit bound with only low bits set, and a long bound with only the top bit.
        check(U3072::from_u64(0xdead_beef), 384);
        check(U3072::ONE.shl_vartime(1023), 1024);
        check(U3072::ONE.shl_vartime(383), 384);
    }

    #[test]
    fn row_bases_are_the_powers_of_g_they_claim() {
        for (spacing, row_bases) in [
            (SHORT_SPACING, &row_bases::SPACING_43),
            (MEDIUM_SPACING, &row_bases::SPACING_64),
        ] {
            let mut power = generator();
            for (r, constant) in row_bases.iter().enumerate() {
                power = power.square_repeat_vartime(spacing);
                assert_eq!(&power.retrieve(), constant, "g^(2^({spacing}·{}))", r + 1);
            }
        }
    }

    #[test]
    fn comb_tables_hold_the_subset_products() {
        for comb in [&SHORT_COMB, &MEDIUM_COMB] {
            for s in [0usize, 1, 2, 0b101, 0b110_000, ENTRIES - 1] {
                // table[s] = g^(Σ 2^(spacing·r)) over the bits r of s.
                let mut exponent = U3072::ZERO;
                for r in 0..ROWS {
                    if s >> r & 1 == 1 {
                        let row = U3072::ONE.shl_vartime(comb.spacing * r);
                        exponent = exponent.wrapping_add(&row);
                    }
                }
                assert_eq!(
                    comb.table[s].retrieve(),
                    generator().pow_vartime(&exponent).retrieve(),
                    "spacing {}, entry {s:#b}",
                    comb.spacing
                );
                assert_eq!(comb.lookup(s as u32).retrieve(), comb.table[s].retrieve());
            }
        }
    }
}
