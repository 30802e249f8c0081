/**
 * The tables, declared once as MikroORM entity schemas (no decorators). MikroORM creates and
 * updates them on start (schema.ts); the engine reads and writes them through db.ts.
 * Conventions: ids are text (UUIDs or `key:version`), times are epoch milliseconds in BIGINT
 * columns, JSON is TEXT, booleans are 0/1 integers — the same on SQLite and PostgreSQL.
 */
import { analyticsEntities } from '../analytics/entities.ts';
import { attachmentEntities } from '../attachments/entities.ts';
import { dispatchEntities } from '../dispatch/entities.ts';
import { examEntities } from '../exams/entities.ts';
import { importerEntities } from '../importer/entities.ts';
import { knowledgeEntities } from '../knowledge/entities.ts';
import { notificationEntities } from '../notifications/entities.ts';
import { progressEntities } from '../progress/entities.ts';
import { id, int, str, table, text, time } from './columns.ts';

export const User = table(
  'User',
  'users',
  {
    id,
    username: str(100),
    passwordHash: text(),
    displayName: str(200, true),
    roles: text(),
    teams: text(),
    departments: text(),
    skills: text(),
    permissions: text(),
    location: str(200, true),
    active: int(false, 1),
    failedLogins: int(false, 0),
    lockedUntil: time(true),
    createdAt: time(),
  },
  { uniques: [{ properties: ['username'] }] },
);

export const Session = table(
  'Session',
  'sessions',
  {
    tokenHash: { ...str(64), primary: true },
    userId: str(64),
    createdAt: time(),
    expiresAt: time(),
    revoked: int(false, 0),
  },
  { indexes: [{ properties: ['userId'] }] },
);

/** OIDC sign-ins under way (auth/oidc.ts): state → PKCE verifier and nonce, used once, ten minutes. */
export const OidcLoginState = table('OidcLoginState', 'oidc_logins', {
  state: { ...str(128), primary: true },
  codeVerifier: str(128),
  nonce: str(128),
  createdAt: time(),
});

export const ProcessDefinition = table(
  'ProcessDefinition',
  'process_definitions',
  {
    id: { ...str(300), primary: true },
    key: str(255),
    version: int(),
    status: str(20),
    name: str(500, true),
    xml: text(),
    graph: text(),
    checksum: str(64),
    deployedAt: time(),
    deployedBy: str(100),
    publishedAt: time(true),
    /** Pilot (R34): the teams whose new cases start on this version, and until when. */
    pilotTeams: text(true),
    pilotUntil: time(true),
  },
  { uniques: [{ properties: ['key', 'version'] }], indexes: [{ properties: ['key', 'status'] }] },
);

/** What pilot users report about a version ("too many fields"), shown to the owner beside the diagram (R34). */
export const PilotFeedback = table(
  'PilotFeedback',
  'pilot_feedback',
  {
    id,
    processKey: str(255),
    version: int(),
    nodeId: str(255, true),
    formKey: str(255, true),
    text: text(),
    author: str(100),
    createdAt: time(),
  },
  { indexes: [{ properties: ['processKey', 'version'] }] },
);

export const Instance = table(
  'Instance',
  'instances',
  {
    id,
    processKey: str(255),
    version: int(),
    definitionId: str(300),
    businessKey: str(255, true),
    /** Readable case number (R1), e.g. FB202405001; unique. */
    caseNumber: str(60, true),
    customerId: str(64, true),
    state: str(20),
    variables: text(),
    execution: text(),
    rev: int(false, 0),
    startedAt: time(),
    endedAt: time(true),
    startedBy: str(100),
  },
  {
    indexes: [{ properties: ['businessKey'] }, { properties: ['processKey', 'state'] }, { properties: ['startedAt'] }, { properties: ['customerId'] }],
    uniques: [{ properties: ['caseNumber'] }],
  },
);

