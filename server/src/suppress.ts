/**
 * Suppression comments: `/* folio-lens: ignore <rule> [<rule>...] *\/` (or the
 * `//` form) on the line of a finding or on the line before silences the
 * named rules there; `ignore` with no rule, or `ignore all`, silences every
 * rule on that line.
 */

const MARK = /folio-lens:\s*ignore\b([^*\n]*)/g;

/** line (1-based) → rules ignored there ('*' for all) */
export function suppressions(text: string): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  if (!text.includes('folio-lens:')) return out;
  MARK.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = MARK.exec(text))) {
    const line = countLines(text, m.index);
    const names = m[1].replace(/\*\/.*$/, '').split(/[\s,]+/).filter(Boolean);
    const set = new Set(names.length === 0 || names.includes('all') ? ['*'] : names);
    for (const l of [line, line + 1]) {
      const cur = out.get(l);
      if (cur) for (const n of set) cur.add(n);
      else out.set(l, new Set(set));
    }
  }
  return out;
}

function countLines(text: string, index: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

export function isSuppressed(map: Map<number, Set<string>>, line: number, rule: string): boolean {
  const s = map.get(line);
  return !!s && (s.has('*') || s.has(rule));
}
