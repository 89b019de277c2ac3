/**
 * Expressions: linearising calls into events (nested calls into temporaries
 * `$1, $2, ...`), alias resolution, assignments and stores, dereference uses,
 * and the lowering of branch conditions into short-circuit branches.
 */
import type { SyntaxNode } from '../parser';
import type { Arg, CallEvent, Cond, ValueKind, VarName } from '../../../simulator/src/ir';
import { FnCtx, Target, Val, pathNamesFolio, srcOf } from './context';
import { fld, ty, txt } from './nodes';

/** Linux errno values for `-EFOO` constants (asm-generic/errno-base.h, errno.h, linux/errno.h). */
export const ERRNO: Record<string, number> = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, ENOEXEC: 8, EBADF: 9,
  ECHILD: 10, EAGAIN: 11, EWOULDBLOCK: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14, ENOTBLK: 15,
  EBUSY: 16, EEXIST: 17, EXDEV: 18, ENODEV: 19, ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23,
  EMFILE: 24, ENOTTY: 25, ETXTBSY: 26, EFBIG: 27, ENOSPC: 28, ESPIPE: 29, EROFS: 30, EMLINK: 31,
  EPIPE: 32, EDOM: 33, ERANGE: 34, EDEADLK: 35, ENAMETOOLONG: 36, ENOLCK: 37, ENOSYS: 38,
  ENOTEMPTY: 39, ELOOP: 40, ENOMSG: 42, EIDRM: 43, ENODATA: 61, ETIME: 62, ENOLINK: 67,
  EPROTO: 71, EBADMSG: 74, EFSBADCRC: 74, EOVERFLOW: 75, EILSEQ: 84, EUSERS: 87, EOPNOTSUPP: 95,
  ENOBUFS: 105, ENOTCONN: 107, ESHUTDOWN: 108, ETIMEDOUT: 110, ECONNREFUSED: 111, EALREADY: 114,
  EINPROGRESS: 115, ESTALE: 116, EUCLEAN: 117, EFSCORRUPTED: 117, EREMOTEIO: 121, EDQUOT: 122,
  ECANCELED: 125, ENOKEY: 126, EKEYEXPIRED: 127, EHWPOISON: 133, ERESTARTSYS: 512,
  ERESTARTNOINTR: 513, ENOIOCTLCMD: 515, EBADCOOKIE: 523, ENOTSUPP: 524, EIOCBQUEUED: 529,
};

/** Calls that denote the same object as their first argument. */
const ALIAS_FNS = new Set(['page_folio', 'folio_page', 'compound_head', '_compound_head', 'folio_file_page']);
/** Calls whose value is their first argument. */
const VALUE_TRANSPARENT = new Set([
  'likely', 'unlikely', 'READ_ONCE', 'data_race', 'smp_load_acquire', 'rcu_dereference',
  'rcu_dereference_protected', 'rcu_dereference_raw', 'rcu_access_pointer',
]);
/** Calls that are transparent in a condition (their value is the truth of their first argument). */
const COND_TRANSPARENT = new Set([
  'likely', 'unlikely', 'WARN_ON', 'WARN_ON_ONCE', 'WARN', 'WARN_ONCE', 'VM_WARN_ON', 'VM_WARN_ON_ONCE',
  'VM_WARN_ONCE', 'VM_WARN_ON_FOLIO', 'VM_WARN_ON_ONCE_FOLIO', 'VM_WARN_ON_ONCE_PAGE', 'data_race',
]);
/** Assertions: their (first) argument is asserted false by the author; calls in it are `asserted`. */
export function isAssertion(name: string): boolean {
  return /^(VM_)?(WARN|BUG)_ON(_ONCE)?(_FOLIO|_PAGE|_VMA|_MM)?$|^(VM_)?WARN(_ONCE)?$/.test(name);
}

/** Evaluate `f` with calls marked as asserted when `on`. */
function asserting<T>(ctx: FnCtx, on: boolean, f: () => T): T {
  if (!on) return f();
  ctx.asserting++;
  try {
    return f();
  } finally {
    ctx.asserting--;
  }
}

