import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkFormDefinition,
  type FormDefinition,
  FormDefinitionError,
  parseFormDefinition,
} from '../../../engine/forms/index.ts';

const intake = (): FormDefinition =>
  JSON.parse(readFileSync(new URL('./fixtures/intake.form.json', import.meta.url), 'utf8')) as FormDefinition;

/** The intake definition with one change applied to a copy. */
function changed(edit: (def: Record<string, any>) => void): unknown {
  const def = intake() as Record<string, any>;
  edit(def);
  return def;
}

const paths = (errors: { path: string }[]) => errors.map((e) => e.path);

describe('checkFormDefinition', () => {
  it('R0a: the shipped intake form (schema, uiSchema, rules, examples) is a valid definition', () => {
    expect(checkFormDefinition(intake())).toEqual([]);
    expect(checkFormDefinition(intake(), { lang: 'en' })).toEqual([]);
  });

  it('R0a: a definition that breaks the meta-schema is answered with JSON pointers', () => {
    const errors = checkFormDefinition(
      changed((d) => {
        d.key = 'Feedback Intake';
        delete d.title;
        d.schema.type = 'array';
      }),
      { lang: 'en' },
    );
    expect(paths(errors)).toEqual(expect.arrayContaining(['/key', '/title', '/schema/type']));
    expect(errors.find((e) => e.path === '/title')?.code).toBe('LD_FORM_DEF_REQUIRED');
  });

  it('R0a: a broken JSON Schema is rejected at the pointer of the broken keyword', () => {
    const errors = checkFormDefinition(changed((d) => (d.schema.properties.orderNo.type = 'strng')), { lang: 'en' });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.path.startsWith('/schema/properties/orderNo/type'))).toBe(true);
  });

  it('R0a: strict mode rejects unknown keywords and unknown formats, with their pointers', () => {
    const typo = checkFormDefinition(changed((d) => (d.schema.properties.phone['x-loopdesk-personel'] = true)), { lang: 'en' });
    expect(typo).toEqual([
      {
        path: '/schema/properties/phone/x-loopdesk-personel',
        code: 'LD_FORM_DEF_UNKNOWN_KEYWORD',
        message: 'unknown keyword "x-loopdesk-personel"',
      },
    ]);
    const format = checkFormDefinition(changed((d) => (d.schema.properties.orderNo.format = 'order-number')), { lang: 'en' });
    expect(format).toHaveLength(1);
    expect(format[0].code).toBe('LD_FORM_DEF_SCHEMA_COMPILE');
    expect(format[0].message).toContain('order-number');
  });

  it('R35: x-loopdesk-read / -write must be role lists, x-loopdesk-personal a known kind', () => {
    const errors = checkFormDefinition(
      changed((d) => {
        d.schema.properties.internalNote['x-loopdesk-read'] = 'supervisor';
        d.schema.properties.phone['x-loopdesk-personal'] = 'mobile';
      }),
      { lang: 'en' },
    );
    expect(paths(errors)).toEqual(
      expect.arrayContaining(['/schema/properties/internalNote/x-loopdesk-read', '/schema/properties/phone/x-loopdesk-personal']),
    );
  });

  it('R0a: uiSchema keys must name fields, also nested and in ui:order', () => {
    const errors = checkFormDefinition(
      changed((d) => {
        d.uiSchema.urgncy = { 'ui:widget': 'radio' };
        d.uiSchema.serviceHistory.items.engineer = { 'ui:widget': 'text' };
        d.uiSchema['ui:order'].splice(1, 0, 'priority');
      }),
      { lang: 'en' },
    );
    expect(paths(errors).sort()).toEqual(['/uiSchema/serviceHistory/items/engineer', '/uiSchema/ui:order/1', '/uiSchema/urgncy']);
    expect(errors.every((e) => e.code === 'LD_FORM_DEF_UNKNOWN_FIELD')).toBe(true);
    // fields shown only conditionally (dependencies + oneOf) are fields too
    expect(checkFormDefinition(changed((d) => (d.uiSchema.otherDescription = { 'ui:autofocus': true })))).toEqual([]);
  });

  it('R32: reminder rules must be FEEL that parses and names existing fields', () => {
    const errors = checkFormDefinition(
      changed((d) => {
        d.rules[0].when = 'urgency = "high';
        d.rules[1].when = 'safetyRisks = true';
        d.rules[1].path = '/safety';
      }),
      { lang: 'en' },
    );
    expect(errors.map((e) => [e.path, e.code])).toEqual([
      ['/rules/0/when', 'LD_FORM_DEF_FEEL_SYNTAX'],
      ['/rules/1/when', 'LD_FORM_DEF_FEEL_UNKNOWN_VARIABLE'],
      ['/rules/1/path', 'LD_FORM_DEF_UNKNOWN_FIELD'],
    ]);
    expect(errors[1].message).toContain('safetyRisks');
  });

  it('R3: a lookup may only fill fields that exist', () => {
    const errors = checkFormDefinition(
      changed((d) => (d.schema.properties.customerId['x-loopdesk-lookup'].fill.vipLevel = 'level')),
      { lang: 'en' },
    );
    expect(errors).toMatchObject([{ path: '/schema/properties/customerId/x-loopdesk-lookup/fill/vipLevel', code: 'LD_FORM_DEF_UNKNOWN_FIELD' }]);
  });

  it('R0d: migrations must refer to real fields of this version and of the previous one', () => {
    const previous = intake();
    const next = changed((d) => {
      d.schema.properties.contactChannel = { type: 'string', enum: ['phone', 'email', 'wechat'] };
      d.migrations = [
        { op: 'rename', from: '/serialNo', to: '/serialNumber' },
        { op: 'drop', path: '/orderNo' },
        { op: 'drop', path: '/faxNumber' },
        { op: 'default', path: '/contactChannel', value: 'fax' },
        { op: 'default', path: '/preferredTime', value: 'morning' },
      ];
    });
    const errors = checkFormDefinition(next, { previous, lang: 'en' });
    expect(errors.map((e) => [e.path, e.code])).toEqual([
      ['/migrations/0/from', 'LD_FORM_DEF_MIGRATION_FIELD_STILL_EXISTS'],
      ['/migrations/0/to', 'LD_FORM_DEF_UNKNOWN_FIELD'],
      ['/migrations/1/path', 'LD_FORM_DEF_MIGRATION_FIELD_STILL_EXISTS'],
      ['/migrations/2/path', 'LD_FORM_DEF_MIGRATION_NOT_IN_PREVIOUS'],
      ['/migrations/3/value', 'LD_FORM_DEF_MIGRATION_VALUE'],
      ['/migrations/4/path', 'LD_FORM_DEF_UNKNOWN_FIELD'],
    ]);
  });

  it('R0a: examples declared in the definition must validate as they claim', () => {
    const errors = checkFormDefinition(changed((d) => (d.examples[1].valid = true)), { lang: 'en' });
    expect(errors).toMatchObject([{ path: '/examples/1', code: 'LD_FORM_DEF_EXAMPLE_MISMATCH' }]);
    expect(errors[0].message).toContain('/safetyRisk');
  });

  it('R0a: messages of definition errors come in the admin\'s language', () => {
    const [zh] = checkFormDefinition(changed((d) => (d.uiSchema.urgncy = {})));
    expect(zh.message).toBe('字段 "/urgncy" 在 schema 中不存在');
  });

  it('R0a: parseFormDefinition returns the typed definition or throws with the errors for a 422', () => {
    expect(parseFormDefinition(intake()).key).toBe('feedback-intake');
    try {
      parseFormDefinition(changed((d) => (d.uiSchema.urgncy = {})), { lang: 'en' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FormDefinitionError);
      expect((e as FormDefinitionError).code).toBe('LD_FORM_DEFINITION_INVALID');
      expect((e as FormDefinitionError).errors).toMatchObject([{ path: '/uiSchema/urgncy' }]);
    }
  });
});
