/**
 * The organisation data dispatch needs beside `users`: departments with their heads (who is told
 * when a task finds nobody), absences (who must not be given work), and one row per agent with the
 * last time the dispatcher gave them a task (round-robin). Same conventions as store/entities.ts:
 * text keys, epoch-ms BIGINT times, 0/1 integers.
 */
import { EntitySchema } from '@mikro-orm/core';
import { str, time } from '../store/columns.ts';

/**
 * A department (售后技术部, 客服中心 …) or a team registered as one with a `parent`, so it has a head.
 * `key` is what users' `departments`/`teams` lists and BPMN candidate groups name.
 */
export const Department = new EntitySchema({
  name: 'Department',
  tableName: 'departments',
  properties: {
    key: { ...str(200), primary: true },
    name: str(200),
    head: str(100, true),
    parent: str(200, true),
    updatedAt: time(),
    updatedBy: str(100),
  },
});

/** A period [fromAt, untilAt) in which a user takes no new work (leave, training, sick). */
export const Absence = new EntitySchema({
  name: 'Absence',
  tableName: 'absences',
  properties: {
    id: { ...str(64), primary: true },
    username: str(100),
    fromAt: time(),
    untilAt: time(),
    reason: { type: 'text', columnType: 'text', nullable: false },
    createdAt: time(),
    createdBy: str(100),
  },
  // Index property names are checked by MikroORM at start-up; its typings cannot see them on plain rows.
  ...({ indexes: [{ properties: ['username', 'untilAt'] }] } as object),
});

/** When the dispatcher (or a reassignment) last gave this agent a task: round-robin's memory. */
export const DispatchAgent = new EntitySchema({
  name: 'DispatchAgent',
  tableName: 'dispatch_agents',
  properties: {
    username: { ...str(100), primary: true },
    lastAssignedAt: time(),
    assignedCount: { type: 'integer', columnType: 'integer', nullable: false, default: 0 },
  },
});

export const dispatchEntities = [Department, Absence, DispatchAgent];
