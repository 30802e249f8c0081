/**
 * Service-task handlers, registered by name and named in the diagram by `zeebe:taskDefinition
 * type`. A synchronous handler runs inside the step's transaction and may only compute variables or
 * queue outbox rows; anything that talks to the outside world is asynchronous and runs as a job
 * after the step commits, so a slow or failing endpoint never holds a transaction open.
 */
export interface ServiceCall {
  instanceId: string;
  businessKey: string | null;
  nodeId: string;
  /** The task's input mappings, evaluated. */
  inputs: Record<string, unknown>;
  /** Static `zeebe:taskHeaders`. */
  headers: Record<string, string>;
  variables: Record<string, unknown>;
}

export type ServiceResult = Record<string, unknown> | undefined;

export interface SyncServiceHandler {
  name: string;
  mode: 'sync';
  run(call: ServiceCall, outbox: (kind: string, payload: Record<string, unknown>) => void): ServiceResult;
}

export interface AsyncServiceHandler {
  name: string;
  mode: 'async';
  run(call: ServiceCall): Promise<ServiceResult>;
}

export type ServiceHandler = SyncServiceHandler | AsyncServiceHandler;

export class ServiceRegistry {
  private readonly handlers = new Map<string, ServiceHandler>();
  register(handler: ServiceHandler): this {
    this.handlers.set(handler.name, handler);
    return this;
  }
  get(name: string): ServiceHandler | undefined {
    return this.handlers.get(name);
  }
  names(): string[] {
    return [...this.handlers.keys()];
  }
}
