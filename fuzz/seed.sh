#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seed inputs taken from the repository's
# real files (docs/fuzzing.md). Safe to re-run: it only adds files.
set -euo pipefail
cd "$(dirname "$0")"
root=..

seed() { # seed TARGET FILE...
    local target=$1
    shift
    mkdir -p "corpus/$target"
    for f in "$@"; do
        local name=${f#"$root"/}
        cp "$f" "corpus/$target/seed-${name//\//_}"
    done
}

seed dotenv_parse "$root/.env.ci" "$root/.tokens.ci" \
    "$root"/repo/tests/golden/input/env.ci \
    "$root"/repo/tests/golden/output/{env.ci,tokens.ci,template.env,template.tokens}
seed spec_parse "$root/token-spec.toml" "$root/repo/tests/golden/token-spec.toml" \
    "$root"/tokenspec/tests/ui/specs/*.toml

# Hand-made shapes the real files lack: every quoting style, escapes, `$`,
# a BOM, CRLF, inline comments, `export`, an open quote at the end.
printf '\xef\xbb\xbfA=1\r\nexport B="x\\ny $C" # c\nD='"'"'a\nb'"'"'\nE=\\$F\n#c\n  G = h #i\nH="open\n' \
    >corpus/dotenv_parse/seed-shapes

# Values that break naive quoting (the pieces of cli/tests/cli/roundtrip.rs).
mkdir -p corpus/export_quoting
i=0
for v in "'" '"' '$(id)' '${X}' '`id`' '\' '\n' $'\n' $'\r\n' $'\t' ' ' '*?[]' '--help' \
    '!#;&|<>~=%{}' 'é日本😀' $'\u2019' $'\u00a0' 'ghadelimiter_' 'EOF' "it's a \\'\$(x)\"" \
    $'\uf600' $'\ufdd0'; do
    printf %s "$v" >"corpus/export_quoting/seed-$i"
    i=$((i + 1))
done
