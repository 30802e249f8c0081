/**
 * Column → field mappings (R37): suggested from the header names in Chinese or English (the form's
 * titles, its `x-loopdesk-en` titles, the field keys and a synonym list), saved by name for the
 * next file, and applied to a row: cells converted to the field's type, list values mapped
 * (紧急 → high) from the option titles automatically plus explicit maps, dates normalised.
 *
 * A mapping target is a top-level form field key, or one of the case's own attributes:
 * `case:number` (the legacy case number), `case:status` (closed / open / the node it waits at),
 * `case:node`, `case:openedAt`, `case:closedAt`, `case:assignee`. Pure: no database.
 */
import type { FlowNode, ProcessGraph } from '../bpmn/model.ts';
import { type FormVersion, type SchemaNode, fieldsOf } from '../forms/index.ts';
import { toIsoDate, toIsoDateTime } from './dates.ts';
import type { Cell } from './read.ts';

export type Lang = 'zh-CN' | 'en';

/** A value a list cell is mapped to. */
export type StoredValue = string | number | boolean | null;

export const CASE_TARGETS = ['case:number', 'case:status', 'case:node', 'case:openedAt', 'case:closedAt', 'case:assignee'] as const;
export type CaseTarget = (typeof CASE_TARGETS)[number];

/** What an admin saves and reuses. `columns[header] = null` ignores a column on purpose. */
export type ImportMapping = {
  name?: string;
  formKey: string;
  processKey?: string;
  columns: Record<string, string | null>;
  values?: Record<string, Record<string, StoredValue>>;
};

/** Server-set conventions of a start form (see usecases/instances.ts): never filled from a file. */
const SERVER_SET = new Set(['caseNo', 'duplicateOf']);

/** Header words per target, beside the form's own titles and keys. */
const HEADER_SYNONYMS: Record<string, string[]> = {
  'case:number': ['反馈编号', '工单号', '工单编号', '编号', '单号', '案件编号', '服务单号', '投诉编号', 'case no', 'case number', 'case id', 'ticket', 'ticket no', 'ticket id', 'ticket number'],
  'case:status': ['状态', '工单状态', '处理状态', '结案状态', '进度', 'status', 'state'],
  'case:node': ['当前节点', '当前环节', '当前步骤', '处理节点', '环节', '节点', 'current step', 'step', 'stage', 'node'],
  'case:openedAt': ['受理时间', '登记时间', '创建时间', '反馈时间', '提交时间', '接单时间', '来电时间', '开始时间', '受理日期', '反馈日期', 'created', 'created at', 'opened', 'opened at', 'received', 'received at', 'start time', 'intake time', 'date'],
  'case:closedAt': ['结案时间', '关闭时间', '完成时间', '解决时间', '结束时间', '结案日期', 'closed', 'closed at', 'resolved at', 'end time', 'completed at'],
  'case:assignee': ['处理人', '责任人', '负责人', '第一责任人', '经办人', '受理人', 'owner', 'assignee', 'handler', 'agent'],
  customerName: ['客户', '客户姓名', '客户名称', '姓名', '联系人', '客户名', 'customer', 'customer name', 'name', 'contact'],
  phone: ['电话', '手机', '手机号', '手机号码', '联系方式', '联系电话', '电话号码', 'tel', 'telephone', 'mobile', 'phone number'],
  urgency: ['紧急程度', '紧急度', '优先级', '级别', '紧急', 'urgency', 'priority', 'severity'],
  channel: ['渠道', '来源', '反馈渠道', '问题来源', '问题描述来源', '来源渠道', '受理渠道', 'source', 'channel'],
  type: ['问题类型', '反馈类型', '类型', '类别', '分类', '工单类型', 'category', 'type', 'kind'],
  description: ['问题描述', '描述', '内容', '详情', '问题', '反馈内容', '问题详情', 'description', 'details', 'problem', 'issue'],
  orderNo: ['订单号', '订单编号', '订单', 'order', 'order no', 'order number', 'order id'],
  serialNo: ['序列号', '产品序列号', '机身号', 'sn', 'serial', 'serial no', 'serial number'],
  productModel: ['型号', '产品型号', '产品', '机型', 'model', 'product', 'product model'],
  purchaseDate: ['购买日期', '购买时间', '购机日期', '购机时间', 'purchase date', 'purchased'],
  region: ['区域', '地区', '大区', '所在地区', 'region', 'area'],
  email: ['邮箱', '电子邮箱', '邮件地址', 'email', 'e-mail', 'mail'],
  company: ['公司', '单位', '企业', '公司名称', 'company', 'organisation', 'organization'],
  customerId: ['客户id', '客户编号', '客户号', '客户代码', 'customer id', 'customer no'],
  safetyRisk: ['安全隐患', '是否涉及安全隐患', '是否安全隐患', 'safety', 'safety risk'],
  internalNote: ['备注', '内部备注', 'note', 'notes', 'remark', 'remarks', 'internal note'],
};

