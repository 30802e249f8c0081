/**
 * Case mix and frequent issues (R24, R26, R30): shares by type, channel and urgency, the most frequent
 * product models and causes, the Pareto of causes with cumulative share and the "vital few" up to
 * the 80% line, and the monthly frequent-fault report for R&D (product model × cause, with the
 * change against the month before).
 */
import type { Tx } from '../store/db.ts';
import { type AnalyticsFilter, whereOf } from './filters.ts';
import { monthOf, monthRange } from './periods.ts';

export interface CountItem {
  key: string | null;
  count: number;
  share: number;
  cumulativeShare?: number;
  vital?: boolean;
}

const PARETO_LINE = 0.8;

async function countBy(tx: Tx, f: AnalyticsFilter, column: string, nonNull = false, limit?: number): Promise<CountItem[]> {
  const w = await whereOf(tx, f, nonNull ? [`c.${column} IS NOT NULL`] : []);
  const rows = await tx.all<{ k: string | null; n: number }>(`SELECT c.${column} AS k, COUNT(*) AS n FROM case_facts c WHERE ${w.sql} GROUP BY c.${column}`, w.params);
  const total = rows.reduce((s, r) => s + Number(r.n), 0);
  const items = rows
    .map((r) => ({ key: r.k, count: Number(r.n), share: total ? Number(r.n) / total : 0 }))
    .sort((a, b) => b.count - a.count || String(a.key).localeCompare(String(b.key)));
  return limit ? items.slice(0, limit) : items;
}

/** Causes by frequency with cumulative share; `vital` up to and including the cause that crosses 80%. */
export function pareto(items: CountItem[]): { total: number; threshold: number; items: CountItem[] } {
  const total = items.reduce((s, i) => s + i.count, 0);
  let cumulative = 0;
  const out = items.map((i) => {
    const before = cumulative;
    cumulative += i.count;
    return { ...i, share: i.count / total, cumulativeShare: cumulative / total, vital: before / total < PARETO_LINE - 1e-12 };
  });
  return { total, threshold: PARETO_LINE, items: out };
}

export async function mix(tx: Tx, f: AnalyticsFilter) {
  const w = await whereOf(tx, f);
  const total = await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM case_facts c WHERE ${w.sql}`, w.params);
  const causes = await countBy(tx, f, 'cause', true);
  return {
    cases: Number(total?.n ?? 0),
    types: await countBy(tx, f, 'type'),
    channels: await countBy(tx, f, 'channel'),
    urgencies: await countBy(tx, f, 'urgency'),
    productModels: await countBy(tx, f, 'product_model', true, 20),
    causes: causes.slice(0, 20),
    pareto: pareto(causes),
  };
}

/**
 * R30: the month's cases with a product model or a cause, grouped by both, most frequent first,
 * with the same pair's count in the month before.
 */
export async function monthlyFaultReport(tx: Tx, f: AnalyticsFilter, month: string | undefined, now: number, limit: number) {
  const label = month ?? monthOf(monthRange(monthOf(now)).from - 1);
  const range = monthRange(label);
  const previous = monthRange(monthOf(range.from - 1));
  const grouped = async (from: number, to: number) => {
    const w = await whereOf(tx, { ...f, from, to }, ['(c.product_model IS NOT NULL OR c.cause IS NOT NULL)']);
    return tx.all<{ product_model: string | null; cause: string | null; n: number }>(
      `SELECT c.product_model, c.cause, COUNT(*) AS n FROM case_facts c WHERE ${w.sql} GROUP BY c.product_model, c.cause`,
      w.params,
    );
  };
  const current = await grouped(range.from, range.to);
  const before = new Map((await grouped(previous.from, previous.to)).map((r) => [`${r.product_model}\u0000${r.cause}`, Number(r.n)]));
  const total = current.reduce((s, r) => s + Number(r.n), 0);
  const top = current.sort((a, b) => Number(b.n) - Number(a.n) || String(a.product_model).localeCompare(String(b.product_model))).slice(0, limit);
  const items = [];
  for (const r of top) {
    const w = await whereOf(
      tx,
      { ...f, from: range.from, to: range.to },
      [r.product_model === null ? 'c.product_model IS NULL' : 'c.product_model = ?', r.cause === null ? 'c.cause IS NULL' : 'c.cause = ?'],
      [r.product_model, r.cause].filter((v) => v !== null),
    );
    const examples = await tx.all<{ case_number: string | null; instance_id: string }>(
      `SELECT c.case_number, c.instance_id FROM case_facts c WHERE ${w.sql} ORDER BY c.started_at LIMIT 3`,
      w.params,
    );
    const previousCount = before.get(`${r.product_model}\u0000${r.cause}`) ?? 0;
    items.push({
      productModel: r.product_model,
      cause: r.cause,
      count: Number(r.n),
      share: Number(r.n) / total,
      previousCount,
      change: Number(r.n) - previousCount,
      examples: examples.map((e) => e.case_number ?? e.instance_id),
    });
  }
  return { month: label, from: range.from, to: range.to, cases: total, items };
}
