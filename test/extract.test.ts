/**
 * Extraction tests: kernel-style C (written for these tests) to IR, compared
 * as compact text dumps (printIR without locations), plus targeted checks of
 * fields the dump does not show.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createParser, type Parser } from '../server/src/parser';
import { maskKernelC } from '../server/src/kernelc/mask';
import type { MaskResult, Rewrite, RewriteKind } from '../server/src/kernelc/mask-types';
import { extractFile, extractFunctionAt, printIR } from '../server/src/extract';
import type { CallEvent, FileIR, FunctionIR, StoreEvent, UseEvent } from '../simulator/src/ir';

let parser: Parser | undefined;

async function fileIR(src: string, mask?: MaskResult, filter?: (n: string, b: string) => boolean): Promise<FileIR> {
  parser ??= await createParser();
  const m = mask ?? maskKernelC(src);
  const tree = parser.parse(m.text);
  if (!tree) throw new Error('parse failed');
  try {
    return extractFile(tree, m, { filter });
  } finally {
    tree.delete();
  }
}

async function fnIR(src: string, name?: string, mask?: MaskResult): Promise<FunctionIR> {
  const ir = await fileIR(src, mask);
  const f = name ? ir.functions.find((x) => x.name === name) : ir.functions[0];
  assert.ok(f, `function ${name ?? '(first)'} not extracted`);
  return f;
}

/** The blocks of a function as text, without locations. */
function cfg(fn: FunctionIR): string {
  return printIR(fn, { loc: false, header: false });
}

/** Remove the common indentation of a template literal and its first/last blank lines. */
function text(s: string): string {
  const lines = s.replace(/^\n/, '').replace(/\n\s*$/, '').split('\n');
  const ind = Math.min(...lines.filter((l) => l.trim()).map((l) => /^\s*/.exec(l)![0].length));
  return lines.map((l) => l.slice(ind)).join('\n');
}

async function expectCfg(src: string, expected: string, name?: string): Promise<FunctionIR> {
  const fn = await fnIR(src, name);
  assert.equal(cfg(fn), text(expected));
  return fn;
}

function events(fn: FunctionIR) {
  return fn.blocks.flatMap((b) => b.events);
}

function calls(fn: FunctionIR): CallEvent[] {
  return events(fn).filter((e): e is CallEvent => e.kind === 'call');
}

/** A mask built by hand: replace each `original` (first occurrence) by `replacement` padded to the same length. */
function handMask(src: string, edits: [original: string, replacement: string, kind: RewriteKind][]): MaskResult {
  let out = src;
  const rewrites: Rewrite[] = [];
  for (const [original, replacement, kind] of edits) {
    const start = src.indexOf(original);
    assert.ok(start >= 0, original);
    assert.ok(replacement.length <= original.length);
    const rep = replacement.padEnd(original.length, ' ');
    out = out.slice(0, start) + rep + out.slice(start + original.length);
    rewrites.push({ start, end: start + original.length, kind, original });
  }
  rewrites.sort((a, b) => a.start - b.start);
  return { text: out, rewrites };
}

// ------------------------------------------------------------------ control flow

test('goto unwinding chain: labels, fall-through into labels, early return', async () => {
  await expectCfg(
    `
static int demo_fill(struct address_space *mapping, pgoff_t index)
{
	struct folio *folio;
	int err;

	folio = filemap_alloc_folio(GFP_KERNEL, 0);
	if (!folio)
		return -ENOMEM;
	err = filemap_add_folio(mapping, folio, index, GFP_KERNEL);
	if (err)
		goto out_put;
	err = demo_read(folio);
	if (err < 0)
		goto out_unlock;
	folio_mark_uptodate(folio);
out_unlock:
	folio_unlock(folio);
out_put:
	folio_put(folio);
	return err;
}
`,
    `
    b0: (entry)
      folio = filemap_alloc_folio(GFP_KERNEL, 0)
      if folio then b1 else b6
    b1:
      err = filemap_add_folio(mapping, folio, index, GFP_KERNEL)
      if err then b5 else b2
    b2:
      err = demo_read(folio)
      if err < 0 then b4 else b3
    b3:
      folio_mark_uptodate(folio)
      goto b4
    b4:
      folio_unlock(folio)
      goto b5
    b5:
      folio_put(folio)
      return err
    b6:
      return -12
    `,
  );
});

