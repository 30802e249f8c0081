/**
 * What a list row shows about a task's case — number, customer, urgency, type, SLA clocks — read
 * from the case itself (`/api/instances/:id`, `/sla`) and kept for half a minute, so a page of 25
 * tasks costs at most 25 reads of each, never thousands.
 */
import { api, type Instance, type SlaClock } from './api.ts';

export interface CaseFacts {
  id: string;
  caseNumber: string | null;
  state: string;
  urgency?: string;
  type?: string;
  customerName?: string;
  clocks: SlaClock[];
}

/**
 * Urgency, type and customer come from the case's form data: the first form variable that has an
 * `urgency` (the intake form, whatever its key), as masked by the server for this user.
 */
export function factsOf(instance: Instance, clocks: SlaClock[]): CaseFacts {
  const facts: CaseFacts = { id: instance.id, caseNumber: instance.caseNumber ?? null, state: instance.state, clocks };
  for (const value of Object.values(instance.variables ?? {})) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
    const form = value as Record<string, unknown>;
    if (typeof form.urgency !== 'string') continue;
    facts.urgency = form.urgency;
    if (typeof form.type === 'string') facts.type = form.type;
    if (typeof form.customerName === 'string') facts.customerName = form.customerName;
    break;
  }
  return facts;
}

const TTL_MS = 30_000;
const cache = new Map<string, { at: number; facts: Promise<CaseFacts | null> }>();

export function caseFacts(instanceId: string, fresh = false): Promise<CaseFacts | null> {
  const hit = cache.get(instanceId);
  if (hit && !fresh && Date.now() - hit.at < TTL_MS) return hit.facts;
  const id = encodeURIComponent(instanceId);
  const facts = Promise.all([api.get<Instance>(`/api/instances/${id}`), api.get<SlaClock[]>(`/api/instances/${id}/sla`)])
    .then(([instance, clocks]) => factsOf(instance, clocks))
    .catch(() => null);
  cache.set(instanceId, { at: Date.now(), facts });
  return facts;
}

/**
 * What a task row counts down to: a clock of the case that has breached and still runs shows the
 * case as overdue (the task list's `slaDueAt` only looks at clocks not yet breached); otherwise the
 * task's soonest SLA due time, with its clock's start for the warn level.
 */
export function rowDeadline(slaDueAt: number | null | undefined, clocks: readonly SlaClock[]): { dueAt: number | null | undefined; startedAt?: number } {
  const breached = clocks
    .filter((c) => c.stoppedAt === null && c.breachedAt !== null && c.dueAt !== null)
    .sort((a, b) => a.dueAt! - b.dueAt!)[0];
  if (breached) return { dueAt: breached.dueAt, startedAt: breached.startedAt };
  return { dueAt: slaDueAt, startedAt: clockDueAt(clocks, slaDueAt)?.startedAt };
}

/** The clock that sets a deadline (`slaDueAt` of a task): its start gives the window for the warn level. */
export function clockDueAt(clocks: readonly SlaClock[], dueAt: number | null | undefined): SlaClock | undefined {
  if (dueAt === null || dueAt === undefined) return undefined;
  return clocks.find((c) => c.dueAt === dueAt) ?? clocks.find((c) => c.stoppedAt === null && c.breachedAt === null);
}
