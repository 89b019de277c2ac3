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
import {
  CHECK_PATCH_COMMAND,
  CHECK_UNCOMMITTED_COMMAND,
  SIMULATE_COMMAND,
  STATUS_NOTIFICATION,
  type CheckPatchArgs,
  type CheckPatchResult,
  type SimulateArgs,
  type StatusParams,
} from './protocol';
import { SimulationView } from './simulationView';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const status = new StatusItem();
  const view = new SimulationView(context.extensionUri);
  const reports = vscode.window.createOutputChannel('Folio Lens: Patch Review');
  context.subscriptions.push(status, view, reports);

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
        // CHECK_PATCH_COMMAND likewise: the patch of the active editor (or
        // one picked), and the summary of what the server returns
        if (command === CHECK_PATCH_COMMAND) return checkPatch(reports, args[0], (a) => next(command, [a]));
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
    vscode.commands.registerCommand(CHECK_UNCOMMITTED_COMMAND, (resource?: unknown) => {
      const folder = resource instanceof vscode.Uri ? vscode.workspace.getWorkspaceFolder(resource)?.uri : activeFolder();
      const args: CheckPatchArgs = folder ? { uncommitted: true, folder: folder.toString() } : { uncommitted: true };
      return vscode.commands.executeCommand(CHECK_PATCH_COMMAND, args);
    }),
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

const PATCH_FILE = /\.(patch|diff)$/i;

/** The workspace folder of the active editor, else the first one. */
function activeFolder(): vscode.Uri | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return (doc && vscode.workspace.getWorkspaceFolder(doc.uri)?.uri) ?? vscode.workspace.workspaceFolders?.[0]?.uri;
}

/**
 * Runs CHECK_PATCH_COMMAND on `arg` (the server's argument; a file URI from a
 * menu; nothing from the palette: the active .patch/.diff editor, else a
 * file picked) and shows the summary, with the text report a click away.
 * A patch that does not apply is reported by the server (window message).
 */
async function checkPatch(reports: vscode.OutputChannel, arg: unknown, run: (a: CheckPatchArgs) => Thenable<unknown>): Promise<unknown> {
  let args: CheckPatchArgs | undefined;
  let target: vscode.Uri | undefined;
  if (arg instanceof vscode.Uri) target = arg;
  else if (arg && typeof arg === 'object') args = arg as CheckPatchArgs;
  if (!args) {
    if (!target) {
      const doc = vscode.window.activeTextEditor?.document;
      if (doc && PATCH_FILE.test(doc.fileName)) target = doc.uri;
    }
    if (!target) {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: { 'Patches': ['patch', 'diff'], 'All files': ['*'] },
        defaultUri: activeFolder(),
        openLabel: 'Check Patch',
      });
      target = picked?.[0];
      if (!target) return undefined;
    }
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target!.toString());
    args = open?.isDirty || (open && target.scheme !== 'file') ? { uri: target.toString(), text: open.getText() } : { uri: target.toString() };
  }
  const what = 'uncommitted' in args ? 'uncommitted changes' : vscode.workspace.asRelativePath(vscode.Uri.parse(args.uri));
  let result: CheckPatchResult | undefined;
  try {
    result = (await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Folio Lens: checking ${what}` },
      () => run(args!),
    )) as CheckPatchResult | undefined;
  } catch {
    // the server has said what is wrong (a window message naming the file and the hunk)
    return undefined;
  }
  if (!result || typeof result.summary !== 'string') return result;
  reports.clear();
  reports.append(`${what}\n\n${result.text}`);
  void vscode.window.showInformationMessage(`Folio Lens (${what}): ${result.summary}`, 'Show details').then((b) => {
    if (b) reports.show(true);
  });
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
