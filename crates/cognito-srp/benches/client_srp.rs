//! The client's SRP work per sign-in — A = g^a, the session key, the claim signature — on the
//! challenge of generated vector U1; and, for comparison, the server's work for the same
//! sign-in.
//!
//! Two client figures:
//! - **warm**: criterion, many sign-ins in one process (the precomputed tables already built);
//! - **cold**: the first sign-in of a fresh process, which is what a one-shot `coffer` command
//!   pays. The bench re-runs its own executable once per sample, each child timing a single
//!   sign-in, and prints the median.
//!
//! Each comes with a fresh 48-byte a (what `ClientEphemeral::generate` draws) and with U1's own
//! 128-byte a (what the AWS SDKs and pycognito draw; `benches/pycognito_srp.py` times the
//! latter). Correctness is checked before timing: U1's exact signature, and a server holding
//! U1's b and verifier accepting a generated client's claim.
//!
//! `cargo bench -p cognito-srp --bench client_srp -- --warm-up-time 1 --measurement-time 5`

use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

use cognito_srp::{ClientEphemeral, Identity, PasswordClaim, ServerEphemeral, Verifier};
use criterion::Criterion;
use rand_core::OsRng;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Set (to a [`PrivateValue`] name) in the children that time one cold sign-in.
const COLD_CHILD_ENV: &str = "COGNITO_SRP_BENCH_COLD_CHILD";
/// Fresh processes per cold figure.
const COLD_SAMPLES: usize = 31;

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

/// Which a a sign-in uses.
#[derive(Clone, Copy)]
enum PrivateValue {
    /// `ClientEphemeral::generate`: 48 fresh random bytes.
    Generated,
    /// U1's own 128 bytes.
    U1,
}

impl PrivateValue {
    const ALL: [Self; 2] = [Self::Generated, Self::U1];

    fn name(self) -> &'static str {
        match self {
            Self::Generated => "generated_48_byte_a",
            Self::U1 => "U1_128_byte_a",
        }
    }

    fn from_name(name: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|value| value.name() == name)
            .expect("a known private value name")
    }
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

    /// Everything a client computes for one USER_SRP_AUTH sign-in; returns SRP_A and the claim.
    fn client_sign_in(&self, private: PrivateValue) -> (String, PasswordClaim) {
        let ephemeral = match private {
            PrivateValue::Generated => ClientEphemeral::generate(&mut OsRng),
            PrivateValue::U1 => ClientEphemeral::from_private_bytes(&self.a).expect("U1's a"),
        };
        let srp_a = ephemeral.srp_a_hex(); // sent in InitiateAuth
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
        (srp_a, claim)
    }

    /// The server of U1: its verifier and b, which give U1's SRP_B.
    fn server(&self) -> (Verifier, ServerEphemeral) {
        let salt = hex::decode(&self.salt_hex).expect("SALT hex");
        let verifier = Verifier::new(self.id(), &self.password, &salt);
        let server = ServerEphemeral::from_private_bytes(&verifier, &self.b).expect("U1's b");
        assert_eq!(server.srp_b_hex(), self.srp_b_hex, "U1's SRP_B");
        (verifier, server)
    }

    /// Fails loudly unless both kinds of sign-in produce claims U1's server accepts.
    fn check(&self) {
        let (_, claim) = self.client_sign_in(PrivateValue::U1);
        assert_eq!(claim.signature_b64, self.signature, "U1 signature");
        let (verifier, server) = self.server();
        let (srp_a, claim) = self.client_sign_in(PrivateValue::Generated);
        let key = server.session_key(&verifier, &srp_a).expect("server key");
        key.verify(
            self.id(),
            &self.secret_block,
            &claim.timestamp,
            &claim.signature_b64,
        )
        .expect("U1's server accepts a generated client's claim");
    }
}

/// In a child: time this process's first sign-in and print it in nanoseconds.
fn cold_child(private: PrivateValue) {
    let u1 = U1::load();
    let started = Instant::now();
    let signed_in = u1.client_sign_in(private);
    let elapsed = started.elapsed();
    black_box(signed_in);
    println!("{}", elapsed.as_nanos());
}

/// The median (and range) of `COLD_SAMPLES` first sign-ins, each in a fresh process.
fn cold_sign_ins(private: PrivateValue) {
    let exe = std::env::current_exe().expect("bench executable path");
    let mut samples: Vec<Duration> = (0..COLD_SAMPLES)
        .map(|_| {
            let output = Command::new(&exe)
                .env(COLD_CHILD_ENV, private.name())
                .output()
                .expect("cold child runs");
            assert!(output.status.success(), "cold child failed");
            let nanos = String::from_utf8(output.stdout).expect("UTF-8");
            Duration::from_nanos(nanos.trim().parse().expect("nanoseconds"))
        })
        .collect();
    samples.sort();
    println!(
        "client_srp/cold_sign_in_{}: median {:.3} ms (min {:.3}, max {:.3}) over {COLD_SAMPLES} fresh processes",
        private.name(),
        samples[COLD_SAMPLES / 2].as_secs_f64() * 1e3,
        samples[0].as_secs_f64() * 1e3,
        samples[COLD_SAMPLES - 1].as_secs_f64() * 1e3,
    );
}

fn main() {
    if let Ok(name) = std::env::var(COLD_CHILD_ENV) {
        cold_child(PrivateValue::from_name(&name));
        return;
    }
    let u1 = U1::load();
    u1.check();

    for private in PrivateValue::ALL {
        cold_sign_ins(private);
    }

    let mut criterion = Criterion::default().configure_from_args();
    for private in PrivateValue::ALL {
        criterion.bench_function(&format!("client_srp/sign_in_{}", private.name()), |bench| {
            bench.iter(|| black_box(u1.client_sign_in(private)))
        });
    }

    let (verifier, _) = u1.server();
    let client = ClientEphemeral::from_private_bytes(&u1.a).expect("U1's a");
    criterion.bench_function("server_srp/verify_U1", |bench| {
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
