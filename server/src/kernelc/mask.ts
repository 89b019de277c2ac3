/**
 * Kernel-aware masking (the contract is in mask-types.ts).
 *
 * One pass of a hand-written scanner over the char codes of the source
 * (about 130 MB/s on the kernel's fs/ + mm/ once warm, some 20 times
 * faster than parsing).
 * Comments, string literals and char literals are skipped; brace depth and
 * a stack of open brackets are tracked; every rewrite is recorded as
 * (start, end, kind, original), sorted and non-overlapping, and applied at
 * the end by slicing, so the output has the same length and the same
 * newlines as the input.
 *
 * The rewrites, and how extraction reads them:
 *
 * - 'loop-macro': an iterator macro heading a statement
 *   (`list_for_each_entry(pos, head, member) {`) has its NAME replaced by
 *   `while` + spaces; the argument list stays, as a comma expression.
 *   `original` is the macro name. Names containing `for_each`/`foreach`
 *   (any case), `do_each_*`, and any other `NAME(...) {` at the start of a
 *   statement inside a body (not valid C otherwise) are treated so. A
 *   loop macro after the body of a `do` (`do { } for_each_vma_range(...);`)
 *   becomes the `while` of that do-while. `for_each_x(...);` is a call and
 *   stays.
 * - 'scoped-guard': `scoped_guard` / `scoped_cond_guard` NAME replaced by
 *   `if` + spaces; the lock arguments stay. For `scoped_cond_guard` the
 *   second argument (the failure action, e.g. `return -EINTR`) is a second
 *   'scoped-guard' rewrite replaced by an identifier of the same length;
 *   its `original` holds the action text.
 * - 'annotation': annotations blanked (`__user`, `noinline`,
 *   `__must_hold(&x->lock)`, ...); `original` is the whole text including
 *   any argument list, so `__acquires(x)` / `__releases(x)` /
 *   `__must_hold(x)` arguments are read from it. Also an unknown macro
 *   word in front of a top-level function's return type (`STATIC int f(`,
 *   `__bpf_kfunc int f(`, `EXPORT_FOR_TESTS int f(`).
 * - 'cleanup': `__free(fn)` blanked; `original` is `__free(fn)`.
 * - 'syscall': `SYSCALL_DEFINEn(name, type, arg, ...)` /
 *   `COMPAT_SYSCALL_DEFINEn(...)`: the whole header is one rewrite, the
 *   masked text is `long sys_name(type arg, ...)` (`compat_sys_name` for
 *   the compat form) with the name and every parameter at its original
 *   offset (the macro word becomes `long` + spaces + `sys_`, the comma
 *   after the name `(`, each comma between a type and its name a space,
 *   annotations inside blanked). `SYSCALL_DEFINE0(name)` becomes
 *   `long sys_name()` (shifted left).
 * - 'type-arg': a call/macro argument that is only a type (`struct inode`,
 *   `unsigned long`, `u64 *`) replaced by an identifier of the same length
 *   (underscores; `_` and spaces when it spans lines).
 * - 'preproc': inside braces, directive lines (`#if...`, `#else`,
 *   `#endif`, `#define` with continuations, `#undef`, ...) blanked; of an
 *   `#if` group only the first branch is kept (the first branch whose
 *   condition is not the literal `0`), the other branches are blanked with
 *   their directive line (one rewrite from the `#else`/`#elif` to the next
 *   directive of the group). Outside braces directives are left to the
 *   grammar (only the brace depth is tracked through `#if/#else`
 *   branches), except `#if 0` groups, resolved the same way: their dead
 *   first branch is blanked, an `#else` branch kept.
 * - 'other', each described by `original`:
 *   - `NAME(args) var ...;` at the start of a statement (a macro used as a
 *     type: `DARRAY(struct x) list;`, `typeof(a.b) v;`): `NAME(args)`
 *     becomes one identifier of the same length, so the statement is a
 *     declaration of `var`;
 *   - `[static] DEFINE_X(name, ...);` / `DECLARE_X(name, ...) = {...};`
 *     inside a body: `DEFINE_X(` becomes an identifier and a space, `name`
 *     stays, the rest of the argument list is blanked: a declaration of
 *     `name`. (Only where the call form does not parse: after `static`,
 *     or before `= {`.)
 *   - `NAME()` as a statement without its `;` (x-macro lists): `()`
 *     becomes `; `;
 *   - `DEBUG_MACRO(if (x) ...);` (a statement passed as the argument):
 *     `NAME(` becomes spaces and `{`, its `)` becomes `}`: a block;
 *   - a `;` directly inside a call's parentheses (statements passed as a
 *     macro argument, `ASSERT(x, dump(y); dump(z););`): `,` between two
 *     statements, a space before the `)`;
 *   - an operator passed as an argument (`ASSERTCMP(a, ==, b)`) replaced
 *     by underscores;
 *   - `offsetof` with a member path (`offsetof(struct s, a[1])`) renamed to
 *     `_ffsetof` so that it parses as a call;
 *   - a top-level macro invocation without its `;` (`module_init(f)`
 *     followed by more declarations) blanked.
 *
 * Statement context (for the `NAME(...)` rules above) is: after `;`, `{`,
 * `}`, `else`, `do`, `static`, a label's `:`, a directive line, or the `)`
 * of an `if`/`for`/`while`/`switch` head; never inside an initializer list
 * (`= {`, `(type) {`), where a macro call is just an element.
 */
import type { MaskResult, Rewrite, RewriteKind } from './mask-types';

export type { MaskResult, Rewrite, RewriteKind } from './mask-types';

// ---------------------------------------------------------------- tables

const CH_NL = 10, CH_CR = 13, CH_SP = 32, CH_TAB = 9, CH_VT = 11, CH_FF = 12;
const CH_HASH = 35, CH_DQ = 34, CH_SQ = 39, CH_LP = 40, CH_RP = 41, CH_STAR = 42;
const CH_PLUS = 43, CH_COMMA = 44, CH_MINUS = 45, CH_SLASH = 47, CH_SEMI = 59;
const CH_LB = 123, CH_RB = 125, CH_BSL = 92, CH_LSQ = 91, CH_RSQ = 93, CH_EQ = 61, CH_COLON = 58;

/** 1: identifier start, 2: identifier part only (digits) */
const ID = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36) ID[c] = 1;
  else if (c >= 48 && c <= 57) ID[c] = 2;
}

function isIdStart(c: number): boolean {
  return c < 128 && ID[c] === 1;
}
function isIdPart(c: number): boolean {
  return c < 128 && ID[c] !== 0;
}
function isSpace(c: number): boolean {
  return c === CH_SP || c === CH_TAB || c === CH_NL || c === CH_CR || c === CH_FF || c === CH_VT;
}

