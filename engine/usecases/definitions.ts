/**
 * Deploying and publishing process definitions. Deploying validates the whole diagram first and
 * writes nothing unless every process in it is executable; each deploy of a changed diagram is a
 * new version, and running instances stay on the version they started with (R0d).
 */
import { createHash } from 'node:crypto';
import type { ProcessGraph } from '../bpmn/model.ts';
import { parseBpmn } from '../bpmn/parse/index.ts';
import { LoopdeskError, notFound, unprocessable } from '../core/errors.ts';
import { audit } from '../store/audit.ts';
import type { Tx } from '../store/db.ts';
import { checkCaseNumberFormat } from './caseNumbers.ts';
import { type EngineContext, type Principal, command } from './context.ts';

export type DefinitionStatus = 'draft' | 'pilot' | 'published' | 'retired';

export interface DefinitionSummary {
  id: string;
  key: string;
  version: number;
  status: DefinitionStatus;
  name: string | null;
  deployedAt: number;
  deployedBy: string;
  publishedAt: number | null;
  pilotTeams: string[] | null;
  pilotUntil: number | null;
}

interface DefinitionRowDb {
  id: string;
  key: string;
  version: number;
  status: DefinitionStatus;
  name: string | null;
  checksum: string;
  deployed_at: number;
  deployed_by: string;
  published_at: number | null;
  pilot_teams: string | null;
  pilot_until: number | null;
}

const SUMMARY_COLUMNS = 'id, key, version, status, name, checksum, deployed_at, deployed_by, published_at, pilot_teams, pilot_until';

function toSummary(r: DefinitionRowDb): DefinitionSummary {
  return {
    id: r.id,
    key: r.key,
    version: r.version,
    status: r.status,
    name: r.name,
    deployedAt: r.deployed_at,
    deployedBy: r.deployed_by,
    publishedAt: r.published_at,
    pilotTeams: r.pilot_teams ? JSON.parse(r.pilot_teams) : null,
    pilotUntil: r.pilot_until === null ? null : Number(r.pilot_until),
  };
}

export const definitionId = (key: string, version: number) => `${key}:${version}`;

export interface DeployResult {
  /** False when the latest version of each process already had exactly this XML. */
  created: boolean;
  processes: DefinitionSummary[];
  warnings: { elementId: string | null; message: string; code: string }[];
}

export async function deploy(
  ctx: EngineContext,
  xml: string,
  actor: Principal,
  options: { publish?: boolean; requestId?: string } = {},
): Promise<DeployResult> {
  const parsed = await parseBpmn(xml, { serviceHandlers: ctx.services.names() });
  if (!parsed.ok) throw unprocessable('LD_BPMN_INVALID', 'the diagram cannot be deployed', parsed.errors);
  const formatErrors = parsed.processes.flatMap((g) => {
    const problem = g.loopdesk?.caseNumberFormat ? checkCaseNumberFormat(g.loopdesk.caseNumberFormat) : undefined;
    return problem ? [{ elementId: g.key, message: problem, code: 'LD_BPMN_INVALID_EXTENSION' }] : [];
  });
  if (formatErrors.length) throw unprocessable('LD_BPMN_INVALID', 'the diagram cannot be deployed', formatErrors);
  const checksum = createHash('sha256').update(xml).digest('hex');
  return command(ctx, async (tx, now) => {
    let created = false;
    const processes: DefinitionSummary[] = [];
    for (const graph of parsed.processes) {
      const latest = await tx.get<DefinitionRowDb>(
        `SELECT ${SUMMARY_COLUMNS} FROM process_definitions WHERE key = ? ORDER BY version DESC LIMIT 1`,
        [graph.key],
      );
      if (latest && latest.checksum === checksum) {
        const summary = toSummary(latest);
        if (options.publish && summary.status !== 'published') processes.push(await markPublished(tx, summary, actor, now, options.requestId));
        else processes.push(summary);
        continue;
      }
      created = true;
      const version = (latest?.version ?? 0) + 1;
      const row: DefinitionSummary = {
        id: definitionId(graph.key, version),
        key: graph.key,
        version,
        status: 'draft',
        name: graph.name ?? null,
        deployedAt: now,
        deployedBy: actor.username,
        publishedAt: null,
        pilotTeams: null,
        pilotUntil: null,
      };
      await tx.run(
        `INSERT INTO process_definitions (id, key, version, status, name, xml, graph, checksum, deployed_at, deployed_by, published_at)
         VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, NULL)`,
        [row.id, row.key, row.version, row.name, xml, JSON.stringify(graph), checksum, now, row.deployedBy],
      );
      await audit(tx, now, {
        actor: actor.username,
        action: 'process.deploy',
        entityType: 'process',
        entityId: row.id,
        after: { key: row.key, version, checksum },
        requestId: options.requestId,
      });
      processes.push(options.publish ? await markPublished(tx, row, actor, now, options.requestId) : row);
    }
    return { created, processes, warnings: parsed.warnings };
  });
}