test('backward goto (retry loop)', async () => {
  await expectCfg(
    `
static struct folio *demo_get(struct address_space *mapping, pgoff_t index)
{
	struct folio *folio;
repeat:
	folio = filemap_get_folio(mapping, index);
	if (IS_ERR(folio))
		return NULL;
	if (!folio_try_get(folio))
		goto repeat;
	return folio;
}
`,
    `
    b0: (entry)
      folio = filemap_get_folio(mapping, index)
      if IS_ERR(folio) then b1 else b2
    b1:
      return 0
    b2:
      $1 = folio_try_get(folio)
      if $1 then b3 else b0  [folio_try_get(folio)]
    b3:
      return folio
    `,
  );
});

test('switch: fall-through, stacked cases, default, and a switch without default', async () => {
  await expectCfg(
    `
static int demo_classify(struct folio *folio, int mode)
{
	int ret = 0;

	switch (mode) {
	case 0:
		folio_get(folio);
		fallthrough;
	case 1:
	case 2:
		ret = 1;
		break;
	default:
		return -EINVAL;
	}
	switch (ret) {
	case 1:
		folio_put(folio);
	}
	return ret;
}
`,
    `
    b0: (entry)
      ret := 0
      switch b1 b2 b6  [mode]
    b1:
      folio_get(folio)
      goto b2
    b2:
      ret := 1
      goto b3
    b3:
      switch b4 b5  [ret]
    b4:
      folio_put(folio)
      goto b5
    b5:
      return ret
    b6:
      return -22
    `,
  );
});

test('loops: for with continue/break, while, do-while(0) once, do-while back-edge, for(;;)', async () => {
  await expectCfg(
    `
static void demo_scan(struct folio_batch *fbatch, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct folio *folio = fbatch->folios[i];

		if (!folio_trylock(folio))
			continue;
		if (folio_test_dirty(folio))
			break;
		folio_unlock(folio);
	}
	while (demo_more()) {
		if (demo_stop())
			break;
		demo_step();
	}
	do {
		demo_once();
	} while (0);
	do {
		demo_again();
	} while (demo_retry());
	for (;;)
		if (demo_done())
			return;
}
`,
    `
    b0: (entry)
      i := 0
      goto b1
    b1:
      if ? then b2 else b6  [i < n]
    b2:
      folio := ?(fbatch->folios[i])
      $1 = folio_trylock(folio)
      if $1 then b3 else b5  [folio_trylock(folio)]
    b3:
      $2 = folio_test_dirty(folio)
      if $2 then b6 else b4  [folio_test_dirty(folio)]
    b4:
      folio_unlock(folio)
      goto b5
    b5:
      i := ?(i++)
      goto b1
    b6:
      $3 = demo_more()
      if $3 then b7 else b9  [demo_more()]
    b7:
      $4 = demo_stop()
      if $4 then b9 else b8  [demo_stop()]
    b8:
      demo_step()
      goto b6
    b9:
      demo_once()
      goto b10
    b10:
      demo_again()
      goto b11
    b11:
      $5 = demo_retry()
      if $5 then b10 else b12  [demo_retry()]
    b12:
      $6 = demo_done()
      if $6 then b13 else b12  [demo_done()]
    b13:
      return
    `,
  );
});

test('do { ... } while (0) macro body: break leaves it, no back-edge', async () => {
  await expectCfg(
    `
static void demo_macro(struct folio *folio)
{
	do {
		if (!folio)
			break;
		folio_get(folio);
	} while (0);
	demo_after();
}
`,
    `
    b0: (entry)
      if folio then b1 else b2
    b1:
      folio_get(folio)
      goto b2
    b2:
      demo_after()
      return
    `,
  );
});

test('code after return is not reachable; statement expressions are inlined', async () => {
  const ir = await fileIR(`
static int demo_early(struct folio *folio)
{
	if (folio_test_locked(folio))
		return -EBUSY;
	return 0;
	folio_put(folio);
}
static int demo_sexpr(struct address_space *mapping)
{
	struct folio *folio = ({ struct folio *f = filemap_get_folio(mapping, 0); f; });
	int n = ({ int x = demo_count(mapping); x; });

	folio_put(folio);
	return n;
}
`);
  assert.equal(
    cfg(ir.functions[0]),
    text(`
    b0: (entry)
      $1 = folio_test_locked(folio)
      if $1 then b1 else b2  [folio_test_locked(folio)]
    b1:
      return -16
    b2:
      return 0
    `),
  );
  assert.equal(
    cfg(ir.functions[1]),
    text(`
    b0: (entry)
      f = filemap_get_folio(mapping, 0)
      folio := f
      x = demo_count(mapping)
      n := x
      folio_put(folio)
      return n
    `),
  );
  assert.deepEqual(ir.functions[1].locals, [
    { name: 'folio', kind: 'folio' },
    { name: 'f', kind: 'folio' },
  ]);
});

