/**
 * Customers (R3, R30, R39): profile, contact data (personal: masked for roles without pii:read),
 * special needs from sales, and the service history read from their cases — so opening a case for
 * a known customer pulls the history in through the intake form's `customers` lookup.
 */
import { LoopdeskError, notFound } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { maskEmail, maskName, maskPhone } from '../forms/index.ts';
import { audit } from '../store/audit.ts';
import type { Tx } from '../store/db.ts';
import { type EngineContext, type Principal, command } from '../usecases/context.ts';
import { lookupSources } from '../usecases/forms.ts';

export interface CustomerInput {
  name: string;
  company?: string | null;
  phone?: string | null;
  email?: string | null;
  region?: string | null;
  highValue?: boolean;
  specialNeeds?: string | null;
}

export interface Customer extends Required<CustomerInput> {
  id: string;
  createdAt: number;
  updatedAt: number;
  /** When the personal data was erased (erasure.ts); the profile then holds a pseudonym only. */
  erasedAt: number | null;
}

export interface HistoryEntry {
  caseNumber: string | null;
  instanceId: string;
  startedAt: number;
  state: string;
  faultType: string | null;
  solution: string | null;
  satisfaction: number | null;
}

const toCustomer = (r: Record<string, unknown>): Customer => ({
  id: r.id as string,
  name: r.name as string,
  company: (r.company as string | null) ?? null,
  phone: (r.phone as string | null) ?? null,
  email: (r.email as string | null) ?? null,
  region: (r.region as string | null) ?? null,
  highValue: Number(r.high_value) === 1,
  specialNeeds: (r.special_needs as string | null) ?? null,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
  erasedAt: r.erased_at === null || r.erased_at === undefined ? null : Number(r.erased_at),
});

/** Contact data as the viewer may see it (R39). */
export function maskCustomer<T extends Pick<Customer, 'name' | 'phone' | 'email'>>(c: T, viewer: Principal): T {
  if (viewer.permissions.includes('pii:read')) return c;
  return { ...c, name: maskName(c.name), phone: c.phone ? maskPhone(c.phone) : null, email: c.email ? maskEmail(c.email) : null };
}

export async function createCustomer(ctx: EngineContext, input: CustomerInput, actor: Principal, requestId?: string): Promise<Customer> {
  return command(ctx, async (tx, now) => {
    const c: Customer = {
      id: newId(),
      name: input.name,
      company: input.company ?? null,
      phone: input.phone ?? null,
      email: input.email ?? null,
      region: input.region ?? null,
      highValue: input.highValue ?? false,
      specialNeeds: input.specialNeeds ?? null,
      createdAt: now,
      updatedAt: now,
      erasedAt: null,
    };
    await tx.run(
      'INSERT INTO customers (id, name, company, phone, email, region, high_value, special_needs, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [c.id, c.name, c.company, c.phone, c.email, c.region, c.highValue ? 1 : 0, c.specialNeeds, now, now],
    );
    await audit(tx, now, { actor: actor.username, action: 'customer.create', entityType: 'customer', entityId: c.id, after: c, requestId });
    return c;
  });
}

export async function updateCustomer(ctx: EngineContext, id: string, patch: Partial<CustomerInput>, actor: Principal, requestId?: string): Promise<Customer> {
  return command(ctx, async (tx, now) => {
    const before = await loadCustomer(tx, id);
    if (!before) throw notFound('customer', id);
    const after: Customer = { ...before, ...patch, id, updatedAt: now } as Customer;
    await tx.run(
      'UPDATE customers SET name = ?, company = ?, phone = ?, email = ?, region = ?, high_value = ?, special_needs = ?, updated_at = ? WHERE id = ?',
      [after.name, after.company, after.phone, after.email, after.region, after.highValue ? 1 : 0, after.specialNeeds, now, id],
    );
    await audit(tx, now, { actor: actor.username, action: 'customer.update', entityType: 'customer', entityId: id, before, after, requestId });
    return after;
  });
}

export async function loadCustomer(tx: Tx, id: string): Promise<Customer | undefined> {
  const row = await tx.get('SELECT * FROM customers WHERE id = ?', [id]);
  return row && toCustomer(row);
}

/** Finds customers by exact phone or email, or by name prefix. */
export async function searchCustomers(ctx: EngineContext, q: string, limit = 20): Promise<Customer[]> {
  const rows = await ctx.db.all(
    `SELECT * FROM customers WHERE phone = ? OR email = ? OR name LIKE ? ORDER BY updated_at DESC LIMIT ${Math.floor(limit)}`,
    [q, q, `${q.replace(/[%_]/g, '')}%`],
  );
  return rows.map(toCustomer);
}

/**
 * The customer's cases with what happened in them: fault type from the intake form, chosen
 * solution from handling, score from the callback (form keys as shipped in definitions/forms).
 */
export async function serviceHistory(tx: Tx, customerId: string, limit = 20): Promise<HistoryEntry[]> {
  const rows = await tx.all<{ id: string; case_number: string | null; started_at: number; state: string; variables: string }>(
    `SELECT id, case_number, started_at, state, variables FROM instances WHERE customer_id = ? ORDER BY started_at DESC LIMIT ${Math.floor(limit)}`,
    [customerId],
  );
  return rows.map((r) => {
    const v = JSON.parse(r.variables) as Record<string, Record<string, unknown> | undefined>;
    const str = (x: unknown) => (typeof x === 'string' ? x : null);
    return {
      caseNumber: r.case_number,
      instanceId: r.id,
      startedAt: Number(r.started_at),
      state: r.state,
      faultType: str(v.feedbackIntake?.type),
      solution: str(v.handling?.chosenSolution),
      satisfaction: typeof v.callback?.satisfactionScore === 'number' ? (v.callback.satisfactionScore as number) : null,
    };
  });
}

export async function customerWithHistory(ctx: EngineContext, id: string, viewer: Principal) {
  return ctx.db.transaction(async (tx) => {
    const c = await loadCustomer(tx, id);
    if (!c) throw notFound('customer', id);
    return { ...maskCustomer(c, viewer), history: await serviceHistory(tx, id) };
  });
}

/** Registers the intake form's `customers` lookup (R3): the profile plus history, in the form's field names. */
export function registerCustomerLookup(): void {
  lookupSources.set('customers', customerLookup);
}

async function customerLookup(tx: Tx, _key: string, value: unknown): Promise<Record<string, unknown> | null> {
  if (typeof value !== 'string') return null;
  const c = await loadCustomer(tx, value);
  if (!c) return null;
  const history = await serviceHistory(tx, c.id, 10);
  return {
    id: c.id,
    name: c.name,
    customerName: c.name,
    company: c.company,
    phone: c.phone,
    email: c.email,
    region: c.region,
    specialNeeds: c.specialNeeds,
    highValue: c.highValue,
    serviceHistory: history.map((h) => ({
      caseNo: h.caseNumber ?? h.instanceId,
      faultType: h.faultType ?? '',
      solution: h.solution ?? '',
      ...(h.satisfaction === null ? {} : { satisfaction: h.satisfaction }),
    })),
  };
}

export function assertCustomerInput(input: CustomerInput): void {
  if (!input.name?.trim()) throw new LoopdeskError('LD_VALIDATION', 400, 'a customer needs a name', [{ path: '/name', message: 'required' }]);
}
