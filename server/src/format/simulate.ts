/** Text and JSON renderings of one function's simulation (`folio-lens simulate`). */
import type { FunctionIR } from '../../../simulator/src/ir';
import type { ObjectSnapshot, SimResult } from '../../../simulator/src/api-types';
import { splitPairKey } from '../../../simulator/src/state';

export interface SimulationJson {
  file: string;
  function: string;
  line: number;
  paths: {
    end: string;
    steps: {
      line: number;
      text: string;
      objects: ObjectSnapshot[];
      pairs: { key: string; open: number; label?: string; short?: string }[];
      dax?: { name: string; cover: string; covered: boolean }[];
      violations: { rule: string; message: string }[];
    }[];
  }[];
  merged: number;
  findings: { rule: string; severity: string; line: number; column: number; message: string }[];
  stats: SimResult['stats'];
}

export function simulationJson(file: string, fn: FunctionIR, r: SimResult): SimulationJson {
  return {
    file,
    function: fn.name,
    line: fn.nameLoc.line,
    paths: (r.trace?.paths ?? []).map((p) => ({ end: p.end, steps: p.steps })),
    merged: r.trace?.merged ?? 0,
    findings: r.findings.map((f) => ({ rule: f.rule, severity: f.severity, line: f.loc.line, column: f.loc.column, message: f.message })),
    stats: r.stats,
  };
}

const FLAG: Record<string, string> = { set: '+', clear: '-', unknown: '?' };

export function describeObject(o: ObjectSnapshot): string {
  const refs = `refs ${o.refs}${o.callerRef ? '+caller' : ''}`;
  const lock = o.locked === 'held' ? 'locked' : o.locked === 'not-held' ? 'unlocked' : 'lock ?';
  const flags = `wb${FLAG[o.writeback]} dirty${FLAG[o.dirty]} uptodate${FLAG[o.uptodate]} private${FLAG[o.private]} private_2${FLAG[o.private2]}`;
  const value = o.value === 'valid' || o.value === 'unknown' ? '' : ` (${o.value === 'null' ? 'NULL' : 'error pointer'})`;
  return `${o.names.join('=') || '(unnamed)'}${value}: ${refs}, ${lock}, ${flags}${o.handedOff ? ', handed off' : ''}`;
}

/** `inode_dio(inode): 1 open` in the words of its family: `direct I/O in flight on inode: 1` */
export function pairText(p: { key: string; open: number; label?: string }): string {
  const { pair, on } = splitPairKey(p.key);
  if (!p.label || p.label === pair) return `${p.key}: ${p.open} open`;
  const n = p.open < 0 ? `${-p.open} released that this function did not take` : String(p.open);
  return `${p.label} on ${on}: ${n}`;
}

export function simulationText(file: string, fn: FunctionIR, r: SimResult): string {
  const out: string[] = [];
  const paths = r.trace?.paths ?? [];
  const merged = r.trace?.merged ?? 0;
  out.push(`${file}:${fn.nameLoc.line}: ${fn.name}: ${paths.length} distinct path(s)${merged ? `, ${merged} merged into them` : ''}`);
  if (r.stats.incomplete) out.push(`analysis incomplete: ${r.stats.incomplete}`);
  paths.forEach((p, i) => {
    const last = p.steps[p.steps.length - 1];
    out.push('');
    out.push(`path ${i + 1} of ${paths.length} (${p.end === 'return' ? `returns at line ${last?.line ?? '?'}` : p.end === 'noreturn' ? 'does not return' : 'incomplete'})`);
    for (const s of p.steps) {
      out.push(`  ${String(s.line).padStart(5)}  ${s.text}`);
      for (const o of s.objects) out.push(`         ${describeObject(o)}`);
      for (const pr of s.pairs) out.push(`         ${pairText(pr)}`);
      for (const d of s.dax ?? []) out.push(`         DAX mapping ${d.name}: covered by the inode reference on ${splitPairKey(d.cover).on}${d.covered ? '' : ' (dropped: do not use)'}`);
      for (const v of s.violations) out.push(`      !! ${v.rule}: ${v.message}`);
    }
  });
  out.push('');
  if (r.findings.length === 0) out.push('no findings');
  for (const f of r.findings) out.push(`${file}:${f.loc.line}:${f.loc.column}: ${f.severity === 'info' ? 'note' : f.severity}: ${f.message} [${f.rule}]`);
  return out.join('\n') + '\n';
}
