/**
 * Statements to a control-flow graph: compound statements, if/else, loops
 * (including iterator macros masked to `while`), switch with fall-through,
 * break/continue, goto and labels, return (with `__free` cleanups in scope),
 * scoped guards; then jump threading, pruning of unreachable blocks and
 * renumbering in reverse post-order.
 */
import type { SyntaxNode } from '../parser';
import type { Block, Loc, ReturnValue, Terminator } from '../../../simulator/src/ir';
import type { Rewrite } from '../kernelc/mask-types';
import { FnCtx } from './context';
import {
  ERRNO,
  assignTo,
  errorNode,
  evalExpr,
  exprChildren,
  isObj,
  lowerCond,
  parseNumber,
  strip,
} from './expr';
import { declaratorInfo, structKind } from './types';
import { end, fld, flds, ty, txt } from './nodes';

/** struct types whose locals' single definitions the simulator uses to relate mappings and inodes */
const FILE_TYPES = /^struct\s+(?:inode|address_space|file)$/;

/** Statements whose direct ERROR children must be straight-lined and whose damage must be reported. */
const CHECKED = new Set([
  'declaration', 'expression_statement', 'if_statement', 'while_statement', 'for_statement',
  'do_statement', 'switch_statement', 'return_statement', 'goto_statement', 'break_statement',
  'continue_statement',
]);

export function lowerStmt(ctx: FnCtx, n: SyntaxNode): void {
  if (CHECKED.has(ty(n))) {
    ctx.uses.clear();
    const before = ctx.damageSeen;
    const damaged = !ctx.clean && n.hasError;
    if (damaged) {
      for (const c of n.children) if (c && ty(c) === 'ERROR') errorNode(ctx, c);
    }
    lowerChecked(ctx, n);
    if (damaged && ctx.damageSeen === before && end(n) > n.startIndex) {
      // (a zero-width statement is the grammar's stand-in after a label at the end of a block)
      ctx.uncertainty(ctx.loc(n), 'syntax error in statement: `' + ctx.text(n, 60) + '`');
    }
    return;
  }
  switch (ty(n)) {
    case 'compound_statement':
      ctx.pushScope();
      lowerChildren(ctx, n);
      ctx.popScope(true);
      return;
    case 'case_statement':
      lowerCase(ctx, n);
      return;
    case 'labeled_statement':
      lowerLabeled(ctx, n);
      return;
    case 'attributed_statement':
      for (const c of exprChildren(n)) if (ty(c) !== 'attribute_declaration') lowerStmt(ctx, c);
      return;
    case 'ERROR':
      errorNode(ctx, n);
      return;
    case 'function_definition':
      ctx.nested.push(n);
      ctx.uncertainty(ctx.loc(n), 'function definition inside a function body (unbalanced braces?)');
      return;
    case 'preproc_if':
    case 'preproc_ifdef':
    case 'preproc_elif':
    case 'preproc_elifdef':
    case 'preproc_else':
      lowerPreproc(ctx, n);
      return;
    case 'comment':
    case 'type_definition':
    case 'struct_specifier':
    case 'union_specifier':
    case 'enum_specifier':
    case 'preproc_call':
    case 'preproc_def':
    case 'preproc_function_def':
    case 'preproc_include':
    case 'empty_statement':
      return;
    default:
      if (n.isMissing) {
        ctx.uncertainty(ctx.loc(n), 'syntax error: missing ' + ty(n));
        return;
      }
      if (ty(n) === 'identifier' || ty(n).endsWith('_expression')) {
        // an expression in statement position: only in damaged parses
        ctx.uncertainty(ctx.loc(n), 'syntax error: expression without statement');
        evalExpr(ctx, n, false);
        return;
      }
      if (n.hasError) errorNode(ctx, n);
  }
}

