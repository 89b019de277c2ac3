/**
 * The whole bench suite, one run: `npm run bench`.
 *
 *   node out/bench/index.js [--versions 6.12,6.1] [--out bench/results]
 *
 * For each kernel tree (../shared/scripts/kernel-source 6.12 and 6.1):
 *   1. whole-tree check of fs/ + mm/ (.c) against a bare single-thread
 *      tree-sitter parse of the same files in the same run, with each
 *      parser backend (native, wasm) side by side (speed.ts);
 *   2. language-server latency on mm/filemap.c: 200 one-character edits,
 *      didChange → publishDiagnostics, and hovers (lsp-latency.ts);
 *   3. memory: peak RSS of the CLI (a child process, all worker threads
 *      included) on fs/ + mm/ with each backend, and of the server with fs/ + mm/ + include/
 *      indexed (lsp-memory.ts);
 *   4. scaling: the check on mm/ alone, fs/ alone and both.
 * Writes bench/results/bench.json, bench/results/latency.svg (CDF of the
 * edit latencies) and bench/results/scaling.svg (check time against input
 * size). The machine may be shared: the load average is recorded around
 * every phase.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gitSource, kernelDir, treeFiles, measureCheck, CheckRun, compareBackends, backendTable, cliBackend, cliPeakRss } from './speed';
import type { Backend } from '../server/src/parser';
import { measureLatency } from './lsp-latency';
import { measureMemory } from './lsp-memory';

type Version = '6.12' | '6.1';
const ROOT = path.resolve(__dirname, '..', '..');
const REPEATS = Number(process.env.FOLIO_LENS_BENCH_REPEATS ?? 2);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i !== -1 ? process.argv[i + 1] : undefined;
}

const load = (): number[] => os.loadavg().map((x) => Number(x.toFixed(2)));
const r2 = (x: number, d = 2): number => Number(x.toFixed(d));
const log = (s: string): void => void process.stdout.write(s + '\n');

function bytesOf(files: string[]): number {
  let n = 0;
  for (const f of files) n += fs.statSync(f).size;
  return n;
}

function checkSummary(run: CheckRun, files: number, bytes: number) {
  const total = Object.values(run.split).reduce((a, b) => a + b, 0) || 1;
  return {
    files,
    megabytes: r2(bytes / 1e6),
    wallSeconds: r2(run.wall),
    cpuSeconds: r2(run.cpu),
    workers: run.workers,
    filesPerSecond: r2(files / run.wall, 0),
    megabytesPerSecond: r2(bytes / 1e6 / run.wall),
    split: Object.fromEntries(Object.entries(run.split).map(([k, v]) => [k, { seconds: r2(v / 1000), share: r2(v / total, 3) }])),
    functions: run.functions,
    findings: run.findings,
    errors: run.errors,
  };
}

export { cliPeakRss };

async function benchVersion(v: Version) {
  const dir = kernelDir(v);
  const files = treeFiles(dir);
  const mm = files.filter((f) => f.startsWith(path.join(dir, 'mm') + path.sep));
  const fsf = files.filter((f) => f.startsWith(path.join(dir, 'fs') + path.sep));
  const bytes = bytesOf(files);
  log(`\n== ${v}: ${dir}, ${files.length} .c files in fs/ + mm/, ${(bytes / 1e6).toFixed(1)} MB`);
  const loads: Record<string, number[]> = { start: load() };

  // 1. whole tree against a bare parse, each backend: bare parse and check
  // alternate between the backends, REPEATS times; the faster of each is kept
  // (the machine is shared: the slower run is mostly other jobs' time)
  const backendRuns = await compareBackends(files, v, REPEATS, (s) => {
    log(s);
    loads[`after ${s.split(':')[0]} ${Object.keys(loads).length}`] = load();
  });
  const dflt = cliBackend();
  const main = backendRuns.find((r) => r.backend === dflt)!;
  const run: CheckRun = main.check;
  const bare = main.bare;
  const bareCpu = bare.cpu;
  const check = checkSummary(run, files.length, bytes);
  const ratio = run.wall / bare.seconds;
  log(`best of ${REPEATS}, the CLI's backend (${dflt}): check, ${run.workers} workers: ${run.wall.toFixed(2)} s wall, ${run.cpu.toFixed(2)} s CPU, ${check.filesPerSecond} files/s, ${check.megabytesPerSecond} MB/s; ratio check/bare ${ratio.toFixed(2)} wall, ${(run.cpu / bareCpu).toFixed(2)} CPU (bare ${bareCpu.toFixed(2)} s CPU)`);
  log(`  worker time: ${Object.entries(check.split).map(([k, s]) => `${k} ${s.seconds} s (${(s.share * 100).toFixed(0)} %)`).join(', ')}`);

  // 4. scaling (both = the run above); mm/ and fs/ differ in density (most of
  // mm/ touches folios, much of fs/ is skipped unparsed), so interleaved
  // thirds of the whole list (every file i with i % 3 == 0, < 2) are measured too
  const scaling = [];
  const third = files.filter((_, i) => i % 3 === 0);
  const twoThirds = files.filter((_, i) => i % 3 < 2);
  for (const [label, fl] of [['mm/', mm], ['fs/', fsf], ['1/3 of fs/ + mm/', third], ['2/3 of fs/ + mm/', twoThirds]] as const) {
    const r = await measureCheck(fl, v);
    scaling.push({ input: label, files: fl.length, megabytes: r2(bytesOf(fl) / 1e6), wallSeconds: r2(r.wall), cpuSeconds: r2(r.cpu) });
  }
  scaling.push({ input: 'fs/ + mm/', files: files.length, megabytes: r2(bytes / 1e6), wallSeconds: r2(run.wall), cpuSeconds: r2(run.cpu) });
  loads.afterScaling = load();
  const fit = fitLine(scaling.map((s) => [s.megabytes, s.cpuSeconds]));
  const fitWall = fitLine(scaling.map((s) => [s.megabytes, s.wallSeconds]));
  log(`scaling, CPU = ${fit.intercept.toFixed(2)} s + ${fit.slope.toFixed(3)} s/MB (R² ${fit.r2.toFixed(3)}): ` + scaling.map((s) => `${s.input} ${s.megabytes} MB ${s.wallSeconds} s wall ${s.cpuSeconds} s CPU`).join('; '));

  // 3a. CLI peak RSS, each backend
  const clis = new Map<Backend, Awaited<ReturnType<typeof cliPeakRss>>>();
  for (const r of backendRuns) {
    const c = await cliPeakRss([path.join(dir, 'fs'), path.join(dir, 'mm')], v, r.backend);
    clis.set(r.backend, c);
    loads[`afterCli ${r.backend}`] = load();
    log(`CLI peak RSS on fs/ + mm/, --parser ${r.backend}: ${(c.kb / 1024).toFixed(0)} MB (${c.how}; ${c.seconds.toFixed(1)} s, exit ${c.exit})`);
  }
  const cli = clis.get(dflt)!;
  log(`backends side by side (best of ${REPEATS}):\n${backendTable(backendRuns, new Map([...clis].map(([b, c]) => [b, c.kb])))}`);

  // 2. language server latency
  const filemap = path.join(dir, 'mm', 'filemap.c');
  const lat = await measureLatency(filemap, { edits: 200 });
  loads.afterLsp = load();
  const e = lat.result.edits;
  log(`LSP mm/filemap.c: didChange → publishDiagnostics p50 ${e.p50.toFixed(1)} ms, p95 ${e.p95.toFixed(1)} ms, max ${e.max.toFixed(1)} ms; hover on a call p50 ${lat.result.hoverCall.p50.toFixed(1)} ms p95 ${lat.result.hoverCall.p95.toFixed(1)} ms`);

  // 3b. server memory with fs/ + mm/ + include/ indexed
  const mem = await measureMemory(dir);
  loads.afterMemory = load();
  log(`server: indexed in ${mem.indexSeconds.toFixed(1)} s, peak RSS ${(mem.peak / 1024).toFixed(0)} MB (sampled), VmHWM ${(mem.afterOpen.hwm / 1024).toFixed(0)} MB, after indexing ${(mem.afterIndex.rss / 1024).toFixed(0)} MB`);

  return {
    version: v,
    tree: dir,
    loadAverage: loads,
    check: { backend: dflt, ...check, bareParse: { seconds: r2(bare.seconds), cpuSeconds: r2(bareCpu), megabytesPerSecond: r2(bare.bytes / 1e6 / bare.seconds) }, ratio: r2(ratio), cpuRatio: r2(run.cpu / bareCpu) },
    backends: Object.fromEntries(backendRuns.map((r) => [r.backend, {
      bareParse: { seconds: r2(r.bare.seconds), cpuSeconds: r2(r.bare.cpu), megabytesPerSecond: r2(r.bare.bytes / 1e6 / r.bare.seconds) },
      check: checkSummary(r.check, files.length, bytes),
      ratio: r2(r.check.wall / r.bare.seconds),
      cpuRatio: r2(r.check.cpu / r.bare.cpu),
      ratioToWasmBare: r2(r.check.wall / (backendRuns.find((x) => x.backend === 'wasm') ?? r).bare.seconds),
      cliPeakRssMegabytes: r2((clis.get(r.backend)?.kb ?? 0) / 1024, 0),
    }])),
    scaling: {
      points: scaling,
      cpu: { interceptSeconds: r2(fit.intercept, 3), secondsPerMegabyte: r2(fit.slope, 4), r2: r2(fit.r2, 4) },
      wall: { interceptSeconds: r2(fitWall.intercept, 3), secondsPerMegabyte: r2(fitWall.slope, 4), r2: r2(fitWall.r2, 4) },
    },
    cli: { backend: dflt, peakRssMegabytes: r2(cli.kb / 1024, 0), seconds: r2(cli.seconds), how: cli.how, exit: cli.exit },
    lsp: { ...lat.result, editSamplesMs: lat.samples.map((x) => r2(x, 2)) },
    server: {
      indexLog: mem.line,
      indexSeconds: r2(mem.indexSeconds, 1),
      rssAfterInitializeMegabytes: r2(mem.base.rss / 1024, 0),
      peakRssSampledMegabytes: r2(mem.peak / 1024, 0),
      vmHwmMegabytes: r2(mem.afterOpen.hwm / 1024, 0),
      rssAfterIndexMegabytes: r2(mem.afterIndex.rss / 1024, 0),
      rssWithFilemapOpenMegabytes: r2(mem.afterOpen.rss / 1024, 0),
    },
  };
}

/** Least squares y = intercept + slope * x, with R². */
function fitLine(pts: [number, number][]): { intercept: number; slope: number; r2: number } {
  const n = pts.length;
  const mx = pts.reduce((a, [x]) => a + x, 0) / n;
  const my = pts.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = pts.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = pts.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const slope = sxx ? sxy / sxx : 0;
  const intercept = my - slope * mx;
  const ssTot = pts.reduce((a, [, y]) => a + (y - my) ** 2, 0);
  const ssRes = pts.reduce((a, [x, y]) => a + (y - intercept - slope * x) ** 2, 0);
  return { intercept, slope, r2: ssTot ? 1 - ssRes / ssTot : 1 };
}

