/**
 * Declarations: declarators, the lifecycle kind of a type, function
 * headers (name, parameters, return kind) and lock annotations.
 */
import type { SyntaxNode } from '../parser';
import type { Annotation, Param, ValueKind } from '../../../simulator/src/ir';
import type { SourceText } from './text';
import { fld, ty, txt } from './nodes';

export interface DeclaratorInfo {
  name: string;
  nameNode: SyntaxNode | null;
  /** number of `*` between the type and the name */
  pointers: number;
  array: boolean;
  /** a function declarator was crossed (function pointers, prototypes) */
  func: boolean;
}

/** Unwrap a declarator (pointer, array, init, parenthesized, attributed) down to its name. */
export function declaratorInfo(d: SyntaxNode | null): DeclaratorInfo {
  const info: DeclaratorInfo = { name: '', nameNode: null, pointers: 0, array: false, func: false };
  let n = d;
  for (let guard = 0; n && guard < 64; guard++) {
    switch (ty(n)) {
      case 'identifier':
      case 'field_identifier':
      case 'type_identifier':
        info.name = txt(n);
        info.nameNode = n;
        return info;
      case 'pointer_declarator':
      case 'abstract_pointer_declarator':
        info.pointers++;
        n = fld(n, 'declarator');
        break;
      case 'array_declarator':
      case 'abstract_array_declarator':
        info.array = true;
        n = fld(n, 'declarator');
        break;
      case 'function_declarator':
      case 'abstract_function_declarator':
        info.func = true;
        n = fld(n, 'declarator');
        break;
      case 'init_declarator':
      case 'attributed_declarator':
        n = fld(n, 'declarator') ?? n.firstNamedChild;
        break;
      case 'parenthesized_declarator':
      case 'abstract_parenthesized_declarator':
        n = n.firstNamedChild;
        break;
      default:
        return info;
    }
  }
  return info;
}

/** 'folio' for `struct folio`, 'page' for `struct page`, else 'other'. */
export function structKind(type: SyntaxNode | null): ValueKind {
  if (!type || ty(type) !== 'struct_specifier') return 'other';
  const name = fld(type, 'name');
  if (!name) return 'other';
  const t = txt(name);
  return t === 'folio' ? 'folio' : t === 'page' ? 'page' : 'other';
}

export interface FunctionHeader {
  name: string;
  nameNode: SyntaxNode | null;
  params: Param[];
  returns: ValueKind | 'int' | 'void';
  /** the declarator puts a `*` before the function's name */
  returnsPointer: boolean;
  /** the function_declarator node */
  declarator: SyntaxNode | null;
}

/** Find the function_declarator of a definition and count the pointers before it. */
function findFunctionDeclarator(d: SyntaxNode | null): { fd: SyntaxNode | null; pointers: number } {
  let pointers = 0;
  let n = d;
  for (let guard = 0; n && guard < 64; guard++) {
    if (ty(n) === 'function_declarator') return { fd: n, pointers };
    if (ty(n) === 'pointer_declarator') pointers++;
    if (ty(n) === 'pointer_declarator' || ty(n) === 'attributed_declarator' || ty(n) === 'init_declarator') {
      n = fld(n, 'declarator');
    } else if (ty(n) === 'parenthesized_declarator') {
      n = n.firstNamedChild;
    } else {
      return { fd: null, pointers };
    }
  }
  return { fd: null, pointers };
}

export function functionHeader(def: SyntaxNode, src: SourceText): FunctionHeader {
  const type = fld(def, 'type');
  const { fd, pointers } = findFunctionDeclarator(fld(def, 'declarator'));
  let name = '';
  let nameNode: SyntaxNode | null = null;
  const params: Param[] = [];
  if (fd) {
    const inner = declaratorInfo(fld(fd, 'declarator'));
    name = inner.name;
    nameNode = inner.nameNode;
    const plist = fld(fd, 'parameters');
    if (plist) {
      let index = 0;
      for (const p of plist.namedChildren) {
        if (!p || ty(p) !== 'parameter_declaration') continue;
        const pd = fld(p, 'declarator');
        const ptype = fld(p, 'type');
        if (!pd) {
          // `(void)` or an unnamed parameter
          if (ptype && ty(ptype) === 'primitive_type' && txt(ptype) === 'void' && plist.namedChildCount === 1) break;
          index++;
          continue;
        }
        const info = declaratorInfo(pd);
        const sk = structKind(ptype);
        let kind: ValueKind = 'other';
        let out = false;
        if (sk !== 'other' && !info.func) {
          if (info.pointers === 1 && !info.array) kind = sk;
          else if (info.pointers === 2 && !info.array) {
            kind = sk;
            out = true;
          }
        }
        const param: Param = { name: info.name, index, kind };
        if (out) param.out = true;
        if (info.name) params.push(param);
        index++;
      }
    }
  }
  let returns: FunctionHeader['returns'] = 'int';
  const sk = structKind(type);
  if (pointers === 1 && sk !== 'other') returns = sk;
  else if (pointers >= 1) returns = 'other';
  else if (type && ty(type) === 'primitive_type' && txt(type) === 'void') returns = 'void';
  // SYSCALL_DEFINEn(name, ...) headers rewritten by the mask: name them sys_<name>.
  const body = fld(def, 'body');
  const headerEnd = body ? body.startIndex : def.endIndex;
  for (const r of src.rewrites.within(def.startIndex, headerEnd, 'syscall')) {
    const m = /^\s*(COMPAT_)?SYSCALL_DEFINE\w*\s*\(\s*(\w+)/.exec(r.original);
    if (m) {
      name = (m[1] ? 'compat_sys_' : 'sys_') + m[2];
      break;
    }
  }
  return { name, nameNode, params, returns, returnsPointer: pointers >= 1, declarator: fd };
}

const ANNOT: Record<string, Annotation['kind']> = {
  __acquires: 'acquires',
  __releases: 'releases',
  __must_hold: 'must_hold',
};

/** Lock annotations blanked by the mask between the start of the definition's first line and its body. */
export function headerAnnotations(def: SyntaxNode, body: SyntaxNode | null, params: Param[], src: SourceText): Annotation[] {
  const out: Annotation[] = [];
  if (src.rewrites.size === 0) return out;
  const from = src.lines.lineStart(src.lines.row(def.startIndex));
  const to = body ? body.startIndex : def.endIndex;
  for (const r of src.rewrites.within(from, to, 'annotation')) {
    const m = /^\s*(__acquires|__releases|__must_hold)\s*\(([\s\S]*)\)\s*$/.exec(r.original);
    if (!m) continue;
    const text = m[2].replace(/\s+/g, ' ').trim();
    const a: Annotation = { kind: ANNOT[m[1]], text, loc: src.loc(r.start, r.end) };
    const pm = /^&?\s*\(?\s*([A-Za-z_]\w*)\s*\)?\s*(->|\.|$)/.exec(text);
    if (pm && params.some((p) => p.name === pm[1])) a.param = pm[1];
    out.push(a);
  }
  return out;
}
