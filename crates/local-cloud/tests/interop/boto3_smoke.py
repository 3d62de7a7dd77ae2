"""boto3 against a running local cloud: SigV4-signed admin calls, unsigned user calls, errors.

Usage: AWS_SHARED_CREDENTIALS_FILE=<data>/credentials AWS_CONFIG_FILE=<data>/aws-config \
       AWS_PROFILE=coffer-local-admin python3 boto3_smoke.py <endpoint> <data dir>
"""

import json
import sys

import boto3
from botocore.exceptions import ClientError

endpoint, data_dir = sys.argv[1], sys.argv[2]
idp = boto3.client("cognito-idp", endpoint_url=endpoint, region_name="us-east-1")


def expect_error(code, call, **kwargs):
    try:
        call(**kwargs)
    except ClientError as err:
        got = err.response["Error"]["Code"]
        assert got == code, f"expected {code}, got {got}: {err}"
        return err.response["Error"]["Message"]
    raise AssertionError(f"expected {code}, call succeeded")


pools = idp.list_user_pools(MaxResults=10)["UserPools"]
assert any(p["Name"] == "coffer-demo" for p in pools), pools
pool_id = idp.create_user_pool(PoolName="boto3-pool")["UserPool"]["Id"]
client = idp.create_user_pool_client(
    UserPoolId=pool_id,
    ClientName="boto3-client",
    GenerateSecret=True,
    ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"],
)["UserPoolClient"]
described = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"])["UserPoolClient"]
assert described["ClientSecret"] == client["ClientSecret"]

import base64, hashlib, hmac

def secret_hash(username):
    mac = hmac.new(client["ClientSecret"].encode(), (username + client["ClientId"]).encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()

password = "B0to3-Passw0rd!"
idp.sign_up(ClientId=client["ClientId"], SecretHash=secret_hash("pyuser"), Username="pyuser", Password=password)
expect_error("NotAuthorizedException", idp.sign_up, ClientId=client["ClientId"], Username="pyuser2", Password=password)
idp.admin_confirm_sign_up(UserPoolId=pool_id, Username="pyuser")
status = idp.admin_get_user(UserPoolId=pool_id, Username="pyuser")["UserStatus"]
assert status == "CONFIRMED", status

tokens = idp.initiate_auth(
    ClientId=client["ClientId"],
    AuthFlow="USER_PASSWORD_AUTH",
    AuthParameters={"USERNAME": "pyuser", "PASSWORD": password, "SECRET_HASH": secret_hash("pyuser")},
)["AuthenticationResult"]
me = idp.get_user(AccessToken=tokens["AccessToken"])
assert me["Username"] == "pyuser"
admin_tokens = idp.admin_initiate_auth(
    UserPoolId=pool_id,
    ClientId=client["ClientId"],
    AuthFlow="ADMIN_USER_PASSWORD_AUTH",
    AuthParameters={"USERNAME": "pyuser", "PASSWORD": password, "SECRET_HASH": secret_hash("pyuser")},
)["AuthenticationResult"]
assert admin_tokens["TokenType"] == "Bearer"
message = expect_error(
    "NotAuthorizedException",
    idp.initiate_auth,
    ClientId=client["ClientId"],
    AuthFlow="USER_PASSWORD_AUTH",
    AuthParameters={"USERNAME": "pyuser", "PASSWORD": "Wr0ng-Passw0rd!", "SECRET_HASH": secret_hash("pyuser")},
)
assert message == "Incorrect username or password.", message
idp.revoke_token(Token=tokens["RefreshToken"], ClientId=client["ClientId"], ClientSecret=client["ClientSecret"])
expect_error("NotAuthorizedException", idp.get_user, AccessToken=tokens["AccessToken"])

bad = boto3.client(
    "cognito-idp", endpoint_url=endpoint, region_name="us-east-1",
    aws_access_key_id="AKIAUNKNOWNKEY000000", aws_secret_access_key="x" * 40,
)
expect_error("UnrecognizedClientException", bad.list_user_pools, MaxResults=1)
print(json.dumps({"boto3": "ok", "pool": pool_id}))