/** Annotations written without arguments: blanked wherever they stand. */
const PLAIN_ANNOTATIONS = new Set<string>([
  // sparse address spaces and checks
  '__user', '__kernel', '__iomem', '__percpu', '__rcu', '__force', '__nocast', '__safe',
  '__private', '__bitwise', '__data_racy',
  // function attributes
  '__must_check', '__always_inline', 'noinline', 'noinline_for_stack', '__noinline',
  '__init', '__exit', '__cold', '__hot', '__weak', '__sched', 'notrace', 'noinstr',
  '__maybe_unused', '__always_unused', '__used', '__ref', '__meminit', '__init_memblock',
  'asmlinkage', '__latent_entropy', '__visible', '__noreturn', '__pure', '__malloc',
  '__attribute_const__', '__flatten', '__noclone', '__nocfi', '__kprobes', '__lockfunc',
  '__cpuidle', '__no_kcsan', '__no_sanitize_address', '__no_sanitize_thread',
  '__no_sanitize_memory', '__no_kmsan_checks', '__no_profile', '__noscs', '__naked',
  '__fix_address', '__init_or_module', '__irq_entry', '__softirq_entry', '__head',
  '__gnu_inline', '__deprecated', '__noipa', '__always_used', '__retain',
  '__inline_maybe_unused', '__exit_call', '__exitused', '__net_init', '__net_exit',
  '__no_stack_protector', '__no_randomize_layout', '__preserve_most',
  // data placement and layout
  '__read_mostly', '__ro_after_init', '__initdata', '__initconst', '__exitdata',
  '__meminitdata', '__meminitconst', '__refdata', '__refconst', '__nosavedata',
  '__cacheline_aligned', '__cacheline_aligned_in_smp', '____cacheline_aligned',
  '____cacheline_aligned_in_smp', '____cacheline_internodealigned_in_smp',
  '__page_aligned_data', '__page_aligned_bss', '__packed', '__randomize_layout',
  '__designated_init', '__nonstring', '__aligned_largest', '__uninitialized',
  '__initdata_memblock', '__init_memblock', '__percpu_data',
]);

/** Annotations that take an argument list: blanked together with it. */
const PAREN_ANNOTATIONS = new Set<string>([
  '__must_hold', '__acquires', '__releases', '__cond_acquires', '__cond_releases',
  '__printf', '__scanf', '__aligned', '__section', '__alloc_size', '__realloc_size',
  '__counted_by', '__counted_by_le', '__counted_by_be', '__assume_aligned', '__alias',
  '__copy', '__mode', '__compiletime_error', '__compiletime_warning', '__cleanup',
  '__diagnose_as', '__noinstr_section', '__guarded_by', '__pt_guarded_by',
  '__no_context_analysis', '__must_hold_shared', '__acquires_shared', '__releases_shared',
]);

/** A `(` after one of these is not a call: its contents are not call arguments. */
const NOT_CALLS = new Set<string>([
  'if', 'while', 'for', 'switch', 'return', 'case', 'do', 'else', 'goto',
  'sizeof',
  '_Alignof', 'alignof', '__alignof__', '__alignof', '_alignof', 'offsetof',
  '__builtin_offsetof', '_Generic', '_Atomic', '_Alignas', 'alignas',
  '__attribute__', '__attribute', 'asm', '__asm__', '__asm', 'volatile', '__volatile__',
  'goto', '__extension__', 'defined', '_Static_assert', 'static_assert',
]);

/** Words that may start or continue a type-only argument. */
const TYPE_WORDS = new Set<string>([
  'unsigned', 'signed', 'short', 'long', 'int', 'char', 'void', 'float', 'double',
  '_Bool', 'bool', 'size_t', 'ssize_t', 'ptrdiff_t', 'intptr_t', 'uintptr_t',
  'int8_t', 'int16_t', 'int32_t', 'int64_t', 'uint8_t', 'uint16_t', 'uint32_t',
  'uint64_t', 'char8_t', 'char16_t', 'char32_t', 'max_align_t', 'nullptr_t', 'charptr_t',
]);
/** Qualifiers inside a type-only argument. */
const TYPE_QUALS = new Set<string>([
  'const', 'volatile', 'restrict', '__restrict', '__restrict__', '__user', '__rcu',
  '__iomem', '__percpu', '__force', '__kernel', '_Atomic',
]);

/** Storage classes and qualifiers in a declaration's specifiers. */
const SPECIFIER_WORDS = new Set<string>([
  'static', 'extern', 'inline', '__inline', '__inline__', '__forceinline', 'const',
  'volatile', 'register', 'auto', '_Noreturn', 'noreturn', 'thread_local', '_Thread_local',
  '__thread', 'typedef', 'restrict', '__restrict', '__restrict__', '__extension__',
  'constexpr', '_Atomic', '__volatile__',
]);

/** Characters of operators that may be passed alone as a macro argument. */
const OPERATOR_CHAR = new Uint8Array(128);
for (const ch of '=!<>+-*/%&|^~?') OPERATOR_CHAR[ch.charCodeAt(0)] = 1;

function padWord(word: string, len: number): string {
  return word + ' '.repeat(len - word.length);
}

const LOOP_EXTRA = new Set<string>([
  'vma_interval_tree_foreach', 'anon_vma_interval_tree_foreach',
]);

/** True for the name of an iterator macro that heads a loop. */
export function isLoopMacroName(name: string): boolean {
  if (name.length < 7) return false;
  if (name.indexOf('each') < 0 && name.indexOf('EACH') < 0) return false;
  return (
    name.includes('for_each') ||
    name.includes('foreach') ||
    name.includes('FOR_EACH') ||
    name.includes('FOREACH') ||
    name.startsWith('do_each_') ||
    LOOP_EXTRA.has(name)
  );
}

/**
 * Two-character prefixes of every annotation name (and `__free`), as
 * first * 128 + second: a cheap filter before looking a word up.
 */
const ANNOTATION_PREFIX = new Uint8Array(128 * 128);
for (const set of [PLAIN_ANNOTATIONS, PAREN_ANNOTATIONS, new Set(['__free'])]) {
  for (const s of set) ANNOTATION_PREFIX[s.charCodeAt(0) * 128 + s.charCodeAt(1)] = 1;
}

// ---------------------------------------------------------------- scanner

/** bracket kinds on the stack */
const K_PAREN = 1, K_CALL = 2, K_CTRL = 3, K_BRACE = 8, K_DOBRACE = 9, K_INIT = 10;

/** prevTok value after a `)` that closed a plain (grouping or cast) parenthesis */
const TOK_CAST_RP = 1;

/** deferred decisions for a call's `(`, taken at its `)` */
const F_LOOP = 1, F_GUARD = 2, F_STMT = 4, F_AFTER_DO = 8, F_TOP = 16, F_STATIC = 32;

interface CondGroup {
  /** blanked group (inside braces): only one branch survives */
  masked: boolean;
  /** masked group: a branch has been kept already */
  kept: boolean;
  /** unmasked group: depth and stacks at `#if` */
  depthAt: number;
  stackAt: number[] | null;
  callsAt: number;
  /** unmasked group: the same at the end of the first branch (depthAfter -1: none yet) */
  depthAfter: number;
  stackAfter: number[] | null;
  callsAfter: number;
}

