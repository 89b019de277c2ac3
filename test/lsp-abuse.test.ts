/**
 * Language server abuse through a real connection (test/lsp-client.ts spawns
 * the server over stdio): malformed JSON-RPC written raw on its stdin,
 * unknown methods, requests for unknown documents and positions outside
 * them, 1,000 rapid edits, a close during analysis, a 10 MB file, a binary
 * file opened as C, a configuration change mid-analysis. The server must
 * stay up, answer with proper LSP errors, and its memory must come back
 * near its level after the burst.
 *
 * Memory is read with the server's `foliolens/memoryUsage` request
 * (server/src/lsp/memory.ts). This test starts the server with node's
 * --expose-gc (the test only; the extension does not) so that the request
 * can run a full collection first: heapUsed is then what the server really
 * keeps. Measured on this machine (2 cores, November 2026): heapUsed
 * 8 MB before the burst and 10 MB after it (the difference is compiled
 * code), with the one demo document open again; RSS 71-88 MB before, 115-148
 * MB some seconds after. The JS heap gives back everything the burst
 * allocated (heapTotal goes 54 MB -> 13 MB); what RSS keeps is native memory
 * glibc's allocator does not hand back to the system (V8's compiler zones,
 * I/O buffers): with MALLOC_MMAP_THRESHOLD_ fixed it varied from +15 to +51
 * MB, so no allocator setting was kept. The test bounds heapUsed tightly and
 * RSS loosely.
 */
import { test, describe, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LspClient, fileUri } from './lsp-client';
import { MEMORY_REQUEST, type MemoryReport } from '../server/src/lsp/memory';
import { ADVERSARIAL, rng } from '../bench/fuzz';

const ROOT = path.resolve(__dirname, '..', '..');
const DEMO = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'rules', 'ref-leak.c'), 'utf8');

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, rej) => (timer = setTimeout(() => rej(new Error(`timed out waiting for ${what}`)), ms)))]).finally(() => clearTimeout(timer));
}

function rssMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(f: () => boolean): Promise<void> {
  while (!f()) await sleep(50);
}

