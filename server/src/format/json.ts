/** The JSON document of `folio-lens check --format json`. */
import type { Diagnostic } from '../diagnostic';
import type { RunStats } from './text';

/** One entry of `diagnostics` (also the finding objects of `folio-lens patch --format json`). */
export function diagnosticJson(d: Diagnostic) {
  return {
    file: d.file,
    line: d.line,
    column: d.column,
    endLine: d.endLine,
    endColumn: d.endColumn,
    rule: d.rule,
    severity: d.severity,
    message: d.message,
    function: d.function,
    path: d.path,
    related: d.related,
  };
}

export function formatJson(diags: Diagnostic[], stats: RunStats): string {
  return JSON.stringify({
    diagnostics: diags.map(diagnosticJson),
    stats: { files: stats.files, functions: stats.functions, seconds: Number(stats.seconds.toFixed(3)) },
  }, null, 2) + '\n';
}
