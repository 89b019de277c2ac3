/**
 * Entry point of the language server: `node out/server/src/lsp/main.js --stdio`
 * (other editors, `npx folio-lens-server --stdio`) or `--node-ipc` (what
 * vscode-languageclient uses); `--socket=N` and `--pipe=NAME` work too.
 * Without a transport flag, stdio is used.
 */
import { isMainThread } from 'worker_threads';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { FolioLensServer } from './server';
// loaded in a worker thread marked as an index worker (a bundled server), this runs the index
import './index-worker';

if (isMainThread) startServer();

function startServer(): void {
  const TRANSPORTS = ['--stdio', '--node-ipc'];
  if (!process.argv.some((a) => TRANSPORTS.includes(a) || a.startsWith('--socket') || a.startsWith('--pipe'))) process.argv.push('--stdio');

  const connection = createConnection(ProposedFeatures.all);

  // the server never dies on user input: a stray exception is logged, not fatal
  process.on('uncaughtException', (e) => {
    try {
      connection.console.error(`folio-lens: uncaught exception: ${e.stack ?? e}`);
    } catch {
      // the connection itself is gone
    }
  });
  process.on('unhandledRejection', (e) => {
    try {
      connection.console.error(`folio-lens: unhandled rejection: ${(e as Error)?.stack ?? e}`);
    } catch {
      // the connection itself is gone
    }
  });

  new FolioLensServer(connection);
  connection.listen();
}
