//! Object checksums: which algorithms a request asks for, computing them while a body streams,
//! checking the values the client sent (headers or aws-chunked trailers), and the composite
//! checksums of multipart objects.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use http::HeaderMap;
use s3s::checksum::ChecksumHasher;
use s3s::crypto::Checksum as _;
use s3s::{s3_error, S3Result};
use serde::{Deserialize, Serialize};

/// The checksum algorithms S3 supports, with their header names.
pub const ALGORITHMS: [(&str, &str); 5] = [
    ("CRC32", "x-amz-checksum-crc32"),
    ("CRC32C", "x-amz-checksum-crc32c"),
    ("SHA1", "x-amz-checksum-sha1"),
    ("SHA256", "x-amz-checksum-sha256"),
    ("CRC64NVME", "x-amz-checksum-crc64nvme"),
];

/// The canonical name (`CRC32C`, …) of the algorithm a request names in any case;
/// `InvalidRequest` for one S3 does not support.
pub fn algorithm_named(name: &str) -> S3Result<&'static str> {
    ALGORITHMS
        .iter()
        .map(|(known, _)| *known)
        .find(|known| known.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            s3_error!(
                InvalidRequest,
                "Checksum algorithm provided is unsupported."
            )
        })
}

/// Base64 checksum values, by algorithm.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checksums {
    /// CRC32.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crc32: Option<String>,
    /// CRC32C.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crc32c: Option<String>,
    /// SHA-1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha1: Option<String>,
    /// SHA-256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// CRC64NVME.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crc64nvme: Option<String>,
}

impl Checksums {
    /// The value for the algorithm named `name` (`CRC32`, …).
    pub fn get(&self, name: &str) -> Option<&String> {
        match name {
            "CRC32" => self.crc32.as_ref(),
            "CRC32C" => self.crc32c.as_ref(),
            "SHA1" => self.sha1.as_ref(),
            "SHA256" => self.sha256.as_ref(),
            "CRC64NVME" => self.crc64nvme.as_ref(),
            _ => None,
        }
    }

    fn slot(&mut self, name: &str) -> Option<&mut Option<String>> {
        match name {
            "CRC32" => Some(&mut self.crc32),
            "CRC32C" => Some(&mut self.crc32c),
            "SHA1" => Some(&mut self.sha1),
            "SHA256" => Some(&mut self.sha256),
            "CRC64NVME" => Some(&mut self.crc64nvme),
            _ => None,
        }
    }

    /// Sets the value for algorithm `name` (unknown names are ignored).
    pub fn set(&mut self, name: &str, value: String) {
        if let Some(slot) = self.slot(name) {
            *slot = Some(value);
        }
    }

    /// Whether no checksum is present.
    pub fn is_empty(&self) -> bool {
        ALGORITHMS.iter().all(|(name, _)| self.get(name).is_none())
    }

    /// The algorithms present.
    pub fn algorithms(&self) -> Vec<&'static str> {
        ALGORITHMS
            .iter()
            .filter(|(name, _)| self.get(name).is_some())
            .map(|(name, _)| *name)
            .collect()
    }

    /// The values a hasher computed.
    pub fn computed(hasher: ChecksumHasher) -> Self {
        Self::from_dto(hasher.finalize())
    }

    fn from_dto(dto: s3s::dto::Checksum) -> Self {
        Self {
            crc32: dto.checksum_crc32,
            crc32c: dto.checksum_crc32c,
            sha1: dto.checksum_sha1,
            sha256: dto.checksum_sha256,
            crc64nvme: dto.checksum_crc64nvme,
        }
    }
}

/// What a request declares about checksums before its body is read.
#[derive(Debug, Clone, Default)]
pub struct Expected {
    /// Values sent in headers (`x-amz-checksum-*`).
    pub values: Checksums,
    /// Algorithms to compute (declared values, `x-amz-sdk-checksum-algorithm`, `x-amz-trailer`).
    pub algorithms: Vec<&'static str>,
}

impl Expected {
    /// Reads the declaration from a request's header values and headers.
    pub fn declare(
        values: Checksums,
        algorithm: Option<&str>,
        headers: &HeaderMap,
    ) -> S3Result<Self> {
        let mut algorithms = values.algorithms();
        if let Some(algorithm) = algorithm {
            algorithms.push(algorithm_named(algorithm)?);
        }
        for trailer in headers.get_all("x-amz-trailer") {
            let trailer = trailer.to_str().unwrap_or_default();
            for name in trailer.split(',').map(str::trim) {
                if let Some((alg, _)) = ALGORITHMS
                    .iter()
                    .find(|(_, header)| header.eq_ignore_ascii_case(name))
                {
                    algorithms.push(alg);
                }
            }
        }
        algorithms.sort_unstable();
        algorithms.dedup();
        Ok(Self { values, algorithms })
    }

    /// A hasher computing every declared algorithm.
    pub fn hasher(&self) -> ChecksumHasher {
        let mut hasher = ChecksumHasher::default();
        for algorithm in &self.algorithms {
            match *algorithm {
                "CRC32" => hasher.crc32 = Some(s3s::crypto::Crc32::new()),
                "CRC32C" => hasher.crc32c = Some(s3s::crypto::Crc32c::new()),
                "SHA1" => hasher.sha1 = Some(s3s::crypto::Sha1::new()),
                "SHA256" => hasher.sha256 = Some(s3s::crypto::Sha256::new()),
                "CRC64NVME" => hasher.crc64nvme = Some(s3s::crypto::Crc64Nvme::new()),
                _ => {}
            }
        }
        hasher
    }

