//! Every vector of `tests/data/cognito-srp-vectors.json`, client side and server side.
//!
//! Each test walks one section of the file, collects every mismatch under its vector's id, and
//! fails once at the end listing them all.

use std::fmt::Debug;

use cognito_srp::__internals as internals;
use cognito_srp::{
    device_verifier_config, pool_name, secret_hash, timestamp, ClientEphemeral, Identity,
    ServerEphemeral, SrpError, Verifier,
};
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/cognito-srp-vectors.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).expect("vectors file is JSON")
}

/// Mismatches found so far, each prefixed with its vector id.
#[derive(Default)]
struct Report {
    failures: Vec<String>,
    checks: usize,
}

impl Report {
    fn eq<T: PartialEq + Debug>(&mut self, id: &str, what: &str, got: T, want: T) {
        self.checks += 1;
        if got != want {
            self.failures
                .push(format!("{id}: {what}: got {got:?}, want {want:?}"));
        }
    }

    fn ok<T, E: Debug>(&mut self, id: &str, what: &str, result: Result<T, E>) -> Option<T> {
        self.checks += 1;
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.failures.push(format!("{id}: {what}: error {e:?}"));
                None
            }
        }
    }

    fn finish(self, section: &str, minimum_checks: usize) {
        assert!(
            self.failures.is_empty(),
            "{section}: {} failure(s):\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
        assert!(
            self.checks >= minimum_checks,
            "{section}: only {} checks ran (expected at least {minimum_checks})",
            self.checks
        );
    }
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("vector field {key:?} missing or not a string in {v:.200}"))
}

fn opt<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Hex integer, normalised: lowercase, no leading zeros ("0" for zero).
fn norm(hex: &str) -> String {
    let trimmed = hex.trim_start_matches('0').to_ascii_lowercase();
    if trimmed.is_empty() {
        "0".to_owned()
    } else {
        trimmed
    }
}

fn bytes(hex: &str) -> Vec<u8> {
    let even = if hex.len() % 2 == 1 {
        format!("0{hex}")
    } else {
        hex.to_owned()
    };
    (0..even.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&even[i..i + 2], 16).expect("hex in vector file"))
        .collect()
}

fn key_hex(key: &cognito_srp::SessionKey) -> String {
    key.as_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

fn b64(data: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// Decimal string → normalised hex, by schoolbook base conversion.
fn decimal_to_hex(decimal: &str) -> String {
    let mut limbs: Vec<u32> = vec![0]; // little-endian base 2^32
    for digit in decimal.bytes() {
        assert!(digit.is_ascii_digit(), "decimal in vector file");
        let mut carry = u64::from(digit - b'0');
        for limb in limbs.iter_mut() {
            let v = u64::from(*limb) * 10 + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            limbs.push(carry as u32);
        }
    }
    norm(
        &limbs
            .iter()
            .rev()
            .map(|l| format!("{l:08x}"))
            .collect::<String>(),
    )
}

fn user<'a>(inputs: &'a Value) -> Identity<'a> {
    match opt(inputs, "pool_name_plus_user_id") {
        // Soto passes the two pre-concatenated: only the concatenation matters.
        Some(both) => Identity::User {
            pool_name: both,
            user_id_for_srp: "",
        },
        None => Identity::User {
            pool_name: s(inputs, "pool_name"),
            user_id_for_srp: opt(inputs, "user_id_for_srp")
                .unwrap_or_else(|| s(inputs, "username")),
        },
    }
}

fn device<'a>(inputs: &'a Value) -> Identity<'a> {
    Identity::Device {
        device_group_key: s(inputs, "device_group_key"),
        device_key: s(inputs, "device_key"),
    }
}

fn private_a(inputs: &Value) -> Vec<u8> {
    match opt(inputs, "a_hex") {
        Some(hex) => bytes(hex),
        None => {
            let decimal = inputs["a_decimal"].as_u64().expect("a_hex or a_decimal");
            decimal.to_be_bytes().to_vec()
        }
    }
}

/// The expected values of a published vector, wherever the file nests them.
fn expected(vector: &Value) -> serde_json::Map<String, Value> {
    let mut all = vector["expected"].as_object().cloned().unwrap_or_default();
    if let Some(derived) = all.remove("derived_by_ref_impl") {
        all.extend(derived.as_object().cloned().unwrap_or_default());
    }
    all
}

