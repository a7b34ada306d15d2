#!/bin/sh
# Run by compose.yaml's temporal-namespace service (temporalio/admin-tools): waits for the frontend, then creates
# $TEMPORAL_NAMESPACE and the search attributes in $SEARCH_ATTRIBUTES (`Name=Type ...`) unless they exist.
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
for pair in ${SEARCH_ATTRIBUTES:-}; do
  name="${pair%%=*}"
  type="${pair#*=}"
  temporal operator search-attribute create -n "$TEMPORAL_NAMESPACE" --name "$name" --type "$type" ||
    echo "search attribute $name exists"
done