test('short-circuit conditions with trylock, !!, likely and WARN_ON_ONCE', async () => {
  await expectCfg(
    `
static bool demo_try(struct folio *folio, struct folio *other)
{
	if (!folio_trylock(folio) || !folio_test_uptodate(folio))
		return false;
	if (folio_test_dirty(folio) && !folio_test_writeback(other))
		folio_unlock(folio);
	if (!!folio_test_private(folio) && likely(other))
		return true;
	return WARN_ON_ONCE(!other) ? false : true;
}
`,
    `
    b0: (entry)
      $1 = folio_trylock(folio)
      if $1 then b1 else b11  [folio_trylock(folio)]
    b1:
      $2 = folio_test_uptodate(folio)
      if $2 then b2 else b11  [folio_test_uptodate(folio)]
    b2:
      $3 = folio_test_dirty(folio)
      if $3 then b3 else b5  [folio_test_dirty(folio)]
    b3:
      $4 = folio_test_writeback(other)
      if $4 then b5 else b4  [folio_test_writeback(other)]
    b4:
      folio_unlock(folio)
      goto b5
    b5:
      $5 = folio_test_private(folio)
      if $5 then b6 else b8  [folio_test_private(folio)]
    b6:
      if other then b7 else b8
    b7:
      return 1
    b8:
      if other then b9 else b10
    b9:
      return 1
    b10:
      return 0
    b11:
      return 0
    `,
  );
});

test('conditions: IS_ERR with assignment, !IS_ERR, NULL and integer comparisons, calls in conditions', async () => {
  await expectCfg(
    `
static int demo_conds(struct folio *folio, int ret, void *p)
{
	if (IS_ERR(folio = demo_lookup(p)))
		return PTR_ERR(folio);
	if (!IS_ERR(folio) && folio != NULL)
		ret = 1;
	if (NULL == folio || 0 > ret || ret >= 4 || ret == -EAGAIN)
		return 0;
	if (folio->flags & 4)
		ret = 2;
	if ((ret = folio_lock_killable(folio)))
		return ret;
	if (folio_lock_killable(folio) < 0)
		return -EINTR;
	if (IS_ERR_OR_NULL(p))
		return 1;
	if (ret == -1)
		ret = -1;
	return ret;
}
`,
    `
    b0: (entry)
      folio = demo_lookup(p)
      if IS_ERR(folio) then b1 else b2  [IS_ERR(folio = demo_lookup(p))]
    b1:
      $1 = PTR_ERR(folio)
      return $1
    b2:
      if IS_ERR(folio) then b5 else b3
    b3:
      if folio != 0 then b4 else b5  [folio != NULL]
    b4:
      ret := 1
      goto b5
    b5:
      if folio == 0 then b9 else b6  [NULL == folio]
    b6:
      if ret < 0 then b9 else b7  [0 > ret]
    b7:
      if ret >= 4 then b9 else b8
    b8:
      if ret == -11 then b9 else b10  [ret == -EAGAIN]
    b9:
      return 0
    b10:
      use folio (folio->flags)
      if ? then b11 else b12  [folio->flags & 4]
    b11:
      ret := 2
      goto b12
    b12:
      ret = folio_lock_killable(folio)
      if ret then b13 else b14  [ret = folio_lock_killable(folio)]
    b13:
      return ret
    b14:
      $2 = folio_lock_killable(folio)
      if $2 < 0 then b15 else b16  [folio_lock_killable(folio) < 0]
    b15:
      return -4
    b16:
      if IS_ERR_OR_NULL(p) then b17 else b18
    b17:
      return 1
    b18:
      if ret == -1 then b19 else b20
    b19:
      ret := -1
      goto b20
    b20:
      return ret
    `,
  );
});

test('noreturn: BUG_ON family branches to noreturn, BUG()/panic end the path, WARN_ON is transparent', async () => {
  await expectCfg(
    `
static int demo_bugs(struct folio *folio)
{
	VM_BUG_ON_FOLIO(!folio_test_locked(folio), folio);
	BUG_ON(folio_ref_count(folio) == 0);
	WARN_ON(folio_test_writeback(folio));
	if (WARN_ON_ONCE(folio_test_dirty(folio)))
		return -EIO;
	if (folio_test_error(folio)) {
		folio_unlock(folio);
		BUG();
	}
	if (unlikely(IS_ERR_OR_NULL(folio->private)))
		panic("no private");
	return 0;
}
`,
    `
    b0: (entry)
      $1 = folio_test_locked(folio)
      if $1 then b1 else b10  [folio_test_locked(folio)]
    b1:
      $2 = folio_ref_count(folio)
      if $2 == 0 then b2 else b3  [folio_ref_count(folio) == 0]
    b2:
      noreturn
    b3:
      $3 = folio_test_writeback(folio)
      $4 = folio_test_dirty(folio)
      if $4 then b4 else b5  [folio_test_dirty(folio)]
    b4:
      return -5
    b5:
      $5 = folio_test_error(folio)
      if $5 then b6 else b7  [folio_test_error(folio)]
    b6:
      folio_unlock(folio)
      noreturn
    b7:
      use folio (folio->private)
      if IS_ERR_OR_NULL(folio->private) then b8 else b9
    b8:
      noreturn
    b9:
      return 0
    b10:
      noreturn
    `,
  );
});

