/**
 * The `foliolens.checkPatch` command (workspace/executeCommand): patch mode
 * (../patch) in the editor.
 *
 * - `{uri, text?}`: a .patch/.diff file, applied in memory to the workspace
 *   folder that contains it (or the first one). The tree's files are read as
 *   the editor has them (open documents, saved or not), else from disk. The
 *   introduced findings are published as diagnostics on the `+` lines of the
 *   patch document itself (the file after the patch exists nowhere else).
 * - `{uncommitted: true, folder?}`: the working tree of the folder's git
 *   checkout against HEAD, as it is on disk. The introduced findings are
 *   published on the changed lines of the working-tree files, merged with the
 *   normal diagnostics of a file that is open (server.ts asks `extraFor`).
 *
 * These diagnostics have their own source, `folio-lens patch`, so they are
 * told apart from (and never replaced by) the per-file analysis; they last
 * until the next check of the same kind, and are dropped from a document as
 * soon as its text is no longer the one they were computed on.
 *
 * A patch that does not parse or apply is a user error: a window message
 * naming the file and the hunk, an error result, and nothing claimed (the
 * previous diagnostics of that patch are cleared).
 */
import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import {
  DiagnosticSeverity,
  LSPErrorCodes,
  MessageType,
  ResponseError,
  ErrorCodes,
  ShowMessageNotification,
  type Connection,
  type Diagnostic as LspDiagnostic,
} from 'vscode-languageserver/node';
import type { AnalyzeOptions } from '../analyze';
import type { Diagnostic } from '../diagnostic';
import { RULE_IDS } from '../../../simulator/src/rules';
import { GitError, introducedAnchor, patchJson, patchText, PatchInputError, reviewGitRange, reviewPatchText, treeReader, type PatchReview, type TreeReader } from '../patch/index';
import { gitTop } from '../patch/git';
import { CHECK_PATCH_COMMAND, type CheckPatchResult } from '../../../extension/src/protocol';
import { lineRange, lineStarts, ruleDocUrl } from './convert';
import type { Settings } from './settings';

export const PATCH_SOURCE = 'folio-lens patch';

/** What the checker needs from the server. */
export interface PatchHost {
  readonly connection: Connection;
  folders(): string[];
  settings(): Settings;
  analyzeOptions(): AnalyzeOptions;
  /** the text of every open document, by file system path */
  openTexts(): Map<string, string>;
  /** publish the document's diagnostics again (merged with extraFor); false when it is not open */
  republish(uri: string): boolean;
}

interface Published {
  /** the text the diagnostics are anchored in (null: any, the document is not tracked) */
  text: string | null;
  diagnostics: LspDiagnostic[];
}

function uriToPath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : path.isAbsolute(uri) ? uri : undefined;
  } catch {
    return undefined;
  }
}

function failed(message: string): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestFailed, message);
}

