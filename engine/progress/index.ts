/**
 * The progress log of a case and its customer-facing milestones (R16): `addProgress` for people,
 * `writeProgress` for engine code inside its own step transaction, `listProgress` newest first.
 */
export { progressEntities } from './entities.ts';
export { type ProgressInput, addProgress, listProgress, writeProgress } from './progress.ts';
