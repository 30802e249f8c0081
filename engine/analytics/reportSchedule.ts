/**
 * Weekly and monthly reports on a schedule (R24). Once a week has ended — Monday 08:00 in the
 * analytics time zone — and once a month has ended (the 1st, 08:00), the report of that period
 * is generated: its figures are kept as a snapshot in `report_runs` (what was reported stays what
 * was reported, whatever is corrected later) and supervisors get an in-app notification. The row
 * is keyed by the period and written first, so with several nodes (or a restart half-way) each
 * period is generated exactly once. Periods without a single case get no report.
 */
import { PollingWorker } from '../jobs/PollingWorker.ts';
import { enqueueNotification } from '../notifications/enqueue.ts';
import type { EngineContext } from '../usecases/context.ts';
import { ensureFacts } from './facts.ts';
import { reportPeriod } from './periods.ts';
import { type ReportSummary, reportSummary } from './report.ts';
import { getDefinition } from './settings.ts';

/** Reports of a period are due this long after it ends (local time: the period ends at midnight). */
export const REPORT_DUE_AFTER_MS = 8 * 3_600_000;

export interface ReportRun {
  kind: 'week' | 'month';
  label: string;
  from: number;
  to: number;
  generatedAt: number;
}

/** Generates the reports that are due and not yet generated; returns how many it generated. */
export async function generateDueReports(ctx: EngineContext): Promise<number> {
  const now = ctx.clock.now();
  let generated = 0;
  for (const kind of ['week', 'month'] as const) {
    const period = reportPeriod(kind, now);
    if (now < period.to + REPORT_DUE_AFTER_MS) continue;
    const known = await ctx.db.get('SELECT 1 AS x FROM report_runs WHERE kind = ? AND label = ?', [kind, period.label]);
    if (known) continue;
    // A period without a single case has nothing to report (a new installation, a quiet desk).
    const anyCase = await ctx.db.get('SELECT 1 AS x FROM instances WHERE started_at >= ? AND started_at < ? LIMIT 1', [period.from, period.to]);
    if (!anyCase) continue;
    await ensureFacts(ctx.db, now);
    const def = await getDefinition(ctx.db);
    const made = await ctx.db.transaction(async (tx) => {
      const claimed = await tx.run(
        'INSERT INTO report_runs (kind, label, from_at, to_at, generated_at, summary) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, label) DO NOTHING',
        [kind, period.label, period.from, period.to, now, '{}'],
      );
      if (claimed !== 1) return false;
      // Figures only: no personal data is kept in the snapshot.
      const summary = await reportSummary(tx, {}, def, { period: kind, lang: 'zh-CN', pii: false }, now);
      await tx.run('UPDATE report_runs SET summary = ? WHERE kind = ? AND label = ?', [JSON.stringify(summary), kind, period.label]);
      await enqueueNotification(
        tx,
        { to: 'role:supervisor', template: 'report-ready', fields: { report: { kind, label: period.label, url: `/api/analytics/report-runs/${kind}/${period.label}?format=html` } } },
        now,
      );
      return true;
    });
    if (made) generated++;
  }
  return generated;
}

export async function listReportRuns(ctx: EngineContext): Promise<ReportRun[]> {
  const rows = await ctx.db.all<Record<string, unknown>>('SELECT kind, label, from_at, to_at, generated_at FROM report_runs ORDER BY from_at DESC, kind LIMIT 200');
  return rows.map((r) => ({ kind: r.kind as 'week' | 'month', label: r.label as string, from: Number(r.from_at), to: Number(r.to_at), generatedAt: Number(r.generated_at) }));
}

export async function getReportRun(ctx: EngineContext, kind: string, label: string): Promise<(ReportRun & { summary: ReportSummary }) | undefined> {
  const r = await ctx.db.get<Record<string, unknown>>('SELECT kind, label, from_at, to_at, generated_at, summary FROM report_runs WHERE kind = ? AND label = ?', [kind, label]);
  if (!r) return undefined;
  return {
    kind: r.kind as 'week' | 'month',
    label: r.label as string,
    from: Number(r.from_at),
    to: Number(r.to_at),
    generatedAt: Number(r.generated_at),
    summary: JSON.parse(r.summary as string) as ReportSummary,
  };
}

/** Looks for due reports on the job poll interval. */
export class ReportScheduler extends PollingWorker {
  constructor(
    private readonly ctx: EngineContext,
    pollMs: number,
    log?: (msg: string, err?: unknown) => void,
  ) {
    super(pollMs, 1, log);
  }

  protected async pass(): Promise<number> {
    await generateDueReports(this.ctx);
    // One pass generates everything due: never "run again now".
    return 0;
  }
}
