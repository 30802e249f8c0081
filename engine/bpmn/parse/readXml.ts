import type { FromXmlError, FromXmlResult, ModdleWarning } from 'bpmn-moddle';
import type { DeployError } from '../model.ts';
import { createModdle } from './createModdle.ts';
import { DeployErrorCode, deployError } from './errors.ts';
import { type BpmnElement, addressableAncestor, describe, nearestId } from './moddleElement.ts';

export type ReadXmlResult =
  | {
      ok: true;
      definitions: BpmnElement;
      errors: DeployError[];
      warnings: DeployError[];
      /** Elements that had a reference moddle could not resolve (already reported). */
      unresolved: Set<BpmnElement>;
    }
  | { ok: false; errors: DeployError[] };

/**
 * DOCTYPE and ENTITY declarations have no place in BPMN and are how entity-expansion bombs and
 * external-entity reads get in. saxen (under moddle-xml) only decodes the predefined and numeric
 * entities today; refusing declarations up front keeps it safe whatever the XML reader becomes.
 */
const DOCTYPE_PATTERN = /<!\s*(DOCTYPE|ENTITY)\b/i;

/** Reads BPMN XML into a moddle tree, turning moddle's lax-mode warnings into deploy errors. */
export async function readXml(xml: string): Promise<ReadXmlResult> {
  if (typeof xml !== 'string' || xml.trim() === '') {
    return { ok: false, errors: [deployError(null, DeployErrorCode.invalidXml, 'The BPMN document is empty.')] };
  }
  if (DOCTYPE_PATTERN.test(xml)) {
    const message = 'DOCTYPE and ENTITY declarations are not allowed in BPMN documents; remove them and deploy again.';
    return { ok: false, errors: [deployError(null, DeployErrorCode.doctypeNotAllowed, message)] };
  }

  let result: FromXmlResult;
  try {
    result = await createModdle().fromXML(xml);
  } catch (error) {
    return { ok: false, errors: [fatalError(error as FromXmlError)] };
  }
  if (result.rootElement?.$type !== 'bpmn:Definitions') {
    const message = 'The document is not BPMN 2.0: its root element must be bpmn:definitions.';
    return { ok: false, errors: [deployError(null, DeployErrorCode.invalidXml, message)] };
  }

  const errors: DeployError[] = [];
  const warnings: DeployError[] = [];
  const unresolved = new Set<BpmnElement>();
  for (const warning of result.warnings) {
    const mapped = mapWarning(warning, xml);
    if (!mapped) continue;
    (mapped.severity === 'error' ? errors : warnings).push(mapped.problem);
    if (warning.message.startsWith('unresolved reference') && warning.element) {
      unresolved.add(warning.element as BpmnElement);
    }
  }
  return { ok: true, definitions: result.rootElement as BpmnElement, errors, warnings, unresolved };
}

/** When moddle gives up, the first problem is the one to show; later ones are consequences. */
function fatalError(error: FromXmlError): DeployError {
  const source = error.warnings?.find((w) => w.message.startsWith('unparsable content'))?.message ?? error.message;
  const parsed = parseUnparsable(source ?? '');
  const message = parsed
    ? `The XML cannot be read at line ${parsed.line}, column ${parsed.column}: ${parsed.reason}${parsed.near ? ` (near ${parsed.near})` : ''}.`
    : `The XML cannot be read: ${String(error?.message ?? error)}.`;
  return deployError(null, DeployErrorCode.invalidXml, message);
}

type MappedWarning = { severity: 'error' | 'warning'; problem: DeployError };

function mapWarning(warning: ModdleWarning, xml: string): MappedWarning | null {
  const { message } = warning;
  const element = warning.element as BpmnElement | undefined;

  if (message.startsWith('unsupported document encoding')) {
    // The caller hands us a decoded string; the declared byte encoding no longer matters.
    return null;
  }
  if (message.startsWith('unresolved reference')) {
    return { severity: 'error', problem: unresolvedReference(element, warning.property, String(warning.value)) };
  }
  if (message.startsWith('unknown attribute')) {
    const text = `Attribute ${warning.property} on ${element?.$type ?? 'an element'} is not part of its schema and is ignored.`;
    return { severity: 'warning', problem: deployError(nearestId(element), DeployErrorCode.unknownAttribute, text) };
  }
  if (message.startsWith('unparsable content')) {
    return { severity: 'error', problem: unparsableContent(message, xml) };
  }
  return { severity: 'error', problem: deployError(nearestId(element), DeployErrorCode.invalidXml, message) };
}

