//! Whole exchanges through the public API: round trips, refusals, redaction.

use base64::Engine as _;
use rand_core::OsRng;
use time::macros::datetime;

use crate::group::{to_be_bytes, N};
use crate::{
    device_verifier_config, generate_device_password, generate_salt, ClientEphemeral, Identity,
    ServerEphemeral, SrpError, Verifier,
};

const USER: Identity<'static> = Identity::User {
    pool_name: "Xy7Kq2LmN",
    user_id_for_srp: "5b1c2f3e-7a4d-4e0b-9f61-2c8d3e4f5a6b",
};
const PASSWORD: &str = "correct horse battery staple";
const SECRET_BLOCK: &str = "c2VjcmV0IGJsb2NrIGZyb20gdGhlIHNlcnZlcg==";
const NOW: time::OffsetDateTime = datetime!(2026-03-03 09:05:07 UTC);

/// Hex of k·N (1 ≤ k ≤ 255), no leading zeros.
fn multiple_of_n_hex(k: u32) -> String {
    assert!((1..=255).contains(&k));
    let n = to_be_bytes(&N);
    let mut out = vec![0u8; n.len() + 1];
    let mut carry = 0u32;
    for i in (0..n.len()).rev() {
        let v = u32::from(n[i]) * k + carry;
        out[i + 1] = v as u8;
        carry = v >> 8;
    }
    out[0] = carry as u8;
    crate::encoding::integer_hex(&out)
}

struct Exchange {
    verifier: Verifier,
    server: ServerEphemeral,
    client: ClientEphemeral,
}

fn exchange(id: Identity<'_>, password: &str, salt: &[u8]) -> Exchange {
    let verifier = Verifier::new(id, password, salt);
    Exchange {
        server: ServerEphemeral::generate(&verifier, &mut OsRng),
        client: ClientEphemeral::generate(&mut OsRng),
        verifier,
    }
}

impl Exchange {
    /// The client's claim with `password`, checked by the server as Cognito would.
    fn sign_in(&self, id: Identity<'_>, password: &str) -> Result<(), SrpError> {
        let claim = self.client.password_claim(
            id,
            password,
            &self.verifier.salt_hex(),
            &self.server.srp_b_hex(),
            SECRET_BLOCK,
            NOW,
        )?;
        let key = self
            .server
            .session_key(&self.verifier, &self.client.srp_a_hex())?;
        key.verify(id, SECRET_BLOCK, &claim.timestamp, &claim.signature_b64)
    }
}

#[test]
fn random_user_round_trip_agrees_on_the_key() {
    let salt = generate_salt(&mut OsRng);
    let run = exchange(USER, PASSWORD, &salt);
    let client_key = run
        .client
        .session_key(
            USER,
            PASSWORD,
            &run.verifier.salt_hex(),
            &run.server.srp_b_hex(),
        )
        .unwrap();
    let server_key = run
        .server
        .session_key(&run.verifier, &run.client.srp_a_hex())
        .unwrap();
    assert_eq!(client_key.as_bytes(), server_key.as_bytes());
    assert_eq!(run.sign_in(USER, PASSWORD), Ok(()));
}

#[test]
fn random_device_round_trip_through_confirm_device() {
    let (group_key, device_key) = (
        "-FDRunwQv",
        "us-east-1_627477ae-3631-4248-bed9-d2e934100372",
    );
    let device = Identity::Device {
        device_group_key: group_key,
        device_key,
    };
    let password = generate_device_password(&mut OsRng);
    let config =
        device_verifier_config(group_key, device_key, &password, &generate_salt(&mut OsRng));
    let verifier =
        Verifier::from_device_config(&config.password_verifier_b64, &config.salt_b64).unwrap();
    let run = Exchange {
        server: ServerEphemeral::generate(&verifier, &mut OsRng),
        client: ClientEphemeral::generate(&mut OsRng),
        verifier,
    };
    assert_eq!(run.sign_in(device, &password), Ok(()));
    assert_eq!(
        run.sign_in(device, "not the device password"),
        Err(SrpError::BadSignature)
    );
}

