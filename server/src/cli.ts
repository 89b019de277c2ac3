/**
 * The folio-lens command line.
 *
 *   folio-lens check [--format text|json|sarif] [--kernel-version 6.1|6.12] [--rule ID]... [--jobs N] PATH...
 *   folio-lens simulate FILE FUNCTION [--format text|json] [--kernel-version V]
 *   folio-lens patch [--tree DIR] [--format text|json] [--kernel-version V] PATCH|-
 *   folio-lens patch --git A..B|COMMIT | --uncommitted [--format text|json] [--kernel-version V]
 *
 * Exit status of check: 0 without error or warning findings, 1 with
 * findings, 2 on usage errors or when nothing could be read.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Analyzer, AnalyzeOptions } from './analyze';
import { analyzeFiles } from './pool';
import { collectFiles } from './files';
import { compareDiagnostics, Diagnostic } from './diagnostic';
import { formatText } from './format/text';
import { formatJson } from './format/json';
import { formatSarif } from './format/sarif';
import { simulationJson, simulationText } from './format/simulate';
import { KERNEL_VERSIONS, DEFAULT_KERNEL_VERSION, KernelVersion, type Contract } from '../../simulator/src/contract-types';
import { parseContractsFile, readContractsFile } from './contracts-file';
import { isRuleId, RULE_IDS } from '../../simulator/src/rules';
import { runPatch } from './patch/cli';
import { resolveBackend, setDefaultBackend, PARSER_CHOICES, DEFAULT_PARSER, type ParserChoice } from './parser';

const VERSION: string = (() => {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')).version;
  } catch {
    return '0.0.0';
  }
})();

const USAGE = `usage:
  folio-lens check [--format text|json|sarif] [--kernel-version ${KERNEL_VERSIONS.join('|')}] [--rule ID]... [--jobs N] [--contracts FILE] PATH...
  folio-lens simulate FILE FUNCTION [--format text|json] [--kernel-version ${KERNEL_VERSIONS.join('|')}] [--contracts FILE]
  folio-lens patch [--tree DIR] [--format text|json] [--kernel-version ${KERNEL_VERSIONS.join('|')}] [--rule ID]... PATCH|-
  folio-lens patch --git A..B|COMMIT | --uncommitted [--format text|json] [--kernel-version ${KERNEL_VERSIONS.join('|')}]
  folio-lens --version
every command also takes --contracts FILE: a JSON contracts file for a subsystem's
own helpers (the format of the editor's foliolens.contractsFile, docs/contracts.md);
a broken file is reported with its field and the command exits 2.
every command also takes --parser auto|native|wasm (or FOLIO_LENS_PARSER): the
tree-sitter runtime (auto: native when its module loads, else wasm); default ${DEFAULT_PARSER}.

check: analyse .c and .h files (folders recursively) and report folio/page
lifecycle findings. Exit 0 when there is no error or warning, 1 when there
are, 2 on usage errors or when nothing could be read.
simulate: show each path through FUNCTION with the state of every folio after every step.
patch: apply a diff, a format-patch mail or a series (PATCH, or - for stdin) in memory
to the files under DIR (default: here), or take commits from git, and report the
findings the patch introduces, fixes and leaves in the functions it touches
(--uncommitted: the checkout's uncommitted changes against HEAD). Exit 1 when it
introduces any, 0 when not, 2 when it does not apply.
rules: ${RULE_IDS.join(', ')}`;

class UsageError extends Error {}

interface Parsed {
  command: string;
  positional: string[];
  format: string;
  kernelVersion: KernelVersion;
  rules: string[];
  jobs?: number;
  tree?: string;
  git?: string;
  uncommitted?: boolean;
  parser?: string;
  /** the --contracts file */
  contractsFile?: string;
  /** its contracts, once loaded */
  contracts?: Contract[];
}