/** `WRITE_ONCE(a, b)` is `a = b`. */
const WRITE_FNS = new Set(['WRITE_ONCE', 'rcu_assign_pointer', 'smp_store_release', 'RCU_INIT_POINTER']);
/** Calls that do not return. */
export const NORETURN = new Set([
  'BUG', 'panic', 'unreachable', '__builtin_unreachable', 'do_exit', 'kthread_exit', 'make_task_dead',
  'machine_halt', 'machine_power_off',
]);
/** `BUG_ON(c)`: c true does not return. */
const BUG_ON = new Set(['BUG_ON', 'VM_BUG_ON', 'VM_BUG_ON_FOLIO', 'VM_BUG_ON_PAGE', 'VM_BUG_ON_VMA', 'VM_BUG_ON_MM']);
/** Compile-time tests: no event, unknown value. */
const COMPILE_TIME = new Set(['IS_ENABLED', 'IS_BUILTIN', 'IS_REACHABLE', 'IS_MODULE', '__is_defined', 'sizeof']);

const SKIP = new Set([
  'comment', 'type_descriptor', 'primitive_type', 'type_identifier', 'sized_type_specifier',
  'struct_specifier', 'union_specifier', 'enum_specifier', 'field_identifier', 'statement_identifier',
  'field_designator', 'subscript_designator', 'string_literal', 'concatenated_string', 'char_literal',
  'number_literal', 'escape_sequence', 'string_content', 'system_lib_string', 'type_qualifier',
  'storage_class_specifier', 'attribute_specifier', 'ms_declspec_modifier',
]);

/** Statements found whole inside a damaged region: lowered as statements. */
const STATEMENTS = new Set([
  'compound_statement', 'expression_statement', 'declaration', 'if_statement', 'while_statement',
  'for_statement', 'do_statement', 'switch_statement', 'return_statement', 'goto_statement',
  'labeled_statement', 'break_statement', 'continue_statement', 'case_statement',
]);

const CMP_OPS = new Set(['<', '<=', '>', '>=', '==', '!=']);
const FLIP: Record<string, '<' | '<=' | '>' | '>=' | '==' | '!='> = {
  '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!=',
};

const MACRO_CONST = /^[A-Z_][A-Z0-9_]*$/;

export function isObj(k: ValueKind): boolean {
  return k === 'folio' || k === 'page';
}

export function parseNumber(t: string): number | undefined {
  // the grammar's number_literal may carry a sign: `-1`
  const m = /^([-+]?)\s*(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)[uUlL]*$/.exec(t.trim());
  if (!m) return undefined;
  const s = m[2];
  const v = /^0[xX]/.test(s) ? parseInt(s.slice(2), 16) : s.length > 1 && s[0] === '0' ? parseInt(s, 8) : parseInt(s, 10);
  if (!Number.isFinite(v)) return undefined;
  return m[1] === '-' ? -v : v;
}

/** Named children that are not comments. */
export function exprChildren(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const c of n.namedChildren) if (c && ty(c) !== 'comment') out.push(c);
  return out;
}

function firstExpr(n: SyntaxNode): SyntaxNode | null {
  for (const c of n.namedChildren) if (c && ty(c) !== 'comment') return c;
  return null;
}

function op(n: SyntaxNode): string {
  const o = fld(n, 'operator');
  return o ? ty(o) : '';
}

/** Strip parentheses (but not statement expressions). */
export function strip(n: SyntaxNode): SyntaxNode {
  for (let g = 0; g < 64 && ty(n) === 'parenthesized_expression'; g++) {
    const inner = firstExpr(n);
    if (!inner || ty(inner) === 'compound_statement' || ty(inner) === 'comma_expression') return n;
    n = inner;
  }
  return n;
}

/** Strip parentheses and non-void casts (for conditions). */
function stripCond(n: SyntaxNode): SyntaxNode {
  for (let g = 0; g < 64; g++) {
    if (ty(n) === 'parenthesized_expression') {
      const inner = firstExpr(n);
      if (!inner || ty(inner) === 'compound_statement') return n;
      n = inner;
    } else if (ty(n) === 'cast_expression') {
      const t = fld(n, 'type');
      const v = fld(n, 'value');
      if (!v || (t && t.text === 'void')) return n;
      n = v;
    } else return n;
  }
  return n;
}

/** Whether evaluating the node may call something (cheap, errs on the side of yes). */
function mayCall(n: SyntaxNode | null): boolean {
  return !!n && txt(n).includes('(');
}

interface MemberPath {
  path: string;
  base: string;
  /** operator right after the base */
  firstOp: string;
  /** the field expression applied directly to the base */
  firstNode: SyntaxNode;
}

