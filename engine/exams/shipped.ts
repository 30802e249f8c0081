/**
 * Loads the shipped exams (`definitions/exams/*.json`) through the same use case an admin's PUT
 * uses. An exam an admin has changed since keeps their version; one still as shipped follows the
 * file.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type EngineContext, SYSTEM } from '../usecases/context.ts';
import { saveExam } from './exams.ts';

export async function loadShippedExams(ctx: EngineContext, dir: string): Promise<{ file: string; key: string; outcome: 'saved' | 'kept' }[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const report: { file: string; key: string; outcome: 'saved' | 'kept' }[] = [];
  for (const file of files) {
    const definition = JSON.parse(await readFile(join(dir, file), 'utf8')) as { key?: unknown };
    const key = String(definition.key);
    const row = await ctx.db.get<{ updated_by: string }>('SELECT updated_by FROM exam_definitions WHERE key = ?', [key]);
    if (row && row.updated_by !== SYSTEM.username) {
      report.push({ file, key, outcome: 'kept' });
      continue;
    }
    await saveExam(ctx, definition, SYSTEM);
    report.push({ file, key, outcome: 'saved' });
  }
  return report;
}
