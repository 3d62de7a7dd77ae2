"""The AWS CLI and boto3 act as a Coffer user through `credential_process = coffer credentials`.

A user signs in with the `coffer` CLI (tokens in the OS keychain); an AWS config profile runs
`coffer credentials --config <data>/coffer.toml` to get the identity pool's temporary credentials.
With them, both independent clients can put, get and list inside `private/<identity id>/` and are
refused (AccessDenied) on another identity's prefix, on the bucket root and on another bucket.
Credentials with a wrong secret, or without their session token, are refused.

Needs a Secret Service on the session bus (scripts/test-all provides a throwaway gnome-keyring).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from harness import PASSWORD, coffer_binary, newest_code, unique_email

PROFILE = "coffer-user"
OTHER_BUCKET = "someone-elses-bucket"


def coffer(cloud, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    config = cloud.data_dir / "coffer.toml"
    return subprocess.run(
        [str(coffer_binary()), "--config", str(config), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr}"
    return result.stdout


def sign_in_new_user(cloud) -> tuple[str, str]:
    """Signs up, confirms and signs in a new user with the CLI; returns (email, identity id)."""
    email = unique_email("cp")
    ok(coffer(cloud, "sign-up", "--username", email, "--password-stdin", stdin=PASSWORD + "\n"))
    code = newest_code(cloud, user_pool_id=cloud.user_pool_id, username=email, purpose="sign-up")
    ok(coffer(cloud, "confirm-sign-up", "--username", email, stdin=code + "\n"))
    ok(coffer(cloud, "sign-in", "--username", email, "--password-stdin", stdin=PASSWORD + "\n"))
    ok(coffer(cloud, "ls"))  # resolves (and stores) the identity id
    who = json.loads(ok(coffer(cloud, "whoami", "--json")))
    assert who["identity_id"], who
    assert who["identity_id"] != who["sub"]
    return email, who["identity_id"]


@pytest.fixture(scope="module")
def person(local_cloud, tmp_path_factory):
    """Two users; the second stays signed in. An AWS config with a credential_process profile."""
    bucket = local_cloud.client_config.get("bucket")
    assert bucket, "the demo coffer.toml names a bucket"
    assert local_cloud.client_config.get("identity_pool_id"), "and an identity pool"
    _, other_id = sign_in_new_user(local_cloud)
    email, identity_id = sign_in_new_user(local_cloud)
    assert identity_id != other_id

    work = tmp_path_factory.mktemp("aws")
    config_file = work / "config"
    command = f"{coffer_binary()} credentials --config {local_cloud.data_dir / 'coffer.toml'}"
    config_file.write_text(
        f"[profile {PROFILE}]\n"
        f"region = {local_cloud.region}\n"
        f"credential_process = {command}\n"
        "s3 =\n"
        "    addressing_style = path\n"
    )
    env_overrides = {
        "AWS_CONFIG_FILE": str(config_file),
        "AWS_SHARED_CREDENTIALS_FILE": str(work / "no-credentials"),
        "AWS_PROFILE": PROFILE,
    }
    return {
        "cloud": local_cloud,
        "bucket": bucket,
        "email": email,
        "identity_id": identity_id,
        "other_id": other_id,
        "work": work,
        "env": env_overrides,
    }


def aws(person, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(person["env"])
    return subprocess.run(
        [sys.executable, "-m", "awscli", "--endpoint-url", person["cloud"].address, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


@pytest.fixture
def boto3_s3(person, monkeypatch):
    """An S3 client from a boto3 session on the credential_process profile."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    for name, value in person["env"].items():
        monkeypatch.setenv(name, value)
    session = boto3.Session(profile_name=PROFILE)
    return session.client(
        "s3",
        endpoint_url=person["cloud"].address,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )


def error_code(err: botocore.exceptions.ClientError) -> str:
    return err.response["Error"]["Code"]


def test_credentials_prints_the_credential_process_json(person):
    out = ok(coffer(person["cloud"], "credentials"))
    document = json.loads(out)
    assert set(document) == {
        "Version",
        "AccessKeyId",
        "SecretAccessKey",
        "SessionToken",
        "Expiration",
    }
    assert document["Version"] == 1
    assert document["Expiration"].endswith("Z")


