/**
 * Quick fixes, as plain text edits (offsets turned into LSP ranges by the
 * caller's helpers):
 *
 * - ref-leak / lock-leak: put or unlock the object before the statement
 *   that leaves with it. When the leak happens on every path through the
 *   return (`error`), before that return; when only on some (`warning`),
 *   before the goto on the leaking path that jumps to the shared return,
 *   or, better, retarget that goto to an earlier label whose code does
 *   exactly what is missing. A braceless `if`/`else` body gets braces.
 *   An unlock goes above puts of the same object already there.
 * - any rule: the suppression comment on the line before.
 */
import type { Tree, Node as SyntaxNode } from 'web-tree-sitter';

export interface TextEditOff {
  start: number;
  end: number;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEditOff[];
  preferred?: boolean;
}

const BRACELESS = new Set(['if_statement', 'else_clause', 'while_statement', 'for_statement', 'do_statement']);

function lineStartOf(text: string, off: number): number {
  return text.lastIndexOf('\n', off - 1) + 1;
}

function indentAt(text: string, lineStart: number): string {
  let i = lineStart;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return text.slice(lineStart, i);
}

/** The release call that a rule's fix inserts for an object of this kind. */
export function releaseCall(rule: string, kind: 'folio' | 'page'): string | undefined {
  if (rule === 'ref-leak') return kind === 'page' ? 'put_page' : 'folio_put';
  if (rule === 'lock-leak') return kind === 'page' ? 'unlock_page' : 'folio_unlock';
  return undefined;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Edits inserting `code` so that it runs right before `stmt`. */
function insertBefore(text: string, stmt: SyntaxNode, code: string, skipAbove?: RegExp): TextEditOff[] {
  const s = stmt.startIndex;
  const ls = lineStartOf(text, s);
  const firstOnLine = text.slice(ls, s).trim() === '';
  const parent = stmt.parent;
  const indent = indentAt(text, ls);
  if (parent && BRACELESS.has(parent.type)) {
    if (!firstOnLine) {
      return [{ start: s, end: stmt.endIndex, newText: `{ ${code} ${text.slice(s, stmt.endIndex)} }` }];
    }
    // `if (x)\n\treturn y;` → `if (x) {\n\tcode\n\treturn y;\n}`
    let p = ls - 1;
    while (p >= 0 && /\s/.test(text[p])) p--;
    const outer = indentAt(text, lineStartOf(text, p));
    return [
      { start: p + 1, end: p + 1, newText: ' {' },
      { start: ls, end: ls, newText: `${indent}${code}\n` },
      { start: stmt.endIndex, end: stmt.endIndex, newText: `\n${outer}}` },
    ];
  }
  if (!firstOnLine) return [{ start: s, end: s, newText: `${code} ` }];
  let at = ls;
  if (skipAbove) {
    // move above lines that must stay after the new code (puts below an unlock)
    for (;;) {
      if (at === 0) break;
      const prevStart = lineStartOf(text, at - 1);
      const prev = text.slice(prevStart, at - 1).trim();
      if (!skipAbove.test(prev)) break;
      at = prevStart;
    }
  }
  return [{ start: at, end: at, newText: `${indentAt(text, at)}${code}\n` }];
}

function enclosing(n: SyntaxNode | null, type: string): SyntaxNode | null {
  while (n && n.type !== type) n = n.parent;
  return n;
}

/** The statement of `type` that starts at or contains the offset. */
function statementAt(tree: Tree, offset: number, types: string[]): SyntaxNode | null {
  let n: SyntaxNode | null = tree.rootNode.descendantForIndex(offset, offset);
  while (n && !types.includes(n.type)) n = n.parent;
  return n;
}

function row(n: SyntaxNode): number {
  return n.startPosition.row + 1;
}

/** `goto` statements on the path: between two consecutive path steps, jumping to a label at or before the later one. */
function gotoOnPath(fnNode: SyntaxNode, path: { line: number }[], returnLine: number): SyntaxNode | undefined {
  const labels = new Map<string, number>();
  for (const l of fnNode.descendantsOfType('labeled_statement')) {
    const name = l?.childForFieldName('label')?.text;
    if (l && name) labels.set(name, row(l));
  }
  const lines = path.map((p) => p.line);
  if (lines[lines.length - 1] !== returnLine) lines.push(returnLine);
  const found = new Set<SyntaxNode>();
  for (const g of fnNode.descendantsOfType('goto_statement')) {
    if (!g) continue;
    const label = g.childForFieldName('label')?.text;
    const ll = label ? labels.get(label) : undefined;
    if (ll === undefined) continue;
    const gl = row(g);
    for (let i = 0; i + 1 < lines.length; i++) {
      const a = lines[i], b = lines[i + 1];
      if (a <= gl && gl < b && gl < ll && ll <= b) {
        found.add(g);
        break;
      }
    }
  }
  if (found.size !== 1) return undefined;
  return [...found][0];
}

/** An earlier label whose statements, up to the goto's label, are exactly `code` (for retargeting). */
function cleanupLabel(fnNode: SyntaxNode, target: string, code: string): string | undefined {
  const want = code.replace(/\s+/g, '');
  for (const l of fnNode.descendantsOfType('labeled_statement')) {
    if (!l || l.childForFieldName('label')?.text !== target) continue;
    // walk back over siblings: `L2: code;` directly before `target:`
    let prev = l.previousNamedSibling;
    const seen: string[] = [];
    while (prev) {
      if (prev.type === 'comment') { prev = prev.previousNamedSibling; continue; }
      if (prev.type === 'labeled_statement') {
        const inner = prev.namedChildren.filter((c) => c && c.type !== 'statement_identifier' && c.type !== 'comment');
        const stmt = inner[inner.length - 1];
        const name = prev.childForFieldName('label')?.text;
        if (!stmt || !name) return undefined;
        seen.push(stmt.text.replace(/\s+/g, ''));
        if (seen.length && seen.every((s) => s === want)) return name;
        return undefined;
      }
      if (prev.type !== 'expression_statement') return undefined;
      seen.push(prev.text.replace(/\s+/g, ''));
      if (seen.length > 3) return undefined;
      prev = prev.previousNamedSibling;
    }
  }
  return undefined;
}

export interface LeakFixInput {
  text: string;
  tree: Tree;
  /** 0-based offset of the diagnostic's start (the return) */
  offset: number;
  rule: 'ref-leak' | 'lock-leak';
  object: string;
  kind: 'folio' | 'page';
  /** the leak happens on every path through this return */
  everyPath: boolean;
  path: { line: number; note: string }[];
  returnLine: number;
}

export function leakFixes(x: LeakFixInput): Fix[] {
  const call = releaseCall(x.rule, x.kind);
  if (!call || !/^[A-Za-z_][\w]*(?:(?:->|\.)[A-Za-z_]\w*)*$/.test(x.object)) return [];
  const code = `${call}(${x.object});`;
  const putPattern = x.rule === 'lock-leak' ? new RegExp(`^(?:folio_put|put_page)\\(\\s*${escapeRe(x.object)}\\s*\\);$`) : undefined;
  const ret = statementAt(x.tree, x.offset, ['return_statement']);
  if (!ret) {
    // a void function that ends without `return`: the finding is at its closing brace
    const brace = x.tree.rootNode.descendantForIndex(x.offset, x.offset);
    const body = brace?.type === '}' ? brace.parent : null;
    if (!x.everyPath || !brace || body?.type !== 'compound_statement' || body.parent?.type !== 'function_definition') return [];
    const last = body.namedChildren.filter((c) => c && c.type !== 'comment').pop();
    const ls = lineStartOf(x.text, brace.startIndex);
    if (x.text.slice(ls, brace.startIndex).trim() !== '') return [];
    const indent = last ? indentAt(x.text, lineStartOf(x.text, last.startIndex)) : indentAt(x.text, ls) + '\t';
    let at = ls;
    if (putPattern) {
      while (at > 0) {
        const ps = lineStartOf(x.text, at - 1);
        if (!putPattern.test(x.text.slice(ps, at - 1).trim())) break;
        at = ps;
      }
    }
    return [{ title: `Add ${code} at the end of the function`, edits: [{ start: at, end: at, newText: `${indent}${code}\n` }], preferred: true }];
  }
  const fnNode = enclosing(ret, 'function_definition');
  if (!fnNode) return [];
  if (x.everyPath) {
    return [{ title: `Add ${code} before this return`, edits: insertBefore(x.text, ret, code, putPattern), preferred: true }];
  }
  const g = gotoOnPath(fnNode, x.path, x.returnLine);
  if (!g) return [];
  const fixes: Fix[] = [];
  const label = g.childForFieldName('label');
  const better = label ? cleanupLabel(fnNode, label.text, code) : undefined;
  if (label && better) {
    fixes.push({ title: `Jump to '${better}' (which calls ${call}(${x.object})) instead of '${label.text}'`, edits: [{ start: label.startIndex, end: label.endIndex, newText: better }], preferred: true });
  }
  fixes.push({ title: `Add ${code} before 'goto ${label?.text ?? ''}' (line ${row(g)})`, edits: insertBefore(x.text, g, code, putPattern), preferred: !better });
  return fixes;
}

/** `/* folio-lens: ignore <rule> *\/` on the line before `line` (1-based), or the rule added to one already there. */
export function suppressFix(text: string, starts: number[], line: number, rule: string): Fix {
  const ls = starts[Math.max(0, Math.min(line - 1, starts.length - 1))];
  const indent = indentAt(text, ls);
  if (line >= 2) {
    const ps = starts[line - 2];
    const prev = text.slice(ps, ls - 1);
    const m = /\/\*\s*folio-lens:\s*ignore\b([^*\n]*)\*\//.exec(prev);
    if (m) {
      const at = ps + m.index + m[0].length - 2;
      const pad = m[1].endsWith(' ') ? '' : ' ';
      return { title: `Ignore ${rule} here (folio-lens: ignore)`, edits: [{ start: at, end: at, newText: `${pad}${rule} ` }] };
    }
  }
  return { title: `Ignore ${rule} here (folio-lens: ignore)`, edits: [{ start: ls, end: ls, newText: `${indent}/* folio-lens: ignore ${rule} */\n` }] };
}
