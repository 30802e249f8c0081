/**
 * The form designer's editable model and its two directions (R0a, R32, R33):
 *
 * - `compileForm(model)` → a form definition exactly as engine/forms/README.md describes it: a
 *   draft-07 schema with sections as nested objects, enum lists as `oneOf` + `const` + `title`
 *   (English in `x-loopdesk-en`), required-if as `if`/`then` (several as `allOf` of them), show-if as
 *   `dependencies` + `oneOf` (one branch per value that shows fields, one `not` branch), roles and
 *   personal data as `x-loopdesk-*` keywords, and `ui:order` for the order on screen;
 * - `parseForm(definition)` → the model, reading those same patterns back; whatever it does not
 *   edit (lengths, patterns, messages, lookups, computed fields, reminders, examples) is kept and
 *   written out again unchanged.
 *
 * Renamed, moved and removed fields become `rename` / `drop` migrations from the version the model
 * was loaded from, so data of open tasks follows the new version (R38).
 */
export type Json = Record<string, unknown>;

export type FieldKind =
  | 'text'
  | 'textarea'
  | 'number'
  | 'integer'
  | 'boolean'
  | 'date'
  | 'date-time'
  | 'enum'
  | 'phone'
  | 'email'
  | 'section'
  | 'custom';

/** The kinds a user picks from (custom fields come only from JSON). */
export const FIELD_KINDS: FieldKind[] = ['text', 'textarea', 'number', 'integer', 'boolean', 'date', 'date-time', 'enum', 'phone', 'email', 'section'];

export const ROLES = ['agent', 'supervisor', 'admin'] as const;

export type RuleValue = string | number | boolean;

/** "when <field> equals <value>": the field is a sibling in the same section. */
export interface Condition {
  field: string;
  equals: RuleValue;
}

export interface EnumOption {
  value: string;
  zh: string;
  en: string;
  /** The "not recorded" option of a nullable list: `const: null`. */
  isNull?: boolean;
}

export interface FieldModel {
  uid: string;
  name: string;
  kind: FieldKind;
  titleZh: string;
  titleEn: string;
  required: boolean;
  /** `type: [T, "null"]`: the value may be cleared to null (lookups fill such fields). */
  nullable: boolean;
  options: EnumOption[];
  /** How the options were written: `oneOf` + titles (the default) or a bare `enum`. */
  enumStyle: 'oneOf' | 'enum';
  personal: boolean | string;
  readRoles: string[];
  writeRoles: string[];
  showIf: Condition | null;
  requiredIf: Condition | null;
  /** Keywords kept beside `required` in the required-if's `then` (ajv-errors messages). */
  requiredIfExtra?: Json;
  children: FieldModel[];
  /** Schema keywords the designer does not edit, written back unchanged. */
  extra: Json;
  /** uiSchema of the field except what the designer sets (order, textarea widget, children). */
  ui: Json;
  /** The field's JSON pointer in the version the model was loaded from. */
  origin?: string;
}

export interface FormModel {
  key: string;
  titleZh: string;
  titleEn: string;
  descriptionZh: string;
  descriptionEn: string;
  fields: FieldModel[];
  /** Root schema keywords the designer does not edit. */
  rootExtra: Json;
  /** Root uiSchema `ui:*` entries other than the order. */
  rootUi: Json;
  /** Reminder rules (R32) and examples, kept as they are. */
  rules?: unknown[];
  examples?: unknown[];
  /** Migrations given explicitly (JSON tab); null = derived from renames and removals. */
  migrations: unknown[] | null;
  /** Field pointers of the version the model was loaded from (for drop migrations). */
  baseFields: string[];
}

