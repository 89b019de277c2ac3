/**
 * The `foliolens.*` settings, read with workspace/configuration (or from
 * didChangeConfiguration when the client cannot be asked), checked, with
 * defaults. Problems are reported as messages, never as failures.
 */
import { DEFAULT_KERNEL_VERSION, KERNEL_VERSIONS, type KernelVersion } from '../../../simulator/src/contract-types';
import { isRuleId, RULE_IDS } from '../../../simulator/src/rules';

export type RuleLevel = 'error' | 'warning' | 'info' | 'hint' | 'off';
const LEVELS: RuleLevel[] = ['error', 'warning', 'info', 'hint', 'off'];

export interface Settings {
  kernelVersion: KernelVersion;
  /** per rule: a severity that replaces the finding's, or 'off' */
  rules: Record<string, RuleLevel>;
  /** a JSON file of extra contracts, absolute or relative to the first workspace folder; '' for none */
  contractsFile: string;
  /** where docs/rules/<rule>.md is linked from (codeDescription); '' for the docs folder next to the server */
  docsBaseUrl: string;
  trace: { server: 'off' | 'messages' | 'verbose' };
}

export const DEFAULT_SETTINGS: Settings = {
  kernelVersion: DEFAULT_KERNEL_VERSION,
  rules: {},
  contractsFile: '',
  docsBaseUrl: '',
  trace: { server: 'off' },
};

/** Settings from what the client sent (anything), and the problems found in it. */
export function readSettings(raw: unknown): { settings: Settings; problems: string[] } {
  const problems: string[] = [];
  const s: Settings = { ...DEFAULT_SETTINGS, rules: {}, trace: { ...DEFAULT_SETTINGS.trace } };
  if (!raw || typeof raw !== 'object') return { settings: s, problems };
  const r = raw as Record<string, unknown>;
  if (r.kernelVersion !== undefined && r.kernelVersion !== null && r.kernelVersion !== '') {
    const v = String(r.kernelVersion);
    if ((KERNEL_VERSIONS as readonly string[]).includes(v)) s.kernelVersion = v as KernelVersion;
    else problems.push(`foliolens.kernelVersion: '${v}' is not a known version (${KERNEL_VERSIONS.join(', ')}); using ${s.kernelVersion}`);
  }
  if (r.rules && typeof r.rules === 'object') {
    for (const [k, v] of Object.entries(r.rules as Record<string, unknown>)) {
      if (!isRuleId(k)) {
        problems.push(`foliolens.rules: '${k}' is not a rule (${RULE_IDS.join(', ')})`);
        continue;
      }
      const level = typeof v === 'boolean' ? (v ? undefined : 'off') : String(v);
      if (level === undefined || level === 'default') continue;
      if (!(LEVELS as string[]).includes(level)) {
        problems.push(`foliolens.rules.${k}: '${String(v)}' is not one of ${LEVELS.join(', ')}`);
        continue;
      }
      s.rules[k] = level as RuleLevel;
    }
  }
  if (typeof r.contractsFile === 'string') s.contractsFile = r.contractsFile.trim();
  if (typeof r.docsBaseUrl === 'string') s.docsBaseUrl = r.docsBaseUrl.trim();
  const tr = r.trace as Record<string, unknown> | undefined;
  const ts = tr && typeof tr === 'object' ? tr.server : r['trace.server'];
  if (ts === 'messages' || ts === 'verbose' || ts === 'off') s.trace.server = ts;
  return { settings: s, problems };
}

export function sameSettings(a: Settings, b: Settings): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
