/**
 * A finding as the CLI and the language server report it: a simulator
 * Finding placed in a file, after suppression comments and rule filters.
 * This is also the object of `folio-lens check --format json`.
 */
import type { Finding, Severity } from '../../simulator/src/api-types';

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  rule: string;
  severity: Severity;
  message: string;
  function: string;
  path: { line: number; note: string }[];
  related: { line: number; column: number; message: string }[];
  /** the variable naming the folio, and the call involved (for matching across versions of a file) */
  object?: string;
  call?: string;
}

export function toDiagnostic(file: string, f: Finding): Diagnostic {
  return {
    file,
    line: f.loc.line,
    column: f.loc.column,
    endLine: f.loc.endLine,
    endColumn: f.loc.endColumn,
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    function: f.function,
    path: f.path.map((s) => ({ line: s.line, note: s.note })),
    related: f.related.map((r) => ({ line: r.loc.line, column: r.loc.column, message: r.message })),
    object: f.object,
    call: f.call,
  };
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0);
}
