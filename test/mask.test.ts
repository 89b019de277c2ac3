/**
 * Kernel-aware masking: every rewrite kind on small kernel-style snippets
 * (written for these tests), the length/newline contract, and that the
 * masked text parses without ERROR or MISSING nodes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskKernelC } from '../server/src/kernelc/mask';
import type { MaskResult, RewriteKind } from '../server/src/kernelc/mask';
import { createParser } from '../server/src/parser';
import type { SyntaxNode } from '../server/src/parser';
import { functionDamage, functionDefinitions } from '../server/src/kernelc/damage';

/** The contract of mask-types.ts, checked on every result. */
function checkContract(src: string, r: MaskResult): void {
  assert.equal(r.text.length, src.length, 'same length');
  for (let k = 0; k < src.length; k++) {
    const a = src.charCodeAt(k);
    const b = r.text.charCodeAt(k);
    if (a === 10 || b === 10) assert.equal(b, a, `newline kept at offset ${k}`);
    if (a === 13 || b === 13) assert.equal(b, a, `carriage return kept at offset ${k}`);
  }
  let prevEnd = 0;
  for (const w of r.rewrites) {
    assert.ok(w.start >= prevEnd, `rewrites sorted and non-overlapping at ${w.start}`);
    assert.ok(w.end > w.start, 'non-empty rewrite');
    assert.equal(w.original, src.slice(w.start, w.end), 'original is the source text');
    prevEnd = w.end;
  }
  // outside the rewrites the text is untouched
  let pos = 0;
  for (const w of r.rewrites) {
    assert.equal(r.text.slice(pos, w.start), src.slice(pos, w.start));
    pos = w.end;
  }
  assert.equal(r.text.slice(pos), src.slice(pos));
}

function mask(src: string): MaskResult {
  const r = maskKernelC(src);
  checkContract(src, r);
  return r;
}

function kinds(r: MaskResult, kind: RewriteKind): string[] {
  return r.rewrites.filter((w) => w.kind === kind).map((w) => w.original);
}

/** Masked text at the span of the first rewrite whose original is `orig`. */
function maskedAt(r: MaskResult, orig: string): string {
  const w = r.rewrites.find((x) => x.original === orig);
  assert.ok(w, `a rewrite of ${JSON.stringify(orig)}`);
  return r.text.slice(w.start, w.end);
}

function errorsIn(node: SyntaxNode, text: string, out: string[]): void {
  if (node.isError || node.isMissing) {
    out.push(`${node.isMissing ? 'MISSING' : 'ERROR'} line ${node.startPosition.row + 1}: ${text.slice(node.startIndex, node.startIndex + 40)}`);
  }
  for (const c of node.children) if (c && c.hasError) errorsIn(c, text, out);
}

/** Parse the masked text: no ERROR/MISSING anywhere; returns the function names. */
async function parsesClean(text: string): Promise<string[]> {
  const parser = await createParser();
  const tree = parser.parse(text);
  assert.ok(tree);
  try {
    const errs: string[] = [];
    errorsIn(tree.rootNode, text, errs);
    assert.deepEqual(errs, [], `masked text parses cleanly:\n${text}`);
    const names: string[] = [];
    for (const fn of functionDefinitions(tree.rootNode)) {
      assert.equal(functionDamage(fn), false);
      let d: SyntaxNode | null = fn.childForFieldName('declarator');
      while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator');
      const id = d?.childForFieldName('declarator');
      names.push(id ? id.text : '?');
    }
    return names;
  } finally {
    tree.delete();
    parser.delete();
  }
}

async function stockHasErrors(text: string): Promise<boolean> {
  const parser = await createParser();
  const tree = parser.parse(text);
  assert.ok(tree);
  const bad = tree.rootNode.hasError;
  tree.delete();
  parser.delete();
  return bad;
}

test('empty and plain C are returned unchanged', async () => {
  assert.deepEqual(mask(''), { text: '', rewrites: [] });
  const plain = 'static int add(int a, int b)\n{\n\treturn a + b;\n}\n';
  const r = mask(plain);
  assert.equal(r.text, plain);
  assert.equal(r.rewrites.length, 0);
});

