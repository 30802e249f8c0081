/**
 * The analytics definition admins edit: targets and benchmarks per metric (R25, R29) and the report
 * settings (sample sizes, thresholds). Stored in `analytics_settings` under `targets`; shipped
 * defaults live in definitions/analytics/targets.json and are loaded like any definition.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { Duration } from 'luxon';
import { type AnalyticsDefinition, type AnalyticsTarget, analyticsDefinitionSchema } from '../../schemas/analytics.ts';
import { LoopdeskError } from '../core/errors.ts';
import { audit } from '../store/audit.ts';
import type { Tx } from '../store/db.ts';
import { type EngineContext, type Principal, SYSTEM, command } from '../usecases/context.ts';
import { METRICS } from './metrics.ts';

export interface AnalyticsSettings {
  exactCaseLimit: number;
  minGroupSize: number;
  significance: number;
  bootstrapResamples: number;
  bootstrapSeed: number;
  incompleteOpenDays: number;
  reviewSampleRate: number;
  lowScoreBelow: number;
  coachingLowScores: number;
  actionWindowDays: number;
  ageingHours: number[];
  slowestPerNode: number;
}

const validate = new Ajv({ allErrors: true, useDefaults: true, strict: false }).compile(analyticsDefinitionSchema);

/** Checks a definition and fills in the defaults; 422 with JSON pointers when invalid. */
export function checkDefinition(input: unknown): AnalyticsDefinition & { settings: AnalyticsSettings } {
  const def = structuredClone(input ?? {}) as Record<string, unknown>;
  def.settings ??= {};
  if (!validate(def)) {
    throw new LoopdeskError(
      'LD_ANALYTICS_DEFINITION_INVALID',
      422,
      'the analytics definition is invalid',
      (validate.errors ?? []).map((e) => ({ path: e.instancePath || '/', message: e.message ?? 'invalid' })),
    );
  }
  const checked = def as AnalyticsDefinition & { settings: AnalyticsSettings };
  const errors: { path: string; message: string }[] = [];
  const keys = new Set<string>();
  checked.targets.forEach((t, i) => {
    if (keys.has(t.key)) errors.push({ path: `/targets/${i}/key`, message: `duplicate key ${t.key}` });
    keys.add(t.key);
    if (t.target === undefined && (t.baseline === undefined || t.change === undefined)) {
      errors.push({ path: `/targets/${i}`, message: 'give a target, or a baseline and a relative change' });
    }
    for (const [field, v] of [['target', t.target], ['baseline', t.baseline], ['benchmark/value', t.benchmark?.value]] as const) {
      if (typeof v !== 'string') continue;
      if (METRICS[t.metric].unit !== 'ms') errors.push({ path: `/targets/${i}/${field}`, message: `${t.metric} is not a duration; give a number` });
      else if (!Duration.fromISO(v).isValid) errors.push({ path: `/targets/${i}/${field}`, message: `${v} is not an ISO 8601 duration` });
    }
  });
  if (errors.length) throw new LoopdeskError('LD_ANALYTICS_DEFINITION_INVALID', 422, 'the analytics definition is invalid', errors);
  return checked;
}

/** A target value in the metric's unit: ISO durations become milliseconds. */
export function targetValueOf(v: number | string | undefined): number | null {
  if (v === undefined) return null;
  return typeof v === 'number' ? v : Duration.fromISO(v).as('milliseconds');
}

/** The target of a definition entry: absolute, or baseline × (1 + change). */
export function targetOf(t: AnalyticsTarget): number | null {
  if (t.target !== undefined) return targetValueOf(t.target);
  const base = targetValueOf(t.baseline);
  return base === null || t.change === undefined ? null : base * (1 + t.change);
}

const EMPTY = checkDefinition({ key: 'targets', targets: [] });

export async function getDefinition(tx: Tx): Promise<AnalyticsDefinition & { settings: AnalyticsSettings }> {
  const row = await tx.get<{ definition: string }>("SELECT definition FROM analytics_settings WHERE key = 'targets'");
  return row ? checkDefinition(JSON.parse(row.definition)) : EMPTY;
}

export async function getSettings(tx: Tx): Promise<AnalyticsSettings> {
  return (await getDefinition(tx)).settings;
}

/** Saves the definition (admins, audited). Returns it with defaults filled in. */
export async function saveDefinition(ctx: EngineContext, input: unknown, actor: Principal, requestId?: string) {
  const def = checkDefinition({ ...(input as object), key: 'targets' });
  const body = JSON.stringify(def);
  return command(ctx, async (tx, now) => {
    const existing = await tx.get<{ definition: string }>("SELECT definition FROM analytics_settings WHERE key = 'targets'");
    if (existing?.definition === body) return def;
    if (existing) await tx.run("UPDATE analytics_settings SET definition = ?, updated_at = ?, updated_by = ? WHERE key = 'targets'", [body, now, actor.username]);
    else await tx.run("INSERT INTO analytics_settings (key, definition, updated_at, updated_by) VALUES ('targets', ?, ?, ?)", [body, now, actor.username]);
    await audit(tx, now, {
      actor: actor.username,
      action: existing ? 'analytics-targets.update' : 'analytics-targets.create',
      entityType: 'analytics-settings',
      entityId: 'targets',
      before: existing ? JSON.parse(existing.definition) : undefined,
      after: def,
      requestId,
    });
    return def;
  });
}

/**
 * Loads `<dir>/targets.json` (definitions/analytics) the way the other shipped definitions are
 * loaded: through saveDefinition, only when no definition is stored yet, so an admin's edits win.
 */
export async function loadShippedTargets(ctx: EngineContext, dir: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(join(dir, 'targets.json'), 'utf8');
  } catch {
    return false;
  }
  const stored = await ctx.db.get("SELECT key FROM analytics_settings WHERE key = 'targets'");
  if (stored) return false;
  await saveDefinition(ctx, JSON.parse(text), SYSTEM);
  return true;
}
