/**
 * Trying a new version with a few teams before everyone (R34): pilot for named teams until a date,
 * roll out, roll back; what pilot users report; what changed between two versions (R33). Running
 * cases always stay on the version they started with.
 */
import type { ProcessGraph } from '../bpmn/model.ts';
import { LoopdeskError, notFound } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { diffFields, forgetForm } from '../forms/index.ts';
import type { FormDefinition } from '../../schemas/form-definition.schema.ts';
import { audit } from '../store/audit.ts';
import type { Tx } from '../store/db.ts';
import { type EngineContext, type Principal, command } from './context.ts';
import { type DefinitionSummary, definitionId, graphOf, listDefinitions } from './definitions.ts';
import { getForm, saveForm } from './forms.ts';

async function loadDefinition(ctx: EngineContext, key: string, version: number): Promise<DefinitionSummary> {
  const found = (await listDefinitions(ctx, key)).find((d) => d.version === version);
  if (!found) throw notFound('process version', definitionId(key, version));
  return found;
}

async function setStatus(tx: Tx, def: DefinitionSummary, status: string, actor: Principal, now: number, extra: Record<string, unknown>, requestId?: string) {
  await tx.run('UPDATE process_definitions SET status = ?, pilot_teams = ?, pilot_until = ?, published_at = COALESCE(published_at, ?) WHERE id = ?', [
    status,
    extra.pilotTeams ? JSON.stringify(extra.pilotTeams) : null,
    (extra.pilotUntil as number | undefined) ?? null,
    status === 'published' ? now : null,
    def.id,
  ]);
  await audit(tx, now, {
    actor: actor.username,
    action: `process.${status === 'pilot' ? 'pilot' : status === 'published' ? 'rollout' : 'retire'}`,
    entityType: 'process',
    entityId: def.id,
    before: { status: def.status, pilotTeams: def.pilotTeams, pilotUntil: def.pilotUntil },
    after: { status, ...extra },
    requestId,
  });
}

/** Starts a pilot: new cases of members of `teams` start on this version until `until`. */
export async function startPilot(ctx: EngineContext, key: string, version: number, teams: string[], until: number, actor: Principal, requestId?: string) {
  const def = await loadDefinition(ctx, key, version);
  if (def.status === 'retired') throw new LoopdeskError('LD_DEFINITION_RETIRED', 409, `${def.id} is retired`);
  if (def.status === 'published') throw new LoopdeskError('LD_ALREADY_PUBLISHED', 409, `${def.id} is already published for everyone`);
  if (until <= ctx.clock.now()) throw new LoopdeskError('LD_VALIDATION', 400, 'the pilot must end in the future', [{ path: '/body/until', message: 'in the past' }]);
  await command(ctx, (tx, now) => setStatus(tx, def, 'pilot', actor, now, { pilotTeams: teams, pilotUntil: until }, requestId));
  return loadDefinition(ctx, key, version);
}

/** Makes a draft or pilot version the published one for everyone. */
export async function rollOut(ctx: EngineContext, key: string, version: number, actor: Principal, requestId?: string) {
  const def = await loadDefinition(ctx, key, version);
  if (def.status === 'retired') throw new LoopdeskError('LD_DEFINITION_RETIRED', 409, `${def.id} is retired`);
  if (def.status !== 'published') await command(ctx, (tx, now) => setStatus(tx, def, 'published', actor, now, {}, requestId));
  return loadDefinition(ctx, key, version);
}

/** Retires the newest published version, so new cases start on the one before it again. */
export async function rollBack(ctx: EngineContext, key: string, actor: Principal, requestId?: string) {
  const published = (await listDefinitions(ctx, key)).filter((d) => d.status === 'published').sort((a, b) => b.version - a.version);
  if (published.length < 2) throw new LoopdeskError('LD_NOTHING_TO_ROLL_BACK_TO', 409, `process ${key} has no earlier published version`);
  await command(ctx, (tx, now) => setStatus(tx, published[0]!, 'retired', actor, now, {}, requestId));
  return { retired: published[0]!.version, current: published[1]!.version };
}

export interface NodeChange {
  id: string;
  fields: string[];
}

