/**
 * One customer's personal data, exported or erased (R39, GDPR articles 15 and 17).
 *
 * Export gathers what Loopdesk holds about the customer: the profile, and per case the form
 * submissions and the notifications sent. Erasure removes the personal part of all of it in one
 * transaction and keeps the rest, so statistics (durations, SLA, types, scores, region) stay whole:
 * - the profile keeps its id, region and high-value flag; name becomes a pseudonym, contact data goes;
 * - case variables and submissions lose every field the form marks personal;
 * - notifications about the cases lose their text and fields, the customer's address goes;
 * - audit rows holding case data lose their payloads but keep digests, so the chain still verifies.
 * Both are audited; neither audit row holds personal data.
 */
import { notFound } from '../core/errors.ts';
import { erasePersonal } from '../forms/erase-personal.ts';
import { audit, redactAudit } from '../store/audit.ts';
import type { Tx } from '../store/db.ts';
import { type EngineContext, type Principal, command } from '../usecases/context.ts';
import { formVariable, loadFormVersion } from '../usecases/forms.ts';
import { type Customer, loadCustomer } from './customers.ts';

export interface CustomerExport {
  exportedAt: string;
  customer: Customer;
  cases: {
    caseNumber: string | null;
    instanceId: string;
    processKey: string;
    startedAt: string;
    endedAt: string | null;
    state: string;
    submissions: { formKey: string; formVersion: number; submittedAt: string; data: unknown }[];
  }[];
  notifications: { channel: string; recipient: string; subject: string; body: string; createdAt: string; caseNumber: string | null }[];
}

export interface ErasureReport {
  customerId: string;
  erasedAt: string;
  cases: number;
  submissions: number;
  fieldsErased: number;
  notifications: number;
  auditRows: number;
}

