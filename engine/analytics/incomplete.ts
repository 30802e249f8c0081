/**
 * The weekly audit of incomplete response-time records (R9): cases of processes with an SLA policy
 * whose response or resolution clock has no start point (never started) or no end point (the case
 * ended while the clock still ran), and open cases older than `incompleteOpenDays` without a first
 * response. Terminated (cancelled) cases are not audited.
 */
import type { ProcessGraph } from '../bpmn/model.ts';
import type { Tx } from '../store/db.ts';
import { parseClocks } from './facts.ts';
import { type AnalyticsFilter, whereOf } from './filters.ts';
import type { AnalyticsSettings } from './settings.ts';

const AUDITED = ['response', 'resolution'];

/** Clock keys of the policy each process version names (audited keys only). */
async function expectedClocks(tx: Tx, pairs: { process_key: string; version: number }[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const policies = new Map<string, string[]>();
  for (const { process_key, version } of pairs) {
    const k = `${process_key}:${version}`;
    if (out.has(k)) continue;
    const row = await tx.get<{ graph: string }>('SELECT graph FROM process_definitions WHERE key = ? AND version = ?', [process_key, version]);
    const policy = row ? (JSON.parse(row.graph) as ProcessGraph).loopdesk?.slaPolicy : undefined;
    if (!policy) {
      out.set(k, []);
      continue;
    }
    if (!policies.has(policy)) {
      const p = await tx.get<{ definition: string }>('SELECT definition FROM sla_policies WHERE key = ?', [policy]);
      const keys = p ? (JSON.parse(p.definition) as { clocks: { key: string }[] }).clocks.map((c) => c.key) : [];
      policies.set(policy, keys.filter((c) => AUDITED.includes(c)));
    }
    out.set(k, policies.get(policy)!);
  }
  return out;
}

export async function incompleteRecords(tx: Tx, f: AnalyticsFilter, settings: AnalyticsSettings, now: number) {
  const w = await whereOf(tx, f, ["c.state <> 'terminated'"]);
  const rows = await tx.all<{
    instance_id: string;
    case_number: string | null;
    process_key: string;
    version: number;
    state: string;
    owner: string | null;
    started_at: number;
    ended_at: number | null;
    clocks: string;
  }>(`SELECT c.instance_id, c.case_number, c.process_key, c.version, c.state, c.owner, c.started_at, c.ended_at, c.clocks FROM case_facts c WHERE ${w.sql}`, w.params);
  const pairs = [...new Map(rows.map((r) => [`${r.process_key}:${r.version}`, { process_key: r.process_key, version: Number(r.version) }])).values()];
  const expected = await expectedClocks(tx, pairs);
  const openLimit = settings.incompleteOpenDays * 86_400_000;
  let checked = 0;
  const items = [];
  for (const r of rows) {
    const keys = expected.get(`${r.process_key}:${r.version}`) ?? [];
    if (keys.length === 0) continue;
    checked++;
    const clocks = parseClocks(r.clocks);
    const problems: string[] = [];
    for (const key of keys) {
      const c = clocks.find((x) => x.key === key);
      if (!c) problems.push(`${key}-start-missing`);
      else if (r.state === 'completed' && c.stoppedAt === null) problems.push(`${key}-end-missing`);
    }
    const response = clocks.find((x) => x.key === 'response');
    if (r.state === 'active' && keys.includes('response') && response?.stoppedAt == null && now - Number(r.started_at) > openLimit) {
      problems.push('open-without-response');
    }
    if (problems.length) {
      items.push({
        instanceId: r.instance_id,
        caseNumber: r.case_number,
        processKey: r.process_key,
        state: r.state,
        owner: r.owner,
        startedAt: Number(r.started_at),
        endedAt: r.ended_at === null ? null : Number(r.ended_at),
        problems,
      });
    }
  }
  items.sort((a, b) => a.startedAt - b.startedAt || a.instanceId.localeCompare(b.instanceId));
  return { checked, items };
}
