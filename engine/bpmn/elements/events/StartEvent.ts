import { passThrough } from '../Behaviour.ts';

/** None start events (process and sub-process): the token passes straight on. */
export const StartEvent = passThrough;
