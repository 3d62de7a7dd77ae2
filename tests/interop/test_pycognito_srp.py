"""pycognito (an independent Python SRP implementation) signs in against the local cloud.

Proves that the local cloud's USER_SRP_AUTH, NEW_PASSWORD_REQUIRED, REFRESH_TOKEN_AUTH and
SECRET_HASH handling interoperate with a client Coffer did not write, that wrong passwords and
secrets are refused with AWS's error codes, and that the tokens verify (RS256) against the JWKS the
server publishes, with the issuer, audience and claims AWS would put in them.
"""

from __future__ import annotations

import base64
import json

import jwt
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from pycognito import Cognito
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import ForceChangePasswordException

from harness import (
    NO_RETRIES,
    PASSWORD,
    WRONG_PASSWORD,
    admin_create_confirmed_user,
    attribute,
    http_get,
    secret_hash,
    sign_up_and_confirm,
    track_new_device,
    unique_email,
    unique_name,
)

ID_CLAIMS_REQUIRED = ["iss", "aud", "sub", "exp", "iat", "auth_time", "token_use"]
ACCESS_CLAIMS_REQUIRED = ["iss", "sub", "exp", "iat", "auth_time", "token_use", "client_id"]


def error_code(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    return excinfo.value.response["Error"]["Code"]


def signing_key(cloud, pool_id: str, token: str):
    """The JWKS key named by the token's `kid`, fetched from the server like any verifier would."""
    jwks = jwt.PyJWKClient(f"{cloud.issuer(pool_id)}/.well-known/jwks.json", cache_keys=False)
    return jwks.get_signing_key_from_jwt(token).key


def verify_id_token(cloud, pool_id: str, client_id: str, token: str) -> dict:
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    claims = jwt.decode(
        token,
        signing_key(cloud, pool_id, token),
        algorithms=["RS256"],
        audience=client_id,
        issuer=cloud.issuer(pool_id),
        options={"require": ID_CLAIMS_REQUIRED},
    )
    assert claims["token_use"] == "id"
    return claims


def verify_access_token(cloud, pool_id: str, client_id: str, token: str) -> dict:
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    claims = jwt.decode(
        token,
        signing_key(cloud, pool_id, token),
        algorithms=["RS256"],
        issuer=cloud.issuer(pool_id),
        options={"require": ACCESS_CLAIMS_REQUIRED, "verify_aud": False},
    )
    assert claims["token_use"] == "access"
    assert claims["client_id"] == client_id
    assert "aud" not in claims  # Cognito access tokens carry client_id, not aud
    assert "aws.cognito.signin.user.admin" in claims["scope"].split()
    return claims


def srp(public, *, username, password, pool_id, client_id, client_secret=None) -> AWSSRP:
    return AWSSRP(
        username=username,
        password=password,
        pool_id=pool_id,
        client_id=client_id,
        client=public,
        client_secret=client_secret,
    )


# --- demo pool (e-mail as username), signed up through the public API ----------------------------


@pytest.fixture(scope="module")
def demo_user(local_cloud, public):
    email = unique_email("pycognito")
    sub = sign_up_and_confirm(
        local_cloud,
        public,
        user_pool_id=local_cloud.user_pool_id,
        client_id=local_cloud.client_id,
        username=email,
        email=email,
    )
    return {"email": email, "sub": sub}


@pytest.fixture(scope="module")
def demo_sign_in(local_cloud, public, demo_user) -> dict:
    return srp(
        public,
        username=demo_user["email"],
        password=PASSWORD,
        pool_id=local_cloud.user_pool_id,
        client_id=local_cloud.client_id,
    ).authenticate_user()


def test_srp_sign_in_returns_tokens(demo_sign_in):
    assert "ChallengeName" not in demo_sign_in
    result = demo_sign_in["AuthenticationResult"]
    assert result["TokenType"] == "Bearer"
    assert result["ExpiresIn"] == 3600
    for name in ("AccessToken", "IdToken", "RefreshToken"):
        assert isinstance(result[name], str) and result[name], name


def test_id_token_verifies_against_served_jwks_with_aws_claims(
    local_cloud, demo_user, demo_sign_in
):
    token = demo_sign_in["AuthenticationResult"]["IdToken"]
    claims = verify_id_token(local_cloud, local_cloud.user_pool_id, local_cloud.client_id, token)
    assert claims["iss"] == f"{local_cloud.endpoint}/{local_cloud.user_pool_id}"
    assert claims["aud"] == local_cloud.client_id
    assert claims["sub"] == demo_user["sub"]
    # E-mail-as-username pool: the username is the generated one (the sub), not the e-mail.
    assert claims["cognito:username"] == demo_user["sub"]
    assert claims["email"] == demo_user["email"]
    assert claims["email_verified"] is True  # confirmed with the code sent to that address
    assert claims["exp"] - claims["iat"] == 3600


def test_access_token_verifies_and_names_the_user(local_cloud, demo_user, demo_sign_in):
    token = demo_sign_in["AuthenticationResult"]["AccessToken"]
    claims = verify_access_token(
        local_cloud, local_cloud.user_pool_id, local_cloud.client_id, token
    )
    assert claims["sub"] == demo_user["sub"]
    assert claims["username"] == demo_user["sub"]
    assert claims["exp"] - claims["iat"] == 3600


def test_tampered_id_token_fails_verification(local_cloud, demo_sign_in):
    # Guards the verification above against being vacuous: one changed claim must break it.
    token = demo_sign_in["AuthenticationResult"]["IdToken"]
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["email"] = "mallory@example.test"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(jwt.InvalidSignatureError):
        verify_id_token(
            local_cloud,
            local_cloud.user_pool_id,
            local_cloud.client_id,
            f"{header}.{forged_payload}.{signature}",
        )


def test_get_user_with_the_access_token(public, demo_user, demo_sign_in):
    got = public.get_user(AccessToken=demo_sign_in["AuthenticationResult"]["AccessToken"])
    assert got["Username"] == demo_user["sub"]
    assert attribute(got["UserAttributes"], "email") == demo_user["email"]
    assert attribute(got["UserAttributes"], "sub") == demo_user["sub"]


def test_refresh_token_auth_issues_fresh_tokens(local_cloud, public, demo_user, demo_sign_in):
    result = demo_sign_in["AuthenticationResult"]
    refresh = {"REFRESH_TOKEN": result["RefreshToken"]}
    # The demo pool tracks devices: as on AWS, the refresh token is bound to the sign-in's
    # device and refused until that device is confirmed and its DEVICE_KEY comes along.
    with pytest.raises(ClientError) as unbound:
        public.initiate_auth(
            ClientId=local_cloud.client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=refresh
        )
    assert error_code(unbound) == "NotAuthorizedException"
    assert unbound.value.response["Error"]["Message"] == "Invalid Refresh Token"
    device_key = track_new_device(public, result)
    refreshed = public.initiate_auth(
        ClientId=local_cloud.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={**refresh, "DEVICE_KEY": device_key},
    )["AuthenticationResult"]
    # Without refresh-token rotation Cognito hands back no new refresh token.
    assert "RefreshToken" not in refreshed
    id_claims = verify_id_token(
        local_cloud, local_cloud.user_pool_id, local_cloud.client_id, refreshed["IdToken"]
    )
    assert id_claims["sub"] == demo_user["sub"]
    access_claims = verify_access_token(
        local_cloud, local_cloud.user_pool_id, local_cloud.client_id, refreshed["AccessToken"]
    )
    assert access_claims["username"] == demo_user["sub"]
    assert access_claims["device_key"] == device_key


def test_refreshed_tokens_keep_origin_jti_and_get_a_new_jti(local_cloud, public, demo_user):
    first = srp(
        public,
        username=demo_user["email"],
        password=PASSWORD,
        pool_id=local_cloud.user_pool_id,
        client_id=local_cloud.client_id,
    ).authenticate_user()["AuthenticationResult"]
    refreshed = public.initiate_auth(
        ClientId=local_cloud.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={
            "REFRESH_TOKEN": first["RefreshToken"],
            "DEVICE_KEY": track_new_device(public, first),
        },
    )["AuthenticationResult"]
    before = jwt.decode(first["AccessToken"], options={"verify_signature": False})
    after = jwt.decode(refreshed["AccessToken"], options={"verify_signature": False})
    assert before["origin_jti"] == after["origin_jti"]
    assert before["jti"] != after["jti"]


def test_wrong_password_is_not_authorized(local_cloud, public, demo_user):
    with pytest.raises(ClientError) as excinfo:
        srp(
            public,
            username=demo_user["email"],
            password=WRONG_PASSWORD,
            pool_id=local_cloud.user_pool_id,
            client_id=local_cloud.client_id,
        ).authenticate_user()
    assert error_code(excinfo) == "NotAuthorizedException"
    # SRP cannot tell a wrong password before the proof: the refusal comes at the second step.
    assert excinfo.value.operation_name == "RespondToAuthChallenge"


def test_unconfirmed_user_cannot_sign_in(local_cloud, public):
    email = unique_email("unconfirmed")
    public.sign_up(
        ClientId=local_cloud.client_id,
        Username=email,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}],
    )
    with pytest.raises(ClientError) as excinfo:
        srp(
            public,
            username=email,
            password=PASSWORD,
            pool_id=local_cloud.user_pool_id,
            client_id=local_cloud.client_id,
        ).authenticate_user()
    assert error_code(excinfo) == "UserNotConfirmedException"