/** Value words per option value, beside the option's own titles. */
const VALUE_SYNONYMS: Record<string, string[]> = {
  high: ['高', '紧急', '急', '特急', '加急', '非常紧急', 'urgent', 'high', 'p1', '高优先级'],
  normal: ['中', '一般', '普通', '正常', '中等', 'medium', 'mid', 'normal', 'p2'],
  low: ['低', '不急', '低优先级', 'low', 'p3'],
  complaint: ['投诉', 'complaint'],
  inquiry: ['咨询', '问询', '询问', 'question', 'enquiry', 'inquiry'],
  suggestion: ['建议', '意见', 'suggestion', 'idea'],
  fault: ['故障', '报修', '维修', '技术故障', '问题', 'repair', 'fault'],
  'after-sales': ['售后', '退换货', '退货', '换货', '退款', 'return', 'after-sales', 'after sales'],
  other: ['其他', '其它', 'other'],
  phone: ['电话', '热线', '客服电话', '客服热线', '400', 'hotline', 'call', 'phone'],
  'online-chat': ['在线', '在线客服', '在线咨询', 'chat', 'online', 'online chat'],
  web: ['网站', '官网', 'website', 'web'],
  email: ['邮件', '电子邮件', '邮箱', 'mail', 'e-mail', 'email'],
  social: ['微信', '公众号', '微博', '社交媒体', 'wechat', 'social'],
  store: ['门店', '线下门店', '到店', 'store', 'shop'],
  'third-party': ['第三方', '第三方平台', '电商平台', '京东', '天猫', '淘宝', 'third party', 'third-party'],
};
const TRUE_WORDS = ['是', '对', '有', '涉及', 'yes', 'y', 'true', '1', '√', '✓', 'x'];
const FALSE_WORDS = ['否', '不', '无', '没有', '不涉及', 'no', 'n', 'false', '0', '×', '✗'];

const CLOSED_WORDS = ['已结案', '结案', '已关闭', '关闭', '已完成', '完成', '已解决', '已办结', '办结', '已处理', 'closed', 'close', 'done', 'resolved', 'completed', 'complete', 'finished'];
const OPEN_WORDS = ['进行中', '未结案', '未完成', '待处理', '处理中', '新建', '待分配', '打开', '开启', 'open', 'opened', 'pending', 'in progress', 'new', 'active'];

