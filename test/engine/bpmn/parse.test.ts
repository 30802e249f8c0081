import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DeployError } from '../../../engine/bpmn/model.ts';
import { DeployErrorCode, parseBpmn } from '../../../engine/bpmn/parse/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const miwgDir = resolve(repoRoot, '../shared/corpus/bpmn-miwg');

const HANDLERS = ['mail.send', 'payment.refund'];

function fixture(name: string): Promise<string> {
  return readFile(join(here, 'fixtures', name), 'utf8');
}

async function deploy(name: string) {
  return parseBpmn(await fixture(name), { serviceHandlers: HANDLERS });
}

async function deployed(name: string) {
  const result = await deploy(name);
  if (!result.ok) throw new Error(`${name} should deploy, got ${JSON.stringify(result.errors, null, 2)}`);
  return result;
}

async function rejected(name: string): Promise<DeployError[]> {
  const result = await deploy(name);
  if (result.ok) throw new Error(`${name} should be rejected, but deployed`);
  return result.errors;
}

function codesById(errors: DeployError[]): Array<[string | null, string]> {
  return errors.map((error) => [error.elementId, error.code]);
}

const BPMN_NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"';

describe('parseBpmn: reading the document', () => {
  it('R0b: deploys a plain start → task → end diagram without isExecutable as its only process', async () => {
    const { processes, warnings } = await deployed('minimal.bpmn');

    expect(warnings).toEqual([]);
    expect(processes).toHaveLength(1);
    const [graph] = processes;
    expect(graph.key).toBe('minimal');
    expect(graph.name).toBe('Minimal');
    expect(graph.startEventId).toBe('Start');
    expect(Object.keys(graph.nodes)).toEqual(['Start', 'Review', 'End']);
    expect(graph.nodes.Review).toEqual({
      id: 'Review',
      name: 'Review feedback',
      type: 'task',
      scopeId: null,
      incoming: ['Flow_1'],
      outgoing: ['Flow_2'],
      boundaryEvents: [],
    });
    expect(graph.nodes.Start.eventKind).toBe('none');
    expect(graph.flows.Flow_2).toEqual({ id: 'Flow_2', sourceRef: 'Review', targetRef: 'End' });
    // The graph is stored beside the XML as JSON: it must survive the round trip unchanged.
    expect(JSON.parse(JSON.stringify(graph))).toEqual(graph);
  });

  it('R0b: rejects XML that is not well-formed with one error giving line and column', async () => {
    const xml = `<bpmn:definitions ${BPMN_NS}>\n  <bpmn:process id="p">\n    <bpmn:startEvent id="s">\n  </bpmn:process>\n</bpmn:definitions>`;
    const result = await parseBpmn(xml, { serviceHandlers: [] });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].elementId).toBeNull();
    expect(result.errors[0].code).toBe(DeployErrorCode.invalidXml);
    expect(result.errors[0].message).toMatch(/line 4, column \d+/);
  });

  it('R0b: refuses a document with DOCTYPE / ENTITY declarations (XML bomb) before parsing it', async () => {
    const bomb = `<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<bpmn:definitions ${BPMN_NS}><bpmn:process id="p" name="&lol3;" /></bpmn:definitions>`;
    const result = await parseBpmn(bomb, { serviceHandlers: [] });

    expect(result).toEqual({
      ok: false,
      errors: [{ elementId: null, code: DeployErrorCode.doctypeNotAllowed, message: expect.stringMatching(/DOCTYPE and ENTITY/) }],
    });
  });

  it('R0b: reports a reference to an id that does not exist, on the element that holds it', async () => {
    const errors = await rejected('unresolved-reference.bpmn');

    expect(codesById(errors)).toEqual([['WaitForParts', DeployErrorCode.unresolvedReference]]);
    expect(errors[0].message).toContain('Message_Missing');
  });

  it('R0b: reports an id used twice', async () => {
    const errors = await rejected('duplicate-ids.bpmn');

    expect(codesById(errors)).toContainEqual(['Review', DeployErrorCode.duplicateId]);
  });

  it('R0b: reports an element that is not BPMN, with its id and position', async () => {
    const errors = await rejected('unknown-element.bpmn');

    expect(codesById(errors)).toEqual([['Approve', DeployErrorCode.unknownElement]]);
    expect(errors[0].message).toMatch(/bpmn:approvalTask.*line 6/);
  });

  it('R0b: never throws, whatever it is given', async () => {
    const inputs: unknown[] = [undefined, null, 42, '', '   ', 'not xml', '<', '<foo/>', '<bpmn:definitions/>', '\u0000'.repeat(10)];
    for (const input of inputs) {
      const result = await parseBpmn(input as string, undefined as unknown as { serviceHandlers: string[] });
      expect(result.ok, `input ${JSON.stringify(input)}`).toBe(false);
      if (!result.ok) for (const error of result.errors) expect(error.message).not.toBe('');
    }
  });
});

