import { passThrough } from '../Behaviour.ts';

/** A boundary event is entered only once it has fired; from there the token follows its flows. */
export const BoundaryEvent = passThrough;