/** `a->b.c` as a member path when the base is a plain identifier. */
export function memberPath(n: SyntaxNode): MemberPath | undefined {
  const parts: string[] = [];
  let cur: SyntaxNode | null = n;
  let firstOp = '';
  let firstNode = n;
  for (let g = 0; cur && g < 32; g++) {
    if (ty(cur) === 'field_expression') {
      const f = fld(cur, 'field');
      const o = op(cur);
      if (!f || !o) return undefined;
      parts.push(o + txt(f));
      firstOp = o;
      firstNode = cur;
      cur = fld(cur, 'argument');
    } else if (ty(cur) === 'identifier') {
      const base = txt(cur);
      let path = base;
      for (let i = parts.length - 1; i >= 0; i--) path += parts[i];
      return { path, base, firstOp, firstNode };
    } else return undefined;
  }
  return undefined;
}

function use(ctx: FnCtx, v: VarName, n: SyntaxNode): void {
  if (ctx.uses.has(v)) return;
  ctx.uses.add(v);
  ctx.emit({ kind: 'use', var: v, text: ctx.text(n, 80), loc: ctx.loc(n) });
}

/** Evaluate the children of a node we do not model, for the calls inside. */
export function scan(ctx: FnCtx, n: SyntaxNode): void {
  for (const c of n.namedChildren) {
    if (!c || SKIP.has(ty(c))) continue;
    evalExpr(ctx, c, true);
  }
}

/**
 * Emit what a damaged region does, as straight-line events in source order:
 * the calls and assignments found inside it.
 */
export function straightLine(ctx: FnCtx, n: SyntaxNode, from = 0): void {
  const kids = n.children;
  for (let i = from; i < kids.length; i++) {
    const c = kids[i];
    if (!c || SKIP.has(ty(c))) continue;
    if (!c.isNamed) {
      // `do { ... } iterator_macro(...);`: a loop whose condition the grammar could not read
      const next = kids[i + 1];
      if (ty(c) === 'do' && next) {
        if (ty(next) === 'compound_statement') {
          ctx.lowerLoop(c, true, () => ctx.lowerStmt(next));
          i++;
        } else if (ty(next) === 'ERROR' && next.firstChild && next.firstChild.type === 'compound_statement') {
          const body = next.firstChild;
          ctx.lowerLoop(c, true, () => ctx.lowerStmt(body));
          straightLine(ctx, next, 1);
          i++;
        }
      }
      continue;
    }
    if (STATEMENTS.has(ty(c)) || ty(c) === 'function_definition') {
      ctx.lowerStmt(c);
      continue;
    }
    switch (ty(c)) {
      case 'call_expression':
      case 'assignment_expression':
      case 'update_expression':
        evalExpr(ctx, c, ty(c) === 'call_expression' ? false : true);
        break;
      case 'init_declarator': {
        const d = fld(c, 'declarator');
        const v = fld(c, 'value');
        if (d && ty(d) === 'identifier') ctx.declare(txt(d), 'other', true);
        if (d && ty(d) === 'identifier' && v) assignTo(ctx, { kind: 'var', name: txt(d) }, v, c);
        else if (v) straightLine(ctx, v);
        break;
      }
      default:
        straightLine(ctx, c);
    }
  }
}

export function errorNode(ctx: FnCtx, n: SyntaxNode): void {
  ctx.uncertainty(ctx.loc(n), 'syntax error: `' + ctx.text(n, 60) + '`');
  straightLine(ctx, n);
}

// ---- expressions --------------------------------------------------------------