/** Lower case, NFKC (full-width → half-width), without spaces, brackets' contents and punctuation. */
export function normaliseLabel(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[(（[【][^)）\]】]*[)）\]】]/g, '')
    .replace(/[\s_\-–—:：*＊.。,，;；'"“”‘’?？!！]/g, '');
}

function variants(header: string): string[] {
  const whole = normaliseLabel(header);
  const parts = header.split(/[/／|｜、]/).map(normaliseLabel).filter(Boolean);
  return [...new Set([whole, ...parts])].filter(Boolean);
}

function score(header: string, candidates: string[]): number {
  let best = 0;
  for (const v of variants(header)) {
    for (const raw of candidates) {
      const c = normaliseLabel(raw);
      if (!c) continue;
      if (v === c) best = Math.max(best, 100);
      else if (c.length >= 2 && v.includes(c)) best = Math.max(best, 60 + Math.min(c.length, 20));
      else if (v.length >= 2 && c.includes(v)) best = Math.max(best, 40 + Math.min(v.length, 20));
    }
  }
  return best;
}

// ---- the form's fields ------------------------------------------------------------------------

export interface OptionInfo {
  value: unknown;
  labels: string[];
}

export interface TargetField {
  key: string;
  schema: SchemaNode;
  titleZh: string;
  titleEn: string;
  required: boolean;
  types: string[];
  options?: OptionInfo[];
}

const enTitle = (s: SchemaNode) => {
  const en = s['x-loopdesk-en'];
  return en && typeof en === 'object' && typeof (en as SchemaNode).title === 'string' ? ((en as SchemaNode).title as string) : '';
};

function optionsOf(schema: SchemaNode): OptionInfo[] | undefined {
  const list = (schema.oneOf ?? schema.anyOf) as SchemaNode[] | undefined;
  if (Array.isArray(list) && list.length && list.every((o) => o && typeof o === 'object' && 'const' in o)) {
    return list.map((o) => ({ value: o.const, labels: [String(o.const ?? ''), String(o.title ?? ''), enTitle(o)].filter(Boolean) }));
  }
  if (Array.isArray(schema.enum)) return (schema.enum as unknown[]).map((v) => ({ value: v, labels: [String(v)] }));
  return undefined;
}

/** The top-level fields a file can fill (conditional ones included), in the form's order. */
export function targetFields(form: FormVersion): TargetField[] {
  const required = new Set((form.schema as SchemaNode).required as string[] | undefined);
  const out: TargetField[] = [];
  for (const field of fieldsOf(form.schema as SchemaNode).values()) {
    const key = field.path.slice(1);
    if (!key || key.includes('/') || SERVER_SET.has(key)) continue;
    const s = field.schema;
    const type = s.type;
    out.push({
      key,
      schema: s,
      titleZh: typeof s.title === 'string' ? s.title : '',
      titleEn: enTitle(s),
      required: required.has(key),
      types: Array.isArray(type) ? (type as string[]) : typeof type === 'string' ? [type] : [],
      options: optionsOf(s),
    });
  }
  return out;
}

// ---- suggestion ---------------------------------------------------------------------------------

export interface SuggestedColumn {
  header: string;
  target: string | null;
  score: number;
}

export interface MappingSuggestion {
  formKey: string;
  processKey?: string;
  columns: Record<string, string | null>;
  values: Record<string, Record<string, StoredValue>>;
  details: SuggestedColumn[];
  /** Required form fields no column was mapped to. */
  missingRequired: string[];
  /** Values in the file that match no option and no synonym, per target. */
  unresolvedValues: Record<string, string[]>;
}

/** The best target per header, each target used once; weaker matches lose to stronger ones. */
export function suggestColumns(headers: string[], form: FormVersion): SuggestedColumn[] {
  const fields = targetFields(form);
  const candidates: { target: string; words: string[]; bonus: number }[] = [
    // caseNo's titles name the legacy case number, which becomes the case's own number.
    { target: 'case:number', words: [...HEADER_SYNONYMS['case:number']!, 'caseNo', ...caseNoTitles(form)], bonus: 0 },
    ...CASE_TARGETS.filter((t) => t !== 'case:number').map((t) => ({ target: t, words: HEADER_SYNONYMS[t] ?? [], bonus: 0 })),
    // A form's own titles beat the generic synonym list.
    ...fields.map((f) => ({ target: f.key, words: [f.key, f.titleZh, f.titleEn].filter(Boolean), bonus: 1 })),
    ...fields.map((f) => ({ target: f.key, words: HEADER_SYNONYMS[f.key] ?? [], bonus: 0 })),
  ];
  const pairs: { header: number; target: string; score: number }[] = [];
  headers.forEach((h, i) => {
    if (!h.trim()) return;
    for (const c of candidates) {
      const s = score(h, c.words);
      if (s >= 42) pairs.push({ header: i, target: c.target, score: s + c.bonus });
    }
  });
  pairs.sort((a, b) => b.score - a.score || a.header - b.header);
  const byHeader = new Map<number, { target: string; score: number }>();
  const used = new Set<string>();
  for (const p of pairs) {
    if (byHeader.has(p.header) || used.has(p.target)) continue;
    byHeader.set(p.header, { target: p.target, score: p.score });
    used.add(p.target);
  }
  return headers.map((header, i) => ({ header, target: byHeader.get(i)?.target ?? null, score: byHeader.get(i)?.score ?? 0 }));
}

function caseNoTitles(form: FormVersion): string[] {
  const caseNo = ((form.schema as SchemaNode).properties as Record<string, SchemaNode> | undefined)?.caseNo;
  return caseNo ? [String(caseNo.title ?? ''), enTitle(caseNo)].filter(Boolean) : [];
}

/**
 * A mapping proposal for a file: columns by header name, and value maps for the list values found
 * in the file's first rows that are not the stored values themselves.
 */
export function suggestMapping(headers: string[], sample: Cell[][], form: FormVersion, graph?: ProcessGraph): MappingSuggestion {
  const details = suggestColumns(headers, form);
  const columns: Record<string, string | null> = {};
  for (const d of details) if (d.header.trim()) columns[d.header] = d.target;
  const fields = new Map(targetFields(form).map((f) => [f.key, f]));
  const values: Record<string, Record<string, StoredValue>> = {};
  const unresolvedValues: Record<string, string[]> = {};
  const nodes = graph ? nodeMatcher(graph) : undefined;
  details.forEach((d, col) => {
    if (!d.target) return;
    const field = fields.get(d.target);
    const isStatus = d.target === 'case:status' || d.target === 'case:node';
    if (!isStatus && !field?.options && !field?.types.includes('boolean')) return;
    const seen = new Set<string>();
    for (const row of sample) {
      const cell = row[col];
      if (cell === null || cell === undefined || cell === '') continue;
      const raw = String(cell).trim();
      if (seen.has(raw) || seen.size >= 200) continue;
      seen.add(raw);
      const resolved = isStatus ? resolveStatus(raw, d.target === 'case:node', nodes, {}) : resolveOption(raw, field!, {});
      if (resolved === undefined) {
        unresolvedValues[d.target] = [...(unresolvedValues[d.target] ?? []), raw];
      } else if (String(resolved) !== raw) {
        values[d.target] = { ...(values[d.target] ?? {}), [raw]: resolved as StoredValue };
      }
    }
  });
  const mapped = new Set(Object.values(columns));
  const missingRequired = [...fields.values()].filter((f) => f.required && !mapped.has(f.key)).map((f) => f.key);
  return { formKey: form.key, processKey: graph?.key, columns, values, details, missingRequired, unresolvedValues };
}

// ---- values -------------------------------------------------------------------------------------

const NO_MATCH = Symbol('no match');

function lookup(raw: string, explicit: Record<string, unknown> | undefined): unknown {
  if (!explicit) return NO_MATCH;
  if (Object.hasOwn(explicit, raw)) return explicit[raw];
  const n = normaliseLabel(raw);
  for (const [k, v] of Object.entries(explicit)) if (normaliseLabel(k) === n) return v;
  return NO_MATCH;
}

/** An option value for a raw cell: explicit map, the value itself, its titles, then synonyms. */
export function resolveOption(raw: string, field: Pick<TargetField, 'options' | 'types'>, explicit: Record<string, unknown> | undefined): unknown {
  const mapped = lookup(raw, explicit);
  if (mapped !== NO_MATCH) return mapped;
  const n = normaliseLabel(raw);
  if (!n) return undefined;
  const options = field.options ?? (field.types.includes('boolean') ? [{ value: true, labels: [] }, { value: false, labels: [] }] : []);
  for (const o of options) if (o.value !== null && normaliseLabel(String(o.value)) === n) return o.value;
  for (const o of options) if (o.labels.some((l) => normaliseLabel(l) === n)) return o.value;
  // 紧急 → "紧急（2小时内响应）": a title that starts with the value.
  for (const o of options) if (n.length >= 2 && o.labels.some((l) => normaliseLabel(l).startsWith(n))) return o.value;
  if (field.types.includes('boolean') || options.some((o) => typeof o.value === 'boolean')) {
    if (TRUE_WORDS.some((w) => normaliseLabel(w) === n) && options.some((o) => o.value === true)) return true;
    if (FALSE_WORDS.some((w) => normaliseLabel(w) === n) && options.some((o) => o.value === false)) return false;
  }
  for (const o of options) {
    const words = typeof o.value === 'string' ? VALUE_SYNONYMS[o.value] : undefined;
    if (words?.some((w) => normaliseLabel(w) === n)) return o.value;
  }
  return undefined;
}

// ---- case status and node -----------------------------------------------------------------------

interface NodeLabel {
  id: string;
  zh: string;
  en: string;
}

export type NodeMatcher = (raw: string) => string | undefined;

/** The user tasks of a process in the order a case meets them, with the Chinese and English parts of their names. */
function waitNodes(graph: ProcessGraph): NodeLabel[] {
  const order: FlowNode[] = [];
  const seen = new Set<string>();
  const queue = [graph.startEventId];
  while (queue.length) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const node = graph.nodes[id];
    if (!node) continue;
    if (node.type === 'userTask') order.push(node);
    for (const f of node.outgoing) queue.push(graph.flows[f]!.targetRef);
    queue.push(...node.boundaryEvents);
  }
  return order.map((n) => {
    const name = n.name ?? '';
    const zh = (name.match(/[\p{Script=Han}\d]+/gu) ?? []).join('');
    const en = name.replace(/[\p{Script=Han}]+/gu, ' ').trim();
    return { id: n.id, zh: normaliseLabel(zh), en: normaliseLabel(en) };
  });
}

