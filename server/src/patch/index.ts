/**
 * Patch mode: what a patch (or a series, or a git range) introduces and
 * fixes in the folio lifecycle of the functions it touches.
 *
 *   parse.ts   unified diffs, git format-patch mails and series
 *   apply.ts   in-memory application, hunk lines placed before and after
 *   git.ts     before/after straight from git for `--git A..B`
 *   review.ts  analysis of both versions, touched functions, matching
 *   format.ts  text for a reply on the list, JSON for tools
 *
 * `reviewPatchText` and `reviewGitRange` are the entry points (the CLI's
 * `patch` command, and the language server's for an editor command):
 * a patch text against a tree, commits of a checkout, or its uncommitted
 * changes against HEAD.
 * User errors (a patch that does not parse or apply, a bad range) are
 * PatchInputError; nothing else is claimed then.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { AnalyzeOptions } from '../analyze';
import { parsePatch, PatchSyntaxError } from './parse';
import { applyPatch, ApplyError, type FileChange, type TreeReader } from './apply';
import { gitChanges, gitWorktreeChanges, GitError } from './git';
import { PatchReviewer, type PatchReview } from './review';

export { parsePatch, PatchSyntaxError } from './parse';
export type { ParsedPatch, FilePatch, Hunk, HunkLine } from './parse';
export { applyPatch, ApplyError, quoteHunks } from './apply';
export type { FileChange, QuoteHunk, QuoteLine, TreeReader } from './apply';
export { gitChanges, gitWorktreeChanges, GitError } from './git';
export { PatchReviewer, findingKey, functionRanges } from './review';
export type { PatchReview, FileReview, Introduced, Unanalysed, FnRange } from './review';
export { patchJson, patchText, quoteFor, introducedAnchor } from './format';

export class PatchInputError extends Error {}

/** A reader of the files under `root` (null when a file does not exist). */
export function treeReader(root: string): TreeReader {
  return (p: string) => {
    const full = path.join(root, p);
    try {
      return fs.readFileSync(full, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw new PatchInputError(`${p}: cannot read ${full} (${code ?? (e as Error).message})`);
    }
  };
}

/** Parse and apply `text` to the tree `read` gives; PatchInputError when it cannot. */
export function changesOfPatch(text: string, read: TreeReader): { changes: FileChange[]; warnings: string[] } {
  let parsed;
  try {
    parsed = parsePatch(text);
  } catch (e) {
    if (e instanceof PatchSyntaxError) throw new PatchInputError(`the patch does not parse: ${e.message}`);
    throw e;
  }
  if (parsed.files.length === 0) throw new PatchInputError('no diff found in the input');
  try {
    return { changes: applyPatch(parsed, read), warnings: parsed.warnings };
  } catch (e) {
    if (e instanceof ApplyError) throw new PatchInputError(`the patch does not apply: ${e.message}`);
    throw e;
  }
}

let reviewer: Promise<PatchReviewer> | undefined;

function getReviewer(): Promise<PatchReviewer> {
  reviewer ??= PatchReviewer.create();
  return reviewer;
}

export async function reviewChanges(changes: FileChange[], opts: AnalyzeOptions): Promise<PatchReview> {
  return (await getReviewer()).review(changes, opts);
}

/** Review a patch text against the files under `root` (or what `read` gives). */
export async function reviewPatchText(text: string, root: string | TreeReader, opts: AnalyzeOptions): Promise<PatchReview & { warnings: string[] }> {
  const read = typeof root === 'string' ? treeReader(root) : root;
  const { changes, warnings } = changesOfPatch(text, read);
  return { ...(await reviewChanges(changes, opts)), warnings };
}

/**
 * Review the commits `range` (`A..B`, `A...B` or one commit) of the git
 * checkout `cwd` is in; with `range` null, its uncommitted changes against HEAD.
 */
export async function reviewGitRange(cwd: string, range: string | null, opts: AnalyzeOptions): Promise<PatchReview> {
  let changes: FileChange[];
  try {
    changes = range === null ? gitWorktreeChanges(cwd) : gitChanges(cwd, range);
  } catch (e) {
    if (e instanceof GitError) throw new PatchInputError(e.message);
    throw e;
  }
  return reviewChanges(changes, opts);
}