test('iterator macros heading a statement become while', async () => {
  const src = [
    'static void drain(struct pool *pool)',
    '{',
    '\tstruct item *it, *tmp;',
    '\tunsigned long idx;',
    '\tvoid *entry;',
    '',
    '\tlist_for_each_entry_safe(it, tmp, &pool->items, node) {',
    '\t\tlist_del(&it->node);',
    '\t\tkfree(it);',
    '\t}',
    '\txa_for_each(&pool->xa, idx, entry)',
    '\t\tput_entry(entry);',
    '\tfor_each_pool_cpu(pool, idx)',
    '\t\tif (idx > 3)',
    '\t\t\tbreak;',
    '\tfor_each_pool_reset(pool);',
    '\thlist_for_each_entry_rcu(it, &pool->hash, hnode) {',
    '\t}',
    '}',
    '',
  ].join('\n');
  const r = mask(src);
  assert.deepEqual(kinds(r, 'loop-macro'), [
    'list_for_each_entry_safe', 'xa_for_each', 'for_each_pool_cpu', 'hlist_for_each_entry_rcu',
  ]);
  assert.equal(maskedAt(r, 'xa_for_each'), 'while      ');
  assert.ok(r.text.includes('\tfor_each_pool_reset(pool);'), 'a call statement stays a call');
  assert.ok(await stockHasErrors(src));
  assert.deepEqual(await parsesClean(r.text), ['drain']);
});

test('a loop macro closing a do body becomes the while of a do-while', async () => {
  const src = [
    'static int scan(struct walker *w)',
    '{',
    '\tdo {',
    '\t\tw->count++;',
    '\t} for_each_walk_step(w, step);',
    '\treturn w->count;',
    '}',
    '',
  ].join('\n');
  const r = mask(src);
  assert.deepEqual(kinds(r, 'loop-macro'), ['for_each_walk_step']);
  assert.deepEqual(await parsesClean(r.text), ['scan']);
});

test('an unknown NAME(...) { inside a body is treated as a loop head', async () => {
  const src = 'static void f(struct tree *t)\n{\n\trbnode_walk_safe(n, next, &t->root) {\n\t\tn->seen = 1;\n\t}\n}\n';
  const r = mask(src);
  assert.deepEqual(kinds(r, 'loop-macro'), ['rbnode_walk_safe']);
  assert.deepEqual(await parsesClean(r.text), ['f']);
});

test('scoped_guard and scoped_cond_guard become if', async () => {
  const src = [
    'static int bump(struct counter *c)',
    '{',
    '\tscoped_guard(spinlock_irqsave, &c->lock) {',
    '\t\tc->value++;',
    '\t}',
    '\tscoped_cond_guard(mutex_intr, return -EINTR, &c->mutex) {',
    '\t\tc->value--;',
    '\t}',
    '\tscoped_guard(rcu)',
    '\t\tc->seen = 1;',
    '\treturn 0;',
    '}',
    '',
  ].join('\n');
  const r = mask(src);
  assert.deepEqual(kinds(r, 'scoped-guard'), ['scoped_guard', 'scoped_cond_guard', 'return -EINTR', 'scoped_guard']);
  assert.equal(maskedAt(r, 'scoped_cond_guard'), 'if               ');
  assert.equal(maskedAt(r, 'return -EINTR'), '_____________');
  assert.deepEqual(await parsesClean(r.text), ['bump']);
});

test('annotations are blanked with their arguments, calls starting with __ are not', async () => {
  const src = [
    'static noinline_for_stack int __must_check copy_out(void __user *dst,',
    '\t\tconst struct blob *b)',
    '\t__must_hold(&b->lock) __releases(b->other)',
    '{',
    '\tstruct folio *folio = __filemap_get_folio(b->mapping, 0, 0, 0);',
    '\tstruct item __rcu *slot;',
    '\t__acquire(b->lock);',
    '\treturn __put_user(folio != NULL, (int __user *)dst);',
    '}',
    'void __init __weak setup_blobs(void)',
    '{',
    '}',
    '',
  ].join('\n');
  const r = mask(src);
  assert.deepEqual(kinds(r, 'annotation'), [
    'noinline_for_stack', '__must_check', '__user', '__must_hold(&b->lock)', '__releases(b->other)',
    '__rcu', '__user', '__init', '__weak',
  ]);
  assert.ok(r.text.includes('__filemap_get_folio(b->mapping'));
  assert.ok(r.text.includes('__acquire(b->lock);'));
  assert.ok(r.text.includes('__put_user(folio'));
  assert.deepEqual(await parsesClean(r.text), ['copy_out', 'setup_blobs']);
});

