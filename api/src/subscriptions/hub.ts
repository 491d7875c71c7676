// In-process fan-out of indexer updates to GraphQL subscriptions. Each subscription is an async iterator with
// its own bounded queue; a consumer that falls more than MAX_QUEUE events behind loses the oldest ones.

const MAX_QUEUE = 10_000;

export type Topic = "inference" | "slash" | "indexerStatus";

export class Hub {
  private readonly subscribers = new Map<Topic, Set<(payload: unknown) => void>>();
  private readonly closers = new Set<() => void>();

  /** Number of open subscriptions (for /metrics). */
  get size(): number {
    let n = 0;
    for (const set of this.subscribers.values()) n += set.size;
    return n;
  }

  publish(topic: Topic, payload: unknown): void {
    for (const deliver of this.subscribers.get(topic) ?? []) deliver(payload);
  }

  subscribe<T>(topic: Topic, accept: (payload: T) => boolean = () => true): AsyncIterableIterator<T> {
    const queue: T[] = [];
    let wake: ((r: IteratorResult<T>) => void) | undefined;
    let done = false;
    const set = this.subscribers.get(topic) ?? new Set();
    this.subscribers.set(topic, set);

    const deliver = (payload: unknown) => {
      const p = payload as T;
      if (done || !accept(p)) return;
      if (wake) {
        const w = wake;
        wake = undefined;
        w({ value: p, done: false });
      } else {
        queue.push(p);
        if (queue.length > MAX_QUEUE) queue.shift();
      }
    };
    const finish = () => {
      if (done) return;
      done = true;
      set.delete(deliver);
      this.closers.delete(finish);
      queue.length = 0;
      if (wake) {
        const w = wake;
        wake = undefined;
        w({ value: undefined, done: true });
      }
    };
    set.add(deliver);
    this.closers.add(finish);

    const iterator: AsyncIterableIterator<T> = {
      next() {
        if (queue.length > 0) return Promise.resolve({ value: queue.shift() as T, done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          wake = resolve;
        });
      },
      return() {
        finish();
        return Promise.resolve({ value: undefined, done: true });
      },
      throw(err?: unknown) {
        finish();
        return Promise.reject(err);
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  /** Ends every subscription (server shutdown). */
  close(): void {
    for (const finish of [...this.closers]) finish();
  }
}