let uidCounter = 0;
export const newUid = () => `f${++uidCounter}`;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const omit = (o: Json, keys: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
const nonEmpty = (o: Json) => Object.keys(o).length > 0;

export function newField(name: string, kind: FieldKind = 'text'): FieldModel {
  return {
    uid: newUid(),
    name,
    kind,
    titleZh: kind === 'section' ? '新分区' : '新字段',
    titleEn: kind === 'section' ? 'New section' : 'New field',
    required: false,
    nullable: false,
    options: kind === 'enum' ? [{ value: 'a', zh: '选项一', en: 'Option 1' }] : [],
    enumStyle: 'oneOf',
    personal: false,
    readRoles: [],
    writeRoles: [],
    showIf: null,
    requiredIf: null,
    children: [],
    extra: {},
    ui: {},
  };
}

export function emptyForm(key = 'new-form'): FormModel {
  return { key, titleZh: '新表单', titleEn: 'New form', descriptionZh: '', descriptionEn: '', fields: [], rootExtra: {}, rootUi: {}, migrations: null, baseFields: [] };
}

// ---------------------------------------------------------------------------------------------
// compile

function localized(zh: string, en: string): unknown {
  if (zh && en) return { 'zh-CN': zh, en };
  return zh || en || undefined;
}

function compileField(f: FieldModel, path: string): { schema: Json; ui: Json } {
  const en = { ...(isObj(f.extra['x-loopdesk-en']) ? f.extra['x-loopdesk-en'] : {}), ...(f.titleEn ? { title: f.titleEn } : {}) };
  const extra = omit(f.extra, ['x-loopdesk-en']);
  let schema: Json;
  let ui: Json = { ...f.ui };
  switch (f.kind) {
    case 'section': {
      const level = compileLevel(f.children, extra, path);
      schema = { type: 'object', ...(f.titleZh ? { title: f.titleZh } : {}), ...level.schema };
      ui = { ...ui, ...level.ui };
      break;
    }
    case 'custom':
      schema = { ...extra, ...(f.titleZh ? { title: f.titleZh } : {}) };
      break;
    default: {
      const base = kindSchema(f);
      if (f.nullable) base.type = [base.type, 'null'];
      const rest = 'format' in base ? omit(extra, ['format']) : extra;
      schema = { ...base, ...(f.titleZh ? { title: f.titleZh } : {}), ...rest };
      if (f.kind === 'enum') {
        if (f.enumStyle === 'enum') schema.enum = f.options.map((o) => o.value);
        else
          schema.oneOf = f.options.map((o) => ({
            const: o.isNull ? null : o.value,
            title: o.zh || o.value,
            ...(o.en ? { 'x-loopdesk-en': { title: o.en } } : {}),
          }));
      }
      if (f.kind === 'textarea') ui['ui:widget'] = 'textarea';
    }
  }
  if (nonEmpty(en)) schema['x-loopdesk-en'] = en;
  if (f.personal) schema['x-loopdesk-personal'] = f.personal;
  if (f.readRoles.length > 0) schema['x-loopdesk-read'] = [...f.readRoles];
  if (f.writeRoles.length > 0) schema['x-loopdesk-write'] = [...f.writeRoles];
  return { schema, ui };
}

function kindSchema(f: FieldModel): Json {
  switch (f.kind) {
    case 'number':
      return { type: 'number' };
    case 'integer':
      return { type: 'integer' };
    case 'boolean':
      return { type: 'boolean' };
    case 'date':
      return { type: 'string', format: 'date' };
    case 'date-time':
      return { type: 'string', format: 'date-time' };
    case 'phone':
      return { type: 'string', format: 'phone' };
    case 'email':
      return { type: 'string', format: 'email' };
    default:
      return { type: 'string' };
  }
}

const conditionKey = (c: Condition) => `${c.field}\u0000${JSON.stringify(c.equals)}`;

/** The schema keywords and uiSchema of one object level (the form, or a section). */
function compileLevel(fields: FieldModel[], extra: Json, base: string): { schema: Json; ui: Json } {
  const properties: Json = {};
  const required: string[] = [];
  const ui: Json = {};
  const shown = new Map<string, { value: RuleValue; fields: { name: string; schema: Json; required: boolean }[] }[]>();
  const requiredIf = new Map<string, { cond: Condition; fields: string[]; extra: Json }>();

  for (const f of fields) {
    const path = `${base}/${f.name}`;
    const compiled = compileField(f, path);
    if (nonEmpty(compiled.ui)) ui[f.name] = compiled.ui;
    if (f.showIf) {
      const branches = shown.get(f.showIf.field) ?? [];
      let branch = branches.find((b) => b.value === f.showIf?.equals);
      if (!branch) {
        branch = { value: f.showIf.equals, fields: [] };
        branches.push(branch);
      }
      branch.fields.push({ name: f.name, schema: compiled.schema, required: f.required });
      shown.set(f.showIf.field, branches);
      continue;
    }
    properties[f.name] = compiled.schema;
    if (f.required) required.push(f.name);
    if (f.requiredIf) {
      const k = conditionKey(f.requiredIf);
      const group = requiredIf.get(k) ?? { cond: f.requiredIf, fields: [], extra: {} };
      group.fields.push(f.name);
      Object.assign(group.extra, f.requiredIfExtra ?? {});
      requiredIf.set(k, group);
    }
  }

  const schema: Json = { properties };
  if (required.length > 0) schema.required = required;
  const dependencies: Json = { ...(isObj(extra.dependencies) ? extra.dependencies : {}) };
  for (const [trigger, branches] of shown) {
    const values = branches.map((b) => b.value);
    dependencies[trigger] = {
      oneOf: [
        ...branches.map((b) => {
          const req = b.fields.filter((x) => x.required).map((x) => x.name);
          return {
            properties: { [trigger]: { const: b.value }, ...Object.fromEntries(b.fields.map((x) => [x.name, x.schema])) },
            ...(req.length > 0 ? { required: req } : {}),
          };
        }),
        { properties: { [trigger]: values.length === 1 ? { not: { const: values[0] } } : { not: { enum: values } } } },
      ],
    };
  }
  if (nonEmpty(dependencies)) schema.dependencies = dependencies;

  const conditions = [...requiredIf.values()].map((g) => ({
    if: { properties: { [g.cond.field]: { const: g.cond.equals } }, required: [g.cond.field] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keywords, not a thenable
    then: { required: g.fields, ...g.extra },
  }));
  const keptAllOf = Array.isArray(extra.allOf) ? extra.allOf : [];
  if (conditions.length === 1 && !('if' in extra) && keptAllOf.length === 0) Object.assign(schema, conditions[0]);
  else if (conditions.length > 0 || keptAllOf.length > 0) schema.allOf = [...conditions, ...keptAllOf];

  ui['ui:order'] = [...fields.map((f) => f.name), '*'];
  return { schema: { ...omit(extra, ['dependencies', 'allOf']), ...schema }, ui };
}

/** The form definition the server stores (POST /api/forms). */
export function compileForm(model: FormModel): Json {
  const level = compileLevel(model.fields, model.rootExtra, '');
  const schema = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', ...level.schema };
  const uiSchema = { ...model.rootUi, ...level.ui };
  const migrations = model.migrations ?? deriveMigrations(model);
  const def: Json = { key: model.key, title: localized(model.titleZh, model.titleEn) ?? model.key };
  const description = localized(model.descriptionZh, model.descriptionEn);
  if (description) def.description = description;
  def.schema = schema;
  def.uiSchema = uiSchema;
  if (model.rules && model.rules.length > 0) def.rules = model.rules;
  if (migrations.length > 0) def.migrations = migrations;
  if (model.examples && model.examples.length > 0) def.examples = model.examples;
  return def;
}

// ---------------------------------------------------------------------------------------------
// migrations

const parentOf = (pointer: string) => pointer.slice(0, pointer.lastIndexOf('/'));
const lastOf = (pointer: string) => pointer.slice(pointer.lastIndexOf('/') + 1);

export function walkFields(fields: FieldModel[], visit: (f: FieldModel, path: string, parent: FieldModel | null) => void, base = '', parent: FieldModel | null = null) {
  for (const f of fields) {
    const path = `${base}/${f.name}`;
    visit(f, path, parent);
    if (f.kind === 'section') walkFields(f.children, visit, path, f);
  }
}

export function deriveMigrations(model: FormModel): Json[] {
  const renames: Json[] = [];
  const origins = new Set<string>();
  const current = new Set<string>();
  walkFields(model.fields, (f, path, parent) => {
    current.add(path);
    if (!f.origin) return;
    origins.add(f.origin);
    const moved = parentOf(f.origin) !== (parent ? (parent.origin ?? '\u0000new') : '');
    if (f.origin !== path && (moved || lastOf(f.origin) !== f.name)) renames.push({ op: 'rename', from: f.origin, to: path });
  });
  const drops: Json[] = [];
  const dropped: string[] = [];
  for (const path of model.baseFields) {
    if (origins.has(path) || current.has(path)) continue;
    if (dropped.some((d) => path.startsWith(`${d}/`))) continue;
    drops.push({ op: 'drop', path });
    dropped.push(path);
  }
  // Drops name the old places, so they run before renames move a section away from them.
  return [...drops, ...renames];
}

// ---------------------------------------------------------------------------------------------
// parse

const MANAGED_FIELD_KEYS = ['title', 'x-loopdesk-personal', 'x-loopdesk-read', 'x-loopdesk-write'];

function readOptions(schema: Json): { options: EnumOption[]; style: 'oneOf' | 'enum' } | null {
  if (Array.isArray(schema.oneOf) && schema.oneOf.length > 0) {
    const options: EnumOption[] = [];
    for (const item of schema.oneOf) {
      if (!isObj(item) || (typeof item.const !== 'string' && item.const !== null)) return null;
      if (Object.keys(item).some((k) => !['const', 'title', 'x-loopdesk-en'].includes(k))) return null;
      const en = isObj(item['x-loopdesk-en']) ? item['x-loopdesk-en'] : {};
      if (Object.keys(en).some((k) => k !== 'title')) return null;
      options.push({
        value: item.const ?? '',
        zh: typeof item.title === 'string' ? item.title : '',
        en: typeof en.title === 'string' ? en.title : '',
        ...(item.const === null ? { isNull: true } : {}),
      });
    }
    return { options, style: 'oneOf' };
  }
  if (Array.isArray(schema.enum) && schema.enum.length > 0 && schema.enum.every((v) => typeof v === 'string')) {
    return { options: (schema.enum as string[]).map((v) => ({ value: v, zh: v, en: '' })), style: 'enum' };
  }
  return null;
}

/** `"string"`, or `["string", "null"]` → string + nullable. */
function baseType(schema: Json): { type: unknown; nullable: boolean } {
  const t = schema.type;
  if (Array.isArray(t) && t.length === 2 && t.includes('null')) return { type: t.find((x) => x !== 'null'), nullable: true };
  return { type: t, nullable: false };
}

function kindOf(schema: Json, ui: Json): FieldKind {
  const { type } = baseType(schema);
  if (type === 'object' && isObj(schema.properties)) return 'section';
  if (type === 'string') {
    const format = schema.format;
    if (format === 'date' || format === 'date-time' || format === 'phone' || format === 'email') return format;
    if (readOptions(schema)) return 'enum';
    if (ui['ui:widget'] === 'textarea') return 'textarea';
    if (format === undefined || typeof format === 'string') return 'text';
  }
  if (type === 'number' || type === 'integer' || type === 'boolean') return type;
  return 'custom';
}

function parseField(name: string, schema: Json, ui: Json, required: boolean, path: string, known: Set<string> | null): FieldModel {
  const kind = kindOf(schema, ui);
  const en = isObj(schema['x-loopdesk-en']) ? schema['x-loopdesk-en'] : {};
  const f: FieldModel = {
    uid: newUid(),
    name,
    kind,
    titleZh: typeof schema.title === 'string' ? schema.title : '',
    titleEn: typeof en.title === 'string' ? en.title : '',
    required,
    nullable: kind !== 'custom' && kind !== 'section' && baseType(schema).nullable,
    options: [],
    enumStyle: 'oneOf',
    personal: typeof schema['x-loopdesk-personal'] === 'string' || schema['x-loopdesk-personal'] === true ? (schema['x-loopdesk-personal'] as string | boolean) : false,
    readRoles: Array.isArray(schema['x-loopdesk-read']) ? (schema['x-loopdesk-read'] as string[]) : [],
    writeRoles: Array.isArray(schema['x-loopdesk-write']) ? (schema['x-loopdesk-write'] as string[]) : [],
    showIf: null,
    requiredIf: null,
    children: [],
    extra: {},
    ui: { ...ui },
    origin: known === null || known.has(path) ? path : undefined,
  };
  // A personal `false` is an explicit opt-out (e.g. a phone that need not be masked): keep it.
  const keepPersonalFalse = schema['x-loopdesk-personal'] === false;
  let extra = omit(schema, [...MANAGED_FIELD_KEYS, 'x-loopdesk-en']);
  if (keepPersonalFalse) extra['x-loopdesk-personal'] = false;
  const enRest = omit(en, ['title']);
  if (nonEmpty(enRest)) extra['x-loopdesk-en'] = enRest;

  switch (kind) {
    case 'section': {
      const level = parseLevel(schema, ui, path, known);
      f.children = level.fields;
      extra = { ...omit(extra, ['type', 'properties', 'required', 'dependencies', 'if', 'then', 'allOf']), ...level.extra };
      f.ui = omit(ui, ['ui:order', ...Object.keys(isObj(schema.properties) ? schema.properties : {}), ...level.fields.map((c) => c.name)]);
      break;
    }
    case 'enum': {
      const read = readOptions(schema);
      f.options = read?.options ?? [];
      f.enumStyle = read?.style ?? 'oneOf';
      extra = omit(extra, ['type', 'oneOf', 'enum']);
      break;
    }
    case 'custom':
      break;
    case 'textarea':
      extra = omit(extra, ['type']);
      f.ui = omit(ui, ['ui:widget']);
      break;
    case 'text':
      extra = omit(extra, ['type']);
      break;
    default:
      extra = omit(extra, ['type', 'format']);
  }
  f.extra = extra;
  return f;
}

/** `{ properties: { X: { const: v } }, required: [X] }` → X = v. */
function readCondition(node: unknown): Condition | null {
  if (!isObj(node) || !isObj(node.properties)) return null;
  const names = Object.keys(node.properties);
  if (names.length !== 1 || Object.keys(node).some((k) => !['properties', 'required'].includes(k))) return null;
  const field = names[0];
  const test = node.properties[field];
  if (!isObj(test) || Object.keys(test).length !== 1 || !('const' in test)) return null;
  const value = test.const;
  if (!['string', 'number', 'boolean'].includes(typeof value)) return null;
  return { field, equals: value as RuleValue };
}

function readRequiredIf(node: Json): { cond: Condition; fields: string[]; extra: Json } | null {
  const cond = readCondition(node.if);
  const then = node.then;
  if (!cond || !isObj(then) || !Array.isArray(then.required) || 'else' in node) return null;
  if (Object.keys(node).some((k) => !['if', 'then'].includes(k))) return null;
  if (Object.keys(then).some((k) => ['properties', 'if', 'dependencies', 'oneOf', 'anyOf', 'allOf', 'not'].includes(k))) return null;
  return { cond, fields: then.required as string[], extra: omit(then, ['required']) };
}

/** A show-if dependency: one branch per value that shows fields, and `not` branches. */
function readShowIf(trigger: string, dep: unknown): { value: RuleValue; name: string; schema: Json; required: boolean }[] | null {
  if (!isObj(dep) || Object.keys(dep).length !== 1 || !Array.isArray(dep.oneOf)) return null;
  const shown: { value: RuleValue; name: string; schema: Json; required: boolean }[] = [];
  for (const branch of dep.oneOf) {
    if (!isObj(branch) || !isObj(branch.properties)) return null;
    if (Object.keys(branch).some((k) => !['properties', 'required'].includes(k))) return null;
    const test = branch.properties[trigger];
    if (!isObj(test)) return null;
    const others = Object.entries(branch.properties).filter(([k]) => k !== trigger);
    if ('not' in test) {
      if (others.length > 0) return null;
      continue;
    }
    if (Object.keys(test).length !== 1 || !('const' in test) || !['string', 'number', 'boolean'].includes(typeof test.const)) return null;
    const req = Array.isArray(branch.required) ? (branch.required as string[]) : [];
    for (const [name, schema] of others) {
      if (!isObj(schema)) return null;
      shown.push({ value: test.const as RuleValue, name, schema, required: req.includes(name) });
    }
  }
  return shown.length > 0 ? shown : null;
}

function parseLevel(node: Json, ui: Json, base: string, known: Set<string> | null): { fields: FieldModel[]; extra: Json } {
  const props = isObj(node.properties) ? node.properties : {};
  const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
  const fields: FieldModel[] = [];
  for (const [name, schema] of Object.entries(props)) {
    if (!isObj(schema)) continue;
    fields.push(parseField(name, schema, isObj(ui[name]) ? ui[name] : {}, required.has(name), `${base}/${name}`, known));
  }
  const extra: Json = {};
  const keptDeps: Json = {};
  if (isObj(node.dependencies)) {
    for (const [trigger, dep] of Object.entries(node.dependencies)) {
      const shown = readShowIf(trigger, dep);
      if (!shown || !props[trigger] || shown.some((s) => props[s.name] || fields.some((f) => f.name === s.name))) {
        keptDeps[trigger] = dep;
        continue;
      }
      for (const s of shown) {
        const fieldUi = ui[s.name];
        const f = parseField(s.name, s.schema, isObj(fieldUi) ? fieldUi : {}, s.required, `${base}/${s.name}`, known);
        f.showIf = { field: trigger, equals: s.value };
        fields.push(f);
      }
    }
  }
  if (nonEmpty(keptDeps)) extra.dependencies = keptDeps;

  const applyRequiredIf = (rule: ReturnType<typeof readRequiredIf>): boolean => {
    if (!rule?.fields.every((name) => fields.some((f) => f.name === name && !f.showIf && !f.requiredIf))) return false;
    rule.fields.forEach((name, i) => {
      const f = fields.find((x) => x.name === name) as FieldModel;
      f.requiredIf = rule.cond;
      if (i === 0 && nonEmpty(rule.extra)) f.requiredIfExtra = rule.extra;
    });
    return true;
  };
  if ('if' in node) {
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keywords, not a thenable
    if (!applyRequiredIf(readRequiredIf({ if: node.if, then: node.then, ...('else' in node ? { else: node.else } : {}) }))) {
      for (const k of ['if', 'then', 'else']) if (k in node) extra[k] = node[k];
    }
  }
  if (Array.isArray(node.allOf)) {
    const kept = node.allOf.filter((item) => !(isObj(item) && applyRequiredIf(readRequiredIf(item))));
    if (kept.length > 0) extra.allOf = kept;
  }
  for (const [k, v] of Object.entries(node)) {
    if (!['type', 'properties', 'required', 'dependencies', 'if', 'then', 'else', 'allOf', '$schema'].includes(k)) extra[k] = v;
  }

  // Order on screen: ui:order, then the rest as declared.
  const order = Array.isArray(ui['ui:order']) ? (ui['ui:order'] as string[]) : [];
  const rank = (name: string) => {
    const i = order.indexOf(name);
    return i >= 0 ? i : order.indexOf('*') >= 0 ? order.indexOf('*') : order.length;
  };
  const sorted = fields.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f.name) - rank(b.f.name) || a.i - b.i);
  return { fields: sorted.map((x) => x.f), extra };
}

