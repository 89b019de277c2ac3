/**
 * The workspace contracts file (`foliolens.contractsFile`): extra contracts
 * for a subsystem's own helpers, in the shape of simulator/src/contract-types.ts.
 *
 *     { "contracts": [
 *         { "name": "myfs_get_folio", "source": "fs/myfs/folio.c: myfs_get_folio()",
 *           "doc": "Looks the folio up and locks it.",
 *           "effects": [], "returns": { "kind": "folio", "ref": true, "locked": true, "fail": "err" } },
 *         { "name": "myfs_put_folio", "effects": [{ "op": "unlock" }, { "op": "put" }] } ] }
 *
 * (a bare array is accepted too). `api` defaults to "folio", `versions` to
 * every version, `source` to the file, `doc` to "". Validation names the
 * file and the field of every problem; an entry with a problem is left out,
 * the others and the built-in table keep working.
 *
 * Hostile files (readContractsFile, and the limits below): the file must
 * be inside a workspace folder once symbolic links are resolved (refused
 * otherwise, there is no opt-in: copy it into the workspace), a regular
 * file, and at most MAX_CONTRACTS_FILE_BYTES; a document may hold at most
 * MAX_CONTRACTS entries of at most MAX_EFFECTS effects, strings of at most
 * MAX_STRING characters, and nest at most MAX_DEPTH levels. Each refusal
 * names the file and the field.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Contract, Effect } from '../../simulator/src/contract-types';
import { KERNEL_VERSIONS } from '../../simulator/src/contract-types';

export interface ContractsFileResult {
  contracts: Contract[];
  /** one line each: `<file>: contracts[2].effects[0].op: ...` */
  errors: string[];
}

/** Larger contracts files are refused (a real one is a few kilobytes). */
export const MAX_CONTRACTS_FILE_BYTES = 1024 * 1024;
/** entries in one file */
export const MAX_CONTRACTS = 2000;
/** effects in one entry */
export const MAX_EFFECTS = 32;
/** characters in a name, doc, source or pair */
export const MAX_STRING = 1000;
/** nesting of arrays and objects anywhere in the document */
export const MAX_DEPTH = 8;

const OPS: Record<Effect['op'], { fields: string[]; required?: string[] }> = {
  get: { fields: ['arg', 'n'] },
  put: { fields: ['arg', 'n', 'nArg'] },
  lock: { fields: ['arg'] },
  unlock: { fields: ['arg'] },
  'require-locked': { fields: ['arg', 'rule'], required: ['rule'] },
  'wb-start': { fields: ['arg'] },
  'wb-end': { fields: ['arg'] },
  'dirty-set': { fields: ['arg'] },
  'dirty-clear': { fields: ['arg'] },
  'uptodate-set': { fields: ['arg'] },
  'uptodate-clear': { fields: ['arg'] },
  'private-attach': { fields: ['arg'] },
  'private-detach': { fields: ['arg'] },
  'private-set-raw': { fields: ['arg'] },
  'private-clear-raw': { fields: ['arg'] },
  'private2-start': { fields: ['arg', 'ref'], required: ['ref'] },
  'private2-end': { fields: ['arg', 'ref'], required: ['ref'] },
  'private2-set-raw': { fields: ['arg'] },
  'private2-clear-raw': { fields: ['arg'] },
  handoff: { fields: ['arg'] },
  use: { fields: ['arg'] },
  'pair-begin': { fields: ['arg', 'pair', 'onResult'], required: ['pair'] },
  'pair-end': { fields: ['arg', 'pair'], required: ['pair'] },
  'pair-not-after': { fields: ['arg', 'pair', 'rule'], required: ['pair', 'rule'] },
  'dax-map': { fields: ['outArgs'], required: ['outArgs'] },
  'userspace-wait': { fields: [] },
  'cache-fill': { fields: ['arg', 'flagsArg'] },
};

const CONTRACT_FIELDS = new Set(['name', 'api', 'versions', 'source', 'effects', 'outcome', 'returns', 'reportsPrevious', 'doc', 'trigger']);
const RETURNS_FIELDS = new Set(['kind', 'ref', 'locked', 'flagsArg', 'fail']);

