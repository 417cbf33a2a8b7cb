#!/usr/bin/env bash
# Speed benchmarks for issue 4, side by side with hyperfine:
#
#   1. `tokenspec export --type=cicd` on the real spec and a full `.tokens`,
#      against `dotenvy-export` (bench/dotenvy-export: read the same file with
#      dotenvy, print the same `export` lines), built twice: with cargo's
#      default release settings (profile `baseline`, as `cargo build
#      --release` builds a new crate; the headline ratio) and with tokenspec's
#      own tuned release profile (`dotenvy-export (tuned)`), and python-dotenv's
#      `dotenv list --format=export`;
#   2. the same at 1k, 10k and 100k tokens, with a generated spec that
#      declares every entry so all of them print the same lines. python-dotenv
#      is left out at 100k: it grows faster than linearly and one run takes
#      minutes there.
#
# tokenspec runs with its spec cache in the temp dir (filled by the warm-up
# runs, as a pipeline's first step fills it); the real spec is measured once
# more with TOKENSPEC_NO_CACHE=1.
#
# Installs what is missing (hyperfine from Debian, python-dotenv[cli] in a
# venv under target/), builds release binaries, writes fixtures to a temp dir
# and results to target/bench/. Takes a few minutes on 2 cores. Not part of
# the test suite: timings belong in docs/benchmarks.md, never in assertions.
#
# Usage: bench/run.sh [--quick]   (--quick: fewer runs, for checking the script)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

quick=false
[[ ${1:-} == --quick ]] && quick=true

step() { printf '\n==> %s\n' "$*" >&2; }

step "tools"
if ! command -v hyperfine >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq hyperfine >/dev/null
fi
venv=$root/target/bench/venv
# A venv's own script, not a version-manager shim: a shim adds a shell and
# its own start-up to every python-dotenv run, which would flatter tokenspec.
if ! "$venv/bin/dotenv" --version >/dev/null 2>&1; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'python-dotenv[cli]'
fi
pydotenv=$venv/bin/dotenv
hyperfine --version >&2
"$pydotenv" --version >&2
rustc --version >&2

step "release build"
cargo build --release --quiet -p tokenspec-cli -p dotenvy-export --bin tokenspec --bin dotenvy-export
cargo build --profile baseline --quiet -p dotenvy-export
tokenspec=$root/target/release/tokenspec
baseline=$root/target/baseline/dotenvy-export
baseline_tuned=$root/target/release/dotenvy-export

out=$root/target/bench
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The environment is fixed so the host cannot change what tokenspec reads:
# no APP_ENV or CI means base files only (`.tokens`), the one file the
# baselines read; no token variables means every value comes from the file.
# The spec cache lives in the temp dir: the warm-up runs fill it, as the first
# step of a pipeline does. `nocache_env` measures every run parsing the spec.
clean_env=(env -u APP_ENV -u CI -u AAR_TOKEN -u CI_BOT_TOKEN -u CI_ISSUE_AUTOMATION_TOKEN
    -u DEV_ORCHESTRATION_BOT_KEY -u PROD_ORCHESTRATION_BOT_KEY -u STAGING_ORCHESTRATION_BOT_KEY
    -u TOKENSPEC_NO_CACHE -u XDG_CACHE_HOME TOKENSPEC_CACHE_DIR="$work/cache")
nocache_env=("${clean_env[@]}" TOKENSPEC_NO_CACHE=1)

# Fake GitHub PATs: `ghp_` and 36 random alphanumerics, one per line.
pats() {
    LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | fold -w 36 | head -n "$1" | sed 's/^/ghp_/'
}

step "fixtures in $work"
mkdir "$work/real"
cp token-spec.toml "$work/real/"
cicd=(AAR_TOKEN CI_BOT_TOKEN CI_ISSUE_AUTOMATION_TOKEN DEV_ORCHESTRATION_BOT_KEY
    PROD_ORCHESTRATION_BOT_KEY STAGING_ORCHESTRATION_BOT_KEY)
