#!/usr/bin/env python3
"""Times pycognito's client SRP work per sign-in on the inputs of vector U1.

The same work as `client_srp.rs`: A = g^a, then `process_challenge` (u, x, S, HKDF, claim
signature), with U1's fixed `a` and a frozen clock. Prints milliseconds per sign-in.

    python3 -m venv /tmp/pyc && /tmp/pyc/bin/pip install pycognito
    /tmp/pyc/bin/python crates/cognito-srp/benches/pycognito_srp.py [iterations]
"""

import datetime
import json
import pathlib
import sys
import time

from pycognito import aws_srp

VECTORS = pathlib.Path(__file__).resolve().parents[3] / "tests/data/cognito-srp-vectors.json"


def main() -> None:
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    u1 = json.loads(VECTORS.read_text())["generated_vectors"]["user"][0]
    assert u1["id"] == "U1"

    # Freeze pycognito's clock at U1's instant (it calls datetime.datetime.utcnow()).
    frozen = datetime.datetime.fromisoformat(u1["timestamp_utc"].replace("Z", "+00:00"))

    class FrozenDatetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return frozen.replace(tzinfo=None)

    aws_srp.datetime = type("frozen_datetime_module", (), {"datetime": FrozenDatetime})

    # A stand-in client object keeps boto3 out of the measurement; no call reaches it.
    srp = aws_srp.AWSSRP(
        username=u1["username"],
        password=u1["password"],
        pool_id=u1["pool_id"],
        client_id="bench",
        client=object(),
    )
    a = int(u1["a_hex"], 16)
    challenge = {
        "USER_ID_FOR_SRP": u1["user_id_for_srp"],
        "SALT": u1["SALT"],
        "SRP_B": u1["SRP_B"],
        "SECRET_BLOCK": u1["SECRET_BLOCK"],
    }
    request = {"USERNAME": u1["username"]}

    def sign_in() -> dict:
        srp.small_a_value = a
        srp.large_a_value = srp.calculate_a()  # A = g^a mod N
        return srp.process_challenge(challenge, request)

    response = sign_in()
    assert response["PASSWORD_CLAIM_SIGNATURE"] == u1["expected"]["PASSWORD_CLAIM_SIGNATURE"]
    assert response["TIMESTAMP"] == u1["TIMESTAMP"]
    assert format(srp.large_a_value, "x") == u1["expected"]["SRP_A"]

    for _ in range(5):  # warm-up
        sign_in()
    samples = []
    for _ in range(iterations):
        started = time.perf_counter()
        sign_in()
        samples.append(time.perf_counter() - started)
    samples.sort()
    median_ms = samples[len(samples) // 2] * 1000
    mean_ms = sum(samples) / len(samples) * 1000
    print(f"pycognito {aws_srp.__name__} client sign-in (U1): "
          f"median {median_ms:.2f} ms, mean {mean_ms:.2f} ms over {iterations} runs")


if __name__ == "__main__":
    main()
