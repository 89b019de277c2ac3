#!/usr/bin/env node
'use strict';
// The folio-lens CLI, built into out/ by `npm ci` (the prepare script).
const { main } = require('../out/server/src/cli.js');
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
