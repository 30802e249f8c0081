/**
 * Saved mappings (R37): an admin maps a legacy export's columns once, names the mapping, and
 * applies it to every later file of the same shape. Saving under an existing name replaces it.
 */
import { Ajv } from 'ajv';
import { importMappingSchema } from '../../schemas/imports.ts';
import { LoopdeskError, notFound } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { audit } from '../store/audit.ts';
import { type EngineContext, type Principal, command } from '../usecases/context.ts';
import type { ImportMapping, Lang, StoredValue } from './mapping.ts';

export interface SavedMapping {
  id: string;
  name: string;
  formKey: string;
  processKey: string | null;
  columns: Record<string, string | null>;
  values: Record<string, Record<string, StoredValue>>;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  updatedBy: string;
}

interface MappingRowDb {
  id: string;
  name: string;
  form_key: string;
  process_key: string | null;
  columns: string;
  value_maps: string;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
}

const toSaved = (r: MappingRowDb): SavedMapping => ({
  id: r.id,
  name: r.name,
  formKey: r.form_key,
  processKey: r.process_key,
  columns: JSON.parse(r.columns),
  values: JSON.parse(r.value_maps),
  createdAt: Number(r.created_at),
  createdBy: r.created_by,
  updatedAt: Number(r.updated_at),
  updatedBy: r.updated_by,
});

const validateMapping = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(importMappingSchema);

const invalid = (lang: Lang, errors: { path: string; message: string }[]) =>
  new LoopdeskError('LD_IMPORT_MAPPING_INVALID', 422, lang === 'zh-CN' ? '字段映射格式错误' : 'the mapping is not valid', errors);

/** A mapping sent as JSON (request field, CLI file), checked; 422 with pointers otherwise. */
export function parseMapping(input: unknown, lang: Lang): ImportMapping {
  if (!validateMapping(input)) {
    throw invalid(lang, (validateMapping.errors ?? []).map((e) => ({ path: e.instancePath || '/', message: e.message ?? 'invalid' })));
  }
  checkValueMaps(input as ImportMapping, lang);
  return input as ImportMapping;
}

/** Mapped values are JSON scalars: a list cell becomes one value, never an object. */
export function checkValueMaps(mapping: Pick<ImportMapping, 'values'>, lang: Lang): void {
  const errors: { path: string; message: string }[] = [];
  for (const [target, map] of Object.entries(mapping.values ?? {})) {
    for (const [raw, value] of Object.entries(map)) {
      if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
        errors.push({ path: `/values/${target}/${raw}`, message: lang === 'zh-CN' ? '映射值必须是文本、数字、布尔值或 null' : 'must be a string, number, boolean or null' });
      }
    }
  }
  if (errors.length) throw invalid(lang, errors);
}

export async function saveMapping(ctx: EngineContext, input: ImportMapping & { name: string }, actor: Principal, options: { lang?: Lang; requestId?: string } = {}): Promise<SavedMapping> {
  checkValueMaps(input, options.lang ?? 'en');
  const { requestId } = options;
  return command(ctx, async (tx, now) => {
    const existing = await tx.get<MappingRowDb>('SELECT * FROM import_mappings WHERE name = ?', [input.name]);
    const columns = JSON.stringify(input.columns);
    const values = JSON.stringify(input.values ?? {});
    if (existing) {
      await tx.run('UPDATE import_mappings SET form_key = ?, process_key = ?, columns = ?, value_maps = ?, updated_by = ?, updated_at = ? WHERE id = ?', [
        input.formKey,
        input.processKey ?? null,
        columns,
        values,
        actor.username,
        now,
        existing.id,
      ]);
    } else {
      await tx.run(
        'INSERT INTO import_mappings (id, name, form_key, process_key, columns, value_maps, created_by, created_at, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [newId(), input.name, input.formKey, input.processKey ?? null, columns, values, actor.username, now, actor.username, now],
      );
    }
    const row = (await tx.get<MappingRowDb>('SELECT * FROM import_mappings WHERE name = ?', [input.name]))!;
    await audit(tx, now, {
      actor: actor.username,
      action: existing ? 'import-mapping.update' : 'import-mapping.create',
      entityType: 'import-mapping',
      entityId: row.id,
      before: existing ? toSaved(existing) : undefined,
      after: toSaved(row),
      requestId,
    });
    return toSaved(row);
  });
}

export async function listMappings(ctx: EngineContext, formKey?: string): Promise<SavedMapping[]> {
  const rows = formKey
    ? await ctx.db.all<MappingRowDb>('SELECT * FROM import_mappings WHERE form_key = ? ORDER BY name', [formKey])
    : await ctx.db.all<MappingRowDb>('SELECT * FROM import_mappings ORDER BY name');
  return rows.map(toSaved);
}

export async function mappingByName(ctx: EngineContext, name: string): Promise<SavedMapping> {
  const row = await ctx.db.get<MappingRowDb>('SELECT * FROM import_mappings WHERE name = ?', [name]);
  if (!row) throw notFound('import mapping', name);
  return toSaved(row);
}
