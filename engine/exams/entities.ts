/**
 * Tables of the form-operation exam (R36). Same conventions as ../store/entities.ts: text ids,
 * epoch-ms BIGINT times, 0/1 integers. Attempts live here only: practising never writes a case,
 * a task, a submission or field statistics.
 */
import { id, int, str, table, text, time } from '../store/columns.ts';

export const ExamDefinitionRow = table('ExamDefinitionRow', 'exam_definitions', {
  key: { ...str(64), primary: true },
  definition: text(),
  updatedAt: time(),
  updatedBy: str(100),
});

export const ExamAttemptRow = table(
  'ExamAttemptRow',
  'exam_attempts',
  {
    id,
    examKey: str(64),
    username: str(100),
    submittedAt: time(),
    score: int(),
    /** The pass mark when the attempt was made (an exam's may change later). */
    passScore: int(),
    passed: int(),
    /** The scored exercises (points, form errors, mistakes) as shown to the trainee. */
    result: text(),
    /** What was filled in, exercise id → form data. */
    answers: text(),
  },
  { indexes: [{ properties: ['examKey', 'username'] }, { properties: ['username', 'submittedAt'] }] },
);

export const examEntities = [ExamDefinitionRow, ExamAttemptRow];