/// The client's whole run for one challenge: A, u, S, key, and (with a secret block) the
/// signature through `password_claim`, verified back with the key as a server would.
struct ClientRun<'a> {
    id_label: &'a str,
    identity: Identity<'a>,
    password: &'a str,
    a: Vec<u8>,
    salt_hex: &'a str,
    srp_b_hex: &'a str,
    claim: Option<(&'a str, &'a str)>, // (SECRET_BLOCK, TIMESTAMP)
}

impl ClientRun<'_> {
    fn check(&self, r: &mut Report, want: &serde_json::Map<String, Value>) {
        let id = self.id_label;
        let want_str = |key: &str| want.get(key).and_then(Value::as_str);
        let Some(client) = r.ok(
            id,
            "from_private_bytes",
            ClientEphemeral::from_private_bytes(&self.a),
        ) else {
            return;
        };
        if let Some(a) = want_str("SRP_A") {
            r.eq(id, "SRP_A", client.srp_a_hex(), norm(a));
        }
        if let Some(a) = want_str("SRP_A_decimal") {
            r.eq(id, "SRP_A (decimal)", client.srp_a_hex(), decimal_to_hex(a));
        }
        let intermediate = internals::client_scramble_and_premaster_hex(
            &client,
            self.identity,
            self.password,
            self.salt_hex,
            self.srp_b_hex,
        );
        if let Some((u, premaster)) = r.ok(id, "u and S", intermediate) {
            if let Some(want_u) = want_str("u_hex") {
                r.eq(id, "u", u.clone(), norm(want_u));
            }
            if let Some(want_pad_u) = want_str("pad_u_hex") {
                r.eq(
                    id,
                    "pad(u)",
                    internals::pad_hex(&u).unwrap(),
                    want_pad_u.to_owned(),
                );
            }
            if let Some(want_s) = want_str("S_hex") {
                r.eq(id, "S", premaster.clone(), norm(want_s));
            }
            if let Some(want_pad_s) = want_str("pad_S_hex") {
                r.eq(
                    id,
                    "pad(S)",
                    internals::pad_hex(&premaster).unwrap(),
                    want_pad_s.to_owned(),
                );
                // The HKDF step alone, from the published ikm and salt.
                if let (Some(key), Some(want_key)) = (
                    r.ok(id, "hkdf", internals::session_key_from_hex(&u, &premaster)),
                    want_str("hkdf_key_hex"),
                ) {
                    r.eq(id, "hkdf alone", key_hex(&key), want_key.to_owned());
                }
            }
        }
        if let Some(want_x) = want_str("x_hex") {
            let x = internals::private_key_x_hex(self.identity, self.password, self.salt_hex);
            r.eq(id, "x", x, Ok(norm(want_x)));
        }
        if let Some(want_hash) = want_str("password_hash_hex") {
            let hash = internals::password_hash_bytes(self.identity, self.password);
            r.eq(id, "password hash", hash.to_vec(), bytes(want_hash));
        }
        let key = client.session_key(self.identity, self.password, self.salt_hex, self.srp_b_hex);
        let Some(key) = r.ok(id, "session_key", key) else {
            return;
        };
        if let Some(want_key) = want_str("hkdf_key_hex") {
            r.eq(id, "key", key_hex(&key), want_key.to_owned());
        }
        if let Some(want_key) = want_str("hkdf_key_base64") {
            r.eq(id, "key (base64)", b64(key.as_bytes()), want_key.to_owned());
        }
        if let Some((secret_block, stamp)) = self.claim {
            let want_signature = want_str("PASSWORD_CLAIM_SIGNATURE").expect("signature vector");
            r.eq(
                id,
                "sign",
                key.sign(self.identity, secret_block, stamp),
                Ok(want_signature.to_owned()),
            );
            r.eq(
                id,
                "verify",
                key.verify(self.identity, secret_block, stamp, want_signature),
                Ok(()),
            );
            if let Some(now) = r.ok(id, "parse TIMESTAMP", timestamp::parse(stamp)) {
                let claim = client.password_claim(
                    self.identity,
                    self.password,
                    self.salt_hex,
                    self.srp_b_hex,
                    secret_block,
                    now,
                );
                if let Some(claim) = r.ok(id, "password_claim", claim) {
                    r.eq(
                        id,
                        "claim signature",
                        claim.signature_b64.as_str(),
                        want_signature,
                    );
                    r.eq(id, "claim timestamp", claim.timestamp.as_str(), stamp);
                }
            }
        }
    }
}

