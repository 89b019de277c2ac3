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
