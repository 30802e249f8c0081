/**
 * The form-operation exam (R36): practice on the real forms in a sandbox, scored out of 100.
 * See README.md beside this file.
 */
export { examEntities } from './entities.ts';
export { examView, listAttempts, listExams, saveExam, submitAttempt } from './exams.ts';
export { scoreExam, scoreExercise } from './score.ts';
export { loadShippedExams } from './shipped.ts';
