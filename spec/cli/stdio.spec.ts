// How rxws reads stdin and writes stdout: bytes kept as they are, nothing lost in a pipe.
import { spawn } from 'node:child_process';
import type { RawData, WebSocket } from 'ws';
import { startEchoServer, startWsServer, type TestWsServer } from '../helpers/ws-server';
import { CLI_PATH, CliProcesses, requireBuiltCli } from './cli-process';

describe('rxws stdin and stdout', () => {
  const procs = new CliProcesses();
  let server: TestWsServer | undefined;
  beforeAll(requireBuiltCli);
  afterEach(async () => {
    await procs.killAll();
    await server?.close();
    server = undefined;
  });

  it('connect -b sends each line as the bytes it is made of: no UTF-8 decoding, a \\r stays in the line', async () => {
    server = await startWsServer();
    const received: Array<{ data: Buffer; isBinary: boolean }> = [];
    const closed = new Promise<void>((resolve) =>
      server!.wss.on('connection', (ws: WebSocket) => {
        ws.on('message', (data: RawData, isBinary: boolean) => received.push({ data: data as Buffer, isBinary }));
        ws.on('close', () => resolve());
      }),
    );
    const input = Buffer.from([0xff, 0xfe, 0x0d, 0x41, 0x0a, 0x42, 0x80, 0x0a]);
    const proc = procs.start(['connect', '-d', '-b', '--ping-interval', '0', server.url]);
    proc.child.stdin.end(input);
    expect((await proc.result()).code).toBe(0);
    await closed;
    expect(received.map((m) => [m.isBinary, m.data.toString('hex')])).toEqual([
      [true, 'fffe0d41'],
      [true, '4280'],
    ]);
  });

  it('loses no output when stdout is a pipe read slowly: it exits only once everything was written', async () => {
    server = await startEchoServer();
    const serverSawClose = new Promise<void>((resolve) => server!.wss.on('connection', (ws: WebSocket) => ws.on('close', () => resolve())));
    const line = '0'.repeat(1024 * 1024);
    const child = spawn(process.execPath, [CLI_PATH, 'connect', '-d', '--json', '--ping-interval', '0', server.url], { env: { ...process.env, NO_COLOR: '1' } });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    child.stdin.end(line + '\n');
    // Nobody reads stdout until the session is over, as in `rxws connect … | (sleep 1; wc -c)`.
    child.stdout.pause();
    await serverSawClose;
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
    child.stdout.resume();
    expect(await exited).toBe(0);
    const events = output.trim().split('\n').map((l) => JSON.parse(l) as { event: string; data?: string });
    expect(events.map((e) => e.event)).toEqual(['open', 'message', 'close', 'summary']);
    expect(events[1].data).toBe(line);
  });
});
