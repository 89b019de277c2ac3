/**
 * Kernel-aware masking (see mask-types.ts for the contract).
 *
 * One pass of a hand-written scanner over the char codes of the source.
 * Comments, string literals and char literals are skipped; brace depth and
 * a small stack of open brackets are tracked; every rewrite is recorded as
 * (start, end, kind, original) in source order and applied at the end by
 * slicing, so the output has the same length and the same newlines.
 *
 * Rewrites, and how extraction should read them:
 *
 * - 'loop-macro': an iterator macro heading a statement
 *   (`list_for_each_entry(pos, head, member) {`) has its NAME replaced by
 *   `while` + spaces; the argument list stays as a comma expression. The
 *   original is the macro name. `do_each_*` macros are treated the same
 *   way; their closing `} while_each_*(...);` stays a call statement.
 * - 'scoped-guard': `scoped_guard` / `scoped_cond_guard` NAME replaced by
 *   `if` + spaces; the lock arguments stay. For `scoped_cond_guard` the
 *   second argument (the failure action, e.g. `return -EINTR`) is a second
 *   'scoped-guard' rewrite replaced by an identifier of the same length
 *   (`_` + underscores/spaces); its `original` holds the action text.
 * - 'annotation': annotation keywords blanked (`__user`, `noinline`,
 *   `__must_hold(&x->lock)` ...); `original` is the whole text including
 *   any argument list, so `__acquires(x)` / `__releases(x)` /
 *   `__must_hold(x)` arguments can be read from it.
 * - 'cleanup': `__free(fn)` blanked; `original` is `__free(fn)`.
 * - 'syscall': `SYSCALL_DEFINEn(name, type, arg, ...)` /
 *   `COMPAT_SYSCALL_DEFINEn(...)`. The whole header is one rewrite; the
 *   masked text is `long sys_name(type arg, ...)` (`compat_sys_name` for
 *   the compat form) with the name and every parameter at its original
 *   offset (the macro word becomes `long` + spaces + `sys_`, the comma
 *   after the name becomes `(`, each comma between a type and its name a
 *   space, annotations inside blanked). `SYSCALL_DEFINE0(name)` becomes
 *   `long sys_name()` shifted left.
 * - 'type-arg': a macro/call argument that is only a type (`struct inode`,
 *   `unsigned long`, `u64 *`) replaced by an identifier of the same length.
 * - 'preproc': inside braces, directive lines (`#if...`, `#else`,
 *   `#endif`, `#define` with continuations, `#undef`, ...) blanked; of an
 *   `#if` group only the first branch is kept (the first non-`0` branch
 *   for `#if 0`), the other branches are blanked together with their
 *   directive line. Outside braces directives are left to the grammar.
 * - 'other': `EXPORT_SYMBOL*(...)`-style and similar lines are not
 *   rewritten; 'other' is used for `__attribute__`-free fixes described by
 *   `original` (currently: `typeof(...)`-typed declarations are left alone).
 */
import type { MaskResult, Rewrite, RewriteKind } from './mask-types';

export type { MaskResult, Rewrite, RewriteKind } from './mask-types';

// ---------------------------------------------------------------- tables

const CH_NL = 10, CH_CR = 13, CH_SP = 32, CH_TAB = 9, CH_VT = 11, CH_FF = 12;
const CH_HASH = 35, CH_DQ = 34, CH_SQ = 39, CH_LP = 40, CH_RP = 41, CH_STAR = 42;
const CH_PLUS = 43, CH_COMMA = 44, CH_MINUS = 45, CH_SLASH = 47, CH_SEMI = 59;
const CH_LB = 123, CH_RB = 125, CH_BSL = 92, CH_LSQ = 91, CH_RSQ = 93;

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
  'sizeof', 'typeof', '__typeof__', '__typeof', 'typeof_unqual', '__typeof_unqual__',
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
  return (
    name.includes('for_each') ||
    name.includes('foreach') ||
    name.includes('FOR_EACH') ||
    name.includes('FOREACH') ||
    name.startsWith('do_each_') ||
    LOOP_EXTRA.has(name)
  );
}