/** Options for diagnostics; not needed for normal use. */
export interface MaskOptions {
  /**
   * Called (after masking, in source order) for each `NAME(...) {` inside
   * braces where NAME is not a known loop or guard macro (it is masked as
   * a loop all the same).
   */
  onUnknownBlockMacro?: (name: string, offset: number) => void;
}

const STMT_KEYWORDS = new Set<string>(['if', 'for', 'while', 'do', 'switch', 'return', 'goto']);
const CTRL_KEYWORDS = new Set<string>(['if', 'for', 'while', 'switch']);

// scanner state: module-level so that the helpers are plain functions
// (closures created per call defeat inlining); maskKernelC is not re-entrant.
let n = 0;
let rewrites: Rewrite[] = [];
/** replacement text per rewrite; undefined: blank the original */
let reps: (string | undefined)[] = [];
let unknownNames: [string, number][] | null = null;

let depth: number = 0;
let stack: number[] = [];
/** the previous significant token was an identifier starting at lastIdS (-1: it was not) */
let lastIdS: number = -1;
/** ... and it stood at the start of a statement / right after a do-body */
let lastIdStmt: boolean = false;
let lastIdAfterDo: boolean = false;
/** the identifier at lastIdS followed `static` at a statement start */
let lastIdStatic: boolean = false;
/** the next token starts an argument of a call (only tracked inside braces) */
let argStart: boolean = false;
let conds: CondGroup[] = [];
/** flat [start, end, ...] of the words of the current top-level declaration */
let declWords: number[] = [];
let declN: number = 0;
/** deferred calls: identifier span, `(` position, flags, stack length after the push */
let callS: number[] = [];
let callE: number[] = [];
let callP: number[] = [];
let callF: number[] = [];
let callAt: number[] = [];
let callN: number = 0;

/** the text being masked */
let src = '';
/** the position to resume scanning at, set by handlers that consume a whole construct */

function add(start: number, end: number, kind: RewriteKind, rep?: string): void {
  rewrites.push({ start, end, kind, original: src.slice(start, end) });
  reps.push(rep);
}

/** Record a rewrite that may lie before rewrites already recorded (kept sorted). */
function insertSorted(start: number, end: number, kind: RewriteKind, rep?: string): void {
  let k = rewrites.length;
  while (k > 0 && rewrites[k - 1].start > start) k--;
  if (k === rewrites.length) {
    add(start, end, kind, rep);
    return;
  }
  rewrites.splice(k, 0, { start, end, kind, original: src.slice(start, end) });
  reps.splice(k, 0, rep);
}

/** Record a rewrite of [start, end) that replaces every rewrite recorded inside it. */
function replaceRange(start: number, end: number, kind: RewriteKind, rep: string): void {
  let k = rewrites.length;
  while (k > 0 && rewrites[k - 1].start >= start) k--;
  rewrites.length = k;
  reps.length = k;
  add(start, end, kind, rep);
}

/** Same-length identifier text for [s, e). */
function identText(s: number, e: number): string {
  const orig = src.slice(s, e);
  if (orig.indexOf('\n') < 0 && orig.indexOf('\r') < 0) return '_'.repeat(e - s);
  return '_' + orig.slice(1).replace(/[^\r\n]/g, ' ');
}

/** Replace [s, e) by an identifier of the same length. */
function identify(s: number, e: number, kind: RewriteKind): void {
  add(s, e, kind, identText(s, e));
}

/** Position after a block comment starting at p ('/' '*'), or n. */
function skipBlockComment(p: number): number {
  const e = src.indexOf('*/', p + 2);
  return e < 0 ? n : e + 2;
}

/** Position after a string or char literal starting at p (quote q). */
function skipQuoted(p: number, q: number): number {
  let j = p + 1;
  while (j < n) {
    const c = src.charCodeAt(j);
    if (c === q) return j + 1;
    if (c === CH_BSL) { j += 2; continue; }
    if (c === CH_NL) return j; // unterminated: stop at the line end
    j++;
  }
  return n;
}

/** Skip whitespace, comments and line continuations from p: the next significant position. */
function skipWsComments(p: number): number {
  while (p < n) {
    const c = src.charCodeAt(p);
    if (isSpace(c)) { p++; continue; }
    if (c === CH_SLASH) {
      const d = src.charCodeAt(p + 1);
      if (d === CH_STAR) { p = skipBlockComment(p); continue; }
      if (d === CH_SLASH) { const e = src.indexOf('\n', p); p = e < 0 ? n : e; continue; }
    }
    if (c === CH_BSL && (src.charCodeAt(p + 1) === CH_NL || (src.charCodeAt(p + 1) === CH_CR && src.charCodeAt(p + 2) === CH_NL))) {
      p += 2; continue;
    }
    break;
  }
  return p;
}

function hasNewline(a: number, b: number): boolean {
  const k = src.indexOf('\n', a);
  return k >= 0 && k < b;
}

/** End of the identifier starting at p. */
function identEnd(p: number): number {
  let e = p;
  while (e < n && isIdPart(src.charCodeAt(e))) e++;
  return e;
}

/** Given p at '(', the position of its matching ')' (or -1). */
function matchParen(p: number): number {
  let lvl = 0;
  let j = p;
  while (j < n) {
    const c = src.charCodeAt(j);
    if (c === CH_LP) lvl++;
    else if (c === CH_RP) { if (--lvl === 0) return j; }
    else if (c === CH_SLASH) {
      const d = src.charCodeAt(j + 1);
      if (d === CH_STAR) { j = skipBlockComment(j); continue; }
      if (d === CH_SLASH) { const e = src.indexOf('\n', j); j = e < 0 ? n : e; continue; }
    } else if (c === CH_DQ || c === CH_SQ) { j = skipQuoted(j, c); continue; }
    j++;
  }
  return -1;
}

/** Positions of the first `max` commas at the top level of the parens (p, rp). */
function topCommas(p: number, rp: number, max: number): number[] {
  const out: number[] = [];
  if (rp < 0) return out;
  let lvl = 0;
  for (let j = p + 1; j < rp && out.length < max; j++) {
    const d = src.charCodeAt(j);
    if (d === CH_LP || d === CH_LB || d === CH_LSQ) lvl++;
    else if (d === CH_RP || d === CH_RB || d === CH_RSQ) lvl--;
    else if (d === CH_COMMA && lvl === 0) out.push(j);
    else if (d === CH_DQ || d === CH_SQ) j = skipQuoted(j, d) - 1;
    else if (d === CH_SLASH && src.charCodeAt(j + 1) === CH_STAR) j = skipBlockComment(j) - 1;
  }
  return out;
}