#[test]
fn salts_with_leading_zero_bytes_or_top_bit_set_round_trip() {
    for salt in [&[0u8, 0, 0x12, 0x34][..], &[0x80; 16], &[0u8; 16], &[0xff]] {
        let run = exchange(USER, PASSWORD, salt);
        assert_eq!(
            run.verifier.salt_hex(),
            hex::encode(salt),
            "SALT keeps the stored bytes"
        );
        assert_eq!(run.sign_in(USER, PASSWORD), Ok(()), "salt {salt:02x?}");
    }
}

#[test]
fn wrong_password_or_identity_gives_bad_signature() {
    let run = exchange(USER, PASSWORD, &generate_salt(&mut OsRng));
    assert_eq!(
        run.sign_in(USER, "correct horse battery stapler"),
        Err(SrpError::BadSignature)
    );
    let other_user = Identity::User {
        pool_name: "Xy7Kq2LmN",
        user_id_for_srp: "someone-else",
    };
    assert_eq!(
        run.sign_in(other_user, PASSWORD),
        Err(SrpError::BadSignature)
    );
}

#[test]
fn tampered_claims_give_bad_signature() {
    let run = exchange(USER, PASSWORD, &generate_salt(&mut OsRng));
    let claim = run
        .client
        .password_claim(
            USER,
            PASSWORD,
            &run.verifier.salt_hex(),
            &run.server.srp_b_hex(),
            SECRET_BLOCK,
            NOW,
        )
        .unwrap();
    let key = run
        .server
        .session_key(&run.verifier, &run.client.srp_a_hex())
        .unwrap();
    assert_eq!(
        key.verify(USER, SECRET_BLOCK, &claim.timestamp, &claim.signature_b64),
        Ok(())
    );

    let later = crate::timestamp::format(NOW + time::Duration::seconds(1));
    assert_eq!(
        key.verify(USER, SECRET_BLOCK, &later, &claim.signature_b64),
        Err(SrpError::BadSignature)
    );
    let other_block = base64::engine::general_purpose::STANDARD.encode(b"another secret block");
    assert_eq!(
        key.verify(USER, &other_block, &claim.timestamp, &claim.signature_b64),
        Err(SrpError::BadSignature)
    );
    let mut flipped = base64::engine::general_purpose::STANDARD
        .decode(&claim.signature_b64)
        .unwrap();
    flipped[0] ^= 1;
    let flipped = base64::engine::general_purpose::STANDARD.encode(flipped);
    assert_eq!(
        key.verify(USER, SECRET_BLOCK, &claim.timestamp, &flipped),
        Err(SrpError::BadSignature)
    );
    let truncated = &claim.signature_b64[..20];
    assert_eq!(
        key.verify(USER, SECRET_BLOCK, &claim.timestamp, truncated),
        Err(SrpError::BadSignature)
    );
    assert_eq!(
        key.verify(USER, SECRET_BLOCK, &claim.timestamp, "not base64!"),
        Err(SrpError::BadSignature)
    );
    assert_eq!(
        key.verify(USER, "not base64!", &claim.timestamp, &claim.signature_b64),
        Err(SrpError::InvalidBase64)
    );
}

#[test]
fn client_refuses_b_congruent_to_zero() {
    let client = ClientEphemeral::generate(&mut OsRng);
    let zeros = ["0".to_owned(), "000".to_owned()];
    let multiples = [1, 2, 3, 255].map(multiple_of_n_hex);
    for b in zeros.iter().chain(&multiples) {
        assert_eq!(
            client.session_key(USER, PASSWORD, "abcd", b).err(),
            Some(SrpError::IllegalPublicValue),
            "B = {b:.20}…"
        );
        assert_eq!(
            client
                .password_claim(USER, PASSWORD, "abcd", b, SECRET_BLOCK, NOW)
                .err(),
            Some(SrpError::IllegalPublicValue)
        );
    }
    // B = 2N + 1 is fine: it is reduced mod N, as every SDK does. (2N ends in ...fe.)
    let mut two_n_plus_1 = multiple_of_n_hex(2);
    assert_eq!(two_n_plus_1.pop(), Some('e'));
    two_n_plus_1.push('f');
    assert!(client
        .session_key(USER, PASSWORD, "abcd", &two_n_plus_1)
        .is_ok());
}