test('an unknown macro in front of a top-level return type is blanked', async () => {
  const src = [
    'STATIC int',
    'xlog_thing(struct log *log)',
    '{',
    '\treturn 0;',
    '}',
    '',
    'TESTABLE_EXPORT',
    'bool check_range(u64 start, u64 len)',
    '{',
    '\treturn start < len;',
    '}',
    'static inline u32 plain(u32 x) { return x; }',
    '',
  ].join('\n');
  const r = mask(src);
  assert.deepEqual(kinds(r, 'annotation'), ['STATIC', 'TESTABLE_EXPORT']);
  assert.deepEqual(await parsesClean(r.text), ['xlog_thing', 'check_range', 'plain']);
});

test('__free cleanup attributes are blanked', async () => {
  const src = [
    'static int grab(struct address_space *m)',
    '{',
    '\tstruct folio *folio __free(folio_put) = filemap_grab(m, 0);',
    '\tchar *buf __free(kfree) = NULL;',
    '\treturn folio ? 0 : -ENOMEM;',
    '}',
    '',
  ].join('\n');
  const r = mask(src);
  assert.deepEqual(kinds(r, 'cleanup'), ['__free(folio_put)', '__free(kfree)']);
  assert.equal(maskedAt(r, '__free(folio_put)'), ' '.repeat('__free(folio_put)'.length));
  assert.deepEqual(await parsesClean(r.text), ['grab']);
});

test('SYSCALL_DEFINEn headers become long sys_name(params) in place', async () => {
  const src = [
    'SYSCALL_DEFINE3(frob, unsigned int, fd,',
    '\t\tconst char __user *, path, size_t, len)',
    '{',
    '\treturn do_frob(fd, path, len);',
    '}',
    'COMPAT_SYSCALL_DEFINE1(frob32, int, x)',
    '{',
    '\treturn x;',
    '}',
    'SYSCALL_DEFINE0(nothing)',
    '{',
    '\treturn 0;',
    '}',
    '',
  ].join('\n');
  const r = mask(src);
  const sc = r.rewrites.filter((w) => w.kind === 'syscall');
  assert.equal(sc.length, 3);
  assert.ok(sc[0].original.startsWith('SYSCALL_DEFINE3(frob,'));
  const lines = r.text.split('\n');
  assert.equal(lines[0], 'long        sys_frob( unsigned int  fd,');
  assert.equal(lines[1], '\t\tconst char        *  path, size_t  len)');
  assert.equal(lines[5], 'long        compat_sys_frob32( int  x)');
  assert.match(lines[9], /^long sys_nothing\(\) *$/);
  // parameters stay at their offsets
  assert.equal(r.text.indexOf(' fd,'), src.indexOf(' fd,'));
  assert.equal(r.text.indexOf('path,'), src.indexOf('path,'));
  assert.deepEqual(await parsesClean(r.text), ['sys_frob', 'compat_sys_frob32', 'sys_nothing']);
});

test('types passed as call arguments become identifiers of the same length', async () => {
  const src = [
    'static unsigned long pick(struct list_head *head, struct node *n, va_list ap)',
    '{',
    '\tstruct wrapper *w = container_of(n, struct wrapper, node);',
    '\tstruct node *first = list_first_entry(head, struct node, link);',
    '\tunsigned long v = min_t(unsigned long, w->a, 10);',
    '\tu64 *p = va_arg(ap, u64 *);',
    '\tsize_t sz = sizeof(struct wrapper) + max_t(size_t, 1, 2);',
    '\tvoid *c = kmem_cache_create("x", sizeof(struct node), 0, 0, NULL);',
    '\treturn v + (unsigned long)first + (unsigned long)p + sz + (unsigned long)c + f(a * b);',
    '}',
    '',
  ].join('\n');
  const r = mask(src);
  assert.deepEqual(kinds(r, 'type-arg'), [
    'struct wrapper', 'struct node', 'unsigned long', 'u64 *', 'size_t',
  ]);
  assert.equal(maskedAt(r, 'struct wrapper'), '______________');
  assert.ok(r.text.includes('sizeof(struct wrapper)'), 'sizeof keeps its type');
  assert.ok(r.text.includes('sizeof(struct node)'));
  assert.ok(r.text.includes('f(a * b)'), 'an expression is not a type');
  assert.ok(await stockHasErrors(src));
  assert.deepEqual(await parsesClean(r.text), ['pick']);
});