/** End of the directive line starting at p (position of the ending newline, or n). */
function directiveEnd(p: number): number {
  let j = p;
  while (j < n) {
    const c = src.charCodeAt(j);
    if (c === CH_NL) return j;
    if (c === CH_BSL) {
      const d = src.charCodeAt(j + 1);
      if (d === CH_NL) { j += 2; continue; }
      if (d === CH_CR && src.charCodeAt(j + 2) === CH_NL) { j += 3; continue; }
    } else if (c === CH_SLASH) {
      const d = src.charCodeAt(j + 1);
      if (d === CH_STAR) { j = skipBlockComment(j); continue; }
      if (d === CH_SLASH) { const e = src.indexOf('\n', j); return e < 0 ? n : e; }
    } else if (c === CH_DQ || c === CH_SQ) {
      j = skipQuoted(j, c); continue;
    }
    j++;
  }
  return n;
}

/** The directive word after '#' at p, and the position after it. */
let dwEnd = 0;
function directiveWord(p: number): string {
  let j = p + 1;
  while (j < n && (src.charCodeAt(j) === CH_SP || src.charCodeAt(j) === CH_TAB)) j++;
  const s = j;
  while (j < n && isIdPart(src.charCodeAt(j))) j++;
  dwEnd = j;
  return src.slice(s, j);
}

/** Whether the condition of `#if`/`#elif` in [p, end) is the literal 0. */
function condIsZero(p: number, end: number): boolean {
  const j = skipWsComments(p);
  if (j >= end || src.charCodeAt(j) !== 48) return false;
  return skipWsComments(j + 1) >= end;
}

/**
 * Skip an inactive branch starting at p (after a directive line).
 * Returns the position of the '#' of the `#elif`, `#else` or `#endif`
 * that ends it at nesting level 0, or n.
 */
function skipInactive(p: number): number {
  let lvl = 0;
  let lineStart = true;
  let j = p;
  while (j < n) {
    const c = src.charCodeAt(j);
    if (c === CH_NL) { lineStart = true; j++; continue; }
    if (c === CH_SP || c === CH_TAB || c === CH_CR || c === CH_FF || c === CH_VT) { j++; continue; }
    if (c === CH_SLASH) {
      const d = src.charCodeAt(j + 1);
      if (d === CH_STAR) { j = skipBlockComment(j); continue; }
      if (d === CH_SLASH) { const e = src.indexOf('\n', j); j = e < 0 ? n : e; continue; }
    }
    if (c === CH_HASH && lineStart) {
      const w = directiveWord(j);
      if (w === 'if' || w === 'ifdef' || w === 'ifndef') lvl++;
      else if (w === 'endif') { if (lvl === 0) return j; lvl--; }
      else if ((w === 'else' || w === 'elif' || w === 'elifdef' || w === 'elifndef') && lvl === 0) return j;
      j = directiveEnd(j);
      continue;
    }
    lineStart = false;
    if (c === CH_DQ || c === CH_SQ) { j = skipQuoted(j, c); continue; }
    j++;
  }
  return n;
}

/**
 * A type-only argument starting at the identifier at s (inside a call's
 * parentheses): the end of the type text, or -1.
 */
function matchTypeArg(s: number, e0: number): number {
  // fast path: a name followed by `->`, `.`, `(`, `[`, an operator...: an expression
  let k = e0;
  while (k < n && (src.charCodeAt(k) === CH_SP || src.charCodeAt(k) === CH_TAB)) k++;
  const c1 = src.charCodeAt(k);
  if (c1 === CH_COMMA || c1 === CH_RP) {
    if (!TYPE_WORDS.has(src.slice(s, e0))) return -1;
  } else if (c1 !== CH_STAR && !isIdStart(c1) && !isSpace(c1) && c1 !== CH_SLASH) {
    return -1;
  }
  let j = s;
  let base = 0; // 0 none, 1 plain identifier, 2 definite type
  let stars = 0;
  let quals = 0;
  let lastEnd = s;
  for (;;) {
    j = skipWsComments(j);
    if (j >= n) return -1;
    const c = src.charCodeAt(j);
    if (c === CH_COMMA || c === CH_RP) break;
    if (c === CH_STAR) {
      if (base === 0) return -1;
      stars++;
      j++;
      lastEnd = j;
      continue;
    }
    if (!isIdStart(c)) return -1;
    let e = identEnd(j);
    const w = src.slice(j, e);
    if (TYPE_QUALS.has(w)) {
      quals++;
    } else if (stars > 0) {
      return -1; // `a * b`: an expression
    } else if (w === 'struct' || w === 'union' || w === 'enum') {
      if (base !== 0) return -1;
      const k = skipWsComments(e);
      if (k >= n || !isIdStart(src.charCodeAt(k))) return -1;
      e = identEnd(k);
      base = 2;
    } else if (TYPE_WORDS.has(w)) {
      if (base === 1) return -1;
      base = 2;
    } else {
      if (base !== 0) return -1; // two names in a row: a declaration, not a type
      base = 1;
    }
    j = e;
    lastEnd = e;
  }
  if (base === 0) return -1;
  if (base === 1 && stars === 0 && quals === 0) return -1; // a plain name is an expression
  return lastEnd;
}

/**
 * At p, the start of a call argument made of an operator only
 * (`ASSERTCMP(a, ==, b)`): rewrites it and returns its end, or -1.
 */
function operatorArg(p: number): number {
  let j = p;
  while (j < n && OPERATOR_CHAR[src.charCodeAt(j)] === 1) j++;
  if (j === p) return -1;
  const d = src.charCodeAt(skipWsComments(j));
  if (d !== CH_COMMA && d !== CH_RP) return -1;
  identify(p, j, 'other');
  return j;
}

