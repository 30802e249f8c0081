import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  compiledSchemaCount,
  type FormDefinition,
  type FormVersion,
  forgetForm,
  validateSubmission,
} from '../../../engine/forms/index.ts';

const definition = JSON.parse(
  readFileSync(new URL('./fixtures/intake.form.json', import.meta.url), 'utf8'),
) as FormDefinition;
const intake: FormVersion = { ...definition, version: 1 };

/** A complete, valid intake record (the template's example FB202405001). */
const valid = () => ({ ...(definition.examples?.[0].data as Record<string, unknown>) });

describe('validateSubmission', () => {
  it('R0a: a valid intake record has no errors', () => {
    expect(validateSubmission(intake, valid(), 'zh-CN')).toEqual([]);
  });

  it('R0a: a missing required field is reported at the field, not at its parent', () => {
    const { description: _, ...data } = valid();
    expect(validateSubmission(intake, data, 'en')).toEqual([
      { path: '/description', code: 'LD_FORM_REQUIRED', message: 'must have required property description' },
    ]);
    expect(validateSubmission(intake, data, 'zh-CN')).toEqual([
      { path: '/description', code: 'LD_FORM_REQUIRED', message: '应当有必需属性 description' },
    ]);
  });

  it('R0a: required-if — urgency high makes safetyRisk required (if/then), with the form\'s own message', () => {
    const urgent = { ...valid(), urgency: 'high' };
    expect(validateSubmission(intake, urgent, 'zh-CN')).toEqual([
      { path: '/safetyRisk', code: 'LD_FORM_REQUIRED', message: '紧急反馈必须说明是否涉及安全隐患' },
    ]);
    expect(validateSubmission(intake, urgent, 'en')).toEqual([
      { path: '/safetyRisk', code: 'LD_FORM_REQUIRED', message: 'an urgent case must say whether there is a safety risk' },
    ]);
    expect(validateSubmission(intake, { ...urgent, safetyRisk: false }, 'en')).toEqual([]);
    expect(validateSubmission(intake, { ...valid(), urgency: 'low' }, 'en')).toEqual([]);
  });

  it('R0a: show/hide — type "other" shows otherDescription and requires it (dependencies + oneOf)', () => {
    const other = { ...valid(), type: 'other' };
    expect(validateSubmission(intake, other, 'en')).toEqual([
      { path: '/otherDescription', code: 'LD_FORM_REQUIRED', message: 'must have required property otherDescription' },
    ]);
    expect(validateSubmission(intake, { ...other, otherDescription: '' }, 'en')).toEqual([
      { path: '/otherDescription', code: 'LD_FORM_MIN_LENGTH', message: 'must NOT be shorter than 1 character' },
    ]);
    expect(validateSubmission(intake, { ...other, otherDescription: '发票开错了' }, 'en')).toEqual([]);
  });

  it('R0a R4: enum lists are oneOf + const + title with Chinese labels; an unknown value is one error', () => {
    const type = definition.schema.properties.type as { oneOf: { const: string; title: string }[] };
    expect(type.oneOf.map((o) => [o.const, o.title])).toEqual([
      ['complaint', '投诉'],
      ['inquiry', '咨询'],
      ['suggestion', '建议'],
      ['fault', '问题（故障报修）'],
      ['after-sales', '售后'],
      ['other', '其他'],
    ]);
    expect(validateSubmission(intake, { ...valid(), type: 'praise' }, 'zh-CN')).toEqual([
      { path: '/type', code: 'LD_FORM_ENUM', message: '应当是预设定的枚举值之一' },
    ]);
  });

  it('R1: the channel list holds the eight intake channels', () => {
    const channel = definition.schema.properties.channel as { oneOf: { const: string }[] };
    expect(channel.oneOf.map((o) => o.const)).toEqual([
      'phone', 'online-chat', 'web', 'app', 'email', 'social', 'store', 'third-party',
    ]);
    for (const c of channel.oneOf) expect(validateSubmission(intake, { ...valid(), channel: c.const }, 'en')).toEqual([]);
  });

  it('R0a: cross-field — completion time must be after assignment time ($data + formatExclusiveMinimum)', () => {
    const early = { ...valid(), assignedAt: '2024-05-01T09:00:00+08:00', completedAt: '2024-05-01T08:59:00+08:00' };
    expect(validateSubmission(intake, early, 'zh-CN')).toEqual([
      { path: '/completedAt', code: 'LD_FORM_FORMAT_EXCLUSIVE_MINIMUM', message: '处理完成时间必须晚于分配时间' },
    ]);
    expect(validateSubmission(intake, early, 'en')).toEqual([
      {
        path: '/completedAt',
        code: 'LD_FORM_FORMAT_EXCLUSIVE_MINIMUM',
        message: 'the completion time must be after the assignment time',
      },
    ]);
    // time zones count: 02:00Z is 10:00 in Beijing, after 09:00+08:00
    expect(validateSubmission(intake, { ...early, completedAt: '2024-05-01T02:00:00Z' }, 'en')).toEqual([]);
    // equal is not after
    expect(validateSubmission(intake, { ...early, completedAt: early.assignedAt }, 'en')).toHaveLength(1);
    // without an assignment time there is nothing to compare
    const { assignedAt: _, dueAt: __, ...unassigned } = early as Record<string, unknown>;
    expect(validateSubmission(intake, unassigned, 'en')).toEqual([]);
  });

  it('R39: phone numbers are checked with the phone format and the field\'s own message', () => {
    for (const phone of ['13812345678', '+86 13812345678', '010-12345678', '0755-8765432-801', '400-800-1234', '+4915112345678'])
      expect(validateSubmission(intake, { ...valid(), phone }, 'en'), phone).toEqual([]);
    expect(validateSubmission(intake, { ...valid(), phone: '138****5678' }, 'zh-CN')).toEqual([
      { path: '/phone', code: 'LD_FORM_FORMAT', message: '请输入有效的电话号码，例如 13812345678' },
    ]);
  });

  it('R0a: several problems are all reported, each at its own path', () => {
    const errors = validateSubmission(
      intake,
      { ...valid(), channel: 'fax', urgency: 'high', customerName: '', serviceHistory: [{ satisfaction: 9 }] },
      'en',
    );
    expect(errors.map((e) => e.path).sort()).toEqual(['/channel', '/customerName', '/safetyRisk', '/serviceHistory/0/satisfaction']);
  });

  it('R0a: data that is not an object is one error at the root', () => {
    expect(validateSubmission(intake, [1, 2], 'en')).toEqual([
      { path: '', code: 'LD_FORM_NOT_AN_OBJECT', message: 'form data must be an object' },
    ]);
  });

  it('R0d: the validator is compiled once per form version and language, then cached', () => {
    const form: FormVersion = { ...definition, key: 'cache-probe', version: 7 };
    const before = compiledSchemaCount();
    for (let i = 0; i < 20; i++) validateSubmission(form, valid(), 'zh-CN');
    expect(compiledSchemaCount() - before).toBe(1);
    validateSubmission(form, valid(), 'en');
    validateSubmission({ ...form, version: 8 }, valid(), 'en');
    expect(compiledSchemaCount() - before).toBe(3);
    forgetForm('cache-probe');
    validateSubmission(form, valid(), 'zh-CN');
    expect(compiledSchemaCount() - before).toBe(4);
  });

  it('R0d: each version validates with its own schema', () => {
    const v2: FormVersion = {
      ...definition,
      version: 2,
      schema: { ...definition.schema, required: [...(definition.schema.required as string[]), 'productModel'] },
    };
    const { productModel: _, ...data } = valid();
    expect(validateSubmission(intake, data, 'en')).toEqual([]);
    expect(validateSubmission(v2, data, 'en')).toMatchObject([{ path: '/productModel' }]);
  });
});
