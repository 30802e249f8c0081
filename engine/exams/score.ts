/**
 * Scoring a form-operation exam (R36). Each exercise is checked the way the real form checks a
 * submission (computed fields, then the form's own schema): an answer the form would refuse scores
 * nothing and shows the same errors. A valid answer earns the exercise's points in proportion to the
 * scored fields that hold the value the scenario implies. Pure: no database.
 */
import type { Attempt, ExamDefinition } from '../../schemas/exams.ts';
import { applyComputed, type FormLang, type FormVersion, validateSubmission } from '../forms/index.ts';

export type ScoredExercise = Attempt['exercises'][number];

const NOT_ANSWERED = { 'zh-CN': '未作答', en: 'not answered' } as const;

/** Free text is compared without surrounding blanks; everything else exactly. */
function sameValue(given: unknown, expected: unknown): boolean {
  if (expected === null) return given === null || given === undefined;
  if (typeof expected === 'string' && typeof given === 'string') return given.trim() === expected.trim();
  return given === expected;
}

export function scoreExercise(
  exercise: ExamDefinition['exercises'][number],
  form: FormVersion,
  answer: Record<string, unknown> | undefined,
  lang: FormLang,
): ScoredExercise {
  const base = { id: exercise.id, maxPoints: exercise.points };
  if (!answer) return { ...base, points: 0, errors: [{ path: '', message: NOT_ANSWERED[lang] }], mistakes: [] };
  const filled = applyComputed(form, answer);
  const errors = validateSubmission(form, filled, lang).map((e) => ({ path: e.path, message: e.message }));
  if (errors.length) return { ...base, points: 0, errors, mistakes: [] };
  const expected = Object.entries(exercise.expect);
  const mistakes = expected
    .filter(([field, value]) => !sameValue(filled[field], value))
    .map(([field, value]) => ({ field, expected: value, given: filled[field] ?? null }));
  const right = expected.length - mistakes.length;
  return { ...base, points: Math.floor((exercise.points * right) / expected.length), errors: [], mistakes };
}

export function scoreExam(
  exam: ExamDefinition,
  forms: ReadonlyMap<string, FormVersion>,
  answers: Record<string, Record<string, unknown>>,
  lang: FormLang,
): { score: number; passed: boolean; exercises: ScoredExercise[] } {
  const exercises = exam.exercises.map((ex) => scoreExercise(ex, forms.get(ex.formKey)!, answers[ex.id], lang));
  const score = exercises.reduce((sum, e) => sum + e.points, 0);
  return { score, passed: score >= exam.passScore, exercises };
}