/** Handle a directive at p (the '#', first on its line). Returns the resume position. */
function directive(p: number): number {
  const w = directiveWord(p);
  const afterWord = dwEnd;
  const end = directiveEnd(p);
  const top = conds.length > 0 ? conds[conds.length - 1] : undefined;
  if (w === 'if' || w === 'ifdef' || w === 'ifndef') {
    // inside braces every group is resolved; outside only `#if 0` groups
    // (dead code, which the grammar would otherwise parse as live)
    const zero = w === 'if' && condIsZero(afterWord, end);
    if (depth > 0 || zero) {
      const g: CondGroup = {
        masked: true, kept: true, depthAt: depth, stackAt: null, callsAt: 0,
        depthAfter: -1, stackAfter: null, callsAfter: 0,
      };
      conds.push(g);
      if (zero) {
        g.kept = false;
        const stop = skipInactive(end);
        add(p, stop, 'preproc');
        return stop;
      }
      add(p, end, 'preproc');
      return end;
    }
    conds.push({
      masked: false, kept: true, depthAt: depth, stackAt: stack.slice(), callsAt: callN,
      depthAfter: -1, stackAfter: null, callsAfter: 0,
    });
    return end;
  }
  if (w === 'else' || w === 'elif' || w === 'elifdef' || w === 'elifndef') {
    if (top === undefined) {
      if (depth > 0) add(p, end, 'preproc');
      return end;
    }
    if (top.masked) {
      if (top.kept || (w === 'elif' && condIsZero(afterWord, end))) {
        const stop = skipInactive(end);
        add(p, stop, 'preproc');
        return stop;
      }
      top.kept = true;
      add(p, end, 'preproc');
      return end;
    }
    if (top.depthAfter < 0) {
      top.depthAfter = depth;
      top.stackAfter = stack;
      top.callsAfter = callN;
    }
    depth = top.depthAt;
    stack = top.stackAt !== null ? top.stackAt.slice() : [];
    if (callN > top.callsAt) callN = top.callsAt;
    return end;
  }
  if (w === 'endif') {
    if (top === undefined) {
      if (depth > 0) add(p, end, 'preproc');
      return end;
    }
    conds.pop();
    if (top.masked) {
      add(p, end, 'preproc');
      return end;
    }
    if (top.depthAfter >= 0) {
      depth = top.depthAfter;
      stack = top.stackAfter ?? [];
      if (callN > top.callsAfter) callN = top.callsAfter;
    }
    return end;
  }
  // #define, #undef, #include, #pragma, #error, #warning, #line, null directive
  if (depth > 0) add(p, end, 'preproc');
  return end;
}

/** Rewrite a SYSCALL_DEFINEn / COMPAT_SYSCALL_DEFINEn header at s with `(` at lp: the resume position or -1. */
function syscallHeader(s: number, lp: number, compat: boolean): number {
  const rp = matchParen(lp);
  if (rp < 0) return -1;
  const commas = topCommas(lp, rp, 64);
  const nameS = skipWsComments(lp + 1);
  const nameE = identEnd(nameS);
  if (nameE === nameS || nameE > rp) return -1;
  const orig = src.slice(s, rp + 1);
  const chars = orig.split('');
  const prefix = compat ? 'compat_sys_' : 'sys_';
  const rel = (x: number): number => x - s;
  const setText = (at: number, t: string): void => {
    for (let k = 0; k < t.length; k++) chars[at + k] = t[k];
  };
  const blankRange = (a: number, b: number): void => {
    for (let k = a; k < b; k++) if (chars[k] !== '\n' && chars[k] !== '\r') chars[k] = ' ';
  };
  const name = src.slice(nameS, nameE);
  const pairsOk = commas.length > 0 && commas.length % 2 === 0;
  if (pairsOk && rel(nameS) >= 5 + prefix.length && !hasNewline(nameS - prefix.length, nameS)) {
    // name and parameters stay where they are
    blankRange(0, rel(nameS));
    setText(0, 'long');
    setText(rel(nameS) - prefix.length, prefix);
    blankRange(rel(nameE), rel(commas[0]) + 1);
    chars[rel(commas[0])] = '(';
    for (let k = 1; k < commas.length; k += 2) chars[rel(commas[k])] = ' ';
    const re = /[A-Za-z_][A-Za-z0-9_]*/g;
    const params = src.slice(commas[0] + 1, rp);
    let m: RegExpExecArray | null;
    while ((m = re.exec(params)) !== null) {
      if (PLAIN_ANNOTATIONS.has(m[0])) {
        const a = rel(commas[0] + 1 + m.index);
        blankRange(a, a + m[0].length);
      }
    }
  } else {
    // `long sys_name()` from the start, the rest blanked
    const head = `long ${prefix}${name}()`;
    blankRange(0, chars.length);
    let k = 0;
    let o = 0;
    while (o < head.length && k < chars.length) {
      if (chars[k] === '\n' || chars[k] === '\r') { k++; continue; }
      chars[k++] = head[o++];
    }
    if (o < head.length) return -1;
  }
  add(s, rp + 1, 'syscall', chars.join(''));
  return rp + 1;
}

/**
 * Outside braces, at `(` after the identifier at s: the words of the
 * declaration so far are in declWords. An unknown macro in front of the
 * return type (`STATIC int f(`, `__bpf_kfunc int f(`) makes two types:
 * blank the extra plain identifiers, front first.
 */
function topLevelDeclarator(s: number): void {
  const m = declN;
  if (m < 4 || declWords[m - 2] !== s) return;
  const name = src.slice(s, declWords[m - 1]);
  if (SPECIFIER_WORDS.has(name) || TYPE_WORDS.has(name)) return;
  let types = 0;
  let primitive = false;
  const plain: number[] = [];
  for (let k = 0; k < m - 2; k += 2) {
    const w = src.slice(declWords[k], declWords[k + 1]);
    if (SPECIFIER_WORDS.has(w)) continue;
    if (w === 'struct' || w === 'union' || w === 'enum') {
      types++;
      k += 2; // the tag
      continue;
    }
    if (TYPE_WORDS.has(w)) {
      if (!primitive) types++;
      primitive = true;
      continue;
    }
    types++;
    plain.push(k);
  }
  for (let q = 0; q < plain.length && types >= 2; q++, types--) {
    const k = plain[q];
    insertSorted(declWords[k], declWords[k + 1], 'annotation');
  }
}

/** Whether `c` at q can start the statement a block macro heads. */
function startsStatement(c: number, q: number): boolean {
  return c === CH_LB || isIdStart(c) || c === CH_LP || c === CH_STAR ||
((c === CH_PLUS || c === CH_MINUS) && src.charCodeAt(q + 1) === c);
}

/**
 * At `)` (position rp) closing a deferred call `NAME(` (flags f, name at
 * [s, e), `(` at p): decide what the call was. Returns the position to
 * resume at (normally rp + 1).
 */
