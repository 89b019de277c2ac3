/**
 * How much of the kernel the stock C grammar cannot parse, before and after
 * kernel-aware masking.
 *
 *   node out/bench/uncertain.js [KERNEL_DIR] [--top N] [--examples N]
 *       [--show CAUSE] [--show-top-level] [--rewrites KIND] [--unknown-blocks] [--headers]
 *
 *   --show CAUSE       print each damaged function of that residual cause (original and masked line)
 *   --show-top-level   print the ERROR/MISSING nodes at the top level of the masked parse
 *   --rewrites KIND    count the rewrites of one kind by their original text
 *   --unknown-blocks   list `NAME(...) {` heads that are not known loop/guard macros
 *   --headers          also every .h file under include/
 *
 * Over every .c file of KERNEL_DIR/fs and KERNEL_DIR/mm: parse the stock
 * text and the masked text, count function definitions and those whose
 * subtree holds an ERROR or MISSING node (functionDamage, the same test the
 * extractor uses), group the damaged ones after masking by the first token
 * of their first ERROR node (or the MISSING token), and time masking
 * against parsing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { createParser } from '../server/src/parser';
import type { SyntaxNode } from '../server/src/parser';
import { maskKernelC } from '../server/src/kernelc/mask';
import { functionDamage, firstDamage, functionDefinitions, lostFunctions } from '../server/src/kernelc/damage';

const DEFAULT_KERNEL = '/root/.cache/kernel-source/linux-6.12';

export interface Args {
  dir: string;
  show: string | undefined;
  top: number;
  unknownBlocks: boolean;
  examples: number;
  showTopLevel: boolean;
  listKind: string | undefined;
  headers: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { dir: DEFAULT_KERNEL, show: undefined, top: 30, unknownBlocks: false, examples: 1, showTopLevel: false, listKind: undefined, headers: false };
  for (let k = 0; k < argv.length; k++) {
    const v = argv[k];
    if (v === '--show') a.show = argv[++k];
    else if (v === '--top') a.top = Number(argv[++k]);
    else if (v === '--examples') a.examples = Number(argv[++k]);
    else if (v === '--unknown-blocks') a.unknownBlocks = true;
    else if (v === '--show-top-level') a.showTopLevel = true;
    else if (v === '--rewrites') a.listKind = argv[++k];
    else if (v === '--headers') a.headers = true;
    else a.dir = v;
  }
  return a;
}

function listC(dir: string, out: string[], ext = '.c'): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) listC(p, out, ext);
    else if (e.isFile() && e.name.endsWith(ext)) out.push(p);
  }
}

/** A short key naming why a function is damaged. */
function causeKey(node: SyntaxNode, text: string): string {
  if (node.isMissing) return `MISSING ${node.type}`;
  const s = text.slice(node.startIndex, Math.min(node.endIndex, node.startIndex + 200));
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*|\S)/.exec(s);
  const tok = m ? m[1] : '(empty)';
  return `ERROR ${tok}`;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let k = text.indexOf('\n'); k >= 0 && k < offset; k = text.indexOf('\n', k + 1)) line++;
  return line;
}

export interface Side {
  functions: number;
  lost: number;
  damaged: number;
  parseMs: number;
  topLevelErrors: number;
}

function countTopLevelErrors(root: SyntaxNode): number {
  let k = 0;
  for (const c of root.children) if (c && (c.isError || c.isMissing)) k++;
  return k;
}

export interface Measured {
  files: string[];
  bytes: number;
  lines: number;
  stock: Side;
  masked: Side;
  causes: Map<string, { count: number; examples: string[] }>;
  stockCauses: Map<string, number>;
  rewriteKinds: Map<string, number>;
  unknownBlocks: Map<string, { count: number; example: string }>;
  kindOriginals: Map<string, { count: number; example: string }>;
  maskMs: number;
  coldMaskMs: number;
  bestMaskMs: number;
}

/**
 * The measurement over `files` (printing only what --show and
 * --show-top-level ask for). With `quick`, only the masked side: no stock
 * parse, no separate masking passes (stock and the masking times stay 0).
 */
export async function measureUncertain(files: string[], args: Partial<Args> & { dir: string; quick?: boolean }): Promise<Measured> {
  const a: Args & { quick?: boolean } = { ...parseArgs([]), ...args };
  return measureWith(files, a);
}