export const Task = table(
  'Task',
  'tasks',
  {
    id,
    instanceId: str(64),
    processKey: str(255),
    nodeId: str(255),
    tokenId: int(),
    name: str(500, true),
    formId: str(255, true),
    /** The form version the task was opened with; its data is validated against exactly it. */
    formVersion: int(true),
    state: str(20),
    assignee: str(100, true),
    candidateGroups: text(),
    candidateUsers: text(),
    input: text(true),
    data: text(true),
    createdAt: time(),
    dueAt: time(true),
    followUpAt: time(true),
    claimedAt: time(true),
    completedAt: time(true),
    completedBy: str(100, true),
  },
  {
    indexes: [
      { properties: ['state', 'assignee'] },
      { properties: ['instanceId'] },
      { properties: ['processKey', 'state'] },
    ],
  },
);

/** One row per candidate group or user of a task, so inbox queries use an index. */
export const TaskCandidate = table(
  'TaskCandidate',
  'task_candidates',
  {
    taskId: { ...str(64), primary: true },
    kind: { ...str(10), primary: true },
    name: { ...str(200), primary: true },
  },
  { indexes: [{ properties: ['name', 'kind'] }] },
);

/** Durable timers and asynchronous service-task work. A row is deleted in the transaction that fires it. */
export const Job = table(
  'Job',
  'jobs',
  {
    id,
    instanceId: str(64),
    kind: str(20),
    nodeId: str(255),
    tokenId: int(),
    dueAt: time(),
    payload: text(),
    attempts: int(false, 0),
    lockedBy: str(100, true),
    lockedUntil: time(true),
    lastError: text(true),
  },
  { indexes: [{ properties: ['dueAt'] }, { properties: ['instanceId'] }] },
);

export const MessageSubscription = table(
  'MessageSubscription',
  'message_subscriptions',
  {
    id,
    instanceId: str(64),
    tokenId: int(),
    nodeId: str(255),
    messageName: str(255),
    businessKey: str(255, true),
    createdAt: time(),
  },
  { indexes: [{ properties: ['messageName', 'businessKey'] }, { properties: ['instanceId'] }] },
);

/** One row per visit of a node: loops and reopenings produce one row each. */
export const NodeVisit = table(
  'NodeVisit',
  'node_visits',
  {
    id,
    instanceId: str(64),
    processKey: str(255),
    version: int(),
    nodeId: str(255),
    name: str(500, true),
    type: str(40),
    enteredAt: time(),
    leftAt: time(true),
    durationMs: time(true),
    /** Filled by the SLA calendars (working-hours duration). */
    workingMs: time(true),
    completedBy: str(100, true),
    outcome: str(20, true),
  },
  { indexes: [{ properties: ['instanceId'] }] },
);

export const Incident = table(
  'Incident',
  'incidents',
  {
    id,
    instanceId: str(64),
    nodeId: str(255, true),
    code: str(60),
    message: text(),
    createdAt: time(),
    resolvedAt: time(true),
    resolvedBy: str(100, true),
  },
  { indexes: [{ properties: ['instanceId'] }] },
);

/** Append-only record of every change: who, what, when, before and after. */
export const AuditEntry = table(
  'AuditEntry',
  'audit_log',
  {
    id,
    at: time(),
    actor: str(100),
    action: str(100),
    entityType: str(60),
    entityId: str(300),
    before: text(true),
    after: text(true),
    requestId: str(100, true),
    /** Hash chain per entity: tampering with or deleting a row breaks every later hash (R40). */
    prevHash: str(64, true),
    hash: str(64, true),
    /** Erasure (GDPR): the payloads are nulled, their digests kept so the chain still verifies. */
    beforeDigest: str(64, true),
    afterDigest: str(64, true),
    redactedAt: time(true),
  },
  // No index on `at`: ids are time-ordered (UUIDv7), so ORDER BY id is time order for free.
  { indexes: [{ properties: ['entityType', 'entityId'] }] },
);

/** Versions of form definitions (JSON Schema + uiSchema + rules); publishing freezes a version. */
export const FormDefinitionVersion = table(
  'FormDefinitionVersion',
  'form_definitions',
  {
    id: { ...str(300), primary: true },
    key: str(255),
    version: int(),
    status: str(20),
    title: text(),
    definition: text(),
    checksum: str(64),
    createdAt: time(),
    createdBy: str(100),
    publishedAt: time(true),
  },
  { uniques: [{ properties: ['key', 'version'] }], indexes: [{ properties: ['key', 'status'] }] },
);

