/** gcc-style text: `file:line:col: warning: message [rule]`, the path under it, then a summary. */
import type { Diagnostic } from '../diagnostic';

export interface RunStats {
  files: number;
  functions: number;
  seconds: number;
}

export function formatText(diags: Diagnostic[], stats: RunStats, opts: { color?: boolean } = {}): string {
  const c = (code: string, s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines: string[] = [];
  for (const d of diags) {
    const sev = d.severity === 'error' ? c('1;31', 'error') : d.severity === 'warning' ? c('1;35', 'warning') : c('1;36', 'note');
    lines.push(`${c('1', `${d.file}:${d.line}:${d.column}:`)} ${sev}: ${d.message} [${d.rule}]`);
    for (const r of d.related) lines.push(`${d.file}:${r.line}:${r.column}: note: ${r.message}`);
  }
  const n = (sev: string) => diags.filter((d) => d.severity === sev).length;
  const parts = [`${n('error')} error(s)`, `${n('warning')} warning(s)`];
  if (n('info') > 0) parts.push(`${n('info')} note(s)`);
  lines.push(`folio-lens: ${parts.join(', ')} in ${stats.files} file(s), ${stats.functions} function(s) simulated, ${stats.seconds.toFixed(2)} s`);
  return lines.join('\n') + '\n';
}
