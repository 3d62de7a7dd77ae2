"""Static checks of infra/coffer.yaml: cfn-lint passes, and the template has what Coffer needs.

The same template is deployed to AWS and provisions the local cloud (crates/cfn-template), so
these checks guard both. Run from the repo root: `python3 -m pytest tests/infra`.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cfnlint.decode import decode

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "infra" / "coffer.yaml"

# Every id the app needs (see ClientConfig::from_stack_outputs in crates/cfn-template).
EXPECTED_OUTPUTS = {
    "Region",
    "UserPoolId",
    "UserPoolClientId",
    "IdentityPoolId",
    "BucketName",
    "HostedUiDomain",
    "RedirectUris",
}
SUB = "${cognito-identity.amazonaws.com:sub}"


def cfn_lint_command():
    """The cfn-lint installed beside this interpreter (the venv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("cfn-lint")
    found = str(beside) if beside.exists() else shutil.which("cfn-lint")
    if found is None:
        pytest.fail("cfn-lint is not installed: pip install -r tests/infra/requirements.txt")
    return found


@pytest.fixture(scope="module")
def template():
    parsed, matches = decode(str(TEMPLATE))
    assert not matches, [str(m) for m in matches]
    return parsed


def test_cfn_lint_passes_in_several_regions():
    result = subprocess.run(
        [
            cfn_lint_command(),
            "--include-checks",
            "I",
            "--regions",
            "us-east-1",
            "eu-west-1",
            "ap-southeast-2",
            "--",
            str(TEMPLATE),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_cfn_lint_fails_on_a_broken_template(tmp_path):
    # The check above can fail: the same template with a misspelt property does not lint.
    broken = tmp_path / "broken.yaml"
    broken.write_text(TEMPLATE.read_text().replace("GenerateSecret:", "GenerateSecrets:", 1))
    result = subprocess.run(
        [cfn_lint_command(), "--", str(broken)], capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "GenerateSecrets" in result.stdout


def test_outputs_are_complete(template):
    assert set(template["Outputs"]) == EXPECTED_OUTPUTS


def test_no_transform_so_the_local_cloud_runs_the_same_template(template):
    assert "Transform" not in template


def resources_of_type(template, resource_type):
    return {
        name: resource
        for name, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def test_app_client_is_public_srp_and_code_flow(template):
    (client,) = resources_of_type(template, "AWS::Cognito::UserPoolClient").values()
    properties = client["Properties"]
    assert properties["GenerateSecret"] is False
    assert properties["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert properties["AllowedOAuthFlows"] == ["code"]
    assert properties["AllowedOAuthScopes"] == [
        "openid",
        "email",
        "profile",
        "aws.cognito.signin.user.admin",
    ]


def test_bucket_is_private_encrypted_and_cleans_up_uploads(template):
    (bucket,) = resources_of_type(template, "AWS::S3::Bucket").values()
    properties = bucket["Properties"]
    assert set(properties["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(properties["PublicAccessBlockConfiguration"]) == 4
    (encryption,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    (rule,) = properties["LifecycleConfiguration"]["Rules"]
    assert rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == {
        "Ref": "AbortIncompleteUploadsAfterDays"
    }


@pytest.mark.parametrize(
    ("role", "amr", "prefix"),
    [
        ("AuthenticatedRole", "authenticated", "private"),
        ("UnauthenticatedRole", "unauthenticated", "guest"),
    ],
)
def test_roles_trust_only_the_pool_and_reach_only_the_own_prefix(template, role, amr, prefix):
    properties = template["Resources"][role]["Properties"]
    (trust,) = properties["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert trust["Condition"]["StringEquals"]["cognito-identity.amazonaws.com:aud"] == {
        "Ref": "IdentityPool"
    }
    assert trust["Condition"]["ForAnyValue:StringLike"]["cognito-identity.amazonaws.com:amr"] == amr

    (policy,) = properties["Policies"]
    statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    assert all(s["Effect"] == "Allow" for s in statements.values())
    objects = statements["ObjectsUnderOwnPrefix"]
    # Inside Fn::Sub the policy variable is escaped as ${!…} so CloudFormation leaves it to IAM.
    escaped = SUB.replace("${", "${!")
    assert objects["Resource"] == {
        "Fn::Sub": f"arn:${{AWS::Partition}}:s3:::${{Bucket}}/{prefix}/{escaped}/*"
    }
    listing = statements["ListOwnPrefixOnly"]
    assert listing["Action"] == "s3:ListBucket"
    own_prefix = [f"{prefix}/{SUB}/", f"{prefix}/{SUB}/*"]
    assert listing["Condition"]["StringLike"]["s3:prefix"] == own_prefix


def test_signed_in_role_may_empty_only_its_own_guest_prefix(template):
    # A guest who signs in keeps the identity id; Coffer then moves guest/ID/* to private/ID/*.
    (policy,) = template["Resources"]["AuthenticatedRole"]["Properties"]["Policies"]
    statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    escaped = SUB.replace("${", "${!")
    move = statements["MoveOwnGuestObjects"]
    assert move["Effect"] == "Allow"
    assert sorted(move["Action"]) == ["s3:DeleteObject", "s3:GetObject"], "never PutObject"
    assert move["Resource"] == {
        "Fn::Sub": f"arn:${{AWS::Partition}}:s3:::${{Bucket}}/guest/{escaped}/*"
    }
    listing = statements["ListOwnGuestPrefix"]
    assert listing["Action"] == "s3:ListBucket"
    assert listing["Condition"]["StringLike"]["s3:prefix"] == [f"guest/{SUB}/", f"guest/{SUB}/*"]
