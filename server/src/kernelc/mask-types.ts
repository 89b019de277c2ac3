/**
 * Kernel-C masking: the stock tree-sitter-c grammar cannot parse several
 * kernel idioms (iterator macros used as loop heads, annotations, type
 * names passed to macros, SYSCALL_DEFINEn, preprocessor lines inside
 * bodies). Before parsing, the source is rewritten into plain C of exactly
 * the same length with every newline at the same offset, so that every
 * line, column and offset the parser reports is also one in the user's file.
 * The rewrites are recorded so that extraction knows what each rewritten
 * span was.
 */

export type RewriteKind =
  /** an iterator macro name (`list_for_each_entry`, `xa_for_each`, `for_each_*`) replaced by `while` and spaces */
  | 'loop-macro'
  /** `scoped_guard` / `scoped_cond_guard` replaced by `if` and spaces */
  | 'scoped-guard'
  /** an annotation blanked: `__user`, `__must_hold(x)`, `__releases(x)`, `noinline_for_stack`, ... */
  | 'annotation'
  /** a cleanup attribute blanked: `__free(folio_put)` */
  | 'cleanup'
  /** a `SYSCALL_DEFINEn(name, ...)` header rewritten to `long sys_name()` */
  | 'syscall'
  /** a type passed as a macro argument (`struct inode`, `unsigned long`) replaced by an identifier */
  | 'type-arg'
  /** a preprocessor directive or an inactive `#else`/`#elif` branch inside a body, blanked */
  | 'preproc'
  /** anything else rewritten, described by `original` */
  | 'other';

export interface Rewrite {
  /** UTF-16 offset of the first rewritten character (the same in both texts) */
  start: number;
  /** UTF-16 offset after the last rewritten character */
  end: number;
  kind: RewriteKind;
  /** the original text of [start, end) */
  original: string;
}

export interface MaskResult {
  /** same length as the input, newlines at the same offsets */
  text: string;
  /** sorted by `start`, non-overlapping */
  rewrites: Rewrite[];
}
