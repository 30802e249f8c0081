/**
 * crash: the SIGKILL-under-load experiment of test/faults/crash-under-load.test.ts with larger
 * counts (issue #9): 300 cases, 8 clients, 15 kills, on SQLite and (when it answers) PostgreSQL.
 * Prints the counts and any problem found; a problem fails the run.
 */
import { crashUnderLoad } from '../../test/faults/crashLoad.ts';
import { backends } from '../../test/helpers/backends.ts';

export const name = 'crash';

export async function run() {
  const results = [];
  for (const backend of await backends()) {
    const report = await crashUnderLoad({
      backend,
      cases: Number(process.env.BENCH_CRASH_CASES ?? 300),
      clients: 8,
      kills: Number(process.env.BENCH_CRASH_KILLS ?? 15),
      seed: 7,
      killEveryMs: [300, 1500],
      deadlineMs: 600_000,
    });
    if (report.problems.length) throw new Error(`crash (${backend}): ${report.problems.slice(0, 10).join('; ')}`);
    results.push(report);
  }
  return { runs: results };
}
