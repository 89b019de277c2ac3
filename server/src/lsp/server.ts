/**
 * The Folio Lens language server: diagnostics as you type, hover, code
 * lenses, the simulate command, quick fixes, settings and the workspace
 * index, over one LSP connection.
 *
 * Invariant: this folder is the only part of Folio Lens that knows LSP.
 * Everything it reports comes from the same pipeline as the CLI (mask,
 * focus, parse, extract, simulate), run incrementally per document
 * (document.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath } from 'url';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  ErrorCodes,
  FileChangeType,
  MessageType,
  ResponseError,
  ShowMessageNotification,
  TextDocumentSyncKind,
  TextDocuments,
  TextDocumentEdit,
  type CodeAction,
  type CodeActionParams,
  type CodeLens,
  type CodeLensParams,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type ExecuteCommandParams,
  type Hover,
  type HoverParams,
  type InitializeParams,
  type InitializeResult,
  type TextEdit,
  type WorkDoneProgressServerReporter,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Parser } from 'web-tree-sitter';
import { createParser } from '../parser';
import { contractMap } from '../../../simulator/src/index';
import type { Contract } from '../../../simulator/src/contract-types';
import type { Finding, SimOptions, Summary } from '../../../simulator/src/api-types';
import { simulationJson, type SimulationJson } from '../format/simulate';
import { CHECK_PATCH_COMMAND, SIMULATE_COMMAND, STATUS_NOTIFICATION, type SimulateArgs, type StatusParams } from '../../../extension/src/protocol';
import { DocumentAnalysis, type FnState, type RunOutcome } from './document';
import { DEFAULT_SETTINGS, readSettings, type Settings } from './settings';
import { parseContractsFile, readContractsFile } from '../contracts-file';
import { MEMORY_REQUEST, memoryReport } from './memory';
import { lineStarts, toLspDiagnostics, type DiagnosticData } from './convert';
import { contractMarkdown, lifetimeMarkdown, namesForArg, stateAtLine, stateMarkdown, summaryMarkdown, varKind, wordAt } from './hover';
import { leakFixes, suppressFix, type Fix } from './fixes';
import { WorkspaceIndex } from './workspace';
import { enabledRules, PatchChecker } from './patch';

const VERSION: string = (() => {
  try {
    return JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')).version;
  } catch {
    return '0.0.0';
  }
})();

/** C documents only: other languages the client may send are ignored. */
function isC(doc: TextDocument): boolean {
  return doc.languageId === 'c' || /\.[ch]$/i.test(doc.uri);
}

interface DocState {
  analysis: DocumentAnalysis;
  running: boolean;
  dirty: boolean;
  findings: Finding[];
  /** the version the published diagnostics are for */
  published: number;
  waiters: ((s: DocState | undefined) => void)[];
  error?: string;
}

function uriToPath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

function invalid(message: string): ResponseError<void> {
  return new ResponseError(ErrorCodes.InvalidParams, message);
}

/** The document URI of a request's params, or an InvalidParams error. */
function docUri(p: unknown): string {
  const uri = (p as { textDocument?: { uri?: unknown } } | null)?.textDocument?.uri;
  if (typeof uri !== 'string') throw invalid('textDocument.uri is missing');
  return uri;
}

/** The position of a request's params, or an InvalidParams error. */
function position(p: unknown): { line: number; character: number } {
  const pos = (p as { position?: { line?: unknown; character?: unknown } } | null)?.position;
  if (!pos || !Number.isInteger(pos.line) || !Number.isInteger(pos.character)) throw invalid('position {line, character} (integers) is missing');
  return pos as { line: number; character: number };
}