#[test]
fn server_refuses_a_congruent_to_zero() {
    let verifier = Verifier::new(USER, PASSWORD, &generate_salt(&mut OsRng));
    let server = ServerEphemeral::generate(&verifier, &mut OsRng);
    let zeros = ["0".to_owned(), "00".to_owned()];
    let multiples = [1, 2, 7].map(multiple_of_n_hex);
    for a in zeros.iter().chain(&multiples) {
        assert_eq!(
            server.session_key(&verifier, a).err(),
            Some(SrpError::IllegalPublicValue),
            "A = {a:.20}…"
        );
    }
}

#[test]
fn malformed_wire_values_are_typed_errors() {
    let client = ClientEphemeral::generate(&mut OsRng);
    let b = "abcdef";
    assert_eq!(
        client.session_key(USER, PASSWORD, "zz", b).err(),
        Some(SrpError::InvalidHex)
    );
    assert_eq!(
        client.session_key(USER, PASSWORD, "ab", "").err(),
        Some(SrpError::InvalidHex)
    );
    assert_eq!(
        client.session_key(USER, PASSWORD, "ab", "0x1234").err(),
        Some(SrpError::InvalidHex)
    );
    assert_eq!(
        ClientEphemeral::from_private_bytes(&[0; 128]).err(),
        Some(SrpError::InvalidPrivateValue)
    );
    assert_eq!(
        ClientEphemeral::from_private_bytes(&[]).err(),
        Some(SrpError::InvalidPrivateValue)
    );
}

#[test]
fn verifier_encodings_round_trip_and_refuse_garbage() {
    let verifier = Verifier::new(USER, PASSWORD, &[0, 1, 2, 3]);
    let bytes = verifier.to_bytes();
    let back = Verifier::from_bytes(&bytes).unwrap();
    assert_eq!(back.to_bytes(), bytes);
    assert!(back.matches_password(USER, PASSWORD));
    assert!(!back.matches_password(USER, "wrong"));

    let mut bad_version = bytes.clone();
    bad_version[0] = 2;
    for bad in [
        &[][..],
        &bytes[..bytes.len() - 1],
        &bad_version,
        &[1, 0, 0, 0, 9, 1, 2],
    ] {
        assert_eq!(
            Verifier::from_bytes(bad).err(),
            Some(SrpError::InvalidVerifier)
        );
    }
    let n = to_be_bytes(&N);
    assert_eq!(
        Verifier::from_parts(b"s", &[0; 8]).err(),
        Some(SrpError::InvalidVerifier)
    );
    assert_eq!(
        Verifier::from_parts(b"s", &n).err(),
        Some(SrpError::InvalidVerifier)
    );
    assert!(Verifier::from_parts(b"s", &[0, 0, 1]).is_ok());
    assert_eq!(
        Verifier::from_device_config("AJot!", "AOOh").err(),
        Some(SrpError::InvalidBase64)
    );
}

