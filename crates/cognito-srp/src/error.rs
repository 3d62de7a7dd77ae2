//! The crate's one error type.

/// Everything that can go wrong in the SRP math or in parsing its wire values.
///
/// Messages describe the failure, never the values involved: no error carries secret material
/// (nor, for that matter, any input at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SrpError {
    /// A value that must be hexadecimal (SALT, SRP_A, SRP_B) is empty or has a non-hex digit.
    #[error("a value that must be hexadecimal is not")]
    InvalidHex,
    /// A value that must be standard base64 (SECRET_BLOCK, a device verifier or salt) is not.
    #[error("a value that must be base64 is not")]
    InvalidBase64,
    /// The peer's public value (SRP_A or SRP_B) is ≡ 0 mod N, or longer than 6144 bits.
    #[error("the peer's public SRP value is not acceptable (≡ 0 mod N or too long)")]
    IllegalPublicValue,
    /// The scrambling parameter u = H(pad(A) || pad(B)) is zero.
    #[error("the SRP scrambling parameter u is zero")]
    IllegalScramble,
    /// A PASSWORD_CLAIM_SIGNATURE does not match (wrong password, or tampered claim).
    #[error("the password claim signature does not match")]
    BadSignature,
    /// A TIMESTAMP is not in Cognito's `EEE MMM d HH:mm:ss UTC yyyy` form, or names no real date.
    #[error("the timestamp is not in the form `EEE MMM d HH:mm:ss UTC yyyy`")]
    InvalidTimestamp,
    /// A user pool id is not of the form `<region>_<name>`.
    #[error("the user pool id is not of the form <region>_<name>")]
    InvalidPoolId,
    /// A private ephemeral value (a or b) is empty, ≡ 0 mod (N - 1), or its public value is
    /// ≡ 0 mod N; or a stored server ephemeral cannot be decoded.
    #[error("the private SRP value is not acceptable")]
    InvalidPrivateValue,
    /// A password verifier is outside [1, N), or its stored encoding is malformed.
    #[error("the password verifier is malformed")]
    InvalidVerifier,
}

impl SrpError {
    /// A stable, machine-readable code for this error (never changes once published).
    pub fn code(&self) -> &'static str {
        match self {
            SrpError::InvalidHex => "invalid_hex",
            SrpError::InvalidBase64 => "invalid_base64",
            SrpError::IllegalPublicValue => "illegal_public_value",
            SrpError::IllegalScramble => "illegal_scramble",
            SrpError::BadSignature => "bad_signature",
            SrpError::InvalidTimestamp => "invalid_timestamp",
            SrpError::InvalidPoolId => "invalid_pool_id",
            SrpError::InvalidPrivateValue => "invalid_private_value",
            SrpError::InvalidVerifier => "invalid_verifier",
        }
    }
}
