/**
 * Loads `definitions/` on start through the same use cases an admin's API calls use: each form and
 * each BPMN file is saved/deployed and published unless that exact definition already is. Shipped definitions are data, never
 * special-cased in code.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadShippedTargets } from '../analytics/settings.ts';
import { LoopdeskError } from '../core/errors.ts';
import { loadShippedExams } from '../exams/shipped.ts';
import { loadShippedArticles } from '../knowledge/shipped.ts';
import { type EngineContext, SYSTEM } from '../usecases/context.ts';
import { deploy } from '../usecases/definitions.ts';
import { loadCalendars, saveCalendar } from '../usecases/calendars.ts';
import { saveForm } from '../usecases/forms.ts';
import { savePolicy } from '../usecases/sla.ts';

export interface LoadReport {
  calendars: { file: string; key: string }[];
  slaPolicies: { file: string; key: string }[];
  forms: { file: string; key: string; version: number; created: boolean }[];
  processes: { file: string; key: string; version: number; created: boolean }[];
}

/** A broken shipped definition stops the start with the file and every problem named. */
async function named<T>(file: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const details = err instanceof LoopdeskError && err.errors ? `\n${err.errors.map((e) => `  ${e.path ?? e.elementId ?? ''}: ${e.message}`).join('\n')}` : '';
    throw new Error(`${file}: ${(err as Error).message}${details}`);
  }
}

async function filesIn(dir: string, ext: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith(ext)).sort();
  } catch {
    return [];
  }
}

export async function loadShippedDefinitions(ctx: EngineContext, root: string): Promise<LoadReport> {
  const report: LoadReport = { calendars: [], slaPolicies: [], forms: [], processes: [] };
  // Calendars and SLA policies first: processes name them.
  const calendarsDir = join(root, 'calendars');
  for (const file of await filesIn(calendarsDir, '.json')) {
    const { calendar } = await named(join(calendarsDir, file), async () =>
      saveCalendar(ctx, JSON.parse(await readFile(join(calendarsDir, file), 'utf8')), SYSTEM, { mode: 'upsert' }),
    );
    report.calendars.push({ file, key: calendar.key });
  }
  await loadCalendars(ctx);
  const slaDir = join(root, 'sla');
  for (const file of await filesIn(slaDir, '.json')) {
    const { policy } = await named(join(slaDir, file), async () => savePolicy(ctx, JSON.parse(await readFile(join(slaDir, file), 'utf8')), SYSTEM));
    report.slaPolicies.push({ file, key: policy.key });
  }
  // Forms first, so the tasks of the processes loaded next pin a published form version.
  const formsDir = join(root, 'forms');
  for (const file of await filesIn(formsDir, '.json')) {
    const { created, form } = await named(join(formsDir, file), async () =>
      saveForm(ctx, JSON.parse(await readFile(join(formsDir, file), 'utf8')), SYSTEM, { publish: true }),
    );
    report.forms.push({ file, key: form.key, version: form.version, created });
  }
  const dir = join(root, 'processes');
  for (const file of await filesIn(dir, '.bpmn')) {
    const xml = await readFile(join(dir, file), 'utf8');
    const result = await named(join(dir, file), () => deploy(ctx, xml, SYSTEM, { publish: true }));
    for (const p of result.processes) report.processes.push({ file, key: p.key, version: p.version, created: result.created });
  }
  await loadShippedArticles(ctx, join(root, 'knowledge'));
  // Exams name forms, so they come after the forms.
  await named(join(root, 'exams'), () => loadShippedExams(ctx, join(root, 'exams')));
  // Analytics targets and benchmarks (R25, R29), beside the actuals in reports.
  await named(join(root, 'analytics'), () => loadShippedTargets(ctx, join(root, 'analytics')));
  return report;
}
