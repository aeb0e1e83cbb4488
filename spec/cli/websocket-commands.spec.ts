import { CliProcesses, requireBuiltCli } from './cli-process';

const json = (stdout: string): Array<Record<string, unknown>> =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('rxws WebSocket commands', () => {
  const procs = new CliProcesses();
  beforeAll(requireBuiltCli);
  afterEach(() => procs.killAll());

  it('echo-server answers a connect session fed through stdin, then connect prints the byte counts and exits 0', async () => {
    const { url } = await procs.server(['echo-server']);
    const result = await procs.run(['connect', url, '-d', '--ping-interval', '0'], 'hello\nwörld\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('message hello\nmessage wörld\n');
    expect(result.stdout).toMatch(/close 1000/);
    expect(result.stdout).toContain('summary sent 11 bytes, received 11 bytes');
    expect(result.stderr).toBe('');
  });

  it('connect --json prints one JSON event per line, binary data as base64', async () => {
    const { url } = await procs.server(['echo_server']);
    const result = await procs.run(['connect', url, '-d', '-b', '--json', '--ping-interval', '0'], 'abc\n');
    const events = json(result.stdout);
    expect(events.map((e) => e.event)).toEqual(['open', 'message', 'close', 'summary']);
    expect(events[1]).toMatchObject({ binary: true, data: Buffer.from('abc').toString('base64'), wireSize: 3 });
    expect(events[3]).toEqual({ event: 'summary', sentBytes: 3, receivedBytes: 3 });
  });

  it('connect shows failed tries with retries and wait, and Ctrl-C exits 0 with the byte counts', async () => {
    const { proc: server, port } = await procs.server(['echo-server']);
    server.kill('SIGINT');
    expect((await server.result()).code).toBe(0);
    const client = procs.start(['connect', `ws://127.0.0.1:${port}`, '--max-wait', '200']);
    await client.waitFor(/error Unable to connect .*\(retries: 2, next try in 200 ms\)/);
    client.kill('SIGINT');
    const result = await client.result();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('retries: 1, next try in 100 ms');
    expect(result.stdout).toContain('summary sent 0 bytes, received 0 bytes');
  });

  it('connect /stop closes and /start reconnects', async () => {
    const { url } = await procs.server(['echo-server']);
    const client = procs.start(['connect', url, '--ping-interval', '0']);
    await client.waitFor(/open ws:/);
    client.send('/stop');
    await client.waitFor(/stopped/);
    client.send('/start');
    await client.waitFor(/open ws:[^]*open ws:/);
    client.send('again');
    await client.waitFor(/message again/);
    client.end();
    expect((await client.result()).code).toBe(0);
  });

  it('connect /stop prints the close (as IXWebSocket ws connect does); lines typed while stopped go out after /start, counted once', async () => {
    const { url } = await procs.server(['echo-server']);
    const client = procs.start(['connect', url, '--ping-interval', '0']);
    await client.waitFor(/open ws:/);
    client.send('/stop');
    await client.waitFor(/close 1000/);
    client.send('held');
    client.send('/start');
    await client.waitFor(/message held/);
    client.end();
    const result = await client.result();
    expect(result.code).toBe(0);
    expect(result.stdout.match(/^open ws:/gm)).toHaveLength(2);
    expect(result.stdout).toContain('summary sent 4 bytes, received 4 bytes');
  });

  it('echo-server with --http-authorization-header refuses a wrong header with 401', async () => {
    const { url } = await procs.server(['echo-server', '--http-authorization-header', 'Bearer s3cret']);
    const refused = await procs.run(['connect', url, '-d', '-H', 'Authorization: Bearer nope']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^rxws: .*401.*\n$/);
    const accepted = await procs.run(['connect', url, '-d', '-H', 'Authorization: Bearer s3cret'], 'ok\n');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain('message ok');
  });

  it('chat relays messages between two clients through broadcast-server', async () => {
    const { url } = await procs.server(['broadcast-server']);
    const alice = procs.start(['chat', url, 'alice']);
    const bob = procs.start(['chat', url, 'bob']);
    await Promise.all([alice.waitFor(/joined/), bob.waitFor(/joined/)]);
    alice.send('hi bob');
    await bob.waitFor(/chat alice: hi bob/);
    bob.send('hello alice');
    await alice.waitFor(/chat bob: hello alice/);
    expect(alice.stdout).not.toContain('alice: hi bob'); // a relay never echoes to the sender
    alice.end();
    bob.end();
    expect((await alice.result()).code).toBe(0);
    expect((await bob.result()).code).toBe(0);
  });

  it('push-server sends N messages (from the path) that autoroute counts', async () => {
    const { url } = await procs.server(['push_server', '--message', 'x']);
    const result = await procs.run(['autoroute', url, '--msg-count', '500', '--json']);
    expect(result.code).toBe(0);
    expect(json(result.stdout)[0]).toMatchObject({ event: 'done', messages: 500 });
  });

  it('ping sends each line as a ping and prints the pong', async () => {
    const { url } = await procs.server(['echo-server']);
    const result = await procs.run(['ping', url], 'are you there\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('pong are you there');
  });

  it('proxy-server relays messages to the upstream server and back', async () => {
    const upstream = await procs.server(['echo-server']);
    const { url } = await procs.server(['proxy-server', '--remote-host', upstream.url]);
    const client = procs.start(['connect', url + '/some/path', '-d', '--ping-interval', '0']);
    client.send('through the proxy');
    await client.waitFor(/message through the proxy/);
    client.end();
    expect((await client.result()).code).toBe(0);
    expect(upstream.proc.stdout).toMatch(/connected #1 from 127\.0\.0\.1:\d+ \/some\/path/);
  });
});