#[test]
fn constants() {
    let v = vectors();
    let c = &v["constants"];
    let mut r = Report::default();
    r.eq(
        "constants",
        "N",
        internals::modulus_hex(),
        norm(s(c, "N_hex")),
    );
    r.eq(
        "constants",
        "g",
        internals::generator(),
        c["g"].as_u64().unwrap(),
    );
    r.eq(
        "constants",
        "k",
        internals::multiplier_hex(),
        norm(s(c, "k_hex")),
    );
    r.eq(
        "constants",
        "k (decimal)",
        internals::multiplier_hex(),
        decimal_to_hex(s(c, "k_decimal")),
    );
    r.finish("constants", 4);
}

#[test]
fn published_vectors() {
    let v = vectors();
    let list = v["published_vectors"]
        .as_array()
        .expect("published_vectors");
    let mut r = Report::default();
    for vector in list {
        let id = s(vector, "id");
        let inputs = &vector["inputs"];
        let want = expected(vector);
        let want_str = |key: &str| {
            want.get(key)
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("{id}: expected.{key}"))
        };
        match s(vector, "kind") {
            "user_srp_signature" | "hkdf_key" | "device_srp_signature" => {
                let is_device = s(vector, "kind") == "device_srp_signature";
                ClientRun {
                    id_label: id,
                    identity: if is_device {
                        device(inputs)
                    } else {
                        user(inputs)
                    },
                    password: opt(inputs, "device_password")
                        .unwrap_or_else(|| s(inputs, "password")),
                    a: private_a(inputs),
                    salt_hex: opt(inputs, "SALT_effective_hex")
                        .unwrap_or_else(|| s(inputs, "SALT")),
                    srp_b_hex: s(inputs, "SRP_B"),
                    claim: opt(inputs, "SECRET_BLOCK").map(|block| (block, s(inputs, "TIMESTAMP"))),
                }
                .check(&mut r, &want);
                if let Some(time) = opt(inputs, "time") {
                    let t = OffsetDateTime::parse(time, &Rfc3339).expect("RFC 3339 in vector file");
                    r.eq(
                        id,
                        "timestamp::format",
                        timestamp::format(t),
                        s(inputs, "TIMESTAMP").to_owned(),
                    );
                }
            }
            "inner_hash" => {
                let hash = internals::password_hash_bytes(device(inputs), s(inputs, "password"));
                r.eq(id, "hash", b64(&hash), want_str("hash_base64").to_owned());
            }
            "compute_A" => {
                let a = ClientEphemeral::from_private_bytes(&bytes(s(inputs, "a_hex")));
                r.eq(
                    id,
                    "SRP_A",
                    a.map(|a| a.srp_a_hex()),
                    Ok(norm(want_str("SRP_A"))),
                );
            }
            "compute_u" => {
                let u = internals::scramble_hex(s(inputs, "A_hex"), s(inputs, "B_hex"));
                r.eq(id, "u", u.clone(), Ok(norm(want_str("u_hex"))));
                r.eq(
                    id,
                    "u (decimal)",
                    u,
                    Ok(decimal_to_hex(want_str("u_decimal"))),
                );
            }
            "constant_k" => {
                r.eq(
                    id,
                    "k",
                    internals::multiplier_hex(),
                    norm(want_str("k_hex")),
                );
                r.eq(
                    id,
                    "k (decimal)",
                    internals::multiplier_hex(),
                    decimal_to_hex(want_str("k_decimal")),
                );
            }
            "verifier" => {
                let identity = user(inputs);
                let password = s(inputs, "password");
                let verifier = Verifier::new(identity, password, &bytes(s(inputs, "salt_hex")));
                r.eq(
                    id,
                    "v",
                    internals::verifier_hex(&verifier),
                    norm(want_str("verifier_hex_384_bytes")),
                );
                r.eq(
                    id,
                    "matches_password",
                    verifier.matches_password(identity, password),
                    true,
                );
                r.eq(
                    id,
                    "matches wrong password",
                    verifier.matches_password(identity, "pass124"),
                    false,
                );
            }
            "server_B" | "server_key" => {
                let Some(verifier) = r.ok(
                    id,
                    "verifier",
                    Verifier::from_parts(&[], &bytes(s(inputs, "verifier_hex"))),
                ) else {
                    continue;
                };
                let Some(server) = r.ok(
                    id,
                    "server ephemeral",
                    ServerEphemeral::from_private_bytes(&verifier, &bytes(s(inputs, "b_hex"))),
                ) else {
                    continue;
                };
                if let Some(want_b) = want.get("SRP_B_hex_384_bytes").and_then(Value::as_str) {
                    r.eq(id, "SRP_B", server.srp_b_hex(), norm(want_b));
                }
                if let Some(a) = opt(inputs, "A_hex") {
                    let key = server.session_key(&verifier, a).map(|k| key_hex(&k));
                    r.eq(
                        id,
                        "server key",
                        key,
                        Ok(want_str("hkdf_key_hex").to_owned()),
                    );
                }
            }
            other => r.failures.push(format!("{id}: unknown kind {other:?}")),
        }
    }
    r.eq("published_vectors", "count", list.len(), 14);
    r.finish("published_vectors", 60);
}

