/** The longest delay `setTimeout` honours; longer ones would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Starts a deadline; `0` means none (returns undefined). Clear it with `clearTimeout`. */
export function startDeadline(ms: number, onExpiry: () => void): NodeJS.Timeout | undefined {
  if (ms === 0) return undefined;
  return setTimeout(onExpiry, Math.min(ms, MAX_TIMER_MS));
}