export class FolioLensServer {
  private readonly documents = new TextDocuments(TextDocument);
  private readonly docs = new Map<string, DocState>();
  private parser!: Parser;
  private settings: Settings = DEFAULT_SETTINGS;
  private pushedSettings: unknown;
  private contracts: Contract[] | undefined;
  private contractsKey = '';
  private configError: string | undefined;
  private readonly shownProblems = new Set<string>();
  private readonly index = new WorkspaceIndex();
  /** foliolens.checkPatch, and the diagnostics it publishes (patch.ts) */
  private readonly patches: PatchChecker;
  private indexGeneration = 0;
  private folders: string[] = [];
  private caps = { configuration: false, workDoneProgress: false, watchedFiles: false, documentChanges: false, configDynamic: false };
  private ready!: Promise<void>;
  private markReady!: () => void;
  private progress: WorkDoneProgressServerReporter | undefined;
  private status: StatusParams = { state: 'idle' };
  private analysing = 0;
  private shuttingDown = false;

  constructor(private readonly connection: Connection) {
    this.ready = new Promise((r) => (this.markReady = r));
    this.patches = new PatchChecker({
      connection: this.connection,
      folders: () => this.folders,
      settings: () => this.settings,
      analyzeOptions: () => ({ kernelVersion: this.settings.kernelVersion, contracts: this.contracts, summaries: this.index.summaries, rules: enabledRules(this.settings) }),
      openTexts: () => new Map(this.documents.all().flatMap((d) => { const p = uriToPath(d.uri); return p ? [[p, d.getText()] as [string, string]] : []; })),
      republish: (uri) => {
        const st = this.docs.get(uri);
        if (!st || !this.documents.get(uri)) return false;
        this.publish(uri, st, st.published);
        return true;
      },
    });
    const c = connection;
    c.onInitialize((p) => this.initialize(p));
    c.onInitialized(() => void this.initialized());
    c.onDidChangeConfiguration((p) => {
      if (p?.settings && typeof p.settings === 'object' && 'foliolens' in p.settings) this.pushedSettings = (p.settings as Record<string, unknown>).foliolens;
      void this.reloadSettings();
    });
    c.onDidChangeWatchedFiles((p) => this.guardVoid('watched files', () => this.watchedFiles(Array.isArray(p?.changes) ? p.changes : [])));
    c.onHover((p) => this.guard('hover', () => this.hover(p)));
    c.onCodeLens((p) => this.guard('code lens', () => this.codeLens(p)));
    c.onCodeAction((p) => this.guard('code action', () => this.codeAction(p)));
    c.onExecuteCommand((p) => this.guard('command', () => this.execute(p)));
    c.onShutdown(() => this.shutdown());
    c.onRequest(MEMORY_REQUEST, (p: unknown) => memoryReport(p, this.docs.size));
    this.documents.onDidChangeContent((e) => this.guardVoid('change', () => {
      this.patches.changed(e.document.uri, e.document.getText());
      this.schedule(e.document.uri);
    }));
    this.documents.onDidClose((e) => this.guardVoid('close', () => this.close(e.document.uri)));
    this.documents.onDidSave((e) => this.guardVoid('save', () => this.saved(e.document.uri)));
    this.documents.listen(c);
  }

  // ── plumbing ───────────────────────────────────────────────────────