#[test]
fn secret_hash_vectors() {
    let v = vectors();
    let list = v["secret_hash_vectors"]
        .as_array()
        .expect("secret_hash_vectors");
    let mut r = Report::default();
    for vector in list {
        let label = format!("secret_hash({})", s(vector, "username"));
        let got = secret_hash(
            s(vector, "client_secret"),
            s(vector, "username"),
            s(vector, "client_id"),
        );
        r.eq(
            &label,
            "SECRET_HASH",
            got,
            s(vector, "SECRET_HASH").to_owned(),
        );
    }
    r.finish("secret_hash_vectors", 4);
}

/// The server's half of a generated vector: B from (v, b), then the key from the client's A
/// must equal the client's and accept the client's signature.
fn check_server_side(
    r: &mut Report,
    id: &str,
    identity: Identity<'_>,
    verifier: &Verifier,
    vector: &Value,
) {
    let want = &vector["expected"];
    r.eq(
        id,
        "v",
        internals::verifier_hex(verifier),
        norm(s(vector, "verifier_hex")),
    );
    r.eq(
        id,
        "SALT",
        verifier.salt_hex(),
        s(vector, "SALT").to_owned(),
    );
    let Some(server) = r.ok(
        id,
        "server ephemeral",
        ServerEphemeral::from_private_bytes(verifier, &bytes(s(vector, "b_hex"))),
    ) else {
        return;
    };
    r.eq(id, "SRP_B", server.srp_b_hex(), norm(s(vector, "SRP_B")));
    let srp_a = s(want, "SRP_A");
    let intermediate = internals::server_scramble_and_premaster_hex(&server, verifier, srp_a);
    r.eq(
        id,
        "server u and S",
        intermediate,
        Ok((norm(s(want, "u_hex")), norm(s(want, "S_hex")))),
    );
    if let Some(key) = r.ok(id, "server key", server.session_key(verifier, srp_a)) {
        r.eq(
            id,
            "server key",
            key_hex(&key),
            s(want, "hkdf_key_hex").to_owned(),
        );
        let signature = s(want, "PASSWORD_CLAIM_SIGNATURE");
        let (block, stamp) = (s(vector, "SECRET_BLOCK"), s(vector, "TIMESTAMP"));
        r.eq(
            id,
            "server verifies claim",
            key.verify(identity, block, stamp, signature),
            Ok(()),
        );
        r.eq(
            id,
            "server refuses the claim at another time",
            key.verify(identity, block, &stamp.replace(":0", ":1"), signature),
            Err(SrpError::BadSignature),
        );
    }
    // A server may keep b and v between InitiateAuth and RespondToAuthChallenge.
    let stored = Verifier::from_bytes(&verifier.to_bytes());
    if let Some(stored) = r.ok(id, "verifier storage round trip", stored) {
        r.eq(
            id,
            "stored v",
            internals::verifier_hex(&stored),
            internals::verifier_hex(verifier),
        );
        let resumed = ServerEphemeral::from_bytes(&stored, &server.to_bytes());
        r.eq(
            id,
            "ephemeral storage round trip",
            resumed.map(|e| e.srp_b_hex()),
            Ok(server.srp_b_hex()),
        );
    }
}

