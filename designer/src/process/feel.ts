/**
 * FEEL syntax checks as the diagram changes (@bpmn-io/feel-lint), on every expression the engine
 * evaluates: sequence-flow conditions, input/output mappings and assignment expressions (values
 * that start with `=`, the Camunda 8 convention). The properties panel's FEEL editor marks the
 * same errors inside the field; these put them on the canvas and in the problem list.
 */
import { lintExpression } from '@bpmn-io/feel-lint';
import type { BpmnModeler } from './modeler.ts';
import type { Problem } from './canvasMarks.ts';
import { type ModdleElement, extensionOf } from './extensions.ts';

interface Registered {
  id: string;
  type: string;
  businessObject?: ModdleElement;
}

export function feelProblems(modeler: BpmnModeler, describe: (where: string, message: string) => string): Problem[] {
  const problems: Problem[] = [];
  const check = (elementId: string, where: string, value: unknown) => {
    if (typeof value !== 'string' || !value.trim().startsWith('=')) return;
    const expression = value.trim().slice(1);
    const messages = expression.trim() === '' ? [{ message: 'empty expression' }] : lintExpression(expression);
    for (const m of messages) problems.push({ elementId, message: describe(where, m.message), severity: 'error', source: 'feel', code: 'FEEL' });
  };
  const registry = modeler.get<{ getAll(): Registered[] }>('elementRegistry');
  for (const el of registry.getAll()) {
    const bo = el.businessObject;
    if (!bo || el.type === 'label') continue;
    const condition = bo.get?.('conditionExpression') as ModdleElement | undefined;
    if (condition) check(el.id, 'condition', condition.get('body'));
    const io = extensionOf(bo, 'zeebe:IoMapping');
    for (const p of (io?.get('inputParameters') ?? []) as ModdleElement[]) check(el.id, `input ${p.get('target') ?? ''}`, p.get('source'));
    for (const p of (io?.get('outputParameters') ?? []) as ModdleElement[]) check(el.id, `output ${p.get('target') ?? ''}`, p.get('source'));
    const assignment = extensionOf(bo, 'zeebe:AssignmentDefinition');
    for (const attr of ['assignee', 'candidateGroups', 'candidateUsers']) check(el.id, attr, assignment?.get(attr));
  }
  return problems;
}