export function parseArgs(argv: string[]): Parsed {
  const [command, ...rest] = argv;
  if (!command) throw new UsageError('no command given');
  const p: Parsed = { command, positional: [], format: 'text', kernelVersion: DEFAULT_KERNEL_VERSION, rules: [] };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = (): string => {
      const eq = a.indexOf('=');
      if (eq !== -1) return a.slice(eq + 1);
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    const name = a.startsWith('--') ? a.split('=')[0] : a;
    switch (name) {
      case '--format': p.format = value(); break;
      case '--kernel-version': {
        const v = value();
        if (!KERNEL_VERSIONS.includes(v as KernelVersion)) throw new UsageError(`unknown kernel version '${v}' (known: ${KERNEL_VERSIONS.join(', ')})`);
        p.kernelVersion = v as KernelVersion;
        break;
      }
      case '--rule': {
        const v = value();
        for (const r of v.split(',')) {
          if (!isRuleId(r)) throw new UsageError(`unknown rule '${r}' (known: ${RULE_IDS.join(', ')})`);
          p.rules.push(r);
        }
        break;
      }
      case '--tree': p.tree = value(); break;
      case '--contracts': p.contractsFile = value(); break;
      case '--git': p.git = value(); break;
      case '--uncommitted': p.uncommitted = true; break;
      case '--parser': {
        const v = value();
        if (!PARSER_CHOICES.includes(v as ParserChoice)) throw new UsageError(`unknown parser '${v}' (${PARSER_CHOICES.join(', ')})`);
        p.parser = v;
        break;
      }
      case '--jobs': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) throw new UsageError('--jobs needs a positive integer');
        p.jobs = n;
        break;
      }
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option '${a}'`);
        p.positional.push(a);
    }
  }
  return p;
}

async function check(p: Parsed): Promise<number> {
  if (!['text', 'json', 'sarif'].includes(p.format)) throw new UsageError(`unknown format '${p.format}' (text, json or sarif)`);
  if (p.positional.length === 0) throw new UsageError('check needs at least one file or folder');
  const start = performance.now();
  const { files, errors } = collectFiles(p.positional);
  for (const e of errors) process.stderr.write(`folio-lens: ${e}\n`);
  if (files.length === 0) {
    process.stderr.write('folio-lens: no .c or .h file to check\n');
    return 2;
  }
  const opts: AnalyzeOptions = { kernelVersion: p.kernelVersion, rules: p.rules, contracts: p.contracts };
  const tty = process.stderr.isTTY;
  const results = await analyzeFiles(files, opts, {
    jobs: p.jobs,
    onResult: (r, done, total) => {
      if (r.error) process.stderr.write(`${tty ? '\r\x1b[K' : ''}folio-lens: ${r.file}: ${r.error}\n`);
      if (r.notice) process.stderr.write(`${tty ? '\r\x1b[K' : ''}folio-lens: ${r.file}: ${r.notice}\n`);
      if (tty && (done % 16 === 0 || done === total)) process.stderr.write(`\r\x1b[Kfolio-lens: ${done}/${total} files`);
    },
  });
  if (tty) process.stderr.write('\r\x1b[K');
  const diags: Diagnostic[] = results.flatMap((r) => r.diagnostics).sort(compareDiagnostics);
  const unread = results.filter((r) => r.error && /^cannot read/.test(r.error)).length;
  const stats = {
    files: files.length - unread,
    functions: results.reduce((n, r) => n + r.functions, 0),
    seconds: (performance.now() - start) / 1000,
  };
  if (p.format === 'json') process.stdout.write(formatJson(diags, stats));
  else if (p.format === 'sarif') process.stdout.write(formatSarif(diags, { version: VERSION, cwd: process.cwd() }));
  else process.stdout.write(formatText(diags, stats, { color: process.stdout.isTTY }));
  if (unread === files.length) return 2;
  return diags.some((d) => d.severity === 'error' || d.severity === 'warning') ? 1 : 0;
}

async function simulate(p: Parsed): Promise<number> {
  if (!['text', 'json'].includes(p.format)) throw new UsageError(`unknown format '${p.format}' (text or json)`);
  if (p.positional.length !== 2) throw new UsageError('simulate needs a file and a function name');
  const [file, name] = p.positional;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    process.stderr.write(`folio-lens: ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
    return 2;
  }
  const analyzer = await Analyzer.create();
  const sim = analyzer.simulate(text, /^\d+$/.test(name) ? { line: Number(name) } : { name }, { kernelVersion: p.kernelVersion, contracts: p.contracts });
  if (!sim) {
    process.stderr.write(`folio-lens: ${file}: no function '${name}'\n`);
    return 2;
  }
  if (p.format === 'json') process.stdout.write(JSON.stringify(simulationJson(file, sim.fn, sim.result), null, 2) + '\n');
  else process.stdout.write(simulationText(file, sim.fn, sim.result));
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  try {
    if (argv[0] === '--version' || argv[0] === '-V') {
      process.stdout.write(`folio-lens ${VERSION}\n`);
      return 0;
    }
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      process.stdout.write(USAGE + '\n');
      return argv.length === 0 ? 2 : 0;
    }
    const p = parseArgs(argv);
    if (['check', 'simulate', 'patch'].includes(p.command)) {
      let choice;
      try {
        choice = await resolveBackend(p.parser);
      } catch (e) {
        // a parser asked for (by --parser or FOLIO_LENS_PARSER) that cannot be had
        process.stderr.write(`folio-lens: ${(e as Error).message}\n`);
        return 2;
      }
      if (choice.notice) process.stderr.write(choice.notice + '\n');
      setDefaultBackend(choice.backend);
    }
    if (p.contractsFile !== undefined) {
      const read = readContractsFile(p.contractsFile, null, '--contracts');
      if ('error' in read) {
        process.stderr.write(`folio-lens: ${read.error}\n`);
        return 2;
      }
      const parsed = parseContractsFile(p.contractsFile, read.text);
      for (const e of parsed.errors) process.stderr.write(`folio-lens: ${e}\n`);
      if (parsed.errors.length) return 2;
      p.contracts = parsed.contracts;
    }
    switch (p.command) {
      case 'check': return await check(p);
      case 'simulate': return await simulate(p);
      case 'patch': {
        if (!['text', 'json'].includes(p.format)) throw new UsageError(`unknown format '${p.format}' (text or json)`);
        const fromGit = p.git !== undefined || p.uncommitted;
        if (p.git !== undefined && p.uncommitted) throw new UsageError('patch takes --git or --uncommitted, not both');
        if (fromGit ? p.positional.length !== 0 : p.positional.length !== 1) {
          throw new UsageError(fromGit ? 'patch --git and --uncommitted take no patch file' : 'patch needs one patch file (or - for stdin)');
        }
        return await runPatch({ ...p, format: p.format as 'text' | 'json' });
      }
      default: throw new UsageError(`unknown command '${p.command}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`folio-lens: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`folio-lens: internal error: ${(e as Error).stack ?? e}\n`);
    return 2;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