function lowerChecked(ctx: FnCtx, n: SyntaxNode): void {
  switch (ty(n)) {
    case 'declaration':
      lowerDecl(ctx, n);
      return;
    case 'expression_statement':
      lowerExprStmt(ctx, n);
      return;
    case 'if_statement':
      lowerIf(ctx, n);
      return;
    case 'while_statement':
      lowerWhile(ctx, n);
      return;
    case 'for_statement':
      lowerFor(ctx, n);
      return;
    case 'do_statement':
      lowerDo(ctx, n);
      return;
    case 'switch_statement':
      lowerSwitch(ctx, n);
      return;
    case 'return_statement':
      lowerReturn(ctx, n);
      return;
    case 'goto_statement': {
      const l = fld(n, 'label');
      if (!l) {
        ctx.uncertainty(ctx.loc(n), 'computed or damaged goto');
        ctx.terminate({ kind: 'noreturn', loc: ctx.loc(n) });
        return;
      }
      ctx.gotoLabel(txt(l), ctx.loc(n));
      return;
    }
    case 'break_statement':
    case 'continue_statement': {
      const brk = ty(n) === 'break_statement';
      let j = ctx.jumps.length - 1;
      if (!brk) while (j >= 0 && ctx.jumps[j].cont === undefined) j--;
      if (j < 0) {
        ctx.uncertainty(ctx.loc(n), `${brk ? 'break' : 'continue'} outside of a loop${brk ? ' or switch' : ''}`);
        ctx.terminate({ kind: 'noreturn', loc: ctx.loc(n) });
        return;
      }
      const t = ctx.jumps[j];
      ctx.emitCleanupCalls(ctx.scopes.slice(t.depth));
      ctx.jump(brk ? t.brk : t.cont!);
      return;
    }
  }
}

/** The statements of a compound statement, with a fallback for iterator macros the mask left alone. */
function lowerChildren(ctx: FnCtx, n: SyntaxNode): void {
  const kids = n.namedChildren;
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i];
    if (!k) continue;
    if (ty(k) === 'expression_statement' && i + 1 < kids.length && kids[i + 1] && !ctx.clean && k.hasError) {
      const call = unmaskedIterator(k, kids[i + 1]!);
      if (call) {
        const args = fld(call, 'arguments');
        lowerIterLoop(ctx, args ? exprChildren(args) : [], kids[i + 1]!, call.startIndex, end(call));
        i++;
        continue;
      }
    }
    lowerStmt(ctx, k);
  }
}

/**
 * An iterator macro the mask did not rewrite: `some_iterator(a, b) {` parses
 * as a call missing its `;` followed by a block (or, for `*for_each*`
 * names, by any statement).
 */
function unmaskedIterator(stmt: SyntaxNode, next: SyntaxNode): SyntaxNode | null {
  const last = stmt.lastChild;
  if (!last || !last.isMissing) return null;
  const e = stmt.firstNamedChild;
  if (!e || ty(e) !== 'call_expression') return null;
  const fn = fld(e, 'function');
  if (!fn || ty(fn) !== 'identifier') return null;
  if (ty(next) !== 'compound_statement' && !/for_each/.test(txt(fn))) return null;
  return e;
}

function lowerPreproc(ctx: FnCtx, n: SyntaxNode): void {
  // Inside a body the mask normally blanks directives; without it, take the first branch.
  for (const c of n.namedChildren) {
    if (!c) continue;
    const t = ty(c);
    if (t === 'preproc_else' || t === 'preproc_elif' || t === 'preproc_elifdef') continue;
    if (t.endsWith('_statement') || t === 'declaration' || t === 'ERROR' || t.startsWith('preproc_')) lowerStmt(ctx, c);
  }
}

// ---- declarations -------------------------------------------------------------