describe('parseBpmn: which processes deploy', () => {
  it('R0b: deploys only the executable process of a collaboration and ignores the empty pool', async () => {
    const { processes } = await deployed('collaboration.bpmn');

    expect(processes.map((graph) => graph.key)).toEqual(['service']);
  });

  it('R0b: rejects two processes of which none is executable, saying no executable process', async () => {
    const errors = await rejected('two-processes.bpmn');

    expect(codesById(errors)).toEqual([[null, DeployErrorCode.noExecutableProcess]]);
    expect(errors[0].message).toMatch(/no executable process/i);
    expect(errors[0].message).toContain('intake, callback');
  });
});

describe('parseBpmn: extensions', () => {
  it('R0b: reads a Camunda 8 diagram: forms, assignment, schedule, io mapping, job type, headers, conditions, events', async () => {
    const { processes, warnings } = await deployed('camunda8-refund.bpmn');
    const { nodes, flows } = processes[0];

    expect(warnings).toEqual([]);
    expect(nodes.Review).toMatchObject({
      type: 'userTask',
      formId: 'refund-review',
      assignment: {
        assignee: '=request.owner',
        candidateGroups: ['after-sales', 'support'],
        candidateUsers: '=customer.accountManagers',
      },
      schedule: { dueDate: '=now() + duration("PT24H")', followUpDate: '2026-05-01T09:00:00+08:00' },
      inputs: [{ source: '=request.amount', target: 'amount' }],
      outputs: [{ source: '=decision', target: 'refundDecision' }],
      boundaryEvents: ['Reminder'],
    });
    expect(nodes.Pay).toMatchObject({
      type: 'serviceTask',
      taskType: 'payment.refund',
      retries: 5,
      taskHeaders: { channel: 'bank-transfer', currency: 'CNY' },
      boundaryEvents: ['PaymentFailed'],
    });
    expect(nodes.Call.assignment).toEqual({ candidateGroups: '=customer.region + "-callback"' });
    expect(nodes.Call.formId).toBe('callback-survey'); // older modelers write formKey

    expect(nodes.Decision.defaultFlow).toBe('Flow_Rejected');
    expect(flows.Flow_Approved.condition).toBe('refundDecision = "approved" and amount <= 5000');
    expect(flows.Flow_Rejected.condition).toBeUndefined();

    expect(nodes.Reminder).toMatchObject({
      type: 'boundaryEvent',
      eventKind: 'timer',
      timer: { kind: 'duration', expression: 'PT4H' },
      attachedTo: 'Review',
      cancelActivity: false,
    });
    expect(nodes.PaymentFailed).toMatchObject({ eventKind: 'error', errorCode: 'PAYMENT_FAILED', attachedTo: 'Pay', cancelActivity: true });
    expect(nodes.WaitForBank).toMatchObject({ type: 'intermediateCatchEvent', eventKind: 'message', messageName: 'bank-confirmation' });
    expect(nodes.Rejected).toMatchObject({ type: 'endEvent', eventKind: 'terminate' });

    expect(nodes.Callback).toMatchObject({ type: 'subProcess', scopeId: null, startEventId: 'CallbackStart', boundaryEvents: ['CustomerUnreachable'] });
    expect(nodes.Call.scopeId).toBe('Callback');
    expect(nodes.CallbackFailed).toMatchObject({ scopeId: 'Callback', eventKind: 'error', errorCode: 'CUSTOMER_UNREACHABLE' });
    expect(flows.Flow_C1).toEqual({ id: 'Flow_C1', sourceRef: 'CallbackStart', targetRef: 'Call' });
  });

  it('R1, R7, R11: reads loopdesk case number, calendars, SLA policy, working-time timers and skill dispatch', async () => {
    const { processes, warnings } = await deployed('loopdesk-extensions.bpmn');
    const [graph] = processes;

    expect(warnings).toEqual([]);
    expect(graph.loopdesk).toEqual({ caseNumberFormat: 'FB{yyyyMM}{seq:3}', calendar: 'cn-workdays', slaPolicy: 'feedback-standard' });
    expect(graph.nodes.Repair.loopdesk).toEqual({
      slaPolicy: 'repair-3-working-days',
      calendar: 'cn-workdays',
      dispatch: { strategy: 'skills', skills: ['air-conditioner repair', 'English'], location: '=customer.city' },
    });
    expect(graph.nodes.WaitOneWorkingDay).toMatchObject({
      timer: { kind: 'duration', expression: 'P1D' },
      loopdesk: { workingTime: true, calendar: 'cn-service-hours' },
    });
    expect(graph.nodes.End.loopdesk).toBeUndefined();
  });

  it('R0b: warns about a misspelt extension attribute instead of dropping it silently', async () => {
    const { processes, warnings } = await deployed('misspelt-extension.bpmn');

    expect(processes[0].nodes.Repair.loopdesk).toBeUndefined();
    expect(codesById(warnings)).toEqual([['Repair', DeployErrorCode.unknownAttribute]]);
    expect(warnings[0].message).toContain('polcy');
  });

  it('R0b: deploys a user task with no form, warning when nobody is assigned; a task without outgoing flow ends the path', async () => {
    const { processes, warnings } = await deployed('user-tasks.bpmn');

    expect(processes[0].nodes.Unassigned.formId).toBeUndefined();
    expect(processes[0].nodes.Unassigned.outgoing).toEqual([]);
    expect(codesById(warnings)).toEqual([['Unassigned', DeployErrorCode.userTaskUnassigned]]);
  });
});

