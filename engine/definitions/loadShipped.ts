/**
 * Loads `definitions/` on start through the same use cases an admin's API calls use: each BPMN file
 * is deployed and published unless that exact XML already is. Shipped definitions are data, never
 * special-cased in code.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type EngineContext, SYSTEM } from '../usecases/context.ts';
import { deploy } from '../usecases/definitions.ts';

export interface LoadReport {
  processes: { file: string; key: string; version: number; created: boolean }[];
}

async function filesIn(dir: string, ext: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith(ext)).sort();
  } catch {
    return [];
  }
}

export async function loadShippedDefinitions(ctx: EngineContext, root: string): Promise<LoadReport> {
  const report: LoadReport = { processes: [] };
  const dir = join(root, 'processes');
  for (const file of await filesIn(dir, '.bpmn')) {
    const xml = await readFile(join(dir, file), 'utf8');
    const result = await deploy(ctx, xml, SYSTEM, { publish: true });
    for (const p of result.processes) report.processes.push({ file, key: p.key, version: p.version, created: result.created });
  }
  return report;
}