/** Every accepted submission with the form version it was validated against (R0d). */
export const Submission = table(
  'Submission',
  'submissions',
  {
    id,
    taskId: str(64, true),
    instanceId: str(64, true),
    formKey: str(255),
    formVersion: int(),
    data: text(),
    submittedBy: str(100),
    submittedAt: time(),
  },
  { indexes: [{ properties: ['instanceId', 'formKey'] }, { properties: ['formKey', 'formVersion'] }] },
);

/** Field usage per form version, maintained with each submission for the quarterly review (R38). */
export const FieldUsage = table('FieldUsage', 'field_usage', {
  formKey: { ...str(255), primary: true },
  formVersion: { ...int(), primary: true },
  field: { ...str(500), primary: true },
  filledCount: int(false, 0),
  emptyCount: int(false, 0),
  changedAfterFirstEntry: int(false, 0),
  lastFilledAt: time(true),
});

/** Case number counters, one row per rendered prefix (e.g. FB202405); incremented in the starting transaction. */
export const NumberSequence = table('NumberSequence', 'number_sequences', {
  key: { ...str(100), primary: true },
  value: int(),
});

/** Customers with their contact data (personal, masked by role) and special needs from sales (R3, R30). */
export const Customer = table(
  'Customer',
  'customers',
  {
    id,
    name: str(200),
    company: str(200, true),
    phone: str(40, true),
    email: str(200, true),
    region: str(40, true),
    highValue: int(false, 0),
    specialNeeds: text(true),
    createdAt: time(),
    updatedAt: time(),
    /** Set when the customer's personal data was erased (GDPR); the row stays for statistics. */
    erasedAt: time(true),
  },
  { indexes: [{ properties: ['phone'] }, { properties: ['name'] }] },
);

/** Business calendars (R7), edited by admins; definitions/calendars seeds them. */
export const CalendarRow = table('CalendarRow', 'calendars', {
  key: { ...str(100), primary: true },
  definition: text(),
  updatedAt: time(),
  updatedBy: str(100),
});

/** SLA policies: conditions on case data → response/resolution targets, warn thresholds, escalations. */
export const SlaPolicyRow = table('SlaPolicyRow', 'sla_policies', {
  key: { ...str(100), primary: true },
  definition: text(),
  updatedAt: time(),
  updatedBy: str(100),
});

/**
 * One live SLA clock of one instance. Elapsed time = accumulated_ms + time counted since
 * segment_start (null while paused or stopped); working clocks count with the calendar.
 */
export const SlaClock = table(
  'SlaClock',
  'sla_clocks',
  {
    id,
    instanceId: str(64),
    clockKey: str(100),
    policyKey: str(100),
    state: str(20),
    targetMs: time(),
    workingTime: int(),
    calendar: str(100, true),
    startedAt: time(),
    segmentStart: time(true),
    accumulatedMs: time(),
    dueAt: time(true),
    warnAt: time(true),
    warnedAt: time(true),
    breachedAt: time(true),
    stoppedAt: time(true),
  },
  { indexes: [{ properties: ['instanceId'] }, { properties: ['state', 'dueAt'] }] },
);

/** Messages for the outside world (notifications) written in the step's transaction, delivered after it. */
export const OutboxEntry = table(
  'OutboxEntry',
  'outbox',
  {
    id,
    instanceId: str(64, true),
    kind: str(60),
    payload: text(),
    state: str(20),
    createdAt: time(),
    deliveredAt: time(true),
  },
  { indexes: [{ properties: ['state', 'createdAt'] }] },
);

export const Meta = table('Meta', 'meta', { key: { ...str(100), primary: true }, value: text() });

export const entities = [
  User,
  Session,
  OidcLoginState,
  ProcessDefinition,
  Instance,
  Task,
  TaskCandidate,
  Job,
  MessageSubscription,
  NodeVisit,
  Incident,
  AuditEntry,
  FormDefinitionVersion,
  Submission,
  FieldUsage,
  PilotFeedback,
  NumberSequence,
  Customer,
  CalendarRow,
  SlaPolicyRow,
  SlaClock,
  OutboxEntry,
  Meta,
  ...notificationEntities,
  ...dispatchEntities,
  ...attachmentEntities,
  ...progressEntities,
  ...knowledgeEntities,
  ...importerEntities,
  ...analyticsEntities,
  ...examEntities,
];
