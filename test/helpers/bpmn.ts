/**
 * BPMN the tests deploy. Most suites about one concern (attachments, progress, dispatch, knowledge
 * links, analytics) need a case waiting in one user task for a candidate group; this writes that
 * diagram once.
 */

export interface SingleTaskProcess {
  processId: string;
  taskId: string;
  taskName: string;
  candidateGroups: string;
  /** The form the task shows (`zeebe:formDefinition`), if any. */
  formId?: string;
}

/** start → one user task (offered to `candidateGroups`) → end. */
export function singleTaskProcess({ processId, taskId, taskName, candidateGroups, formId }: SingleTaskProcess): string {
  const form = formId ? `<zeebe:formDefinition formId="${formId}" />` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
  id="${processId}-defs" targetNamespace="http://loopdesk.dev/test">
  <bpmn:process id="${processId}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="${taskId}" name="${taskName}">
      <bpmn:extensionElements>${form}<zeebe:assignmentDefinition candidateGroups="${candidateGroups}" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="${taskId}" />
    <bpmn:sequenceFlow id="f2" sourceRef="${taskId}" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>`;
}
