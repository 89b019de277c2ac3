/**
 * What every caller of the pipeline (the CLI's Analyzer, the language
 * server, patch mode) shares before parsing: which text can matter to the
 * lifecycle, masking that never fails, and the focused text to parse.
 */
import { maskKernelC } from './kernelc/mask';
import type { MaskResult } from './kernelc/mask-types';
import { focusRelevant, matchIndex } from './kernelc/focus';
import { CONTRACTS } from '../../simulator/src/contracts';
import type { Contract } from '../../simulator/src/contract-types';

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const relevantCache = new WeakMap<object, RegExp>();
const NO_EXTRA: Contract[] = [];

/**
 * What makes text matter: a call named in the contract table or in a
 * workspace's own contracts, or a `struct folio` / `struct page` (a
 * function that has none of these holds no tracked object and calls
 * nothing that moves one). A global regex, cached per contracts array:
 * use it with matchIndex or isRelevantText.
 */
export function relevantRegex(extra: readonly Contract[] | undefined): RegExp {
  const key = extra && extra.length ? extra : NO_EXTRA;
  let re = relevantCache.get(key);
  if (!re) {
    const names = [...new Set([...CONTRACTS, ...key].filter((c) => c.trigger !== false).map((c) => c.name))].sort((a, b) => b.length - a.length);
    re = new RegExp('\\b(?:' + names.map(escapeRe).join('|') + ')\\b|struct\\s+(?:folio|page)\\b', 'g');
    relevantCache.set(key, re);
  }
  return re;
}

export function isRelevantText(text: string, re: RegExp): boolean {
  re.lastIndex = 0;
  const r = re.test(text);
  re.lastIndex = 0;
  return r;
}

/** Masking must never cost the user a file: on an internal error, parse the text as it is. */
export function safeMask(text: string): MaskResult {
  try {
    return maskKernelC(text);
  } catch {
    return { text, rewrites: [] };
  }
}

/** Masked text with the functions that cannot matter blanked (same length). */
export function focusText(masked: string, re: RegExp): string {
  return focusRelevant(masked, matchIndex(masked, re)).text;
}
