/**
 * The `progress_entries` table (R16): the case's log with time and author ("已联系客户", "waiting for
 * parts"). `customer_visible` entries were also queued to the customer (outbox, template milestone).
 * Same conventions as ../store/entities.ts: text ids, epoch-ms BIGINT times, 0/1 integers.
 */
import { EntitySchema } from '@mikro-orm/core';
import { str } from '../store/columns.ts';


export const ProgressEntryRow = new EntitySchema({
  name: 'ProgressEntry',
  tableName: 'progress_entries',
  properties: {
    id: { ...str(64), primary: true },
    instanceId: str(64),
    at: { type: 'bigint', columnType: 'bigint', nullable: false },
    author: str(100),
    text: { type: 'text', columnType: 'text', nullable: false },
    kind: str(20),
    customerVisible: { type: 'integer', columnType: 'integer', nullable: false, default: 0 },
  },
  // Index property names are checked by MikroORM at start-up; its typings cannot see them on plain rows.
  ...({ indexes: [{ properties: ['instanceId', 'at'] }] } as object),
});

export const progressEntities = [ProgressEntryRow];
