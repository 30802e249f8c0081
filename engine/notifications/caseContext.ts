/**
 * The standard fields every template may use, read from the case when the notification is
 * expanded: `case.*` (number, title, type, urgency, assignee, promisedAt, expectedAt), `customer.name`,
 * `report.*` (from the handling form), `feedback.*` (from the callback form) and `sla.*` for SLA
 * notices. Producers then only pass what is special to them, and no template shows empty blanks.
 */
import { DateTime, Duration } from 'luxon';
import { maskName, maskPhone } from '../forms/mask.ts';
import type { Tx } from '../store/db.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const local = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? null : DateTime.fromMillis(ms, { zone: 'Asia/Shanghai' }).toFormat('yyyy-MM-dd HH:mm');
const localIso = (iso: unknown) => (typeof iso === 'string' ? DateTime.fromISO(iso, { setZone: true }).setZone('Asia/Shanghai').toFormat('yyyy-MM-dd HH:mm') : null);
const span = (ms: number) => Duration.fromMillis(Math.max(0, ms)).shiftTo('hours', 'minutes').toHuman({ maximumFractionDigits: 0 });

export async function caseContext(tx: Tx, instanceId: string | null, fields: Obj, now: number): Promise<Obj> {
  if (!instanceId) return {};
  const inst = await tx.get<{ case_number: string | null; business_key: string | null; variables: string; customer_id: string | null }>(
    'SELECT case_number, business_key, variables, customer_id FROM instances WHERE id = ?',
    [instanceId],
  );
  if (!inst) return {};
  const v = JSON.parse(inst.variables) as Obj;
  const intake = obj(v.feedbackIntake);
  const handling = obj(v.handling);
  const callback = obj(v.callback);
  const assignees = (await tx.all<{ assignee: string | null }>("SELECT assignee FROM tasks WHERE instance_id = ? AND state = 'open'", [instanceId]))
    .map((t) => t.assignee)
    .filter(Boolean);
  const customer = inst.customer_id ? await tx.get<{ name: string }>('SELECT name FROM customers WHERE id = ?', [inst.customer_id]) : undefined;
  const description = typeof intake.description === 'string' ? intake.description : '';
  const out: Obj = {
    case: {
      number: inst.case_number ?? inst.business_key,
      title: [intake.productModel, description.slice(0, 30)].filter(Boolean).join(' · ') || (inst.case_number ?? ''),
      type: intake.type ?? null,
      urgency: intake.urgency ?? null,
      assignee: assignees.join(', ') || null,
      promisedAt: localIso(v.promisedContactAt),
      expectedAt: localIso(handling.expectedCompletion),
    },
    customer: { name: customer?.name ?? intake.customerName ?? null },
    report: { completedAt: localIso(handling.completedAt), cause: handling.cause ?? null, solution: handling.chosenSolution ?? null, engineer: handling.engineerName ?? null },
    feedback: {
      score: callback.satisfactionScore ?? null,
      nps: callback.nps ?? null,
      comment: callback.comments ?? null,
      interveneBy: local(now + 3_600_000),
    },
  };
  if (typeof fields.clock === 'string') {
    const clock = await tx.get<{ due_at: number | null; breached_at: number | null }>(
      'SELECT due_at, breached_at FROM sla_clocks WHERE instance_id = ? AND clock_key = ? ORDER BY started_at DESC LIMIT 1',
      [instanceId, fields.clock],
    );
    const due = typeof fields.dueAt === 'string' ? Date.parse(fields.dueAt) : (clock?.due_at ?? null);
    out.sla = {
      target: fields.clock,
      dueAt: local(due),
      remaining: due === null ? null : span(due - now),
      overdue: due === null ? null : span(now - due),
    };
  }
  return out;
}

/** `base` with `over` on top, one level deep for objects (so `case.number` from either survives). */
export function mergeContext(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, val] of Object.entries(over)) {
    out[k] = val && typeof val === 'object' && !Array.isArray(val) && obj(base[k]) ? { ...obj(base[k]), ...(val as Obj) } : val;
  }
  return out;
}

/** Masks one e-mail address: c***@example.com. */
const maskEmail = (v: string) => v.replace(/^([^@])[^@]*(@.*)$/, '$1***$2');

/**
 * The fields as a recipient without pii:read sees them: the customer's name, phone and e-mail
 * masked (R39). Only `customer.*` holds personal data: case, report and feedback fields do not.
 */
export function maskPersonalFields(fields: Obj): Obj {
  const customer = obj(fields.customer);
  if (Object.keys(customer).length === 0) return fields;
  const masked: Obj = { ...customer };
  for (const [key, value] of Object.entries(customer)) {
    if (typeof value !== 'string' || value === '') continue;
    if (/phone|mobile|tel/i.test(key)) masked[key] = maskPhone(value);
    else if (/mail/i.test(key)) masked[key] = maskEmail(value);
    else if (/name/i.test(key)) masked[key] = maskName(value);
  }
  return { ...fields, customer: masked };
}
