"""Start Coffer's local cloud as a child process and talk to it the way outside tools do.

Nothing here knows Coffer's internals: the server is found through the documented interfaces only
(`coffer local-cloud --addr --data`, `DIR/coffer.toml`, `DIR/credentials`, `GET /_local/health`,
`GET /_local/outbox`). The pytest fixtures in `conftest.py` are thin wrappers around this module.
"""

from __future__ import annotations

import base64
import configparser
import hashlib
import hmac
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import boto3
from botocore import UNSIGNED
from botocore.config import Config

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_TARGET_BINARY = Path("/var/cache/coffer-target/debug/coffer")
REPO_TARGET_BINARY = REPO_ROOT / "target" / "debug" / "coffer"

ADMIN_PROFILE = "coffer-local-admin"
REGION = "us-east-1"
STARTUP_TIMEOUT_S = 30.0

# Satisfies Cognito's default policy (8+ chars, upper, lower, digit, symbol) and the stricter
# policy of the pool the tests provision.
PASSWORD = "Corr3ct-Horse-Battery!"
WRONG_PASSWORD = "Wr0ng-Horse-Battery!"


class LocalCloudStartError(RuntimeError):
    """The server did not come up; the message carries its exit status and output."""


@dataclass(frozen=True)
class LocalCloud:
    """A running local cloud, as described by the files it wrote into its data dir."""

    address: str  # the base URL the server was started on, e.g. http://127.0.0.1:40123
    endpoint: str  # `[endpoints] cognito_idp` from coffer.toml
    region: str
    user_pool_id: str
    client_id: str
    data_dir: Path
    admin_access_key_id: str
    admin_secret_access_key: str = field(repr=False)
    client_config: dict = field(repr=False)

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer(self.user_pool_id)}/.well-known/jwks.json"

    def issuer(self, user_pool_id: str) -> str:
        return f"{self.endpoint}/{user_pool_id}"


def coffer_binary() -> Path:
    """`COFFER_BIN`, else the shared cargo target dir, else the repo's own target dir."""
    from_env = os.environ.get("COFFER_BIN")
    if from_env:
        return Path(from_env)
    if SHARED_TARGET_BINARY.exists():
        return SHARED_TARGET_BINARY
    return REPO_TARGET_BINARY


def free_loopback_port() -> int:
    """A port that was free a moment ago (the kernel picks it; we release it for the server)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The server is on loopback: never send its traffic through a proxy from the environment.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with _DIRECT.open(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


class LocalCloudProcess:
    """Owns one `coffer local-cloud` child process and its temporary data dir."""

    def __init__(self, binary: Path | None = None) -> None:
        self.binary = binary or coffer_binary()
        self.work_dir = Path(tempfile.mkdtemp(prefix="coffer-interop-"))
        self.data_dir = self.work_dir / "data"
        self.stdout_path = self.work_dir / "stdout.log"
        self.stderr_path = self.work_dir / "stderr.log"
        self.process: subprocess.Popen | None = None
        self.base_url = ""

    def start(self) -> LocalCloud:
        if not self.binary.exists():
            raise LocalCloudStartError(
                f"coffer binary not found at {self.binary}; build it with "
                "`cargo build -p coffer-cli` or set COFFER_BIN"
            )
        port = free_loopback_port()
        self.base_url = f"http://127.0.0.1:{port}"
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.process = subprocess.Popen(
                [
                    str(self.binary),
                    "local-cloud",
                    "--addr",
                    f"127.0.0.1:{port}",
                    "--data",
                    str(self.data_dir),
                ],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        self._wait_until_ready()
        return self._describe()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        last_problem = "no answer yet"
        while time.monotonic() < deadline:
            assert self.process is not None  # set by start() before this is called
            if self.process.poll() is not None:
                raise LocalCloudStartError(
                    f"local cloud exited with status {self.process.returncode} before it was "
                    f"healthy\n{self.logs()}"
                )
            try:
                status, _ = http_get(f"{self.base_url}/_local/health", timeout=1.0)
                if status == 200 and self._setup_files_written():
                    return
                last_problem = f"health answered {status}; setup files written: " + str(
                    self._setup_files_written()
                )
            except (urllib.error.URLError, ConnectionError, TimeoutError) as err:
                last_problem = f"health check failed: {err}"
            time.sleep(0.1)
        self.stop()
        raise LocalCloudStartError(
            f"local cloud not healthy after {STARTUP_TIMEOUT_S:.0f} s ({last_problem})\n"
            + self.logs()
        )

    def _setup_files_written(self) -> bool:
        return (self.data_dir / "coffer.toml").is_file() and (
            self.data_dir / "credentials"
        ).is_file()

    def _describe(self) -> LocalCloud:
        config = tomllib.loads((self.data_dir / "coffer.toml").read_text())
        access_key, secret_key = read_admin_credentials(self.data_dir / "credentials")
        endpoint = config.get("endpoints", {}).get("cognito_idp", "")
        return LocalCloud(
            address=self.base_url,
            endpoint=endpoint.rstrip("/"),
            region=config["region"],
            user_pool_id=config["user_pool_id"],
            client_id=config["client_id"],
            data_dir=self.data_dir,
            admin_access_key_id=access_key,
            admin_secret_access_key=secret_key,
            client_config=config,
        )

    def logs(self) -> str:
        def tail(path: Path) -> str:
            try:
                text = path.read_text(errors="replace")
            except FileNotFoundError:
                return "(none)"
            return text[-8000:] if text else "(empty)"

        return (
            f"--- {self.binary} stderr ---\n{tail(self.stderr_path)}\n"
            f"--- stdout ---\n{tail(self.stdout_path)}"
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if os.environ.get("COFFER_INTEROP_KEEP_DATA"):
            return
        shutil.rmtree(self.work_dir, ignore_errors=True)


def read_admin_credentials(path: Path) -> tuple[str, str]:
    """The admin key from the AWS shared-credentials file the server wrote."""
    parser = configparser.ConfigParser()
    if not parser.read(path):
        raise LocalCloudStartError(f"cannot read {path}")
    if not parser.has_section(ADMIN_PROFILE):
        raise LocalCloudStartError(f"{path} has no [{ADMIN_PROFILE}] profile")
    profile = parser[ADMIN_PROFILE]
    return profile["aws_access_key_id"], profile["aws_secret_access_key"]


# --- boto3 clients -------------------------------------------------------------------------------

# One attempt only: tests must see the server's first answer, and a retried write would hide bugs.
NO_RETRIES = {"total_max_attempts": 1}


def admin_client(cloud: LocalCloud, *, access_key_id=None, secret_access_key=None):
    """A SigV4-signing cognito-idp client (admin key unless other keys are given)."""
    return boto3.session.Session().client(
        "cognito-idp",
        endpoint_url=cloud.endpoint,
        region_name=REGION,
        aws_access_key_id=access_key_id or cloud.admin_access_key_id,
        aws_secret_access_key=secret_access_key or cloud.admin_secret_access_key,
        config=Config(retries=NO_RETRIES),
    )


def unsigned_client(cloud: LocalCloud):
    """A cognito-idp client that sends no Authorization header at all."""
    return boto3.session.Session().client(
        "cognito-idp",
        endpoint_url=cloud.endpoint,
        region_name=REGION,
        config=Config(signature_version=UNSIGNED, retries=NO_RETRIES),
    )


# --- outbox --------------------------------------------------------------------------------------


def read_outbox(cloud: LocalCloud) -> list[dict]:
    status, body = http_get(f"{cloud.endpoint}/_local/outbox")
    if status != 200:
        raise AssertionError(f"GET /_local/outbox answered {status}: {body[:500]!r}")
    messages = json.loads(body)
    if not isinstance(messages, list):
        raise AssertionError(f"/_local/outbox is not a JSON array: {body[:500]!r}")
    return messages


def newest_code(
    cloud: LocalCloud,
    *,
    user_pool_id: str,
    username: str,
    purpose: str,
    timeout_s: float = 5.0,
) -> str:
    """The code of the newest outbox message for this user and purpose.

    `username` may be what the user typed (e.g. the e-mail in an e-mail-as-username pool) or the
    internal username; the message matches on either its `username` or its `destination`.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        messages = read_outbox(cloud)
        matching = [
            m
            for m in messages
            if m.get("user_pool_id") == user_pool_id
            and m.get("purpose") == purpose
            and username in (m.get("username"), m.get("destination"))
        ]
        if matching:
            return matching[-1]["code"]  # the outbox is oldest first
        if time.monotonic() >= deadline:
            summary = [{k: v for k, v in m.items() if k != "code"} for m in messages[-10:]]
            raise AssertionError(
                f"no {purpose!r} message for {username!r} in pool {user_pool_id}; "
                f"newest messages (codes hidden): {summary}"
            )
        time.sleep(0.1)


