import { readFileSync } from 'node:fs';
import { createSchemaUtils, type RJSFSchema, type UiSchema } from '@rjsf/utils';
import { describe, expect, it } from 'vitest';
import { type FormDefinition, PII_READ, schemaFor } from '../../../engine/forms/index.ts';
import { isFieldShown, placeTexts } from '../../../runtime-ui/src/forms/placement.ts';
import { validatorFor } from '../../../runtime-ui/src/forms/validator.ts';

const definition = JSON.parse(
  readFileSync(new URL('../../engine/forms/fixtures/intake.form.json', import.meta.url), 'utf8'),
) as FormDefinition;
const data = () => structuredClone(definition.examples?.[0].data as Record<string, unknown>);

function shownFor(viewer: { roles: string[]; permissions: string[] }) {
  const { schema, uiSchema } = schemaFor(definition, viewer, 'zh-CN');
  const utils = createSchemaUtils(validatorFor('zh-CN'), schema as RJSFSchema);
  return (d: unknown, pointer: string) => isFieldShown(utils, schema as RJSFSchema, uiSchema as UiSchema, d, pointer);
}

describe('where reminders are shown', () => {
  const shown = shownFor({ roles: ['supervisor'], permissions: [PII_READ] });

  it('R32: a field on screen gets its reminder beside it', () => {
    expect(shown(data(), '/urgency')).toBe(true);
    expect(shown({ ...data(), serviceHistory: [{ satisfaction: 2 }] }, '/serviceHistory/0/satisfaction')).toBe(true);
  });

  it('R32: a field shown only for type "other" is on screen only then', () => {
    expect(shown(data(), '/otherDescription')).toBe(false);
    expect(shown({ ...data(), type: 'other' }, '/otherDescription')).toBe(true);
  });

  it('R32: a field this viewer may not read (ui:widget hidden) or that does not exist is not on screen', () => {
    const agent = shownFor({ roles: ['agent'], permissions: [] });
    expect(agent(data(), '/internalNote')).toBe(false);
    expect(shown(data(), '/internalNote')).toBe(true);
    expect(shown(data(), '/nope')).toBe(false);
    expect(shown(data(), '/urgency/deeper')).toBe(false);
  });

  it('R32: texts for the whole form or for fields off screen go above the form', () => {
    const texts = [
      { path: '/urgency', message: 'a' },
      { path: '', message: 'b' },
      { path: '/otherDescription', message: 'c' },
      { path: '/urgency', message: 'd' },
    ];
    const placed = placeTexts(texts, (p) => p === '/urgency');
    expect([...placed.beside]).toEqual([['/urgency', [texts[0], texts[3]]]]);
    expect(placed.above).toEqual([texts[1], texts[2]]);
  });
});
