#!/usr/bin/env bash
# `tokenspec export --type=cicd` start-up against a minimal dotenvy exporter
# (bench/dotenvy-export, built as `cargo build --release` builds a new crate:
# profile `baseline`), on the real spec and on generated 100- and
# 1,000-token specs. Each size is one interleaved run (bench/interleaved.py)
# so that load on a shared machine hits both commands alike; the ratios go
# to docs/benchmarks.md.
#
# Usage: bench/startup.sh [ROUNDS RUNS]   (default 10 rounds of 100 runs)
#        OTHER=/path/to/tokenspec bench/startup.sh   (also time another build)
#        TOKENSPEC_BIN=/path/to/tokenspec bench/startup.sh   (time that build, build nothing)
# Needs hyperfine (apt-get install hyperfine). Results in target/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
rounds=${1:-10}
runs=${2:-100}

if [[ -z ${TOKENSPEC_BIN:-} ]]; then
    cargo build --release --quiet -p tokenspec-cli --bin tokenspec
fi
cargo build --profile baseline --quiet -p dotenvy-export
tokenspec=${TOKENSPEC_BIN:-$root/target/release/tokenspec}
baseline=$root/target/baseline/dotenvy-export
out=$root/target/bench
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# No APP_ENV or CI: base files only (`.tokens`), the one file the baseline
# reads; no token variables: every value comes from the file.
clean_env=(env -i "PATH=$PATH")

# Fake GitHub PATs: `ghp_` and 36 random alphanumerics, one per line.
pats() {
    LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | fold -w 36 | head -n "$1" | sed 's/^/ghp_/'
}

mkdir "$work/real"
cp token-spec.toml "$work/real/"
cicd=$(sed -n '/^\[\[token\]\]/,/^$/p' token-spec.toml | awk -F'"' '
    /^name = / { name = $2 } /^class = "cicd"/ { print name }')
paste -d= <(printf '%s\n' $cicd) <(pats "$(printf '%s\n' $cicd | wc -l)") >"$work/real/.tokens"
for n in 100 1000; do
    dir=$work/n$n
    mkdir "$dir"
    # Letters only: a name with many digits makes a high-entropy CI value.
    names=$(python3 -c 'import itertools, string, sys
for t in itertools.islice(itertools.product(string.ascii_uppercase, repeat=5), int(sys.argv[1])):
    print("BENCH_TOKEN_" + "".join(t))' "$n")
    {
        echo 'version = 1'
        printf '%s\n' "$names" | sed 's/.*/\n[[token]]\nname = "&"\nclass = "cicd"\ndescription = "benchmark token"\nformat = "github_pat"/'
    } >"$dir/token-spec.toml"
    paste -d= <(printf '%s\n' "$names") <(pats "$n") >"$dir/.tokens"
done
chmod 600 "$work"/*/.tokens

for dir in real n100 n1000; do
    cd "$work/$dir"
    # Same output or no comparison.
    "${clean_env[@]}" "$tokenspec" export --type=cicd | sort >"$work/a"
    "$baseline" .tokens | sort >"$work/b"
    cmp -s "$work/a" "$work/b" || { echo "error: tokenspec and dotenvy-export differ in $dir" >&2; exit 1; }
    echo "== $dir: $(wc -l <"$work/a") identical lines" >&2
    commands=("tokenspec export=$tokenspec export --type=cicd")
    [[ -n ${OTHER:-} ]] && commands+=("other=$OTHER export --type=cicd")
    "${clean_env[@]}" python3 "$root/bench/interleaved.py" "$out/startup-$dir.md" "$rounds" "$runs" \
        "${commands[@]}" "dotenvy-export=$baseline .tokens"
done
