/**
 * Import jobs (R37): a file is read and checked up front (format, mapping, form, process), then
 * its rows are processed in the background in batches — by default 500 rows per transaction, so
 * the server never holds a long write lock — with progress in `import_jobs` after every batch.
 *
 * A dry run validates every row exactly as the real run would (the form's ajv validation, dates,
 * status and node, whether an open case can be placed, whether the row was imported before) and
 * writes nothing but the report. A real run creates one case per valid row; invalid rows are
 * refused and kept for the report. Re-running a file creates nothing twice: each imported row's key
 * (original case number, else the hash of the normalised row) is written in `imported_rows` in the
 * same transaction as its case.
 */
import { createHash } from 'node:crypto';
import type { ProcessGraph } from '../bpmn/model.ts';
import { LoopdeskError, notFound } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { FormVersion } from '../forms/index.ts';
import { audit } from '../store/audit.ts';
import type { Tx } from '../store/db.ts';
import { type EngineContext, type Principal, calendarOf } from '../usecases/context.ts';
import { graphOf, latestPublished } from '../usecases/definitions.ts';
import { formVariable, loadFormVersion } from '../usecases/forms.ts';
import { type ImportTarget, PlacementError, inevitable, instanceFor, placeOpenCase, reserveNumbers, writeCase } from './cases.ts';
import { type ImportMapping, type Lang, type MappingSuggestion, suggestMapping } from './mapping.ts';
import { mappingByName } from './mappings.ts';
import { type CompiledMapping, type Issue, type PreparedRow, compileMapping, hasErrors, prepareRow, say } from './prepare.ts';
import { type Cell, type Table, readTable } from './read.ts';
import { cellText } from './mapping.ts';

export const DEFAULT_BATCH_SIZE = 500;
/** The report keeps this many problems per job; the counters stay exact beyond it. */
const MAX_STORED_ISSUES = 100_000;
/** A running job that has not finished a batch for this long was interrupted (server stopped). */
const STALE_AFTER_MS = 5 * 60_000;

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'interrupted';

export interface ImportJob {
  id: string;
  dryRun: boolean;
  state: JobState;
  processKey: string;
  formKey: string;
  formVersion: number;
  mappingName: string | null;
  mapping: ImportMapping;
  fileName: string;
  totalRows: number;
  rowsDone: number;
  progress: number;
  imported: number;
  duplicates: number;
  invalid: number;
  issueCount: number;
  error: string | null;
  createdBy: string;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  issues?: Issue[];
}

interface JobRowDb {
  id: string;
  dry_run: number;
  state: JobState;
  process_key: string;
  form_key: string;
  form_version: number;
  mapping: string;
  mapping_name: string | null;
  file_name: string;
  headers: string;
  lang: string;
  total_rows: number;
  rows_done: number;
  imported: number;
  duplicates: number;
  invalid: number;
  issue_count: number;
  error: string | null;
  created_by: string;
  created_at: number;
  started_at: number | null;
  updated_at: number;
  finished_at: number | null;
}

function toJob(r: JobRowDb, now: number): ImportJob {
  const total = Number(r.total_rows);
  const done = Number(r.rows_done);
  const live = r.state === 'running' || r.state === 'queued';
  return {
    id: r.id,
    dryRun: Number(r.dry_run) === 1,
    state: live && now - Number(r.updated_at) > STALE_AFTER_MS ? 'interrupted' : r.state,
    processKey: r.process_key,
    formKey: r.form_key,
    formVersion: Number(r.form_version),
    mappingName: r.mapping_name,
    mapping: JSON.parse(r.mapping),
    fileName: r.file_name,
    totalRows: total,
    rowsDone: done,
    progress: total === 0 ? 1 : Math.min(1, done / total),
    imported: Number(r.imported),
    duplicates: Number(r.duplicates),
    invalid: Number(r.invalid),
    issueCount: Number(r.issue_count),
    error: r.error,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    startedAt: r.started_at === null ? null : Number(r.started_at),
    finishedAt: r.finished_at === null ? null : Number(r.finished_at),
  };
}

export interface IssueRowDb {
  row_no: number;
  severity: Issue['severity'];
  column_name: string | null;
  field: string | null;
  code: string;
  message: string;
  value: string | null;
}