function lowerDecl(ctx: FnCtx, n: SyntaxNode): void {
  const type = fld(n, 'type');
  const sk = structKind(type);
  const structValue = !!type && (ty(type) === 'struct_specifier' || ty(type) === 'union_specifier');
  const decls = flds(n, 'declarator');
  let isStatic = false;
  for (const c of n.children) if (c && ty(c) === 'storage_class_specifier' && txt(c) === 'static') isStatic = true;
  for (let i = 0; i < decls.length; i++) {
    const d = decls[i];
    if (!d) continue;
    const info = declaratorInfo(d);
    if (!info.name) {
      if (ty(d) === 'init_declarator') {
        const v = fld(d, 'value');
        if (v) evalExpr(ctx, v, true);
      }
      continue;
    }
    const kind = sk !== 'other' && info.pointers === 1 && !info.array && !info.func ? sk : 'other';
    ctx.declare(info.name, kind, true, isStatic);
    if (info.pointers === 1 && !info.array && !info.func && !isStatic && type && ty(type) === 'struct_specifier' && FILE_TYPES.test(type.text)) ctx.fileTyped.add(info.name);
    if (ctx.src.rewrites.size) {
      const next = decls[i + 1];
      const stop = next ? next.startIndex : end(n);
      for (const r of ctx.src.rewrites.within(d.startIndex, stop, 'cleanup')) {
        const m = /__free\s*\(\s*(\w+)\s*\)/.exec(r.original);
        if (m) ctx.addCleanup({ var: info.name, fn: m[1], loc: ctx.src.loc(r.start, r.end) });
      }
    }
    if (ty(d) !== 'init_declarator') continue;
    const v = fld(d, 'value');
    if (!v) continue;
    if (ty(v) === 'initializer_list' || info.array || (structValue && info.pointers === 0)) {
      evalExpr(ctx, v, true);
      continue;
    }
    assignTo(ctx, { kind: 'var', name: info.name }, v, d);
  }
}

function lowerExprStmt(ctx: FnCtx, n: SyntaxNode): void {
  const e = n.firstNamedChild;
  if (!e || ty(e) === 'comment') return;
  if (ty(e) === 'call_expression') {
    const fn = fld(e, 'function');
    if (fn && ty(fn) === 'identifier' && txt(fn) === 'return_ptr') {
      // return_ptr(p) is `return no_free_ptr(p)`
      const args = fld(e, 'arguments');
      const a = args ? exprChildren(args)[0] : undefined;
      const v = evalExpr(ctx, e, true);
      const value: ReturnValue = { text: a ? ctx.text(a) : '' };
      if (v.var) value.var = v.var;
      ctx.terminate({ kind: 'return', value, cleanups: ctx.cleanupsInScope(), loc: ctx.loc(n) });
      return;
    }
  }
  evalExpr(ctx, e, false);
}

// ---- branches and loops ----------------------------------------------------------

function elseStmt(alt: SyntaxNode | null): SyntaxNode | null {
  if (!alt) return null;
  if (ty(alt) !== 'else_clause') return alt;
  for (const c of alt.namedChildren) if (c && ty(c) !== 'comment') return c;
  return null;
}

function lowerIf(ctx: FnCtx, n: SyntaxNode): void {
  const cond = fld(n, 'condition');
  const cons = fld(n, 'consequence');
  const alt = elseStmt(fld(n, 'alternative'));
  const rw = ctx.src.rewrites.size ? ctx.src.rewrites.at(n.startIndex, 'scoped-guard') : undefined;
  if (rw) {
    lowerScopedGuard(ctx, n, rw, cond, cons);
    return;
  }
  const T = ctx.newBlock();
  const F = ctx.newBlock();
  if (cond) lowerCond(ctx, cond, T, F);
  else ctx.terminate({ kind: 'branch', cond: { kind: 'unknown' }, then: T, else: F, loc: ctx.loc(n), text: '' });
  const J = ctx.newBlock();
  ctx.setCur(T);
  if (cons) lowerStmt(ctx, cons);
  ctx.jump(J);
  ctx.setCur(F);
  if (alt) lowerStmt(ctx, alt);
  ctx.jump(J);
  ctx.setCur(J);
}

