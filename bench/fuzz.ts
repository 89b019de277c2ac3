/**
 * `npm run fuzz`: hostile input for the engine (Analyzer.analyzeText: mask,
 * focus, parse, extract, simulate).
 *
 *   node out/bench/fuzz.js [--count N] [--seed S] [--workers W] [--timeout MS]
 *                          [--adversarial-timeout MS] [--no-adversarial]
 *                          [--only I,J,...] [--out DIR]
 *
 * FOLIO_FUZZ_TRACE=1 makes each worker log the start and end of each input.
 *
 * Inputs are generated deterministically from (seed, index):
 * - index < ADVERSARIAL.length (unless --no-adversarial): shapes built in
 *   code (an empty file, a binary file, a 3 MB line, 4,000 levels of
 *   nesting, a function with thousands of branches, a 10 MB file, ...);
 * - otherwise: one of the repository's own C files (test/fixtures/rules,
 *   test/fixtures/fuzz, examples; never kernel source) with 1 to 4
 *   mutations (truncations, deleted and repeated spans, unbalanced braces,
 *   parentheses and comments, random bytes and unicode, lifecycle calls
 *   swapped, lines reversed or shuffled, spans spliced from another file).
 *
 * Each input runs in a worker thread; the run fails on
 * - a crash: an exception out of analyzeText, or an `internal error` result
 *   (analyzeText catches its own exceptions and reports them that way);
 * - a hang: the worker does not answer within the per-input wall-clock
 *   limit (it is then terminated and replaced);
 * - a function over budget: one simulation (runEngine, timed here from the
 *   outside, construction included) taking longer than the budget's
 *   maxMillis plus BUDGET_MARGIN_MS. The engine reads its clock every 64
 *   states, so some overshoot is by design; the margin is how much.
 * Failing inputs are written to --out (default test-output/fuzz/) with the
 * reason, to be minimised into test/fixtures/fuzz/.
 *
 * The exit code is 1 when anything failed. The same runner is used by
 * test/fuzz.test.ts (a fixed-seed slice in CI).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Worker, isMainThread, parentPort, workerData, threadId } from 'worker_threads';
import { DEFAULT_BUDGET } from '../simulator/src/api-types';

/** How far past its budget's maxMillis one function's simulation may run before the fuzzer calls it a failure. */
export const BUDGET_MARGIN_MS = 100;

const ROOT = path.resolve(__dirname, '..', '..');

// ---------------------------------------------------------------- random

export type Rng = () => number;

