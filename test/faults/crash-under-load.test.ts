/**
 * R0c, R35: SIGKILL under load. Clients complete tasks over HTTP while the server is killed at
 * random moments (seeded) and restarted; every completion the server acknowledged is stored
 * exactly once, every case ends with one visit per node and nothing left over, and every timer
 * fires exactly once — on SQLite and on PostgreSQL. Larger counts: `npm run bench -- crash`.
 */
import { describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.ts';
import { crashUnderLoad } from './crashLoad.ts';

describe.each(await backends())('R0c: SIGKILL under a load of completions (%s)', (backend) => {
  it('R0c, R35: acknowledged completions survive, none twice, timers once, nothing orphaned', { timeout: 150_000 }, async () => {
    const report = await crashUnderLoad({
      backend,
      cases: 90,
      clients: 6,
      kills: 4,
      seed: 20241124,
      killEveryMs: [400, 1000],
      deadlineMs: 100_000,
    });
    console.log(`crash-under-load ${backend}: ${JSON.stringify(report)}`);
    expect(report.problems).toEqual([]);
    expect(report.kills).toBe(4);
    // Every case has two tasks, each acknowledged once unless the answer was lost in a kill.
    expect(report.acknowledged).toBeGreaterThan(90);
    expect(report.acknowledged).toBeLessThanOrEqual(180);
  });
});