test('GNU C: `?:`, case ranges and a label before the closing brace are understood, not uncertain', async () => {
  const fn = await expectCfg(
    `
static int demo_gnu(struct folio *folio, int x)
{
	int r = x ?: folio_ref_count(folio);
	struct folio *f = folio ?: ERR_PTR(-EINVAL);

	switch (x) {
	case 1 ... 4:
		return 1;
	}
	if (r)
		goto out;
	folio_put(f);
out:
}
`,
    `
    b0: (entry)
      if x then b1 else b2
    b1:
      r := x
      goto b3
    b2:
      r = folio_ref_count(folio)
      goto b3
    b3:
      if folio then b4 else b5
    b4:
      f := folio
      goto b6
    b5:
      f := ERR_PTR
      goto b6
    b6:
      switch b7 b8  [x]
    b7:
      return 1
    b8:
      if r then b10 else b9
    b9:
      folio_put(f)
      goto b10
    b10:
      return
    `,
  );
  assert.deepEqual(fn.uncertain, []);
});

// ------------------------------------------------------------------ events

test('aliases, field arguments, member paths, stores and uses', async () => {
  await expectCfg(
    `
static void demo_alias(struct page *page, struct demo_ctx *ctx, struct folio **foliop)
{
	struct folio *folio = page_folio(page);
	struct page *head = &folio->page;
	struct folio *f2 = (struct folio *)(folio);

	get_page(folio_page(folio, 0));
	put_page(compound_head(page));
	list_add(&folio->lru, &ctx->list);
	folio_put(ctx->folio);
	ctx->folio = folio;
	*foliop = f2;
	ctx->pages[0] = head;
	ctx->state.folio = folio;
	ctx->nr = folio->index + page->index;
	folio->private = NULL;
	ctx->folio = NULL;
}
`,
    `
    b0: (entry)
      folio := page
      head := folio
      f2 := folio
      get_page(folio_page(folio, 0)=>folio)
      put_page(compound_head(page)=>page)
      list_add(&folio->lru=>folio.lru, &ctx->list=>ctx.list)
      folio_put(ctx->folio)
      store folio -> ctx->folio
      store f2 -> *foliop
      store head -> ctx->pages[0]
      store folio -> ctx->state.folio
      use folio (folio->index)
      use page (page->index)
      ctx->nr := ?(folio->index + page->index)
      use folio (folio->private)
      folio->private := 0
      ctx->folio := 0
      return
    `,
  );
});

test('nested calls are linearised into temporaries; resultUsed; (void) casts', async () => {
  const fn = await expectCfg(
    `
static struct folio *demo_nested(struct address_space *m, pgoff_t i, struct folio **out)
{
	folio_put(filemap_get_folio(m, demo_index(m, i)));
	(void)folio_trylock(m->folio);
	demo_fill(m, &folio_batch, out);
	return filemap_get_folio(m, i);
}
`,
    `
    b0: (entry)
      $1 = demo_index(m, i)
      $2 = filemap_get_folio(m, demo_index(m, i)=>$1)
      folio_put(filemap_get_folio(m, demo_index(m, i))=>$2)
      folio_trylock(m->folio)
      demo_fill(m, &folio_batch=>folio_batch, out)
      $3 = filemap_get_folio(m, i)
      return $3
    `,
  );
  const cs = calls(fn);
  assert.deepEqual(
    cs.map((c) => [c.callee, c.resultUsed]),
    [
      ['demo_index', true],
      ['filemap_get_folio', true],
      ['folio_put', false],
      ['folio_trylock', false],
      ['demo_fill', false],
      ['filemap_get_folio', true],
    ],
  );
  assert.deepEqual(cs[3].args, [{ text: 'm->folio', var: 'm->folio' }]);
});

