#!/usr/bin/env bash
# Speed benchmarks for issues 4 and 15, side by side:
#
#   1. `tokenspec export --type=cicd` on the real spec and a full `.tokens`,
#      against `dotenvy-export` (bench/dotenvy-export: read the same file with
#      dotenvy, print the same `export` lines), built twice: with cargo's
#      default release settings (profile `baseline`, as `cargo build
#      --release` builds a new crate; the headline ratio) and with tokenspec's
#      own tuned release profile (`dotenvy-export (tuned)`), and python-dotenv's
#      `dotenv list --format=export`;
#   2. the same at 1k, 10k, 100k and 1M tokens, with a generated spec that
#      declares every entry so all of them print the same lines: hyperfine,
#      and `bench/rss.py` for time, peak RSS and page faults side by side in
#      one interleaved run per size. python-dotenv is left out from 100k: it
#      grows faster than linearly and one run takes minutes there;
#   3. the macro: `bench/macro-rebuild.py` times a spec edit rebuilding an
#      11-token and a 1,011-token crate, interleaved.
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
#        BENCH_SIZES="1000 10000" bench/run.sh   (other scaling sizes)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

quick=false
[[ ${1:-} == --quick ]] && quick=true

step() { printf '\n==> %s\n' "$*" >&2; }

step "tools"
missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
[[ -x /usr/bin/time ]] || missing+=(time)
if ((${#missing[@]})); then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
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

sizes=(${BENCH_SIZES:-1000 10000 100000 1000000})
for n in "${sizes[@]}"; do
    dir=$work/n$n
    mkdir "$dir"
    # Letters only: the default CI value `ci_test_<name>` of a name with many
    # digits can read as high-entropy text, which the spec rejects.
    names=$(python3 -c 'import itertools, string, sys
for t in itertools.islice(itertools.product(string.ascii_uppercase, repeat=5), int(sys.argv[1])):
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
for n in "${sizes[@]}"; do
    # The first run parses the spec and fills the cache, as a pipeline's first step does.
    same_output "$work/n$n" "$( ((n <= 10000)) && echo true || echo false)"
done

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

for n in "${sizes[@]}"; do
    step "$n tokens: hyperfine"
    opts=("${scale_opts[@]}")
    ((n >= 1000000)) && opts=(--warmup 1 --runs 3)
    bench "n$n" "$work/n$n" "$( ((n <= 10000)) && echo true || echo false)" "${opts[@]}"
    step "$n tokens: time, peak RSS and page faults, interleaved"
    if $quick; then runs=3; elif ((n >= 1000000)); then runs=5; else runs=15; fi
    (cd "$work/n$n" && "${clean_env[@]}" python3 "$root/bench/rss.py" "$out/rss-n$n" "$runs" \
        "tokenspec export=$tokenspec export --type=cicd" "dotenvy-export=$baseline .tokens")
done
step "real spec: peak RSS, interleaved"
(cd "$work/real" && "${clean_env[@]}" python3 "$root/bench/rss.py" "$out/rss-real" 50 \
    "tokenspec export=$tokenspec export --type=cicd" "dotenvy-export=$baseline .tokens")
(cd "$work/real" && "${nocache_env[@]}" python3 "$root/bench/rss.py" "$out/rss-real-nocache" 50 \
    "tokenspec export=$tokenspec export --type=cicd" "dotenvy-export=$baseline .tokens")

step "macro: rebuild after a spec edit, 11 and 1,011 tokens"
if $quick; then macro_rounds=2; else macro_rounds=10; fi
python3 "$root/bench/macro-rebuild.py" "$out/macro-rebuild.md" "$macro_rounds"

step "ratios"
python3 - "$out" "${sizes[@]}" <<'EOF' | tee "$out/ratios.md"
import json, sys
out, sizes = sys.argv[1], [int(n) for n in sys.argv[2:]]
def means(name):
    runs = json.load(open(f"{out}/{name}.json"))["results"]
    return {r["command"]: r["mean"] for r in runs}
def medians(name):
    return json.load(open(f"{out}/{name}.json"))["medians"]
real, cold = means("real"), means("real-nocache")
ts, dv, dvt, py = "tokenspec export", "dotenvy-export", "dotenvy-export (tuned)", "python-dotenv"
print("| measure | result | target |")
print("|---|---|---|")
print(f"| tokenspec / dotenvy-export, real spec (hyperfine means) | {real[ts] / real[dv]:.2f}x | at most 1.2x |")
print(f"| the same, spec cache off | {cold[ts] / cold[dv]:.2f}x | |")
print(f"| tokenspec / dotenvy-export (tuned), real spec | {real[ts] / real[dvt]:.2f}x | |")
print(f"| python-dotenv / tokenspec, real spec | {real[py] / real[ts]:.0f}x | at least 50x |")
for name, label in (("rss-real", "real spec"), ("rss-real-nocache", "real spec, cache off")):
    m = medians(name)
    print(f"| peak RSS tokenspec / dotenvy-export, {label} | {m[ts]['max_rss_kb'] / m[dv]['max_rss_kb']:.2f}x | at most 1.3x |")
for n in sizes:
    m = medians(f"rss-n{n}")
    t, r = m[ts]["seconds"] / m[dv]["seconds"], m[ts]["max_rss_kb"] / m[dv]["max_rss_kb"]
    print(f"| {n} tokens: time / dotenvy-export, interleaved | {t:.2f}x | 100k: at most 0.5x; 1M: below 1x |")
    print(f"| {n} tokens: peak RSS / dotenvy-export | {r:.2f}x | 100k: at most 1.5x |")
for a, b in zip(sizes, sizes[1:]):
    ma, mb = medians(f"rss-n{a}"), medians(f"rss-n{b}")
    for tool in (ts, dv):
        print(f"| {tool}: {b} / {a} tokens, time / RSS | {mb[tool]['seconds'] / ma[tool]['seconds']:.1f}x / "
              f"{mb[tool]['max_rss_kb'] / ma[tool]['max_rss_kb']:.1f}x | about {b // a}x (linear) |")
EOF
echo >&2
echo "tables: $out/*.md; ratios: $out/ratios.md" >&2
