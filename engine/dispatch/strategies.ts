/**
 * Assignment strategies (R11), as pure functions over a list of candidates: no database, no clock.
 * The DB side (resolve.ts) builds the candidates; tests and simulations can call these directly.
 *
 * Every strategy obeys the same two rules: an absent or unavailable agent is never chosen, and a
 * strategy that finds nobody does not fail — it answers `{ fallback: 'group' }` with a reason, and
 * the task waits in its group's queue to be claimed.
 */

export const STRATEGIES = ['explicit', 'group', 'round-robin', 'least-loaded', 'skills'] as const;
export type StrategyName = (typeof STRATEGIES)[number];

export const isStrategy = (s: unknown): s is StrategyName => typeof s === 'string' && (STRATEGIES as readonly string[]).includes(s);

/**
 * How much one open task weighs in an agent's load. Urgent work ties an agent up for longer than
 * its count says: an agent with one urgent task (3) is busier than one with two normal ones (2).
 * `high` is the intake form's spelling of urgent (R4); anything unknown counts as normal.
 */
export const URGENCY_WEIGHT: Readonly<Record<string, number>> = { urgent: 3, high: 3, normal: 1, low: 0.5 };

export const urgencyWeight = (urgency: string | null | undefined): number => (urgency ? (URGENCY_WEIGHT[urgency] ?? 1) : 1);

export interface Candidate {
  username: string;
  skills: readonly string[];
  /** Where the agent works, in the same words cases use for the customer's region (华东, Shanghai …). */
  location: string | null;
  /** An absence covers the decision time. */
  absent: boolean;
  /** The business calendar says this is working time for the agent. */
  available: boolean;
  /** Weighted open tasks (URGENCY_WEIGHT); a plain count when urgencies are unknown. */
  openLoad: number;
  /** When the dispatcher last gave this agent a task; null if never. */
  lastAssignedAt: number | null;
}

export interface DispatchRequest {
  /** `explicit`: the user the model names (already resolved from FEEL). */
  assignee?: string | null;
  /** `skills`: tags the agent must all have ("空调维修", "English"); compared trimmed, case-insensitive. */
  skills?: readonly string[];
  /** The customer's region; agents there are preferred by `skills` (and only as a preference). */
  location?: string | null;
}

/** Why the task went to nobody: stable codes to branch on, beside a sentence for people. */
export type FallbackCode =
  | 'queue'
  | 'unknown-strategy'
  | 'no-members'
  | 'nobody-available'
  | 'no-skill-match'
  | 'explicit-missing'
  | 'explicit-unavailable';

export type Choice =
  | { assignee: string; reason: string }
  | { fallback: 'group'; code: FallbackCode; reason: string };

const norm = (s: string) => s.trim().toLowerCase();

/** Least recently assigned first (never assigned before anyone), then by username: deterministic. */
function byRecency(a: Candidate, b: Candidate): number {
  const la = a.lastAssignedAt ?? Number.NEGATIVE_INFINITY;
  const lb = b.lastAssignedAt ?? Number.NEGATIVE_INFINITY;
  if (la !== lb) return la < lb ? -1 : 1;
  return a.username < b.username ? -1 : a.username > b.username ? 1 : 0;
}

/** Lowest load first; equal loads rotate by recency so ties do not always hit the same person. */
function byLoad(a: Candidate, b: Candidate): number {
  if (a.openLoad !== b.openLoad) return a.openLoad - b.openLoad;
  return byRecency(a, b);
}

function first(list: Candidate[], order: (a: Candidate, b: Candidate) => number): Candidate {
  let best = list[0]!;
  for (let i = 1; i < list.length; i++) if (order(list[i]!, best) < 0) best = list[i]!;
  return best;
}

const fallback = (code: FallbackCode, reason: string): Choice => ({ fallback: 'group', code, reason });

const whyUnavailable = (c: Candidate) => (c.absent ? 'absent' : 'outside working hours');

/**
 * Picks the agent for a new task.
 * - `explicit`: the named user, if they are a candidate and neither absent nor unavailable.
 * - `group`: nobody — the task waits in the queue to be claimed (by design, not a failure).
 * - `round-robin`: the least recently assigned agent; ties (e.g. never assigned) by username.
 * - `least-loaded`: the lowest weighted open load; ties by recency, then username.
 * - `skills`: agents with ALL requested skills; among them those in the case's region if any are,
 *   else all of them; then the lowest load, recency, username. Without requested skills it is
 *   least-loaded with the region preference.
 */
export function chooseAssignee(strategy: string, request: DispatchRequest, candidates: readonly Candidate[]): Choice {
  if (strategy === 'group') return fallback('queue', 'strategy "group": the task waits in the group queue to be claimed');
  if (!isStrategy(strategy)) return fallback('unknown-strategy', `unknown dispatch strategy "${strategy}": the task waits in the group queue`);

  if (strategy === 'explicit') {
    const name = request.assignee?.trim();
    const named = name ? candidates.find((c) => c.username === name) : undefined;
    if (!named) return fallback('explicit-missing', name ? `assignee ${name} is not an active user` : 'no assignee was named');
    if (named.absent || !named.available) return fallback('explicit-unavailable', `assignee ${named.username} is ${whyUnavailable(named)}`);
    return { assignee: named.username, reason: `explicit: ${named.username}` };
  }

  if (candidates.length === 0) return fallback('no-members', 'the groups have no active members');
  const ready = candidates.filter((c) => !c.absent && c.available);
  if (ready.length === 0) {
    const absent = candidates.filter((c) => c.absent).length;
    return fallback(
      'nobody-available',
      `none of the ${candidates.length} members is available (${absent} absent, ${candidates.length - absent} outside working hours)`,
    );
  }

  if (strategy === 'round-robin') {
    const c = first(ready, byRecency);
    return { assignee: c.username, reason: `round-robin: least recently assigned of ${ready.length} available` };
  }
  if (strategy === 'least-loaded') {
    const c = first(ready, byLoad);
    return { assignee: c.username, reason: `least-loaded: load ${c.openLoad}, lowest of ${ready.length} available` };
  }

  const wanted = [...new Set((request.skills ?? []).map(norm).filter(Boolean))];
  const skilled = wanted.length
    ? ready.filter((c) => {
        const has = new Set(c.skills.map(norm));
        return wanted.every((s) => has.has(s));
      })
    : ready;
  if (skilled.length === 0) {
    const anyone = candidates.filter((c) => wanted.every((s) => c.skills.map(norm).includes(s))).length;
    const note = anyone ? ` (${anyone} who have them are unavailable)` : '';
    return fallback('no-skill-match', `nobody available has all of ${(request.skills ?? []).join(', ')}${note}`);
  }
  const region = request.location ? norm(request.location) : '';
  const local = region ? skilled.filter((c) => c.location !== null && norm(c.location) === region) : [];
  const pool = local.length ? local : skilled;
  const c = first(pool, byLoad);
  const where = region ? (local.length ? ` in ${request.location}` : `, none in ${request.location}`) : '';
  const what = wanted.length ? `has ${(request.skills ?? []).join(', ')}` : 'no skills requested';
  return { assignee: c.username, reason: `skills: ${what}${where}; load ${c.openLoad}, lowest of ${pool.length}` };
}