describe('language server abuse', { timeout: 180000 }, () => {
  let client: LspClient;
  let dir: string;
  let uri: string;
  let stderr = '';
  let raw = '';
  const rss: Record<string, number | undefined> = {};
  let heapBaseline: MemoryReport;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'folio-lens-abuse-'));
    const file = path.join(dir, 'demo.c');
    fs.writeFileSync(file, DEMO);
    uri = fileUri(file);
    client = new LspClient({ settings: {}, nodeArgs: ['--expose-gc'], stderr: (s) => (stderr += s) });
    // everything the server writes, also seen raw (the connection reads it too)
    client.proc.stdout!.on('data', (d: Buffer) => {
      raw += d.toString('utf8');
      if (raw.length > 4e6) raw = raw.slice(-2e6);
    });
    await client.initialize();
    const p = client.diagnostics(uri, 1);
    await client.open(uri, DEMO, 1);
    assert.ok((await within(p, 20000, 'demo diagnostics')).diagnostics.length > 0);
    await sleep(500);
    rss.baseline = rssMb(client.proc.pid!);
    heapBaseline = await client.request<MemoryReport>(MEMORY_REQUEST, { gc: true });
  });

  after(async () => {
    if (client.proc.exitCode === null) await client.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The server still answers, with the right hover on the demo file. */
  async function alive(what: string): Promise<void> {
    const lens = await within(client.request<unknown[]>('textDocument/codeLens', { textDocument: { uri } }), 20000, `code lens after ${what}`);
    assert.ok(Array.isArray(lens) && lens.length > 0, `no code lens after ${what}`);
    assert.equal(client.proc.exitCode, null, `the server exited after ${what}`);
  }

  function writeRaw(body: string): void {
    const b = Buffer.from(body, 'utf8');
    client.proc.stdin!.write(Buffer.concat([Buffer.from(`Content-Length: ${b.length}\r\n\r\n`, 'ascii'), b]));
  }

  /** The raw response with this id, once it arrives. */
  async function rawResponse(id: number, ms = 10000): Promise<{ error?: { code: number; message: string }; result?: unknown }> {
    const re = new RegExp(`\\{[^{}]*"id":\\s*${id}\\b`);
    const t0 = Date.now();
    for (;;) {
      // each message is one JSON body after its header
      for (const part of raw.split(/Content-Length: \d+\r\n\r\n/)) {
        if (!re.test(part) && !part.includes(`"id":${id},`) && !part.includes(`"id":${id}}`)) continue;
        try {
          const m = JSON.parse(part);
          if (m.id === id) return m;
        } catch {
          // a partial message
        }
      }
      if (Date.now() - t0 > ms) throw new Error(`no response with id ${id}`);
      await sleep(20);
    }
  }

  test('malformed JSON-RPC: broken JSON, no method, wrong types; the server answers what has an id and stays up', async () => {
    writeRaw('{"jsonrpc":"2.0","id":9001,"method":'); // broken JSON
    writeRaw('[]');
    writeRaw('"just a string"');
    writeRaw('{"jsonrpc":"2.0","id":9002}'); // neither method nor result
    writeRaw('{"jsonrpc":"2.0","id":9003,"method":"textDocument/hover","params":"nope"}');
    writeRaw('{"jsonrpc":"2.0","id":9004,"method":"textDocument/hover","params":{"textDocument":{"uri":42},"position":{"line":"x","character":null}}}');
    writeRaw('{"jsonrpc":"2.0","id":9005,"method":"workspace/executeCommand","params":{"command":"foliolens.simulateFunction","arguments":[{"uri":{"$ne":1},"position":"constructor"}]}}');
    writeRaw('{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":null}}');
    writeRaw('{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///nowhere.c","version":"x"},"contentChanges":[{"text":5}]}}');
    writeRaw('{"jsonrpc":"2.0","method":"workspace/didChangeConfiguration","params":{"settings":{"foliolens":{"kernelVersion":{"__proto__":{"polluted":1}},"rules":"all"}}}}');
    writeRaw('{"jsonrpc":"2.0","id":9006,"method":"textDocument/codeAction","params":{"textDocument":{"uri":"' + uri + '"},"range":{"start":{"line":1e12,"character":-1},"end":{"line":-5,"character":1e12}},"context":{"diagnostics":[{"range":null,"message":7}]}}}');
    // each request with an id gets an answer: a result or a proper error
    for (const id of [9003, 9004, 9005, 9006]) {
      const r = await rawResponse(id);
      assert.ok('result' in r || (r.error && typeof r.error.code === 'number' && typeof r.error.message === 'string'), JSON.stringify(r));
    }
    const r5 = await rawResponse(9005);
    assert.ok(r5.error && r5.error.code < 0, JSON.stringify(r5));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    await alive('malformed messages');
  });

  test('unknown methods: a request gets MethodNotFound (-32601), a notification is ignored', async () => {
    await assert.rejects(client.request('foliolens/noSuchThing', {}), (e: { code: number }) => e.code === -32601);
    await assert.rejects(client.request('textDocument/semanticTokens/full', { textDocument: { uri } }), (e: { code: number }) => e.code === -32601);
    await client.conn.sendNotification('foliolens/noSuchNotification', { x: 1 });
    await client.conn.sendNotification('$/cancelRequest', { id: 123456 });
    await alive('unknown methods');
  });

  test('unknown documents and positions outside: empty answers, no error', async () => {
    const nowhere = fileUri(path.join(dir, 'nowhere.c'));
    assert.equal(await client.request('textDocument/hover', { textDocument: { uri: nowhere }, position: { line: 0, character: 0 } }), null);
    assert.deepEqual(await client.request('textDocument/codeLens', { textDocument: { uri: nowhere } }), []);
    const ca = await client.request('textDocument/codeAction', { textDocument: { uri: nowhere }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] } });
    assert.ok(ca === null || (Array.isArray(ca) && ca.length === 0), JSON.stringify(ca));
    await client.change(nowhere, 2, [{ text: 'x' }]);
    await client.conn.sendNotification('textDocument/didClose', { textDocument: { uri: nowhere } });
    for (const position of [{ line: 1e9, character: 0 }, { line: 0, character: 1e9 }, { line: -1, character: -1 }, { line: 2 ** 53, character: 2 ** 53 }]) {
      assert.equal(await client.request('textDocument/hover', { textDocument: { uri }, position }), null, JSON.stringify(position));
    }
    await client.request('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 5000, character: 0 }, end: { line: 6000, character: 0 } }, context: { diagnostics: [] } });
    await alive('unknown documents');
  });

  test('1,000 rapid edits: only increasing versions published, ending with the last, and the last text is what is checked', async () => {
    const file = fileUri(path.join(dir, 'rapid.c'));
    const first = client.diagnostics(file, 1);
    await client.open(file, DEMO, 1);
    await within(first, 20000, 'rapid.c v1');
    const seen: number[] = [];
    client.onPublish((p) => {
      if (p.uri === file && p.version !== undefined) seen.push(p.version);
    });
    const last = client.diagnostics(file, 1001);
    const t0 = Date.now();
    for (let v = 2; v <= 1001; v++) {
      // type a comment character by character at the top, then (last) restore the demo
      const change = v < 1001 ? { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: v % 50 === 0 ? '\n' : 'x' } : { text: DEMO };
      void client.change(file, v, [change]);
    }
    const d = await within(last, 60000, 'the last of 1,000 edits');
    assert.ok(d.diagnostics.length > 0, 'the restored demo has its leak');
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], `versions published out of order: ${seen.join(',')}`);
    // a server that keeps up may publish every version: what matters is the order and the last one
    assert.ok(seen.length <= 1000, `${seen.length} publishes for 1,000 edits`);
    rss.afterEdits = rssMb(client.proc.pid!);
    rss.editsMillis = Date.now() - t0;
    rss.editsPublished = seen.length;
    await client.conn.sendNotification('textDocument/didClose', { textDocument: { uri: file } });
    await alive('1,000 edits');
  });

  test('a close during analysis, and a configuration change mid-analysis', async () => {
    const slow = ADVERSARIAL.find((a) => a.name === 'branches-5000')!.gen(rng(1), []);
    const file = fileUri(path.join(dir, 'slow.c'));
    const cleared = new Promise<void>((res) => client.onPublish((p) => p.uri === file && p.diagnostics.length === 0 && res()));
    await client.open(file, slow, 1);
    await sleep(30);
    await client.conn.sendNotification('textDocument/didClose', { textDocument: { uri: file } });
    await within(cleared, 20000, 'diagnostics cleared on close');
    await alive('close during analysis');

    const file2 = fileUri(path.join(dir, 'slow2.c'));
    const p1 = client.diagnostics(file2, 1);
    await client.open(file2, slow, 1);
    await sleep(30);
    client.settings = { kernelVersion: '6.1', rules: { 'ref-leak': 'off', bogus: 'loud' }, contractsFile: '../../../../etc/passwd' };
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: { foliolens: client.settings } });
    await within(p1, 30000, 'slow2.c diagnostics');
    // the configuration took (the valid fields of it): ref-leak is off for the demo file
    const quiet = new Promise<void>((res) => client.onPublish((p) => p.uri === uri && !p.diagnostics.some((x) => x.code === 'ref-leak') && res()));
    await client.change(uri, 2, [{ text: DEMO }]);
    await within(quiet, 20000, 'the demo without ref-leak after the configuration change');
    await within(waitFor(() => client.messages.some((m) => /contractsFile|passwd/.test(m.message))), 10000, 'a message about the contracts file');
    client.settings = {};
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: { foliolens: {} } });
    await client.conn.sendNotification('textDocument/didClose', { textDocument: { uri: file2 } });
    await alive('configuration change mid-analysis');
  });

  test('a file of 20 functions that each run out of budget and have hundreds of findings: other requests are answered meanwhile, each function is named in analysis-incomplete, findings are capped', async (t) => {
    let text = '';
    const N = 20;
    for (let k = 0; k < N; k++) {
      text += `static void heavy_${k}(struct folio *folio, int x)\n{\n`;
      for (let i = 0; i < 700; i++) text += `\tif (x & ${i}) folio_lock(folio); else if (x > ${i}) folio_unlock(folio);\n`;
      text += '}\n\n';
    }
    const file = fileUri(path.join(dir, 'heavy.c'));
    const done = client.diagnostics(file, 1);
    const t0 = Date.now();
    await client.open(file, text, 1);
    await sleep(300);
    const waits: number[] = [];
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished && Date.now() - t0 < 60000) {
      const h0 = Date.now();
      await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 6, character: 10 } });
      waits.push(Date.now() - h0);
      await sleep(100);
    }
    const d = await within(done, 60000, 'heavy.c diagnostics');
    const total = Date.now() - t0;
    t.diagnostic(`heavy.c analysed in ${total} ms; ${waits.length} hovers meanwhile, slowest ${Math.max(...waits)} ms`);
    assert.ok(waits.length >= 3, `only ${waits.length} hovers while heavy.c was analysed (${total} ms)`);
    // a hover waits for the parse and extraction of the file (about 1 s here) or for one
    // function's simulation (its budget plus overshoot), never for the whole file's analysis
    // (measured: slowest 1.6-2.3 s of 5.6-6.6 s; bounds wide for a loaded CI)
    assert.ok(Math.max(...waits) < 5000, JSON.stringify(waits));
    assert.ok(total > 1.5 * Math.max(...waits), `${total} ms in all, ${JSON.stringify(waits)}`);
    // each function: out of budget, or over the findings cap (capFindings): named in an info finding
    const inc = d.diagnostics.filter((x) => x.code === 'analysis-incomplete');
    assert.ok(d.diagnostics.length <= N * 52, `${d.diagnostics.length} diagnostics`);
    for (let k = 0; k < N; k++) assert.ok(inc.some((x) => String(x.message).includes(`heavy_${k}()`)), `heavy_${k}`);
    await client.conn.sendNotification('textDocument/didClose', { textDocument: { uri: file } });
  });

  test('a 10 MB file and binary files opened as C: refused or checked, no error, the server answers', async () => {
    const big = fileUri(path.join(dir, 'big.c'));
    const pb = client.diagnostics(big, 1);
    await client.open(big, DEMO.repeat(Math.ceil(10.5e6 / DEMO.length)), 1);
    assert.deepEqual((await within(pb, 30000, '10 MB diagnostics')).diagnostics, []);
    await client.conn.sendNotification('textDocument/didClose', { textDocument: { uri: big } });

    const r = rng(6);
    let bytes = '';
    for (let i = 0; i < 300000; i++) bytes += String.fromCharCode(Math.floor(r() * 256));
    for (const [name, text] of [['bin-nul.c', bytes], ['bin-nonul.c', 'struct folio *f;\n' + bytes.replace(/\0/g, '\x01') + '\nfolio_put(f);'], ['bad-utf16.c', DEMO.replace(/folio/g, '\uD800folio\uDFFF')]] as const) {
      const u = fileUri(path.join(dir, name));
      const p = client.diagnostics(u, 1);
      await client.open(u, text, 1);
      await within(p, 30000, `${name} diagnostics`);
      await client.request('textDocument/hover', { textDocument: { uri: u }, position: { line: 0, character: 5 } });
      await client.request('textDocument/codeLens', { textDocument: { uri: u } });
      await client.conn.sendNotification('textDocument/didClose', { textDocument: { uri: u } });
    }
    await alive('10 MB and binary files');
    rss.afterBurst = rssMb(client.proc.pid!);
  });

  /** Heap margin: compiled code and caches warmed by the burst (measured: 2 MB). */
  const HEAP_MARGIN_MB = 16;
  /** RSS margin: heap pages not yet given back, the tree-sitter wasm memory (it grows with the largest parse and never shrinks: 34 -> 40 MB here), native memory the allocator keeps (measured in all: 30-75 MB). */
  const RSS_MARGIN_MB = 150;

  test(`memory comes back after the burst: heapUsed after a full GC within ${HEAP_MARGIN_MB} MB of its level before, RSS within ${RSS_MARGIN_MB} MB`, async (t) => {
    const mb = (b: number) => b / 1048576;
    assert.equal(heapBaseline.collected, true, 'the server runs with --expose-gc here');
    // closed documents are dropped at once; a run still going for one stops at its next yield
    let now = await client.request<MemoryReport>(MEMORY_REQUEST, { gc: true });
    // V8 gives its heap pages back over a few collections (measured: RSS 404 -> 129 MB in 6 s after heavy.c)
    const high = () => mb(now.heapUsed) > mb(heapBaseline.heapUsed) + HEAP_MARGIN_MB || now.documents > 1 || (rss.baseline !== undefined && mb(now.rss) > rss.baseline + RSS_MARGIN_MB / 2);
    for (let i = 0; i < 40 && high(); i++) {
      await sleep(500);
      now = await client.request<MemoryReport>(MEMORY_REQUEST, { gc: true });
    }
    rss.settled = rssMb(client.proc.pid!);
    const heap = { before: Math.round(mb(heapBaseline.heapUsed)), after: Math.round(mb(now.heapUsed)), heapTotalAfter: Math.round(mb(now.heapTotal)) };
    t.diagnostic(`server RSS MB: ${JSON.stringify(Object.fromEntries(Object.entries(rss).map(([k, v]) => [k, v && Math.round(v)])))}; heapUsed MB ${JSON.stringify(heap)}`);
    // only the demo document is still open, and nothing of the others is kept
    assert.equal(now.documents, 1);
    assert.ok(mb(now.heapUsed) < mb(heapBaseline.heapUsed) + HEAP_MARGIN_MB, `heapUsed ${heap.after} MB after the burst, ${heap.before} MB before`);
    if (rss.baseline === undefined || rss.settled === undefined) return;
    assert.ok(rss.settled < rss.baseline + RSS_MARGIN_MB, `RSS ${rss.settled.toFixed(0)} MB after the burst, ${rss.baseline.toFixed(0)} MB before`);
  });

  test('shutdown: clean exit, nothing uncaught', async () => {
    const code = await client.shutdown();
    assert.equal(code, 0);
    assert.ok(!/uncaught|unhandled|FATAL|heap out of memory/i.test(stderr), stderr.slice(0, 2000));
  });
});