export function evalExpr(ctx: FnCtx, n: SyntaxNode, used: boolean): Val {
  switch (ty(n)) {
    case 'identifier': {
      const name = txt(n);
      if (ctx.daxVars?.has(name)) use(ctx, name, n);
      if (MACRO_CONST.test(name) && !ctx.kinds.has(name)) return {};
      return { var: name };
    }
    case 'number_literal': {
      const c = parseNumber(txt(n));
      return c === undefined ? {} : { const: c };
    }
    case 'true':
      return { const: 1 };
    case 'false':
    case 'null':
      return { const: 0 };
    case 'parenthesized_expression': {
      const inner = firstExpr(n);
      if (!inner) return {};
      if (ty(inner) === 'compound_statement') return stmtExpr(ctx, inner, used);
      return evalExpr(ctx, inner, used);
    }
    case 'cast_expression': {
      const t = fld(n, 'type');
      const v = fld(n, 'value');
      if (!v) return {};
      if (t && t.text === 'void') {
        evalExpr(ctx, v, false);
        return {};
      }
      return evalExpr(ctx, v, used);
    }
    case 'unary_expression':
      return evalUnary(ctx, n);
    case 'pointer_expression':
      return evalPointer(ctx, n);
    case 'field_expression': {
      const mp = memberPath(n);
      if (mp) {
        if (mp.firstOp === '->' && isObj(ctx.kindOf(mp.base))) use(ctx, mp.base, mp.firstNode);
        return { var: mp.path };
      }
      const arg = fld(n, 'argument');
      const v = arg ? evalExpr(ctx, arg, true) : {};
      if (op(n) === '->' && v.var && isObj(ctx.kindOf(v.var))) use(ctx, v.var, n);
      return {};
    }
    case 'call_expression':
      return evalCall(ctx, n, used);
    case 'assignment_expression':
      return evalAssign(ctx, n);
    case 'update_expression': {
      const arg = fld(n, 'argument');
      const a = arg ? strip(arg) : null;
      if (a && ty(a) === 'identifier') {
        ctx.emit({ kind: 'assign', dst: txt(a), src: { kind: 'unknown', text: ctx.text(n) }, loc: ctx.loc(n) });
        return {};
      }
      if (a) {
        const t = targetOf(ctx, a);
        if (t.kind === 'path') {
          ctx.emit({ kind: 'assign', dst: t.name, src: { kind: 'unknown', text: ctx.text(n) }, loc: ctx.loc(n) });
        }
      }
      return {};
    }
    case 'binary_expression':
      return evalBinary(ctx, n, used);
    case 'conditional_expression':
      return evalConditional(ctx, n, used);
    case 'comma_expression': {
      const l = fld(n, 'left');
      const r = fld(n, 'right');
      if (l) evalExpr(ctx, l, false);
      return r ? evalExpr(ctx, r, used) : {};
    }
    case 'subscript_expression': {
      const a = fld(n, 'argument');
      const i = fld(n, 'index');
      if (a) evalExpr(ctx, a, true);
      if (i) evalExpr(ctx, i, true);
      return {};
    }
    case 'sizeof_expression':
    case 'alignof_expression':
    case 'offsetof_expression':
    case 'string_literal':
    case 'concatenated_string':
    case 'char_literal':
    case 'gnu_asm_expression':
    case 'comment':
      return {};
    case 'ERROR':
      errorNode(ctx, n);
      return {};
    case 'compound_statement':
      // a statement where an expression was expected (damaged parse): lower it
      ctx.lowerStmt(n);
      return {};
    default:
      if (n.isMissing) {
        ctx.uncertainty(ctx.loc(n), 'syntax error: missing ' + ty(n));
        return {};
      }
      scan(ctx, n);
      return {};
  }
}

function evalUnary(ctx: FnCtx, n: SyntaxNode): Val {
  const o = op(n);
  const arg = fld(n, 'argument');
  if (!arg) return {};
  if (o === '-') {
    const a = strip(arg);
    if (ty(a) === 'identifier' && /^E[A-Z0-9]+$/.test(txt(a))) return { const: -(ERRNO[txt(a)] ?? 1) };
    const v = evalExpr(ctx, arg, true);
    return v.const !== undefined ? { const: -v.const } : {};
  }
  const v = evalExpr(ctx, arg, true);
  if (o === '!') {
    if (v.var) return { not: v.var };
    if (v.const !== undefined) return { const: v.const ? 0 : 1 };
    return {};
  }
  if (o === '~' && v.const !== undefined) return { const: ~v.const };
  if (o === '+') return v;
  return {};
}

function evalPointer(ctx: FnCtx, n: SyntaxNode): Val {
  const o = op(n);
  const arg = fld(n, 'argument');
  if (!arg) return {};
  const a = strip(arg);
  if (o === '&') {
    if (ty(a) === 'field_expression' && op(a) === '->') {
      const base = fld(a, 'argument');
      const field = fld(a, 'field');
      if (base && field) {
        const bv = evalExpr(ctx, base, true);
        if (!bv.var) return {};
        if (txt(field) === 'page') return { var: bv.var };
        return { var: bv.var, field: txt(field) };
      }
    }
    if (ty(a) === 'identifier') return MACRO_CONST.test(txt(a)) ? {} : { addrOf: txt(a) };
    evalExpr(ctx, a, true);
    return {};
  }
  evalExpr(ctx, a, true);
  return {};
}