export const toIssue = (r: IssueRowDb): Issue => ({
  rowNo: Number(r.row_no),
  severity: r.severity,
  column: r.column_name,
  field: r.field,
  code: r.code,
  message: r.message,
  value: r.value,
});

/** Who may see a job: the person who started it, and supervisors and admins (the only roles that may import). */
export async function getImportJob(ctx: EngineContext, id: string, issueLimit = 50): Promise<ImportJob> {
  const row = await ctx.db.get<JobRowDb>('SELECT * FROM import_jobs WHERE id = ?', [id]);
  if (!row) throw notFound('import job', id);
  const issues = await ctx.db.all<IssueRowDb>(
    `SELECT row_no, severity, column_name, field, code, message, value FROM import_issues WHERE job_id = ? ORDER BY row_no, id LIMIT ${Math.max(0, Math.floor(issueLimit))}`,
    [id],
  );
  return { ...toJob(row, ctx.clock.now()), issues: issues.map(toIssue) };
}

export async function jobHeaders(ctx: EngineContext, id: string): Promise<{ job: ImportJob; headers: string[]; lang: Lang }> {
  const row = await ctx.db.get<JobRowDb>('SELECT * FROM import_jobs WHERE id = ?', [id]);
  if (!row) throw notFound('import job', id);
  return { job: toJob(row, ctx.clock.now()), headers: JSON.parse(row.headers), lang: row.lang === 'zh-CN' ? 'zh-CN' : 'en' };
}

/** Jobs a stopped server left running are marked interrupted when a server starts. */
export async function markInterruptedJobs(ctx: EngineContext): Promise<number> {
  return ctx.db.run("UPDATE import_jobs SET state = 'interrupted' WHERE state IN ('queued', 'running') AND updated_at < ?", [ctx.clock.now() - STALE_AFTER_MS]);
}

// ---- what a file is imported into ---------------------------------------------------------------

async function latestPublishedForm(tx: Tx, key: string): Promise<FormVersion | undefined> {
  const row = await tx.get<{ version: number }>("SELECT version FROM form_definitions WHERE key = ? AND status = 'published' ORDER BY version DESC LIMIT 1", [key]);
  return row ? loadFormVersion(tx, key, Number(row.version)) : undefined;
}

/** The published processes that start with `formKey`'s form (any form when undefined), newest version of each. */
async function processesStartingWith(ctx: EngineContext, formKey: string | undefined): Promise<string[]> {
  const rows = await ctx.db.all<{ id: string; key: string; version: number }>(
    "SELECT id, key, version FROM process_definitions WHERE status = 'published' ORDER BY key, version DESC",
  );
  const seen = new Set<string>();
  const out: string[] = [];
  for (const r of rows) {
    if (seen.has(r.key)) continue;
    seen.add(r.key);
    const graph = await graphOf(ctx, ctx.db, r.id);
    const startForm = graph.nodes[graph.startEventId]?.formId;
    if (startForm && (formKey === undefined || startForm === formKey)) out.push(r.key);
  }
  return out;
}

export async function resolveTarget(ctx: EngineContext, formKey: string | undefined, processKey: string | undefined, lang: Lang): Promise<ImportTarget> {
  let key = processKey;
  if (!key) {
    // Without either, the one published process that starts with a form, if there is exactly one.
    const candidates = await processesStartingWith(ctx, formKey);
    if (candidates.length !== 1) {
      if (!formKey) throw new LoopdeskError('LD_IMPORT_TARGET_REQUIRED', 400, say(lang, '请指定 processKey 或 formKey', 'name the processKey or the formKey'));
      throw new LoopdeskError(
        'LD_IMPORT_PROCESS_AMBIGUOUS',
        400,
        candidates.length === 0
          ? say(lang, `没有以表单 ${formKey} 开始的已发布流程，请指定 processKey`, `no published process starts with form ${formKey}: name the processKey`)
          : say(lang, `多个流程以表单 ${formKey} 开始（${candidates.join('、')}），请指定 processKey`, `several processes start with form ${formKey} (${candidates.join(', ')}): name the processKey`),
      );
    }
    key = candidates[0]!;
  }
  const def = await latestPublished(ctx.db, key);
  if (!def) throw new LoopdeskError('LD_PROCESS_NOT_PUBLISHED', 404, `process ${key} has no published version`);
  const graph: ProcessGraph = await graphOf(ctx, ctx.db, def.id);
  const fk = formKey ?? graph.nodes[graph.startEventId]?.formId;
  if (!fk) throw new LoopdeskError('LD_IMPORT_TARGET_REQUIRED', 400, say(lang, `流程 ${key} 的开始事件没有表单，请指定 formKey`, `process ${key} has no start form: name the formKey`));
  const form = await latestPublishedForm(ctx.db, fk);
  if (!form) throw new LoopdeskError('LD_FORM_NOT_PUBLISHED', 404, `form ${fk} has no published version`);
  return {
    processKey: def.key,
    version: def.version,
    definitionId: def.id,
    graph,
    form,
    variable: formVariable(fk),
    numberFormat: graph.loopdesk?.caseNumberFormat ?? null,
    zone: calendarOf(ctx, graph)?.timeZone ?? 'Asia/Shanghai',
  };
}