#[test]
fn generated_user_vectors() {
    let v = vectors();
    let list = v["generated_vectors"]["user"]
        .as_array()
        .expect("generated user vectors");
    let mut r = Report::default();
    for vector in list {
        let id = s(vector, "id");
        r.eq(
            id,
            "pool_name",
            pool_name(s(vector, "pool_id")),
            Ok(s(vector, "pool_name")),
        );
        let identity = Identity::User {
            pool_name: s(vector, "pool_name"),
            user_id_for_srp: s(vector, "user_id_for_srp"),
        };
        let password = s(vector, "password");
        let want = vector["expected"].as_object().expect("expected").clone();
        ClientRun {
            id_label: id,
            identity,
            password,
            a: bytes(s(vector, "a_hex")),
            salt_hex: s(vector, "SALT"),
            srp_b_hex: s(vector, "SRP_B"),
            claim: Some((s(vector, "SECRET_BLOCK"), s(vector, "TIMESTAMP"))),
        }
        .check(&mut r, &want);
        let now = OffsetDateTime::parse(s(vector, "timestamp_utc"), &Rfc3339).expect("RFC 3339");
        r.eq(
            id,
            "TIMESTAMP",
            timestamp::format(now),
            s(vector, "TIMESTAMP").to_owned(),
        );

        let verifier = Verifier::new(identity, password, &bytes(s(vector, "SALT")));
        check_server_side(&mut r, id, identity, &verifier, vector);
        r.eq(
            id,
            "matches_password",
            verifier.matches_password(identity, password),
            true,
        );

        if let Some(client_secret) = opt(vector, "client_secret") {
            let client_id = s(vector, "client_id");
            let initiate = secret_hash(client_secret, s(vector, "username"), client_id);
            r.eq(
                id,
                "SECRET_HASH (InitiateAuth)",
                initiate.as_str(),
                s(&vector["expected"], "SECRET_HASH_initiate"),
            );
            let respond = secret_hash(client_secret, s(vector, "user_id_for_srp"), client_id);
            r.eq(
                id,
                "SECRET_HASH (RespondToAuthChallenge)",
                respond.as_str(),
                s(&vector["expected"], "SECRET_HASH_respond"),
            );
        }
    }
    r.eq("generated user", "count", list.len(), 2);
    r.finish("generated user vectors", 40);
}

/// A client with a freshly generated (48-byte) a signs in to the server state of every
/// generated user vector — the same SALT, b and SRP_B that pycognito and
/// amazon-cognito-identity-js agree on with their 128-byte a.
#[test]
fn generated_client_signs_in_to_every_vector_server() {
    let v = vectors();
    let list = v["generated_vectors"]["user"]
        .as_array()
        .expect("generated user vectors");
    let mut r = Report::default();
    for vector in list {
        let id = s(vector, "id");
        let identity = Identity::User {
            pool_name: s(vector, "pool_name"),
            user_id_for_srp: s(vector, "user_id_for_srp"),
        };
        let password = s(vector, "password");
        let verifier = Verifier::new(identity, password, &bytes(s(vector, "SALT")));
        let b = bytes(s(vector, "b_hex"));
        let Some(server) = r.ok(
            id,
            "server",
            ServerEphemeral::from_private_bytes(&verifier, &b),
        ) else {
            continue;
        };
        r.eq(id, "SRP_B", server.srp_b_hex(), norm(s(vector, "SRP_B")));
        let client = ClientEphemeral::generate(&mut rand_core::OsRng);
        let (block, now) = (s(vector, "SECRET_BLOCK"), OffsetDateTime::now_utc());
        let claim = client.password_claim(
            identity,
            password,
            s(vector, "SALT"),
            s(vector, "SRP_B"),
            block,
            now,
        );
        let key = server.session_key(&verifier, &client.srp_a_hex());
        if let (Some(claim), Some(key)) = (r.ok(id, "claim", claim), r.ok(id, "server key", key)) {
            r.eq(
                id,
                "server verifies the generated client's claim",
                key.verify(identity, block, &claim.timestamp, &claim.signature_b64),
                Ok(()),
            );
        }
        let wrong = client.password_claim(
            identity,
            "not the password",
            s(vector, "SALT"),
            s(vector, "SRP_B"),
            block,
            now,
        );
        if let (Some(wrong), Ok(key)) = (
            r.ok(id, "wrong claim", wrong),
            server.session_key(&verifier, &client.srp_a_hex()),
        ) {
            r.eq(
                id,
                "server refuses a wrong password",
                key.verify(identity, block, &wrong.timestamp, &wrong.signature_b64),
                Err(SrpError::BadSignature),
            );
        }
    }
    r.finish("generated client against vector servers", 6);
}

