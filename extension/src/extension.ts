/**
 * The VS Code client: starts the language server (dist/server.js) over IPC,
 * shows what it is doing in the status bar, and opens the simulation view.
 * It knows no analysis: everything it shows comes from the server.
 */
import * as vscode from 'vscode';
import {
  LanguageClient,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { SIMULATE_COMMAND, STATUS_NOTIFICATION, type SimulateArgs, type StatusParams } from './protocol';
import { SimulationView } from './simulationView';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const status = new StatusItem();
  const view = new SimulationView(context.extensionUri);
  context.subscriptions.push(status, view);

  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const clientOptions: LanguageClientOptions = {
    // VS Code calls .h files C++: kernel headers are C, take them by name
    documentSelector: ['file', 'untitled', 'vscode-vfs'].flatMap((scheme) => [
      { scheme, language: 'c' },
      { scheme, pattern: '**/*.h' },
    ]),
    synchronize: {
      configurationSection: 'foliolens',
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{c,h}'),
    },
    initializationOptions: JSON.parse(JSON.stringify(vscode.workspace.getConfiguration('foliolens'))),
    middleware: {
      // The server declares SIMULATE_COMMAND, so the client library registers
      // it (code lens and palette both land here): add the cursor when the
      // palette gives no argument, and show what the server returns.
      executeCommand: async (command, args, next) => {
        if (command !== SIMULATE_COMMAND) return next(command, args);
        return simulate(view, args[0] as SimulateArgs | undefined, (a) => next(command, [a]));
      },
    },
  };

  client = new LanguageClient('foliolens', 'Folio Lens', serverOptions, clientOptions);
  const c = client;
  context.subscriptions.push(
    c.onDidChangeState((e) => {
      if (e.newState === State.Starting) status.set({ state: 'analysing' }, 'starting');
      else if (e.newState === State.Running) status.set({ state: 'idle' });
      else status.set({ state: 'error', message: 'the language server stopped' }, 'stopped');
    }),
    c.onNotification(STATUS_NOTIFICATION, (p: StatusParams) => status.set(p)),
    vscode.commands.registerCommand('foliolens.restartServer', () => c.restart()),
    vscode.commands.registerCommand('foliolens.showOutput', () => c.outputChannel.show(true)),
  );
  try {
    await c.start();
  } catch (e) {
    status.set({ state: 'error', message: `the language server did not start: ${String(e)}` }, 'stopped');
  }
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}

/** Runs the simulation at `args` (or at the cursor) and shows it. */
async function simulate(view: SimulationView, args: SimulateArgs | undefined, run: (a: SimulateArgs) => Thenable<unknown>): Promise<unknown> {
  if (!args) {
    const editor = vscode.window.activeTextEditor;
    if (!editor || (editor.document.languageId !== 'c' && !editor.document.fileName.endsWith('.h'))) {
      void vscode.window.showInformationMessage('Folio Lens: put the cursor inside a C function to simulate it.');
      return undefined;
    }
    const p = editor.selection.active;
    args = { uri: editor.document.uri.toString(), position: { line: p.line, character: p.character } };
  }
  const result = await run(args);
  if (!result || typeof result !== 'object' || !('paths' in result)) {
    void vscode.window.showInformationMessage('Folio Lens: no function that touches folios or pages here.');
    return result;
  }
  view.show(vscode.Uri.parse(args.uri), result as Parameters<SimulationView['show']>[1]);
  return result;
}

/** The status bar item: idle / analysing / indexing N files / error. */
class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('foliolens.status', vscode.StatusBarAlignment.Left, 10);

  constructor() {
    this.item.name = 'Folio Lens';
    this.set({ state: 'analysing' }, 'starting');
    this.item.show();
  }

  set(p: StatusParams, detail?: string): void {
    const it = this.item;
    const stopped = detail === 'stopped';
    it.command = stopped ? 'foliolens.restartServer' : 'foliolens.showOutput';
    it.backgroundColor = p.state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    switch (p.state) {
      case 'idle':
        it.text = '$(check) Folio Lens';
        it.tooltip = 'Folio Lens: up to date';
        break;
      case 'analysing':
        it.text = `$(sync~spin) Folio Lens: ${detail ?? 'analysing'}`;
        it.tooltip = p.file ? `Folio Lens: analysing ${vscode.Uri.parse(p.file).fsPath}` : 'Folio Lens: analysing';
        break;
      case 'indexing': {
        const n = p.total !== undefined ? ` ${p.done ?? 0}/${p.total} files` : p.done !== undefined ? ` ${p.done} files` : '';
        it.text = `$(sync~spin) Folio Lens: indexing${n}`;
        it.tooltip = 'Folio Lens: indexing the workspace for summaries of functions in other files';
        break;
      }
      case 'error':
        it.text = '$(error) Folio Lens';
        it.tooltip = `Folio Lens: ${p.message ?? 'error'} (click to ${stopped ? 'restart the server' : 'see the log'})`;
        break;
    }
  }

  dispose(): void {
    this.item.dispose();
  }
}
