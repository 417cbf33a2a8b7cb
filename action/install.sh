#!/usr/bin/env bash
# The action's install step: tokenspec $TOKENSPEC_VERSION from PyPI (pip),
# npm or crates.io (cargo) into $RUNNER_TEMP, its folder appended to
# $GITHUB_PATH, `path` and `version` written to $GITHUB_OUTPUT.
set -euo pipefail

version="${TOKENSPEC_VERSION:-}"
installer="${TOKENSPEC_INSTALLER:-pip}"
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]]; then
    echo "error: the version input must be a release such as 0.1.0, got '$version'" >&2
    exit 2
fi
dest="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/tokenspec-$version-$installer"
rm -rf "$dest"
mkdir -p "$dest"

case "$installer" in
pip)
    python3 -m venv "$dest/venv"
    "$dest/venv/bin/python" -m pip install --quiet --disable-pip-version-check "tokenspec==$version"
    bin="$dest/venv/bin"
    ;;
npm)
    npm install --prefix "$dest/npm" --no-save --no-audit --no-fund --loglevel=error "tokenspec@$version"
    bin="$dest/npm/node_modules/.bin"
    ;;
cargo)
    cargo install --quiet --locked --root "$dest/cargo" tokenspec-cli --version "$version"
    bin="$dest/cargo/bin"
    ;;
*)
    echo "error: the installer input must be pip, npm or cargo, got '$installer'" >&2
    exit 2
    ;;
esac

installed="$("$bin/tokenspec" --version)"
case "$installed" in
*" $version") ;;
*)
    echo "error: asked for tokenspec $version, $installer installed '$installed'" >&2
    exit 2
    ;;
esac
echo "$bin" >>"$GITHUB_PATH"
{
    echo "path=$bin/tokenspec"
    echo "version=$installed"
} >>"${GITHUB_OUTPUT:-/dev/null}"
echo "installed $installed with $installer into $bin" >&2