    /// Compares what was computed with what the client sent (in headers, or in the trailers
    /// once the body has been read); `BadDigest` on any difference or a missing declared value.
    pub fn verify(
        &self,
        computed: ChecksumHasher,
        trailers: Option<&HeaderMap>,
    ) -> S3Result<Checksums> {
        let computed = Checksums::from_dto(computed.finalize());
        let mut sent = self.values.clone();
        if let Some(trailers) = trailers {
            for (name, header) in ALGORITHMS {
                if let Some(value) = trailers.get(header).and_then(|v| v.to_str().ok()) {
                    sent.set(name, value.trim().to_owned());
                }
            }
        }
        for name in &self.algorithms {
            match (sent.get(name), computed.get(name)) {
                (Some(sent), Some(computed)) if sent == computed => {}
                (None, Some(_)) if self.values.get(name).is_none() && trailers.is_none() => {
                    // Declared by x-amz-sdk-checksum-algorithm only, with no value anywhere:
                    // S3 computes and stores the checksum itself.
                }
                _ => {
                    return Err(s3_error!(
                        BadDigest,
                        "The {} you specified did not match the calculated checksum.",
                        name
                    ))
                }
            }
        }
        Ok(computed)
    }
}

/// The composite checksum of a multipart object: the checksum of the concatenated binary part
/// checksums, base64, then `-<number of parts>`. `None` unless every part has one.
pub fn composite(algorithm: &str, parts: &[Option<&String>]) -> Option<String> {
    let mut raw = Vec::new();
    for part in parts {
        raw.extend(STANDARD.decode((*part)?).ok()?);
    }
    let digest = match algorithm {
        "CRC32" => s3s::crypto::Crc32::checksum(&raw).as_ref().to_vec(),
        "CRC32C" => s3s::crypto::Crc32c::checksum(&raw).as_ref().to_vec(),
        "SHA1" => s3s::crypto::Sha1::checksum(&raw).as_ref().to_vec(),
        "SHA256" => s3s::crypto::Sha256::checksum(&raw).as_ref().to_vec(),
        _ => return None,
    };
    Some(format!("{}-{}", STANDARD.encode(digest), parts.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn computed(algs: &[&'static str], data: &[u8]) -> (Expected, ChecksumHasher) {
        let expected = Expected {
            values: Checksums::default(),
            algorithms: algs.to_vec(),
        };
        let mut hasher = expected.hasher();
        hasher.update(data);
        (expected, hasher)
    }

    #[test]
    fn known_vectors() {
        // CRC32("hello world") = 0x0d4a1185, CRC32C = 0xc99465aa.
        let (expected, hasher) = computed(&["CRC32", "CRC32C", "SHA256"], b"hello world");
        let mut trailers = HeaderMap::new();
        trailers.insert(
            "x-amz-checksum-crc32",
            STANDARD
                .encode([0x0d, 0x4a, 0x11, 0x85])
                .parse()
                .expect("ascii"),
        );
        trailers.insert(
            "x-amz-checksum-crc32c",
            STANDARD
                .encode([0xc9, 0x94, 0x65, 0xaa])
                .parse()
                .expect("ascii"),
        );
        trailers.insert(
            "x-amz-checksum-sha256",
            "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="
                .parse()
                .expect("ascii"),
        );
        let sums = expected.verify(hasher, Some(&trailers)).expect("matches");
        assert_eq!(sums.crc32.as_deref(), Some("DUoRhQ=="));
    }

    #[test]
    fn a_wrong_or_missing_value_is_bad_digest() {
        let (expected, hasher) = computed(&["CRC32"], b"hello world");
        let mut trailers = HeaderMap::new();
        trailers.insert("x-amz-checksum-crc32", "AAAAAA==".parse().expect("ascii"));
        let err = expected
            .verify(hasher, Some(&trailers))
            .expect_err("mismatch");
        assert_eq!(err.code(), &s3s::S3ErrorCode::BadDigest);

        let (expected, hasher) = computed(&["CRC32"], b"x");
        let err = expected
            .verify(hasher, Some(&HeaderMap::new()))
            .expect_err("declared trailer missing");
        assert_eq!(err.code(), &s3s::S3ErrorCode::BadDigest);
    }

    #[test]
    fn declaration_reads_trailer_and_algorithm_headers() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-amz-trailer",
            "x-amz-checksum-crc32c".parse().expect("ascii"),
        );
        let declared =
            Expected::declare(Checksums::default(), Some("sha256"), &headers).expect("valid");
        assert_eq!(declared.algorithms, vec!["CRC32C", "SHA256"]);
        assert!(Expected::declare(Checksums::default(), Some("MD4"), &HeaderMap::new()).is_err());
    }

    #[test]
    fn composite_checksums() {
        let a = STANDARD.encode([0, 0, 0, 1]);
        let b = STANDARD.encode([0, 0, 0, 2]);
        let value = composite("CRC32", &[Some(&a), Some(&b)]).expect("all parts have one");
        assert!(value.ends_with("-2"));
        let raw = s3s::crypto::Crc32::checksum(&[0, 0, 0, 1, 0, 0, 0, 2]);
        assert_eq!(value, format!("{}-2", STANDARD.encode(raw.as_ref())));
        assert_eq!(composite("CRC32", &[Some(&a), None]), None);
    }
}
