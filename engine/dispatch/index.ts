/**
 * Dispatch (R10–R12): routing rules by case type, assignment strategies, the organisation data
 * they read (departments with heads, absences) and manual reassignment. The engine calls
 * `resolveAssignment` when it creates a user task; the HTTP routes call the rest.
 */
export { type Candidate, type Choice, type DispatchRequest, type FallbackCode, STRATEGIES, type StrategyName, URGENCY_WEIGHT, chooseAssignee, isStrategy, urgencyWeight } from './strategies.ts';
export { type AssignmentCode, type AssignmentOutcome, type ResolveInput, recordAssignment, resolveAssignment, toCandidates } from './resolve.ts';
export { type Route, type RoutingRule, type RoutingRules, SHIPPED_ROUTING_RULES, checkRoutingRules, loadRoutingRules, readRoutingRules, routeCase } from './routing.ts';
export { type AbsenceView, type DepartmentView, absentAt, addAbsence, headOf, listAbsences, listDepartments, removeAbsence, saveDepartment } from './org.ts';
export { type Reassignment, reassignTask } from './reassign.ts';
export { dispatchEntities } from './entities.ts';
