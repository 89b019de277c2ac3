/**
 * `folio-lens patch`: the command behind the CLI wiring in ../cli.ts.
 * Exit 1 when the patch introduces a finding, 0 when not, 2 when the patch
 * cannot be read, parsed or applied (or the git range is bad).
 */
import * as fs from 'fs';
import type { Contract, KernelVersion } from '../../../simulator/src/contract-types';
import { PatchInputError, reviewGitRange, reviewPatchText } from './index';
import { patchJson, patchText } from './format';
import type { PatchReview } from './review';

export interface PatchCommand {
  positional: string[];
  format: 'text' | 'json';
  kernelVersion: KernelVersion;
  rules: string[];
  tree?: string;
  git?: string;
  uncommitted?: boolean;
  /** a subsystem's own contracts (--contracts) */
  contracts?: Contract[];
}

export async function runPatch(p: PatchCommand): Promise<number> {
  const start = performance.now();
  const opts = { kernelVersion: p.kernelVersion, rules: p.rules, contracts: p.contracts };
  const root = p.tree ?? process.cwd();
  let review: PatchReview;
  try {
    if (p.tree !== undefined && !isDir(p.tree)) {
      process.stderr.write(`folio-lens: --tree ${p.tree}: not a folder\n`);
      return 2;
    }
    if (p.git !== undefined || p.uncommitted) {
      review = await reviewGitRange(root, p.uncommitted ? null : p.git!, opts);
    } else {
      const src = p.positional[0];
      let text: string;
      try {
        text = fs.readFileSync(src === '-' ? 0 : src, 'utf8');
      } catch (e) {
        process.stderr.write(`folio-lens: ${src}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
        return 2;
      }
      const r = await reviewPatchText(text, root, opts);
      for (const w of r.warnings) process.stderr.write(`folio-lens: ${src === '-' ? '<stdin>' : src}: ${w}\n`);
      review = r;
    }
  } catch (e) {
    if (e instanceof PatchInputError) {
      process.stderr.write(`folio-lens: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const stats = { seconds: (performance.now() - start) / 1000 };
  process.stdout.write(p.format === 'json' ? patchJson(review, stats) : patchText(review, stats));
  return review.introduced.length > 0 ? 1 : 0;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
