#!/usr/bin/env bash
# Quick start: installs what is missing, builds, initializes a data dir if
# there is none, and serves opscale at http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA_DIR="${OPSCALE_DATA_DIR:-$PWD/data}"
ORG="${OPSCALE_ORG:-my-org}"
ADMIN_EMAIL="${OPSCALE_ADMIN_EMAIL:-admin@example.com}"
LISTEN="${OPSCALE_LISTEN:-127.0.0.1:8080}"

bash scripts/install-deps.sh
bash scripts/build.sh

if [ ! -f "$DATA_DIR/opscale.db" ]; then
  echo
  ./build/bin/opscaled init --data-dir "$DATA_DIR" --org "$ORG" --admin-email "$ADMIN_EMAIL"
  echo
  echo "First command to try (the CLI is build/bin/opscale, also linked as build/bin/pscale):"
  echo "  export PLANETSCALE_API_TOKEN=<the API token above>"
  echo "  ./build/bin/pscale --api-url http://$LISTEN org list"
  echo
else
  echo "Using the existing data dir $DATA_DIR (its admin credentials were printed when it was created)."
fi
exec ./build/bin/opscaled serve --data-dir "$DATA_DIR" --listen "$LISTEN"
