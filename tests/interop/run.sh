#!/usr/bin/env bash
# Runs the independent-client interop suites against a fresh `coffer local-cloud` each:
#   pytest  (boto3 admin API + pycognito SRP)  and  node --test  (amazon-cognito-identity-js).
# Installs nothing. Beforehand, from the repo root:
#   cargo build -p coffer-cli        (or set COFFER_BIN to a built `coffer`)
#   python3 -m pip install -r tests/interop/requirements.txt
#   npm ci --prefix tests/interop
# Exits non-zero if either suite fails; prints both summaries at the end.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/../.."

python_log="$(mktemp)"
node_log="$(mktemp)"
trap 'rm -f "$python_log" "$node_log"' EXIT

echo "== pytest tests/interop"
python3 -m pytest -q tests/interop 2>&1 | tee "$python_log"
python_status=${PIPESTATUS[0]}

echo
echo "== node --test tests/interop/*.test.mjs"
node --test tests/interop/*.test.mjs 2>&1 | tee "$node_log"
node_status=${PIPESTATUS[0]}

echo
echo "== interop summary"
echo "pytest (exit $python_status): $(grep -E '[0-9]+ (passed|failed|error)' "$python_log" | tail -n 1)"
echo "node   (exit $node_status): $(grep -E '^# (pass|fail) ' "$node_log" | tr '\n' ' ')"

if [ "$python_status" -ne 0 ] || [ "$node_status" -ne 0 ]; then
  exit 1
fi
