/**
 * The VS Code extension's parts that run without VS Code: its architecture
 * invariant, and the simulation view's picture (extension/webview/render.ts)
 * rendered from what `folio-lens simulate --format json` prints and from
 * hand-built JSON. The real extension runs in the end-to-end test (test/e2e/).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderSimulation } from '../extension/webview/render';
import { RULE_IDS } from '../simulator/src/rules';
import { SIMULATE_COMMAND, CHECK_PATCH_COMMAND, CHECK_UNCOMMITTED_COMMAND } from '../extension/src/protocol';
import type { SimulationJson } from '../server/src/format/simulate';

const ROOT = path.resolve(__dirname, '..', '..');

function simulate(file: string, fn: string): SimulationJson {
  const out = execFileSync(process.execPath, [path.join(ROOT, 'bin', 'folio-lens.js'), 'simulate', '--format', 'json', file, fn], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out) as SimulationJson;
}

test('extension/ knows no analysis: from server/ and simulator/ it imports types only', () => {
  const offenders: string[] = [];
  for (const dir of ['extension/src', 'extension/webview']) {
    for (const f of fs.readdirSync(path.join(ROOT, dir)).filter((x) => x.endsWith('.ts'))) {
      const text = fs.readFileSync(path.join(ROOT, dir, f), 'utf8');
      for (const m of text.matchAll(/^(import|export)(\s+type)?[^;]*?from\s*['"]([^'"]+)['"]/gm)) {
        if (/(^|\/)(server|simulator)\//.test(m[3]!) && !m[2]) offenders.push(`${dir}/${f}: ${m[3]}`);
      }
      if (/require\(/.test(text)) offenders.push(`${dir}/${f}: require()`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('the manifest: every rule has a severity setting, every command the client uses is contributed', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  assert.equal(pkg.main, './dist/extension.js');
  assert.ok(pkg.activationEvents.includes('onLanguage:c'));
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, true);
  const props = pkg.contributes.configuration.properties;
  assert.deepEqual(Object.keys(props['foliolens.rules'].properties).sort(), [...RULE_IDS].sort());
  assert.deepEqual(props['foliolens.kernelVersion'].enum, ['6.1', '6.12']);
  for (const k of ['foliolens.contractsFile', 'foliolens.docsBaseUrl', 'foliolens.trace.server']) assert.ok(props[k], k);
  const contributed = pkg.contributes.commands.map((c: { command: string }) => c.command);
  const client = fs.readFileSync(path.join(ROOT, 'extension', 'src', 'extension.ts'), 'utf8');
  const used = [SIMULATE_COMMAND, CHECK_PATCH_COMMAND, CHECK_UNCOMMITTED_COMMAND, ...[...client.matchAll(/registerCommand\('([\w.]+)'/g)].map((m) => m[1]!)];
  assert.deepEqual(used.filter((c) => !contributed.includes(c)), []);
});

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

test('one lane and one SVG per path, one clickable column per step', () => {
  const sim = simulate('examples/demofs/writeback.c', 'demofs_write_inline');
  const html = renderSimulation(sim);
  assert.equal(count(html, /<svg class="lane-svg"/g), sim.paths.length);
  const steps = sim.paths.reduce((n, p) => n + p.steps.length, 0);
  assert.equal(count(html, /<g class="step[^"]*" data-line="\d+"/g), steps);
  // every dimension of a tracked object is named, in order: a row each, the
  // ones unknown on the whole path folded into one last row
  const svg = html.slice(html.indexOf('<svg class="lane-svg"', html.indexOf('has-violation')));
  const labels = [...svg.slice(0, svg.indexOf('</svg>')).matchAll(/<(?:text|tspan) class="dim-label[^"]*"[^>]*>([^<]+)</g)].map((m) => m[1]!);
  assert.deepEqual(labels.join(', ').split(', '), ['refs', 'locked', 'writeback', 'dirty', 'uptodate', 'private', 'private_2']);
  assert.match(svg, /class="dim-label folded"[^>]*>uptodate, private, private_2</);
});

test('the violating step is highlighted and its path comes first', () => {
  const sim = simulate('examples/demofs/writeback.c', 'demofs_write_inline');
  const bad = sim.paths.findIndex((p) => p.steps.some((s) => s.violations.length));
  assert.ok(bad >= 0, 'demofs_write_inline ends writeback twice on one path');
  const html = renderSimulation(sim);
  const first = html.indexOf('<details class="lane');
  assert.match(html.slice(first, first + 200), new RegExp(`has-violation" data-path="${bad + 1}"`));
  const step = sim.paths[bad]!.steps.find((s) => s.violations.length)!;
  assert.match(html, new RegExp(`<g class="step violation" data-line="${step.line}"`));
  assert.match(html, /class="badge error">writeback-not-started</);
});

const oneStep = (text: string, objects: SimulationJson['paths'][number]['steps'][number]['objects']): SimulationJson => ({
  file: 'fs/x.c',
  function: 'f',
  line: 1,
  paths: [{ end: 'return', steps: [{ line: 3, text, objects, pairs: [{ key: 'inode_dio(inode)', open: 1 }], violations: [] }] }],
  merged: 0,
  findings: [],
  stats: { states: 1, millis: 0 },
});

test('text from the source is escaped', () => {
  const html = renderSimulation(oneStep('if (a < b && c > "d"): true', []));
  assert.ok(!html.includes('a < b'));
  assert.match(html, /a &lt; b &amp;&amp; c &gt; &quot;d&quot;/);
});

test('states become glyphs: held lock filled, clear flag hollow, unknown as ?', () => {
  const html = renderSimulation(
    oneStep('folio_lock(folio)', [
      {
        names: ['folio', 'page'],
        kind: 'folio',
        origin: 'parameter',
        refs: 0,
        callerRef: true,
        value: 'valid',
        locked: 'held',
        writeback: 'clear',
        dirty: 'set',
        uptodate: 'unknown',
        private: 'clear',
        private2: 'clear',
        handedOff: false,
      },
    ]),
  );
  assert.match(html, />folio = page</);
  assert.match(html, /class="refs none changed small"[^>]*>0\+c</);
  assert.match(html, /<rect class="g g-locked set changed"/);
  assert.match(html, /<circle class="g g-writeback clear changed"/);
  assert.match(html, /<circle class="g g-dirty set changed"/);
  assert.match(html, /<text class="unk changed"[^>]*>\?</);
  assert.match(html, />inode_dio\(inode\)</);
});

test('a function with no recorded path says so', () => {
  const sim = oneStep('x', []);
  sim.paths = [];
  assert.match(renderSimulation(sim), /No path through this function was recorded/);
});

test('lifetimes beyond the folio: inode references and DAX mappings get rows of their own', () => {
  const sim = simulate('test/fixtures/rules/dax-use-after-inode-put.c', 'demofs_dax_peek');
  const html = renderSimulation(sim);
  const bad = sim.paths.find((p) => p.steps.some((s) => s.violations.some((v) => v.rule === 'dax-use-after-inode-put')));
  assert.ok(bad, 'a path uses the mapping after iput()');
  const mapped = bad.steps.find((s) => s.text.startsWith('avail = dax_direct_access'))!;
  assert.deepEqual(mapped.pairs, [{ key: 'inode_ref(inode)', open: 1, label: 'inode references', short: 'iref' }]);
  assert.deepEqual(mapped.dax, [{ name: 'kaddr', cover: 'inode_ref(inode)', covered: true }]);
  const put = bad.steps.find((s) => s.text === 'iput(inode)')!;
  assert.deepEqual(put.dax, [{ name: 'kaddr', cover: 'inode_ref(inode)', covered: false }]);
  assert.match(html, /<title>inode references on inode<\/title>iref inode</);
  assert.match(html, /<title>DAX mapping in kaddr<\/title>DAX kaddr</);
  assert.match(html, /class="refs pair none changed"[^>]*>!</);
  assert.match(html, /class="badge error">dax-use-after-inode-put</);
  assert.match(html, /iref: inode references/);
  assert.match(html, /DAX mapping: ok while its inode reference is held/);
});

test('direct I/O in flight is drawn as a labelled count', () => {
  const sim = simulate('test/fixtures/rules/pagecache-fill-during-dio.c', 'demofs_dio_write');
  const html = renderSimulation(sim);
  assert.match(html, /<title>direct I\/O in flight on inode<\/title>DIO inode</);
  const text = execFileSync(process.execPath, [path.join(ROOT, 'bin', 'folio-lens.js'), 'simulate', 'test/fixtures/rules/pagecache-fill-during-dio.c', 'demofs_dio_write'], { cwd: ROOT, encoding: 'utf8' });
  assert.match(text, /direct I\/O in flight on inode: 1/);
  assert.match(text, /!! pagecache-fill-during-dio: filemap_grab_folio\(\) creates page-cache folios on 'inode'/);
});
