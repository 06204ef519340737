import type { Clock } from '../stepfunctions/index.ts';

interface Timer {
  readonly due: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/**
 * Virtual time for runs that do real work: time stands still while any tracked work (a task handler doing real I/O
 * against PostgreSQL or DuckDB) is in flight, and jumps to the next timer only when everything is waiting on the
 * clock. So Waits and retry backoff cost nothing, and a Task's TimeoutSeconds can never fire just because the
 * machine is slow. (The engine's own `VirtualClock` advances as soon as a timer exists, which suits pure-ASL tests.)
 */
export class IdleVirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #busy = 0;
  #scheduled = false;
  #idleTurns = 0;
  readonly #timers: Timer[] = [];

  constructor(start: number = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        const index = this.#timers.indexOf(timer);
        if (index >= 0) this.#timers.splice(index, 1);
        reject(signal?.reason);
      };
      const timer: Timer = {
        due: this.#now + Math.max(0, ms),
        seq: this.#seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#timers.push(timer);
      this.#schedule();
    });
  }

  /** Runs `work` with time standing still until it settles. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.#busy += 1;
    try {
      return await work();
    } finally {
      this.#busy -= 1;
      this.#schedule();
    }
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#tick();
    });
  }

  #tick(): void {
    if (this.#busy > 0 || this.#timers.length === 0) {
      this.#idleTurns = 0;
      return;
    }
    // Let continuations that hop through a macrotask start their next tracked work before time moves.
    if (++this.#idleTurns < 3) {
      this.#schedule();
      return;
    }
    this.#idleTurns = 0;
    this.#timers.sort((a, b) => a.due - b.due || a.seq - b.seq);
    const next = this.#timers[0]!;
    this.#now = Math.max(this.#now, next.due);
    const due = this.#timers.filter((timer) => timer.due <= this.#now);
    this.#timers.splice(0, due.length);
    for (const timer of due) timer.resolve();
    this.#schedule();
  }
}
