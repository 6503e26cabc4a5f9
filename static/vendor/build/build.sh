#!/usr/bin/env bash
# Rebuild Common Ground's vendored front-end files from pinned npm packages.
#
#   bash static/vendor/build/build.sh
#
# Needs Node 20+ and npm with access to the npm registry (build time only; the
# app never loads anything from the network). Installs exactly what
# package-lock.json records (`npm ci`), then build.mjs compiles
# static/scss/commonground.scss to static/css/commonground.min.css, copies the
# JS bundles and licences into static/vendor/, checks the output (no GOV.UK
# fonts or images, colour contrast, size budget) and regenerates
# static/vendor/VENDORED.md.
set -euo pipefail

BUILD_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$BUILD_DIR"

# --ignore-scripts: none of these packages needs an install script (sass is
# pure JavaScript), and not running them keeps the build reproducible.
npm ci --ignore-scripts --no-audit --no-fund

node build.mjs