function within(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export class PatchChecker {
  /** diagnostics of patch documents, by URI */
  private readonly patchDocs = new Map<string, Published>();
  /** diagnostics of working-tree files from the last uncommitted check, by URI */
  private readonly worktree = new Map<string, Published>();

  constructor(private readonly host: PatchHost) {}

  /** The patch diagnostics to publish along with `uri`'s own (working-tree files of an uncommitted check). */
  extraFor(uri: string, text: string): LspDiagnostic[] {
    const w = this.worktree.get(uri);
    if (!w) return [];
    if (w.text !== null && w.text !== text) {
      this.worktree.delete(uri);
      return [];
    }
    return w.diagnostics;
  }

  /** A document's text changed: its patch diagnostics go when they no longer fit it. */
  changed(uri: string, text: string): void {
    const p = this.patchDocs.get(uri);
    if (p && p.text !== null && p.text !== text) {
      this.patchDocs.delete(uri);
      this.send(uri, []);
    }
    // working-tree files: extraFor drops them at the document's next publish
  }

  async execute(arg: unknown): Promise<CheckPatchResult> {
    const a = arg as { uri?: unknown; text?: unknown; uncommitted?: unknown; folder?: unknown } | null | undefined;
    if (a && typeof a === 'object' && a.uncommitted === true) {
      if (a.folder !== undefined && typeof a.folder !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `${CHECK_PATCH_COMMAND}: folder must be a URI or a path`);
      return this.uncommitted(a.folder as string | undefined);
    }
    if (!a || typeof a !== 'object' || typeof a.uri !== 'string' || (a.text !== undefined && typeof a.text !== 'string')) {
      throw new ResponseError(ErrorCodes.InvalidParams, `${CHECK_PATCH_COMMAND} needs one argument {uri, text?} (a .patch or .diff file) or {uncommitted: true, folder?}`);
    }
    return this.patchFile(a.uri, a.text as string | undefined);
  }

  // ── a patch file ──────────────────────────────────────────────────

  private async patchFile(uri: string, given: string | undefined): Promise<CheckPatchResult> {
    const file = uriToPath(uri);
    const name = file ?? uri;
    let text = given;
    if (text === undefined && file) text = this.host.openTexts().get(file);
    if (text === undefined) {
      if (!file) throw new ResponseError(ErrorCodes.InvalidParams, `${uri} is not a file; pass its text`);
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (e) {
        throw this.userError(uri, `Folio Lens: ${name}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
    }
    const root = this.folderOf(file);
    if (!root) throw this.userError(uri, `Folio Lens: ${name}: no workspace folder to apply the patch to`);
    const start = performance.now();
    let review: PatchReview & { warnings: string[] };
    try {
      review = await reviewPatchText(text, this.reader(root), this.host.analyzeOptions());
    } catch (e) {
      if (e instanceof PatchInputError) throw this.userError(uri, `Folio Lens: ${name}: ${e.message}`);
      throw e;
    }
    for (const w of review.warnings) this.host.connection.console.warn(`folio-lens: ${name}: ${w}`);
    const diagnostics: LspDiagnostic[] = [];
    const starts = lineStarts(text);
    for (const i of review.introduced) {
      const d = i.diagnostic;
      const at = introducedAnchor(i);
      const patchLine = at?.patchLine ?? 1;
      diagnostics.push(this.diagnostic(d, lineRange(text, starts, patchLine), `${d.file}:${d.line}: ${d.function}(): ${d.message}`, undefined));
    }
    this.patchDocs.set(uri, { text, diagnostics });
    this.send(uri, diagnostics);
    return this.result(review, start);
  }

  /** The workspace folder that contains `file` (the deepest), else the first one. */
  private folderOf(file: string | undefined): string | undefined {
    const folders = this.host.folders();
    if (file) {
      const mine = folders.filter((f) => within(f, file)).sort((x, y) => y.length - x.length)[0];
      if (mine) return mine;
    }
    return folders[0] ?? (file ? path.dirname(file) : undefined);
  }

  /** The files under `root` as the editor has them: open documents (saved or not), else the disk. */
  private reader(root: string): TreeReader {
    const disk = treeReader(root);
    const open = this.host.openTexts();
    return (p) => open.get(path.join(root, p)) ?? disk(p);
  }

  // ── uncommitted changes ───────────────────────────────────────────

  private async uncommitted(folder: string | undefined): Promise<CheckPatchResult> {
    const dir = folder ? uriToPath(folder) : this.host.folders()[0];
    if (!dir) throw this.userError(undefined, folder ? `Folio Lens: ${folder} is not a folder` : 'Folio Lens: no workspace folder to check the uncommitted changes of');
    const start = performance.now();
    let review: PatchReview;
    let top: string;
    try {
      top = gitTop(dir);
      review = await reviewGitRange(dir, null, this.host.analyzeOptions());
    } catch (e) {
      if (e instanceof PatchInputError || e instanceof GitError) throw this.userError(undefined, `Folio Lens: uncommitted changes of ${dir}: ${e.message}`);
      throw e;
    }
    const fresh = new Map<string, Published>();
    for (const i of review.introduced) {
      const d = i.diagnostic;
      const at = introducedAnchor(i);
      const after = i.review.afterText ?? '';
      const full = path.join(top, d.file);
      const uri = pathToFileURL(full).href;
      const range = lineRange(after, lineStarts(after), at?.line ?? d.line);
      const diag = this.diagnostic(d, range, `introduced by the uncommitted changes: ${d.message}`, uri);
      const pub = fresh.get(uri) ?? { text: after, diagnostics: [] };
      pub.diagnostics.push(diag);
      fresh.set(uri, pub);
    }
    const old = [...this.worktree.keys()];
    this.worktree.clear();
    for (const [uri, pub] of fresh) this.worktree.set(uri, pub);
    for (const uri of new Set([...old, ...fresh.keys()])) {
      if (!this.host.republish(uri)) this.send(uri, this.worktree.get(uri)?.diagnostics ?? []);
    }
    return this.result(review, start);
  }

  // ── shared ────────────────────────────────────────────────────────

  /** A user error: said in a window message, the command fails, the patch's diagnostics are cleared. */
  private userError(uri: string | undefined, message: string): ResponseError<void> {
    void this.host.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Error, message }).catch(() => undefined);
    if (uri && this.patchDocs.has(uri)) {
      this.patchDocs.delete(uri);
      this.send(uri, []);
    }
    return failed(message);
  }

  /**
   * An introduced finding as an LSP diagnostic at `range`; `relatedUri` is
   * the file its lines belong to (the working-tree file; the patch document,
   * where only the changed line is known, gets no related locations).
   */
  private diagnostic(d: Diagnostic, range: LspDiagnostic['range'], message: string, relatedUri: string | undefined): LspDiagnostic {
    const s = this.host.settings();
    const level = s.rules[d.rule];
    const sev = level && level !== 'off' ? level : d.severity;
    const out: LspDiagnostic = {
      range,
      severity: sev === 'error' ? DiagnosticSeverity.Error : sev === 'warning' ? DiagnosticSeverity.Warning : sev === 'hint' ? DiagnosticSeverity.Hint : DiagnosticSeverity.Information,
      code: d.rule,
      codeDescription: { href: ruleDocUrl(d.rule, s.docsBaseUrl) },
      source: PATCH_SOURCE,
      message,
    };
    if (relatedUri && range.start.line !== d.line - 1) {
      out.relatedInformation = [{
        location: { uri: relatedUri, range: { start: { line: d.line - 1, character: d.column - 1 }, end: { line: d.endLine - 1, character: d.endColumn - 1 } } },
        message: `${d.function}(): ${d.rule} here`,
      }];
    }
    return out;
  }

  private result(review: PatchReview, start: number): CheckPatchResult {
    const stats = { seconds: (performance.now() - start) / 1000 };
    const json = JSON.parse(patchJson(review, stats)) as Omit<CheckPatchResult, 'summary' | 'text'> & { stats: { files: number; functions: number } };
    const un = review.unanalysed.length ? `, ${review.unanalysed.length} not analysed` : '';
    const summary = `${review.introduced.length} introduced, ${review.fixed.length} fixed, ${review.remaining.length} remaining` +
      ` in ${json.stats.functions} function(s) of ${json.stats.files} file(s)${un}`;
    return { ...json, summary, text: patchText(review, stats) };
  }

  private send(uri: string, diagnostics: LspDiagnostic[]): void {
    void this.host.connection.sendDiagnostics({ uri, diagnostics }).catch(() => undefined);
  }
}

/** AnalyzeOptions.rules from the per-rule settings: the rules not turned off (undefined: all). */
export function enabledRules(s: Settings): string[] | undefined {
  const off = Object.entries(s.rules).filter(([, v]) => v === 'off').map(([k]) => k);
  return off.length ? RULE_IDS.filter((r) => !off.includes(r)) : undefined;
}