function evalBinary(ctx: FnCtx, n: SyntaxNode, used: boolean): Val {
  const o = op(n);
  const l = fld(n, 'left');
  const r = fld(n, 'right');
  if ((o === '&&' || o === '||') && mayCall(r)) {
    const t = used ? ctx.temp() : undefined;
    const T = ctx.newBlock();
    const F = ctx.newBlock();
    const J = ctx.newBlock();
    const loc = ctx.loc(n);
    lowerCond(ctx, n, T, F);
    ctx.setCur(T);
    if (t) ctx.emit({ kind: 'assign', dst: t, src: { kind: 'const', value: 1 }, loc });
    ctx.jump(J);
    ctx.setCur(F);
    if (t) ctx.emit({ kind: 'assign', dst: t, src: { kind: 'const', value: 0 }, loc });
    ctx.jump(J);
    ctx.setCur(J);
    return t ? { var: t } : {};
  }
  const lv = l ? evalExpr(ctx, l, true) : {};
  const rv = r ? evalExpr(ctx, r, true) : {};
  if (lv.const !== undefined && rv.const !== undefined) {
    const a = lv.const;
    const b = rv.const;
    switch (o) {
      case '|': return { const: a | b };
      case '&': return { const: a & b };
      case '<<': return { const: a << b };
      case '>>': return { const: a >> b };
      case '+': return { const: a + b };
      case '-': return { const: a - b };
      case '*': return { const: a * b };
    }
  }
  return {};
}

function evalConditional(ctx: FnCtx, n: SyntaxNode, used: boolean): Val {
  const c = fld(n, 'condition');
  const a = fld(n, 'consequence');
  const b = fld(n, 'alternative');
  if (c && a && b && (mayCall(a) || mayCall(b))) {
    const t = used ? ctx.temp() : undefined;
    const T = ctx.newBlock();
    const F = ctx.newBlock();
    const J = ctx.newBlock();
    lowerCond(ctx, c, T, F);
    for (const [blk, arm] of [[T, a], [F, b]] as const) {
      ctx.setCur(blk);
      if (t) assignTo(ctx, { kind: 'var', name: t }, arm, arm);
      else evalExpr(ctx, arm, false);
      ctx.jump(J);
    }
    ctx.setCur(J);
    return t ? { var: t } : {};
  }
  if (c) evalExpr(ctx, c, true);
  if (a) evalExpr(ctx, a, true);
  if (b) evalExpr(ctx, b, true);
  return {};
}

/** `({ ...; value; })`: inline the statements, the value is the last expression statement's. */
export function stmtExpr(ctx: FnCtx, body: SyntaxNode, used: boolean): Val {
  const kids = exprChildren(body);
  let v: Val = {};
  ctx.pushScope();
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i];
    if (i === kids.length - 1 && ty(k) === 'expression_statement') {
      const e = firstExpr(k);
      if (e) v = evalExpr(ctx, e, used);
    } else {
      ctx.lowerStmt(k);
    }
  }
  ctx.popScope(true);
  return v;
}

// ---- calls ----------------------------------------------------------------------

export function evalCall(ctx: FnCtx, n: SyntaxNode, used: boolean, result?: VarName): Val {
  const fn = fld(n, 'function');
  const argsNode = fld(n, 'arguments');
  const args = argsNode ? exprChildren(argsNode) : [];
  if (!fn) {
    scan(ctx, n);
    return {};
  }
  let callee: string;
  if (ty(fn) === 'identifier') {
    callee = txt(fn);
    const sp = special(ctx, n, callee, args, used);
    if (sp) return sp;
  } else {
    if (ty(fn) === 'call_expression') {
      const inner = fld(fn, 'function');
      // guard(mutex)(&lock), CLASS(type, var)(args): scope-bound locks, no-ops here
      if (inner && ty(inner) === 'identifier' && (txt(inner) === 'guard' || txt(inner) === 'CLASS')) return {};
    }
    evalExpr(ctx, fn, true);
    callee = ctx.text(fn, 80);
  }
  // bcachefs-style iterator macros take their loop body as a statement-expression argument
  let bodyArgs: Set<number> | undefined;
  if (ty(fn) === 'identifier' && /for_each/.test(callee)) {
    for (const a of args) {
      if (ty(a) === 'parenthesized_expression') {
        const inner = firstExpr(a);
        if (inner && ty(inner) === 'compound_statement') (bodyArgs ??= new Set()).add(a.id);
      }
    }
    if (bodyArgs) {
      const bodies = bodyArgs;
      ctx.lowerLoop(fn, false, () => {
        for (const a of args) if (bodies.has(a.id)) stmtExpr(ctx, firstExpr(a)!, false);
      });
    }
  }
  const outArgs: Arg[] = [];
  for (const a of args) {
    if (bodyArgs && bodyArgs.has(a.id)) {
      outArgs.push({ text: '({...})' });
      continue;
    }
    const v = evalExpr(ctx, a, true);
    const arg: Arg = { text: ctx.text(a, 80) };
    if (v.var) {
      arg.var = v.var;
      if (v.field) arg.field = v.field;
    } else if (v.addrOf) {
      arg.var = v.addrOf; // by address: the simulator reads `text` as `&var`
      ctx.noteDef(v.addrOf, null, true);
    }
    outArgs.push(arg);
  }
  const res = result ?? (used ? ctx.temp() : undefined);
  const loc = ctx.loc(n);
  const ev: CallEvent = { kind: 'call', callee, args: outArgs, resultUsed: used || !!result, loc };
  if (res) ev.result = res;
  if (ctx.asserting > 0) ev.asserted = true;
  ctx.emit(ev);
  return res ? { var: res, bound: !!result } : {};
}