/** Split the text of a macro's parenthesised arguments at top-level commas. */
function splitArgs(text: string): string[] {
  let s = text.trim();
  if (s.startsWith('(') && s.endsWith(')')) s = s.slice(1, -1);
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function returnValueFromText(text: string): ReturnValue | undefined {
  const t = text.replace(/;\s*$/, '').trim();
  if (!t) return undefined;
  const v: ReturnValue = { text: t };
  let m: RegExpExecArray | null;
  if ((m = /^-\s*(E[A-Z0-9]+)$/.exec(t))) v.const = -(ERRNO[m[1]] ?? 1);
  else if (t === 'NULL' || t === 'false') v.const = 0;
  else if (t === 'true') v.const = 1;
  else if (/^ERR_PTR\s*\(/.test(t)) v.errptr = true;
  else if (/^[a-z_]\w*$/.test(t)) v.var = t;
  else {
    const c = parseNumber(t);
    if (c !== undefined) v.const = c;
  }
  return v;
}

/** `scoped_guard(...) body` runs the body once; `scoped_cond_guard(..., fail, ...)` may take `fail` instead. */
function lowerScopedGuard(ctx: FnCtx, n: SyntaxNode, rw: Rewrite, cond: SyntaxNode | null, cons: SyntaxNode | null): void {
  if (!/^\s*scoped_cond_guard/.test(rw.original)) {
    if (cons) lowerStmt(ctx, cons);
    return;
  }
  const B = ctx.newBlock();
  const S = ctx.newBlock();
  const J = ctx.newBlock();
  const hdrEnd = cond ? end(cond) : rw.end;
  const loc = ctx.src.loc(n.startIndex, hdrEnd);
  ctx.terminate({ kind: 'branch', cond: { kind: 'unknown' }, then: B, else: S, loc, text: ctx.src.display(n.startIndex, hdrEnd) });
  ctx.setCur(S);
  const fail = cond ? splitArgs(ctx.src.original(cond.startIndex, end(cond)))[1] ?? '' : '';
  let m: RegExpExecArray | null;
  if ((m = /^return\b([\s\S]*)$/.exec(fail))) {
    const value = returnValueFromText(m[1]);
    ctx.terminate({ kind: 'return', ...(value ? { value } : {}), cleanups: ctx.cleanupsInScope(), loc });
  } else if ((m = /^goto\s+(\w+)/.exec(fail))) {
    ctx.gotoLabel(m[1], loc);
  } else {
    ctx.jump(J);
  }
  ctx.setCur(B);
  if (cons) lowerStmt(ctx, cons);
  ctx.jump(J);
  ctx.setCur(J);
}

function flattenComma(n: SyntaxNode | null, out: SyntaxNode[] = []): SyntaxNode[] {
  if (!n) return out;
  if (ty(n) === 'comma_expression') {
    flattenComma(fld(n, 'left'), out);
    flattenComma(fld(n, 'right'), out);
  } else out.push(n);
  return out;
}

/**
 * An iterator macro: the body runs zero or more times; each iteration gives
 * the folio/page iterator variables among the arguments a new value.
 */
function lowerIterLoop(ctx: FnCtx, args: SyntaxNode[], body: SyntaxNode | null, hdrStart: number, hdrEnd: number): void {
  const loc = ctx.src.loc(hdrStart, hdrEnd);
  const text = ctx.src.display(hdrStart, hdrEnd);
  unknownLoop(ctx, loc, text, false, () => {
    for (const a of args) {
      const s = strip(a);
      if (ty(s) === 'identifier' && isObj(ctx.kindOf(txt(s)))) {
        ctx.emit({ kind: 'assign', dst: txt(s), src: { kind: 'unknown', text }, loc });
      }
    }
    if (body) lowerStmt(ctx, body);
  });
}

/**
 * A loop whose condition is unknown. Zero or more iterations: H: branch ? B : X;
 * B: body; goto H. At least once: B: body; C: branch ? B : X.
 */
export function unknownLoop(ctx: FnCtx, loc: Loc, text: string, atLeastOnce: boolean, body: () => void): void {
  const H = ctx.newBlock();
  ctx.jump(H);
  ctx.setCur(H);
  const B = atLeastOnce ? H : ctx.newBlock();
  const C = atLeastOnce ? ctx.newBlock() : H;
  const X = ctx.newBlock();
  if (!atLeastOnce) ctx.terminate({ kind: 'branch', cond: { kind: 'unknown' }, then: B, else: X, loc, text });
  ctx.jumps.push({ brk: X, cont: C, depth: ctx.scopes.length });
  ctx.setCur(B);
  body();
  ctx.jump(C);
  ctx.jumps.pop();
  if (atLeastOnce) {
    ctx.setCur(C);
    ctx.terminate({ kind: 'branch', cond: { kind: 'unknown' }, then: B, else: X, loc, text });
  }
  ctx.setCur(X);
}

function lowerWhile(ctx: FnCtx, n: SyntaxNode): void {
  const cond = fld(n, 'condition');
  const body = fld(n, 'body');
  const rw = ctx.src.rewrites.size ? ctx.src.rewrites.at(n.startIndex, 'loop-macro') : undefined;
  if (rw) {
    const inner = cond ? (ty(cond) === 'parenthesized_expression' ? cond.firstNamedChild : cond) : null;
    lowerIterLoop(ctx, flattenComma(inner), body, n.startIndex, cond ? end(cond) : rw.end);
    return;
  }
  const H = ctx.newBlock();
  ctx.jump(H);
  ctx.setCur(H);
  const B = ctx.newBlock();
  const X = ctx.newBlock();
  if (cond) lowerCond(ctx, cond, B, X);
  else ctx.jump(B);
  ctx.jumps.push({ brk: X, cont: H, depth: ctx.scopes.length });
  ctx.setCur(B);
  if (body) lowerStmt(ctx, body);
  ctx.jump(H);
  ctx.jumps.pop();
  ctx.setCur(X);
}

function lowerFor(ctx: FnCtx, n: SyntaxNode): void {
  ctx.pushScope();
  const init = fld(n, 'initializer');
  if (init) {
    if (ty(init) === 'declaration') lowerDecl(ctx, init);
    else evalExpr(ctx, init, false);
  }
  const H = ctx.newBlock();
  const B = ctx.newBlock();
  const X = ctx.newBlock();
  const cond = fld(n, 'condition');
  // `for (i = 0; i < NR_THINGS; i++)`: counting up from zero to a constant bound runs at least once
  ctx.jump(cond && init && countsFromZeroToConstant(init, cond) ? B : H);
  ctx.setCur(H);
  ctx.uses.clear();
  if (cond) lowerCond(ctx, cond, B, X);
  else ctx.jump(B);
  const U = ctx.newBlock();
  ctx.jumps.push({ brk: X, cont: U, depth: ctx.scopes.length });
  ctx.setCur(B);
  const body = fld(n, 'body');
  if (body) lowerStmt(ctx, body);
  ctx.jump(U);
  ctx.jumps.pop();
  ctx.setCur(U);
  ctx.uses.clear();
  const update = fld(n, 'update');
  if (update) evalExpr(ctx, update, false);
  ctx.jump(H);
  ctx.setCur(X);
  ctx.popScope(true);
}

/** A named constant bound: `NR_PAGES`, `PAGE_SIZE`, `ARRAY_SIZE(x)`, `sizeof(x)` (positive in practice). */
function constantBound(n: SyntaxNode): boolean {
  const b = strip(n);
  if (ty(b) === 'identifier') return /^[A-Z_][A-Z0-9_]*$/.test(txt(b));
  if (ty(b) === 'sizeof_expression') return true;
  if (ty(b) === 'call_expression') {
    const f = fld(b, 'function');
    return !!f && ty(f) === 'identifier' && txt(f) === 'ARRAY_SIZE';
  }
  return false;
}

/** `i = 0` (or `int i = 0`) then `i < BOUND` / `i <= BOUND` / `i != BOUND` with a constant bound. */
function countsFromZeroToConstant(init: SyntaxNode, cond: SyntaxNode): boolean {
  let v: string | undefined;
  if (ty(init) === 'declaration') {
    const d = fld(init, 'declarator');
    if (d && ty(d) === 'init_declarator') {
      const name = fld(d, 'declarator');
      const val = fld(d, 'value');
      if (name && ty(name) === 'identifier' && val && parseNumber(txt(val)) === 0) v = txt(name);
    }
  } else if (ty(init) === 'assignment_expression') {
    const l = fld(init, 'left');
    const r = fld(init, 'right');
    const o = fld(init, 'operator');
    if (l && r && o && ty(o) === '=' && ty(strip(l)) === 'identifier' && parseNumber(txt(strip(r))) === 0) v = txt(strip(l));
  }
  if (!v) return false;
  const c = strip(cond);
  if (ty(c) !== 'binary_expression') return false;
  const o = fld(c, 'operator');
  const l = fld(c, 'left');
  const r = fld(c, 'right');
  if (!o || !l || !r || !['<', '<=', '!='].includes(ty(o))) return false;
  return ty(strip(l)) === 'identifier' && txt(strip(l)) === v && constantBound(r);
}

function lowerDo(ctx: FnCtx, n: SyntaxNode): void {
  const B = ctx.newBlock();
  ctx.jump(B);
  const C = ctx.newBlock();
  const X = ctx.newBlock();
  ctx.jumps.push({ brk: X, cont: C, depth: ctx.scopes.length });
  ctx.setCur(B);
  const body = fld(n, 'body');
  if (body) lowerStmt(ctx, body);
  ctx.jump(C);
  ctx.jumps.pop();
  ctx.setCur(C);
  ctx.uses.clear();
  const cond = fld(n, 'condition');
  if (cond) lowerCond(ctx, cond, B, X);
  else ctx.jump(X);
  ctx.setCur(X);
}

function lowerSwitch(ctx: FnCtx, n: SyntaxNode): void {
  const cond = fld(n, 'condition');
  const body = fld(n, 'body');
  let loc: Loc = ctx.loc(n);
  let text = '';
  if (cond) {
    const inner = strip(cond);
    evalExpr(ctx, inner, true);
    loc = ctx.loc(inner);
    text = ctx.text(inner);
  }
  const S = ctx.cur;
  const X = ctx.newBlock();
  const sw = { targets: [] as number[], hasDefault: false };
  ctx.switches.push(sw);
  ctx.jumps.push({ brk: X, depth: ctx.scopes.length });
  ctx.setCur(ctx.newBlock());
  if (body) lowerStmt(ctx, body);
  ctx.jump(X);
  ctx.jumps.pop();
  ctx.switches.pop();
  const targets = sw.targets.slice();
  if (!sw.hasDefault) targets.push(X);
  ctx.blocks[S].term = { kind: 'switch', targets, loc, text };
  ctx.setCur(X);
}

function lowerCase(ctx: FnCtx, n: SyntaxNode): void {
  const b = ctx.newBlock();
  ctx.jump(b);
  ctx.setCur(b);
  const sw = ctx.switches[ctx.switches.length - 1];
  const first = n.child(0);
  const isDefault = !!first && ty(first) === 'default';
  if (!sw) ctx.uncertainty(ctx.loc(n), 'case label outside of a switch');
  else {
    sw.targets.push(b);
    if (isDefault) sw.hasDefault = true;
  }
  const value = fld(n, 'value');
  for (const c of n.namedChildren) {
    if (!c || ty(c) === 'comment') continue;
    if (value && c.id === value.id) continue;
    if (ty(c) === 'ERROR' && txt(c).trimStart().startsWith('...')) {
      ctx.damageSeen++; // GNU case range `case 1 ... 4:`: harmless
      continue;
    }
    lowerStmt(ctx, c);
  }
}

function lowerLabeled(ctx: FnCtx, n: SyntaxNode): void {
  const label = fld(n, 'label');
  if (label) {
    const b = ctx.defineLabel(txt(label), ctx.loc(label));
    ctx.jump(b);
    ctx.setCur(b);
  }
  for (const c of n.namedChildren) {
    if (!c || ty(c) === 'comment' || (label && c.id === label.id)) continue;
    lowerStmt(ctx, c);
  }
}

// ---- return -------------------------------------------------------------------------

function lowerReturn(ctx: FnCtx, n: SyntaxNode): void {
  const e = exprChildren(n)[0];
  if (!e) {
    ctx.terminate({ kind: 'return', cleanups: ctx.cleanupsInScope(), loc: ctx.loc(n) });
    return;
  }
  returnExpr(ctx, e, n);
}

function returnExpr(ctx: FnCtx, e: SyntaxNode, stmt: SyntaxNode): void {
  const r = strip(e);
  if (ty(r) === 'conditional_expression') {
    const c = fld(r, 'condition');
    const a = fld(r, 'consequence');
    const b = fld(r, 'alternative');
    if (c && a && b) {
      const T = ctx.newBlock();
      const F = ctx.newBlock();
      lowerCond(ctx, c, T, F);
      ctx.setCur(T);
      returnExpr(ctx, a, stmt);
      ctx.setCur(F);
      returnExpr(ctx, b, stmt);
      return;
    }
  }
  const v = evalExpr(ctx, r, true);
  const value: ReturnValue = { text: ctx.text(r) };
  if (v.var && !v.field) value.var = v.var;
  else if (v.const !== undefined) value.const = v.const;
  else if (v.errptr) value.errptr = true;
  ctx.terminate({ kind: 'return', value, cleanups: ctx.cleanupsInScope(), loc: ctx.loc(stmt) });
}

// ---- the whole body ----------------------------------------------------------------

export function lowerBody(ctx: FnCtx, body: SyntaxNode): void {
  ctx.pushScope();
  lowerChildren(ctx, body);
  const close = body.lastChild;
  const loc =
    close && ty(close) === '}' && !close.isMissing
      ? ctx.loc(close)
      : ctx.src.loc(Math.max(body.startIndex, body.endIndex - 1), body.endIndex);
  ctx.terminate({ kind: 'return', cleanups: ctx.cleanupsInScope(), loc });
  ctx.popScope(false);
}

function successors(t: Terminator): number[] {
  switch (t.kind) {
    case 'goto':
      return [t.target];
    case 'branch':
      return [t.then, t.else];
    case 'switch':
      return t.targets;
    default:
      return [];
  }
}

/**
 * Close the graph: resolve labels, thread jumps through empty blocks, drop
 * what the entry cannot reach and number the rest in reverse post-order
 * (so a branch's `then` side is numbered before its `else` side).
 */
export function finish(ctx: FnCtx, endLoc: Loc): { blocks: Block[]; entry: number } {
  ctx.finishLabels();
  const bs = ctx.blocks;
  for (const b of bs) if (!b.term) b.term = { kind: 'noreturn', loc: endLoc };
  const fwd = (id: number): number => {
    let x = id;
    for (let g = 0; g < 64; g++) {
      const b = bs[x];
      if (b.events.length !== 0 || b.term!.kind !== 'goto') break;
      const t = (b.term as { target: number }).target;
      if (t === x) break;
      x = t;
    }
    return x;
  };
  for (const b of bs) {
    const t = b.term!;
    if (t.kind === 'goto') t.target = fwd(t.target);
    else if (t.kind === 'branch') {
      t.then = fwd(t.then);
      t.else = fwd(t.else);
    } else if (t.kind === 'switch') {
      const seen = new Set<number>();
      t.targets = t.targets.map(fwd).filter((x) => (seen.has(x) ? false : (seen.add(x), true)));
    }
  }
  const entry = fwd(ctx.entry);
  // iterative DFS; successors visited last-first so that RPO lists them first-first
  const post: number[] = [];
  const state = new Uint8Array(bs.length);
  const stack: { id: number; succ: number[]; i: number }[] = [];
  const push = (id: number) => {
    state[id] = 1;
    stack.push({ id, succ: successors(bs[id].term!).slice().reverse(), i: 0 });
  };
  push(entry);
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.i < top.succ.length) {
      const s = top.succ[top.i++];
      if (!state[s]) push(s);
    } else {
      post.push(top.id);
      stack.pop();
    }
  }
  const order = post.reverse();
  const newId = new Map<number, number>();
  order.forEach((old, i) => newId.set(old, i));
  const map = (x: number) => newId.get(x)!;
  const out: Block[] = order.map((old, i) => {
    const b = bs[old];
    const t = b.term!;
    let term: Terminator;
    switch (t.kind) {
      case 'goto':
        term = { kind: 'goto', target: map(t.target) };
        break;
      case 'branch':
        term = { ...t, then: map(t.then), else: map(t.else) };
        break;
      case 'switch':
        term = { ...t, targets: t.targets.map(map) };
        break;
      default:
        term = t;
    }
    return { id: i, events: b.events, term };
  });
  return { blocks: out, entry: 0 };
}
