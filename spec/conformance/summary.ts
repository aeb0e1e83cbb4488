// The summary of a conformance run: a markdown table of case groups and outcomes, written to
// .tmp/conformance.md after every run (printed only with RXWS_CONFORMANCE_PRINT=1), and into
// docs/reliability.md when RXWS_WRITE_RELIABILITY=1.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GROUPS } from './cases';
import type { CaseResult, Outcome } from './runner';

const BEGIN = '<!-- conformance-table:begin -->';
const END = '<!-- conformance-table:end -->';
const ROOT = join(__dirname, '..', '..');

function cell(results: CaseResult[]): string {
  if (results.length === 0) return 'not run';
  const count = (o: Outcome): number => results.filter((r) => r.outcome === o).length;
  const parts = [`${count('OK')} OK`];
  if (count('NON-STRICT')) parts.push(`${count('NON-STRICT')} NON-STRICT`);
  if (count('FAILED')) parts.push(`${count('FAILED')} FAILED`);
  return parts.join(', ');
}

/** A markdown table: one row per group, one column per target. */
export function summaryTable(results: CaseResult[]): string {
  const targets = ['client', 'server'] as const;
  const rows = [...GROUPS, 'Total'].map((group) => {
    const inGroup = results.filter((r) => group === 'Total' || r.group === group);
    const [client, server] = targets.map((t) => inGroup.filter((r) => r.target === t).length);
    const count = client === server ? `${client}` : `${client} / ${server}`;
    return `| ${group} | ${count} | ${targets.map((t) => cell(inGroup.filter((r) => r.target === t))).join(' | ')} |`;
  });
  return ['| case group | cases (client / server) | rxws client (connect) | rxws server (serve) |', '| --- | ---: | --- | --- |', ...rows].join('\n');
}

/** The NON-STRICT cases with their reason, one line each (both targets on one line when alike). */
export function nonStrictList(results: CaseResult[]): string {
  const lines = new Map<string, Set<string>>();
  for (const r of results.filter((x) => x.outcome === 'NON-STRICT')) {
    const line = `- ${r.id} ${r.title}: ${r.problems.join('; ')}`;
    lines.set(line, (lines.get(line) ?? new Set()).add(r.target));
  }
  return [...lines].map(([line, targets]) => `${line} (${[...targets].join(', ')})`).join('\n');
}

/** The failed cases, one line each. */
export function failureList(results: CaseResult[]): string {
  return results
    .filter((r) => r.outcome === 'FAILED')
    .map((r) => `${r.target} ${r.id} ${r.title}: ${r.problems.join('; ')}`)
    .join('\n');
}

/** The whole report: the table, then the NON-STRICT reasons and the failures. */
export function report(results: CaseResult[]): string {
  const nonStrict = nonStrictList(results);
  const failures = failureList(results);
  return [
    summaryTable(results),
    ...(nonStrict ? ['', 'NON-STRICT:', nonStrict] : []),
    ...(failures ? ['', 'FAILED:', failures] : []),
  ].join('\n');
}

/** Writes the report to .tmp/conformance.md (ignored by git); returns its path. */
export function writeReportFile(text: string): string {
  const dir = join(ROOT, '.tmp');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'conformance.md');
  writeFileSync(path, `# RFC 6455 / RFC 7692 conformance (Autobahn groups)\n\n${text}\n`);
  return path;
}

/** Replaces the table between the markers in docs/reliability.md. */
export function writeReliabilityTable(table: string): void {
  const path = join(ROOT, 'docs', 'reliability.md');
  const doc = readFileSync(path, 'utf8');
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${path} lacks the ${BEGIN} / ${END} markers`);
  writeFileSync(path, doc.slice(0, start + BEGIN.length) + '\n' + table + '\n' + doc.slice(end));
}