/**
 * Reads a stored definition into the model. `basePaths` are the field pointers of the version the
 * edits will be compared with (for migrations); by default the definition's own.
 */
export function parseForm(def: Json, basePaths?: string[]): FormModel {
  const schema = isObj(def.schema) ? def.schema : { type: 'object', properties: {} };
  const ui = isObj(def.uiSchema) ? def.uiSchema : {};
  const known = basePaths ? new Set(basePaths) : null;
  const level = parseLevel(schema, ui, '', known);
  const title = def.title;
  const description = def.description;
  const model: FormModel = {
    key: typeof def.key === 'string' ? def.key : 'new-form',
    titleZh: typeof title === 'string' ? title : isObj(title) ? String(title['zh-CN'] ?? '') : '',
    titleEn: isObj(title) ? String(title.en ?? '') : '',
    descriptionZh: typeof description === 'string' ? description : isObj(description) ? String(description['zh-CN'] ?? '') : '',
    descriptionEn: isObj(description) ? String(description.en ?? '') : '',
    fields: level.fields,
    rootExtra: level.extra,
    rootUi: Object.fromEntries(Object.entries(ui).filter(([k]) => k.startsWith('ui:') && k !== 'ui:order')),
    rules: Array.isArray(def.rules) ? def.rules : undefined,
    examples: Array.isArray(def.examples) ? def.examples : undefined,
    migrations: basePaths ? (Array.isArray(def.migrations) ? def.migrations : null) : null,
    baseFields: [],
  };
  const paths: string[] = [];
  walkFields(model.fields, (_f, path) => paths.push(path));
  model.baseFields = basePaths ?? paths;
  return model;
}

