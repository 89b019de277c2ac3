/**
 * Findings to LSP diagnostics: suppression comments and rule settings
 * applied, severity mapped, the rule's page linked, the path's steps as
 * related information.
 */
import * as path from 'path';
import { pathToFileURL } from 'url';
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic, type DiagnosticRelatedInformation, type Range } from 'vscode-languageserver';
import type { Finding, Severity } from '../../../simulator/src/api-types';
import { suppressions, isSuppressed } from '../suppress';
import type { RuleLevel, Settings } from './settings';

/** docs/rules/ of the installed package (out/server/src/lsp → the repository root) */
const DOCS = pathToFileURL(path.resolve(__dirname, '..', '..', '..', '..', 'docs', 'rules')).href;

export function ruleDocUrl(rule: string, base: string): string {
  const b = base || DOCS;
  return `${b.replace(/\/+$/, '')}/${rule}.md`;
}

/** What a diagnostic carries for code actions (the `data` field). */
export interface DiagnosticData {
  rule: string;
  function: string;
  object?: string;
  call?: string;
  /** the finding's own severity: error = on every path through its location */
  severity: Severity;
  path: { line: number; note: string }[];
}

export function lineStarts(text: string): number[] {
  const s = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) s.push(i + 1);
  return s;
}

/** The range of a 1-based line's text, leading and trailing blanks excluded. */
export function lineRange(text: string, starts: number[], line: number): Range {
  const row = Math.max(0, Math.min(line - 1, starts.length - 1));
  const a = starts[row];
  let b = row + 1 < starts.length ? starts[row + 1] - 1 : text.length;
  let i = a;
  while (i < b && (text[i] === ' ' || text[i] === '\t')) i++;
  while (b > i && /\s/.test(text[b - 1])) b--;
  return { start: { line: row, character: i - a }, end: { line: row, character: b - a } };
}

function severityOf(s: Severity, level: RuleLevel | undefined): DiagnosticSeverity {
  const v = level && level !== 'off' ? level : s;
  switch (v) {
    case 'error': return DiagnosticSeverity.Error;
    case 'warning': return DiagnosticSeverity.Warning;
    case 'hint': return DiagnosticSeverity.Hint;
    default: return DiagnosticSeverity.Information;
  }
}

const MAX_RELATED = 16;

export function toLspDiagnostics(uri: string, text: string, findings: Finding[], settings: Settings): LspDiagnostic[] {
  const sup = suppressions(text);
  let starts: number[] | undefined;
  const out: LspDiagnostic[] = [];
  for (const f of findings) {
    const level = settings.rules[f.rule];
    if (level === 'off') continue;
    if (isSuppressed(sup, f.loc.line, f.rule)) continue;
    starts ??= lineStarts(text);
    const related: DiagnosticRelatedInformation[] = [];
    const seen = new Set<string>();
    for (const r of f.related) {
      const k = `${r.loc.line}:${r.message}`;
      if (seen.has(k)) continue;
      seen.add(k);
      related.push({
        location: { uri, range: { start: { line: r.loc.line - 1, character: r.loc.column - 1 }, end: { line: r.loc.endLine - 1, character: r.loc.endColumn - 1 } } },
        message: r.message,
      });
    }
    for (const s of f.path) {
      if (related.length >= MAX_RELATED) break;
      const k = `${s.line}:${s.note}`;
      if (seen.has(k)) continue;
      seen.add(k);
      related.push({ location: { uri, range: lineRange(text, starts, s.line) }, message: `${s.line}: ${s.note}` });
    }
    const data: DiagnosticData = { rule: f.rule, function: f.function, object: f.object, call: f.call, severity: f.severity, path: f.path };
    out.push({
      range: { start: { line: f.loc.line - 1, character: f.loc.column - 1 }, end: { line: f.loc.endLine - 1, character: f.loc.endColumn - 1 } },
      severity: severityOf(f.severity, level),
      code: f.rule,
      codeDescription: { href: ruleDocUrl(f.rule, settings.docsBaseUrl) },
      source: 'folio-lens',
      message: f.message,
      relatedInformation: related,
      data,
    });
  }
  out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || String(a.code).localeCompare(String(b.code)));
  return out;
}
