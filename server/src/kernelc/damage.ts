/**
 * Whether a parsed function definition is trustworthy: the extractor and
 * the `uncertain` bench both use these helpers so that they agree on what
 * "damaged" means. A function definition is damaged when its subtree holds
 * an ERROR node or a MISSING node (a token the parser invented to recover).
 */
import type { SyntaxNode } from '../parser';

/** True when `node` (normally a function_definition) contains an ERROR or MISSING node. */
export function functionDamage(node: SyntaxNode): boolean {
  // tree-sitter's has_error flag is set for ERROR nodes and for MISSING
  // tokens alike (both carry an error cost), for the node and its subtree.
  return node.hasError;
}

/**
 * The first ERROR or MISSING node inside `node` in document order, or null
 * when the subtree is clean. Used to report why a function is damaged.
 */
export function firstDamage(node: SyntaxNode): SyntaxNode | null {
  if (!node.hasError) return null;
  const cursor = node.walk();
  try {
    for (;;) {
      const cur = cursor.currentNode;
      if (cur.isError || cur.isMissing) return cur;
      // descend only into subtrees that hold an error
      if (cur.hasError && cursor.gotoFirstChild()) continue;
      for (;;) {
        if (cursor.gotoNextSibling()) break;
        if (!cursor.gotoParent()) return null;
        if (cursor.currentNode.id === node.id) return null;
      }
    }
  } finally {
    cursor.delete();
  }
}

/** All function_definition nodes under `root` (not descending into a function's body). */
export function functionDefinitions(root: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const cursor = root.walk();
  try {
    for (;;) {
      const type = cursor.nodeType;
      if (type === 'function_definition') {
        out.push(cursor.currentNode);
      } else if (cursor.gotoFirstChild()) {
        continue;
      }
      for (;;) {
        if (cursor.gotoNextSibling()) break;
        if (!cursor.gotoParent()) return out;
      }
    }
  } finally {
    cursor.delete();
  }
}

/**
 * Function definitions the parser lost entirely: inside an ERROR node (not
 * inside a function_definition), a function declarator directly followed
 * by `{` or a compound statement. Returns those declarator nodes.
 */
export function lostFunctions(root: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const visit = (node: SyntaxNode): void => {
    if (!node.hasError || node.type === 'function_definition') return;
    if (node.isError) {
      const kids = node.children;
      for (let k = 0; k + 1 < kids.length; k++) {
        const a = kids[k];
        const b = kids[k + 1];
        if (!a || !b) continue;
        if ((b.type === '{' || b.type === 'compound_statement') && declaresFunction(a)) out.push(a);
      }
    }
    for (const c of node.children) if (c) visit(c);
  };
  visit(root);
  return out;
}

function declaresFunction(node: SyntaxNode): boolean {
  let cur: SyntaxNode | null = node;
  while (cur) {
    if (cur.type === 'function_declarator') return true;
    if (cur.type !== 'pointer_declarator' && cur.type !== 'attributed_declarator') return false;
    cur = cur.childForFieldName('declarator');
  }
  return false;
}
