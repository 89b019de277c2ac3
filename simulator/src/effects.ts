/**
 * Applying one contract (or summary) effect to one tracked object, and the
 * rules checked on the way. Everything here is a pure function of a state:
 * violations go to the engine through `EffectCtx.report`.
 */
import type { Loc } from './ir';
import type { Effect } from './contract-types';
import type { Related } from './api-types';
import type { RuleId } from './rules';
import { msg } from './messages';
import { pairKind } from './contracts';
import { PAIR_CAP, REF_CAP, pairKey, withObj, withPair, type Note, type Obj, type State } from './state';

export interface Violation {
  rule: RuleId;
  obj?: Obj;
  message: string;
  related: Related[];
}

/** What the engine tells effects about the event being simulated. */
export interface EffectCtx {
  /** the call, e.g. `folio_put` */
  callee: string;
  loc: Loc;
  resultUsed: boolean;
  reportsPrevious: boolean;
  /** argument texts (for nArg counts) */
  argTexts: string[];
  report(s: State, v: Violation): void;
}

export function callText(callee: string): string {
  return `${callee}()`;
}

function note(ctx: EffectCtx, text: string): Note {
  return { loc: ctx.loc, call: callText(ctx.callee), text: `${text} ${callText(ctx.callee)} at line ${ctx.loc.line}` };
}

function rel(n: Note | undefined, what?: string): Related[] {
  return n ? [{ loc: n.loc, message: what ?? n.text }] : [];
}

/**
 * Is the object dead as far as this function knows (for use-after-put)?
 * Writeback this function started pins it: the folio cannot leave the page
 * cache until writeback ends (truncation and reclaim wait for it). So does
 * the folio lock this function holds (a locked folio in the page cache is
 * not removed: the cache's reference stands until it is unlocked), and so
 * does the page cache for a folio this function inserted and left locked.
 */
export function isPutDead(o: Obj): boolean {
  return (
    o.putToZero && o.everOwned && o.refs === 0 && !o.callerRef && o.value !== 'null' && o.value !== 'err' &&
    !(o.writeback === 'set' && o.wbByUs) && !(o.locked === 'held' && o.lockedByUs) &&
    // inserted into the page cache and still locked for its read: the cache's reference keeps it
    !(o.inCache && o.locked !== 'not-held')
  );
}

/** A use of the object (dereference or call argument): use-after-put, use-after-writeback-end. */
export function checkUse(s: State, o: Obj, name: string, what: string, ctx: Pick<EffectCtx, 'report'>, endsWriteback = false): void {
  if (o.value === 'null' || o.value === 'err') return;
  if (o.wbEndedNoRef && o.refs === 0 && !(o.locked === 'held' && o.lockedByUs)) {
    // the last thing keeping it alive was writeback: judged only for objects this function
    // created (a parameter, an object of unknown origin or a member path is its caller's to pin)
    if (o.origin !== 'acquired' || o.callerRef) return;
    if (!endsWriteback) ctx.report(s, { rule: 'use-after-writeback-end', obj: o, message: msg.useAfterWbEnd(name, what, o.wbNote), related: rel(o.wbNote, 'writeback ended here') });
  } else if (!o.wbEndedNoRef && isPutDead(o)) {
    ctx.report(s, { rule: 'use-after-put', obj: o, message: msg.useAfterPut(name, what, o.putNote), related: rel(o.putNote, 'last reference dropped here') });
  }
}

function putCount(e: Extract<Effect, { op: 'put' }>, ctx: EffectCtx): number | undefined {
  if (e.nArg !== undefined) {
    const t = ctx.argTexts[e.nArg];
    if (t !== undefined && /^\d+$/.test(t.trim())) return Number(t.trim());
    return undefined;
  }
  return e.n ?? 1;
}

/**
 * The earlier event the rule would cite is this very call, reached again
 * through a loop, on a borrowed object (a parameter, an object of unknown
 * origin, a member path): the loop re-points or refills the object in a
 * way the checker cannot correlate (`target.folio` filled by a call each
 * iteration), so the repeat is not evidence.
 */
function loopRepeat(o: Obj, n: Note | undefined, ctx: EffectCtx): boolean {
  if (o.origin === 'acquired' || !n) return false;
  return n.loc.line === ctx.loc.line && n.loc.column === ctx.loc.column && n.call === callText(ctx.callee);
}

