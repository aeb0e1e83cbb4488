// Turns trial results into table rows (medians and ratios) and prints them.
import { median } from './stats';

/** A goal on a row: `met(ratio, a, b)` with a = rxws's median, b = raw ws's, ratio = the row's ratio. */
export interface Goal {
  text: string;
  met(ratio: number, a: number, b: number): boolean;
}

export const atLeast = (min: number): Goal => ({ text: `≥ ${min.toFixed(2)}`, met: (ratio) => ratio >= min });
export const atMost = (max: number): Goal => ({ text: `≤ ${max.toFixed(2)}`, met: (ratio) => ratio <= max });
export const atMostPlus = (extra: number, unit: string): Goal => ({ text: `≤ raw + ${extra} ${unit}`, met: (_ratio, a, b) => a - b <= extra });

/**
 * The ratio of a row: the median of the per-round ratios a[i] / b[i]. Trials of one round ran
 * back to back, so they share the machine's load of that moment; pairing them cancels most of
 * the drift that a ratio of two medians would keep.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  return median(Array.from({ length: n }, (_, i) => a[i] / b[i]));
}

/** One row of the table: a metric of variant `a` (rxws) against variant `b` (raw ws), if any. */
export interface RowSpec {
  label: string;
  unit: string;
  metric: string;
  a: string;
  b?: string;
  goal?: Goal;
  /** Decimal places shown. */
  digits?: number;
}

export interface Row {
  workload: string;
  label: string;
  unit: string;
  metric: string;
  rxws: { variant: string; median: number; trials: number[] };
  raw?: { variant: string; median: number; trials: number[] };
  /** Median of the per-round ratios rxws / raw (see pairedRatio). */
  ratio?: number;
  /** rxws's median / raw's median, for reference. */
  ratioOfMedians?: number;
  goal?: string;
  met?: boolean;
  error?: string;
}

export type Metrics = Record<string, number>;

export function buildRow(workload: string, spec: RowSpec, samples: Record<string, Metrics[]>, error?: string): Row {
  const side = (variant: string): { variant: string; median: number; trials: number[] } => {
    const trials = (samples[variant] ?? []).map((m) => m[spec.metric]);
    return { variant, median: median(trials), trials };
  };
  const rxws = side(spec.a);
  const row: Row = { workload, label: spec.label, unit: spec.unit, metric: spec.metric, rxws };
  if (spec.b) {
    const raw = side(spec.b);
    row.raw = raw;
    row.ratio = pairedRatio(rxws.trials, raw.trials);
    row.ratioOfMedians = rxws.median / raw.median;
    if (spec.goal) {
      row.goal = spec.goal.text;
      row.met = spec.goal.met(row.ratio, rxws.median, raw.median);
    }
  }
  row.goal ??= 'reported';
  if (error) row.error = error;
  return row;
}

function fmt(value: number | undefined, digits: number): string {
  if (value === undefined) return '—';
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The table as aligned plain text (also valid Markdown). */
export function formatTable(rows: readonly Row[], specs: ReadonlyMap<Row, RowSpec>): string {
  const header = ['workload', 'unit', 'rxws', 'raw ws', 'rxws/raw', 'goal', 'met'];
  const lines = rows.map((row) => {
    const digits = specs.get(row)?.digits ?? 0;
    const met = row.error ? 'ERROR' : row.met === undefined ? '' : row.met ? 'yes' : 'NO';
    return [row.label, row.unit, fmt(row.rxws.median, digits), fmt(row.raw?.median, digits), fmt(row.ratio, 2), row.goal ?? '', met];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const render = (cells: string[]): string => `| ${cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i >= 2 && i <= 4 ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [render(header), rule, ...lines.map(render)].join('\n');
}