/** Nodes added, removed and changed between two versions (by id; changed = a property differs). */
export async function diffProcess(ctx: EngineContext, key: string, from: number, to: number) {
  const [a, b] = await ctx.db.transaction(
    async (tx) => [await graphOf(ctx, tx, definitionId(key, from)), await graphOf(ctx, tx, definitionId(key, to))] as [ProcessGraph, ProcessGraph],
  );
  const added = Object.keys(b.nodes).filter((id) => !a.nodes[id]);
  const removed = Object.keys(a.nodes).filter((id) => !b.nodes[id]);
  const changed: NodeChange[] = [];
  for (const id of Object.keys(b.nodes)) {
    const before = a.nodes[id] as unknown as Record<string, unknown> | undefined;
    const after = b.nodes[id] as unknown as Record<string, unknown>;
    if (!before) continue;
    const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
    if (fields.length) changed.push({ id, fields });
  }
  const flows = {
    added: Object.keys(b.flows).filter((id) => !a.flows[id]),
    removed: Object.keys(a.flows).filter((id) => !b.flows[id]),
  };
  return { added, removed, changed, flows };
}

export async function addPilotFeedback(
  ctx: EngineContext,
  key: string,
  version: number,
  input: { nodeId?: string; formKey?: string; text: string },
  actor: Principal,
  requestId?: string,
) {
  await loadDefinition(ctx, key, version);
  return command(ctx, async (tx, now) => {
    const row = { id: newId(), processKey: key, version, nodeId: input.nodeId ?? null, formKey: input.formKey ?? null, text: input.text, author: actor.username, createdAt: now };
    await tx.run('INSERT INTO pilot_feedback (id, process_key, version, node_id, form_key, text, author, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
      row.id,
      key,
      version,
      row.nodeId,
      row.formKey,
      row.text,
      row.author,
      now,
    ]);
    await audit(tx, now, { actor: actor.username, action: 'pilot.feedback', entityType: 'process', entityId: definitionId(key, version), after: row, requestId });
    return row;
  });
}

export async function listPilotFeedback(ctx: EngineContext, key: string, version: number) {
  const rows = await ctx.db.all<Record<string, unknown>>('SELECT * FROM pilot_feedback WHERE process_key = ? AND version = ? ORDER BY created_at DESC, id DESC', [
    key,
    version,
  ]);
  return rows.map((r) => ({
    id: r.id as string,
    nodeId: (r.node_id as string | null) ?? null,
    formKey: (r.form_key as string | null) ?? null,
    text: r.text as string,
    author: r.author as string,
    createdAt: Number(r.created_at),
  }));
}

/** Fields added, removed and changed between two form versions. */
export async function diffForm(ctx: EngineContext, key: string, from: number, to: number) {
  const [a, b] = [await getForm(ctx, key, from), await getForm(ctx, key, to)];
  return diffFields(a.definition.schema as never, b.definition.schema as never);
}

/**
 * The quarterly review's "retire field" (R38): a new draft version without the field, with a drop
 * migration so open tasks can move to it; data already stored under old versions stays readable.
 */
export async function retireField(ctx: EngineContext, key: string, version: number, field: string, actor: Principal, requestId?: string) {
  const source = await getForm(ctx, key, version);
  const def = structuredClone(source.definition) as FormDefinition & { uiSchema?: Record<string, unknown> };
  const name = field.replace(/^\//, '');
  const props = (def.schema as { properties?: Record<string, unknown>; required?: string[] }).properties ?? {};
  if (name.includes('/') || !(name in props)) {
    throw new LoopdeskError('LD_VALIDATION', 400, `"${field}" is not a top-level field of ${key} v${version}`, [{ path: '/body/field', message: 'unknown field' }]);
  }
  delete props[name];
  const schema = def.schema as { required?: string[] };
  if (schema.required) schema.required = schema.required.filter((r) => r !== name);
  if (def.uiSchema) {
    delete def.uiSchema[name];
    const order = def.uiSchema['ui:order'];
    if (Array.isArray(order)) def.uiSchema['ui:order'] = order.filter((f) => f !== name);
  }
  def.migrations = [{ op: 'drop', path: `/${name}` }] as FormDefinition['migrations'];
  // Examples that mention the field describe the old version.
  if (Array.isArray(def.examples)) def.examples = def.examples.filter((e) => !JSON.stringify(e).includes(`"${name}"`));
  forgetForm(key);
  return saveForm(ctx, def, actor, { requestId });
}
