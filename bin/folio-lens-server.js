#!/usr/bin/env node
'use strict';
// The Folio Lens language server: `folio-lens-server --stdio` (or --node-ipc).
require('../out/server/src/lsp/main.js');
