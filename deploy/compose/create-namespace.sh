#!/bin/sh
# Run by compose.yaml's temporal-namespace service (temporalio/admin-tools): waits for the frontend, then creates
# $TEMPORAL_NAMESPACE and the search attributes in $SEARCH_ATTRIBUTES (`Name=Type ...`) unless they exist.
# `npm run cluster` (scripts/cluster/) runs it too, with the CLI of scripts/temporal-cli.sh on PATH.
set -eu
: "${TEMPORAL_ADDRESS:?}" "${TEMPORAL_NAMESPACE:?}"

attempt=0
until temporal operator cluster health >/dev/null 2>&1; do
  attempt=$((attempt + 1))
  [ "$attempt" -lt 60 ] || { echo "Temporal at $TEMPORAL_ADDRESS is not healthy"; exit 1; }
  sleep 2
done
if temporal operator namespace describe -n "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; then
  echo "namespace $TEMPORAL_NAMESPACE exists"
else
  temporal operator namespace create -n "$TEMPORAL_NAMESPACE"
fi
# A new namespace reaches the frontend's namespace cache within seconds (10 s by default); until then search-attribute
# create answers NotFound. So: create until the list shows the attribute, and fail loudly if it never does.
for pair in ${SEARCH_ATTRIBUTES:-}; do
  name="${pair%%=*}"
  type="${pair#*=}"
  attempt=0
  until temporal operator search-attribute list -n "$TEMPORAL_NAMESPACE" -o json 2>/dev/null | grep -q "\"$name\""; do
    attempt=$((attempt + 1))
    [ "$attempt" -lt 60 ] || {
      temporal operator search-attribute create -n "$TEMPORAL_NAMESPACE" --name "$name" --type "$type"
      echo "search attribute $name could not be registered"
      exit 1
    }
    temporal operator search-attribute create -n "$TEMPORAL_NAMESPACE" --name "$name" --type "$type" >/dev/null 2>&1 ||
      sleep 1
  done
  # Registered is not yet usable: the frontend maps custom attributes through its namespace cache (refreshed every
  # 10 s); until then a start carrying one fails ("no mapping defined for search attribute"). A list query on it goes
  # through the same mapping, so this returns once the service's first start would work.
  attempt=0
  until temporal workflow list -n "$TEMPORAL_NAMESPACE" --query "$name = 'probe'" --limit 1 >/dev/null 2>&1; do
    attempt=$((attempt + 1))
    [ "$attempt" -lt 60 ] || { echo "search attribute $name is registered but not usable"; exit 1; }
    sleep 1
  done
  echo "search attribute $name registered"
done
