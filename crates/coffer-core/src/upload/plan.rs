//! How a file is cut into parts: pure arithmetic, no IO.
//!
//! S3 multipart limits: at most 10 000 parts, each at least 5 MiB except the last, at most
//! 5 GiB. Coffer starts at [`MIN_PART_SIZE`] (8 MiB) and doubles the part size until the
//! file fits in 10 000 parts, so a 1 GiB file has 128 parts of 8 MiB and a 100 GiB file
//! 6 400 parts of 16 MiB.

/// Smallest part Coffer uses (S3's minimum is 5 MiB).
pub const MIN_PART_SIZE: u64 = 8 * 1024 * 1024;
/// S3's largest part.
pub const MAX_PART_SIZE: u64 = 5 * 1024 * 1024 * 1024;
/// S3's largest number of parts.
pub const MAX_PARTS: u64 = 10_000;

/// The part size for a file of `file_len` bytes, starting from `min_part_size` (raised to
/// S3's 5 MiB floor) and doubling until the file fits in [`MAX_PARTS`] parts. `None` when
/// even 5 GiB parts are not enough (the file is larger than S3 allows).
pub fn part_size(file_len: u64, min_part_size: u64) -> Option<u64> {
    let mut size = min_part_size.max(5 * 1024 * 1024);
    while file_len.div_ceil(size) > MAX_PARTS {
        size = size.checked_mul(2)?;
    }
    (size <= MAX_PART_SIZE).then_some(size)
}

/// One part of a file: its 1-based number and byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartRange {
    /// S3 part number, 1-based.
    pub number: i32,
    /// Offset of the first byte in the file.
    pub offset: u64,
    /// Length in bytes.
    pub len: u64,
}

/// The parts of a file of `file_len` bytes cut at `part_size`. An empty file has no parts.
pub fn parts(file_len: u64, part_size: u64) -> Vec<PartRange> {
    assert!(part_size > 0, "part size must be positive");
    let count = file_len.div_ceil(part_size);
    (0..count)
        .map(|index| {
            let offset = index * part_size;
            PartRange {
                // count <= MAX_PARTS (10 000) for every size `part_size` returns, so it fits.
                number: i32::try_from(index + 1).unwrap_or(i32::MAX),
                offset,
                len: part_size.min(file_len - offset),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;
    const GIB: u64 = 1024 * MIB;

    #[test]
    fn small_and_medium_files_use_the_minimum() {
        assert_eq!(part_size(0, MIN_PART_SIZE), Some(8 * MIB));
        assert_eq!(part_size(GIB, MIN_PART_SIZE), Some(8 * MIB));
        assert_eq!(part_size(MAX_PARTS * 8 * MIB, MIN_PART_SIZE), Some(8 * MIB));
    }

    #[test]
    fn part_size_doubles_to_stay_within_ten_thousand_parts() {
        assert_eq!(
            part_size(MAX_PARTS * 8 * MIB + 1, MIN_PART_SIZE),
            Some(16 * MIB)
        );
        for len in [100 * GIB, 1024 * GIB, 4 * 1024 * GIB] {
            let size = part_size(len, MIN_PART_SIZE).unwrap();
            assert!(len.div_ceil(size) <= MAX_PARTS, "{len}");
            assert!(
                len.div_ceil(size / 2) > MAX_PARTS,
                "{len}: not the smallest"
            );
        }
    }

    #[test]
    fn too_large_files_have_no_plan_and_floor_is_five_mib() {
        assert_eq!(
            part_size(MAX_PARTS * MAX_PART_SIZE + 1, MIN_PART_SIZE),
            None
        );
        assert_eq!(part_size(10, 1), Some(5 * MIB));
    }

    #[test]
    fn parts_cover_the_file_exactly_once() {
        let len = 20 * MIB + 3;
        let cut = parts(len, 8 * MIB);
        assert_eq!(cut.len(), 3);
        assert_eq!(
            cut[0],
            PartRange {
                number: 1,
                offset: 0,
                len: 8 * MIB
            }
        );
        assert_eq!(
            cut[2],
            PartRange {
                number: 3,
                offset: 16 * MIB,
                len: 4 * MIB + 3
            }
        );
        assert_eq!(cut.iter().map(|p| p.len).sum::<u64>(), len);
        assert!(parts(0, 8 * MIB).is_empty());
        assert_eq!(parts(16 * MIB, 8 * MIB).len(), 2);
    }
}
