import type { Observable, Subscription } from 'rxjs';

/** Everything an Observable emitted, and how it ended. */
export interface Recording<T> {
  values: T[];
  error?: unknown;
  completed: boolean;
}

/** Subscribes and resolves when the Observable completes or errors. */
export function record<T>(source: Observable<T>): Promise<Recording<T>> {
  return new Promise((resolve) => {
    const rec: Recording<T> = { values: [], completed: false };
    source.subscribe({
      next: (v) => rec.values.push(v),
      error: (error) => resolve({ ...rec, error }),
      complete: () => resolve({ ...rec, completed: true }),
    });
  });
}

/** Subscribes and resolves with the first value that matches, keeping the subscription open. */
export function firstMatch<T, S extends T>(
  source: Observable<T>,
  predicate: (value: T) => value is S,
): { value: Promise<S>; subscription: Subscription; values: T[] } {
  const values: T[] = [];
  let subscription!: Subscription;
  const value = new Promise<S>((resolve, reject) => {
    subscription = source.subscribe({
      next: (v) => {
        values.push(v);
        if (predicate(v)) resolve(v);
      },
      error: reject,
      complete: () => reject(new Error(`completed without a match after ${values.length} values`)),
    });
  });
  return { value, subscription, values };
}

/** Resolves on the next macrotask turn, so pending I/O callbacks run. Not a timed sleep. */
export function flushIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
