import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  accumulateFieldUsage,
  type FieldUsageStats,
  type FormDefinition,
  fieldUsageDelta,
  rarelyFilledFields,
  type SchemaNode,
} from '../../../engine/forms/index.ts';

const definition = JSON.parse(
  readFileSync(new URL('./fixtures/intake.form.json', import.meta.url), 'utf8'),
) as FormDefinition;
const schema = definition.schema as SchemaNode;

const at = (day: number) => new Date(Date.UTC(2024, 4, day, 1));

describe('field usage statistics', () => {
  it('R38: counts filled and empty fields per record, changes after first entry and the last fill time', () => {
    let stats: FieldUsageStats = {};
    const a1 = { channel: 'phone', customerName: '陈小明', description: '不制冷', serialNo: '' };
    const b1 = { channel: 'app', customerName: '李雷', description: '无法开机', serialNo: 'SN-9' };
    stats = accumulateFieldUsage(schema, undefined, a1, at(1), stats);
    stats = accumulateFieldUsage(schema, undefined, b1, at(2), stats);
    // case A is edited later: the description changes, the serial number gets filled
    const a2 = { ...a1, description: '不制冷，室外机异响', serialNo: 'SN-1' };
    stats = accumulateFieldUsage(schema, a1, a2, at(5), stats);

    expect(stats['/description']).toEqual({
      filledCount: 2,
      emptyCount: 0,
      changedAfterFirstEntry: 1,
      lastFilledAt: at(5).toISOString(),
    });
    expect(stats['/serialNo']).toEqual({ filledCount: 2, emptyCount: 0, changedAfterFirstEntry: 0, lastFilledAt: at(5).toISOString() });
    expect(stats['/channel']).toEqual({ filledCount: 2, emptyCount: 0, changedAfterFirstEntry: 0, lastFilledAt: at(2).toISOString() });
    expect(stats['/internalNote']).toEqual({ filledCount: 0, emptyCount: 2, changedAfterFirstEntry: 0, lastFilledAt: null });
    // conditional fields and lists count as fields; fields inside list items do not
    expect(stats['/otherDescription']).toMatchObject({ emptyCount: 2 });
    expect(stats['/serviceHistory']).toMatchObject({ emptyCount: 2 });
    expect(stats).not.toHaveProperty('/serviceHistory/*/solution');
  });

  it('R38: a record leaving the version (deleted or migrated) is taken out of the counts', () => {
    const a = { description: 'x' };
    let stats = accumulateFieldUsage(schema, undefined, a, at(1));
    stats = accumulateFieldUsage(schema, a, undefined, at(3), stats);
    expect(stats['/description']).toMatchObject({ filledCount: 0, emptyCount: 0, lastFilledAt: at(1).toISOString() });
  });

  it('R38: deltas let a store keep one row per (form, version, field) with increments', () => {
    const deltas = fieldUsageDelta(schema, { description: 'x', phone: '13812345678' }, { description: 'y' }, at(9));
    expect(deltas).toEqual([
      { field: '/phone', filled: -1, empty: 1, changed: 1 },
      { field: '/description', filled: 0, empty: 0, changed: 1, filledAt: at(9).toISOString() },
    ]);
  });

  it('R38: the quarterly review finds rarely filled fields', () => {
    let stats: FieldUsageStats = {};
    for (let i = 0; i < 10; i++) {
      const record = { channel: 'phone', description: `case ${i}`, ...(i === 0 ? { email: 'a@b.cn' } : {}) };
      stats = accumulateFieldUsage(schema, undefined, record, at(1 + i), stats);
    }
    const rare = rarelyFilledFields(stats, 0.1);
    expect(rare.find((f) => f.field === '/email')).toEqual({ field: '/email', fillRate: 0.1 });
    expect(rare.map((f) => f.field)).not.toContain('/channel');
    expect(rare[0].fillRate).toBe(0);
  });
});