async function measureWith(files: string[], args: Args & { quick?: boolean }): Promise<Measured> {
  const parser = await createParser();
  const stock: Side = { functions: 0, lost: 0, damaged: 0, parseMs: 0, topLevelErrors: 0 };
  const masked: Side = { functions: 0, lost: 0, damaged: 0, parseMs: 0, topLevelErrors: 0 };
  const causes = new Map<string, { count: number; examples: string[] }>();
  const stockCauses = new Map<string, number>();
  const rewriteKinds = new Map<string, number>();
  const unknownBlocks = new Map<string, { count: number; example: string }>();
  const kindOriginals = new Map<string, { count: number; example: string }>();
  let bytes = 0;
  let maskMs = 0;
  let lines = 0;

  // masking alone, over the texts in memory, before any parsing: the first
  // (cold, JIT warming up) pass and the best of three
  const texts = args.quick ? [] : files.map((f) => fs.readFileSync(f, 'utf8'));
  let coldMaskMs = 0;
  let bestMaskMs = Infinity;
  for (let pass = 0; pass < (args.quick ? 0 : 3); pass++) {
    const t0 = process.hrtime.bigint();
    for (const t of texts) maskKernelC(t);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (pass === 0) coldMaskMs = ms;
    bestMaskMs = Math.min(bestMaskMs, ms);
  }
  texts.length = 0;

  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    bytes += Buffer.byteLength(text);
    const rel = path.relative(args.dir, file);

    let t0 = process.hrtime.bigint();
    const mr = maskKernelC(text);
    maskMs += Number(process.hrtime.bigint() - t0) / 1e6;
    if (mr.text.length !== text.length) throw new Error(`${rel}: masked length differs`);
    for (const r of mr.rewrites) {
      rewriteKinds.set(r.kind, (rewriteKinds.get(r.kind) ?? 0) + 1);
      if (args.listKind === r.kind) {
        const key = r.original.replace(/\s+/g, ' ').slice(0, 60);
        const u = kindOriginals.get(key) ?? { count: 0, example: `${rel}:${lineOf(text, r.start)}` };
        u.count++;
        kindOriginals.set(key, u);
      }
    }
    if (args.unknownBlocks) {
      maskKernelC(text, {
        onUnknownBlockMacro: (name, off) => {
          const u = unknownBlocks.get(name) ?? { count: 0, example: `${rel}:${lineOf(text, off)}` };
          u.count++;
          unknownBlocks.set(name, u);
        },
      });
    }
    for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) lines++;

    let tree = null;
    if (!args.quick) {
    t0 = process.hrtime.bigint();
    tree = parser.parse(text);
    stock.parseMs += Number(process.hrtime.bigint() - t0) / 1e6;
    if (!tree) throw new Error(`${rel}: parse failed`);
    for (const fn of functionDefinitions(tree.rootNode)) {
      stock.functions++;
      if (functionDamage(fn)) {
        stock.damaged++;
        const d = firstDamage(fn);
        if (d) {
          const key = causeKey(d, text);
          stockCauses.set(key, (stockCauses.get(key) ?? 0) + 1);
        }
      }
    }
    stock.topLevelErrors += countTopLevelErrors(tree.rootNode);
    stock.lost += lostFunctions(tree.rootNode).length;
    tree.delete();
    }

    t0 = process.hrtime.bigint();
    tree = parser.parse(mr.text);
    masked.parseMs += Number(process.hrtime.bigint() - t0) / 1e6;
    if (!tree) throw new Error(`${rel}: parse failed`);
    for (const fn of functionDefinitions(tree.rootNode)) {
      masked.functions++;
      if (!functionDamage(fn)) continue;
      masked.damaged++;
      const d = firstDamage(fn);
      const key = d ? causeKey(d, mr.text) : 'unknown';
      let c = causes.get(key);
      if (!c) causes.set(key, (c = { count: 0, examples: [] }));
      c.count++;
      const at = d ?? fn;
      const where = `${rel}:${at.startPosition.row + 1}`;
      if (args.show !== undefined && key === args.show) {
        const lineStart = text.lastIndexOf('\n', at.startIndex) + 1;
        const lineEnd = text.indexOf('\n', at.startIndex);
        console.log(`${where}: ${text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd).trim()}`);
        console.log(`    masked: ${mr.text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd).trim()}`);
      }
      if (c.examples.length < args.examples) c.examples.push(where);
    }
    masked.topLevelErrors += countTopLevelErrors(tree.rootNode);
    for (const d of lostFunctions(tree.rootNode)) {
      masked.lost++;
      const key = 'LOST function in ERROR';
      let c = causes.get(key);
      if (!c) causes.set(key, (c = { count: 0, examples: [] }));
      c.count++;
      if (c.examples.length < args.examples) c.examples.push(`${rel}:${d.startPosition.row + 1}`);
    }
    if (args.showTopLevel) {
      for (const c of tree.rootNode.children) {
        if (!c || !(c.isError || c.isMissing)) continue;
        const lineStart = text.lastIndexOf('\n', c.startIndex) + 1;
        const lineEnd = text.indexOf('\n', c.startIndex);
        console.log(`top-level ${c.isMissing ? 'MISSING' : 'ERROR'} ${rel}:${c.startPosition.row + 1}: ${mr.text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd).trim()}`);
      }
    }
    tree.delete();
  }
  return { files, bytes, lines, stock, masked, causes, stockCauses, rewriteKinds, unknownBlocks, kindOriginals, maskMs, coldMaskMs, bestMaskMs };
}

