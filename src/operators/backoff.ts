import { assertDuration } from '../core/validation';

/** How a backoff delay is randomised: not at all, over `[0, d]`, or over `[d/2, d]`. */
export type Jitter = 'none' | 'full' | 'equal';

/** Options of `backoffDelay` (and of `reconnect`, which passes them on). */
export interface BackoffOptions {
  /** The shortest wait, in ms. Default 1, as in IXWebSocket. */
  minWaitMs?: number;
  /** The longest wait, in ms. Default 10000, as in IXWebSocket. */
  maxWaitMs?: number;
  /**
   * `'none'` (default, as in IXWebSocket): the exact delay. `'full'`: uniform in
   * `[minWaitMs, d]`. `'equal'`: uniform in `[d/2, d]`. Jitter spreads the reconnects of many
   * clients after a server restart.
   */
  jitter?: Jitter;
  /** A source of numbers in `[0, 1)` for jitter. Default `Math.random`; inject one in tests. */
  random?: () => number;
}

/** The shortest wait between tries, as in IXWebSocket. */
export const DEFAULT_MIN_WAIT_MS = 1;
/** The longest wait between tries, as in IXWebSocket. */
export const DEFAULT_MAX_WAIT_MS = 10_000;
/** The wait after the first failed try; it doubles after each further one. */
export const BACKOFF_BASE_MS = 100;
/** From this exponent on the wait is `maxWaitMs`: 100 * 2^26 ms is over 77 days anyway. */
const MAX_EXPONENT = 26;

/** Throws a RangeError naming the bad backoff option. */
export function assertBackoffOptions(options: BackoffOptions): void {
  const { minWaitMs = DEFAULT_MIN_WAIT_MS, maxWaitMs = DEFAULT_MAX_WAIT_MS, jitter = 'none' } = options;
  assertDuration('minWaitMs', minWaitMs, { zero: true });
  assertDuration('maxWaitMs', maxWaitMs, { zero: true });
  if (!(maxWaitMs >= minWaitMs)) {
    throw new RangeError(`maxWaitMs must be a finite number of milliseconds >= minWaitMs (${minWaitMs}), got ${maxWaitMs}`);
  }
  if (jitter !== 'none' && jitter !== 'full' && jitter !== 'equal') {
    throw new RangeError(`jitter must be 'none', 'full' or 'equal', got ${JSON.stringify(jitter)}`);
  }
}

/**
 * How long to wait before the next try after `retries` failed tries in a row (counted from 1).
 * Pure: IXWebSocket's formula `clamp(100 * 2^(retries - 1), minWaitMs, maxWaitMs)`, so with the
 * defaults 100, 200, 400, 800, 1600, 3200, 6400, then 10000 from the 8th failure on; then
 * the jitter, if any, keeping the result within `[minWaitMs, maxWaitMs]`. Whole milliseconds.
 *
 * @example
 * backoffDelay(1);                                   // 100
 * backoffDelay(8);                                   // 10000
 * backoffDelay(3, { maxWaitMs: 300 });               // 300
 * backoffDelay(3, { jitter: 'equal', random: () => 0 }); // 200 (half of 400)
 */
export function backoffDelay(retries: number, options: BackoffOptions = {}): number {
  if (!Number.isInteger(retries) || retries < 1) {
    throw new RangeError(`retries counts failed tries from 1, got ${retries}`);
  }
  assertBackoffOptions(options);
  const { minWaitMs = DEFAULT_MIN_WAIT_MS, maxWaitMs = DEFAULT_MAX_WAIT_MS, jitter = 'none', random = Math.random } = options;
  const exponent = retries - 1;
  const raw = exponent < MAX_EXPONENT ? BACKOFF_BASE_MS * 2 ** exponent : maxWaitMs;
  const delay = Math.min(Math.max(raw, minWaitMs), maxWaitMs);
  if (jitter === 'none') return Math.round(delay);
  const low = jitter === 'full' ? minWaitMs : delay / 2;
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(Math.min(Math.max(low + r * (delay - low), minWaitMs), maxWaitMs));
}
