#!/usr/bin/env bash
# Start Deepbrook on the bundled example (creates .venv and installs everything on first run).
# Usage: scripts/serve.sh [deepbrook serve options, e.g. --port 5006 --address 127.0.0.1 --workspace DIR]
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
ensure_venv "distributed,jupyter"
exec "$VENV/bin/deepbrook" serve "$@"
