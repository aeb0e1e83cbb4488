// Runs `npm run bench:quick` (the benchmark at tiny sizes) to prove that every workload still
// runs end to end and reports sane figures. It never asserts a speed: CI machines vary.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Row } from '../../bench/lib/report';
import { WORKLOADS } from '../../bench/suite';

const ROOT = path.resolve(__dirname, '..', '..');

interface Report {
  mode: string;
  rows: Row[];
  trials: Record<string, Record<string, Array<Record<string, number>>>>;
}

function runQuick(out: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'bench', 'run.ts'), '--quick', `--out=${out}`],
      { cwd: ROOT, timeout: 150_000, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Metrics that are differences of memory figures: they may legitimately be zero. */
const MAY_BE_ZERO = new Set(['bytesPerMsg', 'rssPerConn']);

describe('npm run bench:quick', () => {
  let dir: string;
  let result: { code: number | null; stdout: string; stderr: string };
  let report: Report;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rxws-bench-'));
    const out = path.join(dir, 'results.json');
    result = await runQuick(out);
    report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  }, 160_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits with 0 and names no failed workload', () => {
    expect(result.stderr).not.toMatch(/FAILED/);
    expect(result.code).toBe(0);
    expect(report.mode).toBe('quick');
  });

  it('has a row for every row of every workload, in the JSON and in the printed table', () => {
    const expected = WORKLOADS.flatMap((w) => w.rows.map((r) => `${w.id}/${r.metric}/${r.a}`));
    expect(report.rows.map((r) => `${r.workload}/${r.metric}/${r.rxws.variant}`)).toEqual(expected);
    for (const w of WORKLOADS) for (const r of w.rows) expect(result.stdout).toContain(r.label);
  });

  it('reports finite, positive medians and ratios', () => {
    for (const row of report.rows) {
      const where = `${row.workload} ${row.metric}`;
      expect({ where, error: row.error }).toEqual({ where, error: undefined });
      const values = [row.rxws.median, ...(row.raw ? [row.raw.median] : [])];
      // A ratio exists wherever raw ws's figure is not zero (raw ws allocates nothing for a binary message).
      if (row.raw && row.raw.median !== 0) values.push(row.ratio ?? NaN);
      for (const v of values) {
        expect({ where, finite: Number.isFinite(v) }).toEqual({ where, finite: true });
        if (!MAY_BE_ZERO.has(row.metric)) expect({ where, positive: v > 0 }).toEqual({ where, positive: true });
      }
    }
  });

  it('keeps every trial of every variant in the JSON', () => {
    for (const w of WORKLOADS) {
      for (const v of w.variants) expect(report.trials[w.id][v].length).toBeGreaterThan(0);
    }
  });
});