/** mulberry32: small, fast, and the same everywhere. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function int(r: Rng, n: number): number {
  return Math.floor(r() * n);
}
function pick<T>(r: Rng, a: readonly T[]): T {
  return a[int(r, a.length)];
}

// ---------------------------------------------------------------- corpus

export function loadCorpus(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.[ch]$/.test(e.name)) out.push({ name: path.relative(ROOT, p), text: fs.readFileSync(p, 'latin1') });
    }
  };
  walk(path.join(ROOT, 'test', 'fixtures', 'rules'));
  walk(path.join(ROOT, 'test', 'fixtures', 'fuzz'));
  walk(path.join(ROOT, 'examples'));
  return out;
}

// ---------------------------------------------------------------- mutations

const LIFECYCLE = [
  'folio_get', 'folio_put', 'folio_lock', 'folio_unlock', 'folio_trylock', 'folio_start_writeback', 'folio_end_writeback',
  'filemap_get_folio', '__filemap_get_folio', 'read_mapping_folio', 'filemap_lock_folio', 'folio_mark_dirty',
  'folio_clear_dirty_for_io', 'folio_attach_private', 'folio_detach_private', 'folio_wait_writeback', 'get_page',
  'put_page', 'lock_page', 'unlock_page', 'page_folio', 'folio_page', 'folio_batch_add', 'folio_batch_release',
  'folio_start_private_2', 'folio_end_private_2', 'kmap_local_folio', 'kunmap_local', 'IS_ERR', 'PTR_ERR', 'ERR_PTR',
];
const TOKENS = [
  '{', '}', '(', ')', '[', ']', ';', ',', '/*', '*/', '//', '"', "'", '\\\n', '#if 0\n', '#endif\n', '#ifdef X\n', '#else\n',
  '#define f(x) x\n', 'goto out;', 'out:', 'return;', 'return folio;', 'break;', 'continue;', 'else', 'if (', 'while (', 'do {',
  '} while (0);', 'switch (x) {', 'case 1:', 'default:', '? :', '->', '.', '&&', '||', '!', '*', '&', 'struct folio *',
  'struct page *', '__must_hold(&folio->lock)', 'list_for_each_entry(f, &l, lru) {', 'for (;;) {', 'asm volatile("" ::: "memory");',
  '({ ', ' })', '__attribute__((unused))', 'typeof(folio)', 'sizeof(struct folio)', '[[', ']]', '<:', ':>', '??=', '@', '`', '$',
  '0x', '1e', '.5', 'L"x"', 'u8"', 'R"(', ')"', '\t', '\r', '\r\n', '\f', '\v',
];
/** kernel idioms the masker rewrites (loop macros, guards, cleanup attributes, annotations) */
const IDIOMS = [
  'list_for_each_entry(folio, &list, lru) ', 'list_for_each_entry_safe(folio, tmp, &list, lru) {', 'xa_for_each(&x, i, folio) ',
  'for_each_set_bit(i, map, n) ', 'folio_batch_for_each(fbatch, i, folio)', 'guard(rcu)();', 'scoped_guard (spinlock, &l) {',
  'struct folio *f __free(folio_put) = NULL;', '__cleanup(folio_put) ', '__acquires(&folio->lock) ', '__releases(x) ', '__must_hold(',
  'unlikely(', 'likely(!', 'READ_ONCE(folio)', 'WRITE_ONCE(x, folio);', 'VM_BUG_ON_FOLIO(!folio_test_locked(folio), folio);',
  'rcu_read_lock();', 'rcu_read_unlock();', 'spin_lock(&l);', 'xas_for_each(&xas, folio, ULONG_MAX) {', 'fallthrough;',
  '#define for_each_thing(x) for (x = 0; x < 1; x++)\n', 'asm goto("" :::: out);', '__always_inline ', 'noinline ', '__init ',
  'EXPORT_SYMBOL(f);\n', 'static_branch_unlikely(&k) ? ', 'do { } while (0)', '({ int __x = 0; __x; })', 'container_of(p, struct folio, lru)',
  'folio_put(', 'folio_lock(folio', 'filemap_get_folio(mapping, ', '/* folio-lens: ignore */', '// folio-lens: ignore ref-leak\n',
];
const UNICODE = [
  '\u00e9', '\u00a0', '\u200b', '\u200e', '\u202e', '\ufeff', '\u2028', '\u2029', '\u{1F600}', '\uD800', '\uDFFF', '\u0301',
  '\uFFFD', '\uFFFF', '\u4e2d\u6587', '\u0627\u0644', '\u{10FFFF}', '\u0085',
];

type Mutator = (r: Rng, text: string, corpus: readonly { text: string }[]) => string;

function span(r: Rng, text: string, max = 400): [number, number] {
  const a = int(r, text.length + 1);
  const b = Math.min(text.length, a + int(r, max));
  return [a, b];
}
function insertAt(r: Rng, text: string, what: () => string, times: number): string {
  for (let i = 0; i < times; i++) {
    const at = int(r, text.length + 1);
    text = text.slice(0, at) + what() + text.slice(at);
  }
  return text;
}

