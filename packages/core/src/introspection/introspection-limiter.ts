/**
 * Bounds the introspection rate: at most `maxConcurrent` introspections in flight, at most `maxQueued` more
 * waiting (first come, first served). A flood of distinct tokens therefore costs the authorization server at
 * most `maxConcurrent` requests at a time, whatever the request rate; a caller beyond the queue is refused at
 * once (`run` resolves `undefined`) instead of piling up memory and latency.
 */
export class IntrospectionLimiter {
  readonly #maxConcurrent: number;
  readonly #maxQueued: number;
  readonly #waiting: Array<() => void> = [];
  #active = 0;

  constructor(maxConcurrent: number, maxQueued: number) {
    this.#maxConcurrent = maxConcurrent;
    this.#maxQueued = maxQueued;
  }

  /** In flight now. */
  get active(): number {
    return this.#active;
  }

  /** Runs `task` when a slot is free; `undefined` when the queue is full (the task never runs). */
  async run<T>(task: () => Promise<T>): Promise<{ value: T } | undefined> {
    if (this.#active >= this.#maxConcurrent) {
      if (this.#waiting.length >= this.#maxQueued) return undefined;
      // The slot is handed over by the finishing task (`#active` is not decremented in between).
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#active++;
    }
    try {
      return { value: await task() };
    } finally {
      const next = this.#waiting.shift();
      if (next === undefined) this.#active--;
      else next();
    }
  }
}
