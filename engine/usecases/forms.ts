/**
 * Form definitions and submissions with storage: versions (draft → published, publishing freezes),
 * what a task shows to a viewer, and validating a task's data against the exact form version it
 * was opened with (R0a, R0d, R32, R38, R39). The rules themselves live in engine/forms (pure).
 */
import { createHash } from 'node:crypto';
import {
  type FormError,
  type FormLang,
  type FormVersion,
  type FormViewer,
  applyComputed,
  applyLookup,
  checkFormDefinition,
  fieldUsageDelta,
  lookupRequests,
  mergeSubmission,
  migrate,
  reminders,
  schemaFor,
  validateSubmission,
  viewFor,
} from '../forms/index.ts';
import type { FormDefinition } from '../../schemas/form-definition.schema.ts';
import { LoopdeskError, notFound, unprocessable } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { audit } from '../store/audit.ts';
import type { Tx } from '../store/db.ts';
import { type EngineContext, type Principal, command } from './context.ts';
import type { TaskView } from './tasks.ts';

export type FormStatus = 'draft' | 'published' | 'retired';

export interface FormSummary {
  key: string;
  version: number;
  status: FormStatus;
  title: unknown;
  createdAt: number;
  createdBy: string;
  publishedAt: number | null;
}

interface FormRowDb {
  key: string;
  version: number;
  status: FormStatus;
  title: string;
  definition: string;
  checksum: string;
  created_at: number;
  created_by: string;
  published_at: number | null;
}

const toSummary = (r: FormRowDb): FormSummary => ({
  key: r.key,
  version: r.version,
  status: r.status,
  title: JSON.parse(r.title),
  createdAt: r.created_at,
  createdBy: r.created_by,
  publishedAt: r.published_at,
});

const formId = (key: string, version: number) => `${key}:${version}`;

/**
 * The process variable a form's data lives under: the form key in camelCase, so FEEL conditions can
 * name it (`feedbackIntake.urgency = "high"`; a hyphen would read as a minus).
 */