// ---------------------------------------------------------------------------------------------
// editing helpers (pure: each returns a new field list)

export function findField(fields: FieldModel[], uid: string): { field: FieldModel; siblings: FieldModel[]; parent: FieldModel | null; path: string } | null {
  let found: ReturnType<typeof findField> = null;
  const search = (list: FieldModel[], parent: FieldModel | null, base: string) => {
    for (const f of list) {
      if (found) return;
      if (f.uid === uid) found = { field: f, siblings: list, parent, path: `${base}/${f.name}` };
      else if (f.kind === 'section') search(f.children, f, `${base}/${f.name}`);
    }
  };
  search(fields, null, '');
  return found;
}

function mapLists(fields: FieldModel[], fn: (list: FieldModel[], parent: FieldModel | null) => FieldModel[], parent: FieldModel | null = null): FieldModel[] {
  const mapped = fields.map((f) => (f.kind === 'section' ? { ...f, children: mapLists(f.children, fn, f) } : f));
  return fn(mapped, parent);
}

export function updateField(fields: FieldModel[], uid: string, patch: Partial<FieldModel>): FieldModel[] {
  return mapLists(fields, (list) => list.map((f) => (f.uid === uid ? { ...f, ...patch } : f)));
}

export function removeField(fields: FieldModel[], uid: string): FieldModel[] {
  const target = findField(fields, uid);
  const name = target?.field.name;
  return mapLists(fields, (list) => {
    if (!list.some((f) => f.uid === uid)) return list;
    // Rules of siblings that named the removed field go with it.
    return list
      .filter((f) => f.uid !== uid)
      .map((f) => ({
        ...f,
        showIf: f.showIf?.field === name ? null : f.showIf,
        requiredIf: f.requiredIf?.field === name ? null : f.requiredIf,
      }));
  });
}

