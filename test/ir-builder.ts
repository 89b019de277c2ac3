/**
 * A tiny builder for hand-written FunctionIR in simulator tests.
 *
 *   const f = new Fn('foo', { params: [['folio', 'folio']], locals: [['page', 'page']] });
 *   const b0 = f.block(), b1 = f.block(), b2 = f.block();
 *   b0.call(10, 'filemap_get_folio', ['mapping', '0'], 'folio')
 *     .branch(11, iserr('folio'), 'IS_ERR(folio)', b1, b2);
 *   b1.ret(12, { const: -2 });
 *   b2.call(13, 'folio_put', ['folio']).ret(14, { const: 0 });
 *   const ir = f.build();
 *
 * Argument strings: an identifier or member path (`folio`, `ctx->folio`, `$1`)
 * denotes that variable; `&folio` denotes `folio` by address; `&folio->lru`
 * is the member `lru` of `folio`; anything else is plain text.
 */
import type {
  Annotation, Arg, AssignSrc, Block, Cleanup, Cond, Event, FunctionIR, Loc, Param, ReturnValue, Terminator, ValueKind,
} from '../simulator/src/ir';

export function L(line: number, column = 1): Loc {
  return { line, column, endLine: line, endColumn: column + 1 };
}

export function arg(text: string): Arg {
  const field = /^&([A-Za-z_$][\w$]*)->(\w+)$/.exec(text);
  if (field && field[2] !== 'page') return { text, var: field[1], field: field[2] };
  if (field) return { text, var: field[1] };
  const addr = /^&([A-Za-z_$][\w$]*)$/.exec(text);
  if (addr) return { text, var: addr[1] };
  if (/^[A-Za-z_$][\w$]*(->\w+)*$/.test(text) && !/^[A-Z_0-9]+$/.test(text)) return { text, var: text };
  return { text };
}

export const truthy = (v: string): Cond => ({ kind: 'truthy', var: v });
export const iserr = (v: string): Cond => ({ kind: 'iserr', var: v });
export const iserrOrNull = (v: string): Cond => ({ kind: 'iserr-or-null', var: v });
export const cmp = (v: string, op: '<' | '<=' | '>' | '>=' | '==' | '!=', value: number): Cond => ({ kind: 'cmp', var: v, op, value });
export const unknownCond: Cond = { kind: 'unknown' };

export class BlockB {
  readonly events: Event[] = [];
  term?: Terminator;
  constructor(readonly id: number) {}

  call(line: number, callee: string, args: string[] = [], result?: string, resultUsed?: boolean): this {
    this.events.push({ kind: 'call', callee, args: args.map(arg), result, resultUsed: resultUsed ?? result !== undefined, loc: L(line) });
    return this;
  }
  assign(line: number, dst: string, src: AssignSrc | string | number): this {
    const s: AssignSrc = typeof src === 'string' ? { kind: 'var', name: src } : typeof src === 'number' ? { kind: 'const', value: src } : src;
    this.events.push({ kind: 'assign', dst, src: s, loc: L(line) });
    return this;
  }
  use(line: number, v: string, text = `${v}->index`): this {
    this.events.push({ kind: 'use', var: v, text, loc: L(line) });
    return this;
  }
  store(line: number, v: string, target: string): this {
    this.events.push({ kind: 'store', var: v, target, loc: L(line) });
    return this;
  }
  goto(target: BlockB): void {
    this.term = { kind: 'goto', target: target.id };
  }
  branch(line: number, cond: Cond, text: string, then: BlockB, els: BlockB): void {
    this.term = { kind: 'branch', cond, then: then.id, else: els.id, loc: L(line), text };
  }
  switch(line: number, text: string, targets: BlockB[]): void {
    this.term = { kind: 'switch', targets: targets.map((t) => t.id), loc: L(line), text };
  }
  ret(line: number, value?: ReturnValue | string | number, cleanups: [string, string, number][] = []): void {
    let v: ReturnValue | undefined;
    if (typeof value === 'string') v = { text: value, var: value };
    else if (typeof value === 'number') v = { text: String(value), const: value };
    else v = value;
    const cl: Cleanup[] = cleanups.map(([name, fn, l]) => ({ var: name, fn, loc: L(l) }));
    this.term = { kind: 'return', value: v, cleanups: cl, loc: L(line) };
  }
  noreturn(line: number): void {
    this.term = { kind: 'noreturn', loc: L(line) };
  }
}

export interface FnSpec {
  params?: [string, ValueKind, boolean?][];
  locals?: [string, ValueKind][];
  /** every local name (any type); when given, other plain names are globals */
  localNames?: string[];
  returns?: FunctionIR['returns'];
  returnsPointer?: boolean;
  annotations?: [Annotation['kind'], string][];
  line?: number;
}

export class Fn {
  readonly blocks: BlockB[] = [];
  constructor(readonly name: string, readonly spec: FnSpec = {}) {}

  block(): BlockB {
    const b = new BlockB(this.blocks.length);
    this.blocks.push(b);
    return b;
  }

  build(): FunctionIR {
    const line = this.spec.line ?? 1;
    const params: Param[] = (this.spec.params ?? []).map(([name, kind, out], index) => ({ name, index, kind, ...(out ? { out } : {}) }));
    const blocks: Block[] = this.blocks.map((b) => {
      if (!b.term) throw new Error(`block ${b.id} of ${this.name} has no terminator`);
      return { id: b.id, events: b.events, term: b.term };
    });
    return {
      name: this.name,
      loc: { line, column: 1, endLine: 1000, endColumn: 2 },
      nameLoc: L(line, 5),
      params,
      returns: this.spec.returns ?? 'int',
      annotations: (this.spec.annotations ?? []).map(([kind, text]) => ({ kind, text, param: params.find((p) => p.name === text)?.name, loc: L(line) })),
      locals: (this.spec.locals ?? []).map(([name, kind]) => ({ name, kind })),
      ...(this.spec.localNames ? { localNames: this.spec.localNames } : {}),
      ...(this.spec.returnsPointer !== undefined ? { returnsPointer: this.spec.returnsPointer } : {}),
      blocks,
      entry: 0,
      uncertain: [],
    };
  }
}

/** A function of one block: the events built by `body`, then `return ret`. */
export function linear(name: string, spec: FnSpec, body: (b: BlockB) => void, retLine: number, ret?: ReturnValue | string | number): FunctionIR {
  const f = new Fn(name, spec);
  const b = f.block();
  body(b);
  b.ret(retLine, ret);
  return f.build();
}