/** Finds the user task a status text names: 待核实 → verify, 处理中 → handle, 待回访 → callback. */
export function nodeMatcher(graph: ProcessGraph): NodeMatcher {
  const nodes = waitNodes(graph);
  return (raw) => {
    const n = normaliseLabel(raw);
    if (!n) return undefined;
    const exact = nodes.find((x) => normaliseLabel(x.id) === n || x.zh === n || x.en === n);
    if (exact) return exact.id;
    const stripped = n.replace(/^(待|正在|已|在|等待)/, '').replace(/(中|阶段|环节)$/, '');
    if (stripped.length < 2) return undefined;
    return nodes.find((x) => x.zh && (x.zh.includes(stripped) || stripped.includes(x.zh)))?.id;
  };
}

/** 'closed', 'open' or the id of the node an open case waits at; undefined when not understood. */
export function resolveStatus(raw: string, nodeOnly: boolean, nodes: NodeMatcher | undefined, explicit: Record<string, unknown> | undefined): string | undefined {
  const mapped = lookup(raw, explicit);
  if (mapped !== NO_MATCH) return mapped === null ? undefined : String(mapped);
  const n = normaliseLabel(raw);
  if (!nodeOnly && CLOSED_WORDS.some((w) => normaliseLabel(w) === n)) return 'closed';
  const node = nodes?.(raw);
  if (node) return node;
  if (!nodeOnly && OPEN_WORDS.some((w) => normaliseLabel(w) === n)) return 'open';
  return undefined;
}

