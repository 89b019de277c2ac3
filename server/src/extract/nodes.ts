/**
 * Cheap node access. Every property of a web-tree-sitter node that is not
 * `startIndex`/`startPosition` is a call into wasm that marshals the node
 * first; extraction asks for the type and end of the same nodes many times.
 * These helpers cache them per node id for the tree being extracted, look
 * field ids up once, and slice node text from the file's string directly.
 */
import type { Tree, SyntaxNode } from '../parser';

let curTree: Tree | undefined;
let curText = '';
const types = new Map<number, string>();
const ends = new Map<number, number>();
const fieldIds = new Map<string, number>();

/** Start extracting from `tree`, whose source is `text` (the masked text). */
export function beginTree(tree: Tree, text: string): void {
  if (curTree !== tree || curText !== text) {
    types.clear();
    ends.clear();
    curTree = tree;
    curText = text;
  }
}

/** Forget the cached facts (call when the tree is done with). */
export function endTree(): void {
  types.clear();
  ends.clear();
  curTree = undefined;
  curText = '';
}

export function ty(n: SyntaxNode): string {
  let t = types.get(n.id);
  if (t === undefined) {
    t = n.type;
    types.set(n.id, t);
  }
  return t;
}

export function end(n: SyntaxNode): number {
  let e = ends.get(n.id);
  if (e === undefined) {
    e = n.endIndex;
    ends.set(n.id, e);
  }
  return e;
}

function fieldId(n: SyntaxNode, name: string): number {
  let id = fieldIds.get(name);
  if (id === undefined) {
    id = n.tree.language.fields.indexOf(name);
    fieldIds.set(name, id);
  }
  return id;
}

/** The child in field `name`. */
export function fld(n: SyntaxNode, name: string): SyntaxNode | null {
  const id = fieldId(n, name);
  return id < 0 ? null : n.childForFieldId(id);
}

/** All children in field `name`. */
export function flds(n: SyntaxNode, name: string): (SyntaxNode | null)[] {
  const id = fieldId(n, name);
  return id < 0 ? [] : n.childrenForFieldId(id);
}

/** The node's (masked) source text. */
export function txt(n: SyntaxNode): string {
  if (n.tree === curTree) return curText.slice(n.startIndex, end(n));
  return n.text;
}
