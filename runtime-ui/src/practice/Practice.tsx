/**
 * The practice sandbox (R36): new staff take the form-operation exam on the real forms, one
 * scenario at a time, then hand in and see their score out of 100 with what the form refused and
 * which classifications were wrong. Supervisors see everyone's results. Nothing here creates a case.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { useMemo, useState } from 'react';
import type { attemptListResponse, attemptSchema, examListResponse, examViewResponse } from '../../../schemas/exams.ts';
import { localizeSchema } from '../../../engine/forms/localize.ts';
import type { SchemaNode } from '../../../engine/forms/types.ts';
import { api } from '../api.ts';
import { ErrorNote, Loading } from '../components/Status.tsx';
import { formatDateTime } from '../format.ts';
import { type Lang, useI18n } from '../i18n.tsx';
import { type FormData, LoopdeskForm } from '../forms/LoopdeskForm.tsx';
import { Link } from '../router.tsx';
import { isSupervisor, useSession } from '../session.tsx';
import { useLoad } from '../useLoad.ts';
import { type PracticeText, practiceText } from './messages.ts';

type ExamList = FromSchema<typeof examListResponse>;
type ExamView = FromSchema<typeof examViewResponse>;
type Exercise = ExamView['exercises'][number];
type Attempt = FromSchema<typeof attemptSchema>;
type AttemptList = FromSchema<typeof attemptListResponse>;

const examPath = (key: string) => `/api/exams/${encodeURIComponent(key)}`;

export function PracticeList() {
  const { lang } = useI18n();
  const text = practiceText(lang);
  const { user } = useSession();
  const exams = useLoad((signal) => api.get<ExamList>('/api/exams', signal), [lang]);
  return (
    <section aria-labelledby="practice-title" className="practice">
      <h1 id="practice-title">{text('title')}</h1>
      <p className="muted">{text('intro')}</p>
      <ErrorNote error={exams.error} onRetry={exams.reload} />
      {!exams.data ? (
        <Loading />
      ) : exams.data.items.length === 0 ? (
        <p className="note">{text('empty')}</p>
      ) : (
        <table className="task-table" data-testid="exam-list">
          <thead>
            <tr>
              <th scope="col">{text('exam')}</th>
              <th scope="col">{text('exercises')}</th>
              <th scope="col">{text('passScore')}</th>
              <th scope="col">{text('best')}</th>
              <th scope="col">
                <span className="visually-hidden">{text('start')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {exams.data.items.map((exam) => (
              <tr key={exam.key} data-exam={exam.key}>
                <th scope="row">
                  {exam.title}
                  {exam.description ? <div className="muted small">{exam.description}</div> : null}
                </th>
                <td>{exam.exerciseCount}</td>
                <td>{exam.passScore}</td>
                <td data-testid="best-score">
                  {exam.bestScore === null ? text('none') : exam.bestScore}{' '}
                  {exam.bestScore !== null ? (
                    <span className={exam.passed ? 'tag state-completed' : 'tag urgency-high'}>{exam.passed ? text('passed') : text('notPassed')}</span>
                  ) : null}
                </td>
                <td className="button-row">
                  <Link to={`/practice/${encodeURIComponent(exam.key)}`} className="btn-primary">
                    {text('start')}
                  </Link>
                  {isSupervisor(user) ? <Link to={`/practice/${encodeURIComponent(exam.key)}/results`}>{text('results')}</Link> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function ExamScreen({ examKey }: { examKey: string }) {
  const { lang } = useI18n();
  const text = practiceText(lang);
  const exam = useLoad((signal) => api.get<ExamView>(examPath(examKey), signal), [examKey, lang]);
  const [answers, setAnswers] = useState<Record<string, FormData>>({});
  const [index, setIndex] = useState(0);
  const [attempt, setAttempt] = useState<Attempt>();
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  if (exam.error) return <ErrorNote error={exam.error} onRetry={exam.reload} />;
  if (!exam.data) return <Loading />;
  const { exercises } = exam.data;
  const exercise = exercises[Math.min(index, exercises.length - 1)]!;
  const onLast = index >= exercises.length - 1;
  const answered = exercises.filter((e) => answers[e.id]).length;

  const handIn = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      setAttempt(await api.post<Attempt>(`${examPath(examKey)}/attempts`, { answers }));
    } catch (err) {
      setFailure(err);
    } finally {
      setBusy(false);
    }
  };
  const again = () => {
    setAttempt(undefined);
    setAnswers({});
    setIndex(0);
  };

  return (
    <section aria-labelledby="exam-title" className="practice exam">
      <h1 id="exam-title">{exam.data.title}</h1>
      {exam.data.description ? <p className="muted">{exam.data.description}</p> : null}
      {attempt ? (
        <AttemptResult attempt={attempt} exercises={exercises} lang={lang} text={text} onAgain={again} />
      ) : (
        <>
          <nav aria-label={text('exercises')} className="button-row exercise-steps">
            {exercises.map((e, i) => (
              <button
                key={e.id}
                type="button"
                className={i === index ? 'btn-primary' : 'btn-secondary'}
                aria-current={i === index ? 'step' : undefined}
                onClick={() => setIndex(i)}
              >
                {i + 1} · {answers[e.id] ? text('answered') : text('unanswered')}
              </button>
            ))}
          </nav>
          <article className="card" data-testid="exercise" data-exercise={exercise.id}>
            <h2>
              {text('exercise', { n: index + 1, total: exercises.length })} <span className="muted">({text('points', { points: exercise.points })})</span>
            </h2>
            <p className="scenario" data-testid="scenario">
              <strong>{text('scenario')}：</strong>
              {exercise.scenario}
            </p>
            <LoopdeskForm
              key={exercise.id}
              schema={exercise.form.schema as SchemaNode}
              uiSchema={{ ...exercise.form.uiSchema, 'ui:submitButtonOptions': { submitText: onLast ? text('saveLast') : text('saveNext') } }}
              formData={answers[exercise.id] ?? {}}
              lang={lang}
              onSubmit={(data) => {
                setAnswers((a) => ({ ...a, [exercise.id]: data }));
                if (!onLast) setIndex(index + 1);
              }}
            />
          </article>
          <div className="card hand-in">
            <p>{text('handInHint', { done: answered, total: exercises.length })}</p>
            <ErrorNote error={failure} />
            <button type="button" className="btn-primary" disabled={busy || answered === 0} onClick={() => void handIn()} data-testid="hand-in">
              {text('handIn')}
            </button>
          </div>
        </>
      )}
    </section>
  );
}

/** A value as the form shows it: the title of a choice, yes/no, or the value itself. */
function shown(field: SchemaNode | undefined, value: unknown, text: PracticeText): string {
  if (value === null || value === undefined || value === '') return text('empty_value');
  const choice = (field?.oneOf as SchemaNode[] | undefined)?.find((o) => o.const === value);
  if (choice && typeof choice.title === 'string') return choice.title;
  if (typeof value === 'boolean') return value ? text('yes') : text('no');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function AttemptResult({
  attempt,
  exercises,
  lang,
  text,
  onAgain,
}: {
  attempt: Attempt;
  exercises: Exercise[];
  lang: Lang;
  text: PracticeText;
  onAgain: () => void;
}) {
  // Field titles and choice labels in the UI's language, from each exercise's own form.
  const fields = useMemo(
    () =>
      new Map(
        exercises.map((e) => [e.id, ((localizeSchema(e.form.schema as SchemaNode, lang).properties ?? {}) as Record<string, SchemaNode>)] as const),
      ),
    [exercises, lang],
  );
  return (
    <div data-testid="attempt-result" data-passed={attempt.passed}>
      <div className={attempt.passed ? 'note note-ok' : 'note note-error'} role="status">
        <strong data-testid="attempt-score">{text('outcome', { score: attempt.score, pass: attempt.passScore })}</strong>{' '}
        {attempt.passed ? text('resultPassed') : text('resultFailed')}
      </div>
      <ol className="exercise-results">
        {attempt.exercises.map((r) => {
          const props = fields.get(r.id) ?? {};
          return (
            <li key={r.id} className="card" data-exercise={r.id}>
              <p>
                <strong>{exercises.find((e) => e.id === r.id)?.scenario}</strong>
              </p>
              <p>{text('exerciseScore', { points: r.points, max: r.maxPoints })}</p>
              {r.errors.length ? (
                <>
                  <p>{text('formRefused')}</p>
                  <ul>
                    {r.errors.map((e) => (
                      <li key={`${e.path}:${e.message}`}>{e.message}</li>
                    ))}
                  </ul>
                </>
              ) : r.mistakes.length ? (
                <ul>
                  {r.mistakes.map((m) => {
                    const field = props[m.field];
                    return (
                      <li key={m.field} data-testid="mistake">
                        {text('mistake', {
                          field: typeof field?.title === 'string' ? field.title : m.field,
                          expected: shown(field, m.expected, text),
                          given: shown(field, m.given, text),
                        })}
                      </li>
                    );
                  })}
                </ul>
              ) : (
                <p className="muted">{text('allRight')}</p>
              )}
            </li>
          );
        })}
      </ol>
      <div className="button-row">
        <button type="button" className="btn-primary" onClick={onAgain}>
          {text('again')}
        </button>
        <Link to="/practice">{text('back')}</Link>
      </div>
    </div>
  );
}

export function ExamResults({ examKey }: { examKey: string }) {
  const { lang } = useI18n();
  const text = practiceText(lang);
  const exam = useLoad((signal) => api.get<ExamView>(examPath(examKey), signal), [examKey, lang]);
  const attempts = useLoad((signal) => api.get<AttemptList>(`${examPath(examKey)}/attempts`, signal), [examKey]);
  return (
    <section aria-labelledby="results-title" className="practice">
      <h1 id="results-title">
        {exam.data?.title ?? examKey} · {text('results')}
      </h1>
      <ErrorNote error={attempts.error ?? exam.error} onRetry={attempts.reload} />
      {!attempts.data ? (
        <Loading />
      ) : attempts.data.items.length === 0 ? (
        <p className="note">{text('noAttempts')}</p>
      ) : (
        <table className="task-table" data-testid="attempt-list">
          <thead>
            <tr>
              <th scope="col">{text('trainee')}</th>
              <th scope="col">{text('submittedAt')}</th>
              <th scope="col">{text('score')}</th>
            </tr>
          </thead>
          <tbody>
            {attempts.data.items.map((a) => (
              <tr key={a.id}>
                <th scope="row">{a.username}</th>
                <td>{formatDateTime(a.submittedAt, lang)}</td>
                <td>
                  {a.score} <span className={a.passed ? 'tag state-completed' : 'tag urgency-high'}>{a.passed ? text('passed') : text('notPassed')}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Link to="/practice">{text('back')}</Link>
    </section>
  );
}