// ---- cells → field values -----------------------------------------------------------------------

/** Text of a cell without float noise: 13812345678 stays 13812345678, not 1.3812345678e10. */
export function cellText(cell: Cell): string {
  if (cell === null) return '';
  if (cell instanceof Date) return toIsoDateTime(cell) ?? '';
  if (typeof cell === 'number') return Number.isInteger(cell) ? cell.toFixed(0) : String(cell);
  return String(cell).trim();
}

/**
 * The value of a cell for a field, or `undefined` for an empty cell (the field is left out).
 * What cannot be converted is kept as text, so the form's own validation reports it exactly as it
 * would for a person typing it.
 */
export function convertCell(cell: Cell, field: TargetField, explicit: Record<string, unknown> | undefined): unknown {
  if (cell === null || (typeof cell === 'string' && cell.trim() === '')) {
    const mapped = lookup('', explicit);
    return mapped === NO_MATCH ? undefined : mapped;
  }
  const text = cellText(cell);
  if (field.options || field.types.includes('boolean')) {
    const v = resolveOption(text, field, explicit);
    if (v !== undefined) return v;
  } else {
    const mapped = lookup(text, explicit);
    if (mapped !== NO_MATCH) return mapped;
  }
  const format = field.schema.format;
  if (field.types.includes('string') && format === 'date') return toIsoDate(cell) ?? text;
  if (field.types.includes('string') && format === 'date-time') return toIsoDateTime(cell) ?? text;
  if (field.types.includes('integer') || field.types.includes('number')) {
    if (typeof cell === 'number') return cell;
    const n = Number(text.replace(/[,，\s]/g, ''));
    if (text && Number.isFinite(n) && !field.types.includes('string')) return n;
  }
  if (field.types.includes('boolean') && typeof cell === 'boolean') return cell;
  if (field.types.includes('array') || field.types.includes('object')) {
    if (/^[[{]/.test(text)) {
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    }
    if (field.types.includes('array')) return text.split(/[,，;；、\n]/).map((s) => s.trim()).filter(Boolean);
  }
  return text;
}
