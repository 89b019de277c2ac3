/**
 * SARIF 2.1.0 for GitHub code scanning: one run, the rules with their help
 * pages, results with the path as a code flow and the places where the
 * reference or lock was taken as related locations. File URIs are relative
 * to the folder the check ran in (uriBaseId %SRCROOT%).
 */
import * as path from 'path';
import type { Diagnostic } from '../diagnostic';
import { RULES, RULE_IDS } from '../../../simulator/src/rules';

const DOCS = 'docs/rules/';
const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

export function formatSarif(diags: Diagnostic[], opts: { version: string; cwd: string }): string {
  const uri = (file: string) => {
    const rel = path.relative(opts.cwd, path.resolve(opts.cwd, file));
    return (rel.startsWith('..') ? path.resolve(opts.cwd, file) : rel).split(path.sep).join('/');
  };
  const region = (line: number, column: number, endLine?: number, endColumn?: number) => ({
    startLine: line,
    startColumn: column,
    ...(endLine !== undefined ? { endLine, endColumn } : {}),
  });
  const results = diags.map((d) => {
    const loc = (line: number, column: number, message?: string, end?: [number, number]) => ({
      physicalLocation: {
        artifactLocation: { uri: uri(d.file), uriBaseId: '%SRCROOT%' },
        region: region(line, column, end?.[0], end?.[1]),
      },
      ...(message ? { message: { text: message } } : {}),
    });
    return {
      ruleId: d.rule,
      ruleIndex: RULE_IDS.indexOf(d.rule as never),
      level: LEVEL[d.severity],
      message: { text: d.message },
      locations: [loc(d.line, d.column, undefined, [d.endLine, d.endColumn])],
      relatedLocations: d.related.map((r, i) => ({ id: i + 1, ...loc(r.line, r.column, r.message) })),
      ...(d.path.length
        ? { codeFlows: [{ threadFlows: [{ locations: d.path.map((s) => ({ location: loc(s.line, 1, s.note) })) }] }] }
        : {}),
      partialFingerprints: { 'folioLens/v1': `${d.rule}:${d.function}:${d.call ?? ''}:${d.object ?? ''}` },
    };
  });
  const doc = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'folio-lens',
            version: opts.version,
            informationUri: 'https://github.com/folio-lens/folio-lens',
            rules: RULE_IDS.map((id) => ({
              id,
              name: id.replace(/(^|-)(\w)/g, (_m, _d, ch: string) => ch.toUpperCase()),
              shortDescription: { text: RULES[id] },
              helpUri: `https://github.com/folio-lens/folio-lens/blob/main/${DOCS}${id}.md`,
              defaultConfiguration: { level: id === 'analysis-incomplete' ? 'note' : 'warning' },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