def test_user_password_auth_is_refused_on_a_client_that_does_not_allow_it(
    local_cloud, public, demo_user
):
    # The demo client allows SRP and refresh only; even the right password must not get through.
    with pytest.raises(ClientError) as excinfo:
        public.initiate_auth(
            ClientId=local_cloud.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": demo_user["email"], "PASSWORD": PASSWORD},
        )
    assert error_code(excinfo) == "InvalidParameterException"


def test_pycognito_cognito_class_verifies_tokens_and_refreshes(
    local_cloud, admin, provisioned_pool
):
    # pycognito's high-level class fetches <endpoint>/<pool>/.well-known/jwks.json itself and
    # checks iss == <endpoint>/<pool>, aud, token_use and exp on every token it receives. Its
    # renew_access_token sends no DEVICE_KEY, which AWS refuses in a pool that tracks devices
    # (the demo pool does), so this runs in the provisioned pool, which does not.
    username = unique_name("pycognito")
    email = unique_email("pycognito")
    created = admin_create_confirmed_user(
        admin, user_pool_id=provisioned_pool.pool_id, username=username, email=email
    )
    sub = attribute(created["UserAttributes"], "sub")
    user = Cognito(
        provisioned_pool.pool_id,
        provisioned_pool.open_client_id,
        username=username,
        botocore_config=Config(signature_version=UNSIGNED, retries=NO_RETRIES),
        boto3_client_kwargs={"endpoint_url": local_cloud.endpoint},
    )
    user.authenticate(password=PASSWORD)
    assert user.id_claims["email"] == email
    assert user.access_claims["sub"] == sub
    first_access_token = user.access_token

    user.renew_access_token()
    assert user.access_claims["sub"] == sub
    assert user.access_token != first_access_token

    profile = user.get_user()
    assert profile.email == email