/** Calls with a meaning of their own. Returns undefined for an ordinary call. */
function special(ctx: FnCtx, n: SyntaxNode, name: string, args: SyntaxNode[], used: boolean): Val | undefined {
  if (ALIAS_FNS.has(name) && args.length >= 1) {
    const v = evalExpr(ctx, args[0], true);
    for (let i = 1; i < args.length; i++) evalExpr(ctx, args[i], true);
    return v.var && !v.field ? { var: v.var } : {};
  }
  if (VALUE_TRANSPARENT.has(name) && args.length >= 1) return evalExpr(ctx, args[0], used);
  if (COND_TRANSPARENT.has(name) && args.length >= 1) {
    asserting(ctx, isAssertion(name), () => evalExpr(ctx, args[0], true));
    return {};
  }
  if (WRITE_FNS.has(name) && args.length >= 2) {
    const t = targetOf(ctx, args[0]);
    assignTo(ctx, t, args[1], n);
    return {};
  }
  if (name === 'ERR_PTR' || name === 'ERR_CAST') {
    for (const a of args) evalExpr(ctx, a, true);
    return { errptr: true };
  }
  if (name === 'no_free_ptr' || name === 'return_ptr' || name === 'take_ptr') {
    return args.length >= 1 ? handOff(ctx, n, args[0]) : {};
  }
  if (COMPILE_TIME.has(name)) return {};
  if (NORETURN.has(name)) {
    for (const a of args) evalExpr(ctx, a, true);
    ctx.terminate({ kind: 'noreturn', loc: ctx.loc(n) });
    return {};
  }
  if (BUG_ON.has(name) && args.length >= 1) {
    const nr = ctx.newBlock();
    const cont = ctx.newBlock();
    asserting(ctx, true, () => lowerCond(ctx, args[0], nr, cont));
    ctx.blocks[nr].term = { kind: 'noreturn', loc: ctx.loc(n) };
    ctx.setCur(cont);
    return {};
  }
  return undefined;
}

/** `no_free_ptr(x)`: the value of x, after which x no longer owns it. */
function handOff(ctx: FnCtx, n: SyntaxNode, arg: SyntaxNode): Val {
  const v = evalExpr(ctx, arg, true);
  if (!v.var) return {};
  const loc = ctx.loc(n);
  const t = ctx.temp();
  ctx.emit({ kind: 'assign', dst: t, src: { kind: 'var', name: v.var }, loc });
  ctx.emit({ kind: 'store', var: v.var, target: 'no_free_ptr', loc });
  ctx.emit({ kind: 'assign', dst: v.var, src: { kind: 'unknown', text: ctx.text(n) }, loc });
  return { var: t };
}

// ---- assignments ------------------------------------------------------------------

export function targetOf(ctx: FnCtx, left: SyntaxNode): Target {
  const l = strip(left);
  switch (ty(l)) {
    case 'identifier':
      return { kind: 'var', name: txt(l) };
    case 'field_expression': {
      const mp = memberPath(l);
      if (mp) {
        if (mp.firstOp === '->' && isObj(ctx.kindOf(mp.base))) use(ctx, mp.base, mp.firstNode);
        return { kind: 'path', name: mp.path };
      }
      evalExpr(ctx, l, true);
      return { kind: 'place', text: ctx.text(l, 80) };
    }
    case 'pointer_expression': {
      const a = fld(l, 'argument');
      if (a) evalExpr(ctx, a, true);
      return { kind: 'place', text: ctx.text(l, 80) };
    }
    case 'subscript_expression': {
      const a = fld(l, 'argument');
      const i = fld(l, 'index');
      if (a) evalExpr(ctx, a, true);
      if (i) evalExpr(ctx, i, true);
      return { kind: 'place', text: ctx.text(l, 80) };
    }
    default:
      evalExpr(ctx, l, true);
      return { kind: 'place', text: ctx.text(l, 80) };
  }
}

function targetVal(t: Target): Val {
  return t.kind === 'var' || t.kind === 'path' ? { var: t.name } : {};
}

