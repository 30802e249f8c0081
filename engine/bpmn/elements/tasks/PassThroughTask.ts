import { passThrough } from '../Behaviour.ts';

/** Plain and manual tasks have nothing for the engine to do: they are recorded and passed. */
export const PassThroughTask = passThrough;
