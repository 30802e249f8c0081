/**
 * Taking data out (R37, R39): the cases of a process with their form data, as CSV (streamed,
 * UTF-8 with a BOM so Excel reads Chinese) or XLSX (a sheet of cases and a sheet of node visits
 * with their durations). Personal data is masked unless the reader has `pii:read`, with the form
 * version each case's data was submitted with (viewFor); fields the reader's roles may not read
 * are left out. Supervisors and admins export every case; anyone else the cases they may open
 * (started, worked on, or queued for one of their groups — getInstance's rule). Headers are in
 * Chinese for zh-CN and match the importer's header words, so an export imports again as is.
 */
import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { type FormVersion, fieldAccess, fieldsOf, type SchemaNode, viewFor } from '../forms/index.ts';
import { LoopdeskError } from '../core/errors.ts';
import type { Tx } from '../store/db.ts';
import { type EngineContext, type Principal, isSupervisor } from '../usecases/context.ts';
import { graphOf, latestPublished } from '../usecases/definitions.ts';
import { formVariable, loadFormVersion } from '../usecases/forms.ts';
import { isoInChina, parseWhen, wallClockDate } from './dates.ts';
import { type Lang, targetFields } from './mapping.ts';
import { XLSX_TYPE } from './report.ts';

export interface ExportQuery {
  processKey: string;
  from?: string;
  to?: string;
  format?: 'csv' | 'xlsx';
}

const PAGE = 500;
const t = (lang: Lang, zh: string, en: string) => (lang === 'zh-CN' ? zh : en);

interface FormColumns {
  key: string;
  variable: string;
  latest: FormVersion;
  title: string;
  fields: { key: string; header: string }[];
}

type CaseRow = { id: string; case_number: string | null; state: string; version: number; variables: string; started_at: number; ended_at: number | null; started_by: string };

/** The forms of a process in the order a case meets them: the start form first. */
async function formsOf(ctx: EngineContext, processKey: string, viewer: Principal, lang: Lang): Promise<FormColumns[]> {
  const def = await latestPublished(ctx.db, processKey);
  if (!def) throw new LoopdeskError('LD_PROCESS_NOT_PUBLISHED', 404, `process ${processKey} has no published version`);
  const graph = await graphOf(ctx, ctx.db, def.id);
  const keys: string[] = [];
  const seen = new Set<string>();
  const queue = [graph.startEventId];
  while (queue.length) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const node = graph.nodes[id];
    if (!node) continue;
    if (node.formId && !keys.includes(node.formId)) keys.push(node.formId);
    for (const f of node.outgoing) queue.push(graph.flows[f]!.targetRef);
    queue.push(...node.boundaryEvents);
  }
  const out: FormColumns[] = [];
  for (const [i, key] of keys.entries()) {
    const row = await ctx.db.get<{ version: number }>("SELECT version FROM form_definitions WHERE key = ? AND status = 'published' ORDER BY version DESC LIMIT 1", [key]);
    const latest = row ? await loadFormVersion(ctx.db, key, Number(row.version)) : undefined;
    if (!latest) continue;
    const title = typeof latest.title === 'string' ? latest.title : ((latest.title as Record<string, string> | undefined)?.[lang] ?? key);
    const fields = fieldsOf(latest.schema as SchemaNode);
    const cols = targetFields(latest)
      .filter((f) => fieldAccess(fields, `/${f.key}`, viewer).readable)
      .map((f) => {
        const name = (lang === 'zh-CN' ? f.titleZh : f.titleEn) || f.key;
        // The start form's fields stand alone; later forms' are prefixed with the form's title.
        return { key: f.key, header: i === 0 ? name : `${title}·${name}` };
      });
    out.push({ key, variable: formVariable(key), latest, title, fields: cols });
  }
  return out;
}

function bound(text: string | undefined, end: boolean, lang: Lang): number | undefined {
  if (!text) return undefined;
  const p = parseWhen(text);
  if (!p) throw new LoopdeskError('LD_VALIDATION', 400, t(lang, `无法识别的日期：${text}`, `not a date: ${text}`), [{ path: end ? '/querystring/to' : '/querystring/from', message: 'not a date' }]);
  return end && !p.hasTime ? p.at.plus({ days: 1 }).toMillis() : p.at.toMillis();
}

/** The WHERE clause of the cases a viewer may export. */
function caseFilter(query: ExportQuery, viewer: Principal, lang: Lang): { where: string; params: unknown[] } {
  const where = ['i.process_key = ?'];
  const params: unknown[] = [query.processKey];
  const from = bound(query.from, false, lang);
  const to = bound(query.to, true, lang);
  if (from !== undefined) {
    where.push('i.started_at >= ?');
    params.push(from);
  }
  if (to !== undefined) {
    where.push('i.started_at < ?');
    params.push(to);
  }
  if (!isSupervisor(viewer)) {
    const groups = [...viewer.teams, ...viewer.departments];
    const groupClause = groups.length ? ` OR (c.kind = 'group' AND c.name IN (${groups.map(() => '?').join(', ')}))` : '';
    where.push(
      `(i.started_by = ?
        OR EXISTS (SELECT 1 FROM tasks t WHERE t.instance_id = i.id AND (t.assignee = ? OR t.completed_by = ?))
        OR EXISTS (SELECT 1 FROM tasks t JOIN task_candidates c ON c.task_id = t.id WHERE t.instance_id = i.id AND ((c.kind = 'user' AND c.name = ?)${groupClause})))`,
    );
    params.push(viewer.username, viewer.username, viewer.username, viewer.username, ...groups);
  }
  return { where: where.join(' AND '), params };
}

