import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type FormDefinition,
  type FormVersion,
  maskEmail,
  maskId,
  maskName,
  maskPhone,
  mergeSubmission,
  schemaFor,
  validateSubmission,
  viewFor,
} from '../../../engine/forms/index.ts';

const definition = JSON.parse(
  readFileSync(new URL('./fixtures/intake.form.json', import.meta.url), 'utf8'),
) as FormDefinition;
const intake: FormVersion = { ...definition, version: 1 };

const agent = { roles: ['agent'], permissions: [] };
const supervisor = { roles: ['supervisor'], permissions: ['pii:read'] };

const stored = {
  caseNo: 'FB202405001',
  channel: 'phone',
  customerName: '陈小明',
  phone: '13812345678',
  email: 'chen.xm@example.com',
  type: 'complaint',
  urgency: 'normal',
  description: '空调使用3个月后制冷效果差',
  department: '售后技术部',
  assignee: '王工',
  assignedAt: '2024-05-01T09:00:00+08:00',
  completedAt: '2024-05-02T16:00:00+08:00',
  handlingDuration: 'P1DT7H',
  internalNote: '客户情绪激动，注意安抚',
};

describe('masking helpers', () => {
  it('R39: phone numbers keep the first 3 and last 4 digits', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('+86 13812345678')).toBe('+86 138****5678');
    expect(maskPhone('010-12345678')).toBe('010-****5678');
    expect(maskPhone('1385678')).toBe('*****78');
  });

  it('R39: names keep the surname only: 陈小明 → 陈*; Latin names keep initials', () => {
    expect(maskName('陈小明')).toBe('陈*');
    expect(maskName('欧阳娜娜')).toBe('欧*');
    expect(maskName('John Smith')).toBe('J* S*');
    expect(maskName('陈')).toBe('*');
  });

  it('R39: e-mail addresses and identity numbers are masked too', () => {
    expect(maskEmail('chen.xm@example.com')).toBe('c***@example.com');
    expect(maskId('110101199003071234')).toBe('110***********1234');
    expect(maskId('ABC56')).toBe('***56');
  });
});

describe('viewFor', () => {
  it('R39: contact data is masked for a role without pii:read (138****5678, 陈*)', () => {
    const view = viewFor(intake, stored, agent);
    expect(view.phone).toBe('138****5678');
    expect(view.customerName).toBe('陈*');
    expect(view.email).toBe('c***@example.com');
    expect(view.description).toBe(stored.description);
  });

  it('R39: a role with pii:read sees the real values', () => {
    const view = viewFor(intake, stored, supervisor);
    expect(view.phone).toBe('13812345678');
    expect(view.customerName).toBe('陈小明');
  });

  it('R35: fields a role may not read are not sent at all', () => {
    expect(viewFor(intake, stored, agent)).not.toHaveProperty('internalNote');
    expect(viewFor(intake, stored, supervisor).internalNote).toBe(stored.internalNote);
  });

  it('R0d: properties that are not fields of the version are not sent', () => {
    expect(viewFor(intake, { ...stored, legacySecret: 'x' }, supervisor)).not.toHaveProperty('legacySecret');
  });

  it('R3: personal data inside nested lists is masked too, other values are untouched', () => {
    const withHistory = { ...stored, serviceHistory: [{ date: '2024-01-03', faultType: '不制冷', satisfaction: 4 }] };
    expect(viewFor(intake, withHistory, agent).serviceHistory).toEqual(withHistory.serviceHistory);
  });
});

