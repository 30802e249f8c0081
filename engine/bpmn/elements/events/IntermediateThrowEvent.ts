import { passThrough } from '../Behaviour.ts';

/** None intermediate throw events mark a milestone in the history and pass on. */
export const IntermediateThrowEvent = passThrough;