# --- provisioned pool (plain usernames), users made through the admin API ----------------------


def test_srp_sign_in_for_admin_provisioned_user(local_cloud, admin, public, provisioned_pool):
    pool_id = provisioned_pool.pool_id
    username = unique_name("provisioned")
    email = unique_email("provisioned")
    user = admin_create_confirmed_user(admin, user_pool_id=pool_id, username=username, email=email)
    sub = attribute(user["UserAttributes"], "sub")

    result = srp(
        public,
        username=username,
        password=PASSWORD,
        pool_id=pool_id,
        client_id=provisioned_pool.open_client_id,
    ).authenticate_user()["AuthenticationResult"]
    claims = verify_id_token(
        local_cloud, pool_id, provisioned_pool.open_client_id, result["IdToken"]
    )
    assert claims["cognito:username"] == username  # plain-username pool: the name as created
    assert claims["sub"] == sub
    assert claims["email"] == email
    assert isinstance(result["RefreshToken"], str) and result["RefreshToken"]


def test_new_password_required_then_sign_in_with_the_new_password(admin, public, provisioned_pool):
    pool_id = provisioned_pool.pool_id
    client_id = provisioned_pool.open_client_id
    username = unique_name("temp-pw")
    temporary = "Temp0rary-Pass!"
    admin.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        TemporaryPassword=temporary,
        MessageAction="SUPPRESS",
    )

    with pytest.raises(ForceChangePasswordException):
        srp(
            public, username=username, password=temporary, pool_id=pool_id, client_id=client_id
        ).authenticate_user()

    changed = srp(
        public, username=username, password=temporary, pool_id=pool_id, client_id=client_id
    ).set_new_password_challenge(PASSWORD)
    assert changed["AuthenticationResult"]["IdToken"]
    assert admin.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"] == "CONFIRMED"

    again = srp(public, username=username, password=PASSWORD, pool_id=pool_id, client_id=client_id)
    assert again.authenticate_user()["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as excinfo:
        srp(
            public, username=username, password=temporary, pool_id=pool_id, client_id=client_id
        ).authenticate_user()
    assert error_code(excinfo) == "NotAuthorizedException"


def test_user_password_auth_on_a_client_that_allows_it(
    local_cloud, admin, public, provisioned_pool
):
    pool_id = provisioned_pool.pool_id
    client_id = provisioned_pool.open_client_id
    username = unique_name("plain-auth")
    admin_create_confirmed_user(
        admin, user_pool_id=pool_id, username=username, email=unique_email("plain-auth")
    )

    result = public.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    assert (
        verify_id_token(local_cloud, pool_id, client_id, result["IdToken"])["cognito:username"]
        == username
    )

    with pytest.raises(ClientError) as excinfo:
        public.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": WRONG_PASSWORD},
        )
    assert error_code(excinfo) == "NotAuthorizedException"


