/**
 * Findings census on real kernel trees: `npm run census`.
 *
 *   node out/bench/census.js [--versions 6.12,6.1] [--out bench/results]
 *
 * For fs/ + mm/ (.c) of each tree (../shared/scripts/kernel-source): the
 * findings per rule and per 100k lines (a whole-tree check, speed.ts), the
 * share of function definitions whose control flow is uncertain after
 * masking (uncertain.ts, the masked side), the functions that ran out of
 * the simulation budget, and the ten slowest functions. Prints a summary
 * and writes bench/results/census.json. Only file:line and function names
 * are printed, never kernel code.
 *
 * The check runs with REPEATABLE_BUDGET (server/src/analyze.ts): 20,000
 * states per function decide, and the clock is a loose safety net, so the
 * census does not change with the machine's load. The CLI keeps the
 * default 200 ms per function.
 */
import * as fs from 'fs';
import * as path from 'path';
import { gitSource, kernelDir, treeFiles, measureCheck } from './speed';
import { measureUncertain, uncertainFiles } from './uncertain';
import { RULES } from '../simulator/src/rules';
import { REPEATABLE_BUDGET } from '../server/src/analyze';

type Version = '6.12' | '6.1';
const ROOT = path.resolve(__dirname, '..', '..');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i !== -1 ? process.argv[i + 1] : undefined;
}

/** The 1-based line of the definition of `name` in `text` (a line at column 0 naming it before `(`, not a prototype). */
function definitionLine(text: string, name: string): number | undefined {
  const lines = text.split('\n');
  const re = new RegExp(`^(?:[A-Za-z_].*[\\s*])?${name.replace(/[^\w]/g, '')}\\s*\\(`);
  for (let i = 0; i < lines.length; i++) {
    if (!re.test(lines[i]) || /;\s*$/.test(lines[i])) continue;
    // a prototype continued on the next lines ends with ';' before any '{'
    const ahead = lines.slice(i, i + 12).join('\n');
    const brace = ahead.indexOf('{');
    const semi = ahead.indexOf(';');
    if (brace !== -1 && (semi === -1 || brace < semi)) return i + 1;
  }
  return undefined;
}

async function censusVersion(v: Version) {
  const dir = kernelDir(v);
  const files = treeFiles(dir);
  let lines = 0;
  let bytes = 0;
  for (const f of files) {
    const t = fs.readFileSync(f, 'utf8');
    bytes += Buffer.byteLength(t);
    for (let k = t.indexOf('\n'); k !== -1; k = t.indexOf('\n', k + 1)) lines++;
  }
  // the states decide what is over budget, not the machine's load: two runs agree
  const run = await measureCheck(files, v, undefined, REPEATABLE_BUDGET);
  const perRule = new Map<string, { error: number; warning: number; info: number; total: number }>();
  const overBudget: { where: string; function: string; why: string }[] = [];
  let overBudgetCount = 0;
  const slowest: { where: string; function: string; millis: number }[] = [];
  for (const r of run.results) {
    overBudgetCount += r.overBudget;
    for (const d of r.diagnostics) {
      const e = perRule.get(d.rule) ?? { error: 0, warning: 0, info: 0, total: 0 };
      e[d.severity as 'error' | 'warning' | 'info']++;
      e.total++;
      perRule.set(d.rule, e);
      if (d.rule === 'analysis-incomplete') {
        overBudget.push({ where: `${path.relative(dir, d.file)}:${d.line}`, function: d.function, why: /\((more than [^)]*)\)|more than \d+ (?:states|ms)/.exec(d.message)?.[0] ?? '' });
      }
    }
    if (r.slowest) slowest.push({ where: path.relative(dir, r.file), function: r.slowest.name, millis: r.slowest.millis });
  }
  slowest.sort((a, b) => b.millis - a.millis);
  const top = slowest.slice(0, 10).map((s) => {
    const line = definitionLine(fs.readFileSync(path.join(dir, s.where), 'utf8'), s.function);
    return { where: line ? `${s.where}:${line}` : s.where, function: s.function, millis: Number(s.millis.toFixed(1)) };
  });
  const rules = [...perRule].sort((a, b) => b[1].total - a[1].total).map(([rule, c]) => ({ rule, ...c, per100kLines: Number(((100000 * c.total) / lines).toFixed(2)) }));
  const total = rules.reduce((a, r) => a + r.total, 0);

  const u = await measureUncertain(uncertainFiles(dir), { dir, quick: true });
  const defs = u.masked.functions + u.masked.lost;
  const uncertain = u.masked.damaged + u.masked.lost;
  return {
    version: v,
    tree: dir,
    files: files.length,
    lines,
    megabytes: Number((bytes / 1e6).toFixed(1)),
    functionsSimulated: run.functions,
    filesWithErrors: run.errors,
    findings: { total, per100kLines: Number(((100000 * total) / lines).toFixed(2)), rules },
    uncertainControlFlow: {
      functionDefinitions: defs,
      uncertain,
      share: Number(((100 * uncertain) / defs).toFixed(3)),
      causes: [...u.causes].sort((a, b) => b[1].count - a[1].count).slice(0, 10).map(([cause, c]) => ({ cause, count: c.count, example: c.examples[0] })),
    },
    overBudget: { count: overBudgetCount, share: Number(((100 * overBudgetCount) / run.functions).toFixed(3)), functions: overBudget },
    slowestFunctions: top,
  };
}

