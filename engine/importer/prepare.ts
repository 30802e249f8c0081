/**
 * One legacy row → what a case is made of: the form data (validated with the form's own ajv
 * validation, exactly as a person's submission), the case's status, node and timestamps, the
 * legacy case number, the key that makes a re-run idempotent, and every problem found, with the
 * row, column and field it belongs to. Pure: no database.
 */
import { createHash } from 'node:crypto';
import type { ProcessGraph } from '../bpmn/model.ts';
import { type FormVersion, applyComputed, validateSubmission } from '../forms/index.ts';
import { toEpochMs } from './dates.ts';
import { type CaseTarget, CASE_TARGETS, type ImportMapping, type StoredValue, type Lang, type NodeMatcher, type TargetField, cellText, convertCell, nodeMatcher, resolveStatus, targetFields } from './mapping.ts';
import type { Cell } from './read.ts';

export type Severity = 'error' | 'duplicate' | 'warning';

export interface Issue {
  rowNo: number;
  severity: Severity;
  column: string | null;
  field: string | null;
  code: string;
  message: string;
  value: string | null;
}

export interface PreparedRow {
  rowNo: number;
  cells: Cell[];
  data: Record<string, unknown>;
  /** The legacy case number as written (trimmed, upper case), if any. */
  caseNumber: string | null;
  status: 'open' | 'closed';
  /** The node an open case waits at; null: at the first task after the start. */
  nodeId: string | null;
  openedAt: number | null;
  closedAt: number | null;
  assignee: string | null;
  /** `case:<number>` or `row:<sha256>`: the same case imported twice is recognised by it. */
  key: string;
  issues: Issue[];
}

export interface CompiledMapping {
  form: FormVersion;
  graph: ProcessGraph;
  lang: Lang;
  columns: { index: number; header: string; target: string; field?: TargetField }[];
  values: Record<string, Record<string, StoredValue>>;
  nodes: NodeMatcher;
  /** Problems of the mapping itself (row 0 in the report). */
  issues: Issue[];
  now: number;
}

export const say = (lang: Lang, zh: string, en: string) => (lang === 'zh-CN' ? zh : en);

export function compileMapping(mapping: ImportMapping, headers: string[], form: FormVersion, graph: ProcessGraph, lang: Lang, now: number): CompiledMapping {
  const fields = new Map(targetFields(form).map((f) => [f.key, f]));
  const issues: Issue[] = [];
  const columns: CompiledMapping['columns'] = [];
  const wanted = new Map(Object.entries(mapping.columns));
  const used = new Set<string>();
  headers.forEach((header, index) => {
    const target = wanted.get(header) ?? wanted.get(header.trim());
    if (!target) return;
    if (used.has(target)) {
      issues.push(issue(0, 'warning', header, target, 'LD_IMPORT_TARGET_TWICE', say(lang, `字段 ${target} 已由前面的列填充，此列被忽略`, `${target} is already filled by an earlier column; this column is ignored`), null));
      return;
    }
    const field = fields.get(target);
    if (!field && !(CASE_TARGETS as readonly string[]).includes(target)) {
      issues.push(issue(0, 'warning', header, target, 'LD_IMPORT_UNKNOWN_TARGET', say(lang, `表单 ${form.key} 没有字段 ${target}，此列被忽略`, `form ${form.key} has no field ${target}; this column is ignored`), null));
      return;
    }
    used.add(target);
    columns.push({ index, header, target, field });
  });
  for (const [header, target] of wanted) {
    if (target && !headers.some((h) => h === header || h.trim() === header)) {
      issues.push(issue(0, 'warning', header, target, 'LD_IMPORT_COLUMN_MISSING', say(lang, `文件中没有映射里的列「${header}」`, `the file has no column "${header}" named in the mapping`), null));
    }
  }
  if (!used.has('case:openedAt')) {
    issues.push(
      issue(0, 'error', null, 'case:openedAt', 'LD_IMPORT_OPENED_AT_UNMAPPED', say(lang, '映射中缺少受理时间列（case:openedAt），无法导入历史工单', 'the mapping names no intake time column (case:openedAt); historical cases need one'), null),
    );
  }
  return { form, graph, lang, columns, values: mapping.values ?? {}, nodes: nodeMatcher(graph), issues, now };
}

function issue(rowNo: number, severity: Severity, column: string | null, field: string | null, code: string, message: string, value: string | null): Issue {
  return { rowNo, severity, column, field, code, message, value };
}

