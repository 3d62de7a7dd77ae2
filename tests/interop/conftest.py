"""pytest fixtures: one local cloud per session, started from the `coffer` binary.

If the server cannot start, every test that needs it errors (never skips) with the server's output.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from harness import (
    LocalCloud,
    LocalCloudProcess,
    LocalCloudStartError,
    admin_client,
    unique_name,
    unsigned_client,
)

_server: LocalCloudProcess | None = None


def pytest_configure(config):
    # Everything here talks to 127.0.0.1: keep any proxy from the environment out of the way
    # (boto3, requests and urllib all honour NO_PROXY).
    for var in ("NO_PROXY", "no_proxy"):
        hosts = [h for h in os.environ.get(var, "").split(",") if h]
        os.environ[var] = ",".join(hosts + ["127.0.0.1", "localhost"])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and _server is not None:
        report.sections.append(("local cloud output (tail)", _server.logs()))
    return report


@pytest.fixture(scope="session")
def local_cloud() -> LocalCloud:
    global _server
    server = LocalCloudProcess()
    try:
        cloud = server.start()
        problem = None
    except LocalCloudStartError as err:
        server.stop()
        problem = str(err)
    if problem is not None:
        pytest.fail(f"the local cloud did not start: {problem}", pytrace=False)
    _server = server
    yield cloud
    _server = None
    server.stop()


@pytest.fixture(scope="session")
def admin(local_cloud):
    """boto3 client signing with the local cloud's admin key."""
    return admin_client(local_cloud)


@pytest.fixture(scope="session")
def public(local_cloud):
    """boto3 client that signs nothing, as a browser or mobile app would call Cognito."""
    return unsigned_client(local_cloud)


# A policy unlike the default one, so a round trip that ignored it would be noticed.
PROVISIONED_PASSWORD_POLICY = {
    "MinimumLength": 10,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": False,
    "TemporaryPasswordValidityDays": 3,
}
OPEN_CLIENT_FLOWS = {
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
}
SECRET_CLIENT_FLOWS = {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}


@dataclass(frozen=True)
class ProvisionedPool:
    """A pool with plain usernames (the demo pool uses e-mail as username) and two app clients."""

    name: str
    create_response: dict
    open_client_response: dict
    secret_client_response: dict

    @property
    def pool_id(self) -> str:
        return self.create_response["UserPool"]["Id"]

    @property
    def open_client_id(self) -> str:
        """No secret; SRP, refresh and USER_PASSWORD_AUTH; user-existence errors prevented."""
        return self.open_client_response["UserPoolClient"]["ClientId"]

    @property
    def secret_client_id(self) -> str:
        """With a generated secret; SRP and refresh only; LEGACY user-existence errors."""
        return self.secret_client_response["UserPoolClient"]["ClientId"]

    @property
    def client_secret(self) -> str:
        return self.secret_client_response["UserPoolClient"]["ClientSecret"]


@pytest.fixture(scope="session")
def provisioned_pool(admin) -> ProvisionedPool:
    """Provisioned through the signed admin API, exactly as a deployment script would."""
    name = unique_name("interop-pool")
    created = admin.create_user_pool(
        PoolName=name,
        Policies={"PasswordPolicy": PROVISIONED_PASSWORD_POLICY},
        AutoVerifiedAttributes=["email"],
    )
    pool_id = created["UserPool"]["Id"]
    open_client = admin.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="interop-open",
        GenerateSecret=False,
        ExplicitAuthFlows=sorted(OPEN_CLIENT_FLOWS),
        PreventUserExistenceErrors="ENABLED",
    )
    secret_client = admin.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="interop-secret",
        GenerateSecret=True,
        ExplicitAuthFlows=sorted(SECRET_CLIENT_FLOWS),
        PreventUserExistenceErrors="LEGACY",
    )
    return ProvisionedPool(
        name=name,
        create_response=created,
        open_client_response=open_client,
        secret_client_response=secret_client,
    )
