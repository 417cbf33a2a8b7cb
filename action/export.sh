#!/usr/bin/env bash
# The action's export step: `tokenspec export --format=github` of one class
# appended to $GITHUB_ENV. The ::add-mask:: lines go to stderr, which the
# runner reads. Fail closed: the export goes to a temporary file first, so a
# failing export adds nothing to $GITHUB_ENV.
set -euo pipefail

args=()
[ -n "${TOKENSPEC_EXPORT_ROOT:-}" ] && args+=(--root "$TOKENSPEC_EXPORT_ROOT")
[ -n "${TOKENSPEC_EXPORT_ENV:-}" ] && args+=(--env "$TOKENSPEC_EXPORT_ENV")
tmp="$(mktemp "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/tokenspec-export.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
tokenspec "${args[@]}" export --type="${TOKENSPEC_EXPORT_TYPE:?}" --format=github >"$tmp"
cat "$tmp" >>"$GITHUB_ENV"