class Invalid extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

function isObj(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function oneOf(field: string, v: unknown, allowed: readonly string[]): void {
  if (typeof v !== 'string' || !allowed.includes(v)) throw new Invalid(field, `${JSON.stringify(v)} is not one of ${allowed.join(', ')}`);
}

function index(field: string, v: unknown): void {
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 31) throw new Invalid(field, `${JSON.stringify(v)} is not an argument number (0 for the first argument)`);
}

function bool(field: string, v: unknown): void {
  if (typeof v !== 'boolean') throw new Invalid(field, `${JSON.stringify(v)} is not true or false`);
}

function str(field: string, v: unknown): void {
  if (typeof v === 'string' && v.length > MAX_STRING) throw new Invalid(field, `a string of ${v.length} characters (at most ${MAX_STRING})`);
}

function unknownFields(at: string, o: Record<string, unknown>, known: Set<string> | string[]): void {
  const k = known instanceof Set ? known : new Set(known);
  for (const f of Object.keys(o)) if (!k.has(f)) throw new Invalid(`${at}.${f}`, `unknown field (known: ${[...k].join(', ')})`);
}

function effect(at: string, e: unknown): Effect {
  if (!isObj(e)) throw new Invalid(at, 'an effect is an object like {"op": "put"}');
  const op = e.op;
  if (typeof op !== 'string' || !Object.prototype.hasOwnProperty.call(OPS, op)) {
    throw new Invalid(`${at}.op`, `${JSON.stringify(op)} is not an effect (one of ${Object.keys(OPS).join(', ')})`);
  }
  const spec = OPS[op as Effect['op']];
  unknownFields(at, e, ['op', ...spec.fields]);
  for (const r of spec.required ?? []) if (!(r in e)) throw new Invalid(`${at}.${r}`, `missing (needed by op "${op}")`);
  if ('arg' in e) index(`${at}.arg`, e.arg);
  if ('nArg' in e) index(`${at}.nArg`, e.nArg);
  if ('n' in e && (!Number.isInteger(e.n) || (e.n as number) < 1 || (e.n as number) > 64)) throw new Invalid(`${at}.n`, `${JSON.stringify(e.n)} is not a count of references (1 to 64)`);
  if ('rule' in e) oneOf(`${at}.rule`, e.rule, op === 'pair-not-after' ? ['cookie-writeback-pin'] : ['writeback-unlocked', 'dirty-clear-unlocked']);
  if ('flagsArg' in e) index(`${at}.flagsArg`, e.flagsArg);
  if ('outArgs' in e) {
    if (!Array.isArray(e.outArgs) || e.outArgs.length === 0 || e.outArgs.length > 8) throw new Invalid(`${at}.outArgs`, 'a list of 1 to 8 argument indexes (the `&kaddr`, `&pfn` arguments)');
    e.outArgs.forEach((x, i) => index(`${at}.outArgs[${i}]`, x));
  }
  if ('ref' in e) bool(`${at}.ref`, e.ref);
  if ('onResult' in e) bool(`${at}.onResult`, e.onResult);
  if ('pair' in e && (typeof e.pair !== 'string' || !e.pair)) throw new Invalid(`${at}.pair`, 'a pair is named by a non-empty string');
  if ('pair' in e) str(`${at}.pair`, e.pair);
  return { ...e } as Effect;
}