async function markPublished(tx: Tx, def: DefinitionSummary, actor: Principal, now: number, requestId?: string): Promise<DefinitionSummary> {
  await tx.run("UPDATE process_definitions SET status = 'published', published_at = ? WHERE id = ?", [now, def.id]);
  await audit(tx, now, {
    actor: actor.username,
    action: 'process.publish',
    entityType: 'process',
    entityId: def.id,
    before: { status: def.status },
    after: { status: 'published' },
    requestId,
  });
  return { ...def, status: 'published', publishedAt: now };
}

export async function publish(ctx: EngineContext, key: string, version: number, actor: Principal, requestId?: string) {
  return command(ctx, async (tx, now) => {
    const row = await tx.get<DefinitionRowDb>(`SELECT ${SUMMARY_COLUMNS} FROM process_definitions WHERE id = ?`, [definitionId(key, version)]);
    if (!row) throw notFound('process version', definitionId(key, version));
    const def = toSummary(row);
    if (def.status === 'published') return def;
    if (def.status === 'retired') throw new LoopdeskError('LD_DEFINITION_RETIRED', 409, `${def.id} is retired and cannot be published`);
    return markPublished(tx, def, actor, now, requestId);
  });
}

export async function listDefinitions(ctx: EngineContext, key?: string): Promise<DefinitionSummary[]> {
  const rows = key
    ? await ctx.db.all<DefinitionRowDb>(`SELECT ${SUMMARY_COLUMNS} FROM process_definitions WHERE key = ? ORDER BY version`, [key])
    : await ctx.db.all<DefinitionRowDb>(`SELECT ${SUMMARY_COLUMNS} FROM process_definitions ORDER BY key, version`);
  return rows.map(toSummary);
}

export async function getDefinitionXml(ctx: EngineContext, key: string, version: number): Promise<string> {
  const row = await ctx.db.get<{ xml: string }>('SELECT xml FROM process_definitions WHERE id = ?', [definitionId(key, version)]);
  if (!row) throw notFound('process version', definitionId(key, version));
  return row.xml;
}

/**
 * The version a new instance of `key` starts on for this user: a running pilot of one of their
 * teams (R34), else the newest published version.
 */
export async function versionToStart(tx: Tx, key: string, who: Principal, now: number): Promise<DefinitionSummary | undefined> {
  const pilots = await tx.all<DefinitionRowDb>(
    `SELECT ${SUMMARY_COLUMNS} FROM process_definitions WHERE key = ? AND status = 'pilot' AND pilot_until > ? ORDER BY version DESC`,
    [key, now],
  );
  const groups = new Set([...who.teams, ...who.departments]);
  const pilot = pilots.map(toSummary).find((p) => (p.pilotTeams ?? []).some((t) => groups.has(t)));
  return pilot ?? latestPublished(tx, key);
}

/** The newest published version of a process, which new instances start on. */
export async function latestPublished(tx: Tx, key: string): Promise<DefinitionSummary | undefined> {
  const row = await tx.get<DefinitionRowDb>(
    `SELECT ${SUMMARY_COLUMNS} FROM process_definitions WHERE key = ? AND status = 'published' ORDER BY version DESC LIMIT 1`,
    [key],
  );
  return row && toSummary(row);
}

/** Parsed graphs are immutable per version, so each is read from the database once per process. */
export async function graphOf(ctx: EngineContext, tx: Tx, id: string): Promise<ProcessGraph> {
  const cached = ctx.graphs.get(id);
  if (cached) return cached;
  const row = await tx.get<{ graph: string }>('SELECT graph FROM process_definitions WHERE id = ?', [id]);
  if (!row) throw notFound('process version', id);
  const graph = JSON.parse(row.graph) as ProcessGraph;
  ctx.graphs.set(id, graph);
  return graph;
}