async function main(): Promise<void> {
  const versions = (arg('--versions') ?? '6.12,6.1').split(',') as Version[];
  const outDir = path.resolve(arg('--out') ?? path.join(ROOT, 'bench', 'results'));
  fs.mkdirSync(outDir, { recursive: true });
  const out = [];
  for (const v of versions) {
    const c = await censusVersion(v);
    out.push(c);
    const p = (s: string) => void process.stdout.write(s + '\n');
    p(`\n== ${v}: fs/ + mm/, ${c.files} .c files, ${c.lines} lines, ${c.megabytes} MB; ${c.functionsSimulated} functions simulated`);
    p(`findings: ${c.findings.total} (${c.findings.per100kLines} per 100k lines)`);
    p(`  ${'rule'.padEnd(32)} ${'total'.padStart(6)} ${'error'.padStart(6)} ${'warn'.padStart(6)} ${'info'.padStart(6)} ${'/100k'.padStart(7)}`);
    for (const r of c.findings.rules) p(`  ${r.rule.padEnd(32)} ${String(r.total).padStart(6)} ${String(r.error).padStart(6)} ${String(r.warning).padStart(6)} ${String(r.info).padStart(6)} ${r.per100kLines.toFixed(2).padStart(7)}`);
    const silent = Object.keys(RULES).filter((k) => !c.findings.rules.some((r) => r.rule === k));
    if (silent.length) p(`  no findings: ${silent.join(', ')}`);
    p(`uncertain control flow: ${c.uncertainControlFlow.uncertain} of ${c.uncertainControlFlow.functionDefinitions} function definitions (${c.uncertainControlFlow.share} %)`);
    p(`over budget: ${c.overBudget.count} of ${c.functionsSimulated} simulated (${c.overBudget.share} %)${c.overBudget.functions.length ? ': ' + c.overBudget.functions.map((f) => `${f.function} (${f.where})`).join(', ') : ''}`);
    p('ten slowest functions (simulation):');
    for (const s of c.slowestFunctions) p(`  ${s.millis.toFixed(1).padStart(7)} ms  ${s.function}  ${s.where}`);
  }
  fs.writeFileSync(path.join(outDir, 'census.json'), JSON.stringify({ date: new Date().toISOString(), command: 'npm run census', source: gitSource(), versions: out }, null, 1) + '\n');
  process.stdout.write(`\nwrote ${path.relative(process.cwd(), path.join(outDir, 'census.json'))}\n`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