export const MUTATORS: Record<string, Mutator> = {
  truncate: (r, t) => t.slice(0, int(r, t.length + 1)),
  truncateHead: (r, t) => t.slice(int(r, t.length + 1)),
  deleteSpan: (r, t) => {
    const [a, b] = span(r, t);
    return t.slice(0, a) + t.slice(b);
  },
  repeatSpan: (r, t) => {
    const [a, b] = span(r, t, 200);
    return t.slice(0, b) + t.slice(a, b).repeat(1 + int(r, 30)) + t.slice(b);
  },
  braces: (r, t) => insertAt(r, t, () => pick(r, ['{', '}', '{', '}', '(', ')', '[', ']']), 1 + int(r, 6)),
  comments: (r, t) => insertAt(r, t, () => pick(r, ['/*', '*/', '//', '"', "'", '#if 0\n', '#endif\n', '\\\n', '#\n', '#define\n']), 1 + int(r, 4)),
  tokens: (r, t) => insertAt(r, t, () => pick(r, TOKENS), 1 + int(r, 8)),
  randomBytes: (r, t) => insertAt(r, t, () => String.fromCharCode(1 + int(r, 255)), 1 + int(r, 40)),
  unicode: (r, t) => insertAt(r, t, () => pick(r, UNICODE), 1 + int(r, 10)),
  replaceChars: (r, t) => {
    const a = t.split('');
    for (let i = 0, n = 1 + int(r, 20); i < n && a.length; i++) a[int(r, a.length)] = String.fromCharCode(int(r, 128) || 32);
    return a.join('');
  },
  swapLifecycle: (r, t) => {
    const names = LIFECYCLE.filter((n) => t.includes(n));
    for (let i = 0, n = 1 + int(r, 5); i < n && names.length; i++) {
      const from = pick(r, names);
      const to = pick(r, LIFECYCLE);
      // replace one occurrence (a random one) or all of them
      if (r() < 0.3) t = t.split(from).join(to);
      else {
        const hits: number[] = [];
        for (let k = t.indexOf(from); k >= 0; k = t.indexOf(from, k + 1)) hits.push(k);
        const k = pick(r, hits);
        t = t.slice(0, k) + to + t.slice(k + from.length);
      }
    }
    return t;
  },
  swapLines: (r, t) => {
    const l = t.split('\n');
    for (let i = 0, n = 1 + int(r, 6); i < n; i++) {
      const a = int(r, l.length);
      const b = int(r, l.length);
      [l[a], l[b]] = [l[b], l[a]];
    }
    return l.join('\n');
  },
  reverseLines: (r, t) => {
    const l = t.split('\n');
    if (r() < 0.3) return l.reverse().join('\n');
    const a = int(r, l.length);
    const b = Math.min(l.length, a + 2 + int(r, 30));
    return [...l.slice(0, a), ...l.slice(a, b).reverse(), ...l.slice(b)].join('\n');
  },
  splice: (r, t, corpus) => {
    const other = pick(r, corpus).text;
    const [a, b] = span(r, other, 1500);
    const at = int(r, t.length + 1);
    return t.slice(0, at) + other.slice(a, b) + t.slice(at);
  },
  duplicateFunction: (r, t) => {
    const starts: number[] = [];
    for (const m of t.matchAll(/^\w[^\n;]*\(/gm)) starts.push(m.index!);
    if (!starts.length) return t;
    const a = pick(r, starts);
    const end = t.indexOf('\n}', a);
    const body = t.slice(a, end < 0 ? t.length : end + 2);
    return t + '\n' + body.repeat(1 + int(r, 3));
  },
  kernelIdioms: (r, t) => insertAt(r, t, () => pick(r, IDIOMS), 1 + int(r, 4)),
  tokenSoup: (r, t) => {
    // a span replaced by tokens of the file itself, shuffled
    const toks = t.match(/[A-Za-z_]\w*|\d+|->|&&|\|\||[^\s\w]/g) ?? [];
    if (!toks.length) return t;
    const [a, b] = span(r, t, 300);
    let soup = '';
    for (let i = 0, n = 1 + int(r, 60); i < n; i++) soup += pick(r, toks) + (r() < 0.3 ? '\n' : ' ');
    return t.slice(0, a) + soup + t.slice(b);
  },
  stripNewlines: (r, t) => {
    const [a, b] = span(r, t, 3000);
    return t.slice(0, a) + t.slice(a, b).replace(/\n/g, r() < 0.5 ? ' ' : '') + t.slice(b);
  },
};
const MUTATOR_NAMES = Object.keys(MUTATORS);

// ---------------------------------------------------------------- adversarial shapes

function fnWrap(body: string, name = 'fuzz_fn'): string {
  return `#include <linux/pagemap.h>\n\nstatic int ${name}(struct address_space *mapping, pgoff_t index, int x)\n{\n\tstruct folio *folio;\n\tint err = 0;\n\n\tfolio = filemap_get_folio(mapping, index);\n\tif (IS_ERR(folio))\n\t\treturn PTR_ERR(folio);\n${body}\n\tfolio_put(folio);\n\treturn err;\n}\n`;
}

function binary(r: Rng, n: number, nul: boolean): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(nul ? int(r, 256) : 1 + int(r, 255));
  return s;
}

