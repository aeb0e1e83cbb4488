// `rxws autobahn` against a fuzzing server made of the project's own conformance peer: the
// Autobahn|Testsuite protocol (getCaseCount, runCase, updateReports) with the cases of spec/conformance.
import { CASES } from '../conformance/cases';
import { runCase, type Target } from '../conformance/runner';
import { closePayload, Opcode, startRawServer, type RawServer } from '../helpers/raw-peer';
import { CliProcesses, requireBuiltCli } from './cli-process';

describe('rxws autobahn: the client compliance run against a fuzzing server', () => {
  const procs = new CliProcesses();
  let server: RawServer | undefined;
  beforeAll(requireBuiltCli);
  afterEach(async () => {
    await procs.killAll();
    await server?.close();
    server = undefined;
  });

  it('asks for the case count, runs every case echoing each message (checked frame by frame), then asks for the reports', async () => {
    server = await startRawServer();
    const raw = server;
    // The limit cases set the maxPayload of the side under test, and the deflate cases its
    // permessage-deflate settings, which a fuzzing server cannot.
    const cases = CASES.filter((c) => c.maxPayload === undefined && !c.deflate);
    const cli = procs.start(['autobahn', '--url', raw.url, '--agent', 'rxws-test', '--json']);

    const counter = await raw.nextPeer();
    expect(counter.path).toBe('/getCaseCount');
    await counter.send([{ opcode: Opcode.TEXT, payload: String(cases.length) }, { opcode: Opcode.CLOSE, payload: closePayload(1000) }]);

    for (const [index, c] of cases.entries()) {
      const number = index + 1;
      const target: Target = {
        name: 'client',
        open: async () => {
          const peer = await raw.nextPeer();
          expect(peer.path).toBe(`/runCase?case=${number}&agent=rxws-test`);
          const line = cli.waitFor(new RegExp(`^\\{"event":"case","case":${number},.*\\}$`, 'm')).then((m) => JSON.parse(m[0]) as { code: number; reason: string; remote: boolean; wasClean: boolean });
          return { peer, closeEvent: line.then((e) => ({ type: 'close' as const, ...e })), dispose: () => undefined };
        },
      };
      const result = await runCase(c, target);
      // NON-STRICT is Autobahn's pass with a reason (e.g. UTF-8 checked when the message completes).
      if (result.outcome === 'FAILED') expect({ case: `${c.id} ${c.title}`, problems: result.problems }).toEqual({ case: `${c.id} ${c.title}`, problems: [] });
    }

    const reports = await raw.nextPeer();
    expect(reports.path).toBe('/updateReports?agent=rxws-test');
    await reports.send([{ opcode: Opcode.CLOSE, payload: closePayload(1000) }]);
    const result = await cli.result();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^\\{"event":"done","count":${cases.length},"agent":"rxws-test"\\}$`, 'm'));
  }, 120_000);

  it('a server that is not a fuzzing server: one line saying so, exit 1', async () => {
    server = await startRawServer();
    const cli = procs.start(['autobahn', '--url', server.url]);
    const peer = await server.nextPeer();
    await peer.send([{ opcode: Opcode.TEXT, payload: 'hello' }, { opcode: Opcode.CLOSE, payload: closePayload(1000) }]);
    const result = await cli.result();
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`rxws: ${server.url}/getCaseCount answered 'hello', not a case count: is ${server.url} an Autobahn fuzzing server?\n`);
  });
});
