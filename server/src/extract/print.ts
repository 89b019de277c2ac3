/**
 * A readable dump of a function's IR, one line per event and terminator.
 * Used by the tests (with `loc: false`) and by `folio-lens ir`.
 */
import type { Arg, AssignSrc, Cond, Event, FunctionIR, Loc, ReturnValue, Terminator } from '../../../simulator/src/ir';

export interface PrintOptions {
  /** append `@line:col` to events and terminators (default true) */
  loc?: boolean;
  /** print the header lines (name, params, locals, annotations, uncertainties; default true) */
  header?: boolean;
}

function at(l: Loc, on: boolean): string {
  return on ? `  @${l.line}:${l.column}` : '';
}

export function printArg(a: Arg): string {
  if (!a.var) return a.text;
  const target = a.field ? `${a.var}.${a.field}` : a.var;
  return a.text === target ? target : `${a.text}=>${target}`;
}

function printSrc(s: AssignSrc): string {
  switch (s.kind) {
    case 'var':
      return s.name;
    case 'const':
      return String(s.value);
    case 'errptr':
      return 'ERR_PTR';
    case 'not':
      return '!' + s.name;
    case 'unknown':
      return `?(${s.text})`;
  }
}

export function printCond(c: Cond): string {
  switch (c.kind) {
    case 'truthy':
      return c.var;
    case 'iserr':
      return `IS_ERR(${c.var})`;
    case 'iserr-or-null':
      return `IS_ERR_OR_NULL(${c.var})`;
    case 'cmp':
      return `${c.var} ${c.op} ${c.value}`;
    case 'unknown':
      return '?';
  }
}

export function printEvent(e: Event): string {
  switch (e.kind) {
    case 'call': {
      const call = `${e.callee}(${e.args.map(printArg).join(', ')})`;
      return e.result ? `${e.result} = ${call}` : call;
    }
    case 'assign':
      return `${e.dst} := ${printSrc(e.src)}`;
    case 'store':
      return `store ${e.var} -> ${e.target}`;
    case 'use':
      return `use ${e.var} (${e.text})`;
  }
}

function printValue(v: ReturnValue): string {
  if (v.var) return v.var;
  if (v.const !== undefined) return String(v.const);
  if (v.errptr) return 'ERR_PTR';
  return `?(${v.text})`;
}

export function printTerm(t: Terminator, showLoc = false): string {
  switch (t.kind) {
    case 'goto':
      return `goto b${t.target}`;
    case 'branch': {
      const shown = printCond(t.cond);
      const note = t.cond.kind === 'unknown' || shown !== t.text ? `  [${t.text}]` : '';
      return `if ${shown} then b${t.then} else b${t.else}${note}${at(t.loc, showLoc)}`;
    }
    case 'switch':
      return `switch ${t.targets.map((x) => 'b' + x).join(' ')}  [${t.text}]${at(t.loc, showLoc)}`;
    case 'return': {
      let s = 'return';
      if (t.value) s += ' ' + printValue(t.value);
      if (t.cleanups.length) s += ' cleanup ' + t.cleanups.map((c) => `${c.fn}(${c.var})`).join(' ');
      return s + at(t.loc, showLoc);
    }
    case 'noreturn':
      return 'noreturn' + at(t.loc, showLoc);
  }
}

export function printIR(fn: FunctionIR, opts: PrintOptions = {}): string {
  const showLoc = opts.loc !== false;
  const lines: string[] = [];
  if (opts.header !== false) {
    const params = fn.params.map((p) => `${p.kind}${p.out ? '**' : ''} ${p.name}`).join(', ');
    lines.push(`function ${fn.name}(${params}) -> ${fn.returns}${at(fn.loc, showLoc)}`);
    for (const a of fn.annotations) lines.push(`  ${a.kind} ${a.text}${a.param ? ` (param ${a.param})` : ''}`);
    if (fn.locals.length) lines.push(`  locals ${fn.locals.map((l) => `${l.kind} ${l.name}`).join(', ')}`);
    for (const u of fn.uncertain) lines.push(`  uncertain ${u.loc.line}:${u.loc.column} ${u.reason}`);
  }
  for (const b of fn.blocks) {
    lines.push(`b${b.id}:${b.id === fn.entry ? ' (entry)' : ''}`);
    for (const e of b.events) lines.push(`  ${printEvent(e)}${at(e.loc, showLoc)}`);
    lines.push(`  ${printTerm(b.term, showLoc)}`);
  }
  return lines.join('\n');
}