/** Adversarial shapes: name, and a generator (deterministic). */
export const ADVERSARIAL: { name: string; gen: (r: Rng, corpus: readonly { text: string }[]) => string }[] = [
  { name: 'empty', gen: () => '' },
  { name: 'only-newlines', gen: () => '\n'.repeat(100000) },
  { name: 'relevant-word-only', gen: () => 'folio_put' },
  { name: 'binary-with-nul', gen: (r) => binary(r, 200000, true) + 'folio_put(folio);' },
  { name: 'binary-without-nul', gen: (r) => 'struct folio *f;\n' + binary(r, 200000, false) + '\nfolio_put(folio);' },
  { name: 'binary-in-function', gen: (r) => fnWrap(binary(r, 20000, false)) },
  {
    name: 'branches-5000',
    gen: () => {
      let b = '';
      for (let i = 0; i < 5000; i++) b += `\tif (x == ${i}) {\n\t\tfolio_lock(folio);\n\t\terr = ${i};\n\t\tfolio_unlock(folio);\n\t}\n`;
      return fnWrap(b);
    },
  },
  {
    name: 'independent-branches-lock-2000',
    gen: () => {
      let b = '';
      for (let i = 0; i < 2000; i++) b += `\tif (x & ${i}) folio_lock(folio); else if (x > ${i}) folio_unlock(folio);\n`;
      return fnWrap(b);
    },
  },
  {
    name: 'else-if-chain-5000',
    gen: () => {
      let b = '\tif (x == -1) err = 1;\n';
      for (let i = 0; i < 5000; i++) b += `\telse if (x == ${i}) { folio_get(folio); err = ${i}; }\n`;
      return fnWrap(b);
    },
  },
  {
    name: 'switch-5000',
    gen: () => {
      let b = '\tswitch (x) {\n';
      for (let i = 0; i < 5000; i++) b += `\tcase ${i}:\n\t\tfolio_lock(folio);\n\t\tif (err) break;\n\t\tfolio_unlock(folio);\n\t\tfallthrough;\n`;
      return fnWrap(b + '\tdefault:\n\t\tbreak;\n\t}\n');
    },
  },
  {
    name: 'gotos-3000',
    gen: () => {
      let b = '';
      for (let i = 0; i < 3000; i++) b += `\tif (x == ${i}) goto l${(i * 7919) % 3000};\nl${i}:\n\tfolio_lock(folio);\n\tfolio_unlock(folio);\n`;
      return fnWrap(b);
    },
  },
  { name: 'nesting-4000-blocks', gen: () => fnWrap('\t' + 'if (x) {\n'.repeat(4000) + 'folio_lock(folio);\n' + '}\n'.repeat(4000)) },
  { name: 'nesting-4000-bare-blocks', gen: () => fnWrap('{'.repeat(4000) + 'folio_get(folio);' + '}'.repeat(4000)) },
  { name: 'nesting-4000-parens', gen: () => fnWrap('\terr = ' + '('.repeat(4000) + 'folio_test_dirty(folio)' + ')'.repeat(4000) + ';') },
  { name: 'nesting-4000-calls', gen: () => fnWrap('\terr = ' + 'f('.repeat(4000) + 'folio' + ')'.repeat(4000) + ';') },
  { name: 'nesting-4000-ternary', gen: () => fnWrap('\terr = ' + 'x ? folio_put(folio), 1 : '.repeat(4000) + '0;') },
  { name: 'nesting-4000-loops', gen: () => fnWrap('\t' + 'while (x--) {\n'.repeat(4000) + 'folio_lock(folio); folio_unlock(folio);\n' + '}\n'.repeat(4000)) },
  { name: 'nesting-4000-unclosed', gen: () => fnWrap('\t' + 'if (x) {\n'.repeat(4000) + 'folio_put(folio);\n') },
  { name: 'nesting-4000-comments', gen: () => fnWrap('/*'.repeat(4000) + '*/'.repeat(10)) },
  { name: 'nested-loops-200-lock', gen: () => fnWrap('\t' + 'for (int i = 0; i < x; i++) { if (i & 1) folio_lock(folio); else folio_unlock(folio);\n'.repeat(200) + '}'.repeat(200)) },
  { name: 'line-3mb-expression', gen: () => fnWrap('\terr = ' + 'x + '.repeat(750000) + '1;') },
  { name: 'line-3mb-calls', gen: () => fnWrap('\t' + 'folio_get(folio); folio_put(folio); '.repeat(3000000 / 36)) },
  { name: 'line-3mb-string', gen: () => fnWrap('\terr = strlen("' + 'a'.repeat(3000000) + '");') },
  { name: 'line-3mb-comment', gen: () => fnWrap('\t/* ' + 'folio_put(folio) '.repeat(3000000 / 17) + ' */') },
  { name: 'line-3mb-identifier', gen: () => fnWrap('\terr = ' + 'a'.repeat(3000000) + ';') },
  { name: 'file-3mb-one-line', gen: (_r, corpus) => corpus.map((c) => c.text).join('\n').replace(/\n/g, ' ').repeat(10).slice(0, 3000000) },
  { name: 'statements-100000', gen: () => fnWrap('\tfolio_get(folio);\n\tfolio_put(folio);\n'.repeat(50000)) },
  { name: 'functions-20000', gen: () => Array.from({ length: 20000 }, (_, i) => `void f${i}(struct folio *folio) { folio_put(folio); }\n`).join('') },
  { name: 'calls-chain-3000', gen: () => Array.from({ length: 3000 }, (_, i) => `static void f${i}(struct folio *folio) { if (folio) folio_put(folio); f${i + 1}(folio); }\n`).join('') },
  { name: 'recursion-cycle-3000', gen: () => Array.from({ length: 3000 }, (_, i) => `static void f${i}(struct folio *folio) { folio_lock(folio); f${(i + 1) % 3000}(folio); }\n`).join('') },
  { name: 'file-7.9mb-corpus', gen: (_r, corpus) => { const all = corpus.map((c) => c.text).join('\n'); return all.repeat(Math.ceil(7.9e6 / all.length)).slice(0, 7.9e6); } },
  { name: 'file-10mb', gen: (_r, corpus) => { const all = corpus.map((c) => c.text).join('\n'); return all.repeat(Math.ceil(10.5e6 / all.length)).slice(0, 10.5e6); } },
  { name: 'many-params-5000', gen: () => `void f(${Array.from({ length: 5000 }, (_, i) => `struct folio *f${i}`).join(', ')}) {\n${Array.from({ length: 5000 }, (_, i) => `folio_put(f${i});`).join('\n')}\n}\n` },
  { name: 'many-locals-5000', gen: () => fnWrap(Array.from({ length: 5000 }, (_, i) => `\tstruct folio *f${i} = filemap_get_folio(mapping, ${i});\n\tif (!IS_ERR(f${i})) folio_lock(f${i});`).join('\n')) },
  { name: 'macros-10000', gen: () => '#define A(x) folio_put(x)\n'.repeat(10000) + fnWrap('\tA(folio);') },
  { name: 'ifdef-nesting-4000', gen: () => fnWrap('#ifdef X\n'.repeat(4000) + '\tfolio_put(folio);\n' + '#endif\n'.repeat(4000)) },
  { name: 'backslash-lines-100000', gen: () => fnWrap('\tfolio_get(folio); \\\n'.repeat(100000)) },
  { name: 'crlf-corpus', gen: (_r, corpus) => corpus.map((c) => c.text).join('\n').replace(/\n/g, '\r\n') },
  { name: 'cr-only-corpus', gen: (_r, corpus) => corpus.map((c) => c.text).join('\n').replace(/\n/g, '\r') },
  { name: 'unicode-identifiers', gen: () => fnWrap('\tstruct folio *f\u00e9 = folio;\n\tfolio_get(f\u00e9);\n\t\u{1F600} = \uD800;\n\tfolio_put(f\u00e9);') },
];