function closeCall(s: number, e: number, p: number, f: number, rp: number): number {
  const q = skipWsComments(rp + 1);
  const c = q < n ? src.charCodeAt(q) : -1;
  if (f & F_TOP) {
    // a top-level macro invocation without its `;`, followed by more
    if (c === -1 || c === CH_HASH || (isIdStart(c) && hasNewline(rp + 1, q) && !isAnnotationAt(q))) {
      replaceRange(s, rp + 1, 'other', blankText(src.slice(s, rp + 1)));
    }
    return rp + 1;
  }
  if (f & F_LOOP) {
    if (startsStatement(c, q) || (c === CH_SEMI && (f & F_AFTER_DO) !== 0)) {
      insertSorted(s, e, 'loop-macro', padWord('while', e - s));
    }
    return rp + 1;
  }
  if (f & F_GUARD) {
    if (startsStatement(c, q)) insertSorted(s, e, 'scoped-guard', padWord('if', e - s));
    return rp + 1;
  }
  if (f & F_STATIC) {
    // `static DEFINE_X(name, ...);` inside a body
    if (c === CH_SEMI || c === CH_EQ) defineDecl(s, p, rp);
    return rp + 1;
  }
  // F_STMT: `NAME(...)` at the start of a statement
  if (c === CH_LB) {
    if (unknownNames !== null) unknownNames.push([src.slice(s, e), s]);
    // a name shorter than `while` (often a keyword being typed: `fo (i...) {`)
    // becomes an `if` when it fits, else stays as it is
    if (e - s >= 5) insertSorted(s, e, 'loop-macro', padWord('while', e - s));
    else if (e - s >= 2) insertSorted(s, e, 'other', padWord('if', e - s));
    return rp + 1;
  }
  const empty = skipWsComments(p + 1) === rp;
  if (empty && (c === CH_RB || c === CH_HASH || c === -1 || (isIdStart(c) && hasNewline(rp + 1, q)))) {
    // an x-macro list used as a statement, without its `;`
    add(p, rp + 1, 'other', ';' + ' '.repeat(rp - p));
    return rp + 1;
  }
  if (isIdStart(c) && !hasNewline(rp + 1, q)) {
    // `NAME(args) var;`: a macro standing for a type
    const we = identEnd(q);
    const d = src.charCodeAt(skipWsComments(we));
    if ((d === CH_SEMI || d === CH_EQ || d === CH_COMMA || d === CH_LSQ) && !STMT_KEYWORDS.has(src.slice(q, we))) {
      replaceRange(s, rp + 1, 'other', identText(s, rp + 1));
    }
    return rp + 1;
  }
  if (c === CH_EQ && src.charCodeAt(skipWsComments(q + 1)) === CH_LB) {
    // `DECLARE_BITMAP(map, N) = { 0 };`
    defineDecl(s, p, rp);
  }
  return rp + 1;
}

/** `NAME(var, ...)` -> `____ var      `: a declaration of var. */
function defineDecl(s: number, p: number, rp: number): void {
  const a = skipWsComments(p + 1);
  const b = identEnd(a);
  if (b === a) return;
  const after = skipWsComments(b);
  if (after !== rp && src.charCodeAt(after) !== CH_COMMA) return;
  const rep = '_'.repeat(p - s) + ' ' + blankText(src.slice(p + 1, a)) + src.slice(a, b) + blankText(src.slice(b, rp + 1));
  replaceRange(s, rp + 1, 'other', rep);
}

/** Whether the identifier at q is an annotation we blank. */
function isAnnotationAt(q: number): boolean {
  const w = src.slice(q, identEnd(q));
  return PLAIN_ANNOTATIONS.has(w) || PAREN_ANNOTATIONS.has(w) || w === '__attribute__';
}

let resume = 0;

/**
 * `(` at p after the identifier [s, e). Pushes the bracket (and a
 * deferred call when something must be decided at its `)`), or handles
 * the whole construct and returns false with `resume` set.
 */
function openAfterIdent(s: number, e: number, p: number): boolean {
  if (depth > 0) {
    const name = src.slice(s, e);
    let flags = 0;
    let kind = K_CALL;
    if (name === 'offsetof') {
      // the grammar's offsetof takes a plain member name only; with a
      // member path (`a.b`, `name[1]`) it must parse as a call
      const commas = topCommas(p, matchParen(p), 1);
      kind = K_PAREN;
      if (commas.length === 1) {
        const a = skipWsComments(commas[0] + 1);
        const b = identEnd(a);
        if (b === a || src.charCodeAt(skipWsComments(b)) !== CH_RP) {
          add(s, e, 'other', '_ffsetof');
          kind = K_CALL;
        }
      }
    } else if (isLoopMacroName(name)) {
      flags = F_LOOP | (lastIdAfterDo ? F_AFTER_DO : 0);
    } else if (name === 'scoped_guard') {
      flags = F_GUARD;
    } else if (name === 'scoped_cond_guard') {
      const rp = matchParen(p);
      if (rp > 0 && startsStatement(src.charCodeAt(skipWsComments(rp + 1)), skipWsComments(rp + 1))) {
        const commas = topCommas(p, rp, 2);
        if (commas.length === 2) {
          add(s, e, 'scoped-guard', padWord('if', e - s));
          const a = skipWsComments(commas[0] + 1);
          let b = commas[1];
          while (b > a && isSpace(src.charCodeAt(b - 1))) b--;
          if (b > a) identify(a, b, 'scoped-guard');
          stack.push(K_CALL);
          resume = b > a ? b : p + 1;
          return false;
        }
      }
    } else if (CTRL_KEYWORDS.has(name)) {
      kind = K_CTRL;
    } else if (NOT_CALLS.has(name)) {
      kind = K_PAREN;
    } else if (lastIdStatic) {
      flags = F_STATIC;
    } else if (lastIdStmt) {
      // a statement passed as the argument: `DEBUG(if (x) ...);`
      const q = skipWsComments(p + 1);
      const c = src.charCodeAt(q);
      if (c === 105 || c === 102 || c === 119 || c === 100 || c === 115 || c === 114) {
        const w = src.slice(q, identEnd(q));
        if (STMT_KEYWORDS.has(w)) {
          const rp = matchParen(p);
          if (rp > 0) {
            add(s, p + 1, 'other', ' '.repeat(p - s) + '{');
            stmtArgClose = rp;
            stack.push(K_PAREN);
            resume = p + 1;
            return false;
          }
        }
      }
      flags = F_STMT;
    }
    stack.push(kind);
    if (flags !== 0) {
      callS[callN] = s; callE[callN] = e; callP[callN] = p; callF[callN] = flags; callAt[callN] = stack.length;
      callN++;
    }
    argStart = kind === K_CALL;
    return true;
  }
  if (stack.length === 0) {
    const c0 = src.charCodeAt(s);
    if ((c0 === 83 || c0 === 67) && e - s >= 15) {
      const m = /^(COMPAT_)?SYSCALL_DEFINE[0-6]$/.exec(src.slice(s, e));
      if (m) {
        const r = syscallHeader(s, p, m[1] !== undefined);
        if (r > 0) { resume = r; return false; }
      }
    }
    if (declN === 2 && declWords[0] === s && !src.startsWith('__attribute', s)) {
      stack.push(K_PAREN);
      callS[callN] = s; callE[callN] = e; callP[callN] = p; callF[callN] = F_TOP; callAt[callN] = stack.length;
      callN++;
      return true;
    }
    topLevelDeclarator(s);
  }
  stack.push(K_PAREN);
  return true;
}
/** position of the `)` of a statement-argument macro, to become `}` */
let stmtArgClose = -1;


/**
 * Defensive: the scanner records rewrites in order and never overlapping;
 * should that ever fail, a later overlapping rewrite is dropped so that the
 * list always describes the text exactly.
 */
function dropOverlaps(): void {
  let pos = 0;
  for (let k = 0; k < rewrites.length; k++) {
    if (rewrites[k].start < pos) {
      rewrites.splice(k, 1);
      reps.splice(k, 1);
      k--;
      continue;
    }
    pos = rewrites[k].end;
  }
}