function evalAssign(ctx: FnCtx, n: SyntaxNode): Val {
  const left = fld(n, 'left');
  const right = fld(n, 'right');
  if (!left) {
    if (right) evalExpr(ctx, right, true);
    return {};
  }
  const t = targetOf(ctx, left);
  if (!right) return targetVal(t);
  if (op(n) !== '=') {
    evalExpr(ctx, right, true);
    if (t.kind === 'var') ctx.noteDef(t.name, null);
    if (t.kind === 'var' || t.kind === 'path') {
      ctx.emit({ kind: 'assign', dst: t.name, src: { kind: 'unknown', text: ctx.text(n) }, loc: ctx.loc(n) });
    }
    return targetVal(t);
  }
  assignTo(ctx, t, right, n);
  return targetVal(t);
}

/** `target = rhs`, with `whole` the node whose location the assignment gets. */
export function assignTo(ctx: FnCtx, t: Target, rhs: SyntaxNode, whole: SyntaxNode): void {
  const r = strip(rhs);
  if (t.kind === 'var') ctx.noteDef(t.name, ty(r) === 'conditional_expression' ? null : ctx.text(r, 120));
  if (ty(r) === 'conditional_expression' && t.kind !== 'none') {
    const c = fld(r, 'condition');
    const a = fld(r, 'consequence');
    const b = fld(r, 'alternative');
    if (c && !a && b) {
      // GNU `c ?: b`: c when it is non-zero
      const v = evalExpr(ctx, c, true);
      if (v.var && !v.field) {
        const T = ctx.newBlock();
        const F = ctx.newBlock();
        const J = ctx.newBlock();
        ctx.terminate({ kind: 'branch', cond: { kind: 'truthy', var: v.var }, then: T, else: F, loc: ctx.loc(c), text: ctx.text(c) });
        ctx.setCur(T);
        assignVal(ctx, t, v, c, whole);
        ctx.jump(J);
        ctx.setCur(F);
        assignTo(ctx, t, b, whole);
        ctx.jump(J);
        ctx.setCur(J);
        return;
      }
      evalExpr(ctx, b, true);
      assignVal(ctx, t, {}, r, whole);
      return;
    }
    if (c && a && b) {
      const T = ctx.newBlock();
      const F = ctx.newBlock();
      const J = ctx.newBlock();
      lowerCond(ctx, c, T, F);
      ctx.setCur(T);
      assignTo(ctx, t, a, whole);
      ctx.jump(J);
      ctx.setCur(F);
      assignTo(ctx, t, b, whole);
      ctx.jump(J);
      ctx.setCur(J);
      return;
    }
  }
  const named = t.kind === 'var' || t.kind === 'path' ? t.name : undefined;
  const v = ty(r) === 'call_expression' ? evalCall(ctx, r, true, named) : evalExpr(ctx, r, true);
  if (v.bound) return;
  assignVal(ctx, t, v, r, whole);
}

/** Record `target = v`, `r` being the node that computed v. */
function assignVal(ctx: FnCtx, t: Target, v: Val, r: SyntaxNode, whole: SyntaxNode): void {
  switch (t.kind) {
    case 'var':
      ctx.emit({ kind: 'assign', dst: t.name, src: srcOf(v, () => ctx.text(r)), loc: ctx.loc(whole) });
      return;
    case 'path':
      if (v.var && !v.field && ctx.isTracked(v.var)) {
        ctx.emit({ kind: 'store', var: v.var, target: t.name, loc: ctx.loc(whole) });
      } else {
        // (every member assignment: a later test of the member must not see an old value)
        ctx.emit({ kind: 'assign', dst: t.name, src: srcOf(v, () => ctx.text(r)), loc: ctx.loc(whole) });
      }
      return;
    case 'place':
      if (v.var && !v.field && ctx.isTracked(v.var)) {
        ctx.emit({ kind: 'store', var: v.var, target: t.text, loc: ctx.loc(whole) });
      }
      return;
    case 'none':
      return;
  }
}

// ---- conditions ----------------------------------------------------------------------

/**
 * Lower a condition into branches: the current block ends, control goes to
 * `t` when the condition holds and to `f` otherwise. `&&`, `||`, `!`, `?:`
 * and `,` are split; every atomic test becomes one 'branch' terminator.
 */
