/**
 * The weekly review (R27): a reproducible 10% sample of the week's typical cases — closed cases that
 * were not resolved at first contact, and complaints — drawn with a generator seeded by the week
 * (and process), frozen when first drawn; and the people / process / tool causes recorded for the
 * sampled cases.
 */
import type { FindingBody } from '../../schemas/analytics.ts';
import { LoopdeskError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { audit } from '../store/audit.ts';
import type { Tx } from '../store/db.ts';
import { type EngineContext, type Principal, command } from '../usecases/context.ts';
import { weekRange } from './periods.ts';
import type { AnalyticsSettings } from './settings.ts';
import { seedOf, seededRandom } from './stats.ts';

interface Candidate {
  instance_id: string;
  case_number: string | null;
  type: string | null;
  owner: string | null;
  description: string | null;
  fcr: number | null;
  reason: string;
}

/** Cases closed in the week that failed first-contact resolution or were complaints, by id. */
async function candidates(tx: Tx, from: number, to: number, processKey?: string): Promise<Candidate[]> {
  const rows = await tx.all<Omit<Candidate, 'reason'>>(
    `SELECT c.instance_id, c.case_number, c.type, c.owner, c.description, c.fcr FROM case_facts c
     WHERE c.ended_at >= ? AND c.ended_at < ? AND c.state = 'completed' AND (c.fcr = 0 OR c.type = 'complaint')${processKey ? ' AND c.process_key = ?' : ''}
     ORDER BY c.instance_id`,
    processKey ? [from, to, processKey] : [from, to],
  );
  return rows.map((r) => ({ ...r, fcr: r.fcr === null ? null : Number(r.fcr), reason: Number(r.fcr) === 0 ? 'first-contact-failure' : 'complaint' }));
}

/** The sample size for n candidates: ⌈rate·n⌉ (at least one case when there is any). */
export const sampleSize = (n: number, sampleRate: number) => (n === 0 ? 0 : Math.max(1, Math.ceil(n * sampleRate - 1e-9)));

/** Seeded partial Fisher-Yates: the same candidates and seed always give the same sample. */
export function drawSample<T>(items: T[], k: number, seed: number): T[] {
  const a = [...items];
  const random = seededRandom(seed);
  for (let i = 0; i < k && i < a.length; i++) {
    const j = i + Math.floor(random() * (a.length - i));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, k);
}

const seedFor = (week: string, processKey?: string) => seedOf(`${week}|${processKey ?? '*'}`);

async function findings(tx: Tx, week: string) {
  const rows = await tx.all<Record<string, unknown>>('SELECT * FROM review_findings WHERE week = ? ORDER BY recorded_at, id', [week]);
  return rows.map((r) => ({
    id: r.id as string,
    week: r.week as string,
    instanceId: r.instance_id as string,
    category: r.category as string,
    cause: r.cause as string,
    action: (r.action as string | null) ?? null,
    recordedBy: r.recorded_by as string,
    recordedAt: Number(r.recorded_at),
  }));
}

/** The week's review: the frozen sample if drawn, else a preview of what drawing would give. */
export async function weeklyReview(tx: Tx, week: string, settings: AnalyticsSettings, processKey?: string) {
  const { from, to } = weekRange(week);
  const all = await candidates(tx, from, to, processKey);
  const frozen = (await tx.all<{ instance_id: string; reason: string; seed: number }>('SELECT instance_id, reason, seed FROM review_samples WHERE week = ?', [week])).sort((a, b) =>
    a.instance_id < b.instance_id ? -1 : a.instance_id > b.instance_id ? 1 : 0,
  );
  const seed = frozen.length ? Number(frozen[0].seed) : seedFor(week, processKey);
  let sample: { instanceId: string; caseNumber: string | null; reason: string; type: string | null; owner: string | null; description: string | null }[];
  if (frozen.length) {
    const ids = frozen.map((r) => r.instance_id);
    const details = new Map(
      (
        await tx.all<{ instance_id: string; case_number: string | null; type: string | null; owner: string | null; description: string | null }>(
          `SELECT instance_id, case_number, type, owner, description FROM case_facts WHERE instance_id IN (${ids.map(() => '?').join(', ')})`,
          ids,
        )
      ).map((r) => [r.instance_id, r]),
    );
    sample = frozen.map((r) => {
      const d = details.get(r.instance_id);
      return { instanceId: r.instance_id, caseNumber: d?.case_number ?? null, reason: r.reason, type: d?.type ?? null, owner: d?.owner ?? null, description: d?.description ?? null };
    });
  } else {
    sample = drawSample(all, sampleSize(all.length, settings.reviewSampleRate), seed).map((c) => ({
      instanceId: c.instance_id,
      caseNumber: c.case_number,
      reason: c.reason,
      type: c.type,
      owner: c.owner,
      description: c.description,
    }));
    sample.sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0));
  }
  return { week, from, to, frozen: frozen.length > 0, candidates: all.length, sampleSize: sample.length, seed, sample, findings: await findings(tx, week) };
}

/** Draws and stores the week's sample (idempotent: a drawn week keeps its sample). */
export async function freezeReview(ctx: EngineContext, week: string, settings: AnalyticsSettings, actor: Principal, processKey?: string, requestId?: string) {
  return command(ctx, async (tx, now) => {
    const review = await weeklyReview(tx, week, settings, processKey);
    if (review.frozen) return review;
    for (const s of review.sample) {
      await tx.run('INSERT INTO review_samples (week, instance_id, process_key, reason, seed, drawn_at, drawn_by) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        week,
        s.instanceId,
        processKey ?? null,
        s.reason,
        review.seed,
        now,
        actor.username,
      ]);
    }
    await audit(tx, now, {
      actor: actor.username,
      action: 'review.sample',
      entityType: 'review',
      entityId: week,
      after: { seed: review.seed, candidates: review.candidates, sample: review.sample.map((s) => s.instanceId) },
      requestId,
    });
    return { ...review, frozen: true };
  });
}

/** Records a people / process / tool cause for a case of the week's frozen sample. */
export async function addFinding(ctx: EngineContext, week: string, body: FindingBody, actor: Principal, requestId?: string) {
  weekRange(week);
  return command(ctx, async (tx, now) => {
    const sampled = await tx.get('SELECT instance_id FROM review_samples WHERE week = ? AND instance_id = ?', [week, body.instanceId]);
    if (!sampled) {
      throw new LoopdeskError('LD_REVIEW_NOT_SAMPLED', 422, `case ${body.instanceId} is not in the drawn sample of ${week}; draw the sample first`, [
        { path: '/body/instanceId', message: 'not in the sample' },
      ]);
    }
    const row = {
      id: newId(),
      week,
      instanceId: body.instanceId,
      category: body.category,
      cause: body.cause.trim(),
      action: body.action?.trim() || null,
      recordedBy: actor.username,
      recordedAt: now,
    };
    await tx.run('INSERT INTO review_findings (id, week, instance_id, category, cause, action, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
      row.id,
      week,
      row.instanceId,
      row.category,
      row.cause,
      row.action,
      row.recordedBy,
      now,
    ]);
    await audit(tx, now, { actor: actor.username, action: 'review.finding', entityType: 'review', entityId: week, after: row, requestId });
    return row;
  });
}
