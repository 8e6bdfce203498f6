#!/usr/bin/env bash
# One command for a new user: set everything up, then start the app.
# Extra arguments go to the app, e.g. `scripts/run.sh --source 1` or `--source video.mp4`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/nepali-cash-reader "$@"
