import { readFileSync } from 'node:fs';
import { createSchemaUtils, type RJSFSchema } from '@rjsf/utils';
import { customizeValidator } from '@rjsf/validator-ajv8';
import { describe, expect, it } from 'vitest';
import {
  createFormAjv,
  type FormDefinition,
  type FormLang,
  type FormVersion,
  LOOPDESK_KEYWORDS,
  loopdeskFormats,
  PII_READ,
  schemaFor,
  validateSubmission,
} from '../../../engine/forms/index.ts';
import { validatorFor } from '../../../runtime-ui/src/forms/validator.ts';

const definition = JSON.parse(
  readFileSync(new URL('../../engine/forms/fixtures/intake.form.json', import.meta.url), 'utf8'),
) as FormDefinition;
const intake: FormVersion = { ...definition, version: 'browser-validator' };
const supervisor = { roles: ['supervisor'], permissions: [PII_READ] };
const valid = () => structuredClone(definition.examples?.[0].data as Record<string, unknown>);

/** Data sets covering every conditional kind of the intake form, valid and invalid. */
const CASES: Record<string, Record<string, unknown>> = {
  valid: valid(),
  'urgent without safety risk': { ...valid(), urgency: 'high' },
  'urgent, no safety risk': { ...valid(), urgency: 'high', safetyRisk: false },
  'type other without description': { ...valid(), type: 'other' },
  'type other with an empty description': { ...valid(), type: 'other', otherDescription: '' },
  'type other described': { ...valid(), type: 'other', otherDescription: '发票开错了' },
  'unknown type': { ...valid(), type: 'praise' },
  'no channel': { ...valid(), channel: undefined },
  'completed before assigned': { ...valid(), completedAt: '2024-05-01T08:59:00+08:00' },
  'completed after, other zone': { ...valid(), completedAt: '2024-05-01T02:30:00Z' },
  'completed before, other zone': { ...valid(), completedAt: '2024-05-01T09:30:00+09:00' },
  'bad phone': { ...valid(), phone: '138-1234' },
  'masked phone': { ...valid(), phone: '138****5678' },
  'several problems': { ...valid(), channel: 'fax', urgency: 'high', customerName: '', serviceHistory: [{ satisfaction: 9 }] },
};

describe('the browser validator (@rjsf/validator-ajv8 configured like the server)', () => {
  for (const lang of ['zh-CN', 'en'] as FormLang[]) {
    it(`R0a: reports exactly the server's errors — paths and messages — for every conditional kind (${lang})`, () => {
      const { schema } = schemaFor(intake, supervisor, lang);
      const validator = validatorFor(lang);
      for (const [name, data] of Object.entries(CASES)) {
        const json = JSON.parse(JSON.stringify(data));
        const server = validateSubmission(intake, json, lang).map(({ path, message }) => ({ path, message }));
        const browser = validator.validateFormData(json, schema as RJSFSchema);
        const shown = browser.errors.map((e) => ({ path: e.params.path, message: e.message }));
        expect(shown, name).toEqual(server);
      }
    });
  }

  it('R0a: live validation (against the schema @rjsf resolved for the data) reports the same errors', () => {
    for (const lang of ['zh-CN', 'en'] as FormLang[]) {
      const { schema } = schemaFor(intake, supervisor, lang);
      const validator = validatorFor(lang);
      const utils = createSchemaUtils(validator, schema as RJSFSchema);
      for (const [name, data] of Object.entries({ ...CASES, blank: {}, 'blank, urgent other': { urgency: 'high', type: 'other' } })) {
        const json = JSON.parse(JSON.stringify(data));
        const resolved = utils.retrieveSchema(schema as RJSFSchema, json);
        const server = validateSubmission(intake, json, lang).map(({ path, message }) => `${path} ${message}`);
        const live = validator.formErrors(json, resolved).map(({ path, message }) => `${path} ${message}`);
        expect(live.sort(), `${name} (${lang})`).toEqual(server.sort());
      }
    }
  });

  it('R0a: the errors sit in the ErrorSchema at their field, with the field title in the summary line', () => {
    const { schema } = schemaFor(intake, supervisor, 'zh-CN');
    const result = validatorFor('zh-CN').validateFormData({ ...valid(), urgency: 'high' }, schema as RJSFSchema);
    expect(result.errorSchema).toEqual({ safetyRisk: { __errors: ['紧急反馈必须说明是否涉及安全隐患'] } });
    expect(result.errors[0]).toMatchObject({ property: '.safetyRisk', stack: '涉及安全隐患: 紧急反馈必须说明是否涉及安全隐患' });
  });

  it('R0a: @rjsf resolves if/then with it, so an urgent case marks safetyRisk required on screen', () => {
    const { schema } = schemaFor(intake, supervisor, 'en');
    const utils = createSchemaUtils(validatorFor('en'), schema as RJSFSchema);
    expect(utils.retrieveSchema(schema as RJSFSchema, { ...valid(), urgency: 'high' }).required).toContain('safetyRisk');
    expect(utils.retrieveSchema(schema as RJSFSchema, valid()).required).not.toContain('safetyRisk');
  });

  it('R0a: its ajv has the server\'s formats, keywords and options (strictTypes aside)', () => {
    const server = createFormAjv();
    const browser = (validatorFor('en') as unknown as { inner: { ajv: ReturnType<typeof createFormAjv> } }).inner.ajv;
    for (const format of Object.keys(server.formats)) expect(browser.formats[format], format).toBeDefined();
    for (const keyword of [...LOOPDESK_KEYWORDS, 'errorMessage', 'formatExclusiveMinimum', 'formatMaximum'])
      expect(browser.getKeyword(keyword), keyword).toBeTruthy();
    expect(browser.opts).toMatchObject({ strictSchema: true, strictTypes: false, allErrors: true, $data: true });
    expect(browser.opts.multipleOfPrecision).toBeUndefined();
  });

  it('R0a: @rjsf\'s stock configuration (as README.md spells it) disagrees with the server — why validator.ts exists', () => {
    const { schema } = schemaFor(intake, supervisor, 'en');
    const stock = customizeValidator({
      customFormats: loopdeskFormats,
      ajvOptionsOverrides: { $data: true, keywords: [...LOOPDESK_KEYWORDS] },
    });
    const paths = (data: Record<string, unknown>) =>
      stock.validateFormData(data, schema as RJSFSchema).errors.map((e) => e.property);
    // Its nested ajv-formats 2 compares date-times as text, ignoring the zone.
    expect(validateSubmission(intake, CASES['completed after, other zone'], 'en')).toEqual([]);
    expect(paths(CASES['completed after, other zone'])).toEqual(['.completedAt']);
    expect(validateSubmission(intake, CASES['completed before, other zone'], 'en')).toHaveLength(1);
    expect(paths(CASES['completed before, other zone'])).toEqual([]);
    // if/then and oneOf failures land on the whole form, beside the field's own error.
    expect(paths(CASES['urgent without safety risk'])).toEqual(['safetyRisk', '']);
    expect(paths(CASES['type other without description'])).toEqual(['otherDescription', '.type', '']);
  });
});
