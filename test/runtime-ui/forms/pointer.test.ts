import { describe, expect, it } from 'vitest';
import {
  errorSchemaOf,
  errorsOfSchema,
  fieldIdOf,
  pointerOfProperty,
  propertyOf,
} from '../../../runtime-ui/src/forms/pointer.ts';

describe('JSON pointers ↔ @rjsf', () => {
  it('R0a: a 422 error path becomes the ErrorSchema entry of that field', () => {
    expect(errorSchemaOf([{ path: '/safetyRisk', message: '必须说明' }])).toEqual({ safetyRisk: { __errors: ['必须说明'] } });
    expect(errorSchemaOf([{ path: '/items/0/name', message: 'required' }])).toEqual({
      items: { 0: { name: { __errors: ['required'] } } },
    });
  });

  it('R0a: several messages at one field, and a message for the whole form', () => {
    expect(
      errorSchemaOf([
        { path: '/phone', message: 'a' },
        { path: '/phone', message: 'b' },
        { path: '', message: 'form' },
      ]),
    ).toEqual({ __errors: ['form'], phone: { __errors: ['a', 'b'] } });
  });

  it('R0a: keys with "/", "~" or "." land on the field they name (pointer escapes, no dotted paths)', () => {
    const errors = [
      { path: '/a~1b/c~0d', message: 'x' },
      { path: '/v1.2/name', message: 'y' },
    ];
    const schema = errorSchemaOf(errors);
    expect(schema).toEqual({ 'a/b': { 'c~d': { __errors: ['x'] } }, 'v1.2': { name: { __errors: ['y'] } } });
    expect(errorsOfSchema(schema)).toEqual(errors);
  });

  it('R0a: errorsOfSchema lists every message with its pointer', () => {
    expect(errorsOfSchema(undefined)).toEqual([]);
    expect(errorsOfSchema({ __errors: ['top'], items: { 2: { name: { __errors: ['n'] } } } } as never)).toEqual([
      { path: '', message: 'top' },
      { path: '/items/2/name', message: 'n' },
    ]);
  });

  it('R0a: @rjsf properties and ids of a pointer', () => {
    expect(propertyOf('/items/0/name')).toBe('.items.0.name');
    expect(propertyOf('')).toBe('');
    expect(pointerOfProperty('.items.0.name')).toBe('/items/0/name');
    expect(pointerOfProperty('items[0].name')).toBe('/items/0/name');
    expect(pointerOfProperty('safetyRisk')).toBe('/safetyRisk');
    expect(pointerOfProperty('.')).toBe('');
    expect(pointerOfProperty(undefined)).toBe('');
    expect(fieldIdOf('/safetyRisk')).toBe('root_safetyRisk');
    expect(fieldIdOf('/items/0/name')).toBe('root_items_0_name');
    expect(fieldIdOf('')).toBe('root');
  });
});