#[test]
fn server_ephemeral_survives_storage() {
    let verifier = Verifier::new(USER, PASSWORD, &generate_salt(&mut OsRng));
    let server = ServerEphemeral::generate(&verifier, &mut OsRng);
    let stored = server.to_bytes();
    assert_eq!(stored.len(), 1 + 32);
    let resumed = ServerEphemeral::from_bytes(&verifier, &stored).unwrap();
    assert_eq!(resumed.srp_b_hex(), server.srp_b_hex());
    let client = ClientEphemeral::generate(&mut OsRng);
    assert_eq!(
        resumed
            .session_key(&verifier, &client.srp_a_hex())
            .unwrap()
            .as_bytes(),
        server
            .session_key(&verifier, &client.srp_a_hex())
            .unwrap()
            .as_bytes()
    );
    assert_eq!(
        ServerEphemeral::from_bytes(&verifier, &[2, 1, 2, 3]).err(),
        Some(SrpError::InvalidPrivateValue)
    );
    assert_eq!(
        ServerEphemeral::from_bytes(&verifier, &[]).err(),
        Some(SrpError::InvalidPrivateValue)
    );
}

#[test]
fn generated_values_have_the_expected_shapes() {
    let a = ClientEphemeral::generate(&mut OsRng);
    let b = ClientEphemeral::generate(&mut OsRng);
    assert_ne!(a.srp_a_hex(), b.srp_a_hex());
    assert!(a.srp_a_hex().len() > 700 && !a.srp_a_hex().starts_with('0'));

    let password = generate_device_password(&mut OsRng);
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(&password)
        .unwrap();
    assert_eq!(decoded.len(), 40);
    assert_ne!(password, generate_device_password(&mut OsRng));
    assert_ne!(generate_salt(&mut OsRng), generate_salt(&mut OsRng));
}

/// Every 12-character window of `secret_hex`: none may show up in Debug output.
fn assert_not_leaked(debug: &str, secret_hex: &str, what: &str) {
    for window in secret_hex.as_bytes().windows(12) {
        let window = std::str::from_utf8(window).unwrap();
        assert!(!debug.contains(window), "{what} leaked into {debug:?}");
    }
}

#[test]
fn debug_output_redacts_secrets() {
    let a_bytes = [0x5au8; 128];
    let client = ClientEphemeral::from_private_bytes(&a_bytes).unwrap();
    let debug = format!("{client:?}");
    assert!(debug.contains("[redacted]"), "{debug}");
    assert_not_leaked(&debug, &hex::encode(a_bytes), "a");

    let verifier = Verifier::new(USER, PASSWORD, b"salt");
    let debug = format!("{verifier:?}");
    assert_not_leaked(&debug, &crate::__internals::verifier_hex(&verifier), "v");
    assert!(!debug.contains(PASSWORD));

    let b_bytes = [0x3cu8; 32];
    let server = ServerEphemeral::from_private_bytes(&verifier, &b_bytes).unwrap();
    assert_not_leaked(&format!("{server:?}"), &hex::encode(b_bytes), "b");

    let key = client
        .session_key(USER, PASSWORD, &verifier.salt_hex(), &server.srp_b_hex())
        .unwrap();
    let debug = format!("{key:?}");
    assert_eq!(debug, "SessionKey([redacted])");
    assert_not_leaked(&debug, &hex::encode(key.as_bytes()), "key");

    let config = device_verifier_config("g", "d", "device password", b"salt");
    let debug = format!("{config:?}");
    assert!(
        !debug.contains(&config.password_verifier_b64[..16]),
        "{debug}"
    );
}

#[test]
fn errors_have_stable_codes_and_no_values() {
    assert_eq!(SrpError::BadSignature.code(), "bad_signature");
    assert_eq!(SrpError::IllegalPublicValue.code(), "illegal_public_value");
    assert_eq!(SrpError::IllegalScramble.code(), "illegal_scramble");
    assert_eq!(SrpError::InvalidTimestamp.code(), "invalid_timestamp");
    let message = SrpError::BadSignature.to_string();
    assert!(!message.is_empty() && !message.contains(PASSWORD));
}

#[test]
fn protocol_types_can_cross_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<ClientEphemeral>();
    assert_send_sync::<ServerEphemeral>();
    assert_send_sync::<Verifier>();
    assert_send_sync::<crate::SessionKey>();
    assert_send_sync::<SrpError>();
}
