/**
 * Data-driven rule tests: every file under test/fixtures/rules/ is checked
 * with the real engine (masking, parsing, extraction, simulation), and its
 * findings must be exactly the ones its `expect:` markers name (see
 * test/fixtures/README.md). A file without markers must be silent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { Analyzer } from '../server/src/analyze';
import type { KernelVersion } from '../simulator/src/contract-types';

const DIR = path.join(__dirname, '..', '..', 'test', 'fixtures', 'rules');

interface Expect {
  line: number;
  rule: string;
  severity: string;
  path?: number[];
}

export function parseExpectations(text: string): { expects: Expect[]; version: KernelVersion } {
  const expects: Expect[] = [];
  const lines = text.split('\n');
  let version: KernelVersion = '6.12';
  lines.slice(0, 5).forEach((l) => {
    const m = /kernel-version:\s*(6\.1|6\.12)\b/.exec(l);
    if (m) version = m[1] as KernelVersion;
  });
  lines.forEach((l, i) => {
    const m = /\/\*\s*expect:\s*(.*?)\s*\*\//.exec(l);
    if (!m) return;
    for (const part of m[1].split(';')) {
      const [rule, severity, ...rest] = part.trim().split(/\s+/);
      const e: Expect = { line: i + 1, rule, severity };
      for (const r of rest) {
        const pm = /^path=([\d,]+)$/.exec(r);
        if (pm) e.path = pm[1].split(',').map(Number);
      }
      expects.push(e);
    }
  });
  return { expects, version };
}

const files = fs.existsSync(DIR) ? fs.readdirSync(DIR).filter((f) => f.endsWith('.c')).sort() : [];

test('there are rule fixtures', () => {
  assert.ok(files.length > 0, `no fixtures in ${DIR}`);
});

let analyzer: Analyzer | undefined;

for (const name of files) {
  test(`fixture ${name}`, async () => {
    analyzer ??= await Analyzer.create();
    const text = fs.readFileSync(path.join(DIR, name), 'utf8');
    const { expects, version } = parseExpectations(text);
    const r = analyzer.analyzeText(name, text, { kernelVersion: version });
    assert.equal(r.error, undefined, r.error);
    const got = r.diagnostics.filter((d) => d.severity !== 'info');
    const fmt = (d: { line: number; rule: string; severity: string }) => `${d.line}: ${d.rule} ${d.severity}`;
    const detail = got.map((d) => `${fmt(d)} — ${d.message}`).join('\n');
    assert.deepEqual(got.map(fmt).sort(), expects.map(fmt).sort(), `findings differ in ${name}:\n${detail}`);
    for (const e of expects) {
      if (!e.path) continue;
      const d = got.find((g) => g.line === e.line && g.rule === e.rule)!;
      assert.deepEqual(d.path.map((s) => s.line), e.path, `path of ${fmt(e)} in ${name}: ${JSON.stringify(d.path)}`);
    }
    // no function may be left unanalysed in our own fixtures
    const incomplete = r.diagnostics.filter((d) => d.severity === 'info');
    assert.deepEqual(incomplete.map((d) => `${d.line}: ${d.message}`), [], `analysis incomplete in ${name}`);
  });
}