// ---------------------------------------------------------------- inputs

export interface FuzzInput {
  index: number;
  /** what was done: an adversarial shape's name, or the base file and the mutations */
  label: string;
  text: string;
  adversarial: boolean;
}

/** The input number `index` of the run with `seed` (deterministic). */
export function makeInput(seed: number, index: number, corpus: readonly { name: string; text: string }[], adversarial = true): FuzzInput {
  const r = rng((seed * 0x9e3779b1) ^ (index * 0x85ebca6b) ^ 0x5bd1e995);
  if (adversarial && index < ADVERSARIAL.length) {
    const a = ADVERSARIAL[index];
    return { index, label: `adversarial:${a.name}`, text: a.gen(r, corpus), adversarial: true };
  }
  const base = pick(r, corpus);
  let text = base.text;
  const done: string[] = [];
  for (let i = 0, n = 1 + int(r, 4); i < n; i++) {
    const m = pick(r, MUTATOR_NAMES);
    text = MUTATORS[m](r, text, corpus);
    done.push(m);
  }
  return { index, label: `${base.name} + ${done.join(', ')}`, text, adversarial: false };
}

// ---------------------------------------------------------------- worker

interface Job {
  index: number;
}
export interface Outcome {
  index: number;
  label: string;
  chars: number;
  /** wall clock of analyzeText */
  millis: number;
  functions: number;
  overBudget: number;
  /** the slowest simulation of one function, timed around runEngine */
  slowest?: { name: string; millis: number; states: number };
  /** set when analyzeText refused the input (too large, binary) */
  refused?: string;
  /** crash: an exception or an internal error */
  crash?: string;
}

