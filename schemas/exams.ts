/**
 * JSON Schemas of the form-operation exam (R36): new staff practise on the real forms in a sandbox
 * and pass with full marks. An exam is a list of exercises; each gives a scenario, the form to fill
 * and the values the scenario implies for the fields it scores.
 */
import type { FromSchema } from 'json-schema-to-ts';

const localizedText = {
  type: 'object',
  additionalProperties: false,
  required: ['zh-CN'],
  properties: {
    'zh-CN': { type: 'string', minLength: 1, maxLength: 2000 },
    en: { type: 'string', minLength: 1, maxLength: 2000 },
  },
} as const;

const key = { type: 'string', pattern: '^[a-z][a-z0-9-]{1,63}$' } as const;

export const examExerciseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'formKey', 'scenario', 'points', 'expect'],
  properties: {
    id: { ...key, description: 'unique within the exam' },
    formKey: { ...key, description: 'a form with a published version; the exercise uses the newest one' },
    scenario: { ...localizedText, description: 'what the customer or the case says, as the trainee would hear it' },
    points: { type: 'integer', minimum: 1, maximum: 100 },
    expect: {
      type: 'object',
      minProperties: 1,
      maxProperties: 50,
      description: 'top-level form field → the value the scenario implies; the points are shared equally among them',
      additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
    },
  },
} as const;

export const examDefinitionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'title', 'passScore', 'exercises'],
  properties: {
    key,
    title: localizedText,
    description: localizedText,
    passScore: { type: 'integer', minimum: 1, maximum: 100, description: 'out of 100; the source process asks for 100' },
    exercises: { type: 'array', minItems: 1, maxItems: 50, items: examExerciseSchema },
  },
} as const;

/** What a trainee sees of an exercise: no expected values. */
const exerciseView = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'scenario', 'points', 'form'],
  properties: {
    id: { type: 'string' },
    scenario: { type: 'string' },
    points: { type: 'integer' },
    form: {
      type: 'object',
      additionalProperties: false,
      required: ['key', 'version', 'title', 'schema', 'uiSchema'],
      properties: {
        key: { type: 'string' },
        version: { type: 'integer' },
        title: {},
        schema: { type: 'object', additionalProperties: true },
        uiSchema: { type: 'object', additionalProperties: true },
      },
    },
  },
} as const;

/** What every view of an exam starts with, in the caller's language. */
const examHead = {
  key: { type: 'string' },
  title: { type: 'string' },
  description: { type: ['string', 'null'] },
  passScore: { type: 'integer' },
} as const;

const examSummary = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'title', 'passScore', 'exerciseCount', 'updatedAt', 'bestScore', 'passed'],
  properties: {
    ...examHead,
    exerciseCount: { type: 'integer' },
    updatedAt: { type: 'integer', description: 'epoch milliseconds' },
    bestScore: { type: ['integer', 'null'], description: "the caller's best attempt so far" },
    passed: { type: 'boolean', description: 'the caller has passed this exam' },
  },
} as const;

export const examListResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: { items: { type: 'array', items: examSummary } },
} as const;

export const examViewResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'title', 'passScore', 'exercises'],
  properties: {
    ...examHead,
    exercises: { type: 'array', items: exerciseView },
  },
} as const;

export const examKeyParams = {
  type: 'object',
  additionalProperties: false,
  required: ['key'],
  properties: { key },
} as const;

export const submitAttemptBody = {
  type: 'object',
  additionalProperties: false,
  required: ['answers'],
  properties: {
    answers: {
      type: 'object',
      description: 'exercise id → the form data the trainee filled in; a missing exercise scores 0',
      additionalProperties: { type: 'object', additionalProperties: true },
    },
  },
} as const;

const pointedText = {
  type: 'object',
  additionalProperties: false,
  required: ['path', 'message'],
  properties: { path: { type: 'string' }, message: { type: 'string' } },
} as const;

export const attemptSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'examKey', 'username', 'submittedAt', 'score', 'passScore', 'passed', 'exercises'],
  properties: {
    id: { type: 'string' },
    examKey: { type: 'string' },
    username: { type: 'string' },
    submittedAt: { type: 'integer', description: 'epoch milliseconds' },
    score: { type: 'integer', minimum: 0, maximum: 100 },
    passScore: { type: 'integer' },
    passed: { type: 'boolean' },
    exercises: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'points', 'maxPoints', 'errors', 'mistakes'],
        properties: {
          id: { type: 'string' },
          points: { type: 'integer' },
          maxPoints: { type: 'integer' },
          errors: { type: 'array', items: pointedText, description: 'why the form would have refused this answer (then it scores 0)' },
          mistakes: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['field', 'expected', 'given'],
              properties: { field: { type: 'string' }, expected: {}, given: {} },
            },
          },
        },
      },
    },
  },
} as const;

export const attemptListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    username: { type: 'string', description: "supervisors and admins: one trainee's attempts; others always see their own" },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
  },
} as const;

export const attemptListResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: { items: { type: 'array', items: attemptSchema } },
} as const;

export type ExamDefinition = FromSchema<typeof examDefinitionSchema>;
export type ExamExercise = FromSchema<typeof examExerciseSchema>;
export type ExamSummary = FromSchema<typeof examSummary>;
export type ExamView = FromSchema<typeof examViewResponse>;
export type SubmitAttemptBody = FromSchema<typeof submitAttemptBody>;
export type Attempt = FromSchema<typeof attemptSchema>;
export type AttemptListQuery = FromSchema<typeof attemptListQuery>;