/** The .c files of DIR/fs and DIR/mm (and with `headers`, the .h files of DIR/include), sorted. */
export function uncertainFiles(dir: string, headers = false): string[] {
  const files: string[] = [];
  listC(path.join(dir, 'fs'), files);
  listC(path.join(dir, 'mm'), files);
  if (headers) listC(path.join(dir, 'include'), files, '.h');
  return files;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const files = uncertainFiles(args.dir, args.headers);
  if (files.length === 0) {
    console.error(`no .c files under ${args.dir}/fs or ${args.dir}/mm`);
    process.exit(2);
  }
  const { bytes, lines, stock, masked, causes, stockCauses, rewriteKinds, unknownBlocks, kindOriginals, maskMs, coldMaskMs, bestMaskMs } = await measureWith(files, args);

  const pct = (a: number, b: number): string => (b === 0 ? '0.00' : ((100 * a) / b).toFixed(2));
  const mb = bytes / 1e6;
  console.log(`kernel: ${args.dir}`);
  console.log(`files: ${files.length} .c in fs/ + mm/${args.headers ? ' and .h in include/' : ''}, ${mb.toFixed(1)} MB, ${lines} lines`);
  console.log('');
  console.log('                 function defs  lost in ERROR  damaged or lost   share   top-level ERROR nodes');
  const row = (label: string, x: Side): string =>
    `${label.padEnd(16)} ${String(x.functions).padStart(13)} ${String(x.lost).padStart(14)} ${String(x.damaged + x.lost).padStart(16)} ${pct(x.damaged + x.lost, x.functions + x.lost).padStart(7)} % ${String(x.topLevelErrors).padStart(10)}`;
  console.log(row('stock grammar', stock));
  console.log(row('after masking', masked));
  const missing = Math.max(0, masked.functions + masked.lost - stock.functions - stock.lost);
  console.log(`stock over the masked count (functions the stock parse does not see at all, e.g. SYSCALL_DEFINE, counted as damaged): ${pct(stock.damaged + stock.lost + missing, masked.functions + masked.lost)} %`);
  console.log('');
  console.log(`masking: best of 3 passes over the texts in memory ${bestMaskMs.toFixed(0)} ms = ${(mb / (bestMaskMs / 1000)).toFixed(0)} MB/s; first (cold) pass ${coldMaskMs.toFixed(0)} ms = ${(mb / (coldMaskMs / 1000)).toFixed(0)} MB/s; interleaved with parsing ${maskMs.toFixed(0)} ms = ${(mb / (maskMs / 1000)).toFixed(0)} MB/s`);
  console.log(`parse stock: ${stock.parseMs.toFixed(0)} ms (${(mb / (stock.parseMs / 1000)).toFixed(1)} MB/s); parse masked: ${masked.parseMs.toFixed(0)} ms (${(mb / (masked.parseMs / 1000)).toFixed(1)} MB/s)`);
  console.log(`masking (best pass) costs ${pct(bestMaskMs, masked.parseMs)} % of parsing the masked text`);
  console.log('');
  console.log('rewrites: ' + [...rewriteKinds].sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${v}`).join(', '));
  console.log('');
  console.log(`stock causes (first ERROR/MISSING per damaged function), top ${args.top}:`);
  for (const [k, v] of [...stockCauses].sort((x, y) => y[1] - x[1]).slice(0, args.top)) {
    console.log(`  ${String(v).padStart(6)}  ${k}`);
  }
  console.log('');
  console.log(`residual causes after masking, top ${args.top}:`);
  for (const [k, v] of [...causes].sort((x, y) => y[1].count - x[1].count).slice(0, args.top)) {
    console.log(`  ${String(v.count).padStart(6)}  ${k.padEnd(36)} e.g. ${v.examples.join(', ')}`);
  }
  if (args.listKind !== undefined) {
    console.log('');
    console.log(`rewrites of kind ${args.listKind}, by original text:`);
    for (const [k, v] of [...kindOriginals].sort((x, y) => y[1].count - x[1].count).slice(0, args.top)) {
      console.log(`  ${String(v.count).padStart(6)}  ${k.padEnd(60)} e.g. ${v.example}`);
    }
  }
  if (args.unknownBlocks) {
    console.log('');
    console.log('unknown NAME(...) { inside braces:');
    for (const [k, v] of [...unknownBlocks].sort((x, y) => y[1].count - x[1].count).slice(0, args.top)) {
      console.log(`  ${String(v.count).padStart(6)}  ${k.padEnd(36)} e.g. ${v.example}`);
    }
  }
}

if (require.main === module) main().catch((e) => {
  console.error(e);
  process.exit(1);
});