/** Bitmap of the first characters of every name we may have to rewrite. */
const INTERESTING_FIRST = new Uint8Array(128);
for (const set of [PLAIN_ANNOTATIONS, PAREN_ANNOTATIONS]) {
  for (const s of set) INTERESTING_FIRST[s.charCodeAt(0)] = 1;
}
INTERESTING_FIRST[95] = 1; // '_' (__free and friends)

// ---------------------------------------------------------------- scanner

const K_BRACE = 0, K_PAREN = 1, K_CALL = 2;

interface CondGroup {
  /** blanked group (inside braces): only one branch survives */
  masked: boolean;
  /** masked group: a branch has been kept already */
  kept: boolean;
  /** unmasked group: depth and bracket stack at `#if` */
  depthAt: number;
  stackAt: number[] | null;
  /** unmasked group: depth and stack at the end of the first branch (-1: none yet) */
  depthAfter: number;
  stackAfter: number[] | null;
}

/** Options for diagnostics; not needed for normal use. */
export interface MaskOptions {
  /** called for `NAME(...) {` inside braces where NAME is not a known block macro */
  onUnknownBlockMacro?: (name: string, offset: number) => void;
}

export function maskKernelC(src: string, options?: MaskOptions): MaskResult {
  const n = src.length;
  const rewrites: Rewrite[] = [];
  const onUnknown = options?.onUnknownBlockMacro;

  let i = 0;
  let depth = 0;
  let stack: number[] = [];
  let atLineStart = true;
  /** the previous significant token was an identifier at [lastIdS, lastIdE) */
  let lastIdS = -1;
  let lastIdE = -1;
  /** next token starts an argument of a call (only tracked inside braces) */
  let argStart = false;
  const conds: CondGroup[] = [];

  /** replacement text per rewrite; undefined: blank the original */
  const reps: (string | undefined)[] = [];
  const add = (start: number, end: number, kind: RewriteKind, rep?: string): void => {
    rewrites.push({ start, end, kind, original: src.slice(start, end) });
    reps.push(rep);
  };

  /** Position after a block comment starting at p ('/' '*'), or n. */
  const skipBlockComment = (p: number): number => {
    const e = src.indexOf('*/', p + 2);
    return e < 0 ? n : e + 2;
  };

  /** Position after a string or char literal starting at p (quote q). */
  const skipQuoted = (p: number, q: number): number => {
    let j = p + 1;
    while (j < n) {
      const c = src.charCodeAt(j);
      if (c === q) return j + 1;
      if (c === CH_BSL) { j += 2; continue; }
      if (c === CH_NL) return j; // unterminated: stop at the line end
      j++;
    }
    return n;
  };

  /** Skip whitespace and comments from p; returns the next significant position. */
  const skipWsComments = (p: number): number => {
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
  };

  /** Given p at '(', the position of its matching ')' (or -1). */
  const matchParen = (p: number): number => {
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
      else if (c === CH_LB || c === CH_RB || c === CH_SEMI) {
        // statement expressions may hold braces and semicolons; a brace at
        // paren level 1 directly is still fine. Give up only at an
        // implausible depth of text.
      }
      j++;
    }
    return -1;
  };

  /** End of the directive line starting at p (position of the ending newline or n). */
  const directiveEnd = (p: number): number => {
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
  };

  /** Read the directive word after '#' at p: returns [word, position after it]. */
  const directiveWord = (p: number): [string, number] => {
    let j = p + 1;
    while (j < n && (src.charCodeAt(j) === CH_SP || src.charCodeAt(j) === CH_TAB)) j++;
    const s = j;
    while (j < n && isIdPart(src.charCodeAt(j))) j++;
    return [src.slice(s, j), j];
  };

  /** Whether the condition text of `#if`/`#elif` after position p is the literal 0. */
  const condIsZero = (p: number, end: number): boolean => {
    const j = skipWsComments(p);
    if (j >= end || src.charCodeAt(j) !== 48) return false;
    const k = skipWsComments(j + 1);
    return k >= end;
  };

  /**
   * Skip an inactive branch starting at p (at a line start or after a
   * directive line). Returns the position of the '#' of the `#elif`,
   * `#else` or `#endif` that ends it at nesting level 0, or n.
   */
  const skipInactive = (p: number): number => {
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
        const [w] = directiveWord(j);
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
  };

  /**
   * Type-only argument starting at identifier position s (inside a call's
   * parentheses). Returns the end of the type text, or -1.
   */
  const matchTypeArg = (s: number): number => {
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
      let e = j + 1;
      while (e < n && isIdPart(src.charCodeAt(e))) e++;
      const w = src.slice(j, e);
      if (TYPE_QUALS.has(w)) {
        quals++;
      } else if (stars > 0) {
        return -1; // `a * b`: an expression
      } else if (w === 'struct' || w === 'union' || w === 'enum') {
        if (base !== 0) return -1;
        const k = skipWsComments(e);
        if (k >= n || !isIdStart(src.charCodeAt(k))) return -1;
        let m = k + 1;
        while (m < n && isIdPart(src.charCodeAt(m))) m++;
        e = m;
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
  };

  const blank = (start: number, end: number, kind: RewriteKind): void => add(start, end, kind);


  /** Handle a directive at p (the '#', first on its line). Returns the resume position. */
  const directive = (p: number): number => {
    const [w, afterWord] = directiveWord(p);
    const end = directiveEnd(p);
    const top = conds.length > 0 ? conds[conds.length - 1] : undefined;
    if (w === 'if' || w === 'ifdef' || w === 'ifndef') {
      if (depth > 0) {
        const g: CondGroup = { masked: true, kept: true, depthAt: depth, stackAt: null, depthAfter: -1, stackAfter: null };
        conds.push(g);
        if (w === 'if' && condIsZero(afterWord, end)) {
          g.kept = false;
          const stop = skipInactive(end);
          blank(p, stop, 'preproc');
          return stop;
        }
        blank(p, end, 'preproc');
        return end;
      }
      conds.push({ masked: false, kept: true, depthAt: depth, stackAt: stack.slice(), depthAfter: -1, stackAfter: null });
      return end;
    }
    if (w === 'else' || w === 'elif' || w === 'elifdef' || w === 'elifndef') {
      if (top === undefined) return depth > 0 ? (blank(p, end, 'preproc'), end) : end;
      if (top.masked) {
        if (top.kept || (w === 'elif' && condIsZero(afterWord, end))) {
          const stop = skipInactive(end);
          blank(p, stop, 'preproc');
          return stop;
        }
        top.kept = true;
        blank(p, end, 'preproc');
        return end;
      }
      if (top.depthAfter < 0) {
        top.depthAfter = depth;
        top.stackAfter = stack;
      }
      depth = top.depthAt;
      stack = top.stackAt !== null ? top.stackAt.slice() : [];
      return end;
    }
    if (w === 'endif') {
      if (top === undefined) return depth > 0 ? (blank(p, end, 'preproc'), end) : end;
      conds.pop();
      if (top.masked) {
        blank(p, end, 'preproc');
        return end;
      }
      if (top.depthAfter >= 0) {
        depth = top.depthAfter;
        stack = top.stackAfter ?? [];
      }
      return end;
    }
    // #define, #undef, #include, #pragma, #error, #warning, #line, null directive
    if (depth > 0) blank(p, end, 'preproc');
    return end;
  };

  /** Rewrite a SYSCALL_DEFINEn / COMPAT_SYSCALL_DEFINEn header. Returns the resume position or -1. */
  const syscallHeader = (s: number, lp: number, compat: boolean): number => {
    const rp = matchParen(lp);
    if (rp < 0) return -1;
    // split the arguments at commas of paren level 1
    const commas: number[] = [];
    let lvl = 0;
    for (let j = lp + 1; j < rp; j++) {
      const c = src.charCodeAt(j);
      if (c === CH_LP) lvl++;
      else if (c === CH_RP) lvl--;
      else if (c === CH_COMMA && lvl === 0) commas.push(j);
      else if (c === CH_SLASH && src.charCodeAt(j + 1) === CH_STAR) j = skipBlockComment(j) - 1;
    }
    const nameS = skipWsComments(lp + 1);
    let nameE = nameS;
    while (nameE < rp && isIdPart(src.charCodeAt(nameE))) nameE++;
    if (nameE === nameS) return -1;
    const orig = src.slice(s, rp + 1);
    // start from the original with every non-newline blanked where needed
    const chars = orig.split('');
    const prefix = compat ? 'compat_sys_' : 'sys_';
    const argsAfterName = commas.length;
    const zeroArgs = argsAfterName === 0;
    const pairsOk = argsAfterName > 0 && argsAfterName % 2 === 1;
    const rel = (x: number): number => x - s;
    const setText = (at: number, t: string): void => {
      for (let k = 0; k < t.length; k++) chars[at + k] = t[k];
    };
    const blankRange = (a: number, b: number): void => {
      for (let k = a; k < b; k++) if (chars[k] !== '\n' && chars[k] !== '\r') chars[k] = ' ';
    };
    const name = src.slice(nameS, nameE);
    if (!zeroArgs && pairsOk && rel(nameS) >= 4 + 1 + prefix.length && !/[\r\n]/.test(src.slice(nameS - prefix.length, nameS))) {
      blankRange(0, rel(nameS));
      setText(0, 'long');
      setText(rel(nameS) - prefix.length, prefix);
      blankRange(rel(nameE), rel(commas[0]) + 1);
      chars[rel(commas[0])] = '(';
      for (let k = 1; k < commas.length; k += 2) chars[rel(commas[k])] = ' ';
      // blank annotations inside the parameter list
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
      // `long sys_name()` left-aligned, the rest blanked
      const head = `long ${prefix}${name}()`;
      if (head.length > orig.length) return -1;
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
  };


  /** Replace [s, e) by an identifier of the same length. */
  const identify = (s: number, e: number, kind: RewriteKind): void => {
    const orig = src.slice(s, e);
    let rep: string;
    if (orig.indexOf('\n') < 0 && orig.indexOf('\r') < 0) rep = '_'.repeat(e - s);
    else rep = '_' + orig.slice(1).replace(/[^\r\n]/g, ' ');
    add(s, e, kind, rep);
  };

  /** Insert a rewrite that lies before already recorded ones (kept sorted). */
  const insertSorted = (start: number, end: number, kind: RewriteKind, rep?: string): void => {
    let k = rewrites.length;
    while (k > 0 && rewrites[k - 1].start > start) k--;
    rewrites.splice(k, 0, { start, end, kind, original: src.slice(start, end) });
    reps.splice(k, 0, rep);
  };

  /**
   * Outside braces, at `(` after the identifier [s, e): the words of the
   * declaration so far are in declWords. `STATIC int foo(`,
   * `__bpf_kfunc int foo(`, `EXPORT_FOR_TESTS\nint foo(`: an unknown
   * macro in front of the return type makes two types; blank the extra
   * plain identifiers, front first.
   */
  const topLevelDeclarator = (s: number): void => {
    const m = declWords.length;
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
  };

  /**
   * Handle `(` at p following identifier [s, e). Returns the kind of
   * bracket to push, or -1 when the scanner must resume at `resume`
   * (everything up to there handled).
   */
  const afterIdentParen = (s: number, e: number, p: number, atStmt: boolean): number => {
    if (depth > 0) {
      const name = src.slice(s, e);
      const loop = isLoopMacroName(name);
      const guard = !loop && (name === 'scoped_guard' || name === 'scoped_cond_guard');
      const emptyArgs = src.charCodeAt(p + 1) === CH_RP;
      if (loop || guard || (atStmt && emptyArgs) || onUnknown !== undefined) {
        const rp = matchParen(p);
        if (rp > 0) {
          const q = skipWsComments(rp + 1);
          const c = q < n ? src.charCodeAt(q) : CH_SEMI;
          const stmt =
            c === CH_LB ||
            isIdStart(c) ||
            c === CH_LP ||
            c === CH_STAR ||
            ((c === CH_PLUS || c === CH_MINUS) && src.charCodeAt(q + 1) === c);
          if (stmt && loop) {
            add(s, e, 'loop-macro', padWord('while', e - s));
          } else if (stmt && guard) {
            add(s, e, 'scoped-guard', padWord('if', e - s));
            if (name === 'scoped_cond_guard') {
              // the second argument is the failure action (`return -EINTR`)
              const commas = topCommas(p, rp, 2);
              if (commas.length === 2) {
                const a = skipWsComments(commas[0] + 1);
                let b = commas[1];
                while (b > a && isSpace(src.charCodeAt(b - 1))) b--;
                if (b > a) {
                  identify(a, b, 'scoped-guard');
                  stack.push(K_CALL);
                  resume = b;
                  return -1;
                }
              }
            }
          } else if (
            atStmt && emptyArgs &&
            (c === CH_RB || c === CH_HASH || (isIdStart(c) && hasNewline(rp + 1, q)))
          ) {
            // `X_MACRO_LIST()` as a statement without its `;` (x-macros):
            // `()` becomes `; `
            add(p, rp + 1, 'other', '; ');
            resume = rp + 1;
            return -1;
          } else if (c === CH_LB && onUnknown !== undefined && !loop && !guard && !NOT_CALLS.has(name)) {
            onUnknown(name, s);
          }
        }
      }
      if (name === 'offsetof') {
        // the grammar's offsetof takes a plain member name only; with a
        // member path (`a.b`, `name[1]`) it is parsed as a call instead
        const commas = topCommas(p, matchParen(p), 1);
        if (commas.length === 1) {
          const a = skipWsComments(commas[0] + 1);
          let b = a;
          while (b < n && isIdPart(src.charCodeAt(b))) b++;
          const after = skipWsComments(b);
          if (b === a || src.charCodeAt(after) !== CH_RP) {
            add(s, e, 'other', '_ffsetof');
            return K_CALL;
          }
        }
        return K_PAREN;
      }
      if (NOT_CALLS.has(name)) return K_PAREN;
      return K_CALL;
    }
    // outside braces
    if (stack.length === 0) {
      const c0 = src.charCodeAt(s);
      if ((c0 === 83 || c0 === 67) && e - s >= 15) {
        const name = src.slice(s, e);
        const m = /^(COMPAT_)?SYSCALL_DEFINE[0-6]$/.exec(name);
        if (m) {
          const r = syscallHeader(s, p, m[1] !== undefined);
          if (r > 0) { resume = r; return -1; }
        }
      }
      topLevelDeclarator(s);
    }
    return K_PAREN;
  };

  /** Positions of the first `max` commas at the top level of the parens (p, rp). */
  const topCommas = (p: number, rp: number, max: number): number[] => {
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
  };

  const hasNewline = (a: number, b: number): boolean => {
    const k = src.indexOf('\n', a);
    return k >= 0 && k < b;
  };

  /**
   * At p, the start of a call argument made of an operator only
   * (`ASSERTCMP(a, ==, b)`): returns the end after rewriting it to an
   * identifier, or -1.
   */
  const operatorArg = (p: number): number => {
    let j = p;
    while (j < n && OPERATOR_CHAR[src.charCodeAt(j)] === 1) j++;
    if (j === p) return -1;
    const q = skipWsComments(j);
    const d = src.charCodeAt(q);
    if (d !== CH_COMMA && d !== CH_RP) return -1;
    identify(p, j, 'other');
    return j;
  };

  let resume = 0;
  /** flat [start, end, start, end, ...] of the words of the current top-level declaration */
  const declWords: number[] = [];
  /** the next token starts a statement (inside braces) */
  let stmtStart = false;
  let lastIdStmt = false;

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
      declWords.length = 0;
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
        const te = matchTypeArg(s);
        if (te > 0) {
          identify(s, te, 'type-arg');
          i = te;
          lastIdS = -1;
          stmtStart = false;
          continue;
        }
      }
      if (INTERESTING_FIRST[c] === 1) {
        const w = src.slice(s, e);
        if (PLAIN_ANNOTATIONS.has(w)) {
          add(s, e, 'annotation');
          i = e;
          continue; // transparent: keeps the previous token
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
      if (depth === 0 && stack.length === 0) declWords.push(s, e);
      lastIdS = s;
      lastIdE = e;
      lastIdStmt = stmtStart;
      stmtStart = false;
      i = e;
      continue;
    }
    if (c === CH_DQ || c === CH_SQ) {
      i = skipQuoted(i, c);
      lastIdS = -1;
      argStart = false;
      stmtStart = false;
      declWords.length = 0;
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
      lastIdS = -1;
      argStart = false;
      stmtStart = false;
      declWords.length = 0;
      continue;
    }
    switch (c) {
      case CH_LP: {
        let kind = K_PAREN;
        if (lastIdS >= 0) {
          const r = afterIdentParen(lastIdS, lastIdE, i, lastIdStmt);
          if (r === -1) {
            i = resume;
            lastIdS = -1;
            argStart = false;
            stmtStart = false;
            declWords.length = 0;
            continue;
          }
          kind = r;
        }
        stack.push(kind);
        argStart = kind === K_CALL && depth > 0;
        lastIdS = -1;
        stmtStart = false;
        declWords.length = 0;
        i++;
        continue;
      }
      case CH_RP:
        if (stack.length > 0 && stack[stack.length - 1] !== K_BRACE) stack.pop();
        argStart = false;
        lastIdS = -1;
        stmtStart = false;
        declWords.length = 0;
        i++;
        continue;
      case CH_COMMA:
        argStart = depth > 0 && stack.length > 0 && stack[stack.length - 1] === K_CALL;
        lastIdS = -1;
        stmtStart = false;
        declWords.length = 0;
        i++;
        continue;
      case CH_SEMI:
        if (depth > 0 && stack.length > 0 && stack[stack.length - 1] === K_CALL) {
          // a statement passed as a macro argument: `ASSERT(x, dump(y););`
          add(i, i + 1, 'other');
        }
        argStart = false;
        lastIdS = -1;
        stmtStart = true;
        declWords.length = 0;
        i++;
        continue;
      case CH_LB:
        depth++;
        stack.push(K_BRACE);
        argStart = false;
        lastIdS = -1;
        stmtStart = true;
        declWords.length = 0;
        i++;
        continue;
      case CH_RB:
        if (depth > 0) depth--;
        while (stack.length > 0) {
          if (stack.pop() === K_BRACE) break;
        }
        if (depth === 0) stack.length = 0;
        argStart = false;
        lastIdS = -1;
        stmtStart = true;
        declWords.length = 0;
        i++;
        continue;
      case CH_STAR:
        // pointers inside a declaration keep the declaration words
        lastIdS = -1;
        stmtStart = false;
        if (argStart) {
          argStart = false;
          const oe = operatorArg(i);
          if (oe > 0) { i = oe; continue; }
        }
        i++;
        continue;
      default:
        if (argStart) {
          argStart = false;
          const oe = operatorArg(i);
          if (oe > 0) { i = oe; lastIdS = -1; continue; }
        }
        lastIdS = -1;
        stmtStart = c === 58; // ':' after a label or case
        declWords.length = 0;
        i++;
        continue;
    }
  }

  return { text: applyRewrites(src, rewrites, reps), rewrites };
}

function blankText(s: string): string {
  let hasNl = false;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === CH_NL || c === CH_CR) { hasNl = true; break; }
  }
  if (!hasNl) return ' '.repeat(s.length);
  return s.replace(/[^\r\n]/g, ' ');
}

function applyRewrites(src: string, rewrites: Rewrite[], reps: (string | undefined)[]): string {
  if (rewrites.length === 0) return src;
  const parts: string[] = [];
  let pos = 0;
  for (let k = 0; k < rewrites.length; k++) {
    const r = rewrites[k];
    if (r.start < pos) continue; // never overlap (defensive)
    parts.push(src.slice(pos, r.start));
    const rep = reps[k];
    parts.push(rep !== undefined ? rep : blankText(r.original));
    pos = r.end;
  }
  parts.push(src.slice(pos));
  return parts.join('');
}
