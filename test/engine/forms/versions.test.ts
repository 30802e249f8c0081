import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkFormDefinition,
  diffFields,
  type FormDefinition,
  type FormVersion,
  migrate,
  validateSubmission,
  viewFor,
} from '../../../engine/forms/index.ts';

const load = () =>
  JSON.parse(readFileSync(new URL('./fixtures/intake.form.json', import.meta.url), 'utf8')) as FormDefinition;

const v1: FormVersion = { ...load(), version: 1 };

/**
 * Version 2 after the quarterly review (R38) and the pilot (R34): the duplicated serial number
 * field goes, productModel becomes product, and a new required field "preferred contact channel"
 * (客户渠道偏好) arrives with a default for open cases.
 */
function version2(): FormVersion {
  const def = load();
  const props = { ...(def.schema.properties as Record<string, unknown>) };
  delete props.serialNo;
  props.product = { ...(props.productModel as object), title: '产品' };
  delete props.productModel;
  props.preferredChannel = {
    type: 'string',
    title: '客户渠道偏好',
    'x-loopdesk-en': { title: 'Preferred contact channel' },
    oneOf: [
      { const: 'phone', title: '电话', 'x-loopdesk-en': { title: 'Phone' } },
      { const: 'wechat', title: '微信', 'x-loopdesk-en': { title: 'WeChat' } },
      { const: 'unknown', title: '未说明', 'x-loopdesk-en': { title: 'Not stated' } },
    ],
  };
  const uiSchema = { ...(def.uiSchema as Record<string, unknown>) };
  uiSchema['ui:order'] = (uiSchema['ui:order'] as string[]).filter((f) => f !== 'serialNo' && f !== 'productModel');
  return {
    ...def,
    version: 2,
    uiSchema,
    schema: { ...def.schema, properties: props, required: [...(def.schema.required as string[]), 'preferredChannel'] },
    migrations: [
      { op: 'drop', path: '/serialNo' },
      { op: 'rename', from: '/productModel', to: '/product' },
      { op: 'default', path: '/preferredChannel', value: 'unknown' },
    ],
    examples: [],
  };
}

const oldCase = {
  caseNo: 'FB202405001',
  channel: 'phone',
  customerName: '陈小明',
  phone: '13812345678',
  productModel: 'KFR-35GW',
  serialNo: 'ABC56',
  type: 'complaint',
  urgency: 'normal',
  description: '空调使用3个月后制冷效果差',
};

const supervisor = { roles: ['supervisor'], permissions: ['pii:read'] };

describe('form versions', () => {
  it('R0d: the new version with its migrations is a valid successor of the old one', () => {
    const { version: _, ...def } = version2();
    expect(checkFormDefinition(def, { previous: v1, lang: 'en' })).toEqual([]);
  });

  it('R0d: an old case still renders with its own version after a field was dropped', () => {
    const v2 = version2();
    expect(viewFor(v1, oldCase, supervisor)).toMatchObject({ serialNo: 'ABC56', productModel: 'KFR-35GW' });
    expect(validateSubmission(v1, oldCase, 'en')).toEqual([]);
    // the same data read through the new version would lose the field: that is why each case keeps its version
    expect(viewFor(v2, oldCase, supervisor)).not.toHaveProperty('serialNo');
  });

  it('R0d R33: migrate renames, drops and fills the new required field so an open task can move on', () => {
    const v2 = version2();
    expect(validateSubmission(v2, oldCase, 'en').map((e) => e.path)).toEqual(['/preferredChannel']);
    const moved = migrate(oldCase, v2.migrations);
    expect(moved).toEqual({
      caseNo: 'FB202405001',
      channel: 'phone',
      customerName: '陈小明',
      phone: '13812345678',
      product: 'KFR-35GW',
      type: 'complaint',
      urgency: 'normal',
      description: '空调使用3个月后制冷效果差',
      preferredChannel: 'unknown',
    });
    expect(validateSubmission(v2, moved, 'en')).toEqual([]);
    expect(oldCase).toHaveProperty('serialNo'); // the input is not changed
  });

  it('R33: merging a duplicated field keeps the value already in the surviving field', () => {
    const data = { orderNo: 'SO-1', orderNumberAgain: 'SO-typo', items: [{ sn: 'A' }, { sn: 'B', serial: 'B2' }] };
    expect(
      migrate(data, [
        { op: 'rename', from: '/orderNumberAgain', to: '/orderNo' },
        { op: 'rename', from: '/items/*/sn', to: '/items/*/serial' },
      ]),
    ).toEqual({ orderNo: 'SO-1', items: [{ serial: 'A' }, { serial: 'B2' }] });
  });

  it('R33: map replaces renamed enum values; default does not overwrite what is there', () => {
    const data = { type: 'tech', preferredChannel: 'phone' };
    expect(
      migrate(data, [
        { op: 'map', path: '/type', values: { tech: 'fault' } },
        { op: 'default', path: '/preferredChannel', value: 'unknown' },
      ]),
    ).toEqual({ type: 'fault', preferredChannel: 'phone' });
  });

  it('R38 R33: diffFields lists added, removed and changed fields for the designer', () => {
    const v2 = version2();
    const diff = diffFields(v1.schema, v2.schema);
    expect(diff.added.sort()).toEqual(['/preferredChannel', '/product']);
    expect(diff.removed.sort()).toEqual(['/productModel', '/serialNo']);
    expect(diff.changed).toEqual([]);

    const v3 = structuredClone(v2.schema) as Record<string, any>;
    v3.properties.description.maxLength = 500;
    v3.required = v3.required.filter((f: string) => f !== 'customerName');
    expect(diffFields(v2.schema, v3).changed).toEqual([
      { path: '/customerName', keywords: ['required'] },
      { path: '/description', keywords: ['maxLength'] },
    ]);
  });

  it('R0d: fields only shown conditionally and fields in lists are part of the diff', () => {
    const v2 = structuredClone(v1.schema) as Record<string, any>;
    delete v2.properties.serviceHistory.items.properties.solution;
    v2.dependencies.type.oneOf[0].properties.otherDescription.maxLength = 50;
    const diff = diffFields(v1.schema, v2);
    expect(diff.removed).toEqual(['/serviceHistory/*/solution']);
    expect(diff.changed).toEqual([{ path: '/otherDescription', keywords: ['maxLength'] }]);
  });
});
