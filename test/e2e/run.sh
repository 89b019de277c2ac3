#!/usr/bin/env bash
# npm run test:e2e: the extension in a real VS Code (see vscode.test.ts).
# Installs code-server and Chromium when missing, packages folio-lens.vsix,
# and runs the test; screenshots and logs land in test-output/e2e/.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash test/e2e/setup.sh
npm run --silent package
FOLIO_LENS_E2E=1 node --test --test-reporter=spec out/test/e2e/