#[test]
fn generated_device_vectors() {
    let v = vectors();
    let list = v["generated_vectors"]["device"]
        .as_array()
        .expect("generated device vectors");
    let mut r = Report::default();
    for vector in list {
        let id = s(vector, "id");
        let (group_key, device_key) = (s(vector, "device_group_key"), s(vector, "device_key"));
        let identity = Identity::Device {
            device_group_key: group_key,
            device_key,
        };
        let password = s(vector, "device_password");

        // ConfirmDevice: what the client registers.
        let config = device_verifier_config(
            group_key,
            device_key,
            password,
            &bytes(s(vector, "random_salt_bytes_hex")),
        );
        let confirm = &vector["confirm_device"];
        r.eq(
            id,
            "PasswordVerifier",
            config.password_verifier_b64.as_str(),
            s(confirm, "PasswordVerifier"),
        );
        r.eq(id, "Salt", config.salt_b64.as_str(), s(confirm, "Salt"));

        let want = vector["expected"].as_object().expect("expected").clone();
        ClientRun {
            id_label: id,
            identity,
            password,
            a: bytes(s(vector, "a_hex")),
            salt_hex: s(vector, "SALT"),
            srp_b_hex: s(vector, "SRP_B"),
            claim: Some((s(vector, "SECRET_BLOCK"), s(vector, "TIMESTAMP"))),
        }
        .check(&mut r, &want);

        // The server side starts from what ConfirmDevice sent.
        let verifier =
            Verifier::from_device_config(s(confirm, "PasswordVerifier"), s(confirm, "Salt"));
        if let Some(verifier) = r.ok(id, "verifier from ConfirmDevice", verifier) {
            check_server_side(&mut r, id, identity, &verifier, vector);
            r.eq(
                id,
                "matches_password",
                verifier.matches_password(identity, password),
                true,
            );
        }
    }
    r.eq("generated device", "count", list.len(), 1);
    r.finish("generated device vectors", 20);
}

#[test]
fn timestamps() {
    let v = vectors();
    let section = &v["timestamps"];
    let mut r = Report::default();
    for group in ["published", "generated_both_libraries_agree"] {
        for vector in section[group].as_array().expect("timestamp list") {
            let stamp = s(vector, "TIMESTAMP");
            let t = OffsetDateTime::parse(s(vector, "utc"), &Rfc3339).expect("RFC 3339");
            r.eq(stamp, "format", timestamp::format(t), stamp.to_owned());
            r.eq(stamp, "parse", timestamp::parse(stamp), Ok(t));
        }
    }
    r.finish("timestamps", 22);
}

#[test]
fn pad_hex_examples() {
    let v = vectors();
    let section = &v["pad_hex_examples"];
    let mut r = Report::default();
    for (integer, want) in section["int_to_hex"].as_object().expect("int_to_hex") {
        // Negative values never occur in Cognito's SRP (see the section's note).
        let Ok(n) = integer.parse::<u64>() else {
            continue;
        };
        let label = format!("pad({n})");
        r.eq(
            &label,
            "pad",
            internals::pad_hex(&format!("{n:x}")),
            Ok(want.as_str().unwrap().to_owned()),
        );
    }
    for (hex, want) in section["hexstr_to_hex"].as_object().expect("hexstr_to_hex") {
        let label = format!("pad({hex})");
        r.eq(
            &label,
            "pad",
            internals::pad_hex(hex),
            Ok(want.as_str().unwrap().to_owned()),
        );
    }
    r.finish("pad_hex_examples", 9);
}
