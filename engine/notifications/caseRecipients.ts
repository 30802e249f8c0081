/**
 * Recipients named by their relation to the case, resolved when the notification is expanded:
 * `customer` (the linked customer's e-mail, else the intake form's), `assignee` (whoever holds the
 * case's open tasks, or their queue), `department-head` (the head of each such assignee's group,
 * see dispatch/org.ts). Diagrams and SLA policies can then say who, not which person.
 */
import { headOf } from '../dispatch/org.ts';
import type { Tx } from '../store/db.ts';
import { recipientSpecs } from './recipients.ts';

const RELATIVE = new Set(['customer', 'assignee', 'department-head']);

async function customerAddress(tx: Tx, instanceId: string): Promise<string[]> {
  const row = await tx.get<{ customer_id: string | null; variables: string }>('SELECT customer_id, variables FROM instances WHERE id = ?', [instanceId]);
  if (!row) return [];
  if (row.customer_id) {
    const c = await tx.get<{ email: string | null }>('SELECT email FROM customers WHERE id = ?', [row.customer_id]);
    if (c?.email) return [`email:${c.email}`];
  }
  const vars = JSON.parse(row.variables) as Record<string, { email?: unknown } | undefined>;
  const email = vars.feedbackIntake?.email;
  return typeof email === 'string' && email ? [`email:${email}`] : [];
}

async function openTasks(tx: Tx, instanceId: string) {
  const tasks = await tx.all<{ id: string; assignee: string | null }>("SELECT id, assignee FROM tasks WHERE instance_id = ? AND state = 'open'", [instanceId]);
  const out: { assignee: string | null; groups: string[] }[] = [];
  for (const t of tasks) {
    const groups = (await tx.all<{ name: string }>("SELECT name FROM task_candidates WHERE task_id = ? AND kind = 'group'", [t.id])).map((g) => g.name);
    out.push({ assignee: t.assignee, groups });
  }
  return out;
}

/** Replaces case-relative specs in `to` by concrete ones; a relation that finds nobody stays as written (and fails visibly). */
export async function resolveCaseRecipients(tx: Tx, instanceId: string | null, to: unknown): Promise<unknown> {
  const specs = recipientSpecs(to);
  if (!instanceId || !specs.some((s) => RELATIVE.has(s))) return to;
  const out: string[] = [];
  for (const spec of specs) {
    if (!RELATIVE.has(spec)) {
      out.push(spec);
      continue;
    }
    let found: string[] = [];
    if (spec === 'customer') found = await customerAddress(tx, instanceId);
    else {
      for (const t of await openTasks(tx, instanceId)) {
        if (spec === 'assignee') found.push(...(t.assignee ? [`user:${t.assignee}`] : t.groups.map((g) => `team:${g}`)));
        else for (const g of t.groups) {
          const head = await headOf(tx, g);
          if (head) found.push(`user:${head}`);
        }
      }
    }
    out.push(...(found.length ? found : [spec]));
  }
  return [...new Set(out)];
}