/** Apply one object effect. `o` is current in `s`; the result holds the updated object. */
export function applyObjEffect(s: State, e: Effect, o: Obj, name: string, ctx: EffectCtx): State {
  if (o.value === 'null' || o.value === 'err') return s;
  const call = callText(ctx.callee);
  const upd = (patch: Partial<Obj>): void => {
    o = { ...o, ...patch };
    s = withObj(s, o);
  };
  switch (e.op) {
    case 'get': {
      const n = e.n ?? 1;
      upd({ refs: Math.min(REF_CAP, o.refs + n), everOwned: true, putToZero: false, wbEndedNoRef: false, refNote: o.refs === 0 ? note(ctx, 'taken by') : o.refNote });
      break;
    }
    case 'put': {
      const count = putCount(e, ctx);
      if (o.refs === 0 && o.storedRefs > 0 && count !== undefined && count <= o.storedRefs) {
        // taking back a reference handed to a structure (retracting `*foliop = folio`)
        const storedRefs = o.storedRefs - count;
        upd({ storedRefs, dropped: storedRefs === 0, putToZero: storedRefs === 0 && !o.callerRef, putNote: note(ctx, 'dropped by') });
        break;
      }
      // an object of unknown origin (an unknown call's result, a structure's member) may come with
      // a reference of this function's own: after its own references, one more put may drop that one
      if (o.refs === 0 && (!o.callerRef || (o.dropped && o.origin === 'param'))) {
        if (o.dropped && !o.everOwned) break; // someone else's references: not judged
        if (o.dropped) {
          if (!loopRepeat(o, o.putNote, ctx)) ctx.report(s, { rule: 'double-put', obj: o, message: msg.doublePut(name, call, o.putNote), related: rel(o.putNote, 'last reference dropped here') });
        } else {
          const why = o.tryFailed ? o.refNote : o.handNote;
          ctx.report(s, { rule: 'put-unowned', obj: o, message: msg.putUnowned(name, call, why), related: rel(why) });
        }
        break;
      }
      let refs = o.refs;
      let callerRef = o.callerRef;
      if (count === undefined) {
        // unknown count: drops what this function holds
        if (refs > 0) refs = 0;
        else callerRef = false;
      } else {
        let need = count;
        const take = Math.min(need, refs);
        refs -= take;
        need -= take;
        if (need > 0 && callerRef) {
          callerRef = false;
          need--;
        }
        if (need > 0 && !loopRepeat(o, o.putNote, ctx)) {
          ctx.report(s, { rule: 'double-put', obj: o, message: msg.doublePut(name, call, o.putNote), related: rel(o.putNote, 'last reference dropped here') });
        }
      }
      const zero = refs === 0 && !callerRef;
      upd({ refs, callerRef, dropped: refs === 0, putToZero: zero, putNote: note(ctx, 'dropped by') });
      break;
    }
    case 'lock': {
      if (o.locked === 'held' && !loopRepeat(o, o.lockNote, ctx)) {
        ctx.report(s, { rule: 'double-lock', obj: o, message: msg.doubleLock(name, call, o.lockNote), related: rel(o.lockNote) });
      }
      upd({ locked: 'held', lockedByUs: true, lockNote: note(ctx, 'locked by') });
      break;
    }
    case 'unlock': {
      if (o.locked === 'not-held' && !loopRepeat(o, o.lockNote, ctx)) {
        ctx.report(s, { rule: 'unlock-not-held', obj: o, message: msg.unlockNotHeld(name, call, o.lockNote), related: rel(o.lockNote) });
      }
      upd({ locked: 'not-held', unlockedOurs: o.unlockedOurs || o.lockedByUs, lockedByUs: false, lockNote: note(ctx, 'already unlocked by') });
      break;
    }
    case 'require-locked': {
      // starting writeback twice is the diagnosis when writeback is already set; the lock is secondary
      if (o.locked === 'not-held' && !(e.rule === 'writeback-unlocked' && o.writeback === 'set')) {
        const m = e.rule === 'writeback-unlocked' ? msg.writebackUnlocked(name, call, o.lockNote) : msg.dirtyClearUnlocked(name, call, o.lockNote);
        ctx.report(s, { rule: e.rule, obj: o, message: m, related: rel(o.lockNote) });
      }
      break;
    }
    case 'wb-start': {
      if (o.locked === 'not-held' && o.writeback !== 'set') {
        ctx.report(s, { rule: 'writeback-unlocked', obj: o, message: msg.writebackUnlocked(name, call, o.lockNote), related: rel(o.lockNote) });
      }
      if (o.writeback === 'set' && !(ctx.reportsPrevious && ctx.resultUsed)) {
        ctx.report(s, { rule: 'writeback-twice', obj: o, message: msg.writebackTwice(name, call, o.wbNote), related: rel(o.wbNote, 'writeback started here') });
      }
      upd({ writeback: 'set', wbByUs: true, wbEndedNoRef: false, wbNote: note(ctx, 'writeback started by') });
      break;
    }
    case 'wb-end': {
      if (o.writeback === 'clear') {
        ctx.report(s, { rule: 'writeback-not-started', obj: o, message: msg.writebackNotStarted(name, call, o.wbNote), related: rel(o.wbNote) });
      }
      // writeback holds no reference: with none of its own, this function cannot rely on the folio afterwards
      upd({ writeback: 'clear', wbByUs: false, wbEndedNoRef: o.refs === 0, wbNote: note(ctx, 'already ended by') });
      break;
    }
    case 'dirty-set':
      upd({ dirty: 'set' });
      break;
    case 'dirty-clear': {
      if (o.locked === 'not-held') {
        ctx.report(s, { rule: 'dirty-clear-unlocked', obj: o, message: msg.dirtyClearUnlocked(name, call, o.lockNote), related: rel(o.lockNote) });
      }
      upd({ dirty: 'clear' });
      break;
    }
    case 'uptodate-set':
      upd({ uptodate: 'set' });
      break;
    case 'uptodate-clear':
      upd({ uptodate: 'clear' });
      break;
    case 'private-attach': {
      if (o.private === 'set') {
        ctx.report(s, { rule: 'private-attach-twice', obj: o, message: msg.privateAttachTwice(name, call, o.privNote), related: rel(o.privNote) });
      }
      upd({ private: 'set', privNote: note(ctx, 'private data attached by') });
      break;
    }
    case 'private-detach':
      upd({ private: 'clear', privNote: note(ctx, 'private data detached by') });
      break;
    case 'private-set-raw': {
      // A borrowed page marked with the legacy page API is as often a page
      // outside the page cache using PG_private as a plain marker (bounce
      // pages, zsmalloc, bootmem) as a page-cache page: the tool cannot tell,
      // so only the folio API, which is page-cache code, is judged there.
      const judged = !o.callerRef || ctx.callee.startsWith('folio_');
      if (o.refs === 0 && judged) {
        ctx.report(s, { rule: 'private-without-ref', obj: o, message: msg.privateWithoutRef(name, call), related: [] });
        upd({ private: 'set', privNote: note(ctx, 'PG_private set by') });
      } else {
        // the reference this function took is now the private data's
        upd({ private: 'set', refs: o.refs - 1, privRefs: Math.min(REF_CAP, o.privRefs + 1), privNote: note(ctx, 'PG_private set by') });
      }
      break;
    }
    case 'private-clear-raw': {
      if (o.privRefs > 0) upd({ private: 'clear', privRefs: o.privRefs - 1, refs: Math.min(REF_CAP, o.refs + 1), everOwned: true });
      else upd({ private: 'clear' });
      break;
    }
    case 'private2-start':
    case 'private2-set-raw': {
      const ref = e.op === 'private2-start' ? e.ref : false;
      if (o.private2 === 'set') {
        ctx.report(s, { rule: 'private2-twice', obj: o, message: msg.private2Twice(name, call, o.p2Note), related: rel(o.p2Note) });
      }
      // a caller's reference need not outlive the bit: only one of this function's own counts
      if (!ref && o.refs === 0) {
        ctx.report(s, { rule: 'private2-without-ref', obj: o, message: msg.private2WithoutRef(name, call), related: rel(o.putNote, 'last reference dropped here') });
      }
      upd({ private2: 'set', p2ByUs: true, p2Ref: ref, p2Note: note(ctx, 'PG_private_2 set by') });
      break;
    }
    case 'private2-end':
    case 'private2-clear-raw': {
      if (o.private2 === 'clear') {
        ctx.report(s, { rule: 'private2-not-started', obj: o, message: msg.private2NotStarted(name, call, o.p2Note), related: rel(o.p2Note) });
      }
      upd({ private2: 'clear', p2ByUs: false, p2Ref: false, p2Note: note(ctx, 'already ended by') });
      break;
    }
    case 'handoff':
      // the callee takes the references this function held (a batch, the page cache)
      upd({ handedOff: true, refs: 0, handNote: note(ctx, 'its reference was handed to') });
      break;
    case 'use':
    case 'pair-begin':
    case 'pair-end':
    case 'pair-not-after':
    case 'dax-map':
    case 'userspace-wait':
    case 'cache-fill':
      break;
  }
  return s;
}

