// Server switches IXWebSocket's servers have: -p (no pongs), --per-message-deflate, -q.
import { once } from 'node:events';
import WebSocket from 'ws';
import { CliProcesses, requireBuiltCli } from './cli-process';

/** Pings, then sends a message; resolves with what came back, in order, up to the message's echo. */
async function pingThenMessage(url: string): Promise<string[]> {
  const ws = new WebSocket(url, { perMessageDeflate: true });
  await once(ws, 'open');
  const seen: string[] = [];
  const done = new Promise<void>((resolve) => {
    ws.on('pong', () => seen.push('pong'));
    ws.on('message', (data) => {
      seen.push(`message ${String(data)}`);
      resolve();
    });
  });
  ws.ping('p');
  ws.send('after');
  await done;
  seen.push(`extensions ${ws.extensions || 'none'}`);
  ws.close();
  await once(ws, 'close');
  return seen;
}

describe('rxws server switches', () => {
  const procs = new CliProcesses();
  beforeAll(requireBuiltCli);
  afterEach(() => procs.killAll());

  it('echo-server answers a ping before echoing what follows it; with -p it does not answer at all', async () => {
    const normal = await procs.server(['echo-server']);
    expect(await pingThenMessage(normal.url)).toEqual(['pong', 'message after', 'extensions none']);
    const quiet = await procs.server(['echo_server', '-p']);
    expect(await pingThenMessage(quiet.url)).toEqual(['message after', 'extensions none']);
  });

  it('--per-message-deflate turns compression on for a client that offers it', async () => {
    const { url } = await procs.server(['echo-server', '--per-message-deflate']);
    expect(await pingThenMessage(url)).toEqual(['pong', 'message after', 'extensions permessage-deflate']);
  });

  it('-q prints no line per connection', async () => {
    const { proc, url } = await procs.server(['echo-server', '-q']);
    await pingThenMessage(url);
    expect(proc.stdout).toMatch(/^listening on /);
    expect(proc.stdout).not.toMatch(/connected|disconnected/);
  });
});
