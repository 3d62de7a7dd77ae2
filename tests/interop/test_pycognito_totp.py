"""pycognito enrols an authenticator app (TOTP) and signs in with it against the local cloud.

Through pycognito's own API: `Cognito.associate_software_token`, `verify_software_token`,
`set_user_mfa_preference`, then `authenticate` raising `SoftwareTokenMFAChallengeException` and
`respond_to_software_token_mfa_challenge` answering SOFTWARE_TOKEN_MFA. A wrong code is refused
with CodeMismatchException and the same Session can then be answered with the right code. The
challenge Session is checked the way AWS checks it (boto3 under pycognito's AWSSRP): a bogus
Session, a Session already used, and a Session answered for another user are refused with
NotAuthorizedException. TOTP codes are computed here (RFC 6238, SHA-1, 6 digits, 30 s).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from pycognito import Cognito
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import SoftwareTokenMFAChallengeException

from harness import (
    NO_RETRIES,
    PASSWORD,
    admin_create_confirmed_user,
    unique_email,
    unique_name,
)


def totp(secret_base32: str, steps_ahead: int = 0) -> str:
    """RFC 6238 with Cognito's parameters, for the 30 s step `steps_ahead` steps from now."""
    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8), casefold=True)
    counter = int(time.time()) // 30 + steps_ahead
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def test_totp_helper_matches_rfc_6238_vector():
    # RFC 6238 appendix B, SHA-1 key "12345678901234567890" at T = 59 s: 94287082 (8 digits);
    # the 6-digit code is its last six digits.
    key = base64.b32encode(b"12345678901234567890").decode()
    digest = hmac.new(base64.b32decode(key), struct.pack(">Q", 59 // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    assert f"{value % 100_000_000:08d}" == "94287082"


def wrong(code: str) -> str:
    return "".join("0" if digit == "9" else str(int(digit) + 1) for digit in code)


def error_code(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    return excinfo.value.response["Error"]["Code"]


@pytest.fixture(scope="module")
def totp_pool(admin) -> dict:
    """A pool with optional TOTP MFA (plain usernames) and a public SRP client."""
    pool_id = admin.create_user_pool(PoolName=unique_name("totp-pool"))["UserPool"]["Id"]
    admin.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    client_id = admin.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="totp-client",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    return {"pool_id": pool_id, "client_id": client_id}


def cognito(local_cloud, pool: dict, username: str) -> Cognito:
    return Cognito(
        pool["pool_id"],
        pool["client_id"],
        username=username,
        botocore_config=Config(signature_version=UNSIGNED, retries=NO_RETRIES),
        boto3_client_kwargs={"endpoint_url": local_cloud.endpoint},
    )


def enrolled_user(local_cloud, admin, pool: dict) -> tuple[str, str]:
    """A user who enrolled TOTP through pycognito; returns (username, secret)."""
    username = unique_name("totp")
    admin_create_confirmed_user(
        admin, user_pool_id=pool["pool_id"], username=username, email=unique_email("totp")
    )
    user = cognito(local_cloud, pool, username)
    user.authenticate(password=PASSWORD)  # no MFA yet
    secret = user.associate_software_token()
    assert len(base64.b32decode(secret + "=" * (-len(secret) % 8))) >= 16  # ≥ 128 bits
    assert user.verify_software_token(totp(secret), device_name="pycognito") is True
    user.set_user_mfa_preference(sms_mfa=False, software_token_mfa=True, preferred="SOFTWARE_TOKEN")
    got = admin.admin_get_user(UserPoolId=pool["pool_id"], Username=username)
    assert got["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    assert got["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    return username, secret


def test_pycognito_enrols_totp_and_answers_software_token_mfa(local_cloud, admin, totp_pool):
    username, secret = enrolled_user(local_cloud, admin, totp_pool)

    user = cognito(local_cloud, totp_pool, username)
    with pytest.raises(SoftwareTokenMFAChallengeException) as challenge:
        user.authenticate(password=PASSWORD)
    mfa_tokens = challenge.value.get_tokens()
    assert mfa_tokens["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert mfa_tokens["Session"]

    # The enrolment spent this step's code: answer with the next step's (within ±1 step).
    right = totp(secret, 1)
    with pytest.raises(ClientError) as refused:
        user.respond_to_software_token_mfa_challenge(wrong(right), mfa_tokens)
    assert error_code(refused) == "CodeMismatchException"
    # A wrong code leaves the Session usable: the right code completes the sign-in.
    user.respond_to_software_token_mfa_challenge(right, mfa_tokens)
    assert user.id_claims["cognito:username"] == username
    assert user.access_claims["username"] == username
    assert user.get_user().username == username


def test_bogus_replayed_and_foreign_sessions_are_refused(local_cloud, admin, public, totp_pool):
    alice, alice_secret = enrolled_user(local_cloud, admin, totp_pool)
    bob, _ = enrolled_user(local_cloud, admin, totp_pool)

    def challenge(username: str) -> dict:
        srp = AWSSRP(
            username=username,
            password=PASSWORD,
            pool_id=totp_pool["pool_id"],
            client_id=totp_pool["client_id"],
            client=public,
        )
        with pytest.raises(SoftwareTokenMFAChallengeException) as raised:
            srp.authenticate_user()
        return raised.value.get_tokens()

    def answer(username: str, session: str, code: str) -> dict:
        return public.respond_to_auth_challenge(
            ClientId=totp_pool["client_id"],
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=session,
            ChallengeResponses={"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": code},
        )

    code = totp(alice_secret, 1)
    with pytest.raises(ClientError) as bogus:
        answer(alice, "bogus-session-" + "A" * 80, code)
    assert error_code(bogus) == "NotAuthorizedException"

    # Bob's Session answered for Alice, with Alice's right code: refused.
    bobs = challenge(bob)["Session"]
    with pytest.raises(ClientError) as foreign:
        answer(alice, bobs, code)
    assert error_code(foreign) == "NotAuthorizedException"

    alices = challenge(alice)["Session"]
    result = answer(alice, alices, code)
    assert result["AuthenticationResult"]["AccessToken"]
    # The same Session again (even with a fresh code): refused, it is single-use.
    with pytest.raises(ClientError) as replayed:
        answer(alice, alices, totp(alice_secret, 0))
    assert error_code(replayed) == "NotAuthorizedException"