describe('parseBpmn: deploy rules', () => {
  it('R0b: rejects each unsupported BPMN element with an error naming its type', async () => {
    const errors = await rejected('unsupported-elements.bpmn');
    const expected: Array<[string, string]> = [
      ['MessageStart', 'bpmn:StartEvent with bpmn:MessageEventDefinition'],
      ['TimerStart', 'bpmn:StartEvent with bpmn:TimerEventDefinition'],
      ['Script', 'bpmn:ScriptTask'],
      ['Send', 'bpmn:SendTask'],
      ['Receive', 'bpmn:ReceiveTask'],
      ['Rules', 'bpmn:BusinessRuleTask'],
      ['Call', 'bpmn:CallActivity'],
      ['EventGateway', 'bpmn:EventBasedGateway'],
      ['Complex', 'bpmn:ComplexGateway'],
      ['Transaction', 'bpmn:Transaction'],
      ['AdHoc', 'bpmn:AdHocSubProcess'],
      ['EventSub', 'event sub-process'],
      ['MultiInstance', 'bpmn:MultiInstanceLoopCharacteristics'],
      ['Loop', 'bpmn:StandardLoopCharacteristics'],
      ['SignalCatch', 'bpmn:SignalEventDefinition'],
      ['ConditionalCatch', 'bpmn:ConditionalEventDefinition'],
      ['LinkCatch', 'bpmn:LinkEventDefinition'],
      ['EscalationThrow', 'bpmn:EscalationEventDefinition'],
      ['MessageThrow', 'bpmn:IntermediateThrowEvent with bpmn:MessageEventDefinition'],
      ['CompensationThrow', 'bpmn:CompensateEventDefinition'],
      ['SignalEnd', 'bpmn:EndEvent with bpmn:SignalEventDefinition'],
      ['EscalationBoundary', 'bpmn:BoundaryEvent with bpmn:EscalationEventDefinition'],
    ];

    expect(errors.map((error) => error.elementId).sort()).toEqual(expected.map(([id]) => id).sort());
    for (const [id, naming] of expected) {
      const error = errors.find((e) => e.elementId === id);
      expect(error?.code, id).toBe(DeployErrorCode.unsupportedElement);
      expect(error?.message, id).toContain(naming);
    }
    expect(errors.find((e) => e.elementId === 'Script')?.message).toMatch(/^bpmn:ScriptTask is not supported; supported: .*bpmn:UserTask/);
  });

  it('R0b: rejects a process without a none start event', async () => {
    const errors = await rejected('no-start-event.bpmn');

    expect(codesById(errors)).toEqual([['noStart', DeployErrorCode.noStartEvent]]);
  });

  it('R0b: rejects a process with two none start events, pointing at the second', async () => {
    const errors = await rejected('two-start-events.bpmn');

    expect(codesById(errors)).toEqual([['StartMail', DeployErrorCode.multipleStartEvents]]);
  });

  it('R0b: rejects a sub-process without its own start event, naming the sub-process', async () => {
    const errors = await rejected('subprocess-without-start.bpmn');

    expect(codesById(errors)).toEqual([['Handle', DeployErrorCode.noStartEvent]]);
    expect(errors[0].message).toContain('Handle case');
  });

  it('R0b: rejects sequence flows without a target or with a target that is not a flow node', async () => {
    const errors = await rejected('flow-missing-target.bpmn');

    expect(codesById(errors)).toEqual([
      ['Flow_2', DeployErrorCode.missingTarget],
      ['Flow_3', DeployErrorCode.missingTarget],
    ]);
  });

  it('R0b: rejects a sequence flow to an unknown id once, naming the id', async () => {
    const errors = await rejected('flow-unknown-target.bpmn');

    expect(codesById(errors)).toEqual([['Flow_2', DeployErrorCode.missingTarget]]);
    expect(errors[0].message).toContain('"Archive"');
  });

  it('R0b: rejects a sequence flow that crosses a sub-process border', async () => {
    const errors = await rejected('flow-crosses-subprocess.bpmn');

    expect(codesById(errors)).toContainEqual(['Flow_Out', DeployErrorCode.flowCrossesScope]);
  });

  it('R0b: rejects a diverging gateway without default or conditions, naming the gateway', async () => {
    const errors = await rejected('gateway-without-conditions.bpmn');

    expect(codesById(errors)).toEqual([['Urgency', DeployErrorCode.gatewayWithoutCondition]]);
    expect(errors[0].message).toContain('"Urgent?" (Urgency)');
    expect(errors[0].message).toContain('Flow_Fast, Flow_Normal');
  });

  it('R0b: rejects a gateway whose default is set but another flow still has no condition', async () => {
    const errors = await rejected('gateway-default-only.bpmn');

    expect(codesById(errors)).toEqual([['Notify', DeployErrorCode.gatewayWithoutCondition]]);
    expect(errors[0].message).toContain('Flow_B has no condition');
  });

  it('R0b: rejects a condition on a flow leaving a task, saying to use a gateway', async () => {
    const errors = await rejected('condition-outside-gateway.bpmn');

    expect(codesById(errors)).toEqual([['Flow_Escalate', DeployErrorCode.conditionOutsideGateway]]);
    expect(errors[0].message).toMatch(/use a gateway/);
  });

  it('R0b: rejects a condition on a flow leaving a parallel gateway, which would ignore it', async () => {
    const errors = await rejected('condition-on-parallel-gateway.bpmn');

    expect(codesById(errors)).toEqual([['Flow_Sms', DeployErrorCode.conditionOutsideGateway]]);
    expect(errors[0].message).toMatch(/exclusive or inclusive gateway/);
  });

  it('R0b: rejects nodes that cannot be reached from the start event', async () => {
    const errors = await rejected('unreachable-node.bpmn');

    expect(codesById(errors)).toEqual([
      ['Orphan', DeployErrorCode.unreachableNode],
      ['Island', DeployErrorCode.unreachableNode],
      ['IslandEnd', DeployErrorCode.unreachableNode],
    ]);
  });

  it('R0b: rejects a condition that is not valid FEEL, quoting it', async () => {
    const errors = await rejected('invalid-feel.bpmn');

    expect(codesById(errors)).toEqual([['Flow_High', DeployErrorCode.invalidFeel]]);
    expect(errors[0].message).toContain('urgency = "high" and score <');
  });

  it('R0b: accepts ISO 8601 durations, dates with offset, cycles and =expressions as timers, and rejects the rest', async () => {
    const errors = await rejected('timers.bpmn');

    expect(codesById(errors)).toEqual([
      ['BadDuration', DeployErrorCode.invalidTimer],
      ['BadDateNoOffset', DeployErrorCode.invalidTimer],
      ['BadDateMonth', DeployErrorCode.invalidTimer],
      ['BadCycle', DeployErrorCode.invalidTimer],
      ['BadCron', DeployErrorCode.invalidTimer],
      ['DurationInDate', DeployErrorCode.invalidTimer],
      ['EmptyTimer', DeployErrorCode.invalidTimer],
      ['BadExpression', DeployErrorCode.invalidFeel],
    ]);
    expect(errors[1].message).toMatch(/no UTC offset/);
  });

  it('R0b: rejects service tasks without a job type or with a handler that is not registered', async () => {
    const errors = await rejected('service-tasks.bpmn');

    expect(codesById(errors)).toEqual([
      ['NoType', DeployErrorCode.missingTaskType],
      ['UnknownType', DeployErrorCode.unknownHandler],
    ]);
    expect(errors[1].message).toContain('"mail.sendd"');
    expect(errors[1].message).toContain('mail.send, payment.refund');
  });

  it('R0b: rejects boundary events on a gateway, on nothing, and error boundaries on a user task', async () => {
    const errors = await rejected('boundary-events.bpmn');

    expect(codesById(errors)).toEqual([
      ['OnGateway', DeployErrorCode.boundaryInvalidHost],
      ['Floating', DeployErrorCode.boundaryNotAttached],
      ['ErrorOnUserTask', DeployErrorCode.errorBoundaryInvalidHost],
    ]);
  });

  it('R0b: rejects message catch events without a message name', async () => {
    const errors = await rejected('message-without-name.bpmn');

    expect(codesById(errors)).toEqual([
      ['WaitForParts', DeployErrorCode.missingMessageName],
      ['WaitForCustomer', DeployErrorCode.missingMessageName],
    ]);
  });

  it('R0b: rejects an error end event that throws no error code', async () => {
    const errors = await rejected('error-end-without-code.bpmn');

    expect(codesById(errors)).toEqual([['Failed', DeployErrorCode.missingErrorCode]]);
  });

  it('R0b: reports every problem of a diagram at once, not only the first', async () => {
    const errors = await rejected('several-problems.bpmn');

    expect(codesById(errors)).toEqual(
      expect.arrayContaining([
        ['Notify', DeployErrorCode.unknownHandler],
        ['Flow_Bad', DeployErrorCode.invalidFeel],
        ['Forgotten', DeployErrorCode.unreachableNode],
      ]),
    );
    expect(errors).toHaveLength(3);
  });
});

