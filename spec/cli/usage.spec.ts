// Command-line polish: bad values refused, one clear line, no stray output, exit codes as documented.
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { CliProcesses, requireBuiltCli } from './cli-process';

async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('rxws usage', () => {
  const procs = new CliProcesses();
  beforeAll(requireBuiltCli);
  afterEach(() => procs.killAll());

  it.each([['abc'], ['-3'], ['1.5']])('connect --ping-interval %s is a usage error, not silently accepted', async (value) => {
    const result = await procs.run(['connect', 'ws://127.0.0.1:9', `--ping-interval=${value}`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^rxws: option '--ping-interval <seconds>' argument '.*' is invalid\. expected a whole number, 0 or more\.\n$/);
    expect(result.stdout).toBe('');
  });

  it('--version prints the version of package.json', async () => {
    const result = await procs.run(['--version']);
    expect([result.code, result.stdout]).toEqual([0, `${(require('../../package.json') as { version: string }).version}\n`]);
  });

  it('a bad URL is a usage error with no summary line on stdout', async () => {
    const result = await procs.run(['connect', '-d', 'http//nope']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('connect -d --json: a refused connection is a JSON error event on stdout too', async () => {
    const port = await closedPort();
    const result = await procs.run(['connect', '-d', '--json', `ws://127.0.0.1:${port}`]);
    expect(result.code).toBe(1);
    const events = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; reason?: string });
    expect(events.map((e) => e.event)).toEqual(['error', 'summary']);
    expect(events[0].reason).toMatch(/connection refused/);
  });

  it("proxy-server's defaults would relay to itself: refused with what to do", async () => {
    const result = await procs.run(['proxy-server']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("rxws: --remote-host ws://127.0.0.1:8008 is this proxy's own address: give the URL of the server to proxy to (or another --port)\n");
  });

  it('receive stopped with Ctrl-C between files exits 0', async () => {
    const { url } = await procs.server(['transfer']);
    const receiver = procs.start(['receive', url, '--dir', tmpdir()]);
    await receiver.waitFor(/^ready /m);
    receiver.kill('SIGINT');
    const result = await receiver.result();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
