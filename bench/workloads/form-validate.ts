/**
 * form-validate: server-side validation of intake submissions (R0a) through `validateSubmission`
 * (cached validator + error paths + zh-CN messages) against the same schema compiled once with
 * raw ajv, in the same run, over the same mix of valid and invalid intake records (invalid ones
 * cost more on our side: error paths, oneOf resolution and localised messages).
 *
 * The form is the shipped feedback intake (definitions/forms/feedback-intake.json); "raw" is the
 * same schema compiled once with the same ajv options, called directly.
 *
 * Target (issue #3): ratio ≥ 0.8 — our layer adds at most a quarter of ajv's own cost.
 */
import { readFileSync } from 'node:fs';
import { compileFormSchema, type FormDefinition, type FormVersion, validateSubmission } from '../../engine/forms/index.ts';

export const name = 'form-validate';

const SHIPPED_FORM = new URL('../../definitions/forms/feedback-intake.json', import.meta.url);
const DURATION_MS = 1_000;

function corpus(definition: FormDefinition): Record<string, unknown>[] {
  const base = definition.examples?.[0].data as Record<string, unknown>;
  const records: Record<string, unknown>[] = [];
  for (let i = 0; i < 200; i++) {
    const r: Record<string, unknown> = { ...base, description: `客户反馈 ${i}：空调制冷效果差` };
    // Close to half the records are invalid, in the ways users get it wrong.
    if (i % 8 === 1) r.urgency = 'high'; // safetyRisk missing
    if (i % 8 === 3) r.type = 'other'; // otherDescription missing
    if (i % 8 === 5) delete r.serialNo; // neither order number nor serial number
    if (i % 8 === 7) r.phone = '138-1234'; // not a phone number
    if (i % 3 === 0) r.safetyRisk = false;
    records.push(r);
  }
  return records;
}

function rate(fn: (data: Record<string, unknown>) => unknown, records: Record<string, unknown>[]): number {
  for (let i = 0; i < 2_000; i++) fn(records[i % records.length]); // warm up
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < DURATION_MS) {
    for (let i = 0; i < 1_000; i++) fn(records[(n + i) % records.length]);
    n += 1_000;
    elapsed = performance.now() - start;
  }
  return Math.round((n / elapsed) * 1_000);
}

export async function run(): Promise<{
  submissionsPerSec: number;
  rawAjvPerSec: number;
  ratio: number;
  invalidShare: number;
}> {
  const definition = JSON.parse(readFileSync(SHIPPED_FORM, 'utf8')) as FormDefinition;
  const form: FormVersion = { ...definition, key: 'bench-intake', version: 1 };
  const records = corpus(definition);
  const raw = compileFormSchema(form.schema, 'zh-CN');

  const invalid = records.filter((r) => !raw(r)).length;
  const submissionsPerSec = rate((data) => validateSubmission(form, data, 'zh-CN'), records);
  const rawAjvPerSec = rate((data) => raw(data), records);
  return {
    submissionsPerSec,
    rawAjvPerSec,
    ratio: Math.round((submissionsPerSec / rawAjvPerSec) * 100) / 100,
    invalidShare: invalid / records.length,
  };
}
