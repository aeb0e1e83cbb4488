import { TestScheduler, type RunHelpers } from 'rxjs/testing';

/** Virtual time a marble test may use before it counts as never-ending. */
export const DEFAULT_MAX_FRAMES = 60_000;

/** Options of `runMarbles`. */
export interface RunMarblesOptions {
  /** The virtual ms after which timers still pending fail the test. Default 60000. */
  maxFrames?: number;
}

/**
 * `new TestScheduler(...).run(body)` with a bound on virtual time. A connection that is never
 * stopped keeps its keep-alive and reconnect timers scheduled forever, and a plain `run` would
 * flush them until memory runs out; here the test fails at `maxFrames` with a hint instead.
 *
 * @example
 * runMarbles(({ expectObservable }) => {
 *   feed.start();
 *   timer(500).subscribe(() => feed.stop());
 *   expectObservable(feed.state$).toBe('c 499ms s', states);
 * });
 */
export function runMarbles<T>(body: (helpers: RunHelpers) => T, options: RunMarblesOptions = {}): T {
  const maxFrames = options.maxFrames ?? DEFAULT_MAX_FRAMES;
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  return scheduler.run((helpers) => {
    const result = body(helpers);
    // Runs after everything due by maxFrames; throwing inside flush stops it before the assertions.
    scheduler.schedule(() => {
      if (scheduler.actions.length > 0) {
        throw new Error(
          `The service never completed: timers were still pending after ${maxFrames} virtual ms. ` +
            'Call stop() on it (or unsubscribe) before the test ends, or pass a larger maxFrames to runMarbles.',
        );
      }
    }, maxFrames);
    return result;
  });
}