def test_aws_cli_puts_gets_and_lists_in_its_own_prefix(person):
    prefix = f"s3://{person['bucket']}/private/{person['identity_id']}"
    source = person["work"] / "hello world é.txt"
    source.write_bytes(b"hello from the AWS CLI\n" * 1000)
    ok(aws(person, "s3", "cp", str(source), f"{prefix}/cli/hello world é.txt"))
    listing = ok(aws(person, "s3", "ls", f"{prefix}/cli/"))
    assert "hello world é.txt" in listing
    back = person["work"] / "back.txt"
    ok(aws(person, "s3", "cp", f"{prefix}/cli/hello world é.txt", str(back)))
    assert back.read_bytes() == source.read_bytes()
    # And coffer sees the same file under the same key.
    assert "cli/" in ok(coffer(person["cloud"], "ls"))
    assert "hello world é.txt" in ok(coffer(person["cloud"], "ls", "cli"))


def test_aws_cli_is_refused_outside_its_prefix(person):
    bucket = person["bucket"]
    source = person["work"] / "x.txt"
    source.write_bytes(b"x")
    refused = [
        ("s3", "cp", str(source), f"s3://{bucket}/private/{person['other_id']}/x.txt"),
        ("s3", "ls", f"s3://{bucket}/private/{person['other_id']}/"),
        ("s3", "cp", str(source), f"s3://{bucket}/x.txt"),
        ("s3", "ls", f"s3://{bucket}/"),
        ("s3", "cp", str(source), f"s3://{OTHER_BUCKET}/private/{person['identity_id']}/x.txt"),
    ]
    for args in refused:
        result = aws(person, *args)
        assert result.returncode != 0, args
        assert "AccessDenied" in result.stderr, (args, result.stderr)


def test_aws_cli_copies_moves_and_removes_recursively_in_its_own_prefix(person):
    """`s3 cp/mv` between keys are CopyObject (+ DeleteObject); `s3 rm --recursive` is
    DeleteObjects. The same commands aimed at another identity's prefix are refused."""
    prefix = f"s3://{person['bucket']}/private/{person['identity_id']}/tree"
    other = f"s3://{person['bucket']}/private/{person['other_id']}"
    source = person["work"] / "tree"
    (source / "sub dir").mkdir(parents=True)
    (source / "a.txt").write_bytes(b"a" * 10_000)
    (source / "sub dir" / "b é.txt").write_bytes(b"b" * 20_000)
    ok(aws(person, "s3", "cp", "--recursive", str(source), f"{prefix}/src/"))
    ok(aws(person, "s3", "cp", f"{prefix}/src/a.txt", f"{prefix}/copy/a.txt"))
    ok(aws(person, "s3", "mv", f"{prefix}/src/sub dir/b é.txt", f"{prefix}/moved/b é.txt"))
    listing = ok(aws(person, "s3", "ls", "--recursive", f"{prefix}/"))
    keys = sorted(line.split(maxsplit=3)[3] for line in listing.splitlines())
    base = f"private/{person['identity_id']}/tree"
    assert keys == [f"{base}/copy/a.txt", f"{base}/moved/b é.txt", f"{base}/src/a.txt"]
    back = person["work"] / "moved.txt"
    ok(aws(person, "s3", "cp", f"{prefix}/moved/b é.txt", str(back)))
    assert back.read_bytes() == b"b" * 20_000

    for args in [
        ("s3", "cp", f"{prefix}/src/a.txt", f"{other}/planted.txt"),
        ("s3", "rm", "--recursive", f"{other}/"),
    ]:
        result = aws(person, *args)
        assert result.returncode != 0, args
        assert "AccessDenied" in result.stderr, (args, result.stderr)

    removed = ok(aws(person, "s3", "rm", "--recursive", f"{prefix}/"))
    assert removed.count("delete:") == 3, removed
    # `s3 ls` exits 1 when it lists nothing.
    empty = aws(person, "s3", "ls", "--recursive", f"{prefix}/")
    assert (empty.returncode, empty.stdout, empty.stderr) == (1, "", "")


def test_boto3_delete_objects_refuses_keys_outside_its_prefix_one_by_one(person, boto3_s3):
    bucket = person["bucket"]
    mine = f"private/{person['identity_id']}/boto3-batch/one.txt"
    boto3_s3.put_object(Bucket=bucket, Key=mine, Body=b"1")
    theirs = f"private/{person['other_id']}/whatever.txt"
    out = boto3_s3.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": mine}, {"Key": theirs}]}
    )
    assert [d["Key"] for d in out.get("Deleted", [])] == [mine]
    assert [(e["Key"], e["Code"]) for e in out.get("Errors", [])] == [(theirs, "AccessDenied")]
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        boto3_s3.head_object(Bucket=bucket, Key=mine)
    # As on AWS: the role may list the bucket only under an `s3:prefix` condition, so a
    # missing key answers 403, not 404 (S3 API reference, HeadObject permissions).
    assert caught.value.response["Error"]["Code"] == "403"


