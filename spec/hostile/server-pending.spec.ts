// Issue 15 item 2: a connection nobody subscribes to must not keep every message it receives.
import WebSocket from 'ws';
import { serve } from 'rxws/server';
import { ServerProcess } from './server-process';

const MESSAGE_BYTES = 8 * 1024 * 1024;
const MESSAGES = 16;
const MiB = 1024 * 1024;

let server: ServerProcess | undefined;
let client: WebSocket | undefined;
afterEach(async () => {
  client?.terminate();
  client = undefined;
  await server?.stop();
  server = undefined;
});

function open(port: number): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  ws.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

describe('a server connection nobody subscribes to (issue 15, item 2)', () => {
  it('stops reading at maxPendingBytes (default 1 MiB), holds about one message, then delivers all of them once someone subscribes', async () => {
    server = await ServerProcess.start({ options: {} });
    const before = await server.memory();
    client = await open(server.port);
    const payload = Buffer.alloc(MESSAGE_BYTES, 7);
    for (let i = 0; i < MESSAGES; i++) client.send(payload);
    // Either the server pauses that client (fixed), or it reads everything (the memory below fails).
    const held = await server.waitForState((s) => s.paused === 1 || s.bytesRead >= MESSAGES * MESSAGE_BYTES, 60_000);
    const during = await server.memory();
    // One pending message, plus at most a partly read second one.
    expect(during.arrayBuffers - before.arrayBuffers).toBeLessThan(3 * MESSAGE_BYTES);
    expect(during.rss - before.rss).toBeLessThan(4 * MESSAGE_BYTES + 16 * MiB);
    expect(held.paused).toBe(1);
    // Nothing was dropped: a late subscriber gets every message.
    await server.subscribe();
    const all = await server.waitForState((s) => s.messages === MESSAGES, 60_000);
    expect(all.messageBytes).toBe(MESSAGES * MESSAGE_BYTES);
  }, 120_000);

  it('keeps reading for a connection that is subscribed to', async () => {
    server = await ServerProcess.start({ options: { maxPendingBytes: 1024 } });
    client = await open(server.port);
    await server.waitForState((s) => s.connections === 1);
    await server.subscribe();
    for (let i = 0; i < 4; i++) client.send(Buffer.alloc(64 * 1024, 1));
    const s = await server.waitForState((st) => st.messages === 4);
    expect(s.paused).toBe(0);
  });
});

describe('maxPendingBytes validation', () => {
  it.each([0, -1, 1.5, Number.NaN])('refuses maxPendingBytes %p, naming the option', (value) => {
    expect(() => serve({ maxPendingBytes: value })).toThrow(/maxPendingBytes must be an integer >= 1/);
  });
});