def test_unknown_user_is_not_authorized_when_existence_errors_are_prevented(
    public, provisioned_pool
):
    with pytest.raises(ClientError) as excinfo:
        srp(
            public,
            username=unique_name("nobody"),
            password=PASSWORD,
            pool_id=provisioned_pool.pool_id,
            client_id=provisioned_pool.open_client_id,
        ).authenticate_user()
    assert error_code(excinfo) == "NotAuthorizedException"


def test_unknown_user_is_user_not_found_with_legacy_existence_errors(public, provisioned_pool):
    with pytest.raises(ClientError) as excinfo:
        srp(
            public,
            username=unique_name("nobody"),
            password=PASSWORD,
            pool_id=provisioned_pool.pool_id,
            client_id=provisioned_pool.secret_client_id,
            client_secret=provisioned_pool.client_secret,
        ).authenticate_user()
    assert error_code(excinfo) == "UserNotFoundException"


# --- a client with a secret -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def secret_client_user(admin, provisioned_pool) -> str:
    username = unique_name("secretive")
    admin_create_confirmed_user(
        admin,
        user_pool_id=provisioned_pool.pool_id,
        username=username,
        email=unique_email("secretive"),
    )
    return username


def test_srp_with_client_secret(local_cloud, public, provisioned_pool, secret_client_user):
    result = srp(
        public,
        username=secret_client_user,
        password=PASSWORD,
        pool_id=provisioned_pool.pool_id,
        client_id=provisioned_pool.secret_client_id,
        client_secret=provisioned_pool.client_secret,
    ).authenticate_user()["AuthenticationResult"]
    claims = verify_id_token(
        local_cloud, provisioned_pool.pool_id, provisioned_pool.secret_client_id, result["IdToken"]
    )
    assert claims["cognito:username"] == secret_client_user

    # Refresh on a secret client needs SECRET_HASH too; for refresh AWS keys it on the username.
    refreshed = public.initiate_auth(
        ClientId=provisioned_pool.secret_client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={
            "REFRESH_TOKEN": result["RefreshToken"],
            "SECRET_HASH": secret_hash(
                secret_client_user,
                provisioned_pool.secret_client_id,
                provisioned_pool.client_secret,
            ),
        },
    )["AuthenticationResult"]
    assert (
        verify_access_token(
            local_cloud,
            provisioned_pool.pool_id,
            provisioned_pool.secret_client_id,
            refreshed["AccessToken"],
        )["username"]
        == secret_client_user
    )