paste -d= <(printf '%s\n' "${cicd[@]}") <(pats ${#cicd[@]}) >"$work/real/.tokens"
chmod 600 "$work/real/.tokens"

for n in 1000 10000 100000; do
    dir=$work/n$n
    mkdir "$dir"
    # Letters only: the default CI value `ci_test_<name>` of a name with many
    # digits can read as high-entropy text, which the spec rejects.
    names=$(python3 -c 'import itertools, string, sys
for t in itertools.islice(itertools.product(string.ascii_uppercase, repeat=4), int(sys.argv[1])):
    print("BENCH_TOKEN_" + "".join(t))' "$n")
    {
        echo 'version = 1'
        # One line per token keeps a 100k-token spec small enough to read.
        printf '%s\n' "$names" | sed 's/.*/[[token]]\nname = "&"\nclass = "cicd"\ndescription = "benchmark token"\nformat = "github_pat"/'
    } >"$dir/token-spec.toml"
    paste -d= <(printf '%s\n' "$names") <(pats "$n") >"$dir/.tokens"
    chmod 600 "$dir/.tokens"
done

# Same output or no comparison: every tool must print the same lines.
# Usage: same_output DIR with_python(true|false)
same_output() {
    local dir=$1 python=$2
    (
        cd "$dir"
        "${clean_env[@]}" "$tokenspec" export --type=cicd >"$work/a"
        "$baseline" .tokens >"$work/b"
    )
    sort "$work/a" | cmp -s - <(sort "$work/b") || { echo "error: tokenspec and dotenvy-export differ in $dir" >&2; exit 1; }
    if $python; then
        # python-dotenv quotes only values that need it; these never hold a quote.
        (cd "$dir" && "$pydotenv" -f .tokens list --format=export) | tr -d "'" | sort >"$work/c"
        tr -d "'" <"$work/a" | sort | cmp -s - "$work/c" || { echo "error: tokenspec and python-dotenv differ in $dir" >&2; exit 1; }
    fi
    echo "$(wc -l <"$work/a") identical lines in $(basename "$dir")" >&2
}

# hyperfine without a shell (-N), so no shell start-up is measured.
# Usage: bench NAME DIR with_python(true|false) HYPERFINE_OPTIONS…
# (BENCH_ENV=nocache: tokenspec parses the spec at every run)
bench() {
    local name=$1 dir=$2 python=$3
    shift 3
    local envs=("${clean_env[@]}")
    [[ ${BENCH_ENV:-} == nocache ]] && envs=("${nocache_env[@]}")
    local commands=(
        -n 'tokenspec export' "$tokenspec export --type=cicd"
        -n 'dotenvy-export (tuned)' "$baseline_tuned .tokens"
        -n 'dotenvy-export' "$baseline .tokens"
    )
    if $python; then
        commands+=(-n 'python-dotenv' "$pydotenv -f .tokens list --format=export")
    fi
    (
        cd "$dir"
        "${envs[@]}" hyperfine -N --style basic "$@" \
            --export-markdown "$out/$name.md" --export-json "$out/$name.json" "${commands[@]}"
    )
}

same_output "$work/real" true
same_output "$work/n1000" true
same_output "$work/n10000" true
same_output "$work/n100000" false

if $quick; then
    real_opts=(--warmup 3 --runs 10)
    scale_opts=(--warmup 1 --runs 3)
else
    real_opts=(--warmup 20 --min-runs 200)
    scale_opts=(--warmup 3 --runs 10)
fi

step "real spec, 6 cicd tokens"
bench real "$work/real" true "${real_opts[@]}"
step "real spec, 6 cicd tokens, spec cache off"
BENCH_ENV=nocache bench real-nocache "$work/real" false "${real_opts[@]}"
# The headline ratio once more, in alternating short batches, so that load
# drifting on a shared machine hits both commands alike.
if $quick; then rounds=(2 20); else rounds=(10 200); fi
interleaved() {
    local name=$1
    shift
    (cd "$work/real" && "$@" python3 "$root/bench/interleaved.py" "$out/$name.md" "${rounds[@]}" \
        "tokenspec export=$tokenspec export --type=cicd" "dotenvy-export (tuned)=$baseline_tuned .tokens" \
        "dotenvy-export=$baseline .tokens")
}
step "real spec, interleaved rounds"
interleaved real-interleaved "${clean_env[@]}"
step "real spec, interleaved rounds, spec cache off"
interleaved real-nocache-interleaved "${nocache_env[@]}"

step "1k tokens"
bench n1000 "$work/n1000" true "${scale_opts[@]}"
step "10k tokens"
bench n10000 "$work/n10000" true "${scale_opts[@]}"
step "100k tokens (without python-dotenv)"
bench n100000 "$work/n100000" false "${scale_opts[@]}"

step "ratios (mean times)"
python3 - "$out" <<'EOF' | tee "$out/ratios.md"
import json, sys
out = sys.argv[1]
def means(name):
    runs = json.load(open(f"{out}/{name}.json"))["results"]
    return {r["command"]: r["mean"] for r in runs}
real, n1, n10, n100 = means("real"), means("n1000"), means("n10000"), means("n100000")
cold = means("real-nocache")
ts, dv, py = "tokenspec export", "dotenvy-export", "python-dotenv"
print("| measure | result | target |")
print("|---|---|---|")
dvt = "dotenvy-export (tuned)"
print(f"| tokenspec / dotenvy-export, real spec | {real[ts] / real[dv]:.2f}x | at most 1.2x |")
print(f"| the same, spec cache off | {cold[ts] / cold[dv]:.2f}x | |")
print(f"| tokenspec / dotenvy-export (tuned), real spec | {real[ts] / real[dvt]:.2f}x | |")
print(f"| the same, spec cache off | {cold[ts] / cold[dvt]:.2f}x | |")
print(f"| python-dotenv / tokenspec, real spec | {real[py] / real[ts]:.0f}x | at least 50x |")
for tool in (ts, dv):
    print(f"| {tool}: 100k / 10k tokens | {n100[tool] / n10[tool]:.1f}x | about 10x (linear) |")
for tool in (ts, dv, py):
    print(f"| {tool}: 10k / 1k tokens | {n10[tool] / n1[tool]:.1f}x | about 10x (linear) |")
for n, m in (("1k", n1), ("10k", n10), ("100k", n100)):
    print(f"| tokenspec / dotenvy-export, {n} tokens | {m[ts] / m[dv]:.2f}x | |")
EOF
echo >&2
echo "tables: $out/{real,real-nocache,real-interleaved,real-nocache-interleaved,n1000,n10000,n100000}.md; ratios: $out/ratios.md" >&2
