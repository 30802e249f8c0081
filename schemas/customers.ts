/** Customer payloads (R3, R30). Contact fields are personal data: masked in answers for roles without pii:read. */
const nullableText = (max: number) => ({ type: ['string', 'null'], maxLength: max }) as const;

const customerProperties = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  company: nullableText(200),
  phone: { type: ['string', 'null'], pattern: '^\\+?[0-9][0-9 -]{5,19}$' },
  email: { type: ['string', 'null'], format: 'email', maxLength: 200 },
  region: nullableText(40),
  highValue: { type: 'boolean' },
  specialNeeds: { ...nullableText(2000), description: 'special needs from sales, shown on the case (R30), e.g. 7×24 support' },
} as const;

export const customerBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: customerProperties,
} as const;

export const customerPatchBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: customerProperties,
} as const;

/** Erasure (GDPR art. 17) asks why, for the audit trail; the reason must not quote personal data. */
export const customerErasureBody = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: { reason: { type: 'string', minLength: 3, maxLength: 500, description: 'why, e.g. "erasure request of 2026-11-20, ticket 4711"' } },
} as const;
