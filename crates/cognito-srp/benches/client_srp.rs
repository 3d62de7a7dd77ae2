//! The client's SRP work per sign-in — A = g^a, the session key, the claim signature — on the
//! inputs of generated vector U1; and, for comparison, the server's work for the same sign-in.
//!
//! `cargo bench -p cognito-srp -- --warm-up-time 1 --measurement-time 5`

use std::hint::black_box;
use std::time::Instant;

use cognito_srp::{ClientEphemeral, Identity, ServerEphemeral, Verifier};
use criterion::Criterion;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

struct U1 {
    pool_name: String,
    user_id_for_srp: String,
    password: String,
    a: Vec<u8>,
    b: Vec<u8>,
    salt_hex: String,
    srp_b_hex: String,
    secret_block: String,
    now: OffsetDateTime,
    signature: String,
}

impl U1 {
    fn load() -> Self {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/data/cognito-srp-vectors.json"
        );
        let all: Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("vectors file"))
                .expect("vectors JSON");
        let u1 = &all["generated_vectors"]["user"][0];
        assert_eq!(u1["id"], "U1");
        let s = |key: &str| u1[key].as_str().expect("string field").to_owned();
        let hex = |key: &str| {
            let h = s(key);
            let h = if h.len() % 2 == 1 { format!("0{h}") } else { h };
            (0..h.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&h[i..i + 2], 16).expect("hex"))
                .collect::<Vec<u8>>()
        };
        Self {
            pool_name: s("pool_name"),
            user_id_for_srp: s("user_id_for_srp"),
            password: s("password"),
            a: hex("a_hex"),
            b: hex("b_hex"),
            salt_hex: s("SALT"),
            srp_b_hex: s("SRP_B"),
            secret_block: s("SECRET_BLOCK"),
            now: OffsetDateTime::parse(&s("timestamp_utc"), &Rfc3339).expect("RFC 3339"),
            signature: u1["expected"]["PASSWORD_CLAIM_SIGNATURE"]
                .as_str()
                .expect("signature")
                .to_owned(),
        }
    }

    fn id(&self) -> Identity<'_> {
        Identity::User {
            pool_name: &self.pool_name,
            user_id_for_srp: &self.user_id_for_srp,
        }
    }

    /// Everything a client computes for one USER_SRP_AUTH sign-in.
    fn client_sign_in(&self) -> String {
        let ephemeral = ClientEphemeral::from_private_bytes(&self.a).expect("U1's a");
        let srp_a = ephemeral.srp_a_hex(); // sent in InitiateAuth
        black_box(srp_a);
        let claim = ephemeral
            .password_claim(
                self.id(),
                &self.password,
                &self.salt_hex,
                &self.srp_b_hex,
                &self.secret_block,
                self.now,
            )
            .expect("U1 claim");
        claim.signature_b64
    }
}

fn main() {
    let u1 = U1::load();
    // The first sign-in of a process also builds g's comb tables (once, then shared).
    let started = Instant::now();
    let signature = u1.client_sign_in();
    println!(
        "first client sign-in in this process (builds the comb tables): {:?}",
        started.elapsed()
    );
    assert_eq!(signature, u1.signature, "U1 signature");

    let mut criterion = Criterion::default().configure_from_args();
    criterion.bench_function("client_srp/sign_in_U1", |bench| {
        bench.iter(|| black_box(u1.client_sign_in()))
    });

    let verifier = Verifier::new(u1.id(), &u1.password, &[0xb3, 0xc4]);
    let client = ClientEphemeral::from_private_bytes(&u1.a).expect("U1's a");
    criterion.bench_function("server_srp/verify_U1_shaped", |bench| {
        bench.iter(|| {
            let server = ServerEphemeral::from_private_bytes(&verifier, &u1.b).expect("U1's b");
            let key = server
                .session_key(&verifier, &client.srp_a_hex())
                .expect("server key");
            black_box(key.sign(u1.id(), &u1.secret_block, "Tue Mar 3 09:05:07 UTC 2026"))
        })
    });
    criterion.final_summary();
}
