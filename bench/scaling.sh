#!/usr/bin/env bash
# Growth of `migrate` and `check` with file size (issue 13, item 5), and of
# check, validate, gen and init with the number of tokens (issue 22): a
# `.env` of 20k, 40k and 80k ordinary settings with a few spec tokens among
# them, run through `tokenspec migrate --dry-run`, `tokenspec migrate` and
# `tokenspec check`. Linear cost means each doubling of the file about
# doubles the time; the script prints the ratio of each step.
#
# Before the fix, `migrate` looked every setting up in a list of the
# settings seen so far (`unknown.contains` in migrate/plan.rs: quadratic),
# and `check` computed an edit distance to every token for every setting.
#
# Usage: bench/scaling.sh            (builds the release binary)
#        TOKENSPEC_BIN=target/debug/tokenspec bench/scaling.sh   (any build)
# Not part of the test suite: timings belong here and in docs/benchmarks.md,
# never in assertions.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

bin=${TOKENSPEC_BIN:-}
if [[ -z $bin ]]; then
    cargo build --release -q -p tokenspec-cli
    bin=$root/target/release/tokenspec
fi
bin=$(realpath "$bin")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# User CPU + system CPU seconds of one run, from bash's `times`-like TIMEFORMAT.
cpu() {
    local TIMEFORMAT='%U %S'
    # The exit code does not matter here (check exits 1 on findings).
    { time "$@" >/dev/null 2>&1 || true; } 2>&1 | awk '{ printf "%.3f", $1 + $2 }'
}

# TOKENSPEC_SCALING_PART=tokens runs only the second table.
part=${TOKENSPEC_SCALING_PART:-all}
printf '%-22s %8s %10s %8s\n' command lines cpu_s ratio
[[ $part == tokens ]] || for cmd in "migrate --dry-run" "migrate" "check"; do
    prev=
    for n in 20000 40000 80000; do
        dir=$work/$n
        rm -rf "$dir"
        mkdir -p "$dir"
        cp token-spec.toml "$dir/"
        git -C "$dir" init -q
        python3 - "$dir/.env" "$n" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    for i in range(n):
        if i % 5000 == 0:
            f.write(f"CI_BOT_TOKEN_{i}=x\n")
        f.write(f"SETTING_{i:06d}=value-{i}\n")
    f.write("CI_BOT_TOKEN=ci_bench_value\n")
PY
        chmod 600 "$dir/.env"
        # shellcheck disable=SC2086
        t=$(cd "$dir" && cpu "$bin" $cmd)
        ratio=-
        [[ -n $prev ]] && ratio=$(awk -v a="$t" -v b="$prev" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
        printf '%-22s %8d %10s %8s\n' "$cmd" "$n" "$t" "$ratio"
        prev=$t
    done
done

# Growth with the number of spec tokens (issue 22, item 6): a spec of N
# tokens (both classes) with every value set, then `check`, `validate` with
# every name, a second `gen` (the first writes the files), and `init` on a
# `.env` of N keys. Before the fix, `init` looked every key up in the list
# of keys seen so far, `validate` every name in the token list, and `check`
# and `gen` every file entry in the token list (`Spec::token`), each a
# quadratic step.
printf '\n%-22s %8s %10s %8s\n' command tokens cpu_s ratio
sizes=${TOKENSPEC_SCALING_SIZES:-"5000 10000 20000 40000"}
for cmd in ${TOKENSPEC_SCALING_COMMANDS:-check validate gen init}; do
    prev=
    for n in $sizes; do
        dir=$work/tokens-$n
        rm -rf "$dir"
        mkdir -p "$dir"
        python3 - "$dir" "$n" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
with open(os.path.join(d, "token-spec.toml"), "w") as f:
    f.write('environments = ["dev", "prod", "ci"]\n')
    for i in range(n):
        cls = "cicd" if i % 2 else "runtime"
        f.write(f'\n[[token]]\nname = "TOKEN_{i:06d}"\nclass = "{cls}"\ndescription = "t"\n')
with open(os.path.join(d, ".tokens"), "w") as f:
    f.writelines(f"TOKEN_{i:06d}=value-{i}\n" for i in range(1, n, 2))
with open(os.path.join(d, ".env"), "w") as f:
    f.writelines(f"TOKEN_{i:06d}=value-{i}\n" for i in range(0, n, 2))
with open(os.path.join(d, "names"), "w") as f:
    f.writelines(f"TOKEN_{i:06d}\n" for i in range(n))
PY
        chmod 600 "$dir/.tokens" "$dir/.env"
        git -C "$dir" init -q
        case $cmd in
            check) t=$(cd "$dir" && cpu "$bin" check) ;;
            validate)
                mapfile -t names <"$dir/names"
                t=$(cd "$dir" && cpu "$bin" validate "${names[@]}")
                ;;
            gen)
                (cd "$dir" && "$bin" gen >/dev/null 2>&1 || true)
                t=$(cd "$dir" && cpu "$bin" gen)
                ;;
            init)
                rm "$dir/token-spec.toml"
                t=$(cd "$dir" && cpu "$bin" init)
                ;;
        esac
        ratio=-
        [[ -n $prev ]] && ratio=$(awk -v a="$t" -v b="$prev" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
        printf '%-22s %8d %10s %8s\n' "$cmd" "$n" "$t" "$ratio"
        prev=$t
    done
done
