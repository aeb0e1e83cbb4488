// The summary of a conformance run: a markdown table of case groups and results, printed
// once, and written into docs/reliability.md when RXWS_WRITE_RELIABILITY=1.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GROUPS } from './cases';
import type { CaseResult } from './runner';

const BEGIN = '<!-- conformance-table:begin -->';
const END = '<!-- conformance-table:end -->';

function cell(results: CaseResult[]): string {
  if (results.length === 0) return 'not run';
  const passed = results.filter((r) => r.problems.length === 0).length;
  return passed === results.length ? `${passed}/${results.length} pass` : `${passed}/${results.length} pass, ${results.length - passed} FAIL`;
}

/** A markdown table: one row per group, one column per target. */
export function summaryTable(results: CaseResult[]): string {
  const targets = ['client', 'server'] as const;
  const rows = [...GROUPS, 'Total'].map((group) => {
    const inGroup = results.filter((r) => group === 'Total' || r.group === group);
    const count = Math.max(...targets.map((t) => inGroup.filter((r) => r.target === t).length));
    return `| ${group} | ${count} | ${targets.map((t) => cell(inGroup.filter((r) => r.target === t))).join(' | ')} |`;
  });
  return ['| case group | cases | rxws client (connect) | rxws server (serve) |', '| --- | ---: | --- | --- |', ...rows].join('\n');
}

/** The failed cases, one line each. */
export function failureList(results: CaseResult[]): string {
  return results
    .filter((r) => r.problems.length)
    .map((r) => `${r.target} ${r.id} ${r.title}: ${r.problems.join('; ')}`)
    .join('\n');
}

/** Replaces the table between the markers in docs/reliability.md. */
export function writeReliabilityTable(table: string): void {
  const path = join(__dirname, '..', '..', 'docs', 'reliability.md');
  const doc = readFileSync(path, 'utf8');
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${path} lacks the ${BEGIN} / ${END} markers`);
  writeFileSync(path, doc.slice(0, start + BEGIN.length) + '\n' + table + '\n' + doc.slice(end));
}
