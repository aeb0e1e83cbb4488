import { startRawServer, type RawServer } from '../helpers/raw-peer';
import { CASES } from './cases';
import { clientTarget } from './client-target';
import { CASE_TIMEOUT_MS, ECHO_CASES, type EchoCase } from './echo-cases';
import { runEchoCase } from './echo-runner';
import { NEGOTIATION_CASES } from './negotiation-cases';
import { runCase, type CaseResult } from './runner';
import { serverTarget, type ServerTarget } from './server-target';
import { report, writeReliabilityTable, writeReportFile } from './summary';

const results: CaseResult[] = [];

afterAll(() => {
  // The table goes to a file, not the console: a run of the suite stays quiet.
  const text = report(results);
  const path = writeReportFile(text);
  if (process.env.RXWS_CONFORMANCE_PRINT === '1') console.log(`${text}\n(written to ${path})`);
  if (process.env.RXWS_WRITE_RELIABILITY !== '1') return;
  // Only a complete run goes into the docs (a run filtered with -t would shrink the table).
  const all = 2 * CASES.length + echoCases('client').length + echoCases('server').length;
  if (results.length === all) writeReliabilityTable(text);
  else console.warn(`docs/reliability.md left as it was: ${results.length} of ${all} cases ran`);
});

const name = (c: { id: string; title: string }): string => `${c.id} ${c.title}`;
const echoCases = (side: 'client' | 'server'): Array<readonly [string, EchoCase]> =>
  [...ECHO_CASES, ...NEGOTIATION_CASES].filter((c) => (c.only ?? side) === side).map((c) => [name(c), c] as const);

describe('conformance: rxws client (connect) against a raw server', () => {
  let server: RawServer;
  beforeAll(async () => {
    server = await startRawServer();
  });
  afterAll(() => server.close());

  it.each(CASES.map((c) => [name(c), c] as const))('%s', async (_name, c) => {
    const result = await runCase(c, clientTarget(server));
    results.push(result);
    expect(result.outcome === 'FAILED' ? result.problems : []).toEqual([]);
  });

  it.each(echoCases('client'))('%s', async (_name, c) => {
    const result = await runEchoCase(c, clientTarget(server));
    results.push(result);
    expect(result.outcome === 'FAILED' ? result.problems : []).toEqual([]);
  }, CASE_TIMEOUT_MS + 10_000);
});

describe('conformance: rxws server (serve) against a raw client', () => {
  let target: ServerTarget;
  beforeAll(() => {
    target = serverTarget();
  });
  afterAll(() => target.close());

  it.each(CASES.map((c) => [name(c), c] as const))('%s', async (_name, c) => {
    const result = await runCase(c, target);
    results.push(result);
    expect(result.outcome === 'FAILED' ? result.problems : []).toEqual([]);
  });

  it.each(echoCases('server'))('%s', async (_name, c) => {
    const result = await runEchoCase(c, target);
    results.push(result);
    expect(result.outcome === 'FAILED' ? result.problems : []).toEqual([]);
  }, CASE_TIMEOUT_MS + 10_000);
});

describe('conformance case tables', () => {
  it('number every case once: Autobahn numbers (n.n[.n], 6.x.yb split at every byte) or rx<group>.<n>', () => {
    const ids = [...CASES, ...ECHO_CASES, ...NEGOTIATION_CASES].map((c) => c.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect(ids.filter((id) => !/^(\d+\.\d+(\.\d+b?)?|rx\d+\.\d+)$/.test(id))).toEqual([]);
  });
});