// ---- SVG, by hand ----

const COLORS = ['#1f77b4', '#d62728', '#2ca02c'];
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

interface Axes { w: number; h: number; left: number; right: number; top: number; bottom: number; xmax: number; ymax: number }

function frame(a: Axes, title: string, xlabel: string, ylabel: string, xticks: number[], yticks: number[]): string[] {
  const X = (x: number) => a.left + (x / a.xmax) * (a.w - a.left - a.right);
  const Y = (y: number) => a.h - a.bottom - (y / a.ymax) * (a.h - a.top - a.bottom);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${a.w}" height="${a.h}" viewBox="0 0 ${a.w} ${a.h}" font-family="sans-serif" font-size="12">`,
    `<rect width="${a.w}" height="${a.h}" fill="white"/>`,
    `<text x="${a.w / 2}" y="18" text-anchor="middle" font-size="14">${esc(title)}</text>`,
  ];
  for (const t of xticks) {
    out.push(`<line x1="${X(t).toFixed(1)}" y1="${a.top}" x2="${X(t).toFixed(1)}" y2="${a.h - a.bottom}" stroke="#eee"/>`);
    out.push(`<text x="${X(t).toFixed(1)}" y="${a.h - a.bottom + 15}" text-anchor="middle">${t}</text>`);
  }
  for (const t of yticks) {
    out.push(`<line x1="${a.left}" y1="${Y(t).toFixed(1)}" x2="${a.w - a.right}" y2="${Y(t).toFixed(1)}" stroke="#eee"/>`);
    out.push(`<text x="${a.left - 6}" y="${(Y(t) + 4).toFixed(1)}" text-anchor="end">${t}</text>`);
  }
  out.push(`<line x1="${a.left}" y1="${a.h - a.bottom}" x2="${a.w - a.right}" y2="${a.h - a.bottom}" stroke="black"/>`);
  out.push(`<line x1="${a.left}" y1="${a.top}" x2="${a.left}" y2="${a.h - a.bottom}" stroke="black"/>`);
  out.push(`<text x="${(a.left + a.w - a.right) / 2}" y="${a.h - 8}" text-anchor="middle">${esc(xlabel)}</text>`);
  out.push(`<text transform="translate(14 ${(a.top + a.h - a.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(ylabel)}</text>`);
  return out;
}

