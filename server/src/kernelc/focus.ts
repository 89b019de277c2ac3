/**
 * Focus: keep only the top-level function definitions that can matter to
 * the lifecycle, and blank everything else (spaces, newlines kept), so that
 * the parser spends its time on those functions alone. Like masking, it
 * never moves a character: offsets, lines and columns stay the user's.
 *
 * A function definition is found by a scan at brace depth 0: a `{` whose
 * previous significant character is `)` opens a body; the definition starts
 * after the previous top-level `;`, `}` or preprocessor line. Comments,
 * strings, character literals and preprocessor lines are skipped.
 *
 * The scan never calls String.prototype.indexOf on the text: it looks for
 * newlines and comment ends with its own loops. Under node 20 (V8 11.3),
 * once TurboFan had optimized focusRelevant with feedback from earlier
 * inputs (the fuzzer's nesting-4000-comments among them), a 3 MB line
 * without a single comment, newline or directive could spend minutes in
 * memchr called through the StringIndexOf builtin from the optimized code
 * (perf: 99.6 % of the samples; it never happened with --no-opt or
 * --max-opt=2, and went away when the `*\/` search became a loop). The
 * loops cost about 0.14 s of a whole-tree check of fs/ + mm/ of 6.12
 * (this pass with matchIndex: 0.37 s with indexOf, 0.51 s with them;
 * identical output on all 1,673 files).
 */

export interface FocusResult {
  text: string;
  /** function definitions kept */
  kept: number;
  /** function definitions blanked */
  dropped: number;
}

const SLASH = 47, STAR = 42, NL = 10, BS = 92, DQ = 34, SQ = 39, HASH = 35;
const LBRACE = 123, RBRACE = 125, SEMI = 59, RPAREN = 41;

let SPACES = ' '.repeat(4096);

/** The offset of the first `\n` in src[from, n), or -1. */
function newlineFrom(src: string, from: number, n: number): number {
  for (let k = from; k < n; k++) if (src.charCodeAt(k) === NL) return k;
  return -1;
}

/** The offset of the first `*\/` in src[from, n), or -1. */
function commentEndFrom(src: string, from: number, n: number): number {
  for (let k = from; k + 1 < n; k++) if (src.charCodeAt(k) === STAR && src.charCodeAt(k + 1) === SLASH) return k;
  return -1;
}

/** `s` with every character but newlines turned into a space (slices of one string of spaces: some 25 times faster than a regex replace). */
function blank(s: string): string {
  let out = '';
  let i = 0;
  const len = s.length;
  for (;;) {
    const j = newlineFrom(s, i, len);
    const e = j === -1 ? len : j;
    const n = e - i;
    while (n > SPACES.length) SPACES += SPACES;
    out += SPACES.slice(0, n);
    if (j === -1) return out;
    out += '\n';
    i = j + 1;
  }
}

/**
 * `relevant(start, end)` tells whether the definition spanning src[start, end)
 * can matter; see `matchIndex` for a fast one.
 */
export function focusRelevant(src: string, relevant: (start: number, end: number) => boolean): FocusResult {
  const n = src.length;
  const pieces: string[] = [];
  let emitted = 0; // src[0, emitted) has been pushed to pieces
  let boundary = 0; // start of the current top-level item
  let lastSig = -1; // char code of the last significant character at depth 0
  let depth = 0;
  let bodyStart = -1;
  let itemStart = 0;
  let kept = 0, dropped = 0;
  let lineStart = true;
  let i = 0;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === NL) { lineStart = true; i++; continue; }
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) { i++; continue; }
    if (c === SLASH && src.charCodeAt(i + 1) === STAR) {
      const e = commentEndFrom(src, i + 2, n);
      i = e === -1 ? n : e + 2;
      continue;
    }
    if (c === SLASH && src.charCodeAt(i + 1) === SLASH) {
      const e = newlineFrom(src, i, n);
      i = e === -1 ? n : e;
      continue;
    }
    if (c === HASH && lineStart) {
      // a directive, with backslash continuations
      let e = i;
      for (;;) {
        e = newlineFrom(src, e, n);
        if (e === -1) { e = n; break; }
        let k = e - 1;
        if (src.charCodeAt(k) === 13) k--;
        if (src.charCodeAt(k) === BS) { e++; continue; }
        break;
      }
      i = e;
      if (depth === 0) { boundary = i; lastSig = -1; }
      continue;
    }
    lineStart = false;
    if (c === DQ || c === SQ) {
      let k = i + 1;
      while (k < n) {
        const d = src.charCodeAt(k);
        if (d === BS) { k += 2; continue; }
        if (d === c || d === NL) break;
        k++;
      }
      i = k + 1;
      if (depth === 0) lastSig = c;
      continue;
    }
    if (c === LBRACE) {
      if (depth === 0) {
        bodyStart = lastSig === RPAREN ? i : -1;
        itemStart = boundary;
      }
      depth++;
    } else if (c === RBRACE) {
      if (depth > 0) depth--;
      if (depth === 0) {
        if (bodyStart >= 0) {
          const end = i + 1;
          if (relevant(itemStart, end)) {
            kept++;
            if (itemStart > emitted) pieces.push(blank(src.slice(emitted, itemStart)));
            pieces.push(src.slice(itemStart, end));
            emitted = end;
          } else {
            dropped++;
          }
          bodyStart = -1;
        }
        boundary = i + 1;
        lastSig = RBRACE;
        i++;
        continue;
      }
    } else if (depth === 0) {
      if (c === SEMI) boundary = i + 1;
      lastSig = c;
    }
    i++;
  }
  if (emitted < n) pieces.push(blank(src.slice(emitted)));
  return { text: pieces.join(''), kept, dropped };
}

/**
 * The offsets of every match of `re` (a global regex) in `text`, and a
 * predicate telling whether any falls inside [start, end). One regex pass
 * per file instead of one per function.
 */
export function matchIndex(text: string, re: RegExp): (start: number, end: number) => boolean {
  const at: number[] = [];
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    at.push(m.index);
    if (m[0].length === 0) re.lastIndex++;
  }
  return (start, end) => {
    let lo = 0, hi = at.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (at[mid] < start) lo = mid + 1;
      else hi = mid;
    }
    return lo < at.length && at[lo] < end;
  };
}