async function workerMain(): Promise<void> {
  const { seed, adversarial } = workerData as { seed: number; adversarial: boolean };
  const corpus = loadCorpus();
  // Time every simulation from the outside (construction included) without
  // touching the engine: wrap the module export the simulator calls through.
  const engine = require('../simulator/src/engine') as typeof import('../simulator/src/engine');
  const orig = engine.runEngine;
  let slowest: Outcome['slowest'];
  (engine as { runEngine: typeof orig }).runEngine = (fn, inp) => {
    const t = performance.now();
    const res = orig(fn, inp);
    const ms = performance.now() - t;
    if (!slowest || ms > slowest.millis) slowest = { name: fn.name, millis: ms, states: res.stats.states };
    return res;
  };
  const { Analyzer, MAX_FILE_BYTES } = require('../server/src/analyze') as typeof import('../server/src/analyze');
  const { maskKernelC } = require('../server/src/kernelc/mask') as typeof import('../server/src/kernelc/mask');
  const analyzer = await Analyzer.create();
  parentPort!.on('message', (job: Job) => {
    const trace = process.env.FOLIO_FUZZ_TRACE ? (what: string) => process.stderr.write(`fuzz worker ${threadId}: ${what} #${job.index} ${new Date().toISOString()}\n`) : undefined;
    trace?.('start');
    const input = makeInput(seed, job.index, corpus, adversarial);
    slowest = undefined;
    const out: Outcome = { index: job.index, label: input.label, chars: input.text.length, millis: 0, functions: 0, overBudget: 0 };
    // analyzeText falls back to the unmasked text when masking throws (the
    // user keeps their diagnostics); the fuzzer still wants to hear of it.
    if (input.text.length <= MAX_FILE_BYTES && !input.text.includes('\0')) {
      try {
        maskKernelC(input.text);
      } catch (e) {
        out.crash = `maskKernelC threw (hidden from users by safeMask): ${(e as Error).stack ?? e}`;
      }
    }
    const t = performance.now();
    try {
      const res = analyzer.analyzeText(`fuzz-${job.index}.c`, input.text, { kernelVersion: job.index % 2 ? '6.1' : '6.12' });
      out.functions = res.functions;
      out.overBudget = res.overBudget;
      if (res.error) {
        if (/internal error/.test(res.error)) out.crash = (out.crash ? out.crash + '\n' : '') + res.error;
        else out.refused = res.error;
      }
    } catch (e) {
      out.crash = `exception: ${(e as Error).stack ?? e}`;
    }
    out.millis = performance.now() - t;
    out.slowest = slowest;
    trace?.(`end (${out.millis.toFixed(0)} ms)`);
    parentPort!.postMessage(out);
  });
  parentPort!.postMessage({ ready: true });
}

