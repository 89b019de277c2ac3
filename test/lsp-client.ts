/**
 * A real LSP client for tests and benchmarks: spawns the language server
 * over stdio and speaks JSON-RPC to it (vscode-jsonrpc's node connection,
 * as re-exported by vscode-languageserver/node). Answers the requests a
 * server sends to its client (workspace/configuration, progress creation,
 * registrations) and records notifications.
 */
import * as path from 'path';
import { spawn, type ChildProcess } from 'child_process';
import { pathToFileURL } from 'url';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver/node';

export const SERVER_MAIN = path.resolve(__dirname, '..', 'server', 'src', 'lsp', 'main.js');

export function fileUri(p: string): string {
  return pathToFileURL(p).href;
}

export interface ClientOptions {
  /** settings answered to workspace/configuration for section 'foliolens' */
  settings?: Record<string, unknown>;
  /** workspace folder (fs path) sent in initialize, if any */
  workspace?: string;
  /** extra node flags for the server process */
  nodeArgs?: string[];
  stderr?: (s: string) => void;
}

export class LspClient {
  readonly proc: ChildProcess;
  readonly conn: MessageConnection;
  settings: Record<string, unknown>;
  readonly messages: { type: number; message: string }[] = [];
  readonly logs: string[] = [];
  readonly progress: unknown[] = [];
  readonly statuses: unknown[] = [];
  /** every publishDiagnostics, in order */
  readonly published: PublishDiagnosticsParams[] = [];
  private waiters: { uri: string; version?: number; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  private publishListeners: ((p: PublishDiagnosticsParams) => void)[] = [];

  constructor(private readonly opts: ClientOptions = {}) {
    this.settings = opts.settings ?? {};
    this.proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), SERVER_MAIN, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', (d: Buffer) => opts.stderr?.(d.toString()));
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map((i) => (i.section === 'foliolens' ? this.settings : null)));
    this.conn.onRequest('window/workDoneProgress/create', () => null);
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onRequest('client/unregisterCapability', () => null);
    this.conn.onRequest('workspace/codeLens/refresh', () => null);
    this.conn.onRequest('window/showMessageRequest', () => null);
    this.conn.onNotification('window/showMessage', (p: { type: number; message: string }) => {
      this.messages.push(p);
    });
    this.conn.onNotification('window/logMessage', (p: { message: string }) => {
      this.logs.push(p.message);
    });
    this.conn.onNotification('$/progress', (p: unknown) => {
      this.progress.push(p);
    });
    this.conn.onNotification('foliolens/status', (p: unknown) => {
      this.statuses.push(p);
    });
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.published.push(p);
      for (const l of this.publishListeners) l(p);
      const still: typeof this.waiters = [];
      for (const w of this.waiters) {
        if (w.uri === p.uri && (w.version === undefined || p.version === w.version)) w.resolve(p);
        else still.push(w);
      }
      this.waiters = still;
    });
    this.conn.listen();
  }

  onPublish(f: (p: PublishDiagnosticsParams) => void): void {
    this.publishListeners.push(f);
  }

  async initialize(extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const ws = this.opts.workspace;
    const r = await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: ws ? fileUri(ws) : null,
      workspaceFolders: ws ? [{ uri: fileUri(ws), name: path.basename(ws) }] : null,
      capabilities: {
        workspace: {
          configuration: true,
          didChangeConfiguration: { dynamicRegistration: true },
          didChangeWatchedFiles: { dynamicRegistration: true },
          workspaceEdit: { documentChanges: true },
        },
        window: { workDoneProgress: true },
        textDocument: {
          publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } }, isPreferredSupport: true, dataSupport: true },
        },
      },
      ...extra,
    });
    await this.conn.sendNotification('initialized', {});
    return r as Record<string, unknown>;
  }

  /** The next publishDiagnostics for `uri` (for `version` when given). */
  diagnostics(uri: string, version?: number): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve) => this.waiters.push({ uri, version, resolve }));
  }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version, text } });
  }

  change(uri: string, version: number, changes: unknown[]): Promise<void> {
    return this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
  }

  request<T = unknown>(method: string, params: unknown): Promise<T> {
    return this.conn.sendRequest(method, params) as Promise<T>;
  }

  async shutdown(): Promise<number | null> {
    const exited = new Promise<number | null>((r) => this.proc.once('exit', (code) => r(code)));
    try {
      await this.conn.sendRequest('shutdown');
      await this.conn.sendNotification('exit');
    } catch {
      this.proc.kill();
    }
    const code = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
    if (this.proc.exitCode === null) this.proc.kill();
    this.conn.dispose();
    return code;
  }
}

/** Apply LSP text edits (ranges in the original text) to a string. */
export function applyEdits(text: string, edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): string {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const off = (p: { line: number; character: number }) => (starts[p.line] ?? text.length) + p.character;
  const sorted = edits.map((e) => ({ s: off(e.range.start), e: off(e.range.end), t: e.newText })).sort((a, b) => b.s - a.s || b.e - a.e);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.s) + e.t + out.slice(e.e);
  return out;
}
