import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import ajvErrorsModule from 'ajv-errors';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accumulateFieldUsage,
  applyComputed,
  applyLookup,
  type FormDefinition,
  type FormVersion,
  mergeSubmission,
  migrate,
  PHONE_PATTERN,
  reminders,
  type SchemaNode,
  validateSubmission,
  viewFor,
} from '../../../engine/forms/index.ts';

const definition = JSON.parse(
  readFileSync(new URL('./fixtures/intake.form.json', import.meta.url), 'utf8'),
) as FormDefinition;
const intake: FormVersion = { ...definition, key: 'intake-property', version: 1 };

/** An ajv compiled here, from the libraries alone: what the browser validator would say. */
function freshValidator() {
  type Plugin = (ajv: Ajv) => Ajv;
  const plugin = (m: unknown) => ((m as { default?: unknown }).default ?? m) as Plugin;
  const ajv = new Ajv({ allErrors: true, $data: true, strict: false });
  plugin(addFormatsModule)(ajv);
  plugin(ajvErrorsModule)(ajv);
  ajv.addFormat('phone', PHONE_PATTERN);
  return ajv.compile(structuredClone(definition.schema));
}
const fresh = freshValidator();

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 });
const dateTime = fc
  .date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2025-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

/** Intake records close to real ones: mostly valid, with the conditional fields in play. */
const realisticRecord = fc
  .record({
    caseNo: maybe(fc.constantFrom('FB202405001', 'FB202412345', 'bad')),
    customerId: maybe(fc.constantFrom('C20240520001', '')),
    customerName: fc.oneof(fc.constantFrom('陈小明', '欧阳娜娜', 'John Smith', '某科技有限公司'), fc.string()),
    phone: maybe(fc.oneof(fc.constantFrom('13812345678', '010-12345678', '+86 13912345678'), fc.string())),
    email: maybe(fc.constantFrom('chen.xm@example.com', 'not-an-email')),
    productModel: maybe(fc.string({ maxLength: 20 })),
    channel: fc.constantFrom('phone', 'online-chat', 'web', 'app', 'email', 'social', 'store', 'third-party', 'fax'),
    type: fc.constantFrom('complaint', 'inquiry', 'suggestion', 'fault', 'after-sales', 'other'),
    otherDescription: maybe(fc.string({ maxLength: 30 })),
    urgency: fc.constantFrom('high', 'normal', 'low'),
    safetyRisk: maybe(fc.boolean()),
    description: fc.string({ minLength: 0, maxLength: 40 }),
    department: maybe(fc.constantFrom('售后技术部', '客服中心')),
    assignedAt: maybe(dateTime),
    completedAt: maybe(dateTime),
    internalNote: maybe(fc.string({ maxLength: 20 })),
    serviceHistory: maybe(fc.array(fc.record({ faultType: fc.string(), satisfaction: fc.integer({ min: 0, max: 6 }) }), { maxLength: 3 })),
  })
  .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));

const fieldNames = [...Object.keys(definition.schema.properties), 'otherDescription', 'unknownField'];
const anySubmission = fc.oneof(
  fc.jsonValue(),
  fc.dictionary(fc.constantFrom(...fieldNames), fc.jsonValue()),
  realisticRecord,
  realisticRecord.chain((r) =>
    fc.record({ field: fc.constantFrom(...fieldNames), value: fc.jsonValue() }).map(({ field, value }) => ({ ...r, [field]: value })),
  ),
);

const viewers = fc.constantFrom(
  { roles: ['agent'], permissions: [] },
  { roles: ['supervisor'], permissions: ['pii:read'] },
  { roles: [], permissions: [] },
);

describe('submissions (property tests)', () => {
  it('R0a: random submissions never throw, and the server accepts exactly what a fresh ajv compile accepts', () => {
    fc.assert(
      fc.property(anySubmission, fc.constantFrom('zh-CN' as const, 'en' as const), (data, lang) => {
        const errors = validateSubmission(intake, data, lang);
        const accepted = errors.length === 0;
        expect(accepted).toBe(fresh(data) === true);
        for (const e of errors) {
          expect(e.path === '' || e.path.startsWith('/')).toBe(true);
          expect(e.message.length).toBeGreaterThan(0);
          expect(e.code).toMatch(/^LD_FORM_[A-Z_]+$/);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('R35 R39: views, merges, reminders, statistics, lookups and migrations never throw on random data', () => {
    fc.assert(
      fc.property(anySubmission, anySubmission, viewers, (stored, submitted, viewer) => {
        const view = viewFor(intake, stored, viewer);
        const merged = mergeSubmission(intake, stored, submitted, viewer, 'en');
        expect(merged.data !== undefined || (merged.errors?.length ?? 0) > 0).toBe(true);
        reminders(intake, submitted, 'zh-CN');
        accumulateFieldUsage(intake.schema as SchemaNode, stored, submitted, new Date(0), {});
        applyLookup(intake, submitted, 'customers', { name: 'x', phone: stored });
        applyComputed(intake, submitted);
        migrate(submitted, [
          { op: 'rename', from: '/serialNo', to: '/serial' },
          { op: 'drop', path: '/serviceHistory/*/solution' },
          { op: 'default', path: '/preferredChannel', value: 'unknown' },
        ]);
        JSON.stringify(view);
      }),
      { numRuns: 300 },
    );
  });

  it('R39: sending back exactly what a viewer was shown never changes the stored data', () => {
    let checked = 0;
    fc.assert(
      fc.property(realisticRecord, viewers, (stored, viewer) => {
        fc.pre(validateSubmission(intake, stored, 'en').length === 0);
        checked++;
        const result = mergeSubmission(intake, stored, viewFor(intake, stored, viewer), viewer);
        expect(result.errors).toBeUndefined();
        expect(result.data).toEqual(stored);
      }),
      { numRuns: 200 },
    );
    expect(checked).toBeGreaterThan(50);
  });

  it('R39: a viewer without pii:read gets at most 7 digits of a phone number and one letter per name word', () => {
    fc.assert(
      fc.property(realisticRecord, (stored) => {
        const view = viewFor(intake, stored, { roles: ['agent'], permissions: [] });
        if (typeof view.phone === 'string') {
          const digits = view.phone.replace(/^(\+86|0086)/, '').replace(/\D/g, '');
          expect(digits.length).toBeLessThanOrEqual(7);
        }
        if (typeof view.customerName === 'string' && typeof stored.customerName === 'string') {
          const words = stored.customerName.trim().split(/\s+/).length;
          expect([...view.customerName.replace(/[*\s]/g, '')].length).toBeLessThanOrEqual(words);
        }
      }),
      { numRuns: 300 },
    );
  });
});