// ---------------------------------------------------------------- runner

export interface FuzzOptions {
  count: number;
  seed: number;
  workers?: number;
  /** wall-clock limit per mutated input (ms) */
  timeoutMs?: number;
  /** wall-clock limit per adversarial shape (ms) */
  adversarialTimeoutMs?: number;
  adversarial?: boolean;
  /** only these indices (to re-run failures) */
  only?: number[];
  /** failures are written here (not written when absent) */
  outDir?: string;
  /** allowed overshoot of one function past the budget */
  marginMs?: number;
  progress?: (done: number, total: number) => void;
}

export interface Failure {
  index: number;
  label: string;
  kind: 'crash' | 'hang' | 'over-budget' | 'worker-error';
  detail: string;
}

export interface FuzzReport {
  inputs: number;
  seconds: number;
  failures: Failure[];
  refused: number;
  overBudgetFunctions: number;
  functions: number;
  slowestFunction?: { index: number; label: string; name: string; millis: number; states: number };
  slowestInput?: { index: number; label: string; millis: number; chars: number };
  /** each adversarial shape: wall clock of analyzeText and its slowest function */
  adversarial: { label: string; millis: number; slowestFunction?: number; refused?: string }[];
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const adversarial = o.adversarial ?? true;
  const nWorkers = Math.max(1, o.workers ?? 2);
  const timeout = o.timeoutMs ?? 10000;
  const advTimeout = o.adversarialTimeoutMs ?? 60000;
  const margin = o.marginMs ?? BUDGET_MARGIN_MS;
  const limit = DEFAULT_BUDGET.maxMillis + margin;
  const indices = o.only ?? Array.from({ length: o.count }, (_, i) => i);
  const report: FuzzReport = { inputs: 0, seconds: 0, failures: [], refused: 0, overBudgetFunctions: 0, functions: 0, adversarial: [] };
  const t0 = performance.now();
  let corpus: { name: string; text: string }[] | undefined;
  const labelOf = (i: number) => makeInput(o.seed, i, (corpus ??= loadCorpus()), adversarial).label;
  const save = (f: Failure) => {
    report.failures.push(f);
    if (!o.outDir) return;
    fs.mkdirSync(o.outDir, { recursive: true });
    const inp = makeInput(o.seed, f.index, (corpus ??= loadCorpus()), adversarial);
    const base = path.join(o.outDir, `seed${o.seed}-${f.index}-${f.kind}`);
    if (inp.text.length <= 20e6) fs.writeFileSync(base + '.c', inp.text, 'latin1');
    fs.writeFileSync(base + '.txt', `${f.kind}: ${f.label}\n\n${f.detail}\n`);
  };
  let next = 0;
  let done = 0;
  const workerFile = __filename;