test('assignments: constants, ERR_PTR, not, declarations with several declarators, ternaries', async () => {
  await expectCfg(
    `
static int demo_assigns(struct folio *folio, int y)
{
	bool locked = false, dirty = true;
	int err = folio_lock_killable(folio), flag;
	struct folio *a = NULL, *b = ERR_PTR(-EIO);

	flag = !y;
	err = y;
	err = -EAGAIN;
	err = y ? demo_first() : demo_second();
	a = y ? folio : NULL;
	err += 2;
	return y ? -EIO : 0;
}
`,
    `
    b0: (entry)
      locked := 0
      dirty := 1
      err = folio_lock_killable(folio)
      a := 0
      b := ERR_PTR
      flag := !y
      err := y
      err := -11
      if y then b1 else b2
    b1:
      err = demo_first()
      goto b3
    b2:
      err = demo_second()
      goto b3
    b3:
      if y then b4 else b5
    b4:
      a := folio
      goto b6
    b5:
      a := 0
      goto b6
    b6:
      err := ?(err += 2)
      if y then b7 else b8
    b7:
      return -5
    b8:
      return 0
    `,
  );
});

test('return values: variables after aliasing, constants, NULL, ERR_PTR, unknown', async () => {
  const ir = await fileIR(`
static struct folio *demo_r1(struct page *page) { return page_folio(page); }
static struct folio *demo_r2(void) { return ERR_PTR(-ENOMEM); }
static struct folio *demo_r3(void) { return NULL; }
static int demo_r4(int x) { return -ENOTSUPP; }
static int demo_r5(int x) { return x | 4; }
static void demo_r6(void) { }
`);
  const rets = ir.functions.map((f) => {
    const t = f.blocks[f.entry].term;
    assert.equal(t.kind, 'return');
    return t.kind === 'return' ? t.value : undefined;
  });
  assert.deepEqual(rets, [
    { text: 'page_folio(page)', var: 'page' },
    { text: 'ERR_PTR(-ENOMEM)', errptr: true },
    { text: 'NULL', const: 0 },
    { text: '-ENOTSUPP', const: -524 },
    { text: 'x | 4' },
    undefined,
  ]);
  assert.deepEqual(
    ir.functions.map((f) => f.returns),
    ['folio', 'folio', 'folio', 'int', 'int', 'void'],
  );
});

// ------------------------------------------------------------------ kernel idioms (with the real mask)

test('iterator macros are loops with an unknown condition; the iterator variable changes each time', async () => {
  await expectCfg(
    `
static void demo_iter(struct list_head *list, struct folio *stop)
{
	struct folio *folio;

	list_for_each_entry(folio, list, lru) {
		if (folio == stop)
			break;
		folio_get(folio);
	}
	demo_after();
}
`,
    `
    b0: (entry)
      if ? then b1 else b3  [list_for_each_entry(folio, list, lru)]
    b1:
      folio := ?(list_for_each_entry(folio, list, lru))
      if ? then b3 else b2  [folio == stop]
    b2:
      folio_get(folio)
      goto b0
    b3:
      demo_after()
      return
    `,
  );
});

test('scoped_guard runs its body once, scoped_cond_guard may take its failure action, guard() is a no-op', async () => {
  await expectCfg(
    `
static int demo_guards(struct demo_ctx *ctx, struct folio *folio)
{
	guard(spinlock)(&ctx->lock);
	scoped_guard(rcu) {
		folio_get(folio);
	}
	scoped_cond_guard(mutex_intr, return -EINTR, &ctx->mutex) {
		folio_put(folio);
	}
	return 0;
}
`,
    `
    b0: (entry)
      folio_get(folio)
      if ? then b1 else b3  [scoped_cond_guard(mutex_intr, return -EINTR, &ctx->mutex)]
    b1:
      folio_put(folio)
      goto b2
    b2:
      return 0
    b3:
      return -4
    `,
  );
});