test('preprocessor inside a body: first branch kept, directives and other branches blanked', async () => {
  const src = [
    '#ifdef CONFIG_FOO',
    'static int foo_enabled = 1;',
    '#else',
    'static int foo_enabled;',
    '#endif',
    '',
    'static int setup(struct dev *d)',
    '{',
    '#ifdef CONFIG_FOO',
    '\tif (d->x) {',
    '#else',
    '\tif (d->y) {',
    '#endif',
    '\t\td->z = 1;',
    '\t}',
    '#if 0',
    '\told_code(d);',
    '#else',
    '\tnew_code(d);',
    '#endif',
    '#define TWICE(x) \\',
    '\t((x) * 2)',
    '\treturn TWICE(d->z);',
    '#undef TWICE',
    '}',
    '',
  ].join('\n');
  const r = mask(src);
  const pre = kinds(r, 'preproc');
  assert.deepEqual(pre, [
    '#ifdef CONFIG_FOO',
    '#else\n\tif (d->y) {\n',
    '#endif',
    '#if 0\n\told_code(d);\n',
    '#else',
    '#endif',
    '#define TWICE(x) \\\n\t((x) * 2)',
    '#undef TWICE',
  ]);
  // directives outside bodies are left to the grammar
  assert.ok(r.text.startsWith('#ifdef CONFIG_FOO\nstatic int foo_enabled = 1;\n#else\n'));
  assert.ok(r.text.includes('\tnew_code(d);'));
  assert.ok(!r.text.includes('old_code'));
  assert.ok(!r.text.includes('d->y'));
  assert.deepEqual(await parsesClean(r.text), ['setup']);
});

test('#if 0 at top level is dead code: blanked, its #else branch kept', async () => {
  const src = [
    '#if 0',
    'static int old_way(cnst int x)',
    '{',
    '\treturn x;',
    '}',
    '#else',
    'static int new_way(int x)',
    '{',
    '\treturn x + 1;',
    '}',
    '#endif',
    '',
  ].join('\n');
  const r = mask(src);
  assert.deepEqual(kinds(r, 'preproc'), [
    '#if 0\nstatic int old_way(cnst int x)\n{\n\treturn x;\n}\n', '#else', '#endif',
  ]);
  assert.deepEqual(await parsesClean(r.text), ['new_way']);
});

test('brace depth is restored across #else at top level', async () => {
  const src = [
    '#ifdef CONFIG_BAR',
    'static void bar(struct q *q)',
    '{',
    '\tq->mode = 1;',
    '#else',
    'static void bar(struct q *q)',
    '{',
    '\tq->mode = 2;',
    '#endif',
    '\tlist_for_each_entry(e, &q->list, link) {',
    '\t\te->seen = 1;',
    '\t}',
    '}',
    '',
    'static void after(struct q *q)',
    '{',
    '\tlist_for_each_entry(e, &q->list, link)',
    '\t\te->seen = 0;',
    '}',
    '',
  ].join('\n');
  const r = mask(src);
  // the directives at depth 0 stay; the loops inside both bodies are found
  assert.ok(r.text.startsWith('#ifdef CONFIG_BAR\n'));
  assert.deepEqual(kinds(r, 'loop-macro'), ['list_for_each_entry', 'list_for_each_entry']);
  assert.deepEqual(kinds(r, 'preproc'), []);
});

test('comments, strings and char literals are never rewritten', async () => {
  const src = [
    '/* list_for_each_entry(a, b, c) { __user } */',
    'static const char *msg(void)',
    '{',
    '\t// xa_for_each(x, i, e) {',
    "\tchar q = '\\'';",
    '\treturn "list_for_each_entry(a, b, c) { __user container_of(p, struct x, y)";',
    '}',
    '',
  ].join('\n');
  const r = mask(src);
  assert.equal(r.rewrites.length, 0);
  assert.equal(r.text, src);
  assert.deepEqual(await parsesClean(r.text), ['msg']);
});

