// Small statistics helpers for the benchmark: medians of trials, percentiles of samples.

/** The median of `values` (mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The p-th percentile (0..100) of `samples` by nearest rank; sorts `samples` in place. */
export function percentile(samples: Float64Array, p: number): number {
  if (samples.length === 0) return NaN;
  samples.sort();
  const rank = Math.ceil((p / 100) * samples.length) - 1;
  return samples[Math.min(samples.length - 1, Math.max(0, rank))];
}

/** Monotonic time in milliseconds, comparable between processes on the same (Linux) machine. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
