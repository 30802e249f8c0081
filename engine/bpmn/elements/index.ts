import type { NodeType } from '../model.ts';
import type { Behaviour } from './Behaviour.ts';
import { BoundaryEvent } from './events/BoundaryEvent.ts';
import { EndEvent } from './events/EndEvent.ts';
import { IntermediateCatchEvent } from './events/IntermediateCatchEvent.ts';
import { IntermediateThrowEvent } from './events/IntermediateThrowEvent.ts';
import { StartEvent } from './events/StartEvent.ts';
import { ExclusiveGateway } from './gateways/ExclusiveGateway.ts';
import { InclusiveGateway } from './gateways/InclusiveGateway.ts';
import { ParallelGateway } from './gateways/ParallelGateway.ts';
import { SubProcess } from './subprocess/SubProcess.ts';
import { PassThroughTask } from './tasks/PassThroughTask.ts';
import { ServiceTask } from './tasks/ServiceTask.ts';
import { UserTask } from './tasks/UserTask.ts';

const behaviours: Record<NodeType, Behaviour> = {
  startEvent: StartEvent,
  endEvent: EndEvent,
  intermediateCatchEvent: IntermediateCatchEvent,
  intermediateThrowEvent: IntermediateThrowEvent,
  boundaryEvent: BoundaryEvent,
  userTask: UserTask,
  serviceTask: ServiceTask,
  task: PassThroughTask,
  manualTask: PassThroughTask,
  exclusiveGateway: ExclusiveGateway,
  parallelGateway: ParallelGateway,
  inclusiveGateway: InclusiveGateway,
  subProcess: SubProcess,
};

export function behaviourOf(type: NodeType): Behaviour {
  return behaviours[type];
}
