#!/usr/bin/env bash
# Kept for old habits: the policy table is bench/evaluate now (every policy x
# every scenario, Markdown + JSON + heat map). Usage: bash bench/policies.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 bench/evaluate --build "${1:-build}"
