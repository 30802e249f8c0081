/**
 * The loop behind the job runner and the notification dispatcher: run a pass, poll again after
 * `pollMs` (at once when the pass was full), never two passes at a time, stop cleanly. A subclass
 * says what one pass does.
 */
export abstract class PollingWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = true;

  constructor(
    protected readonly pollMs: number,
    protected readonly batch: number,
    protected readonly log?: (msg: string, err?: unknown) => void,
  ) {}

  /** One pass over what is due; resolves to how many items it worked on (≥ batch: run again now). */
  protected abstract pass(): Promise<number>;

  /** Waited for by stop() and drain(), after the pass under way (e.g. work started outside the pass). */
  protected async settle(): Promise<void> {}

  /** Releases resources once stopped (e.g. mail transports). */
  protected async onStopped(): Promise<void> {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
    await this.settle();
    await this.onStopped();
  }

  /** Polls earlier than planned (e.g. when new work falls due before the next poll). */
  protected schedule(delay: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), Math.max(0, delay));
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    try {
      const n = await this.runDue();
      this.schedule(n >= this.batch ? 0 : this.pollMs);
    } catch (err) {
      this.log?.(`${this.constructor.name} pass failed`, err);
      this.schedule(this.pollMs);
    }
  }

  /** Runs one pass now, or joins the one under way. */
  runDue(): Promise<number> {
    if (!this.running) {
      this.running = this.pass().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  /** Runs passes until nothing is due (bounded, so runaway work cannot hang the caller). */
  async drain(maxPasses = 1000): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxPasses; i++) {
      const n = await this.runDue();
      total += n;
      if (n === 0) break;
    }
    await this.settle();
    return total;
  }
}