describe('mergeSubmission', () => {
  it('R39: a masked value sent back unchanged keeps the real value', () => {
    const shown = viewFor(intake, stored, agent);
    const result = mergeSubmission(intake, stored, { ...shown, description: '补充：室外机噪音大' }, agent);
    expect(result.errors).toBeUndefined();
    expect(result.data?.phone).toBe('13812345678');
    expect(result.data?.customerName).toBe('陈小明');
    expect(result.data?.description).toBe('补充：室外机噪音大');
    expect(validateSubmission(intake, result.data, 'zh-CN')).toEqual([]);
  });

  it('R39: a new phone number typed by a role without pii:read replaces the old one', () => {
    const shown = viewFor(intake, stored, agent);
    const result = mergeSubmission(intake, stored, { ...shown, phone: '13900001111' }, agent);
    expect(result.data?.phone).toBe('13900001111');
  });

  it('R35: fields a role may read but not edit are rejected at their path when changed', () => {
    const shown = viewFor(intake, stored, agent);
    const result = mergeSubmission(intake, stored, { ...shown, assignee: '李工', caseNo: 'FB202405999' }, agent, 'en');
    expect(result.errors).toEqual([
      { path: '/caseNo', code: 'LD_FORM_FIELD_READ_ONLY', message: 'your role may not change this field' },
      { path: '/assignee', code: 'LD_FORM_FIELD_READ_ONLY', message: 'your role may not change this field' },
    ]);
    const ok = mergeSubmission(intake, stored, { ...viewFor(intake, stored, supervisor), assignee: '李工' }, supervisor);
    expect(ok.data?.assignee).toBe('李工');
  });

  it('R35: fields a role may not read keep their stored value (the client never saw them)', () => {
    const result = mergeSubmission(intake, stored, viewFor(intake, stored, agent), agent);
    expect(result.data?.internalNote).toBe(stored.internalNote);
    const tampered = mergeSubmission(intake, stored, { ...viewFor(intake, stored, agent), internalNote: '' }, agent);
    expect(tampered.errors?.map((e) => e.path)).toEqual(['/internalNote']);
  });

  it('R9: computed fields are never taken from the client', () => {
    const shown = viewFor(intake, stored, supervisor);
    const result = mergeSubmission(intake, stored, { ...shown, handlingDuration: 'PT1M' }, supervisor);
    expect(result.errors).toBeUndefined();
    expect(result.data?.handlingDuration).toBe('P1DT7H');
    const { caseNo: _, ...newCase } = shown;
    const fresh = mergeSubmission(intake, undefined, { ...newCase, handlingDuration: 'PT1M' }, supervisor);
    expect(fresh.errors).toBeUndefined();
    expect(fresh.data).not.toHaveProperty('handlingDuration');
  });

  it('R35: a writable field left out of the submission is cleared; unknown properties are ignored', () => {
    const { email: _, ...shown } = viewFor(intake, stored, agent);
    const result = mergeSubmission(intake, stored, { ...shown, hack: true }, agent);
    expect(result.data).not.toHaveProperty('email');
    expect(result.data).not.toHaveProperty('hack');
  });

  it('R35: hostile property names neither throw nor reach prototypes', () => {
    const submitted = JSON.parse('{"__proto__": {"polluted": true}, "toString": [], "description": "x"}');
    const result = mergeSubmission(intake, { ...stored }, submitted, agent);
    expect(result.data?.description).toBe('x');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(result.data)).toBe(Object.prototype);
    expect(viewFor(intake, submitted, agent)).toEqual({ description: 'x' });
  });

  it('R0a: a new case from an agent merges into empty stored data', () => {
    const submitted = { channel: 'app', customerName: '陈小明', phone: '13812345678', type: 'fault', urgency: 'low', description: '无法开机' };
    const result = mergeSubmission(intake, undefined, submitted, agent);
    expect(result.data).toEqual(submitted);
  });
});

describe('schemaFor', () => {
  it('R39 R35: the browser schema matches what the server enforces for the viewer', () => {
    const { schema, uiSchema } = schemaFor(intake, agent, 'en');
    const props = schema.properties as Record<string, Record<string, unknown>>;
    expect(props.phone.title).toBe('Phone');
    expect(props.phone['x-loopdesk-masked']).toBe(true);
    expect(props.phone.format).toBeUndefined(); // 138****5678 is not a phone number; the server checks the real one
    expect(props.assignee.readOnly).toBe(true);
    expect(props.description.readOnly).toBeUndefined();
    expect((uiSchema.internalNote as Record<string, unknown>)['ui:widget']).toBe('hidden');
    expect((uiSchema.phone as Record<string, unknown>)['ui:help']).toBe('Internal only, masked on screen');
    // the stored definition is not changed
    expect((definition.schema.properties.phone as Record<string, unknown>).format).toBe('phone');
  });

  it('R0a: for a supervisor with pii:read nothing is masked and zh-CN titles are kept', () => {
    const { schema } = schemaFor(intake, supervisor, 'zh-CN');
    const props = schema.properties as Record<string, Record<string, unknown>>;
    expect(props.phone.format).toBe('phone');
    expect(props.phone.title).toBe('联系方式');
    expect(props.assignee.readOnly).toBeUndefined();
  });
});