/** JSON with sorted keys, so the same content always hashes the same. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function prepareRow(m: CompiledMapping, rowNo: number, cells: Cell[]): PreparedRow {
  const { lang } = m;
  const issues: Issue[] = [];
  const data: Record<string, unknown> = {};
  const attrs: Partial<Record<CaseTarget, { cell: Cell; header: string }>> = {};
  const columnOf = new Map<string, string>();
  for (const col of m.columns) {
    const cell = cells[col.index] ?? null;
    columnOf.set(col.target, col.header);
    if (col.field) {
      const value = convertCell(cell, col.field, m.values[col.target]);
      if (value !== undefined) data[col.target] = value;
    } else attrs[col.target as CaseTarget] = { cell, header: col.header };
  }
  const err = (target: CaseTarget, code: string, zh: string, en: string, severity: Severity = 'error') =>
    issues.push(issue(rowNo, severity, attrs[target]?.header ?? null, target, code, say(lang, zh, en), attrs[target] ? cellText(attrs[target]!.cell) || null : null));

  // The case's own attributes.
  const numberText = attrs['case:number'] ? cellText(attrs['case:number'].cell).toUpperCase() : '';
  const openedAt = timeOf(attrs['case:openedAt']?.cell ?? null);
  const closedAt = timeOf(attrs['case:closedAt']?.cell ?? null);
  if (attrs['case:openedAt'] && openedAt === undefined) err('case:openedAt', 'LD_IMPORT_DATE_INVALID', '受理时间不是可识别的日期', 'the intake time is not a date');
  else if (attrs['case:openedAt'] && openedAt === null) err('case:openedAt', 'LD_IMPORT_OPENED_AT_REQUIRED', '缺少受理时间', 'the intake time is missing');
  else if (openedAt && openedAt > m.now) err('case:openedAt', 'LD_IMPORT_DATE_IN_FUTURE', '受理时间晚于当前时间', 'the intake time is in the future');
  if (attrs['case:closedAt'] && closedAt === undefined) err('case:closedAt', 'LD_IMPORT_DATE_INVALID', '结案时间不是可识别的日期', 'the closing time is not a date');

  let status: 'open' | 'closed' = closedAt ? 'closed' : 'open';
  let nodeId: string | null = null;
  const statusText = attrs['case:status'] ? cellText(attrs['case:status'].cell) : '';
  if (statusText) {
    const s = resolveStatus(statusText, false, m.nodes, m.values['case:status']);
    if (s === undefined) err('case:status', 'LD_IMPORT_STATUS_UNKNOWN', `无法识别的状态「${statusText}」：请在映射的 values["case:status"] 中说明`, `the status "${statusText}" is not understood: map it in values["case:status"]`);
    else if (s === 'closed') status = 'closed';
    else {
      status = 'open';
      if (s !== 'open') nodeId = s;
    }
  }
  const nodeText = attrs['case:node'] ? cellText(attrs['case:node'].cell) : '';
  if (nodeText && status === 'open') {
    const n = resolveStatus(nodeText, true, m.nodes, m.values['case:node']);
    if (n === undefined || n === 'closed' || n === 'open' || !m.graph.nodes[n]) {
      err('case:node', 'LD_IMPORT_NODE_UNKNOWN', `流程中没有节点「${nodeText}」`, `the process has no step "${nodeText}"`);
    } else nodeId = n;
  }
  if (nodeId && !m.graph.nodes[nodeId]) {
    err('case:status', 'LD_IMPORT_NODE_UNKNOWN', `流程中没有节点「${nodeId}」`, `the process has no step "${nodeId}"`);
    nodeId = null;
  }
  if (status === 'closed') {
    if (closedAt === null) err('case:closedAt', 'LD_IMPORT_CLOSED_AT_REQUIRED', '已结案工单缺少结案时间', 'a closed case needs its closing time');
    else if (closedAt && openedAt && closedAt < openedAt) err('case:closedAt', 'LD_IMPORT_CLOSED_BEFORE_OPENED', '结案时间早于受理时间', 'the case closes before it was opened');
    else if (closedAt && closedAt > m.now) err('case:closedAt', 'LD_IMPORT_DATE_IN_FUTURE', '结案时间晚于当前时间', 'the closing time is in the future');
  }
  const assignee = attrs['case:assignee'] ? cellText(attrs['case:assignee'].cell) || null : null;

  // The form data, validated exactly as a submission of the form.
  const filled = applyComputed(m.form, data);
  for (const e of validateSubmission(m.form, filled, lang)) {
    const field = e.path.split('/')[1] ?? '';
    const column = columnOf.get(field) ?? null;
    const raw = column !== null ? m.columns.find((c) => c.target === field) : undefined;
    issues.push(issue(rowNo, 'error', column, e.path || null, e.code, e.message, raw ? cellText(cells[raw.index] ?? null) || null : null));
  }

  const key = numberText
    ? `case:${numberText}`
    : `row:${createHash('sha256')
        .update(stableJson({ data: filled, status, nodeId, openedAt: openedAt ?? null, closedAt: closedAt ?? null }))
        .digest('hex')}`;
  return {
    rowNo,
    cells,
    data: filled,
    caseNumber: numberText || null,
    status,
    nodeId,
    openedAt: openedAt ?? null,
    closedAt: closedAt ?? null,
    assignee,
    key,
    issues,
  };
}

/** null for an empty cell, undefined for one that is not a date. */
function timeOf(cell: Cell): number | null | undefined {
  if (cell === null || (typeof cell === 'string' && !cell.trim())) return null;
  return toEpochMs(cell);
}

export const hasErrors = (row: PreparedRow) => row.issues.some((i) => i.severity === 'error');