function ticks(max: number, n = 5): number[] {
  const raw = max / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = 0; t <= max + 1e-9; t += step) out.push(Number(t.toFixed(6)));
  return out;
}

/** CDF of the edit latencies, one line per tree, with the p50/p95 marked. */
export function latencySvg(series: { label: string; samples: number[]; p50: number; p95: number }[]): string {
  const xmaxRaw = Math.max(...series.flatMap((s) => s.samples), 1);
  const xt = ticks(xmaxRaw);
  const xmax = Math.max(xt[xt.length - 1], xmaxRaw);
  const a: Axes = { w: 640, h: 360, left: 56, right: 20, top: 30, bottom: 44, xmax, ymax: 100 };
  const X = (x: number) => a.left + (x / a.xmax) * (a.w - a.left - a.right);
  const Y = (y: number) => a.h - a.bottom - (y / a.ymax) * (a.h - a.top - a.bottom);
  const out = frame(a, 'didChange → publishDiagnostics, mm/filemap.c, 200 one-character edits (CDF)', 'latency (ms)', '% of edits at or below', xt, [0, 25, 50, 75, 100]);
  // the goal
  out.push(`<line x1="${X(25)}" y1="${a.top}" x2="${X(25)}" y2="${a.h - a.bottom}" stroke="#999" stroke-dasharray="4 3"/>`);
  out.push(`<text x="${X(25) + 4}" y="${a.top + 12}" fill="#666">goal p95 ≤ 25 ms</text>`);
  out.push(`<line x1="${a.left}" y1="${Y(95)}" x2="${a.w - a.right}" y2="${Y(95)}" stroke="#bbb" stroke-dasharray="2 3"/>`);
  series.forEach((s, k) => {
    const xs = [...s.samples].sort((p, q) => p - q);
    let d = `M ${X(0).toFixed(1)} ${Y(0).toFixed(1)}`;
    xs.forEach((x, i) => {
      d += ` H ${X(x).toFixed(1)} V ${Y((100 * (i + 1)) / xs.length).toFixed(1)}`;
    });
    out.push(`<path d="${d}" fill="none" stroke="${COLORS[k % COLORS.length]}" stroke-width="1.8"/>`);
    out.push(`<text x="${a.w - a.right - 8}" y="${Y(40) + 16 * k}" text-anchor="end" fill="${COLORS[k % COLORS.length]}">${esc(`${s.label}: p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms`)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Check time (CPU seconds, all threads; and wall) against input size, with the fit through the origin. */
export function scalingSvg(series: { label: string; points: { input: string; megabytes: number; wallSeconds: number; cpuSeconds: number }[]; slope: number; intercept: number }[]): string {
  const xmaxRaw = Math.max(...series.flatMap((s) => s.points.map((p) => p.megabytes)), 1) * 1.05;
  const ymaxRaw = Math.max(...series.flatMap((s) => s.points.map((p) => Math.max(p.cpuSeconds, p.wallSeconds))), 1) * 1.1;
  const xt = ticks(xmaxRaw);
  const yt = ticks(ymaxRaw);
  const a: Axes = { w: 640, h: 360, left: 56, right: 20, top: 30, bottom: 44, xmax: Math.max(xt[xt.length - 1], xmaxRaw), ymax: Math.max(yt[yt.length - 1], ymaxRaw) };
  const X = (x: number) => a.left + (x / a.xmax) * (a.w - a.left - a.right);
  const Y = (y: number) => a.h - a.bottom - (y / a.ymax) * (a.h - a.top - a.bottom);
  const out = frame(a, 'check time against input size (mm/, fs/, 1/3, 2/3 and all of fs/ + mm/)', 'input (MB of .c)', 'seconds', xt, yt);
  series.forEach((s, k) => {
    const c = COLORS[k % COLORS.length];
    out.push(`<line x1="${X(0)}" y1="${Y(s.intercept).toFixed(1)}" x2="${X(a.xmax)}" y2="${Y(s.intercept + s.slope * a.xmax).toFixed(1)}" stroke="${c}" stroke-width="1.2"/>`);
    for (const p of s.points) {
      out.push(`<circle cx="${X(p.megabytes).toFixed(1)}" cy="${Y(p.cpuSeconds).toFixed(1)}" r="4" fill="${c}"><title>${esc(`${s.label} ${p.input}: ${p.megabytes} MB, ${p.cpuSeconds} s CPU`)}</title></circle>`);
      out.push(`<rect x="${(X(p.megabytes) - 3.5).toFixed(1)}" y="${(Y(p.wallSeconds) - 3.5).toFixed(1)}" width="7" height="7" fill="none" stroke="${c}"><title>${esc(`${s.label} ${p.input}: ${p.wallSeconds} s wall`)}</title></rect>`);
    }
    out.push(`<text x="${a.left + 10}" y="${a.top + 16 + 16 * k}" fill="${c}">${esc(`${s.label}: CPU ≈ ${s.intercept.toFixed(2)} s + ${s.slope.toFixed(3)} s/MB (least squares)`)}</text>`);
  });
  out.push(`<text x="${a.left + 10}" y="${a.top + 16 + 16 * series.length}" fill="#444">● CPU seconds (all threads)   □ wall seconds</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

async function main(): Promise<void> {
  const versions = (arg('--versions') ?? '6.12,6.1').split(',') as Version[];
  const outDir = path.resolve(arg('--out') ?? path.join(ROOT, 'bench', 'results'));
  fs.mkdirSync(outDir, { recursive: true });
  const cpus = os.cpus();
  const machine = { nproc: os.availableParallelism(), cpu: cpus[0]?.model, node: process.version, platform: `${os.type()} ${os.release()}`, memoryMegabytes: r2(os.totalmem() / 2 ** 20, 0) };
  const started = new Date().toISOString();
  log(`folio-lens bench, ${started}: ${machine.nproc} x ${machine.cpu}, node ${machine.node}, load ${load().join(' ')}`);
  const runs = [];
  for (const v of versions) runs.push(await benchVersion(v));
  const result = { started, finished: new Date().toISOString(), machine, command: 'npm run bench', source: gitSource(), runs };
  fs.writeFileSync(path.join(outDir, 'bench.json'), JSON.stringify(result, null, 1) + '\n');
  fs.writeFileSync(path.join(outDir, 'latency.svg'), latencySvg(runs.map((r) => ({ label: r.version, samples: r.lsp.editSamplesMs, p50: r.lsp.edits.p50, p95: r.lsp.edits.p95 }))));
  fs.writeFileSync(path.join(outDir, 'scaling.svg'), scalingSvg(runs.map((r) => ({ label: r.version, points: r.scaling.points, slope: r.scaling.cpu.secondsPerMegabyte, intercept: r.scaling.cpu.interceptSeconds }))));
  log(`\nwrote ${path.relative(process.cwd(), path.join(outDir, 'bench.json'))}, latency.svg, scaling.svg`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