def test_srp_without_the_secret_is_refused(public, provisioned_pool, secret_client_user):
    with pytest.raises(ClientError) as excinfo:
        srp(
            public,
            username=secret_client_user,
            password=PASSWORD,
            pool_id=provisioned_pool.pool_id,
            client_id=provisioned_pool.secret_client_id,
        ).authenticate_user()
    assert error_code(excinfo) == "NotAuthorizedException"
    assert excinfo.value.operation_name == "InitiateAuth"


def test_srp_with_a_wrong_secret_is_refused(public, provisioned_pool, secret_client_user):
    with pytest.raises(ClientError) as excinfo:
        srp(
            public,
            username=secret_client_user,
            password=PASSWORD,
            pool_id=provisioned_pool.pool_id,
            client_id=provisioned_pool.secret_client_id,
            client_secret=provisioned_pool.client_secret[:-1]
            + ("x" if provisioned_pool.client_secret[-1] != "x" else "y"),
        ).authenticate_user()
    assert error_code(excinfo) == "NotAuthorizedException"
    assert excinfo.value.operation_name == "InitiateAuth"


def test_sign_up_on_a_secret_client_without_secret_hash_is_refused(public, admin, provisioned_pool):
    username = unique_name("no-hash")
    with pytest.raises(ClientError) as excinfo:
        public.sign_up(
            ClientId=provisioned_pool.secret_client_id,
            Username=username,
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": unique_email("no-hash")}],
        )
    assert error_code(excinfo) == "NotAuthorizedException"
    with pytest.raises(ClientError) as missing:
        admin.admin_get_user(UserPoolId=provisioned_pool.pool_id, Username=username)
    assert error_code(missing) == "UserNotFoundException"


# --- discovery and sign-out -------------------------------------------------------------------


def test_openid_configuration_names_the_issuer_and_its_jwks(local_cloud):
    issuer = local_cloud.issuer(local_cloud.user_pool_id)
    status, body = http_get(f"{issuer}/.well-known/openid-configuration")
    assert status == 200
    document = json.loads(body)
    assert document["issuer"] == issuer
    assert document["jwks_uri"] == f"{issuer}/.well-known/jwks.json"
    assert "RS256" in document["id_token_signing_alg_values_supported"]


def signed_in_provisioned_user(admin, public, provisioned_pool) -> dict:
    username = unique_name("sign-out")
    admin_create_confirmed_user(
        admin,
        user_pool_id=provisioned_pool.pool_id,
        username=username,
        email=unique_email("sign-out"),
    )
    return srp(
        public,
        username=username,
        password=PASSWORD,
        pool_id=provisioned_pool.pool_id,
        client_id=provisioned_pool.open_client_id,
    ).authenticate_user()["AuthenticationResult"]


def assert_tokens_dead(public, client_id: str, result: dict) -> None:
    with pytest.raises(ClientError) as refused_refresh:
        public.initiate_auth(
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]},
        )
    assert error_code(refused_refresh) == "NotAuthorizedException"
    with pytest.raises(ClientError) as refused_access:
        public.get_user(AccessToken=result["AccessToken"])
    assert error_code(refused_access) == "NotAuthorizedException"


def test_revoke_token_ends_the_refresh_token_and_its_access_tokens(admin, public, provisioned_pool):
    result = signed_in_provisioned_user(admin, public, provisioned_pool)
    public.get_user(AccessToken=result["AccessToken"])  # alive before
    public.revoke_token(Token=result["RefreshToken"], ClientId=provisioned_pool.open_client_id)
    assert_tokens_dead(public, provisioned_pool.open_client_id, result)


def test_global_sign_out_ends_the_users_tokens(admin, public, provisioned_pool):
    result = signed_in_provisioned_user(admin, public, provisioned_pool)
    public.global_sign_out(AccessToken=result["AccessToken"])
    assert_tokens_dead(public, provisioned_pool.open_client_id, result)


def test_admin_user_global_sign_out_ends_the_users_tokens(admin, public, provisioned_pool):
    result = signed_in_provisioned_user(admin, public, provisioned_pool)
    username = jwt.decode(result["AccessToken"], options={"verify_signature": False})["username"]
    admin.admin_user_global_sign_out(UserPoolId=provisioned_pool.pool_id, Username=username)
    assert_tokens_dead(public, provisioned_pool.open_client_id, result)