test('__free cleanups: listed on every return, innermost first; no_free_ptr and return_ptr hand off', async () => {
  const fn = await expectCfg(
    `
static struct folio *demo_cleanup(struct address_space *mapping, struct demo_ctx *ctx)
{
	struct folio *folio __free(folio_put) = filemap_get_folio(mapping, 0);

	if (IS_ERR(folio))
		return NULL;
	{
		struct folio *tmp __free(folio_put) = filemap_get_folio(mapping, 1);

		if (!tmp)
			return NULL;
		ctx->spare = no_free_ptr(tmp);
	}
	return_ptr(folio);
}
`,
    `
    b0: (entry)
      folio = filemap_get_folio(mapping, 0)
      if IS_ERR(folio) then b1 else b2
    b1:
      return 0 cleanup folio_put(folio)
    b2:
      tmp = filemap_get_folio(mapping, 1)
      if tmp then b3 else b6
    b3:
      $1 := tmp
      store tmp -> no_free_ptr
      tmp := ?(no_free_ptr(tmp))
      store $1 -> ctx->spare
      if IS_ERR_OR_NULL(tmp) then b5 else b4
    b4:
      folio_put(tmp)
      goto b5
    b5:
      $2 := folio
      store folio -> no_free_ptr
      folio := ?(return_ptr(folio))
      return $2 cleanup folio_put(folio)
    b6:
      return 0 cleanup folio_put(tmp) folio_put(folio)
    `,
  );
  const b6 = fn.blocks[6].term;
  assert.equal(b6.kind, 'return');
  if (b6.kind === 'return') assert.equal(b6.cleanups[0].loc.line, 9);
});

test('cleanups run (unless IS_ERR_OR_NULL) when break, goto or the end of the block leaves their scope', async () => {
  await expectCfg(
    `
static int demo_leave(struct address_space *mapping, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct folio *f __free(folio_put) = filemap_get_folio(mapping, i);

		if (IS_ERR(f))
			goto out;
		if (folio_test_dirty(f))
			break;
	}
	return 0;
out:
	return -EIO;
}
`,
    `
    b0: (entry)
      i := 0
      goto b1
    b1:
      if ? then b2 else b12  [i < n]
    b2:
      f = filemap_get_folio(mapping, i)
      if IS_ERR(f) then b3 else b6
    b3:
      if IS_ERR_OR_NULL(f) then b5 else b4
    b4:
      folio_put(f)
      goto b5
    b5:
      return -5
    b6:
      $1 = folio_test_dirty(f)
      if $1 then b7 else b9  [folio_test_dirty(f)]
    b7:
      if IS_ERR_OR_NULL(f) then b12 else b8
    b8:
      folio_put(f)
      goto b12
    b9:
      if IS_ERR_OR_NULL(f) then b11 else b10
    b10:
      folio_put(f)
      goto b11
    b11:
      i := ?(i++)
      goto b1
    b12:
      return 0
    `,
  );
});

test('header: parameter kinds, out-parameters, return kinds, locals, lock annotations, SYSCALL names', async () => {
  const ir = await fileIR(`
static struct page *demo_hdr(struct folio *folio, struct page *page, struct folio **foliop, int n, const struct folio *cf)
	__releases(&folio->lock) __must_hold(page) __acquires(demo_global_lock)
{
	struct folio *a, *arr[4], **pp;
	struct page *p = NULL;
	struct folio_batch fbatch;

	return p;
}
SYSCALL_DEFINE1(demo_call, int, fd)
{
	return 0;
}
`);
  const f = ir.functions[0];
  assert.equal(f.name, 'demo_hdr');
  assert.equal(f.returns, 'page');
  assert.deepEqual(f.params, [
    { name: 'folio', index: 0, kind: 'folio' },
    { name: 'page', index: 1, kind: 'page' },
    { name: 'foliop', index: 2, kind: 'folio', out: true },
    { name: 'n', index: 3, kind: 'other' },
    { name: 'cf', index: 4, kind: 'folio' },
  ]);
  assert.deepEqual(f.locals, [
    { name: 'a', kind: 'folio' },
    { name: 'p', kind: 'page' },
  ]);
  assert.deepEqual(
    f.annotations.map((a) => [a.kind, a.text, a.param]),
    [
      ['releases', '&folio->lock', 'folio'],
      ['must_hold', 'page', 'page'],
      ['acquires', 'demo_global_lock', undefined],
    ],
  );
  assert.equal(f.annotations[0].loc.line, 3);
  assert.deepEqual([f.nameLoc.line, f.nameLoc.column], [2, 21]);
  assert.equal(ir.functions[1].name, 'sys_demo_call');
});

test('hand-built rewrites: loop macro, cleanup and annotation read from MaskResult alone', async () => {
  const src = `
static int demo_hand(struct list_head *list)
	__must_hold(list)
{
	struct folio *folio;
	struct folio *keep __free(folio_put) = NULL;

	demo_for_each_folio(folio, list) {
		folio_lock(folio);
	}
	return 0;
}
`;
  const mask = handMask(src, [
    ['__must_hold(list)', '', 'annotation'],
    ['__free(folio_put)', '', 'cleanup'],
    ['demo_for_each_folio', 'while', 'loop-macro'],
  ]);
  const fn = await fnIR(src, 'demo_hand', mask);
  assert.equal(
    cfg(fn),
    text(`
    b0: (entry)
      keep := 0
      goto b1
    b1:
      if ? then b2 else b3  [demo_for_each_folio(folio, list)]
    b2:
      folio := ?(demo_for_each_folio(folio, list))
      folio_lock(folio)
      goto b1
    b3:
      return 0 cleanup folio_put(keep)
    `),
  );
  assert.deepEqual(fn.annotations.map((a) => [a.kind, a.param]), [['must_hold', 'list']]);
});