/** Moves a field one place up or down among its siblings. */
export function moveBy(fields: FieldModel[], uid: string, delta: -1 | 1): FieldModel[] {
  return mapLists(fields, (list) => {
    const i = list.findIndex((f) => f.uid === uid);
    const j = i + delta;
    if (i < 0 || j < 0 || j >= list.length) return list;
    const next = [...list];
    [next[i], next[j]] = [next[j], next[i]];
    return next;
  });
}

/**
 * Moves `uid` before `beforeUid` (same or another list), or to the end of section `intoUid`
 * (null = the form's top level). A section cannot go into itself. A field that changes section
 * loses its rules, and so do the rules of its old siblings that named it (rules name siblings).
 */
export function moveTo(fields: FieldModel[], uid: string, target: { beforeUid?: string; intoUid?: string | null }): FieldModel[] {
  const found = findField(fields, uid);
  if (!found) return fields;
  let destParent: string | null;
  if (target.beforeUid) {
    const before = findField(fields, target.beforeUid);
    if (!before || before.field.uid === uid) return fields;
    destParent = before.parent?.uid ?? null;
  } else destParent = target.intoUid ?? null;
  if (found.field.kind === 'section' && destParent && (destParent === uid || findField(found.field.children, destParent))) return fields;
  const oldParent = found.parent?.uid ?? null;
  const sameParent = oldParent === destParent;
  const name = found.field.name;
  const moving = sameParent ? found.field : { ...found.field, showIf: null, requiredIf: null };
  let next = mapLists(fields, (list) => list.filter((f) => f.uid !== uid));
  if (!sameParent)
    next = mapLists(next, (list, parent) =>
      (parent?.uid ?? null) === oldParent
        ? list.map((f) => ({ ...f, showIf: f.showIf?.field === name ? null : f.showIf, requiredIf: f.requiredIf?.field === name ? null : f.requiredIf }))
        : list,
    );
  if (target.beforeUid) {
    const beforeUid = target.beforeUid;
    return mapLists(next, (list) => {
      const i = list.findIndex((f) => f.uid === beforeUid);
      return i < 0 ? list : [...list.slice(0, i), moving, ...list.slice(i)];
    });
  }
  if (destParent) return mapLists(next, (list) => list.map((f) => (f.uid === destParent ? { ...f, children: [...f.children, moving] } : f)));
  return [...next, moving];
}

