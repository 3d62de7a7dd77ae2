"""boto3 (the AWS SDK for Python) against the local cloud: signed admin API, unsigned public API.

Proves that a stock AWS SDK can provision pools, clients and users on the local cloud exactly as
it would on AWS, and that the admin API really checks SigV4 (wrong key, no key, a body changed
after signing and a stale signature are all refused without side effects).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

import boto3
import botocore.auth
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import OPEN_CLIENT_FLOWS, PROVISIONED_PASSWORD_POLICY, SECRET_CLIENT_FLOWS
from harness import (
    ADMIN_PROFILE,
    NO_RETRIES,
    PASSWORD,
    REGION,
    admin_client,
    attribute,
    newest_code,
    unique_email,
    unique_name,
)

POOL_ID_PATTERN = re.compile(r"us-east-1_[0-9A-Za-z]+")
# What AWS answers when a signed request's signature or key is not accepted.
SIGNATURE_REFUSALS = {"InvalidSignatureException", "UnrecognizedClientException"}


def error_code(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    return excinfo.value.response["Error"]["Code"]


def http_status(excinfo: pytest.ExceptionInfo[ClientError]) -> int:
    return excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


def assert_user_absent(admin, pool_id: str, username: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        admin.admin_get_user(UserPoolId=pool_id, Username=username)
    assert error_code(excinfo) == "UserNotFoundException"


# --- the demo setup the server wrote ------------------------------------------------------------


def test_coffer_toml_points_at_the_running_server(local_cloud):
    config = local_cloud.client_config
    assert config["region"] == REGION
    assert POOL_ID_PATTERN.fullmatch(config["user_pool_id"])
    assert config["client_id"]
    assert "client_secret" not in config  # the demo client is public
    assert local_cloud.endpoint == local_cloud.address


def test_admin_profile_from_the_shared_credentials_file_works(local_cloud, monkeypatch, tmp_path):
    # Only the files the server wrote: no keys passed in code, nothing from the caller's env.
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(local_cloud.data_dir / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_PROFILE", ADMIN_PROFILE)
    client = boto3.session.Session().client(
        "cognito-idp", endpoint_url=local_cloud.endpoint, region_name=REGION
    )

    pool = client.describe_user_pool(UserPoolId=local_cloud.user_pool_id)["UserPool"]
    assert pool["Id"] == local_cloud.user_pool_id
    assert pool["Name"] == "coffer-demo"
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["AutoVerifiedAttributes"] == ["email"]
    policy = pool["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == 8
    assert policy["RequireUppercase"] is True
    assert policy["RequireLowercase"] is True
    assert policy["RequireNumbers"] is True
    assert policy["RequireSymbols"] is True

    app = client.describe_user_pool_client(
        UserPoolId=local_cloud.user_pool_id, ClientId=local_cloud.client_id
    )["UserPoolClient"]
    assert app["ClientId"] == local_cloud.client_id
    assert app["UserPoolId"] == local_cloud.user_pool_id
    assert "ClientSecret" not in app
    assert set(app["ExplicitAuthFlows"]) == {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}


# --- provisioning round trips -------------------------------------------------------------------


def assert_policy(actual: dict, expected: dict) -> None:
    for key, value in expected.items():
        assert actual.get(key) == value, f"PasswordPolicy.{key}: {actual.get(key)!r} != {value!r}"


def test_create_user_pool_round_trips_its_settings(admin, provisioned_pool):
    created = provisioned_pool.create_response["UserPool"]
    assert POOL_ID_PATTERN.fullmatch(created["Id"])
    assert created["Name"] == provisioned_pool.name
    assert re.fullmatch(
        rf"arn:aws:cognito-idp:us-east-1:\d{{12}}:userpool/{re.escape(created['Id'])}",
        created["Arn"],
    )
    assert_policy(created["Policies"]["PasswordPolicy"], PROVISIONED_PASSWORD_POLICY)
    assert created["AutoVerifiedAttributes"] == ["email"]

    described = admin.describe_user_pool(UserPoolId=created["Id"])["UserPool"]
    for key in ("Id", "Name", "Arn", "AutoVerifiedAttributes"):
        assert described[key] == created[key], key
    assert_policy(described["Policies"]["PasswordPolicy"], PROVISIONED_PASSWORD_POLICY)
    assert not described.get("UsernameAttributes")  # plain usernames were asked for
    assert isinstance(described["CreationDate"], dt.datetime)
    assert isinstance(described["LastModifiedDate"], dt.datetime)


def test_create_user_pool_client_without_secret_round_trips(admin, provisioned_pool):
    created = provisioned_pool.open_client_response["UserPoolClient"]
    assert "ClientSecret" not in created
    assert created["UserPoolId"] == provisioned_pool.pool_id
    assert created["ClientName"] == "interop-open"
    assert set(created["ExplicitAuthFlows"]) == OPEN_CLIENT_FLOWS

    described = admin.describe_user_pool_client(
        UserPoolId=provisioned_pool.pool_id, ClientId=created["ClientId"]
    )["UserPoolClient"]
    assert described["ClientId"] == created["ClientId"]
    assert described["ClientName"] == "interop-open"
    assert "ClientSecret" not in described
    assert set(described["ExplicitAuthFlows"]) == OPEN_CLIENT_FLOWS
    assert described["PreventUserExistenceErrors"] == "ENABLED"


def test_create_user_pool_client_with_generated_secret_round_trips(admin, provisioned_pool):
    created = provisioned_pool.secret_client_response["UserPoolClient"]
    secret = created["ClientSecret"]
    assert isinstance(secret, str) and len(secret) >= 32
    assert created["ClientId"] != provisioned_pool.open_client_id
    assert set(created["ExplicitAuthFlows"]) == SECRET_CLIENT_FLOWS

    described = admin.describe_user_pool_client(
        UserPoolId=provisioned_pool.pool_id, ClientId=created["ClientId"]
    )["UserPoolClient"]
    assert described["ClientSecret"] == secret
    assert described["ClientName"] == "interop-secret"
    assert set(described["ExplicitAuthFlows"]) == SECRET_CLIENT_FLOWS
    assert described["PreventUserExistenceErrors"] == "LEGACY"


def test_describe_unknown_pool_is_resource_not_found(admin):
    with pytest.raises(ClientError) as excinfo:
        admin.describe_user_pool(UserPoolId="us-east-1_NoSuchPool0")
    assert error_code(excinfo) == "ResourceNotFoundException"


# --- users ----------------------------------------------------------------------------------------


def test_admin_create_user_then_permanent_password_confirms_the_user(admin, provisioned_pool):
    pool_id = provisioned_pool.pool_id
    username = unique_name("admin-made")
    email = unique_email("admin-made")

    created = admin.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
        ],
        MessageAction="SUPPRESS",
    )["User"]
    assert created["Username"] == username
    assert created["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert created["Enabled"] is True
    assert attribute(created["Attributes"], "email") == email
    sub = attribute(created["Attributes"], "sub")
    assert uuid.UUID(sub)

    admin.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True
    )
    got = admin.admin_get_user(UserPoolId=pool_id, Username=username)
    assert got["Username"] == username
    assert got["UserStatus"] == "CONFIRMED"
    assert got["Enabled"] is True
    assert attribute(got["UserAttributes"], "sub") == sub
    assert attribute(got["UserAttributes"], "email") == email


def test_admin_set_user_password_enforces_the_pool_policy(admin, provisioned_pool):
    pool_id = provisioned_pool.pool_id
    username = unique_name("policy")
    admin.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")

    with pytest.raises(ClientError) as excinfo:  # 9 characters; this pool wants 10
        admin.admin_set_user_password(
            UserPoolId=pool_id, Username=username, Password="Abcdefg1!", Permanent=True
        )
    assert error_code(excinfo) == "InvalidPasswordException"
    status = admin.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"]
    assert status == "FORCE_CHANGE_PASSWORD"

    # No symbol, which this pool does not require (the default policy would refuse it).
    admin.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password="Abcdefghi1", Permanent=True
    )
    status = admin.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"]
    assert status == "CONFIRMED"


def test_unsigned_sign_up_enforces_the_default_policy(local_cloud, public, admin):
    email = unique_email("weak")
    with pytest.raises(ClientError) as excinfo:  # no symbol: the demo pool's policy wants one
        public.sign_up(
            ClientId=local_cloud.client_id,
            Username=email,
            Password="Abcdefgh1",
            UserAttributes=[{"Name": "email", "Value": email}],
        )
    assert error_code(excinfo) == "InvalidPasswordException"
    assert_user_absent(admin, local_cloud.user_pool_id, email)


def test_unsigned_sign_up_then_admin_confirm_sign_up(local_cloud, public, admin):
    pool_id = local_cloud.user_pool_id
    email = unique_email("signup")

    signed_up = public.sign_up(
        ClientId=local_cloud.client_id,
        Username=email,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}],
    )
    assert signed_up["UserConfirmed"] is False
    sub = signed_up["UserSub"]
    assert uuid.UUID(sub)
    delivery = signed_up["CodeDeliveryDetails"]
    assert delivery["DeliveryMedium"] == "EMAIL"
    assert delivery["AttributeName"] == "email"
    assert re.fullmatch(
        r"\d{6}", newest_code(local_cloud, user_pool_id=pool_id, username=email, purpose="sign-up")
    )

    got = admin.admin_get_user(UserPoolId=pool_id, Username=email)
    assert got["UserStatus"] == "UNCONFIRMED"
    # In an e-mail-as-username pool the username is generated and equals the sub.
    assert got["Username"] == sub
    assert attribute(got["UserAttributes"], "email") == email

    admin.admin_confirm_sign_up(UserPoolId=pool_id, Username=email)
    assert admin.admin_get_user(UserPoolId=pool_id, Username=email)["UserStatus"] == "CONFIRMED"
    # The generated username addresses the same user.
    assert admin.admin_get_user(UserPoolId=pool_id, Username=sub)["UserStatus"] == "CONFIRMED"


def test_admin_delete_user_removes_the_user(admin, provisioned_pool):
    pool_id = provisioned_pool.pool_id
    username = unique_name("doomed")
    admin.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")
    admin.admin_get_user(UserPoolId=pool_id, Username=username)

    admin.admin_delete_user(UserPoolId=pool_id, Username=username)
    assert_user_absent(admin, pool_id, username)
    with pytest.raises(ClientError) as excinfo:
        admin.admin_delete_user(UserPoolId=pool_id, Username=username)
    assert error_code(excinfo) == "UserNotFoundException"


# --- SigV4 is really checked ------------------------------------------------------------------


def flip_last_char(text: str) -> str:
    return text[:-1] + ("A" if text[-1] != "A" else "B")


def test_admin_call_with_wrong_secret_key_is_refused_without_effect(
    local_cloud, admin, provisioned_pool
):
    forged = admin_client(
        local_cloud, secret_access_key=flip_last_char(local_cloud.admin_secret_access_key)
    )
    username = unique_name("forged")
    with pytest.raises(ClientError) as excinfo:
        forged.admin_create_user(
            UserPoolId=provisioned_pool.pool_id, Username=username, MessageAction="SUPPRESS"
        )
    assert error_code(excinfo) in SIGNATURE_REFUSALS
    assert http_status(excinfo) in (400, 403)
    assert_user_absent(admin, provisioned_pool.pool_id, username)


def test_admin_call_with_unknown_access_key_is_refused(local_cloud, provisioned_pool):
    stranger = admin_client(
        local_cloud,
        access_key_id="AKIA" + uuid.uuid4().hex[:16].upper(),
        secret_access_key=local_cloud.admin_secret_access_key,
    )
    with pytest.raises(ClientError) as excinfo:
        stranger.describe_user_pool(UserPoolId=provisioned_pool.pool_id)
    assert error_code(excinfo) in SIGNATURE_REFUSALS
    assert http_status(excinfo) in (400, 403)


def test_unsigned_admin_call_is_refused_without_effect(public, admin, provisioned_pool):
    username = unique_name("unsigned")
    with pytest.raises(ClientError) as excinfo:
        public.admin_create_user(
            UserPoolId=provisioned_pool.pool_id, Username=username, MessageAction="SUPPRESS"
        )
    assert http_status(excinfo) in (400, 403)
    assert_user_absent(admin, provisioned_pool.pool_id, username)
    with pytest.raises(ClientError):
        public.describe_user_pool(UserPoolId=provisioned_pool.pool_id)


def test_admin_call_whose_body_changed_after_signing_is_refused(
    local_cloud, admin, provisioned_pool
):
    pool_id = provisioned_pool.pool_id
    signed_name = unique_name("signed")
    swapped_name = unique_name("forged")  # same length as signed_name
    assert len(signed_name) == len(swapped_name)

    tampering = admin_client(local_cloud)

    def swap_username(request, **_):
        # Runs after SigV4 signed the request; Content-Length stays right.
        request.body = request.body.replace(signed_name.encode(), swapped_name.encode())

    tampering.meta.events.register("before-send.cognito-idp.AdminCreateUser", swap_username)
    with pytest.raises(ClientError) as excinfo:
        tampering.admin_create_user(
            UserPoolId=pool_id, Username=signed_name, MessageAction="SUPPRESS"
        )
    assert error_code(excinfo) == "InvalidSignatureException"
    assert_user_absent(admin, pool_id, signed_name)
    assert_user_absent(admin, pool_id, swapped_name)


def test_admin_call_signed_an_hour_ago_is_refused(
    local_cloud, admin, provisioned_pool, monkeypatch
):
    real_now = botocore.auth.get_current_datetime
    monkeypatch.setattr(
        botocore.auth,
        "get_current_datetime",
        lambda *args, **kwargs: real_now(*args, **kwargs) - dt.timedelta(hours=1),
    )
    stale = admin_client(local_cloud)
    username = unique_name("stale")
    with pytest.raises(ClientError) as excinfo:
        stale.admin_create_user(
            UserPoolId=provisioned_pool.pool_id, Username=username, MessageAction="SUPPRESS"
        )
    assert error_code(excinfo) == "InvalidSignatureException"
    monkeypatch.undo()
    assert_user_absent(admin, provisioned_pool.pool_id, username)


def test_admin_call_signed_for_another_region_is_refused(local_cloud, admin, provisioned_pool):
    other_region = boto3.session.Session().client(
        "cognito-idp",
        endpoint_url=local_cloud.endpoint,
        region_name="eu-west-1",
        aws_access_key_id=local_cloud.admin_access_key_id,
        aws_secret_access_key=local_cloud.admin_secret_access_key,
        config=Config(retries=NO_RETRIES),
    )
    username = unique_name("elsewhere")
    with pytest.raises(ClientError) as excinfo:
        other_region.admin_create_user(
            UserPoolId=provisioned_pool.pool_id, Username=username, MessageAction="SUPPRESS"
        )
    assert error_code(excinfo) in SIGNATURE_REFUSALS
    assert_user_absent(admin, provisioned_pool.pool_id, username)