/**
 * Apply a pair effect to the pair of family `e.pair` on `text` (the engine
 * chooses it: the argument's text, the result variable for igrab(), or the
 * copy an end closes).
 */
export function applyPairEffect(s: State, e: Extract<Effect, { op: 'pair-begin' | 'pair-end' }>, ctx: EffectCtx, text: string): State {
  const key = pairKey(e.pair, text);
  const cur = s.pairs.get(key);
  if (e.op === 'pair-begin') {
    // reopening what this function closed for its caller (unlock; schedule; lock) restores the entry state
    if (cur !== undefined && cur < 0) return withPair(s, key, cur + 1 === 0 ? undefined : cur + 1);
    return withPair(s, key, Math.min(PAIR_CAP, (cur ?? 0) + 1), note(ctx, 'opened by'));
  }
  // closing what the caller opened: counted below zero, never reported
  if (cur === undefined || cur < 0) return withPair(s, key, Math.max(-PAIR_CAP, (cur ?? 0) - 1));
  if (cur === 0) {
    const n = s.pairNotes.get(key);
    const rule = pairKind(e.pair).rule;
    if (rule === 'cookie-use-unbalanced') ctx.report(s, { rule, message: msg.cookieUnusedTwice(key, callText(ctx.callee)), related: rel(n) });
    else if (rule) ctx.report(s, { rule, message: msg.pairClosedTwice(key, callText(ctx.callee)), related: rel(n) });
    return s;
  }
  return withPair(s, key, cur - 1, cur - 1 === 0 ? note(ctx, 'closed by') : undefined);
}

/** Does the effect list put this argument? */
export function putsArg(effects: readonly Effect[], arg: number): boolean {
  return effects.some((e) => e.op === 'put' && (e.arg ?? 0) === arg);
}
