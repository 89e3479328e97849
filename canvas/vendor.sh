#!/bin/sh
# Copies the pinned front-end libraries from npm (package-lock.json) into
# vendor/, with their licenses, so the page needs no network at run time.
# Run it after changing a version in package.json; commit vendor/.
set -eu
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --ignore-scripts
mkdir -p vendor/uplot
for f in dist/uPlot.iife.min.js dist/uPlot.min.css LICENSE; do
  cp "node_modules/uplot/$f" "vendor/uplot/$(basename "$f")"
done
node -e 'console.log(require("./node_modules/uplot/package.json").version)' > vendor/uplot/VERSION
echo "vendor.sh: uPlot $(cat vendor/uplot/VERSION) copied into vendor/uplot"