function contract(at: string, c: unknown, file: string): Contract {
  if (!isObj(c)) throw new Invalid(at, 'a contract is an object with at least "name" and "effects"');
  unknownFields(at, c, CONTRACT_FIELDS);
  str(`${at}.name`, c.name);
  str(`${at}.source`, c.source);
  str(`${at}.doc`, c.doc);
  if (typeof c.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(c.name)) throw new Invalid(`${at}.name`, `${c.name === undefined ? 'missing' : JSON.stringify(c.name) + ' is not a C identifier'}`);
  const api = c.api ?? 'folio';
  oneOf(`${at}.api`, api, ['folio', 'page', 'pair', 'other']);
  let versions: Contract['versions'] = [];
  if (c.versions !== undefined) {
    if (!Array.isArray(c.versions)) throw new Invalid(`${at}.versions`, `a list of kernel versions (${KERNEL_VERSIONS.join(', ')})`);
    if (c.versions.length > KERNEL_VERSIONS.length) throw new Invalid(`${at}.versions`, `${c.versions.length} entries (there are ${KERNEL_VERSIONS.length} kernel versions: ${KERNEL_VERSIONS.join(', ')})`);
    c.versions.forEach((v, i) => oneOf(`${at}.versions[${i}]`, v, KERNEL_VERSIONS));
    versions = c.versions as Contract['versions'];
  }
  if (c.source !== undefined && typeof c.source !== 'string') throw new Invalid(`${at}.source`, 'a string (where the helper is defined)');
  if (c.doc !== undefined && typeof c.doc !== 'string') throw new Invalid(`${at}.doc`, 'a string (one line for hovers)');
  if (!Array.isArray(c.effects)) throw new Invalid(`${at}.effects`, c.effects === undefined ? 'missing (a list of effects, [] for none)' : 'a list of effects');
  if (c.effects.length > MAX_EFFECTS) throw new Invalid(`${at}.effects`, `${c.effects.length} effects (at most ${MAX_EFFECTS})`);
  const effects = c.effects.map((e, i) => effect(`${at}.effects[${i}]`, e));
  if (c.outcome !== undefined) oneOf(`${at}.outcome`, c.outcome, ['true', 'zero']);
  if (c.reportsPrevious !== undefined) bool(`${at}.reportsPrevious`, c.reportsPrevious);
  if (c.trigger !== undefined) bool(`${at}.trigger`, c.trigger);
  let returns: Contract['returns'];
  if (c.returns !== undefined) {
    const r = c.returns;
    const ra = `${at}.returns`;
    if (!isObj(r)) throw new Invalid(ra, 'an object like {"kind": "folio", "ref": true, "locked": false, "fail": "null"}');
    unknownFields(ra, r, RETURNS_FIELDS);
    oneOf(`${ra}.kind`, r.kind, ['folio', 'page']);
    bool(`${ra}.ref`, r.ref);
    if (r.locked !== 'flags') bool(`${ra}.locked`, r.locked);
    if (r.locked === 'flags') index(`${ra}.flagsArg`, r.flagsArg);
    else if (r.flagsArg !== undefined) throw new Invalid(`${ra}.flagsArg`, 'only with "locked": "flags"');
    oneOf(`${ra}.fail`, r.fail, ['null', 'err', 'null-or-err', 'never']);
    returns = { ...r } as unknown as Contract['returns'];
  }
  const out: Contract = {
    name: c.name,
    api: api as Contract['api'],
    versions,
    source: (c.source as string | undefined) ?? file,
    effects,
    doc: (c.doc as string | undefined) ?? '',
  };
  if (c.outcome !== undefined) out.outcome = c.outcome as Contract['outcome'];
  if (returns) out.returns = returns;
  if (c.reportsPrevious !== undefined) out.reportsPrevious = c.reportsPrevious as boolean;
  if (c.trigger !== undefined) out.trigger = c.trigger as boolean;
  return out;
}

