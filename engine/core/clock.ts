/**
 * Every place the engine reads time asks a Clock, so tests and simulations can move time
 * (LOOPDESK_CLOCK=manual) and timers fire as they would in production.
 */
export interface Clock {
  now(): number;
  readonly manual: boolean;
}

export const systemClock: Clock = { now: () => Date.now(), manual: false };

export class ManualClock implements Clock {
  readonly manual = true;
  constructor(private current = Date.now()) {}
  now(): number {
    return this.current;
  }
  /** Moves time to `t`; time never runs backwards, so earlier instants are refused. */
  set(t: number): void {
    if (t < this.current) throw new RangeError('the clock cannot move backwards');
    this.current = t;
  }
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('the clock cannot move backwards');
    this.current += ms;
  }
}
