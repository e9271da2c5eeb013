#!/usr/bin/env bash
# The whole test suite from a fresh clone: system packages, npm dependencies, type check, lint, then
# `npm test` (unit, integration and end-to-end tiers). This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh
npm ci --no-audit --no-fund
npm run typecheck
npm run lint
npm test