/** Reset the scanner state for a new text. */
function begin(text: string, collectUnknown: boolean): void {
  src = text;
  n = text.length;
  rewrites = [];
  reps = [];
  depth = 0;
  stack = [];
  lastIdS = -1;
  lastIdStmt = false;
  lastIdAfterDo = false;
  lastIdStatic = false;
  argStart = false;
  conds = [];
  declN = 0;
  callN = 0;
  resume = 0;
  stmtArgClose = -1;
  unknownNames = collectUnknown ? [] : null;
}

export function maskKernelC(text: string, options?: MaskOptions): MaskResult {
  begin(text, options?.onUnknownBlockMacro !== undefined);
  // local copies for the hot loop (the helpers read the module-level ones)
  const src = text;
  const n = text.length;
  let i = 0;
  let atLineStart = true;
  let lastIdE = -1;
  let sawStatic = false;
  let stmtStart = false;
  let afterDo = false;
  /** the previous significant punctuation (a char code, TOK_CAST_RP), 0 after a word */
  let prevTok = 0;

  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === CH_NL) { atLineStart = true; i++; continue; }
    if (c === CH_SP || c === CH_TAB || c === CH_CR || c === CH_FF || c === CH_VT) { i++; continue; }
    if (c === CH_SLASH) {
      const d = src.charCodeAt(i + 1);
      if (d === CH_STAR) { i = skipBlockComment(i); continue; }
      if (d === CH_SLASH) { const e = src.indexOf('\n', i); i = e < 0 ? n : e; continue; }
    }
    if (c === CH_HASH && atLineStart) {
      i = directive(i);
      lastIdS = -1;
      argStart = false;
      afterDo = false;
      declN = 0;
      if (depth > 0) stmtStart = stack[stack.length - 1] !== K_INIT;
      continue;
    }
    atLineStart = false;
    if (c < 128 && ID[c] === 1) {
      const s = i;
      let e = i + 1;
      while (e < n) {
        const d = src.charCodeAt(e);
        if (d < 128 && ID[d] !== 0) e++;
        else break;
      }
      if (argStart) {
        argStart = false;
        const te = matchTypeArg(s, e);
        if (te > 0) {
          identify(s, te, 'type-arg');
          i = te;
          prevTok = 0;
          lastIdS = -1;
          stmtStart = false;
          afterDo = false;
          continue;
        }
      }
      const c2 = e > s + 1 ? src.charCodeAt(s + 1) : 0;
      if (c2 < 128 && ANNOTATION_PREFIX[c * 128 + c2] === 1) {
        const w = src.slice(s, e);
        if (PLAIN_ANNOTATIONS.has(w)) {
          add(s, e, 'annotation');
          i = e;
          continue; // transparent: the previous token stays the previous token
        }
        if (w === '__free' || PAREN_ANNOTATIONS.has(w)) {
          const q = skipWsComments(e);
          if (q < n && src.charCodeAt(q) === CH_LP) {
            const rp = matchParen(q);
            if (rp > 0) {
              add(s, rp + 1, w === '__free' ? 'cleanup' : 'annotation');
              i = rp + 1;
              continue;
            }
          }
        }
      }
      if (depth === 0 && stack.length === 0) { declWords[declN++] = s; declWords[declN++] = e; }
      prevTok = 0;
      lastIdS = s;
      lastIdE = e;
      lastIdStmt = stmtStart;
      lastIdAfterDo = afterDo;
      lastIdStatic = sawStatic;
      afterDo = false;
      // a statement starts after `else` and `do`; `static` keeps the start
      // (`static DEFINE_X(...)`) and is remembered in sawStatic
      const len = e - s;
      sawStatic = depth > 0 && stmtStart && len === 6 && src.startsWith('static', s);
      stmtStart = depth > 0 && (sawStatic || (len === 4 && src.startsWith('else', s)) || (len === 2 && src.startsWith('do', s)));
      i = e;
      continue;
    }
    sawStatic = false;
    if (c === CH_DQ || c === CH_SQ) {
      prevTok = 0;
      i = skipQuoted(i, c);
      lastIdS = -1;
      argStart = false;
      stmtStart = false;
      afterDo = false;
      declN = 0;
      continue;
    }
    if (c >= 48 && c <= 57) {
      let e = i + 1;
      while (e < n) {
        const d = src.charCodeAt(e);
        if ((d < 128 && ID[d] !== 0) || d === 46) e++;
        else break;
      }
      i = e;
      prevTok = 0;
      lastIdS = -1;
      argStart = false;
      stmtStart = false;
      afterDo = false;
      declN = 0;
      continue;
    }
    switch (c) {
      case CH_LP: {
        afterDo = false;
        prevTok = CH_LP;
        if (lastIdS >= 0) {
          const pushed = openAfterIdent(lastIdS, lastIdE, i);
          lastIdS = -1;
          stmtStart = false;
          if (!pushed) {
            i = resume;
            argStart = false;
            declN = 0;
            continue;
          }
          if (depth === 0) declN = 0;
          i++;
          continue;
        }
        stack.push(K_PAREN);
        argStart = false;
        stmtStart = false;
        declN = 0;
        i++;
        continue;
      }
      case CH_RP: {
        let kind = 0;
        if (stack.length > 0 && stack[stack.length - 1] < K_BRACE) kind = stack.pop() as number;
        argStart = false;
        lastIdS = -1;
        prevTok = kind === K_PAREN ? TOK_CAST_RP : CH_RP;
        stmtStart = kind === K_CTRL;
        afterDo = false;
        declN = 0;
        if (i === stmtArgClose) {
          add(i, i + 1, 'other', '}');
          stmtArgClose = -1;
          stmtStart = false;
        }
        if (callN > 0 && callAt[callN - 1] === stack.length + 1 && kind !== 0) {
          callN--;
          i = closeCall(callS[callN], callE[callN], callP[callN], callF[callN], i);
          continue;
        }
        i++;
        continue;
      }
      case CH_COMMA:
        prevTok = CH_COMMA;
        argStart = depth > 0 && stack.length > 0 && stack[stack.length - 1] === K_CALL;
        lastIdS = -1;
        stmtStart = false;
        afterDo = false;
        declN = 0;
        i++;
        continue;
      case CH_SEMI:
        prevTok = CH_SEMI;
        if (depth > 0 && stack.length > 0 && stack[stack.length - 1] === K_CALL) {
          // statements passed as a macro argument: `ASSERT(x, dump(y); dump(z););`:
          // `;` becomes `,` between them and a space before the `)`
          const q = skipWsComments(i + 1);
          if (src.charCodeAt(q) === CH_RP) add(i, i + 1, 'other');
          else add(i, i + 1, 'other', ',');
        }
        argStart = false;
        lastIdS = -1;
        stmtStart = depth > 0;
        afterDo = false;
        declN = 0;
        i++;
        continue;
      case CH_LB: {
        const isDo = lastIdS >= 0 && lastIdE - lastIdS === 2 && src.startsWith('do', lastIdS);
        // an initializer list: after `=`, after a cast `(type)` inside a
        // body (compound literal), or nested in another initializer
        const isInit =
          prevTok === CH_EQ ||
          (prevTok === TOK_CAST_RP && depth > 0) ||
          ((prevTok === CH_COMMA || prevTok === CH_LB) && stack.length > 0 && stack[stack.length - 1] === K_INIT);
        depth++;
        stack.push(isDo ? K_DOBRACE : isInit ? K_INIT : K_BRACE);
        prevTok = CH_LB;
        argStart = false;
        lastIdS = -1;
        stmtStart = !isInit;
        afterDo = false;
        declN = 0;
        i++;
        continue;
      }
      case CH_RB: {
        if (depth > 0) depth--;
        let popped = 0;
        while (stack.length > 0) {
          popped = stack.pop() as number;
          if (popped >= K_BRACE) break;
        }
        if (depth === 0) stack.length = 0;
        while (callN > 0 && callAt[callN - 1] > stack.length) callN--;
        argStart = false;
        lastIdS = -1;
        prevTok = CH_RB;
        stmtStart = depth > 0 && stack[stack.length - 1] !== K_INIT;
        afterDo = popped === K_DOBRACE;
        declN = 0;
        i++;
        continue;
      }
      case CH_STAR:
        prevTok = CH_STAR;
        // a pointer declarator keeps the declaration's words
        lastIdS = -1;
        stmtStart = false;
        afterDo = false;
        if (argStart) {
          argStart = false;
          const oe = operatorArg(i);
          if (oe > 0) { i = oe; continue; }
        }
        i++;
        continue;
      default:
        prevTok = c;
        if (argStart) {
          argStart = false;
          const oe = operatorArg(i);
          if (oe > 0) { i = oe; lastIdS = -1; continue; }
        }
        lastIdS = -1;
        stmtStart = c === CH_COLON && depth > 0; // after a label or a case
        afterDo = false;
        declN = 0;
        i++;
        continue;
    }
  }

  dropOverlaps();
  const result: MaskResult = { text: applyRewrites(src, rewrites, reps), rewrites };
  const unknown = unknownNames;
  begin('', false); // drop references to the text and the results
  if (unknown !== null && options?.onUnknownBlockMacro) {
    for (const [name, at] of unknown) options.onUnknownBlockMacro(name, at);
  }
  return result;
}