export function formVariable(formKey: string): string {
  return formKey.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Published versions never change, so each is parsed once per process. */
const frozen = new Map<string, FormVersion>();

function toFormVersion(r: FormRowDb): FormVersion {
  return { ...(JSON.parse(r.definition) as FormDefinition), version: r.version };
}

export async function loadFormVersion(tx: Tx, key: string, version: number): Promise<FormVersion | undefined> {
  const id = formId(key, version);
  const cached = frozen.get(id);
  if (cached) return cached;
  const row = await tx.get<FormRowDb>('SELECT * FROM form_definitions WHERE id = ?', [id]);
  if (!row) return undefined;
  const form = toFormVersion(row);
  if (row.status !== 'draft') frozen.set(id, form);
  return form;
}

async function latestForm(tx: Tx, key: string, status?: FormStatus): Promise<FormRowDb | undefined> {
  return status
    ? tx.get<FormRowDb>('SELECT * FROM form_definitions WHERE key = ? AND status = ? ORDER BY version DESC LIMIT 1', [key, status])
    : tx.get<FormRowDb>('SELECT * FROM form_definitions WHERE key = ? ORDER BY version DESC LIMIT 1', [key]);
}

/** The newest published version of a form, if it has one. */
export async function publishedFormVersion(tx: Tx, key: string): Promise<FormVersion | undefined> {
  const latest = await latestForm(tx, key, 'published');
  return latest ? loadFormVersion(tx, latest.key, latest.version) : undefined;
}

/**
 * Saves a definition as a new draft version (or returns the latest version if it is identical).
 * A definition that does not pass the meta-schema and its own checks is a 422 with JSON pointers.
 */
export async function saveForm(
  ctx: EngineContext,
  input: unknown,
  actor: Principal,
  options: { lang?: FormLang; publish?: boolean; requestId?: string } = {},
): Promise<{ created: boolean; form: FormSummary }> {
  const lang = options.lang ?? 'en';
  const key = typeof (input as { key?: unknown })?.key === 'string' ? (input as { key: string }).key : undefined;
  return command(ctx, async (tx, now) => {
    const latest = key ? await latestForm(tx, key) : undefined;
    const previous = latest ? toFormVersion(latest) : undefined;
    const errors = checkFormDefinition(input, { previous, lang });
    if (errors.length) throw unprocessable('LD_FORM_INVALID', 'the form definition is invalid', errors);
    const def = input as FormDefinition;
    const body = JSON.stringify(def);
    const checksum = createHash('sha256').update(body).digest('hex');
    if (latest && latest.checksum === checksum) {
      const summary = toSummary(latest);
      if (options.publish && summary.status === 'draft') return { created: false, form: await markPublished(tx, summary, actor, now, options.requestId) };
      return { created: false, form: summary };
    }
    const version = (latest?.version ?? 0) + 1;
    await tx.run(
      `INSERT INTO form_definitions (id, key, version, status, title, definition, checksum, created_at, created_by, published_at)
       VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?, NULL)`,
      [formId(def.key, version), def.key, version, JSON.stringify(def.title ?? def.key), body, checksum, now, actor.username],
    );
    await audit(tx, now, {
      actor: actor.username,
      action: 'form.save',
      entityType: 'form',
      entityId: formId(def.key, version),
      after: { key: def.key, version, checksum },
      requestId: options.requestId,
    });
    const summary: FormSummary = {
      key: def.key,
      version,
      status: 'draft',
      title: def.title ?? def.key,
      createdAt: now,
      createdBy: actor.username,
      publishedAt: null,
    };
    return { created: true, form: options.publish ? await markPublished(tx, summary, actor, now, options.requestId) : summary };
  });
}

async function markPublished(tx: Tx, form: FormSummary, actor: Principal, now: number, requestId?: string): Promise<FormSummary> {
  await tx.run("UPDATE form_definitions SET status = 'published', published_at = ? WHERE id = ?", [now, formId(form.key, form.version)]);
  await audit(tx, now, {
    actor: actor.username,
    action: 'form.publish',
    entityType: 'form',
    entityId: formId(form.key, form.version),
    before: { status: form.status },
    after: { status: 'published' },
    requestId,
  });
  return { ...form, status: 'published', publishedAt: now };
}

export async function publishForm(ctx: EngineContext, key: string, version: number, actor: Principal, requestId?: string) {
  return command(ctx, async (tx, now) => {
    const row = await tx.get<FormRowDb>('SELECT * FROM form_definitions WHERE id = ?', [formId(key, version)]);
    if (!row) throw notFound('form version', formId(key, version));
    const form = toSummary(row);
    if (form.status === 'published') return form;
    if (form.status === 'retired') throw new LoopdeskError('LD_DEFINITION_RETIRED', 409, `${formId(key, version)} is retired`);
    return markPublished(tx, form, actor, now, requestId);
  });
}

export async function listForms(ctx: EngineContext, key?: string): Promise<FormSummary[]> {
  const rows = key
    ? await ctx.db.all<FormRowDb>('SELECT * FROM form_definitions WHERE key = ? ORDER BY version', [key])
    : await ctx.db.all<FormRowDb>('SELECT * FROM form_definitions ORDER BY key, version');
  return rows.map(toSummary);
}

export async function getForm(ctx: EngineContext, key: string, version: number): Promise<FormSummary & { definition: FormDefinition }> {
  const row = await ctx.db.get<FormRowDb>('SELECT * FROM form_definitions WHERE id = ?', [formId(key, version)]);
  if (!row) throw notFound('form version', formId(key, version));
  return { ...toSummary(row), definition: JSON.parse(row.definition) };
}

/** Where submitted form data belongs: a task, or the start of a new instance (taskId null). */
export interface FormTarget {
  formId: string | null;
  formVersion: number | null;
  instanceId: string;
  id: string | null;
  /** Values the process supplies (the task's input mappings); they override what is stored or sent. */
  input?: Record<string, unknown> | null;
}

/** The version a task's data is validated against: pinned at creation, else the newest published. */
async function formOfTask(tx: Tx, task: FormTarget): Promise<FormVersion | undefined> {
  if (!task.formId) return undefined;
  if (task.formVersion) return loadFormVersion(tx, task.formId, task.formVersion);
  return publishedFormVersion(tx, task.formId);
}

/** The newest submission of a form in an instance, migrated to `form`'s version if it is older. */
async function storedData(tx: Tx, instanceId: string, form: FormVersion): Promise<Record<string, unknown> | undefined> {
  const row = await tx.get<{ data: string; form_version: number }>(
    'SELECT data, form_version FROM submissions WHERE instance_id = ? AND form_key = ? ORDER BY submitted_at DESC, id DESC LIMIT 1',
    [instanceId, form.key],
  );
  if (!row) return undefined;
  let data = JSON.parse(row.data) as Record<string, unknown>;
  for (let v = row.form_version + 1; v <= Number(form.version); v++) {
    const step = await loadFormVersion(tx, form.key, v);
    if (step) data = migrate(data, step.migrations);
  }
  return data;
}

export interface TaskFormView {
  key: string;
  version: number;
  title: unknown;
  schema: Record<string, unknown>;
  uiSchema: Record<string, unknown>;
  data: Record<string, unknown>;
  reminders: { path: string; message: string; rule?: string }[];
}

/** What a viewer sees of a task's form: the pinned version projected for their role, masked data. */
export async function taskForm(ctx: EngineContext, task: TaskView, viewer: Principal, lang: FormLang): Promise<TaskFormView> {
  return ctx.db.transaction(async (tx) => {
    const form = await formOfTask(tx, task);
    if (!form) {
      throw new LoopdeskError('LD_FORM_NOT_PUBLISHED', 404, task.formId ? `form ${task.formId} has no published version` : `task ${task.id} has no form`);
    }
    const data = task.data ?? { ...((await storedData(tx, task.instanceId, form)) ?? {}), ...(task.input ?? {}) };
    const projected = schemaFor(form, viewer, lang);
    return {
      key: form.key,
      version: Number(form.version),
      title: form.title,
      schema: projected.schema,
      uiSchema: projected.uiSchema,
      data: viewFor(form, data, viewer),
      reminders: reminders(form, data, lang),
    };
  });
}

/** Looks a record up for a form's linked fields (R3); sources are registered by the features that own the data. */
export type LookupSource = (tx: Tx, key: string, value: unknown) => Promise<Record<string, unknown> | null>;
export const lookupSources = new Map<string, LookupSource>();

async function withLookups(tx: Tx, form: FormVersion, data: Record<string, unknown>): Promise<Record<string, unknown>> {
  let out = data;
  for (const req of lookupRequests(form, data)) {
    const source = lookupSources.get(req.source);
    if (!source) continue;
    out = applyLookup(form, out, req.source, await source(tx, req.key, req.value), req.by);
  }
  return out;
}

function rejectIf(errors: FormError[] | undefined, lang: FormLang): void {
  if (errors?.length) {
    throw unprocessable('LD_FORM_INVALID_DATA', lang === 'zh-CN' ? '表单数据有误' : 'the form data is invalid', errors);
  }
}

/**
 * Checks a task's submitted data (inside the completion transaction): merge with what is stored
 * under the viewer's rights, fill lookups and computed fields, validate with ajv against the
 * pinned version. Records the submission and the field usage; returns the variables to merge.
 */
export function formValidator(lang: FormLang) {
  return async (tx: Tx, task: FormTarget, submitted: Record<string, unknown>, who: Principal, now: number) => {
    const form = await formOfTask(tx, task);
    if (!task.formId) return submitted;
    if (!form) throw new LoopdeskError('LD_FORM_NOT_PUBLISHED', 409, `form ${task.formId} has no published version`);
    const previous = await storedData(tx, task.instanceId, form);
    // What the form showed: the stored data with the process's values on top, so sending them back is no change.
    const stored = task.input ? { ...(previous ?? {}), ...task.input } : previous;
    const merged = mergeSubmission(form, stored, submitted, who, lang);
    rejectIf('errors' in merged ? merged.errors : undefined, lang);
    const supplied = { ...(merged as { data: Record<string, unknown> }).data, ...(task.input ?? {}) };
    const data = applyComputed(form, await withLookups(tx, form, supplied));
    rejectIf(validateSubmission(form, data, lang), lang);
    const version = Number(form.version);
    await tx.run(
      'INSERT INTO submissions (id, task_id, instance_id, form_key, form_version, data, submitted_by, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [newId(), task.id, task.instanceId, form.key, version, JSON.stringify(data), who.username, now],
    );
    await recordFieldUsage(tx, form, previous, data, now);
    return { [formVariable(form.key)]: data };
  };
}

async function recordFieldUsage(tx: Tx, form: FormVersion, before: unknown, after: unknown, now: number): Promise<void> {
  for (const d of fieldUsageDelta(form.schema as never, before, after, new Date(now))) {
    const filledAt = d.filledAt ? Date.parse(d.filledAt) : null;
    await tx.run(
      `INSERT INTO field_usage (form_key, form_version, field, filled_count, empty_count, changed_after_first_entry, last_filled_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (form_key, form_version, field) DO UPDATE SET
         filled_count = field_usage.filled_count + excluded.filled_count,
         empty_count = field_usage.empty_count + excluded.empty_count,
         changed_after_first_entry = field_usage.changed_after_first_entry + excluded.changed_after_first_entry,
         last_filled_at = CASE WHEN excluded.last_filled_at IS NULL THEN field_usage.last_filled_at
                               WHEN field_usage.last_filled_at IS NULL OR excluded.last_filled_at > field_usage.last_filled_at THEN excluded.last_filled_at
                               ELSE field_usage.last_filled_at END`,
      [form.key, Number(form.version), d.field, d.filled, d.empty, d.changed, filledAt],
    );
  }
}

/** Dry run of the completion check: the same errors and reminders, nothing stored. */
export async function dryRunValidate(ctx: EngineContext, key: string, version: number, data: unknown, lang: FormLang) {
  const form = await loadFormVersion(ctx.db, key, version);
  if (!form) throw notFound('form version', formId(key, version));
  const filled = applyComputed(form, data);
  const errors = validateSubmission(form, filled, lang);
  return { valid: errors.length === 0, errors, reminders: reminders(form, filled, lang) };
}

export interface FieldUsageRow {
  version: number;
  field: string;
  filledCount: number;
  emptyCount: number;
  changedAfterFirstEntry: number;
  fillRate: number;
  lastFilledAt: number | null;
}

/** Field usage per version and field for the quarterly review (R38), least filled first. */
export async function fieldUsage(ctx: EngineContext, key: string): Promise<FieldUsageRow[]> {
  const rows = await ctx.db.all<Record<string, number | string | null>>(
    'SELECT form_version, field, filled_count, empty_count, changed_after_first_entry, last_filled_at FROM field_usage WHERE form_key = ? ORDER BY form_version, field',
    [key],
  );
  return rows
    .map((r) => {
      const filled = Number(r.filled_count);
      const empty = Number(r.empty_count);
      return {
        version: Number(r.form_version),
        field: String(r.field),
        filledCount: filled,
        emptyCount: empty,
        changedAfterFirstEntry: Number(r.changed_after_first_entry),
        fillRate: filled + empty === 0 ? 0 : filled / (filled + empty),
        lastFilledAt: r.last_filled_at === null ? null : Number(r.last_filled_at),
      };
    })
    .sort((a, b) => a.version - b.version || a.fillRate - b.fillRate || a.field.localeCompare(b.field));
}

/** Masks and filters form data inside instance variables and task data for a viewer (R39). */
export async function maskForViewer<T extends { formId?: string | null; formVersion?: number | null; data?: Record<string, unknown> | null }>(
  tx: Tx,
  items: T[],
  viewer: FormViewer,
): Promise<T[]> {
  const out: T[] = [];
  for (const item of items) {
    if (!item.data || !item.formId) {
      out.push(item);
      continue;
    }
    const form = item.formVersion ? await loadFormVersion(tx, item.formId, item.formVersion) : undefined;
    // Data of a form whose version is unknown is withheld rather than shown unmasked.
    out.push({ ...item, data: form ? viewFor(form, item.data, viewer) : {} });
  }
  return out;
}

/** Form data inside process variables (stored under formVariable(key)) seen through the viewer's rights. */
export async function maskVariables(tx: Tx, instanceId: string, variables: Record<string, unknown>, viewer: FormViewer) {
  const rows = await tx.all<{ form_key: string; form_version: number }>(
    'SELECT form_key, MAX(form_version) AS form_version FROM submissions WHERE instance_id = ? GROUP BY form_key',
    [instanceId],
  );
  const out = { ...variables };
  for (const r of rows) {
    const name = formVariable(r.form_key);
    const value = out[name];
    if (!value || typeof value !== 'object') continue;
    const form = await loadFormVersion(tx, r.form_key, Number(r.form_version));
    out[name] = form ? viewFor(form, value, viewer) : {};
  }
  return out;
}
