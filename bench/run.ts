/**
 * `npm run bench [-- name …]`: runs the workloads in bench/workloads and prints one JSON line each.
 */
import { readdir } from 'node:fs/promises';

const only = process.argv.slice(2);
const dir = new URL('./workloads/', import.meta.url);
const files = (await readdir(dir)).filter((f) => f.endsWith('.ts')).sort();
for (const file of files) {
  const mod = (await import(new URL(file, dir).href)) as { name: string; run: () => Promise<Record<string, unknown>> };
  if (only.length && !only.includes(mod.name)) continue;
  const result = await mod.run();
  console.log(JSON.stringify({ workload: mod.name, ...result }));
}
