import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Time as the local runtime sees it: the Step Functions engine (Wait states, retry intervals, timeouts) and the event
 * bus (delivery retries, event age) both go through a `Clock`, so tests can use `VirtualClock`, where waiting takes no
 * real time, and one clock serves a whole runtime.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Runs outside work (a Task handler) so the clock knows it is busy: a virtual clock does not move while tracked
   * work runs, except while that work itself sleeps on the clock.
   */
  track?<T>(work: () => Promise<T>): Promise<T>;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}

/** Real time: `Date.now()` and `setTimeout`. */
export const realClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal as AbortSignal));
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

interface Timer {
  due: number;
  seq: number;
  resolve: () => void;
}

/**
 * A clock for tests. Time stands still until every pending piece of work waits on this clock: then it jumps to the
 * earliest timer. Task handlers run through `track()`, so while one is doing real work (a database, a file) time
 * does not move and no TimeoutSeconds fires early; a handler sleeping on this clock counts as waiting. Other work
 * counts as waiting once nothing has run for a few event-loop turns. `autoAdvance: false` leaves advancing to
 * `advance()`.
 */
export class VirtualClock implements Clock {
  private current: number;
  private readonly timers: Timer[] = [];
  private seq = 0;
  private scheduled = false;
  private readonly autoAdvance: boolean;
  /** Tracked work that is running and not sleeping on this clock. */
  private busy = 0;
  private readonly tracked = new AsyncLocalStorage<{ sleeping: number }>();

  constructor(options: { start?: Date | number; autoAdvance?: boolean } = {}) {
    const start = options.start ?? Date.UTC(2026, 0, 1);
    this.current = typeof start === 'number' ? start : start.getTime();
    this.autoAdvance = options.autoAdvance ?? true;
  }

  now(): number {
    return this.current;
  }

  async track<T>(work: () => Promise<T>): Promise<T> {
    this.busy++;
    try {
      return await this.tracked.run({ sleeping: 0 }, work);
    } finally {
      this.busy--;
      this.schedule();
    }
  }

  /** Every sleep requested, in order: lets tests assert a backoff schedule. */
  readonly sleeps: number[] = [];

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    const owner = this.tracked.getStore();
    if (!owner) return this.timer(ms, signal);
    // Tracked work that sleeps on the clock is waiting, not busy (count its first concurrent sleep only).
    if (owner.sleeping++ === 0) this.busy--;
    const wake = () => {
      if (--owner.sleeping === 0) this.busy++;
    };
    return this.timer(ms, signal).then(wake, (error: unknown) => {
      wake();
      throw error;
    });
  }

  private timer(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const timer: Timer = {
        due: this.current + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const i = this.timers.indexOf(timer);
        if (i >= 0) this.timers.splice(i, 1);
        reject(abortReason(signal as AbortSignal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
      this.schedule();
    });
  }

  /** Moves time forward by `ms`, firing the timers that fall due, in order. */
  advance(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  /** Number of sleeps not yet due. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  private advanceTo(target: number): void {
    this.timers.sort((a, b) => a.due - b.due || a.seq - b.seq);
    while (this.timers.length > 0 && (this.timers[0] as Timer).due <= target) {
      const timer = this.timers.shift() as Timer;
      this.current = Math.max(this.current, timer.due);
      timer.resolve();
    }
    this.current = Math.max(this.current, target);
  }

  private schedule(): void {
    if (!this.autoAdvance || this.scheduled) return;
    this.scheduled = true;
    // A few macrotask turns let promise chains and immediate I/O settle before we decide everyone is waiting.
    let turns = 0;
    const check = () => {
      if (++turns < 3) {
        setImmediate(check);
        return;
      }
      this.scheduled = false;
      if (this.timers.length === 0 || this.busy > 0) return;
      const earliest = this.timers.reduce((min, t) => Math.min(min, t.due), Number.POSITIVE_INFINITY);
      this.advanceTo(earliest);
      if (this.timers.length > 0) this.schedule();
    };
    setImmediate(check);
  }
}