  await new Promise<void>((resolve) => {
    let live = 0;
    const start = () => {
      if (next >= indices.length) {
        if (live === 0) resolve();
        return;
      }
      live++;
      const w = new Worker(workerFile, { workerData: { fuzzWorker: true, seed: o.seed, adversarial } });
      let current: number | undefined;
      let timer: NodeJS.Timeout | undefined;
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        if (timer) clearTimeout(timer);
        live--;
      };
      const feed = () => {
        if (next >= indices.length) {
          current = undefined;
          finish();
          void w.terminate();
          if (live === 0) resolve();
          return;
        }
        const idx = indices[next++];
        current = idx;
        const ms = adversarial && idx < ADVERSARIAL.length ? advTimeout : timeout;
        timer = setTimeout(() => {
          save({ index: idx, label: labelOf(idx), kind: 'hang', detail: `no answer within ${ms} ms` });
          report.inputs++;
          done++;
          current = undefined;
          finish();
          void w.terminate();
          start();
        }, ms);
        w.postMessage({ index: idx } satisfies Job);
      };
      w.on('message', (m: Outcome | { ready: true }) => {
        if ('ready' in m) return feed();
        if (timer) clearTimeout(timer);
        report.inputs++;
        done++;
        report.functions += m.functions;
        report.overBudgetFunctions += m.overBudget;
        if (m.refused) report.refused++;
        if (m.label.startsWith('adversarial:')) report.adversarial.push({ label: m.label, millis: Math.round(m.millis), slowestFunction: m.slowest && Math.round(m.slowest.millis), refused: m.refused });
        if (m.crash) save({ index: m.index, label: m.label, kind: 'crash', detail: m.crash });
        if (m.slowest) {
          if (!report.slowestFunction || m.slowest.millis > report.slowestFunction.millis) report.slowestFunction = { index: m.index, label: m.label, ...m.slowest };
          if (m.slowest.millis > limit) save({ index: m.index, label: m.label, kind: 'over-budget', detail: `${m.slowest.name}: ${m.slowest.millis.toFixed(0)} ms, ${m.slowest.states} states (budget ${DEFAULT_BUDGET.maxMillis} ms + ${margin} ms margin)` });
        }
        if (!report.slowestInput || m.millis > report.slowestInput.millis) report.slowestInput = { index: m.index, label: m.label, millis: m.millis, chars: m.chars };
        o.progress?.(done, indices.length);
        current = undefined;
        feed();
      });
      w.on('error', (e) => {
        if (finished) return;
        if (current !== undefined) {
          save({ index: current, label: labelOf(current), kind: 'worker-error', detail: String((e as Error).stack ?? e) });
          report.inputs++;
          done++;
        }
        finish();
        start();
      });
      w.on('exit', () => {
        if (finished) return;
        if (current !== undefined) {
          save({ index: current, label: labelOf(current), kind: 'worker-error', detail: 'the worker exited' });
          report.inputs++;
          done++;
        }
        finish();
        start();
      });
    };
    for (let i = 0; i < Math.min(nWorkers, indices.length); i++) start();
    if (indices.length === 0) resolve();
  });
  report.seconds = (performance.now() - t0) / 1000;
  return report;
}

// ---------------------------------------------------------------- CLI

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function cli(argv: string[]): Promise<number> {
  const count = Number(arg(argv, '--count') ?? 100000);
  const seed = Number(arg(argv, '--seed') ?? 1);
  const workers = Number(arg(argv, '--workers') ?? Math.max(1, require('os').availableParallelism?.() ?? 2));
  const timeoutMs = Number(arg(argv, '--timeout') ?? 10000);
  const adversarialTimeoutMs = Number(arg(argv, '--adversarial-timeout') ?? 60000);
  const only = arg(argv, '--only')?.split(',').map(Number);
  const outDir = path.resolve(arg(argv, '--out') ?? path.join(ROOT, 'test-output', 'fuzz'));
  let last = 0;
  const rep = await runFuzz({
    count, seed, workers, timeoutMs, adversarialTimeoutMs, only, outDir,
    adversarial: !argv.includes('--no-adversarial'),
    progress: (d, n) => {
      const now = Date.now();
      if (now - last > 5000 || d === n) {
        last = now;
        process.stderr.write(`fuzz: ${d}/${n}\n`);
      }
    },
  });
  console.log(JSON.stringify({ ...rep, failures: rep.failures.map((f) => ({ ...f, detail: f.detail.split('\n').slice(0, 4).join('\n') })) }, null, 2));
  console.log(`fuzz: ${rep.inputs} inputs (seed ${seed}) in ${rep.seconds.toFixed(1)} s: ${rep.failures.length} failures; slowest function ${rep.slowestFunction ? `${rep.slowestFunction.name} ${rep.slowestFunction.millis.toFixed(0)} ms (#${rep.slowestFunction.index})` : '-'}${rep.failures.length ? `; inputs written to ${outDir}` : ''}`);
  return rep.failures.length ? 1 : 0;
}

if (!isMainThread && (workerData as { fuzzWorker?: boolean } | undefined)?.fuzzWorker) {
  void workerMain();
} else if (isMainThread && require.main === module) {
  cli(process.argv.slice(2)).then((c) => process.exit(c), (e) => {
    console.error(e);
    process.exit(2);
  });
}
