/** Time as the bus sees it: injectable so retry backoff and event age cost no real time in tests. */
export interface Clock {
  now(): Date;
  sleep(milliseconds: number): Promise<void>;
}

/** Wall-clock time and real timers. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
};

/** A clock that only moves when something sleeps (or {@link VirtualClock.advance} is called): instant, deterministic. */
export class VirtualClock implements Clock {
  #time: number;
  /** Every sleep requested, in order: lets tests assert the backoff schedule. */
  readonly sleeps: number[] = [];

  constructor(start: Date | string = '2026-11-27T10:00:00Z') {
    this.#time = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#time);
  }

  async sleep(milliseconds: number): Promise<void> {
    this.sleeps.push(milliseconds);
    this.#time += milliseconds;
    // Yield so other deliveries interleave as they would with real timers.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  advance(milliseconds: number): void {
    this.#time += milliseconds;
  }
}