/** Cases in start order, a page at a time (keyset: started_at, id). */
async function* casePages(ctx: EngineContext, filter: { where: string; params: unknown[] }): AsyncGenerator<CaseRow[]> {
  let after: { at: number; id: string } | null = null;
  for (;;) {
    const keyset = after ? ' AND (i.started_at > ? OR (i.started_at = ? AND i.id > ?))' : '';
    const params: unknown[] = after ? [...filter.params, after.at, after.at, after.id] : filter.params;
    const page: CaseRow[] = await ctx.db.all<CaseRow>(
      `SELECT i.id, i.case_number, i.state, i.version, i.variables, i.started_at, i.ended_at, i.started_by FROM instances i
       WHERE ${filter.where}${keyset} ORDER BY i.started_at, i.id LIMIT ${PAGE}`,
      params,
    );
    if (page.length) yield page;
    if (page.length < PAGE) return;
    const last: CaseRow = page[page.length - 1]!;
    after = { at: Number(last.started_at), id: last.id };
  }
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

type Value = string | number | boolean | Date | null;

interface Sheet {
  headers: string[];
  /** Column indexes that hold times (epoch ms in the row). */
  timeColumns: Set<number>;
}

/** The masked rows of one page of cases. */
async function caseRows(tx: Tx, page: CaseRow[], forms: FormColumns[], viewer: Principal, lang: Lang): Promise<Value[][]> {
  const ids = page.map((c) => c.id);
  const versions = await tx.all<{ instance_id: string; form_key: string; v: number }>(
    `SELECT instance_id, form_key, MAX(form_version) AS v FROM submissions WHERE instance_id IN (${placeholders(ids.length)}) GROUP BY instance_id, form_key`,
    ids,
  );
  const versionOf = new Map(versions.map((v) => [`${v.instance_id}\u0000${v.form_key}`, Number(v.v)]));
  const open = await tx.all<{ instance_id: string; name: string | null; node_id: string; assignee: string | null }>(
    `SELECT instance_id, name, node_id, assignee FROM tasks WHERE state = 'open' AND instance_id IN (${placeholders(ids.length)}) ORDER BY created_at`,
    ids,
  );
  const steps = new Map<string, { names: string[]; assignees: string[] }>();
  for (const o of open) {
    const s = steps.get(o.instance_id) ?? { names: [], assignees: [] };
    s.names.push(o.name ?? o.node_id);
    if (o.assignee) s.assignees.push(o.assignee);
    steps.set(o.instance_id, s);
  }
  const rows: Value[][] = [];
  for (const c of page) {
    const vars = JSON.parse(c.variables) as Record<string, unknown>;
    const state =
      c.state === 'completed' ? t(lang, '已结案', 'closed') : c.state === 'terminated' ? t(lang, '已终止', 'terminated') : t(lang, '进行中', 'open');
    const step = steps.get(c.id);
    const row: Value[] = [
      c.case_number,
      state,
      step?.names.join('; ') ?? null,
      step?.assignees.join('; ') || null,
      Number(c.started_at),
      c.ended_at === null ? null : Number(c.ended_at),
      typeof vars.externalNumber === 'string' ? vars.externalNumber : null,
      c.started_by,
      Number(c.version),
    ];
    for (const f of forms) {
      const data = vars[f.variable];
      const version = versionOf.get(`${c.id}\u0000${f.key}`);
      // Data without a known version is masked with the newest one rather than shown as stored.
      const form = (version ? await loadFormVersion(tx, f.key, version) : undefined) ?? f.latest;
      const shown = data && typeof data === 'object' ? viewFor(form, data, viewer) : {};
      for (const col of f.fields) row.push(toValue(shown[col.key]));
    }
    rows.push(row);
  }
  return rows;
}

function toValue(v: unknown): Value {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

function caseSheet(forms: FormColumns[], lang: Lang): Sheet {
  const headers = [
    t(lang, '反馈编号', 'Case number'),
    t(lang, '状态', 'Status'),
    t(lang, '当前节点', 'Current step'),
    t(lang, '处理人', 'Assignee'),
    t(lang, '受理时间', 'Opened at'),
    t(lang, '结案时间', 'Closed at'),
    t(lang, '原编号', 'External number'),
    t(lang, '创建人', 'Created by'),
    t(lang, '流程版本', 'Process version'),
  ];
  for (const f of forms) for (const c of f.fields) headers.push(c.header);
  return { headers, timeColumns: new Set([4, 5]) };
}

/** Cells that a spreadsheet would run as a formula are quoted (CSV injection). */
function csvSafe(v: Value, isTime: boolean): string | number | boolean {
  if (v === null) return '';
  if (isTime && typeof v === 'number') return isoInChina(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(v) && !/^-?\d+(\.\d+)?$/.test(v)) return `'${v}`;
  return v as string | number | boolean;
}

export interface ExportFile {
  fileName: string;
  contentType: string;
  stream: Readable;
}

export async function exportCases(ctx: EngineContext, query: ExportQuery, viewer: Principal, lang: Lang): Promise<ExportFile> {
  const forms = await formsOf(ctx, query.processKey, viewer, lang);
  const filter = caseFilter(query, viewer, lang);
  const sheet = caseSheet(forms, lang);
  const stamp = isoInChina(ctx.clock.now()).slice(0, 10);
  const base = `${query.processKey}-cases-${stamp}`;
  if ((query.format ?? 'xlsx') === 'csv') {
    async function* csv() {
      yield `\uFEFF${Papa.unparse([sheet.headers], { newline: '\r\n' })}\r\n`;
      for await (const page of casePages(ctx, filter)) {
        const rows = await caseRows(ctx.db, page, forms, viewer, lang);
        yield `${Papa.unparse(
          rows.map((r) => r.map((v, i) => csvSafe(v, sheet.timeColumns.has(i)))),
          { newline: '\r\n' },
        )}\r\n`;
      }
    }
    return { fileName: `${base}.csv`, contentType: 'text/csv; charset=utf-8', stream: Readable.from(csv()) };
  }
  const out = new PassThrough();
  const write = async () => {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    const cases = wb.addWorksheet(t(lang, '工单', 'Cases'));
    cases.columns = sheet.headers.map((h, i) => ({ header: h, width: Math.min(40, Math.max(12, h.length * 2)), style: sheet.timeColumns.has(i) ? { numFmt: 'yyyy-mm-dd hh:mm:ss' } : {} }));
    cases.getRow(1).font = { bold: true };
    for await (const page of casePages(ctx, filter)) {
      for (const r of await caseRows(ctx.db, page, forms, viewer, lang)) {
        cases.addRow(r.map((v, i) => (sheet.timeColumns.has(i) && typeof v === 'number' ? wallClockDate(v) : v))).commit();
      }
    }
    cases.commit();
    const visits = wb.addWorksheet(t(lang, '节点记录', 'Node visits'));
    const timeFmt = { numFmt: 'yyyy-mm-dd hh:mm:ss' };
    visits.columns = [
      { header: t(lang, '反馈编号', 'Case number'), width: 16 },
      { header: t(lang, '节点', 'Node'), width: 14 },
      { header: t(lang, '节点名称', 'Node name'), width: 30 },
      { header: t(lang, '类型', 'Type'), width: 14 },
      { header: t(lang, '进入时间', 'Entered at'), width: 20, style: timeFmt },
      { header: t(lang, '离开时间', 'Left at'), width: 20, style: timeFmt },
      { header: t(lang, '耗时（分钟）', 'Duration (min)'), width: 14 },
      { header: t(lang, '工作时长（分钟）', 'Working time (min)'), width: 16 },
      { header: t(lang, '完成人', 'Completed by'), width: 14 },
      { header: t(lang, '结果', 'Outcome'), width: 12 },
    ];
    visits.getRow(1).font = { bold: true };
    const minutes = (ms: number | null) => (ms === null ? null : Math.round((Number(ms) / 60_000) * 10) / 10);
    for await (const page of casePages(ctx, filter)) {
      const ids = page.map((c) => c.id);
      const numbers = new Map(page.map((c) => [c.id, c.case_number ?? c.id]));
      const rows = await ctx.db.all<{
        instance_id: string;
        node_id: string;
        name: string | null;
        type: string;
        entered_at: number;
        left_at: number | null;
        duration_ms: number | null;
        working_ms: number | null;
        completed_by: string | null;
        outcome: string | null;
      }>(
        `SELECT instance_id, node_id, name, type, entered_at, left_at, duration_ms, working_ms, completed_by, outcome FROM node_visits
         WHERE instance_id IN (${placeholders(ids.length)}) ORDER BY entered_at, id`,
        ids,
      );
      const order = new Map(ids.map((id, i) => [id, i]));
      rows.sort((a, b) => order.get(a.instance_id)! - order.get(b.instance_id)!);
      for (const v of rows) {
        visits
          .addRow([
            numbers.get(v.instance_id) ?? v.instance_id,
            v.node_id,
            v.name,
            v.type,
            wallClockDate(Number(v.entered_at)),
            v.left_at === null ? null : wallClockDate(Number(v.left_at)),
            minutes(v.duration_ms),
            minutes(v.working_ms),
            v.completed_by,
            v.outcome,
          ])
          .commit();
      }
    }
    visits.commit();
    await wb.commit();
  };
  write().catch((err) => out.destroy(err as Error));
  return { fileName: `${base}.xlsx`, contentType: XLSX_TYPE, stream: out };
}
