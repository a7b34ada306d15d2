#!/usr/bin/env bash
# Validates what deploys the service, with no cluster and no Docker engine:
#   - deploy/k8s/base and deploy/k8s/production: `kustomize build`, then kubeconform -strict against the Kubernetes
#     JSON schemas of the oldest and newest release named below, and KEDA's ScaledObject CRD;
#   - compose.yaml and compose.dev.yaml against the Compose Specification's JSON schema.
# Every tool and schema comes from a package registry, pinned, cached once per machine outside git in
# ${DEPLOY_TOOLS_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/temporal-http}: kustomize and kubeconform built with
# `go install`, the Kubernetes schemas from PyPI's kubernetes-validate, KEDA's CRD from its Go module, the compose
# schema from compose-go's Go module (validated with ajv from npm).
set -euo pipefail
cd "$(dirname "$0")/.."

KUSTOMIZE_VERSION=5.8.1            # go >= 1.24; 5.8.2+ want newer Go than CI may have
KUBECONFORM_VERSION=0.7.0          # go >= 1.24
K8S_SCHEMAS_VERSION=1.37.0         # PyPI kubernetes-validate: schemas for Kubernetes up to this release
KUBERNETES_VERSIONS="1.35.0 1.37.0" # the oldest and newest minor releases still supported upstream
KEDA_VERSION=2.21.0                # the temporal scaler exists since 2.17
COMPOSE_GO_VERSION=2.16.2
CACHE_DIR="${DEPLOY_TOOLS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/temporal-http}"
OVERLAYS="deploy/k8s/base deploy/k8s/production"
COMPOSE_FILES="compose.yaml compose.dev.yaml"

log() { printf 'validate-deploy: %s\n' "$*" >&2; }
tsnode() { node --import tsx "$@"; }

# go_tool NAME PACKAGE VERSION: the binary, built once into its own cache directory.
go_tool() {
  local bin="$CACHE_DIR/$1-v$3/$1"
  if ! [ -x "$bin" ]; then
    log "building $1 v$3 with go install (once per machine)..."
    GOBIN="$(dirname "$bin")" GOFLAGS=-mod=mod go install "$2@v$3" >&2
  fi
  printf '%s\n' "$bin"
}

# go_module_dir MODULE VERSION: where the Go module cache holds that module's files (downloaded once).
go_module_dir() {
  GOFLAGS=-mod=mod go mod download -json "$1@v$2" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'
}

kustomize="$(go_tool kustomize sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION")"
kubeconform="$(go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION")"

schemas="$CACHE_DIR/kubernetes-json-schema-$K8S_SCHEMAS_VERSION"
for version in $KUBERNETES_VERSIONS; do
  [ -d "$schemas/v$version-standalone-strict" ] && continue
  venv="$CACHE_DIR/kubernetes-validate-$K8S_SCHEMAS_VERSION"
  if [ -z "$(find "$venv/lib" -type d -path '*/kubernetes_validate/kubernetes-json-schema' 2>/dev/null)" ]; then
    log "installing kubernetes-validate==$K8S_SCHEMAS_VERSION from PyPI for its schemas (once per machine)..."
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check --only-binary :all: --no-deps \
      "kubernetes-validate==$K8S_SCHEMAS_VERSION" >&2
  fi
  # Installed without its dependencies (only its data is used): find the schemas, do not import the package.
  source_dir="$(find "$venv/lib" -type d -path '*/kubernetes_validate/kubernetes-json-schema' | head -n 1)"
  tsnode scripts/k8s-json-schema.ts "$source_dir/v$version-local-strict" \
    "$schemas/v$version-standalone-strict" >&2
done

keda_schemas="$CACHE_DIR/keda-v$KEDA_VERSION-json-schema"
if ! [ -f "$keda_schemas/keda.sh/scaledobject_v1alpha1.json" ]; then
  log "converting KEDA v$KEDA_VERSION's CRDs (from its Go module) to JSON schemas (once per machine)..."
  keda_dir="$(go_module_dir github.com/kedacore/keda/v2 "$KEDA_VERSION")"
  tsnode scripts/crd-json-schema.ts "$keda_schemas" "$keda_dir"/config/crd/bases/keda.sh_*.yaml >&2
fi

for overlay in $OVERLAYS; do
  # kubeconform reads only files named *.yaml, *.yml or *.json.
  rendered="$(mktemp --suffix=.yaml)"
  "$kustomize" build "$overlay" >"$rendered"
  for version in $KUBERNETES_VERSIONS; do
    printf '%s (Kubernetes %s): ' "$overlay" "$version"
    "$kubeconform" -strict -summary -kubernetes-version "$version" \
      -schema-location "$schemas/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
      -schema-location "$keda_schemas/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
      "$rendered"
  done
  rm -f "$rendered"
done

compose_schema="$(go_module_dir github.com/compose-spec/compose-go/v2 "$COMPOSE_GO_VERSION")/schema/compose-spec.json"
# shellcheck disable=SC2086
tsnode scripts/validate-compose.ts "$compose_schema" $COMPOSE_FILES