// ---- suggestion ---------------------------------------------------------------------------------

export interface SuggestInput {
  file: Uint8Array;
  formKey?: string;
  processKey?: string;
}

export async function suggestForFile(ctx: EngineContext, input: SuggestInput, lang: Lang): Promise<MappingSuggestion & { headers: string[]; rows: number; encoding: string | null }> {
  const table = await readTable(input.file, lang);
  const target = await resolveTarget(ctx, input.formKey, input.processKey, lang);
  const suggestion = suggestMapping(
    table.headers,
    table.rows.slice(0, 2000).map((r) => r.cells),
    target.form,
    target.graph,
  );
  return { ...suggestion, processKey: target.processKey, headers: table.headers, rows: table.rows.length, encoding: table.encoding ?? null };
}

// ---- starting and running a job -----------------------------------------------------------------

export interface StartImportInput {
  file: Uint8Array;
  fileName: string;
  processKey?: string;
  formKey?: string;
  /** A mapping, the name of a saved one, or nothing: the suggested mapping is used as is. */
  mapping?: ImportMapping | string;
  dryRun: boolean;
}

export interface ImportProgress {
  totalRows: number;
  rowsDone: number;
  imported: number;
  duplicates: number;
  invalid: number;
}

export interface StartImportOptions {
  lang?: Lang;
  /** Aborting stops the job after the batch under way; it is left `interrupted` (re-run it: nothing is imported twice). */
  signal?: AbortSignal;
  requestId?: string | null;
  batchSize?: number;
  onProgress?: (p: ImportProgress) => void;
}

/**
 * Checks the file and its mapping and records the job (409/415/422 come from here, before any
 * row is processed). `done` runs the rows and settles when the job has finished or failed; it never
 * rejects — a failure is recorded on the job.
 */
