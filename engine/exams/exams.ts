/**
 * The form-operation exam (R36) as use cases: admins save exams (shipped ones load from
 * definitions/exams), anyone signed in practises them, supervisors see everyone's attempts.
 * Practising is a sandbox: it reads the published forms and writes only its own attempt (and the
 * audit row) — no case, task, submission, notification or field statistic.
 */
import { Ajv } from 'ajv';
import {
  type Attempt,
  type AttemptListQuery,
  type ExamDefinition,
  type ExamSummary,
  type ExamView,
  examDefinitionSchema,
} from '../../schemas/exams.ts';
import { newId } from '../core/ids.ts';
import { LoopdeskError, forbidden, notFound } from '../core/errors.ts';
import type { FormLang, FormVersion, SchemaNode } from '../forms/index.ts';
import { schemaFor } from '../forms/index.ts';
import type { Tx } from '../store/db.ts';
import { storedDefinition, writeDefinition } from '../store/keyedDefinitions.ts';
import { audit } from '../store/audit.ts';
import { type EngineContext, type Principal, command, isSupervisor } from '../usecases/context.ts';
import { publishedFormVersion } from '../usecases/forms.ts';
import { scoreExam } from './score.ts';

const examValidator = new Ajv({ allErrors: true, strict: false }).compile(examDefinitionSchema);

type Problem = { path: string; message: string };

const invalid = (errors: Problem[]) => new LoopdeskError('LD_EXAM_INVALID', 422, 'the exam definition is invalid', errors);

const textOf = (text: { 'zh-CN': string; en?: string } | undefined, lang: FormLang) => (text ? (text[lang] ?? text['zh-CN']) : null);

/** The values a field allows when it is a choice (`oneOf` of consts, or `enum`); undefined otherwise. */
function choicesOf(field: SchemaNode): unknown[] | undefined {
  if (Array.isArray(field.enum)) return field.enum;
  if (Array.isArray(field.oneOf) && field.oneOf.every((o) => typeof o === 'object' && o !== null && 'const' in o)) {
    return (field.oneOf as { const: unknown }[]).map((o) => o.const);
  }
  return undefined;
}

/** The forms an exam uses (newest published versions), or the problems that prevent it. */
async function formsOf(tx: Tx, exam: ExamDefinition): Promise<{ forms: Map<string, FormVersion>; problems: Problem[] }> {
  const forms = new Map<string, FormVersion>();
  const problems: Problem[] = [];
  for (const [i, ex] of exam.exercises.entries()) {
    let form = forms.get(ex.formKey);
    if (!form) {
      form = await publishedFormVersion(tx, ex.formKey);
      if (!form) {
        problems.push({ path: `/exercises/${i}/formKey`, message: `form ${ex.formKey} has no published version` });
        continue;
      }
      forms.set(ex.formKey, form);
    }
    const properties = ((form.schema as SchemaNode).properties ?? {}) as Record<string, SchemaNode>;
    for (const [field, value] of Object.entries(ex.expect)) {
      const path = `/exercises/${i}/expect/${field}`;
      const property = properties[field];
      if (!property) {
        problems.push({ path, message: `form ${ex.formKey} has no field ${field}` });
        continue;
      }
      const choices = choicesOf(property);
      if (choices && !choices.includes(value)) problems.push({ path, message: `${field} must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}` });
    }
  }
  return { forms, problems };
}

/** Schema first, then what a schema cannot say: unique ids, 100 points in all, real forms and fields. */
async function checkExam(tx: Tx, input: unknown): Promise<{ exam: ExamDefinition; forms: Map<string, FormVersion> }> {
  if (!examValidator(input)) {
    throw invalid((examValidator.errors ?? []).map((e) => ({ path: e.instancePath || '/', message: e.message ?? 'invalid' })));
  }
  const exam = input as ExamDefinition;
  const problems: Problem[] = [];
  const seen = new Set<string>();
  exam.exercises.forEach((ex, i) => {
    if (seen.has(ex.id)) problems.push({ path: `/exercises/${i}/id`, message: `exercise id ${ex.id} is used twice` });
    seen.add(ex.id);
  });
  const total = exam.exercises.reduce((sum, ex) => sum + ex.points, 0);
  if (total !== 100) problems.push({ path: '/exercises', message: `the exercises' points add up to ${total}; an exam is scored out of 100` });
  const { forms, problems: formProblems } = await formsOf(tx, exam);
  problems.push(...formProblems);
  if (problems.length) throw invalid(problems);
  return { exam, forms };
}

export async function saveExam(ctx: EngineContext, input: unknown, actor: Principal, requestId?: string) {
  return command(ctx, async (tx, now) => {
    const { exam } = await checkExam(tx, input);
    const existing = await storedDefinition(tx, 'exam_definitions', exam.key);
    const outcome = await writeDefinition(tx, now, { table: 'exam_definitions', entityType: 'exam', key: exam.key, definition: exam, existing, actor: actor.username, requestId });
    return { created: outcome === 'created', exam };
  });
}

async function loadExam(tx: Tx, key: string): Promise<ExamDefinition> {
  const row = await tx.get<{ definition: string }>('SELECT definition FROM exam_definitions WHERE key = ?', [key]);
  if (!row) throw notFound('exam', key);
  return JSON.parse(row.definition) as ExamDefinition;
}