const iso = (ms: number | string | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

interface CaseRow {
  id: string;
  case_number: string | null;
  process_key: string;
  started_at: number;
  ended_at: number | null;
  state: string;
  variables: string;
}

async function casesOf(tx: Tx, customerId: string): Promise<CaseRow[]> {
  return tx.all<CaseRow>(
    'SELECT id, case_number, process_key, started_at, ended_at, state, variables FROM instances WHERE customer_id = ? ORDER BY started_at, id',
    [customerId],
  );
}

/** Notifications about the customer's cases, and those addressed to the customer directly. */
async function notificationsOf(tx: Tx, c: Customer, caseIds: readonly string[]) {
  const byCase = caseIds.length
    ? await tx.all<{ id: string; channel: string; recipient: string; subject: string; body: string; created_at: number; instance_id: string | null }>(
        `SELECT id, channel, recipient, subject, body, created_at, instance_id FROM notifications WHERE instance_id IN (${caseIds.map(() => '?').join(', ')})`,
        [...caseIds],
      )
    : [];
  const direct = c.email
    ? await tx.all<(typeof byCase)[number]>('SELECT id, channel, recipient, subject, body, created_at, instance_id FROM notifications WHERE recipient = ?', [c.email])
    : [];
  const seen = new Set<string>();
  return [...byCase, ...direct].filter((n) => !seen.has(n.id) && seen.add(n.id));
}

export async function exportCustomerData(ctx: EngineContext, id: string, actor: Principal, requestId?: string): Promise<CustomerExport> {
  return command(ctx, async (tx, now) => {
    const customer = await loadCustomer(tx, id);
    if (!customer) throw notFound('customer', id);
    const cases = await casesOf(tx, id);
    const out: CustomerExport = { exportedAt: iso(now)!, customer, cases: [], notifications: [] };
    const numberOf = new Map(cases.map((c) => [c.id, c.case_number]));
    for (const c of cases) {
      const submissions = await tx.all<{ form_key: string; form_version: number; submitted_at: number; data: string }>(
        'SELECT form_key, form_version, submitted_at, data FROM submissions WHERE instance_id = ? ORDER BY submitted_at, id',
        [c.id],
      );
      out.cases.push({
        caseNumber: c.case_number,
        instanceId: c.id,
        processKey: c.process_key,
        startedAt: iso(c.started_at)!,
        endedAt: iso(c.ended_at),
        state: c.state,
        submissions: submissions.map((s) => ({ formKey: s.form_key, formVersion: Number(s.form_version), submittedAt: iso(s.submitted_at)!, data: JSON.parse(s.data) })),
      });
    }
    for (const n of await notificationsOf(tx, customer, cases.map((c) => c.id))) {
      out.notifications.push({
        channel: n.channel,
        recipient: n.recipient,
        subject: n.subject,
        body: n.body,
        createdAt: iso(n.created_at)!,
        caseNumber: n.instance_id ? (numberOf.get(n.instance_id) ?? null) : null,
      });
    }
    // Reading someone's whole record is itself worth a trace; the row names counts, not data.
    await audit(tx, now, {
      actor: actor.username,
      action: 'customer.export',
      entityType: 'customer',
      entityId: id,
      after: { cases: out.cases.length, notifications: out.notifications.length },
      requestId,
    });
    return out;
  });
}

/** The case data of one instance with every form's personal fields removed, per submitted version. */
async function eraseCase(tx: Tx, c: CaseRow): Promise<{ submissions: number; fields: number }> {
  const submissions = await tx.all<{ id: string; form_key: string; form_version: number; data: string }>(
    'SELECT id, form_key, form_version, data FROM submissions WHERE instance_id = ?',
    [c.id],
  );
  const variables = JSON.parse(c.variables) as Record<string, unknown>;
  let fields = 0;
  for (const s of submissions) {
    const form = await loadFormVersion(tx, s.form_key, Number(s.form_version));
    if (!form) continue;
    const stored = erasePersonal(form, JSON.parse(s.data));
    if (stored.erased) await tx.run('UPDATE submissions SET data = ? WHERE id = ?', [JSON.stringify(stored.data), s.id]);
    fields += stored.erased;
    // The variables may hold fields of several versions of the form: erase with each of them.
    const name = formVariable(s.form_key);
    if (variables[name] !== undefined) {
      const v = erasePersonal(form, variables[name]);
      variables[name] = v.data;
      fields += v.erased;
    }
  }
  // A new revision, so a command that read the old variables retries on the erased ones.
  await tx.run('UPDATE instances SET variables = ?, rev = rev + 1 WHERE id = ?', [JSON.stringify(variables), c.id]);
  return { submissions: submissions.length, fields };
}

/** Audit rows whose payloads may hold the customer's data: the profile, the cases, task completions. */
async function auditRowsOf(tx: Tx, customerId: string, caseIds: readonly string[]): Promise<string[]> {
  const ids = (await tx.all<{ id: string }>("SELECT id FROM audit_log WHERE entity_type = 'customer' AND entity_id = ?", [customerId])).map((r) => r.id);
  for (const caseId of caseIds) {
    const rows = await tx.all<{ id: string }>(
      `SELECT id FROM audit_log WHERE (entity_type = 'instance' AND entity_id = ?)
         OR (entity_type = 'task' AND action = 'task.complete' AND entity_id IN (SELECT id FROM tasks WHERE instance_id = ?))`,
      [caseId, caseId],
    );
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
}

export async function eraseCustomer(ctx: EngineContext, id: string, reason: string, actor: Principal, requestId?: string): Promise<ErasureReport> {
  return command(ctx, async (tx, now) => {
    const customer = await loadCustomer(tx, id);
    if (!customer) throw notFound('customer', id);
    const cases = await casesOf(tx, id);
    const caseIds = cases.map((c) => c.id);
    let submissions = 0;
    let fieldsErased = 0;
    for (const c of cases) {
      const r = await eraseCase(tx, c);
      submissions += r.submissions;
      fieldsErased += r.fields;
    }
    const notifications = await notificationsOf(tx, customer, caseIds);
    for (const n of notifications) {
      const recipient = n.recipient === customer.email ? 'erased' : n.recipient;
      await tx.run("UPDATE notifications SET subject = '', body = '', payload = '{}', recipient = ? WHERE id = ?", [recipient, n.id]);
    }
    const auditRows = await redactAudit(tx, await auditRowsOf(tx, id, caseIds), now);
    await tx.run(
      'UPDATE customers SET name = ?, company = NULL, phone = NULL, email = NULL, special_needs = NULL, updated_at = ?, erased_at = ? WHERE id = ?',
      [pseudonym(id), now, now, id],
    );
    const report: ErasureReport = {
      customerId: id,
      erasedAt: iso(now)!,
      cases: cases.length,
      submissions,
      fieldsErased,
      notifications: notifications.length,
      auditRows,
    };
    await audit(tx, now, { actor: actor.username, action: 'customer.erase', entityType: 'customer', entityId: id, after: { ...report, reason }, requestId });
    return report;
  });
}

/** What an erased customer is called from now on: stable, unique, and saying what happened. */
export const pseudonym = (id: string) => `已删除客户 erased-${id.slice(-8)}`;
