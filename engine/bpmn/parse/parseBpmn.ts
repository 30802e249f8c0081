import type { DeployError, ProcessGraph } from '../model.ts';
import { buildGraph } from './buildGraph.ts';
import { DeployErrorCode, dedupe, deployError } from './errors.ts';
import { type BpmnElement, describe } from './moddleElement.ts';
import { readXml } from './readXml.ts';
import { validateGraph } from './validate.ts';

export interface ParseBpmnOptions {
  /** Job types service tasks may name (zeebe:taskDefinition type): the registered handlers. */
  serviceHandlers: string[];
}

export type ParseBpmnResult =
  | { ok: true; processes: ProcessGraph[]; warnings: DeployError[] }
  | { ok: false; errors: DeployError[] };

/**
 * Parses BPMN 2.0 XML (Camunda 8 modeler dialect, with `loopdesk:` extensions) into the
 * executable graphs of its executable processes, or every reason it cannot be deployed.
 *
 * Never throws: bad input of any kind, and bugs in the parser itself, come back as
 * `{ ok: false, errors }`, each error with a stable `code` and the id of the element at fault
 * (null when the problem is the document as a whole).
 */
export async function parseBpmn(xml: string, options: ParseBpmnOptions): Promise<ParseBpmnResult> {
  try {
    return await parseDocument(xml, options);
  } catch (error) {
    const message = `The diagram could not be checked because of an internal error: ${(error as Error)?.message ?? String(error)}`;
    return { ok: false, errors: [deployError(null, DeployErrorCode.internalError, message)] };
  }
}

async function parseDocument(xml: string, options: ParseBpmnOptions): Promise<ParseBpmnResult> {
  const read = await readXml(xml);
  if (!read.ok) return read;

  const errors = [...read.errors];
  const warnings = [...read.warnings];
  const selection = selectProcesses(read.definitions);
  if (!selection.ok) return { ok: false, errors: dedupe([...errors, selection.error]) };

  const context = { serviceHandlers: new Set(options?.serviceHandlers ?? []), unresolved: read.unresolved };
  const processes: ProcessGraph[] = [];
  for (const process of selection.processes) {
    if (!process.id) {
      errors.push(deployError(null, DeployErrorCode.missingId, `Process ${describe(process)} has no id; the id is the key it is deployed under.`));
      continue;
    }
    const draft = buildGraph(process, read.unresolved);
    const checked = validateGraph(draft, context);
    errors.push(...draft.errors, ...checked.errors);
    warnings.push(...draft.warnings, ...checked.warnings);
    processes.push(draft.graph);
  }

  if (errors.length > 0) return { ok: false, errors: dedupe(errors) };
  return { ok: true, processes, warnings: dedupe(warnings) };
}

type Selection = { ok: true; processes: BpmnElement[] } | { ok: false; error: DeployError };

/**
 * The processes to deploy: those marked executable. Diagrams drawn without the flag (most
 * non-Camunda tools) still deploy when they hold exactly one process; empty pools of a
 * collaboration (other participants) do not count.
 */
function selectProcesses(definitions: BpmnElement): Selection {
  const all = (definitions.rootElements ?? []).filter((el) => el.$type === 'bpmn:Process');
  const executable = all.filter((process) => process.isExecutable === true);
  if (executable.length > 0) return { ok: true, processes: executable };

  const withContent = all.filter((process) => (process.flowElements ?? []).length > 0);
  const candidates = withContent.length > 0 ? withContent : all;
  if (candidates.length === 1) return { ok: true, processes: candidates };

  const message =
    all.length === 0
      ? 'No executable process: the document contains no bpmn:process.'
      : `No executable process: the document has ${candidates.length} processes (${candidates.map((p) => p.id ?? '?').join(', ')}) and none is marked isExecutable="true"; mark the ones to deploy.`;
  return { ok: false, error: deployError(null, DeployErrorCode.noExecutableProcess, message) };
}