  /** A request handler that never takes the server down: failures become LSP errors. */
  private async guard<T>(what: string, f: () => T | Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof ResponseError) throw e;
      this.connection.console.error(`folio-lens: ${what} failed: ${(e as Error).stack ?? e}`);
      throw new ResponseError(ErrorCodes.InternalError, `folio-lens: ${what} failed: ${(e as Error).message ?? e}`);
    }
  }

  private guardVoid(what: string, f: () => unknown): void {
    try {
      const r = f();
      if (r instanceof Promise) r.catch((e) => this.connection.console.error(`folio-lens: ${what} failed: ${(e as Error).stack ?? e}`));
    } catch (e) {
      this.connection.console.error(`folio-lens: ${what} failed: ${(e as Error).stack ?? e}`);
    }
  }

  private verbose(msg: string): void {
    if (this.settings.trace.server === 'verbose') this.connection.console.log(msg);
  }

  private setStatus(): void {
    const s: StatusParams = this.index.running
      ? { state: 'indexing', done: this.status.done, total: this.status.total }
      : this.analysing > 0
        ? { state: 'analysing' }
        : this.configError
          ? { state: 'error', message: this.configError }
          : { state: 'idle' };
    if (JSON.stringify(s) === JSON.stringify(this.status)) return;
    this.status = s;
    void this.connection.sendNotification(STATUS_NOTIFICATION, s).catch(() => undefined);
  }

  private showOnce(type: MessageType, message: string): void {
    if (this.shownProblems.has(message)) return;
    this.shownProblems.add(message);
    // a notification (window/showMessage), not a request: nothing waits for the user
    void this.connection.sendNotification(ShowMessageNotification.type, { type, message }).catch(() => undefined);
  }

  private simOptions(): SimOptions {
    return { kernelVersion: this.settings.kernelVersion, contracts: this.contracts };
  }

  // ── lifecycle ──────────────────────────────────────────────────────

  private async initialize(p: InitializeParams): Promise<InitializeResult> {
    this.parser = await createParser();
    const cap = p.capabilities;
    this.caps = {
      configuration: !!cap.workspace?.configuration,
      configDynamic: !!cap.workspace?.didChangeConfiguration?.dynamicRegistration,
      workDoneProgress: !!cap.window?.workDoneProgress,
      watchedFiles: !!cap.workspace?.didChangeWatchedFiles?.dynamicRegistration,
      documentChanges: !!cap.workspace?.workspaceEdit?.documentChanges,
    };
    const folders = p.workspaceFolders?.map((f) => f.uri) ?? (p.rootUri ? [p.rootUri] : []);
    this.folders = folders.map(uriToPath).filter((x): x is string => !!x);
    if (!this.folders.length && p.rootPath) this.folders = [p.rootPath];
    const init = p.initializationOptions as Record<string, unknown> | undefined;
    if (init && typeof init === 'object') this.pushedSettings = 'foliolens' in init ? init.foliolens : init;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        hoverProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        executeCommandProvider: { commands: [SIMULATE_COMMAND, CHECK_PATCH_COMMAND] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'folio-lens', version: VERSION },
    };
  }

  private async initialized(): Promise<void> {
    try {
      if (this.caps.configuration && this.caps.configDynamic) {
        await this.connection.client.register(DidChangeConfigurationNotification.type, { section: 'foliolens' }).catch(() => undefined);
      }
      if (this.caps.watchedFiles) {
        await this.connection.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: [{ globPattern: '**/*.{c,h}' }, { globPattern: '**/*.json' }],
        }).catch(() => undefined);
      }
      this.connection.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const f of e.removed) this.folders = this.folders.filter((x) => x !== uriToPath(f.uri));
        for (const f of e.added) {
          const p = uriToPath(f.uri);
          if (p) this.folders.push(p);
        }
        this.startIndex(true);
      });
    } catch {
      // a client without workspace folder support
    }
    await this.reloadSettings(true);
    this.markReady();
  }

  private shutdown(): void {
    this.shuttingDown = true;
    this.index.stop();
    for (const st of this.docs.values()) st.analysis.dispose();
    this.docs.clear();
  }

  // ── settings and contracts ────────────────────────────────────────

  private async reloadSettings(first = false): Promise<void> {
    let raw: unknown = this.pushedSettings;
    if (this.caps.configuration) {
      try {
        raw = await this.connection.workspace.getConfiguration({ section: 'foliolens' });
      } catch (e) {
        this.connection.console.warn(`folio-lens: cannot read the settings: ${(e as Error).message}`);
      }
    }
    const { settings, problems } = readSettings(raw);
    for (const pr of problems) this.showOnce(MessageType.Warning, `Folio Lens: ${pr}`);
    const before = this.settings;
    const beforeContracts = this.contracts;
    this.settings = settings;
    this.loadContracts();
    const deep = first || before.kernelVersion !== settings.kernelVersion || beforeContracts !== this.contracts;
    if (deep) {
      this.startIndex(true);
      for (const uri of this.docs.keys()) this.schedule(uri);
    } else if (JSON.stringify(before.rules) !== JSON.stringify(settings.rules) || before.docsBaseUrl !== settings.docsBaseUrl) {
      for (const [uri, st] of this.docs) this.publish(uri, st, st.published);
    }
  }

  private contractsPath(): string | undefined {
    const f = this.settings.contractsFile;
    if (!f) return undefined;
    if (f.startsWith('file:')) return uriToPath(f);
    return path.isAbsolute(f) ? f : path.resolve(this.folders[0] ?? process.cwd(), f);
  }

  /** Read and check the contracts file; keep the valid entries; say clearly what is wrong. */
  private loadContracts(): void {
    const file = this.contractsPath();
    if (!file) {
      if (this.contracts) this.contracts = undefined;
      this.contractsKey = '';
      this.configError = undefined;
      this.setStatus();
      return;
    }
    const read = readContractsFile(file, this.folders);
    const text = 'text' in read ? read.text : '';
    if ('error' in read) {
      const msg = `Folio Lens: ${read.error}; using the built-in contracts only`;
      this.configError = msg;
      this.showOnce(MessageType.Error, msg);
      if (this.contracts) this.contracts = undefined;
      this.contractsKey = '';
      this.setStatus();
      return;
    }
    const key = `${file}\u0000${text}`;
    if (key === this.contractsKey) return;
    this.contractsKey = key;
    const r = parseContractsFile(file, text);
    if (r.errors.length) {
      const more = r.errors.length > 3 ? ` (and ${r.errors.length - 3} more)` : '';
      const msg = `Folio Lens: invalid contracts file: ${r.errors.slice(0, 3).join('; ')}${more}. ${r.contracts.length ? `The ${r.contracts.length} valid entries are used; the` : 'The'} built-in contracts still apply.`;
      this.configError = msg;
      this.shownProblems.delete(msg);
      this.showOnce(MessageType.Error, msg);
      for (const e of r.errors) this.connection.console.error(`folio-lens: ${e}`);
    } else {
      this.configError = undefined;
    }
    this.contracts = r.contracts.length ? r.contracts : undefined;
    this.setStatus();
  }

  private watchedFiles(changes: { uri: string; type: FileChangeType }[]): void {
    const cf = this.contractsPath();
    const reindex: string[] = [];
    for (const ch of changes) {
      if (!ch || typeof ch.uri !== 'string') continue;
      const p = uriToPath(ch.uri);
      if (!p) continue;
      if (cf && path.resolve(p) === path.resolve(cf)) {
        void this.reloadSettings();
        continue;
      }
      if (/\.[ch]$/.test(p)) {
        if (ch.type === FileChangeType.Deleted) this.index.setFile(p, []);
        else if (!this.documents.get(ch.uri)) reindex.push(p);
      }
    }
    if (reindex.length) this.indexFiles(reindex);
  }

  private saved(uri: string): void {
    const p = uriToPath(uri);
    if (p && /\.[ch]$/.test(p)) this.indexFiles([p]);
  }

  // ── workspace index ───────────────────────────────────────────────

  private pendingFiles = new Set<string>();

  private indexFiles(files: string[]): void {
    for (const f of files) this.pendingFiles.add(f);
    if (this.index.running) return; // picked up when the walk ends
    const list = [...this.pendingFiles];
    this.pendingFiles.clear();
    this.runIndex(list, false);
  }

  private startIndex(reset: boolean): void {
    this.runIndex(this.folders, reset);
  }

  private runIndex(paths: string[], reset: boolean): void {
    if (this.shuttingDown) return;
    if (!paths.length) {
      this.index.stop();
      return;
    }
    const full = reset;
    let lastReport = 0;
    this.progress?.done();
    this.progress = undefined;
    this.index.start(paths, this.simOptions(), {
      onStart: (total) => {
        this.status = { ...this.status, total, done: 0 };
        if (full && this.caps.workDoneProgress && total > 0) {
          void this.connection.window.createWorkDoneProgress().then((r) => {
            if (!this.index.running) {
              r.done();
              return;
            }
            this.progress = r;
            r.begin('Folio Lens: indexing', 0, `0/${total} files`, false);
          }).catch(() => undefined);
        }
        this.setStatus();
      },
      onProgress: (done, total) => {
        const now = Date.now();
        if (now - lastReport < 200 && done < total) return;
        lastReport = now;
        this.progress?.report(total ? Math.floor((done * 100) / total) : 100, `${done}/${total} files`);
        this.status = { state: 'indexing', done, total };
        void this.connection.sendNotification(STATUS_NOTIFICATION, this.status).catch(() => undefined);
      },
      onDone: (stats) => {
        this.progress?.done();
        this.progress = undefined;
        this.verbose(`folio-lens: indexed ${stats.files} files, ${stats.functions} functions, ${stats.summaries} summaries in ${(stats.millis / 1000).toFixed(1)} s`);
        this.setStatus();
        if (this.index.generation !== this.indexGeneration) {
          this.indexGeneration = this.index.generation;
          for (const uri of this.docs.keys()) this.schedule(uri);
        }
        if (this.pendingFiles.size) this.indexFiles([]);
      },
      onError: (m) => this.verbose(`folio-lens: index: ${m}`),
    }, reset);
  }

  // ── analysis of open documents ────────────────────────────────────

  private state(uri: string): DocState {
    let st = this.docs.get(uri);
    if (!st) {
      st = { analysis: new DocumentAnalysis(this.parser, uri), running: false, dirty: false, findings: [], published: -1, waiters: [] };
      this.docs.set(uri, st);
    }
    return st;
  }

  private schedule(uri: string): void {
    const doc = this.documents.get(uri);
    if (!doc || !isC(doc) || this.shuttingDown) return;
    const st = this.state(uri);
    st.dirty = true;
    if (!st.running) void this.loop(uri, st);
  }

  private async loop(uri: string, st: DocState): Promise<void> {
    st.running = true;
    let slow: NodeJS.Timeout | undefined;
    try {
      await this.ready;
      while (st.dirty && this.docs.get(uri) === st) {
        st.dirty = false;
        const doc = this.documents.get(uri);
        if (!doc) break;
        const version = doc.version;
        const text = doc.getText();
        const t0 = performance.now();
        slow ??= setTimeout(() => {
          this.analysing++;
          this.setStatus();
          slow = undefined;
          st.waiters.push(() => { this.analysing--; this.setStatus(); });
        }, 150);
        let out: RunOutcome;
        try {
          out = await st.analysis.run(text, version, { ...this.simOptions(), workspace: this.index.summaries }, () => st.dirty || this.documents.get(uri)?.version !== version);
        } catch (e) {
          this.connection.console.error(`folio-lens: ${uri}: internal error while analysing: ${(e as Error).stack ?? e}`);
          st.analysis.reset();
          out = { kind: 'error', message: `internal error: ${(e as Error).message}` };
        }
        if (out.kind === 'stale' || this.documents.get(uri)?.version !== version || this.docs.get(uri) !== st) continue;
        if (out.kind === 'error') {
          st.error = out.message;
          st.findings = [];
          this.showOnce(MessageType.Warning, `Folio Lens: ${uriToPath(uri) ?? uri}: not analysed: ${out.message}`);
        } else {
          st.error = undefined;
          st.findings = out.findings;
          const tm = out.timing;
          this.verbose(`folio-lens: ${path.basename(uri)} v${version}: ${(performance.now() - t0).toFixed(1)} ms (mask+focus ${tm.mask.toFixed(1)}, parse ${tm.parse.toFixed(1)}, extract ${tm.extract.toFixed(1)} [${tm.extracted} new], simulate ${tm.simulate.toFixed(1)} [${tm.simulated}])`);
        }
        this.publish(uri, st, version);
      }
    } finally {
      st.running = false;
      if (slow) clearTimeout(slow);
      const w = st.waiters;
      st.waiters = [];
      for (const f of w) f(this.docs.get(uri) === st ? st : undefined);
    }
  }

  private publish(uri: string, st: DocState, version: number): void {
    const doc = this.documents.get(uri);
    if (!doc || doc.version !== version) return;
    const text = doc.getText();
    const diagnostics = [...(st.error ? [] : toLspDiagnostics(uri, text, st.findings, this.settings)), ...this.patches.extraFor(uri, text)];
    st.published = version;
    void this.connection.sendDiagnostics({ uri, version, diagnostics }).catch(() => undefined);
  }

  private close(uri: string): void {
    const st = this.docs.get(uri);
    if (!st) return;
    this.docs.delete(uri);
    st.analysis.dispose();
    const w = st.waiters;
    st.waiters = [];
    for (const f of w) f(undefined);
    // what stays is a checkPatch finding on this file as it is on disk
    const p = uriToPath(uri);
    let disk = '';
    try {
      disk = p ? fs.readFileSync(p, 'utf8') : '';
    } catch {
      // gone
    }
    void this.connection.sendDiagnostics({ uri, diagnostics: this.patches.extraFor(uri, disk) }).catch(() => undefined);
  }

  /** The document's state once its current version is analysed (undefined when it is not open or not C). */
  private async analysed(uri: string): Promise<DocState | undefined> {
    await this.ready;
    const doc = this.documents.get(uri);
    if (!doc || !isC(doc)) return undefined;
    let st = this.docs.get(uri);
    if (!st) {
      this.schedule(uri);
      st = this.docs.get(uri);
      if (!st) return undefined;
    }
    for (let i = 0; i < 5; i++) {
      const cur = this.documents.get(uri);
      if (!cur || this.docs.get(uri) !== st) return undefined;
      if (!st.running && !st.dirty && st.analysis.analysedVersion === cur.version) return st;
      if (!st.running) this.schedule(uri);
      const s = st;
      const r = await new Promise<DocState | undefined>((res) => s.waiters.push(res));
      if (!r) return undefined;
    }
    return st;
  }

  // ── hover ─────────────────────────────────────────────────────────

  private async hover(p: HoverParams): Promise<Hover | null> {
    const uri = docUri(p);
    const { line, character } = position(p);
    const st = await this.analysed(uri);
    const doc = this.documents.get(uri);
    if (!st || !doc) return null;
    const text = doc.getText();
    if (st.analysis.analysedText !== text) return null;
    if (!Number.isInteger(line) || !Number.isInteger(character) || line < 0 || line >= doc.lineCount) return null;
    const starts = lineStarts(text);
    const lineText = text.slice(starts[line], line + 1 < starts.length ? starts[line + 1] - 1 : text.length);
    const following = text.slice(line + 1 < starts.length ? starts[line + 1] : text.length, line + 4 < starts.length ? starts[line + 4] : text.length);
    const w = wordAt(lineText, character, following);
    if (!w) return null;
    const fn = st.analysis.functionAt(line + 1);
    const parts: string[] = [];
    const range = { start: { line, character: w.start }, end: { line, character: w.end } };
    if (w.call) {
      const c = contractMap(this.simOptions()).get(w.word);
      let arg = 0;
      if (c) {
        parts.push(contractMarkdown(c, w.args));
        arg = c.effects.find((e) => 'arg' in e && e.arg !== undefined)?.arg ?? 0;
      } else {
        const s: Summary | undefined = st.analysis.known.get(w.word);
        if (!s) return null;
        const own = st.analysis.functions.some((f) => f.ir.name === w.word);
        const where = own ? 'this file' : this.index.origin.get(w.word) ? path.relative(this.folders[0] ?? '', this.index.origin.get(w.word)!) : undefined;
        parts.push(summaryMarkdown(s, w.args, where));
        arg = s.params[0]?.index ?? 0;
      }
      const argText = w.args?.[arg];
      if (fn && argText) {
        const names = namesForArg(argText);
        const r = st.analysis.traced(fn);
        const at = stateAtLine(r, line + 1, names, w.word);
        if (at.paths && (at.after.length || at.before.length)) {
          parts.push('---', stateMarkdown(argText, at.after, at.paths, `after this call (line ${line + 1})`));
          if (at.before.length) parts.push(`*before it:* ${compact(at.before)}`);
        }
      }
      if (fn && w.args?.length) {
        const life = lifetimeMarkdown(st.analysis.traced(fn), line + 1, w.args.flatMap((a) => [a, ...namesForArg(a)]), w.word);
        if (life) parts.push('---', life);
      }
    } else {
      if (!fn) return null;
      const names = [...new Set([w.path, w.word])];
      const kind = varKind(fn.ir, w.word);
      const r = st.analysis.traced(fn);
      const at = stateAtLine(r, line + 1, names);
      const life = lifetimeMarkdown(r, line + 1, names);
      if (!kind && !at.after.length && !life) return null;
      if (kind || at.after.length) {
        if (at.paths) parts.push(stateMarkdown(names[0], at.after, at.paths, `after line ${line + 1}`));
        else parts.push(`**\`${names[0]}\`** · ${kind ?? 'folio'} · no simulated path has a step on line ${line + 1}`);
      }
      if (life) parts.push(life);
    }
    return { contents: { kind: 'markdown', value: parts.join('\n\n') }, range };
  }

  // ── code lens and the simulate command ────────────────────────────

  private async codeLens(p: CodeLensParams): Promise<CodeLens[]> {
    const uri = docUri(p);
    const st = await this.analysed(uri);
    if (!st) return [];
    return st.analysis.functions
      .filter((f) => f.ir.name !== '(unknown)')
      .map((f) => {
        const line = f.ir.nameLoc.line - 1;
        const args: SimulateArgs = { uri, position: { line, character: f.ir.nameLoc.column - 1 } };
        const n = f.result?.findings.length ?? 0;
        return {
          range: { start: { line: f.ir.loc.line - 1, character: 0 }, end: { line: f.ir.loc.line - 1, character: 0 } },
          command: { title: n ? `Simulate (${n} finding${n > 1 ? 's' : ''})` : 'Simulate', command: SIMULATE_COMMAND, arguments: [args] },
        };
      });
  }

  private async execute(p: ExecuteCommandParams): Promise<unknown> {
    if (!p || typeof p.command !== 'string') throw invalid('command is missing');
    if (p.command === CHECK_PATCH_COMMAND) {
      await this.ready;
      return this.patches.execute(p.arguments?.[0]);
    }
    if (p.command !== SIMULATE_COMMAND) throw invalid(`unknown command '${p.command}' (known: ${SIMULATE_COMMAND}, ${CHECK_PATCH_COMMAND})`);
    const a = p.arguments?.[0] as Partial<SimulateArgs> | undefined;
    if (!a || typeof a.uri !== 'string' || !a.position || !Number.isInteger(a.position.line) || !Number.isInteger(a.position.character ?? 0)) {
      throw invalid(`${SIMULATE_COMMAND} needs one argument {uri, position: {line, character}} (0-based)`);
    }
    const line = a.position.line + 1;
    const file = uriToPath(a.uri) ?? a.uri;
    let st = await this.analysed(a.uri);
    let temp: DocumentAnalysis | undefined;
    try {
      let analysis = st?.analysis;
      if (!analysis) {
        // not open: analyse the file as it is on disk
        const p2 = uriToPath(a.uri);
        if (!p2) throw invalid(`${a.uri} is not open and not a file`);
        let text: string;
        try {
          text = fs.readFileSync(p2, 'utf8');
        } catch (e) {
          throw invalid(`${p2}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
        }
        temp = new DocumentAnalysis(this.parser, a.uri);
        const out = await temp.run(text, 0, { ...this.simOptions(), workspace: this.index.summaries }, () => false);
        if (out.kind === 'error') throw invalid(`${p2}: not analysed: ${out.message}`);
        analysis = temp;
      }
      const fn: FnState | undefined = analysis.functionAt(line);
      if (!fn) throw invalid(`${file}:${line}: no function that touches folios or pages here`);
      return simulationJson(file, fn.ir, analysis.traced(fn));
    } finally {
      temp?.dispose();
      st = undefined;
    }
  }

  // ── code actions ──────────────────────────────────────────────────

  private async codeAction(p: CodeActionParams): Promise<CodeAction[]> {
    const uri = docUri(p);
    const diags = p.context?.diagnostics;
    if (!Array.isArray(diags)) throw invalid('context.diagnostics is missing');
    const ours = diags.filter((d) => d && d.source === 'folio-lens' && typeof d.code === 'string' && d.range?.start && Number.isInteger(d.range.start.line));
    if (!ours.length) return [];
    const st = await this.analysed(uri);
    const doc = this.documents.get(uri);
    if (!st || !doc) return [];
    const text = doc.getText();
    const tree = st.analysis.currentTree();
    const starts = lineStarts(text);
    const actions: CodeAction[] = [];
    const toEdit = (f: Fix, d: LspDiagnostic): CodeAction => {
      const edits: TextEdit[] = f.edits.map((e) => ({ range: { start: doc.positionAt(e.start), end: doc.positionAt(e.end) }, newText: e.newText }));
      const edit: WorkspaceEdit = this.caps.documentChanges
        ? { documentChanges: [TextDocumentEdit.create({ uri, version: doc.version }, edits)] }
        : { changes: { [uri]: edits } };
      return { title: f.title, kind: CodeActionKind.QuickFix, diagnostics: [d], edit, isPreferred: f.preferred };
    };
    for (const d of ours) {
      const rule = d.code as string;
      let data = d.data as DiagnosticData | undefined;
      if (!data?.path) {
        // a client that does not keep `data`: find the finding by its rule and place
        const f = st.findings.find((x) => x.rule === rule && x.loc.line === d.range.start.line + 1 && x.loc.column === d.range.start.character + 1);
        if (f) data = { rule, function: f.function, object: f.object, call: f.call, severity: f.severity, path: f.path };
      }
      if ((rule === 'ref-leak' || rule === 'lock-leak') && data?.object && tree && st.analysis.analysedText === text) {
        const fn = st.analysis.functionAt(d.range.start.line + 1);
        let kind = fn ? varKind(fn.ir, data.object) : undefined;
        if (!kind && fn) {
          for (const path of st.analysis.traced(fn).trace?.paths ?? []) {
            for (const s of path.steps) {
              const o = s.objects.find((x) => x.names.includes(data.object!));
              if (o) { kind = o.kind; break; }
            }
            if (kind) break;
          }
        }
        const fixes = leakFixes({
          text, tree, offset: doc.offsetAt(d.range.start), rule, object: data.object, kind: kind ?? 'folio',
          everyPath: data.severity === 'error', path: data.path ?? [], returnLine: d.range.start.line + 1,
        });
        for (const f of fixes) actions.push(toEdit(f, d));
      }
      actions.push(toEdit(suppressFix(text, starts, d.range.start.line + 1, rule), d));
    }
    return actions;
  }
}

/** One line: the distinct states of a set of snapshots, with how many paths have each. */
function compact(snaps: { refs: number; callerRef: boolean; locked: string; writeback: string }[]): string {
  const m = new Map<string, number>();
  for (const s of snaps) {
    const parts = [`${s.refs} ref${s.refs === 1 ? '' : 's'}${s.callerRef ? ' + caller\'s' : ''}`];
    parts.push(s.locked === 'held' ? 'locked' : s.locked === 'not-held' ? 'unlocked' : 'lock unknown');
    if (s.writeback === 'set') parts.push('under writeback');
    const k = parts.join(', ');
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return [...m].map(([k, n]) => (snaps.length > 1 ? `${k} (${n} of ${snaps.length})` : k)).join('; ');
}
