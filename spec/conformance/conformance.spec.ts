import { startRawServer, type RawServer } from '../helpers/raw-peer';
import { CASES } from './cases';
import { clientTarget } from './client-target';
import { runCase, type CaseResult } from './runner';
import { serverTarget, type ServerTarget } from './server-target';
import { failureList, summaryTable, writeReliabilityTable } from './summary';

const results: CaseResult[] = [];

afterAll(() => {
  const table = summaryTable(results);
  const failures = failureList(results);
  console.log(`RFC 6455 conformance (Autobahn groups)\n${table}${failures ? `\n\nFailures:\n${failures}` : ''}`);
  if (process.env.RXWS_WRITE_RELIABILITY === '1') writeReliabilityTable(table);
});

describe('conformance: rxws client (connect) against a raw server', () => {
  let server: RawServer;
  beforeAll(async () => {
    server = await startRawServer();
  });
  afterAll(() => server.close());

  it.each(CASES.map((c) => [`${c.id} ${c.title}`, c] as const))('%s', async (_name, c) => {
    const result = await runCase(c, clientTarget(server));
    results.push(result);
    expect(result.problems).toEqual([]);
  });
});

describe('conformance: rxws server (serve) against a raw client', () => {
  let target: ServerTarget;
  beforeAll(() => {
    target = serverTarget();
  });
  afterAll(() => target.close());

  it.each(CASES.map((c) => [`${c.id} ${c.title}`, c] as const))('%s', async (_name, c) => {
    const result = await runCase(c, target);
    results.push(result);
    expect(result.problems).toEqual([]);
  });
});