export async function listExams(ctx: EngineContext, viewer: Principal, lang: FormLang): Promise<ExamSummary[]> {
  const rows = await ctx.db.all<{ definition: string; updated_at: number }>('SELECT definition, updated_at FROM exam_definitions ORDER BY key');
  const best = await ctx.db.all<{ exam_key: string; best: number; passed: number }>(
    'SELECT exam_key, MAX(score) AS best, MAX(passed) AS passed FROM exam_attempts WHERE username = ? GROUP BY exam_key',
    [viewer.username],
  );
  const mine = new Map(best.map((b) => [b.exam_key, b]));
  return rows.map((r) => {
    const exam = JSON.parse(r.definition) as ExamDefinition;
    const own = mine.get(exam.key);
    return {
      key: exam.key,
      title: textOf(exam.title, lang)!,
      description: textOf(exam.description, lang),
      passScore: exam.passScore,
      exerciseCount: exam.exercises.length,
      updatedAt: Number(r.updated_at),
      bestScore: own ? Number(own.best) : null,
      passed: Number(own?.passed ?? 0) === 1,
    };
  });
}

/** The exam as a trainee sees it: scenarios and forms projected for their role, no expected values. */
export async function examView(ctx: EngineContext, key: string, viewer: Principal, lang: FormLang): Promise<ExamView> {
  return ctx.db.transaction(async (tx) => {
    const exam = await loadExam(tx, key);
    const { forms, problems } = await formsOf(tx, exam);
    // A form retired after the exam was saved: the exam cannot be taken until it is fixed.
    if (problems.length) throw new LoopdeskError('LD_EXAM_OUTDATED', 409, `exam ${key} no longer matches its forms`, problems);
    return {
      key: exam.key,
      title: textOf(exam.title, lang)!,
      description: textOf(exam.description, lang),
      passScore: exam.passScore,
      exercises: exam.exercises.map((ex) => {
        const form = forms.get(ex.formKey)!;
        const projected = schemaFor(form, viewer, lang);
        return {
          id: ex.id,
          scenario: textOf(ex.scenario, lang)!,
          points: ex.points,
          form: { key: form.key, version: Number(form.version), title: form.title, schema: projected.schema, uiSchema: projected.uiSchema },
        };
      }),
    };
  });
}

interface AttemptRowDb {
  id: string;
  exam_key: string;
  username: string;
  submitted_at: number;
  score: number;
  pass_score: number;
  passed: number;
  result: string;
}

export async function submitAttempt(
  ctx: EngineContext,
  key: string,
  answers: Record<string, Record<string, unknown>>,
  viewer: Principal,
  lang: FormLang,
  requestId?: string,
): Promise<Attempt> {
  return command(ctx, async (tx, now) => {
    const exam = await loadExam(tx, key);
    const unknownIds = Object.keys(answers).filter((id) => !exam.exercises.some((ex) => ex.id === id));
    if (unknownIds.length) {
      throw new LoopdeskError(
        'LD_EXAM_UNKNOWN_EXERCISE',
        422,
        `exam ${key} has no exercise ${unknownIds.join(', ')}`,
        unknownIds.map((id) => ({ path: `/answers/${id}`, message: 'no such exercise' })),
      );
    }
    const { forms, problems } = await formsOf(tx, exam);
    if (problems.length) throw new LoopdeskError('LD_EXAM_OUTDATED', 409, `exam ${key} no longer matches its forms`, problems);
    const scored = scoreExam(exam, forms, answers, lang);
    const attempt: Attempt = { id: newId(), examKey: key, username: viewer.username, submittedAt: now, passScore: exam.passScore, ...scored };
    await tx.run(
      'INSERT INTO exam_attempts (id, exam_key, username, submitted_at, score, pass_score, passed, result, answers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [attempt.id, key, viewer.username, now, attempt.score, attempt.passScore, attempt.passed ? 1 : 0, JSON.stringify(attempt.exercises), JSON.stringify(answers)],
    );
    await audit(tx, now, {
      actor: viewer.username,
      action: 'exam.attempt',
      entityType: 'exam-attempt',
      entityId: attempt.id,
      after: { examKey: key, score: attempt.score, passed: attempt.passed },
      requestId,
    });
    return attempt;
  });
}

/** Attempts at an exam, newest first: supervisors and admins anyone's, everybody else their own. */
export async function listAttempts(ctx: EngineContext, key: string, viewer: Principal, query: AttemptListQuery): Promise<Attempt[]> {
  await loadExam(ctx.db, key); // 404 for an unknown exam
  if (query.username && query.username !== viewer.username && !isSupervisor(viewer)) {
    throw forbidden("only supervisors and admins see other people's attempts");
  }
  const who = isSupervisor(viewer) ? query.username : viewer.username;
  const rows = await ctx.db.all<AttemptRowDb>(
    `SELECT id, exam_key, username, submitted_at, score, pass_score, passed, result FROM exam_attempts
     WHERE exam_key = ?${who ? ' AND username = ?' : ''} ORDER BY submitted_at DESC, id DESC LIMIT ?`,
    [key, ...(who ? [who] : []), query.limit ?? 100],
  );
  return rows.map((r) => ({
    id: r.id,
    examKey: r.exam_key,
    username: r.username,
    submittedAt: Number(r.submitted_at),
    score: Number(r.score),
    passScore: Number(r.pass_score),
    passed: Number(r.passed) === 1,
    exercises: JSON.parse(r.result) as Attempt['exercises'],
  }));
}