// ------------------------------------------------------------------ damage

test('a statement with a syntax error: its calls are kept in order and the function is marked uncertain', async () => {
  const fn = await expectCfg(
    `
static int demo_damaged(struct folio *folio)
{
	int err = 0;

	folio_lock(folio);
	err = = demo_io(folio) @@ ;
	if (err)
		goto out;
	folio_mark_dirty(folio);
out:
	folio_unlock(folio);
	return err;
}
`,
    `
    b0: (entry)
      err := 0
      folio_lock(folio)
      err = demo_io(folio)
      if err then b2 else b1
    b1:
      folio_mark_dirty(folio)
      goto b2
    b2:
      folio_unlock(folio)
      return err
    `,
  );
  assert.equal(fn.uncertain.length, 1);
  assert.equal(fn.uncertain[0].loc.line, 7);
});

test('unbalanced braces: both functions are still extracted, the damaged one is uncertain', async () => {
  const ir = await fileIR(`
static void demo_open(struct folio *folio)
{
	if (folio) {
		folio_get(folio);
}
static void demo_next(struct folio *folio)
{
	folio_put(folio);
}
`);
  assert.deepEqual(
    ir.functions.map((f) => [f.name, f.uncertain.length > 0]),
    [
      ['demo_open', true],
      ['demo_next', false],
    ],
  );
  assert.deepEqual(calls(ir.functions[1]).map((c) => c.callee), ['folio_put']);
});

test('extraction never throws on mangled input', async () => {
  const base = `
static int demo_fuzz(struct address_space *mapping, struct folio **foliop)
{
	struct folio *folio __free(folio_put) = filemap_get_folio(mapping, 0);
	int i, err = 0;

	list_for_each_entry(folio, &mapping->list, lru) {
		switch (folio->index) {
		case 0: err = ({ int x = demo(folio); x ? x : -EIO; }); break;
		default: continue;
		}
	}
	for (i = 0; i < 4 && !folio_trylock(folio); i++)
		if (IS_ERR(folio = demo_next(folio))) goto out;
	scoped_guard(rcu) { *foliop = folio; }
out:
	return err ? err : (folio ? 0 : -ENOMEM);
}
`;
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let k = 0; k < 300; k++) {
    let s = base;
    const edits = 1 + rand(4);
    for (let e = 0; e < edits; e++) {
      const at = rand(s.length);
      const len = rand(12);
      const ins = ['', '{', '}', '(', ')', ';', 'goto', 'case 1:', 'while', '@', '({', '})'][rand(12)];
      s = s.slice(0, at) + ins + s.slice(at + len);
    }
    // the extractor alone (identity mask), then behind the real mask when it copes
    const irs = [await fileIR(s, { text: s, rewrites: [] })];
    let masked: MaskResult | undefined;
    try {
      masked = maskKernelC(s);
    } catch {
      masked = undefined; // a masking failure is not the extractor's to test
    }
    if (masked) irs.push(await fileIR(s, masked));
    for (const f of irs.flatMap((ir) => ir.functions)) {
      assert.ok(f.blocks.length > 0);
      assert.ok(!f.uncertain.some((u) => u.reason.startsWith('internal')), f.uncertain.map((u) => u.reason).join('; '));
      for (const b of f.blocks) {
        const t = b.term;
        const targets = t.kind === 'goto' ? [t.target] : t.kind === 'branch' ? [t.then, t.else] : t.kind === 'switch' ? t.targets : [];
        for (const x of targets) assert.ok(x >= 0 && x < f.blocks.length);
      }
    }
  }
});

// ------------------------------------------------------------------ API

test('filter skips functions; extractFunctionAt finds the function on a line; JSON round-trip', async () => {
  const src = `
static void demo_a(struct folio *folio)
{
	folio_put(folio);
}

static void demo_b(int x)
{
	demo_other(x);
}
`;
  const ir = await fileIR(src, undefined, (_n, body) => body.includes('folio'));
  assert.deepEqual(ir.functions.map((f) => f.name), ['demo_a']);
  parser ??= await createParser();
  const m = maskKernelC(src);
  const tree = parser.parse(m.text)!;
  try {
    assert.equal(extractFunctionAt(tree, m, 9)?.name, 'demo_b');
    assert.equal(extractFunctionAt(tree, m, 3)?.name, 'demo_a');
    assert.equal(extractFunctionAt(tree, m, 6), undefined);
  } finally {
    tree.delete();
  }
  assert.deepEqual(JSON.parse(JSON.stringify(ir)), ir);
});