export async function startImport(ctx: EngineContext, input: StartImportInput, actor: Principal, options: StartImportOptions = {}): Promise<{ job: ImportJob; done: Promise<ImportJob> }> {
  const lang = options.lang ?? 'en';
  const table = await readTable(input.file, lang);
  let mapping: ImportMapping;
  let mappingName: string | null = null;
  if (typeof input.mapping === 'string') {
    const saved = await mappingByName(ctx, input.mapping);
    mapping = { name: saved.name, formKey: saved.formKey, processKey: saved.processKey ?? undefined, columns: saved.columns, values: saved.values };
    mappingName = saved.name;
  } else if (input.mapping) {
    mapping = input.mapping;
    mappingName = input.mapping.name ?? null;
  } else {
    const target = await resolveTarget(ctx, input.formKey, input.processKey, lang);
    const s = suggestMapping(table.headers, table.rows.slice(0, 2000).map((r) => r.cells), target.form, target.graph);
    mapping = { formKey: target.form.key, processKey: target.processKey, columns: s.columns, values: s.values };
  }
  const target = await resolveTarget(ctx, input.formKey ?? mapping.formKey, input.processKey ?? mapping.processKey, lang);
  if (target.form.key !== mapping.formKey) {
    throw new LoopdeskError('LD_IMPORT_MAPPING_INVALID', 422, say(lang, `映射属于表单 ${mapping.formKey}，不是 ${target.form.key}`, `the mapping is for form ${mapping.formKey}, not ${target.form.key}`));
  }
  const now = ctx.clock.now();
  const compiled = compileMapping(mapping, table.headers, target.form, target.graph, lang, now);
  const fatal = compiled.issues.filter((i) => i.severity === 'error');
  if (fatal.length) {
    throw new LoopdeskError(
      'LD_IMPORT_MAPPING_INCOMPLETE',
      422,
      fatal.map((i) => i.message).join('; '),
      fatal.map((i) => ({ path: i.field ?? '', message: i.message, code: i.code })),
    );
  }
  const id = newId();
  const sha = createHash('sha256').update(input.file).digest('hex');
  await ctx.db.transaction(async (tx) => {
    await tx.run(
      `INSERT INTO import_jobs (id, dry_run, state, process_key, form_key, form_version, mapping, mapping_name, file_name, headers, file_sha256, lang,
         total_rows, rows_done, imported, duplicates, invalid, issue_count, error, created_by, created_at, started_at, updated_at, finished_at)
       VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, NULL, ?, ?, NULL, ?, NULL)`,
      [
        id,
        input.dryRun ? 1 : 0,
        target.processKey,
        target.form.key,
        Number(target.form.version),
        JSON.stringify(mapping),
        mappingName,
        input.fileName.slice(0, 255),
        JSON.stringify(table.headers),
        sha,
        lang,
        table.rows.length,
        actor.username,
        now,
        now,
      ],
    );
    await writeIssues(tx, id, compiled.issues, 0);
    await audit(tx, now, {
      actor: actor.username,
      action: input.dryRun ? 'import.dry-run' : 'import.start',
      entityType: 'import-job',
      entityId: id,
      after: { processKey: target.processKey, formKey: target.form.key, fileName: input.fileName, sha256: sha, rows: table.rows.length, mappingName },
      requestId: options.requestId,
    });
  });
  const job = await getImportJob(ctx, id, 0);
  const runner = new JobRun(ctx, id, table, compiled, target, input, actor, options, compiled.issues.length);
  const done = runner.run().then(
    () => getImportJob(ctx, id, 0),
    async (err) => {
      await ctx.db
        .run("UPDATE import_jobs SET state = 'failed', error = ?, finished_at = ?, updated_at = ? WHERE id = ?", [String((err as Error).message ?? err).slice(0, 2000), ctx.clock.now(), ctx.clock.now(), id])
        .catch(() => undefined);
      return getImportJob(ctx, id, 0).catch(() => ({ ...job, state: 'failed' as const, error: String(err) }));
    },
  );
  return { job, done };
}

async function writeIssues(tx: Tx, jobId: string, issues: Issue[], alreadyStored: number): Promise<number> {
  let stored = 0;
  for (const i of issues) {
    if (alreadyStored + stored >= MAX_STORED_ISSUES) break;
    await tx.run('INSERT INTO import_issues (id, job_id, row_no, severity, column_name, field, code, message, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', [
      newId(),
      jobId,
      i.rowNo,
      i.severity,
      i.column?.slice(0, 255) ?? null,
      i.field?.slice(0, 500) ?? null,
      i.code.slice(0, 60),
      i.message,
      i.value,
    ]);
    stored++;
  }
  return stored;
}

/** Dates become +08:00 text so a refused row handed back re-imports to the same values. */
const storableCells = (cells: Cell[]) => cells.map((c) => (c instanceof Date ? cellText(c) : c));

class JobRun {
  private readonly counters: ImportProgress;
  private storedIssues: number;
  private issueCount: number;
  private readonly seenKeys = new Set<string>();
  private readonly users = new Map<string, boolean>();
  private readonly lang: Lang;

  constructor(
    private readonly ctx: EngineContext,
    private readonly id: string,
    private readonly table: Table,
    private readonly compiled: CompiledMapping,
    private readonly target: ImportTarget,
    private readonly input: StartImportInput,
    private readonly actor: Principal,
    private readonly options: StartImportOptions,
    initialIssues: number,
  ) {
    this.counters = { totalRows: table.rows.length, rowsDone: 0, imported: 0, duplicates: 0, invalid: 0 };
    this.storedIssues = initialIssues;
    this.issueCount = initialIssues;
    this.lang = compiled.lang;
  }

