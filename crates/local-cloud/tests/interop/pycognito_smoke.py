"""pycognito (SRP over boto3, JWKS verification) against a running local cloud's demo backend.

Usage: python3 pycognito_smoke.py <endpoint> <user pool id> <client id>
Needs no credentials: every call it makes is one AWS leaves unsigned.
"""

import sys
import uuid

import boto3
import requests
from botocore import UNSIGNED
from botocore.config import Config
from pycognito import Cognito

endpoint, pool_id, client_id = sys.argv[1:4]
email = f"py-{uuid.uuid4().hex[:8]}@example.com"
password = "PyC0gnito-Secret!"
unsigned = Config(signature_version=UNSIGNED)

idp = boto3.client("cognito-idp", endpoint_url=endpoint, region_name="us-east-1", config=unsigned)
idp.sign_up(ClientId=client_id, Username=email, Password=password)
outbox = requests.get(f"{endpoint}/_local/outbox", timeout=5).json()
code = [m for m in outbox if m["destination"] == email][-1]["code"]
idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=code)

user = Cognito(pool_id, client_id, username=email, boto3_client_kwargs={"endpoint_url": endpoint, "config": unsigned})
user.authenticate(password=password)  # USER_SRP_AUTH, then verifies both tokens against our JWKS
assert user.id_claims["email"] == email, user.id_claims
assert user.access_claims["token_use"] == "access"
details = user.get_user()
assert details.email == email

wrong = Cognito(pool_id, client_id, username=email, boto3_client_kwargs={"endpoint_url": endpoint, "config": unsigned})
try:
    wrong.authenticate(password="Wr0ng-Secret!")
except idp.exceptions.NotAuthorizedException:
    pass
else:
    raise AssertionError("a wrong password was accepted")

user.renew_access_token()  # REFRESH_TOKEN_AUTH
user.check_token()
print('{"pycognito": "ok"}')
