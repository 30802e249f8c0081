/**
 * R37 for long imports: rows are processed in batches (one transaction each) with progress after
 * every batch; and `npm run import` does the same in-process against a database, without HTTP,
 * printing its progress and writing the report.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImportProgress, getImportJob, startImport } from '../../../engine/importer/index.ts';
import { SYSTEM } from '../../../engine/usecases/context.ts';
import { type TestServer, startTestServer } from '../../helpers/server.ts';
import { legacyRows, legacyXlsx } from './legacy.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('import jobs', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite', { definitionsDir: join(ROOT, 'definitions'), manualClock: true, clockStart: '2024-06-15T10:00:00+08:00' });
  }, 120_000);
  afterAll(async () => s?.close());

  it('R37: a long import runs in batches, one transaction each, with progress after every batch', async () => {
    const rows = legacyRows();
    const seen: ImportProgress[] = [];
    const { job, done } = await startImport(
      s.server.ctx,
      { file: await legacyXlsx(rows), fileName: 'legacy.xlsx', processKey: 'aftersales-feedback', dryRun: false },
      SYSTEM,
      { batchSize: 10, onProgress: (p) => seen.push(p) },
    );
    expect(job).toMatchObject({ state: 'queued', totalRows: rows.length, rowsDone: 0 });
    const finished = await done;
    expect(finished).toMatchObject({ state: 'done', rowsDone: rows.length, imported: 38, invalid: 7 });
    expect(seen.map((p) => p.rowsDone)).toEqual([10, 20, 30, 40, 45]);
    expect(seen.at(-1)).toMatchObject({ totalRows: 45, imported: 38, invalid: 7, duplicates: 0 });
    // Progress is readable from the job row while and after it runs.
    expect(await getImportJob(s.server.ctx, job.id)).toMatchObject({ progress: 1, rowsDone: 45 });
  });

  it('R37: stopping the server interrupts a job between batches; re-running it imports only what is missing', async () => {
    // Other legacy numbers than the first test's, so none of these rows was imported before.
    const rows = legacyRows().map((r, n) => ({ ...r, cells: r.cells.map((c, i) => (i === 0 ? `OLD-${n}` : c)) }));
    const stop = new AbortController();
    const file = await legacyXlsx(rows);
    const { done } = await startImport(s.server.ctx, { file, fileName: 'legacy.xlsx', processKey: 'aftersales-feedback', dryRun: false }, SYSTEM, {
      batchSize: 10,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.rowsDone === 20) stop.abort();
      },
    });
    expect(await done).toMatchObject({ state: 'interrupted', rowsDone: 20 });
    const again = await (await startImport(s.server.ctx, { file, fileName: 'legacy.xlsx', processKey: 'aftersales-feedback', dryRun: false }, SYSTEM)).done;
    expect(again).toMatchObject({ state: 'done', imported: 38 - 20, duplicates: 20, invalid: 7 });
  });
});

describe('npm run import', () => {
  it('R37: the CLI suggests a mapping, dry-runs and imports in-process against the database, with progress and a report', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loopdesk-import-cli-'));
    const file = join(dir, 'cases.xlsx');
    writeFileSync(file, await legacyXlsx());
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'scripts/import.ts', '--file', file, '--database', `sqlite:${join(dir, 'db.sqlite')}`, ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, INIT_CWD: dir, LANG: 'en_US.UTF-8', LOOPDESK_ADMIN_PASSWORD: 'cli-test-password' },
      });
    const suggest = run('--suggest');
    expect(suggest.status, suggest.stderr).toBe(0);
    const mapping = JSON.parse(suggest.stdout);
    expect(mapping).toMatchObject({ formKey: 'feedback-intake', processKey: 'aftersales-feedback', columns: { 工单号: 'case:number' } });
    writeFileSync(join(dir, 'legacy.json'), JSON.stringify(mapping));

    const dry = run('--mapping', 'legacy.json', '--dry-run');
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stderr).toMatch(/\[#{30}\] 45\/45 rows {2}valid 38 {2}duplicates 0 {2}refused 7/);
    expect(dry.stdout).toContain('done: 38 valid, 0 already imported, 7 refused');

    const real = run('--mapping', 'legacy.json', '--report', 'out.xlsx');
    expect(real.status, real.stderr).toBe(0);
    expect(real.stdout).toContain('done: 38 imported');
    expect(existsSync(join(dir, 'out.xlsx'))).toBe(true);
    const rerun = run('--mapping', 'legacy.json');
    expect(rerun.stdout).toContain('done: 0 imported, 38 already imported, 7 refused');
  });
});
