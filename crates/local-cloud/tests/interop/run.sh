#!/usr/bin/env bash
# Drives a fresh local cloud with independent clients: boto3, the AWS CLI, pycognito and
# amazon-cognito-identity-js. Not part of `cargo test` (it needs Python and Node packages):
#   pip install boto3 pycognito awscli; npm install amazon-cognito-identity-js (NODE_PATH set)
#   bash crates/local-cloud/tests/interop/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${CARGO_TARGET_DIR:-$here/../../../../target}"
cargo build -q -p local-cloud --example serve
data="$(mktemp -d)"
port="${PORT:-45661}"
endpoint="http://127.0.0.1:$port"
"$target/debug/examples/serve" "127.0.0.1:$port" "$data" >"$data/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 50); do curl -fs "$endpoint/_local/health" >/dev/null && break; sleep 0.1; done
pool="$(sed -n 's/^user_pool_id = "\(.*\)"/\1/p' "$data/coffer.toml")"
client="$(sed -n 's/^client_id = "\(.*\)"/\1/p' "$data/coffer.toml")"

export AWS_SHARED_CREDENTIALS_FILE="$data/credentials" AWS_CONFIG_FILE="$data/aws-config" AWS_PROFILE=coffer-local-admin
python3 "$here/boto3_smoke.py" "$endpoint" "$data"
aws cognito-idp describe-user-pool --user-pool-id "$pool" --query UserPool.Name --output text | grep -qx coffer-demo
echo '{"aws-cli": "ok"}'
unset AWS_SHARED_CREDENTIALS_FILE AWS_CONFIG_FILE AWS_PROFILE
python3 "$here/pycognito_smoke.py" "$endpoint" "$pool" "$client"
node "$here/cognito_identity_js_smoke.js" "$endpoint" "$pool" "$client"