function unresolvedReference(element: BpmnElement | undefined, property: string | undefined, id: string): DeployError {
  const elementId = nearestId(element);
  const localProperty = (property ?? 'a reference').replace(/^bpmn:/, '');
  if (element?.$type === 'bpmn:SequenceFlow' && (localProperty === 'sourceRef' || localProperty === 'targetRef')) {
    const end = localProperty === 'sourceRef' ? 'source' : 'target';
    const code = end === 'source' ? DeployErrorCode.missingSource : DeployErrorCode.missingTarget;
    return deployError(elementId, code, `Sequence flow ${elementId} points at ${end} "${id}", which does not exist.`);
  }
  const owner = addressableAncestor(element);
  const subject = owner ? `${owner.$type} ${describe(owner)}` : (element?.$type ?? 'An element');
  const where = owner && owner !== element && element ? `${element.$type} ${localProperty}` : localProperty;
  return deployError(elementId, DeployErrorCode.unresolvedReference, `${subject} refers to "${id}" (${where}), but no element has that id.`);
}

interface Unparsable {
  near: string;
  line: number;
  column: number;
  reason: string;
}

/** moddle-xml reports `unparsable content <x> detected\n\tline: 0\n\tcolumn: 12\n\tnested error: …` (0-based). */
function parseUnparsable(message: string): Unparsable | null {
  const match = /unparsable content\s*(.*?)\s*detected\s+line: (\d+)\s+column: (\d+)\s+nested error: (.*)$/s.exec(message);
  if (!match) return null;
  return { near: match[1], line: Number(match[2]) + 1, column: Number(match[3]) + 1, reason: match[4].trim() };
}

function unparsableContent(message: string, xml: string): DeployError {
  const parsed = parseUnparsable(message);
  if (!parsed) return deployError(null, DeployErrorCode.invalidXml, message);
  const where = `line ${parsed.line}, column ${parsed.column}`;

  const duplicate = /^duplicate ID <(.*)>$/.exec(parsed.reason);
  if (duplicate) {
    return deployError(duplicate[1], DeployErrorCode.duplicateId, `Id "${duplicate[1]}" is used by more than one element (second use at ${where}).`);
  }
  const unknown = /^(?:unknown type|unrecognized element|unexpected element) <(.*)>$/.exec(parsed.reason);
  if (unknown) {
    const elementId = idOfTagAt(xml, parsed.line, parsed.column);
    return deployError(elementId, DeployErrorCode.unknownElement, `Element ${parsed.near || `<${unknown[1]}>`} at ${where} is not valid BPMN in this place (${parsed.reason}).`);
  }
  return deployError(null, DeployErrorCode.invalidXml, `The XML cannot be read at ${where}: ${parsed.reason}${parsed.near ? ` (near ${parsed.near})` : ''}.`);
}

/**
 * moddle drops elements it cannot type, so the id of such an element is only in the text:
 * read it from the tag at the reported position, so the designer can highlight the shape.
 */
function idOfTagAt(xml: string, line: number, column: number): string | null {
  const lineBreaks = /\r\n|\r|\n/g;
  let lineStart = 0;
  for (let current = 1; current < line; current++) {
    const lineBreak = lineBreaks.exec(xml);
    if (!lineBreak) return null;
    lineStart = lineBreak.index + lineBreak[0].length;
  }
  const start = lineStart + column - 1;
  const tag = /^<[^>]*>/.exec(xml.slice(start, start + 4096))?.[0] ?? '';
  return /\sid\s*=\s*["']([^"']+)["']/.exec(tag)?.[1] ?? null;
}