# --- users ---------------------------------------------------------------------------------------


def unique_email(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(5)}@example.test"


def unique_name(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(5)}"


def attribute(attributes: list[dict], name: str) -> str | None:
    for item in attributes:
        if item["Name"] == name:
            return item["Value"]
    return None


def secret_hash(username: str, client_id: str, client_secret: str) -> str:
    """Cognito's SECRET_HASH: base64(HMAC-SHA256(client_secret, username || client_id))."""
    digest = hmac.new(
        client_secret.encode(), (username + client_id).encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def sign_up_and_confirm(
    cloud: LocalCloud,
    public,
    *,
    user_pool_id: str,
    client_id: str,
    username: str,
    email: str,
    password: str = PASSWORD,
) -> str:
    """SignUp, then ConfirmSignUp with the code from the outbox (both unsigned). Returns the sub."""
    signed_up = public.sign_up(
        ClientId=client_id,
        Username=username,
        Password=password,
        UserAttributes=[{"Name": "email", "Value": email}],
    )
    code = newest_code(cloud, user_pool_id=user_pool_id, username=username, purpose="sign-up")
    public.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=code)
    return signed_up["UserSub"]


def admin_create_confirmed_user(
    admin, *, user_pool_id: str, username: str, email: str, password: str = PASSWORD
) -> dict:
    """AdminCreateUser (no message) + AdminSetUserPassword(Permanent). Returns AdminGetUser."""
    admin.admin_create_user(
        UserPoolId=user_pool_id,
        Username=username,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
        ],
        MessageAction="SUPPRESS",
    )
    admin.admin_set_user_password(
        UserPoolId=user_pool_id, Username=username, Password=password, Permanent=True
    )
    return admin.admin_get_user(UserPoolId=user_pool_id, Username=username)


def track_new_device(public, authentication_result: dict) -> str:
    """ConfirmDevice for the device a sign-in's NewDeviceMetadata created, as AWS's own SDKs do
    right after signing in. In a pool that tracks devices (the demo pool does) the refresh token
    works only with this DEVICE_KEY, and only once the device is confirmed. Returns the key."""
    from pycognito.aws_srp import generate_hash_device

    metadata = authentication_result["NewDeviceMetadata"]
    _, verifier_config = generate_hash_device(metadata["DeviceGroupKey"], metadata["DeviceKey"])
    public.confirm_device(
        AccessToken=authentication_result["AccessToken"],
        DeviceKey=metadata["DeviceKey"],
        DeviceSecretVerifierConfig=verifier_config,
    )
    return metadata["DeviceKey"]
