import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  applyComputed,
  applyLookup,
  type FormDefinition,
  type FormVersion,
  lookupRequests,
  lookupsOf,
  reminders,
  validateSubmission,
} from '../../../engine/forms/index.ts';

const definition = JSON.parse(
  readFileSync(new URL('./fixtures/intake.form.json', import.meta.url), 'utf8'),
) as FormDefinition;
const intake: FormVersion = { ...definition, version: 1 };

const urgent = {
  channel: 'app',
  customerName: '陈小明',
  type: 'fault',
  urgency: 'high',
  description: '空调无法开机',
};

describe('reminders', () => {
  it('R32: urgency high reminds "respond within 2 h" without blocking', () => {
    expect(reminders(intake, urgent, 'zh-CN')).toEqual([
      { path: '/urgency', message: '紧急：需2小时内响应', rule: 'urgent-response' },
    ]);
    expect(reminders(intake, urgent, 'en')).toEqual([
      { path: '/urgency', message: 'Urgent: respond within 2 h', rule: 'urgent-response' },
    ]);
    // not an error: the same data with safetyRisk answered is valid and still reminds
    const answered = { ...urgent, safetyRisk: false };
    expect(validateSubmission(intake, answered, 'en')).toEqual([]);
    expect(reminders(intake, answered, 'en').map((r) => r.rule)).toEqual(['urgent-response']);
  });

  it('R5: a safety risk reminds to engage technical support within 1 h', () => {
    expect(reminders(intake, { ...urgent, safetyRisk: true }, 'en').map((r) => r.message)).toEqual([
      'Urgent: respond within 2 h',
      'Safety risk: get technical support engaged within 1 h',
    ]);
  });

  it('R32: no reminder for normal urgency, for missing fields, or for data that is not an object', () => {
    expect(reminders(intake, { ...urgent, urgency: 'normal' }, 'en')).toEqual([]);
    expect(reminders(intake, {}, 'en')).toEqual([]);
    expect(reminders(intake, 'high', 'en')).toEqual([]);
  });
});

describe('lookups', () => {
  const customer = {
    id: 'C20240520001',
    name: '陈小明',
    phone: '13812345678',
    serviceHistory: [{ date: '2024-01-03', faultType: '不制冷', solution: '补充冷媒', satisfaction: 4 }],
  };

  it('R3: the customer lookup is declared on the key field, not coded per form', () => {
    expect(lookupsOf(intake)).toEqual([
      {
        source: 'customers',
        by: '/customerId',
        key: 'id',
        fill: { '/customerName': 'name', '/phone': 'phone', '/serviceHistory': 'serviceHistory' },
      },
    ]);
    expect(lookupRequests(intake, { customerId: 'C20240520001' })).toEqual([
      { source: 'customers', by: '/customerId', key: 'id', value: 'C20240520001' },
    ]);
    expect(lookupRequests(intake, { customerId: '' })).toEqual([]);
  });

  it('R3 R32: a known customer fills name, phone and service history (no re-entry)', () => {
    const data = applyLookup(intake, { ...urgent, customerName: '', customerId: customer.id }, 'customers', customer);
    expect(data).toMatchObject({ customerName: '陈小明', phone: '13812345678', serviceHistory: customer.serviceHistory });
    expect(validateSubmission(intake, { ...data, safetyRisk: false }, 'en')).toEqual([]);
  });

  it('R3: an unknown customer clears what a previous lookup filled', () => {
    const filled = applyLookup(intake, { customerId: customer.id }, 'customers', customer);
    const cleared = applyLookup(intake, { ...filled, customerId: 'C404' }, 'customers', null);
    expect(cleared).toEqual({ customerId: 'C404' });
    expect(applyLookup(intake, filled, 'orders', { id: 'x' })).toEqual(filled);
  });
});

describe('computed fields', () => {
  it('R9: the handling duration is computed from assignment and completion, never typed', () => {
    const data = applyComputed(intake, {
      assignedAt: '2024-05-01T09:00:00+08:00',
      completedAt: '2024-05-02T16:00:00+08:00',
      handlingDuration: 'PT1M',
    });
    expect(data.handlingDuration).toBe('P1DT7H');
    expect(applyComputed(intake, { assignedAt: '2024-05-01T09:00:00+08:00', handlingDuration: 'PT1M' })).not.toHaveProperty(
      'handlingDuration',
    );
  });
});