/** The path of the first value nested deeper than MAX_DEPTH ('' for the top), or undefined. */
function tooDeep(v: unknown, at: string, depth: number): string | undefined {
  if (!v || typeof v !== 'object') return undefined;
  if (depth >= MAX_DEPTH) return at;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = tooDeep(v[i], `${at}[${i}]`, depth + 1);
      if (r !== undefined) return r;
    }
  } else {
    for (const [k, x] of Object.entries(v)) {
      const r = tooDeep(x, at ? `${at}.${k}` : k, depth + 1);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}

/** Whether `p` is `dir` or inside it (both real paths). */
function inside(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Read the contracts file at `file` for a workspace of `folders`: refused
 * (an `error` naming the file and the setting) when it is outside every
 * folder once symbolic links are resolved, not a regular file, or larger
 * than MAX_CONTRACTS_FILE_BYTES. Never reads more than that.
 */
export function readContractsFile(file: string, folders: readonly string[] | null, setting = 'foliolens.contractsFile'): { text: string } | { error: string } {
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch (e) {
    return { error: `${setting}: ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  // null: named on a command line by the user, who may keep it anywhere
  const realFolders = (folders ?? []).map((f) => {
    try {
      return fs.realpathSync(f);
    } catch {
      return path.resolve(f);
    }
  });
  if (folders !== null && !realFolders.some((d) => inside(real, d))) {
    const where = realFolders.length ? `outside the workspace (${realFolders.join(', ')})` : 'not in a workspace folder (no folder is open)';
    return { error: `${setting}: ${file}${real !== path.resolve(file) ? ` (really ${real})` : ''} is ${where}; it is not read. Put the contracts file inside the workspace and name it relative to the workspace folder` };
  }
  let fd: number | undefined;
  try {
    fd = fs.openSync(real, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { error: `${setting}: ${file} is not a regular file; it is not read` };
    if (st.size > MAX_CONTRACTS_FILE_BYTES) return { error: `${setting}: ${file} is ${st.size} bytes, more than the ${MAX_CONTRACTS_FILE_BYTES} bytes (1 MB) a contracts file may have; it is not read` };
    const buf = Buffer.alloc(Math.min(st.size, MAX_CONTRACTS_FILE_BYTES) + 1);
    let got = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) break;
      got += n;
      if (got > MAX_CONTRACTS_FILE_BYTES) return { error: `${setting}: ${file} grew past the ${MAX_CONTRACTS_FILE_BYTES} bytes (1 MB) a contracts file may have while it was read; it is not read` };
      if (got === buf.length) break;
    }
    return { text: buf.subarray(0, got).toString('utf8') };
  } catch (e) {
    return { error: `${setting}: ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Where a JSON.parse error happened, as a line number, if the message says. */
function jsonErrorLine(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m) return '';
  const pos = Number(m[1]);
  let line = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return ` (line ${line})`;
}

/** Parse and validate the text of a contracts file named `file` (the name is used in messages only). */
export function parseContractsFile(file: string, text: string): ContractsFileResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const m = (e as Error).message;
    return { contracts: [], errors: [`${file}: not valid JSON${jsonErrorLine(text, m)}: ${m}`] };
  }
  const deep = tooDeep(doc, '', 0);
  if (deep !== undefined) return { contracts: [], errors: [`${file}: ${deep || '(top level)'}: nested more than ${MAX_DEPTH} levels deep`] };
  let list: unknown;
  let base = 'contracts';
  if (Array.isArray(doc)) {
    list = doc;
    base = '';
  } else if (isObj(doc)) {
    for (const k of Object.keys(doc)) {
      if (k !== 'contracts' && k !== '$schema' && k !== 'comment') return { contracts: [], errors: [`${file}: ${k}: unknown field (the file is {"contracts": [...]})`] };
    }
    list = doc.contracts;
    if (!Array.isArray(list)) return { contracts: [], errors: [`${file}: contracts: ${list === undefined ? 'missing' : 'not a list'} (the file is {"contracts": [...]})`] };
  } else {
    return { contracts: [], errors: [`${file}: the file is {"contracts": [...]}, not ${JSON.stringify(doc)}`] };
  }
  if ((list as unknown[]).length > MAX_CONTRACTS) {
    return { contracts: [], errors: [`${file}: ${base || '(top level)'}: ${(list as unknown[]).length} entries (at most ${MAX_CONTRACTS})`] };
  }
  const contracts: Contract[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  (list as unknown[]).forEach((c, i) => {
    const at = `${base}[${i}]`;
    try {
      const k = contract(at, c, file);
      if (seen.has(k.name + '@' + k.versions.join(','))) throw new Invalid(`${at}.name`, `"${k.name}" is already described by an earlier entry for the same versions`);
      seen.add(k.name + '@' + k.versions.join(','));
      contracts.push(k);
    } catch (e) {
      if (e instanceof Invalid) errors.push(`${file}: ${e.field}: ${e.message}`);
      else errors.push(`${file}: ${at}: ${(e as Error).message}`);
    }
  });
  return { contracts, errors };
}
