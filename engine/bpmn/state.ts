/**
 * The persisted state of one running instance and the rows a step writes. An Execution mutates
 * the state in memory and records effects; the store applies both in one transaction.
 */

export type WaitKind = 'task' | 'timer' | 'message' | 'join' | 'service' | 'subprocess' | 'incident';

export interface Token {
  id: number;
  nodeId: string;
  /** 'root' or the id of the sub-process scope the token runs in. */
  scope: string;
  wait?: WaitKind;
  /** The sequence flow the token arrived by (joins count arrivals per incoming flow). */
  via?: string;
  enteredAt: number;
  visitId?: string;
  taskId?: string;
  /** Timer jobs and message subscriptions armed for this token's node and its boundary events. */
  jobIds?: string[];
  subIds?: string[];
}

export interface Scope {
  id: string;
  /** The sub-process node this scope executes. */
  nodeId: string;
  parentScope: string;
  /** The token waiting at the sub-process node in the parent scope. */
  tokenId: number;
}

export interface ExecutionState {
  seq: number;
  tokens: Token[];
  scopes: Scope[];
}

export const emptyState = (): ExecutionState => ({ seq: 0, tokens: [], scopes: [] });

export type VisitOutcome = 'completed' | 'cancelled' | 'terminated' | 'error';

export interface VisitRow {
  id: string;
  nodeId: string;
  name: string | null;
  type: string;
  enteredAt: number;
  leftAt: number | null;
  durationMs: number | null;
  completedBy: string | null;
  outcome: VisitOutcome | null;
}

export interface TaskRow {
  id: string;
  nodeId: string;
  tokenId: number;
  name: string | null;
  formId: string | null;
  assignee: string | null;
  candidateGroups: string[];
  candidateUsers: string[];
  input: Record<string, unknown> | null;
  createdAt: number;
  dueAt: number | null;
  followUpAt: number | null;
}

export interface JobRow {
  id: string;
  kind: 'timer' | 'service';
  nodeId: string;
  tokenId: number;
  dueAt: number;
  payload: Record<string, unknown>;
}

export interface SubscriptionRow {
  id: string;
  tokenId: number;
  nodeId: string;
  messageName: string;
}

export interface IncidentRow {
  id: string;
  nodeId: string | null;
  code: string;
  message: string;
}

export interface OutboxRow {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
}

export interface Effects {
  visitsInserted: VisitRow[];
  visitsClosed: Pick<VisitRow, 'id' | 'nodeId' | 'leftAt' | 'durationMs' | 'completedBy' | 'outcome'>[];
  tasksCreated: TaskRow[];
  tasksClosed: { id: string; state: 'completed' | 'cancelled'; by: string | null; data: unknown }[];
  jobsCreated: JobRow[];
  jobsDeleted: string[];
  subscriptionsCreated: SubscriptionRow[];
  subscriptionsDeleted: string[];
  incidents: IncidentRow[];
  outbox: OutboxRow[];
}

export const noEffects = (): Effects => ({
  visitsInserted: [],
  visitsClosed: [],
  tasksCreated: [],
  tasksClosed: [],
  jobsCreated: [],
  jobsDeleted: [],
  subscriptionsCreated: [],
  subscriptionsDeleted: [],
  incidents: [],
  outbox: [],
});
