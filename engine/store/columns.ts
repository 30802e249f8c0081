/**
 * Column helpers for the entity schemas of every feature, so all tables follow one convention:
 * text ids, epoch-ms BIGINT times, TEXT JSON, 0/1 integers — the same on SQLite and PostgreSQL.
 */
import { EntitySchema } from '@mikro-orm/core';

export type Props = ConstructorParameters<typeof EntitySchema>[0]['properties'];

export const id = { type: 'string', columnType: 'varchar(64)', primary: true } as const;
export const text = (nullable = false) => ({ type: 'text', columnType: 'text', nullable }) as const;
export const str = (length = 255, nullable = false) => ({ type: 'string', columnType: `varchar(${length})`, nullable }) as const;
export const time = (nullable = false) => ({ type: 'bigint', columnType: 'bigint', nullable }) as const;
export const int = (nullable = false, dflt?: number) =>
  ({ type: 'integer', columnType: 'integer', nullable, ...(dflt === undefined ? {} : { default: dflt }) }) as const;

export interface TableOptions {
  indexes?: { properties: string[]; name?: string }[];
  uniques?: { properties: string[]; name?: string }[];
}

// Entities are plain rows without classes, so index property names are checked at start-up by
// MikroORM's metadata validation rather than by TypeScript.
export function table(name: string, tableName: string, properties: Props, extra: TableOptions = {}) {
  return new EntitySchema({ name, tableName, properties, ...(extra as object) });
}