def test_boto3_puts_gets_and_lists_in_its_own_prefix(person, boto3_s3):
    key = f"private/{person['identity_id']}/boto3/data file.bin"
    body = bytes(range(256)) * 4096
    boto3_s3.put_object(Bucket=person["bucket"], Key=key, Body=body)
    assert boto3_s3.get_object(Bucket=person["bucket"], Key=key)["Body"].read() == body
    listed = boto3_s3.list_objects_v2(
        Bucket=person["bucket"], Prefix=f"private/{person['identity_id']}/boto3/"
    )
    assert [o["Key"] for o in listed.get("Contents", [])] == [key]


def test_boto3_is_refused_outside_its_prefix(person, boto3_s3):
    bucket = person["bucket"]
    calls = [
        lambda: boto3_s3.put_object(
            Bucket=bucket, Key=f"private/{person['other_id']}/x", Body=b"x"
        ),
        lambda: boto3_s3.get_object(Bucket=bucket, Key=f"private/{person['other_id']}/x"),
        lambda: boto3_s3.list_objects_v2(Bucket=bucket, Prefix=f"private/{person['other_id']}/"),
        lambda: boto3_s3.list_objects_v2(Bucket=bucket),
        lambda: boto3_s3.put_object(Bucket=bucket, Key="root.txt", Body=b"x"),
        lambda: boto3_s3.put_object(
            Bucket=OTHER_BUCKET, Key=f"private/{person['identity_id']}/x", Body=b"x"
        ),
    ]
    for index, call in enumerate(calls):
        with pytest.raises(botocore.exceptions.ClientError) as caught:
            call()
        assert error_code(caught.value) == "AccessDenied", (index, caught.value.response)


def test_a_wrong_secret_or_a_missing_session_token_is_refused(person):
    document = json.loads(ok(coffer(person["cloud"], "credentials")))
    key = f"private/{person['identity_id']}/tamper.txt"

    def client(**credentials):
        return boto3.client(
            "s3",
            endpoint_url=person["cloud"].address,
            region_name=person["cloud"].region,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
            **credentials,
        )

    good = client(
        aws_access_key_id=document["AccessKeyId"],
        aws_secret_access_key=document["SecretAccessKey"],
        aws_session_token=document["SessionToken"],
    )
    good.put_object(Bucket=person["bucket"], Key=key, Body=b"ok")

    wrong_secret = client(
        aws_access_key_id=document["AccessKeyId"],
        aws_secret_access_key=document["SecretAccessKey"][:-1] + "A"
        if not document["SecretAccessKey"].endswith("A")
        else document["SecretAccessKey"][:-1] + "B",
        aws_session_token=document["SessionToken"],
    )
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        wrong_secret.put_object(Bucket=person["bucket"], Key=key, Body=b"tampered")
    assert error_code(caught.value) == "SignatureDoesNotMatch", caught.value.response

    no_token = client(
        aws_access_key_id=document["AccessKeyId"],
        aws_secret_access_key=document["SecretAccessKey"],
    )
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        no_token.put_object(Bucket=person["bucket"], Key=key, Body=b"tampered")
    assert error_code(caught.value) in {"InvalidAccessKeyId", "InvalidToken", "AccessDenied"}, (
        caught.value.response
    )
    # Neither refused request changed the object.
    assert good.get_object(Bucket=person["bucket"], Key=key)["Body"].read() == b"ok"


def test_guest_credentials_reach_only_the_guest_prefix(person):
    cloud = person["cloud"]
    document = json.loads(ok(coffer(cloud, "--guest", "credentials")))
    source = Path(person["work"]) / "guest.txt"
    source.write_text("guest")
    ok(coffer(cloud, "--guest", "upload", str(source)))
    listing = ok(coffer(cloud, "--guest", "ls"))
    assert "guest.txt" in listing
    guest = boto3.client(
        "s3",
        endpoint_url=cloud.address,
        region_name=cloud.region,
        aws_access_key_id=document["AccessKeyId"],
        aws_secret_access_key=document["SecretAccessKey"],
        aws_session_token=document["SessionToken"],
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        guest.put_object(
            Bucket=person["bucket"], Key=f"private/{person['identity_id']}/x", Body=b"x"
        )
    assert error_code(caught.value) == "AccessDenied"