export function lowerCond(ctx: FnCtx, node: SyntaxNode, t: number, f: number): void {
  const n = stripCond(node);
  switch (ty(n)) {
    case 'binary_expression': {
      const o = op(n);
      if (o === '&&' || o === '||') {
        const l = fld(n, 'left');
        const r = fld(n, 'right');
        if (!l || !r) break;
        const m = ctx.newBlock();
        if (o === '&&') lowerCond(ctx, l, m, f);
        else lowerCond(ctx, l, t, m);
        ctx.setCur(m);
        lowerCond(ctx, r, t, f);
        return;
      }
      break;
    }
    case 'unary_expression': {
      if (op(n) === '!') {
        const a = fld(n, 'argument');
        if (a) {
          lowerCond(ctx, a, f, t);
          return;
        }
      }
      break;
    }
    case 'call_expression': {
      const fn = fld(n, 'function');
      if (fn && ty(fn) === 'identifier' && COND_TRANSPARENT.has(txt(fn))) {
        const argsNode = fld(n, 'arguments');
        const first = argsNode ? firstExpr(argsNode) : null;
        if (first) {
          asserting(ctx, isAssertion(txt(fn)), () => lowerCond(ctx, first, t, f));
          return;
        }
      }
      break;
    }
    case 'comma_expression': {
      const l = fld(n, 'left');
      const r = fld(n, 'right');
      if (l && r) {
        evalExpr(ctx, l, false);
        lowerCond(ctx, r, t, f);
        return;
      }
      break;
    }
    case 'conditional_expression': {
      const c = fld(n, 'condition');
      const a = fld(n, 'consequence');
      const b = fld(n, 'alternative');
      if (c && a && b) {
        const A = ctx.newBlock();
        const B = ctx.newBlock();
        lowerCond(ctx, c, A, B);
        ctx.setCur(A);
        lowerCond(ctx, a, t, f);
        ctx.setCur(B);
        lowerCond(ctx, b, t, f);
        return;
      }
      break;
    }
  }
  const atom = atomCond(ctx, n);
  if ('const' in atom) {
    ctx.jump(atom.const ? t : f);
    return;
  }
  ctx.terminate({ kind: 'branch', cond: atom.cond, then: t, else: f, loc: ctx.loc(n), text: ctx.text(n) });
}

const UNKNOWN: Cond = { kind: 'unknown' };

function atomCond(ctx: FnCtx, n: SyntaxNode): { cond: Cond } | { const: number } {
  switch (ty(n)) {
    case 'number_literal': {
      const c = parseNumber(txt(n));
      return c === undefined ? { cond: UNKNOWN } : { const: c };
    }
    case 'true':
      return { const: 1 };
    case 'false':
    case 'null':
      return { const: 0 };
    case 'call_expression': {
      const fn = fld(n, 'function');
      if (fn && ty(fn) === 'identifier') {
        const name = txt(fn);
        if (name === 'IS_ERR' || name === 'IS_ERR_OR_NULL') {
          const argsNode = fld(n, 'arguments');
          const first = argsNode ? firstExpr(argsNode) : null;
          const v = first ? evalExpr(ctx, first, true) : {};
          if (v.var && !v.field) return { cond: { kind: name === 'IS_ERR' ? 'iserr' : 'iserr-or-null', var: v.var } };
          if (v.errptr) return { const: 1 };
          return { cond: UNKNOWN };
        }
      }
      break;
    }
    case 'binary_expression': {
      const o = op(n);
      if (CMP_OPS.has(o)) {
        const l = fld(n, 'left');
        const r = fld(n, 'right');
        const lv = l ? evalExpr(ctx, l, true) : {};
        const rv = r ? evalExpr(ctx, r, true) : {};
        const cmp = o as '<' | '<=' | '>' | '>=' | '==' | '!=';
        if (lv.var && !lv.field && rv.const !== undefined) return { cond: { kind: 'cmp', var: lv.var, op: cmp, value: rv.const } };
        if (rv.var && !rv.field && lv.const !== undefined) return { cond: { kind: 'cmp', var: rv.var, op: FLIP[cmp], value: lv.const } };
        if (lv.const !== undefined && rv.const !== undefined) {
          const a = lv.const;
          const b = rv.const;
          const res = o === '<' ? a < b : o === '<=' ? a <= b : o === '>' ? a > b : o === '>=' ? a >= b : o === '==' ? a === b : a !== b;
          return { const: res ? 1 : 0 };
        }
        return { cond: UNKNOWN };
      }
      break;
    }
  }
  const v = evalExpr(ctx, n, true);
  if (v.var && !v.field) return { cond: { kind: 'truthy', var: v.var } };
  if (v.field) return { const: 1 };
  if (v.const !== undefined) return { const: v.const };
  if (v.errptr) return { const: 1 };
  return { cond: UNKNOWN };
}