/** A name not yet used among `siblings`: field1, field2, … */
export function freeName(siblings: FieldModel[], stem = 'field'): string {
  for (let i = 1; ; i++) if (!siblings.some((f) => f.name === `${stem}${i}`)) return `${stem}${i}`;
}

export const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Problems the designer can see before asking the server: names and rule targets. */
export function localProblems(fields: FieldModel[]): { uid: string; message: string }[] {
  const out: { uid: string; message: string }[] = [];
  const check = (list: FieldModel[]) => {
    const seen = new Set<string>();
    for (const f of list) {
      if (!FIELD_NAME.test(f.name)) out.push({ uid: f.uid, message: `"${f.name}"` });
      if (seen.has(f.name)) out.push({ uid: f.uid, message: `"${f.name}" ×2` });
      seen.add(f.name);
      for (const c of [f.showIf, f.requiredIf]) if (c && !list.some((s) => s.name === c.field && s.uid !== f.uid)) out.push({ uid: f.uid, message: c.field });
      if (f.kind === 'section') check(f.children);
    }
  };
  check(fields);
  return out;
}

/** The field a definition pointer (a 422 `path`) is about, as a data pointer: /schema/properties/a/properties/b/... → /a/b. */
export function fieldPointerOf(definitionPath: string): string | null {
  const tokens = definitionPath.split('/').slice(1);
  if (tokens[0] === 'uiSchema') {
    const names = tokens.slice(1).filter((t) => !t.startsWith('ui:') && !/^\d+$/.test(t));
    return names.length > 0 ? `/${names.join('/')}` : null;
  }
  if (tokens[0] !== 'schema') return null;
  const names: string[] = [];
  for (let i = 1; i < tokens.length - 1; i++) if (tokens[i] === 'properties') names.push(tokens[++i]);
  return names.length > 0 ? `/${names.join('/')}` : null;
}

export function uidAtPointer(fields: FieldModel[], pointer: string): string | null {
  let best: { uid: string; depth: number } | null = null;
  walkFields(fields, (f, path) => {
    if ((path === pointer || pointer.startsWith(`${path}/`)) && (!best || path.length > best.depth)) best = { uid: f.uid, depth: path.length };
  });
  return (best as { uid: string } | null)?.uid ?? null;
}
