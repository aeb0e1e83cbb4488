import { MAX_TIMER_MS } from '../core/validation';

/** Starts a deadline; `0` means none (returns undefined). Clear it with `clearTimeout`. */
export function startDeadline(ms: number, onExpiry: () => void): NodeJS.Timeout | undefined {
  if (ms === 0) return undefined;
  // Options are checked by durationProblem; the clamp keeps a timer from firing at once regardless.
  return setTimeout(onExpiry, Math.min(ms, MAX_TIMER_MS));
}