test('other rewrites: macro types, DEFINE_ in bodies, x-macro lists, statement arguments', async () => {
  const src = [
    'static int other(struct ctx *c)',
    '{',
    '\tVECTOR_OF(struct item *) items;',
    '\ttypeof(c->field) copy = c->field;',
    '\tstatic DEFINE_RATELIMIT_STATE(rs, 5 * HZ, 10);',
    '\tDECLARE_BITMAP(seen, 64) = { 0 };',
    '\tCHECK(c->n > 0, dump_ctx(c); dump_more(c););',
    '\tASSERT_CMP(c->n, ==, 3);',
    '\tsize_t off = offsetof(struct ctx, slots[2]);',
    '#define X(name) c->name = 0;',
    '\tCTX_FIELDS()',
    '#undef X',
    '\tDEBUG_ONLY(if (c->n) {',
    '\t\tprintk("n\\n");',
    '\t});',
    '\treturn off + copy + items.nr + seen[0];',
    '}',
    '',
  ].join('\n');
  const r = mask(src);
  const other = kinds(r, 'other');
  assert.ok(other.includes('VECTOR_OF(struct item *)'));
  assert.ok(other.includes('typeof(c->field)'));
  assert.ok(other.includes('DEFINE_RATELIMIT_STATE(rs, 5 * HZ, 10)'));
  assert.ok(other.includes('DECLARE_BITMAP(seen, 64)'));
  assert.ok(other.includes('=='));
  assert.ok(other.includes('offsetof'));
  assert.ok(other.includes('()'));
  assert.ok(other.includes('DEBUG_ONLY('));
  assert.ok(r.text.includes('\tstatic ______________________ rs             ;'));
  assert.ok(r.text.includes('\t______________ seen      = { 0 };'));
  assert.ok(r.text.includes('\tCTX_FIELDS; '));
  assert.deepEqual(await parsesClean(r.text), ['other']);
});

test('inside an initializer list a macro call is an element, not a statement', async () => {
  const src = [
    'static struct opts defaults(void)',
    '{',
    '\tstatic const int ids[] = {',
    '#define X(n) n,',
    '\t\tID_LIST()',
    '#undef X',
    '\t};',
    '\treturn (struct opts) {',
    '\t\t.first = ids[0],',
    '\t\tOPT_FIELDS()',
    '\t};',
    '}',
    '',
  ].join('\n');
  const r = mask(src);
  assert.deepEqual(kinds(r, 'other'), []);
  assert.ok(r.text.includes('\t\tID_LIST()\n'));
  assert.deepEqual(await parsesClean(r.text), ['defaults']);
});

test('a top-level macro call without its semicolon does not swallow the next function', async () => {
  const src = [
    'static int __init thing_init(void)',
    '{',
    '\treturn 0;',
    '}',
    'module_init(thing_init)',
    '',
    'static int next_one(void)',
    '{',
    '\treturn 1;',
    '}',
    'module_exit(thing_exit)',
    '',
  ].join('\n');
  const r = mask(src);
  assert.deepEqual(kinds(r, 'other'), ['module_init(thing_init)', 'module_exit(thing_exit)']);
  assert.deepEqual(await parsesClean(r.text), ['thing_init', 'next_one']);
});

test('a mixed file keeps the contract with CRLF line ends', async () => {
  const src = [
    'static void __cold f(struct s __rcu *p)',
    '{',
    '#ifdef A',
    '\tlist_for_each_entry(x, y, z) {',
    '#else',
    '\tif (p) {',
    '#endif',
    '\t\tg(container_of(p, struct t,',
    '\t\t\tm));',
    '\t}',
    '}',
    '',
  ].join('\r\n');
  const r = mask(src);
  assert.ok(r.rewrites.length > 0);
  assert.deepEqual(await parsesClean(r.text), ['f']);
});

test('a short unknown name heading a block (a keyword being typed) does not break masking', () => {
  for (const head of ['ifz (a > 0) {', 'i1f (x) {', 'forz (i = 0; i < n; i++) {', 'foo (x) {', 'f (x) {']) {
    const src = `static int f(struct folio *folio)\n{\n\t${head}\n\t\tfolio_put(folio);\n\t}\n\treturn 0;\n}\n`;
    const out = maskKernelC(src);
    assert.equal(out.text.length, src.length, head);
    assert.equal(out.text.split('\n').length, src.split('\n').length, head);
  }
});