test('locations are 1-based, columns count UTF-16 units, ends are exclusive', async () => {
  const fn = await fnIR(`/* café ☕ */
static void demo_loc(struct folio *folio)
{
	/* ☕☕ */ folio_put(folio); folio->flags = 0;
}
`);
  const c = calls(fn)[0];
  assert.deepEqual(c.loc, { line: 4, column: 11, endLine: 4, endColumn: 27 });
  const u = events(fn).find((e): e is UseEvent => e.kind === 'use')!;
  assert.deepEqual([u.loc.line, u.loc.column], [4, 29]);
  assert.equal(fn.loc.line, 2);
  const st = events(fn).filter((e): e is StoreEvent => e.kind === 'store');
  assert.equal(st.length, 0);
});

test('printIR shows header, locations and uncertainties', async () => {
  const fn = await fnIR(`
static int demo_print(struct folio *folio)
{
	return folio_trylock(folio);
}
`);
  assert.equal(
    printIR(fn),
    text(`
    function demo_print(folio folio) -> int  @2:1
    b0: (entry)
      $1 = folio_trylock(folio)  @4:9
      return $1  @4:2
    `),
  );
});

test('localNames lists every local of any type, not static locals, not parameters', async () => {
  const fn = await fnIR(`
static int demo_locals(struct folio *folio, int n)
{
	struct folio *f;
	int err = 0, i;
	static struct page *cached;
	struct folio_batch fbatch;

	for (int j = 0; j < n; j++) {
		unsigned long k = j;
		demo_zero = alloc_page(GFP_KERNEL);
	}
	return err;
}
`);
  assert.deepEqual(fn.localNames, ['f', 'err', 'i', 'fbatch', 'j', 'k']);
  assert.deepEqual(fn.locals.map((l) => l.name), ['f', 'cached']);
});

test('return kinds: pointers of any type are told from scalars', async () => {
  const ir = await fileIR(`
static struct buffer_head *demo_bh(struct folio *folio) { return folio_buffers(folio); }
static void *demo_addr(struct page *page) { return page_address(page); }
static struct folio *demo_f(struct address_space *m) { return filemap_get_folio(m, 0); }
static long demo_n(void) { return 0; }
static void demo_v(void) { }
static vm_fault_t demo_t(struct vm_fault *vmf) { return 0; }
`);
  assert.deepEqual(
    ir.functions.map((f) => [f.name, f.returns, f.returnsPointer]),
    [
      ['demo_bh', 'other', true],
      ['demo_addr', 'other', true],
      ['demo_f', 'folio', true],
      ['demo_n', 'int', false],
      ['demo_v', 'void', false],
      ['demo_t', 'int', false],
    ],
  );
});

test('calls inside assertions are marked asserted', async () => {
  const fn = await fnIR(`
static void demo_assert(struct page *page, struct folio *folio)
{
	WARN_ON(!trylock_page(page));
	if (WARN_ON_ONCE(!folio_trylock(folio)))
		return;
	VM_BUG_ON_FOLIO(!folio_try_get(folio), folio);
	if (likely(folio_trylock(folio)))
		folio_unlock(folio);
}
`);
  assert.deepEqual(
    calls(fn).map((c) => `${c.callee}${c.asserted ? ' asserted' : ''}`),
    ['trylock_page asserted', 'folio_trylock asserted', 'folio_try_get asserted', 'folio_trylock', 'folio_unlock'],
  );
});

test('for loops counting from zero to a named constant run at least once', async () => {
  const fn = await fnIR(`
static void demo_for(struct page *page, int n)
{
	int i;

	for (i = 0; i < NR_DEMO; i++)
		demo_one(page, i);
	for (i = 0; i < n; i++)
		demo_two(page, i);
}
`);
  assert.equal(
    cfg(fn),
    text(`
    b0: (entry)
      i := 0
      goto b1
    b1:
      demo_one(page, i)
      goto b2
    b2:
      i := ?(i++)
      goto b3
    b3:
      if ? then b1 else b4  [i < NR_DEMO]
    b4:
      i := 0
      goto b5
    b5:
      if ? then b6 else b8  [i < n]
    b6:
      demo_two(page, i)
      goto b7
    b7:
      i := ?(i++)
      goto b5
    b8:
      return
    `),
  );
});