function blankText(s: string): string {
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === CH_NL || c === CH_CR) return s.replace(/[^\r\n]/g, ' ');
  }
  return ' '.repeat(s.length);
}

function applyRewrites(src: string, rewrites: Rewrite[], reps: (string | undefined)[]): string {
  if (rewrites.length === 0) return src;
  const parts: string[] = [];
  let pos = 0;
  for (let k = 0; k < rewrites.length; k++) {
    const r = rewrites[k];
    parts.push(src.slice(pos, r.start));
    const rep = reps[k];
    parts.push(rep !== undefined ? rep : blankText(r.original));
    pos = r.end;
  }
  parts.push(src.slice(pos));
  return parts.join('');
}

/*
 * Warm-up: one masking of a small text that goes through every branch of
 * the scanner, so that the JIT has type feedback for all of them before it
 * optimizes. Without it, the first real files hit branches the optimized
 * code has never seen and the (large) scanner is deoptimized and
 * recompiled several times, which made the first pass over a tree about
 * twice as slow as later ones.
 */
const WARMUP = [
  '/* comment */ // line comment',
  '#include <linux/fs.h>',
  '#define TWO(x) \\',
  '\t((x) * 2)',
  '#ifdef CONFIG_A',
  'static int a_on = 1;',
  '#else',
  'static int a_on;',
  '#endif',
  'STATIC int __init __cold setup_a(char __user *p) __releases(x)',
  '{',
  '\tstruct item *it __free(kfree) = NULL;',
  "\tchar c = '\\'', *s = \"str\\\"ing\";",
  '\tstatic DEFINE_RATELIMIT_STATE(rs, 5 * HZ, 10);',
  '\tDECLARE_BITMAP(map, 8) = { 0 };',
  '\tVEC(struct item *) v;',
  '\tunsigned long n = min_t(unsigned long, 0x10UL, sizeof(struct item));',
  '#ifdef CONFIG_B',
  '\tn++;',
  '#else',
  '\tn--;',
  '#endif',
  '#if 0',
  '\tn = 0;',
  '#elif 1',
  '\tn = 1;',
  '#endif',
  '#define X(f) n += f;',
  '\tFIELDS()',
  '#undef X',
  '\tlist_for_each_entry(it, &head, node) {',
  '\t\tit = container_of(p, struct item, node) + f(*p, &it, -1, !n);',
  '\t\tit = container_of(p, struct',
  '\t\t\titem, node);',
  '\t}',
  '\tdo {',
  '\t\tn--;',
  '\t} for_each_step(n, 1);',
  '\tscoped_guard(mutex, &lock)',
  '\t\tn++;',
  '\tscoped_cond_guard(mutex_intr, return -EINTR, &lock) {',
  '\t\tn++;',
  '\t}',
  '\tunknown_walk(a, b) {',
  '\t}',
  '\tASSERT(n, ==, 1);',
  '\tCHECK(n, dump(n); dump(n););',
  '\tDEBUG(if (n) n = 2;);',
  '\tn = offsetof(struct item, arr[1]) + offsetof(struct item, node);',
  '\tswitch (n) {',
  '\tcase 1:',
  '\t\tn = n ? n : 2;',
  '\t\tbreak;',
  '\t}',
  'out:',
  '\treturn TWO(n) + (int)c + s[0] + a_on;',
  '}',
  'module_init(setup_a)',
  'SYSCALL_DEFINE2(frob, int, fd, const char __user *, path)',
  '{',
  '\treturn 0;',
  '}',
  'static void unbalanced(void)',
  '{',
  '\tg(a;',
  '}',
  'TESTS_ONLY xfs_lsn_t __must_check plain_types(u64 *a, const char *b) __acquires(a) /* c */',
  '{',
  '\th = va_arg(ap, const char *) + cast(x, u64 *) + f( /* c */ g(h(1)), "s(", \'(\');',
  '\tvma_tree_foreach(v, /* c */ t) // c',
  '\t\tn++;',
  '\tlist_for_each(p, h) /* c */ {',
  '\t}',
  '#ifdef A // c',
  '#if B',
  '\tx = "#endif";',
  '#elif C',
  '#else',
  '#endif',
  '#elif D',
  '#endif',
  '}',
  'SYSCALL_DEFINE0(nothing)',
  '{',
  '\treturn 0;',
  '}',
  '',
].join('\n');
for (let k = 0; k < 2; k++) maskKernelC(WARMUP);
maskKernelC(WARMUP.replace(/\n/g, '\r\n'));