describe('parseBpmn: the BPMN MIWG reference diagrams', () => {
  it('R0b: deploys each MIWG reference diagram or rejects it with messages that point at real elements', async () => {
    const files = (await readdir(miwgDir)).filter((file) => file.endsWith('.bpmn')).sort();
    expect(files.length).toBeGreaterThan(0);

    const table: Array<{ file: string; deploys: string; why: string }> = [];
    for (const file of files) {
      const xml = await readFile(join(miwgDir, file), 'utf8');
      const result = await parseBpmn(xml, { serviceHandlers: [] });

      if (result.ok) {
        const nodes = result.processes.map((graph) => `${graph.key}: ${Object.keys(graph.nodes).length} nodes`).join('; ');
        table.push({ file, deploys: 'yes', why: nodes });
        continue;
      }
      for (const error of result.errors) {
        expect(error.message, `${file} ${error.code}`).not.toBe('');
        if (error.elementId !== null) expect(xml, `${file}: ${error.elementId}`).toMatch(idAttribute(error.elementId));
      }
      table.push({ file, deploys: 'no', why: summarise(result.errors) });
    }

    console.log(
      ['| file | deploys | why |', '| --- | --- | --- |', ...table.map((row) => `| ${row.file} | ${row.deploys} | ${row.why} |`)].join('\n'),
    );
  });
});

function idAttribute(id: string): RegExp {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`\\sid\\s*=\\s*["']${escaped}["']`);
}

/** `LD_BPMN_UNSUPPORTED_ELEMENT ×5 (bpmn:SendTask, …); LD_BPMN_NO_START_EVENT ×1` */
function summarise(errors: DeployError[]): string {
  const byCode = new Map<string, Set<string>>();
  for (const error of errors) {
    const details = byCode.get(error.code) ?? new Set<string>();
    const element = /bpmn:\w+(?: with (?:bpmn:)?\w+)?/.exec(error.message)?.[0];
    if (error.code === DeployErrorCode.unsupportedElement && element) details.add(element);
    byCode.set(error.code, details);
  }
  return [...byCode]
    .map(([code, details]) => {
      const count = errors.filter((error) => error.code === code).length;
      return `${code} ×${count}${details.size > 0 ? ` (${[...details].join(', ')})` : ''}`;
    })
    .join('; ');
}