  async run(): Promise<void> {
    const { ctx } = this;
    const started = ctx.clock.now();
    await ctx.db.run("UPDATE import_jobs SET state = 'running', started_at = ?, updated_at = ? WHERE id = ?", [started, started, this.id]);
    if (!this.input.dryRun && this.target.numberFormat) {
      const col = this.compiled.columns.find((c) => c.target === 'case:number');
      if (col) {
        const numbers = this.table.rows.map((r) => cellText(r.cells[col.index] ?? null).toUpperCase()).filter(Boolean);
        await ctx.db.transaction((tx) => reserveNumbers(tx, this.target.numberFormat!, numbers));
      }
    }
    const size = Math.max(1, this.options.batchSize ?? DEFAULT_BATCH_SIZE);
    for (let i = 0; i < this.table.rows.length; i += size) {
      if (this.options.signal?.aborted) {
        await ctx.db.run("UPDATE import_jobs SET state = 'interrupted', updated_at = ? WHERE id = ?", [ctx.clock.now(), this.id]);
        return;
      }
      const batch = this.table.rows.slice(i, i + size).map((r) => this.check(prepareRow(this.compiled, r.rowNo, r.cells)));
      if (this.input.dryRun) await this.dryBatch(batch);
      else await this.realBatch(batch);
      this.options.onProgress?.({ ...this.counters });
      // Let requests waiting for the database in between.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const end = ctx.clock.now();
    await ctx.db.run("UPDATE import_jobs SET state = 'done', finished_at = ?, updated_at = ? WHERE id = ?", [end, end, this.id]);
  }

  /**
   * The one check prepareRow cannot make alone, for dry runs: can an open case be placed at its
   * node? (A real run finds out by placing it.) Nodes every case passes need no simulation.
   */
  private check(row: PreparedRow): PreparedRow {
    if (!this.input.dryRun || hasErrors(row) || row.status !== 'open' || !row.nodeId || inevitable(this.target.graph, row.nodeId)) return row;
    const now = this.ctx.clock.now();
    const inst = instanceFor(this.target, row, { jobId: this.id, fileName: this.input.fileName, actor: this.actor.username, now });
    try {
      placeOpenCase(this.ctx, this.target, inst, row.nodeId, this.actor.username, now, this.lang);
    } catch (err) {
      if (!(err instanceof PlacementError)) throw err;
      row.issues.push({ rowNo: row.rowNo, severity: 'error', column: null, field: 'case:node', code: 'LD_IMPORT_NODE_UNREACHABLE', message: err.message, value: row.nodeId });
    }
    return row;
  }

  private duplicateIssue(row: PreparedRow, before: boolean): Issue {
    return {
      rowNo: row.rowNo,
      severity: 'duplicate',
      column: null,
      field: row.key.startsWith('case:') ? 'case:number' : null,
      code: 'LD_IMPORT_ALREADY_IMPORTED',
      message: before
        ? say(this.lang, '此工单已导入过，跳过', 'this case was imported before; skipped')
        : say(this.lang, '与本文件中前面的行是同一工单，跳过', 'the same case as an earlier row of this file; skipped'),
      value: row.caseNumber,
    };
  }

  private async importedKeys(tx: Tx, rows: PreparedRow[]): Promise<Set<string>> {
    const keys = rows.map((r) => r.key);
    if (!keys.length) return new Set();
    const found = await tx.all<{ row_key: string }>(
      `SELECT row_key FROM imported_rows WHERE process_key = ? AND row_key IN (${keys.map(() => '?').join(', ')})`,
      [this.target.processKey, ...keys],
    );
    return new Set(found.map((f) => f.row_key));
  }

  private async record(tx: Tx, issues: Issue[], rejected: PreparedRow[]): Promise<void> {
    this.issueCount += issues.length;
    this.storedIssues += await writeIssues(tx, this.id, issues, this.storedIssues);
    for (const r of rejected) {
      await tx.run('INSERT INTO import_rejected_rows (job_id, row_no, cells) VALUES (?, ?, ?)', [this.id, r.rowNo, JSON.stringify(storableCells(r.cells))]);
    }
    const c = this.counters;
    await tx.run('UPDATE import_jobs SET rows_done = ?, imported = ?, duplicates = ?, invalid = ?, issue_count = ?, updated_at = ? WHERE id = ?', [
      c.rowsDone,
      c.imported,
      c.duplicates,
      c.invalid,
      this.issueCount,
      this.ctx.clock.now(),
      this.id,
    ]);
  }

  private async dryBatch(batch: PreparedRow[]): Promise<void> {
    const valid = batch.filter((r) => !hasErrors(r));
    const before = await this.importedKeys(this.ctx.db, valid);
    const issues: Issue[] = [];
    const rejected: PreparedRow[] = [];
    for (const row of batch) {
      if (hasErrors(row)) {
        this.counters.invalid++;
        rejected.push(row);
        issues.push(...row.issues);
      } else if (before.has(row.key) || this.seenKeys.has(row.key)) {
        this.counters.duplicates++;
        issues.push(this.duplicateIssue(row, before.has(row.key)));
      } else {
        this.seenKeys.add(row.key);
        this.counters.imported++;
        issues.push(...row.issues);
      }
      this.counters.rowsDone++;
    }
    await this.ctx.db.transaction((tx) => this.record(tx, issues, rejected));
  }

  private userExists = async (tx: Tx, username: string): Promise<boolean> => {
    let known = this.users.get(username);
    if (known === undefined) {
      known = !!(await tx.get("SELECT id FROM users WHERE username = ? AND active = 1", [username]));
      this.users.set(username, known);
    }
    return known;
  };

  private writeOptions() {
    return {
      jobId: this.id,
      fileName: this.input.fileName,
      actor: this.actor.username,
      lang: this.lang,
      now: this.ctx.clock.now(),
      requestId: this.options.requestId,
      userExists: this.userExists,
    };
  }

  /** Counters as they were, to put back when a transaction that changed them rolls back. */
  private snapshot(): () => void {
    const counters = { ...this.counters };
    const { issueCount, storedIssues } = this;
    return () => {
      Object.assign(this.counters, counters);
      this.issueCount = issueCount;
      this.storedIssues = storedIssues;
    };
  }

  private async realBatch(batch: PreparedRow[]): Promise<void> {
    const restore = this.snapshot();
    try {
      await this.ctx.db.transaction(async (tx) => {
        const before = await this.importedKeys(tx, batch.filter((r) => !hasErrors(r)));
        const inBatch = new Set<string>();
        const issues: Issue[] = [];
        const rejected: PreparedRow[] = [];
        for (const row of batch) {
          if (hasErrors(row)) {
            this.counters.invalid++;
            rejected.push(row);
            issues.push(...row.issues);
          } else if (before.has(row.key) || inBatch.has(row.key)) {
            this.counters.duplicates++;
            issues.push(this.duplicateIssue(row, before.has(row.key)));
          } else {
            const written = await writeCase(this.ctx, tx, this.target, row, this.writeOptions());
            if (written.refused) {
              this.counters.invalid++;
              rejected.push(row);
              issues.push(...row.issues, written.refused);
            } else {
              inBatch.add(row.key);
              this.counters.imported++;
              issues.push(...row.issues, ...written.warnings);
            }
          }
          this.counters.rowsDone++;
        }
        await this.record(tx, issues, rejected);
      });
    } catch {
      // One row broke the batch (a race with another import, a bug): the batch is redone row by
      // row so every other row still gets in and the one at fault is named in the report.
      restore();
      for (const row of batch) await this.realRow(row);
    }
  }

  private async realRow(row: PreparedRow): Promise<void> {
    const restore = this.snapshot();
    try {
      await this.ctx.db.transaction(async (tx) => {
        const issues: Issue[] = [];
        if (hasErrors(row)) {
          this.counters.invalid++;
          this.counters.rowsDone++;
          await this.record(tx, row.issues, [row]);
          return;
        }
        const before = await this.importedKeys(tx, [row]);
        if (before.has(row.key)) {
          this.counters.duplicates++;
          issues.push(this.duplicateIssue(row, true));
        } else {
          const written = await writeCase(this.ctx, tx, this.target, row, this.writeOptions());
          if (written.refused) {
            this.counters.invalid++;
            this.counters.rowsDone++;
            await this.record(tx, [...row.issues, written.refused], [row]);
            return;
          }
          this.counters.imported++;
          issues.push(...row.issues, ...written.warnings);
        }
        this.counters.rowsDone++;
        await this.record(tx, issues, []);
      });
    } catch (err) {
      restore();
      const failed: Issue = {
        rowNo: row.rowNo,
        severity: 'error',
        column: null,
        field: null,
        code: 'LD_IMPORT_ROW_FAILED',
        message: say(this.lang, `写入失败：${(err as Error).message}`, `could not be written: ${(err as Error).message}`),
        value: null,
      };
      this.counters.invalid++;
      this.counters.rowsDone++;
      await this.ctx.db.transaction((tx) => this.record(tx, [failed], [row]));
    }
  }
}
