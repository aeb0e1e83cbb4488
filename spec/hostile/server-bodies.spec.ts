// Issue 15 item 7: stalled request bodies must not pile up in the server's memory.
import { once } from 'node:events';
import net from 'node:net';
import { DEFAULT_MAX_HTTP_BODY, IXWEBSOCKET_MAX_CONNECTIONS } from 'rxws/server';
import { runPool } from '../leaks/probe';
import { ServerProcess } from './server-process';

const STALLED = 300;
const MiB = 1024 * 1024;
/** Each client sends all of a 1 MiB body but its last KiB, then stalls. */
const SENT_BYTES = DEFAULT_MAX_HTTP_BODY - 1024;
const DROP_BOUND_MS = 20_000;

let server: ServerProcess | undefined;
const sockets = new Set<net.Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await server?.stop();
  server = undefined;
});

/** Opens a POST, writes all of its body but the last KiB; resolves once the data is handed to the kernel. */
async function stall(port: number, body: Buffer): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  sockets.add(socket);
  socket.on('error', () => undefined);
  socket.resume();
  await once(socket, 'connect');
  socket.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${DEFAULT_MAX_HTTP_BODY}\r\n\r\n`);
  await new Promise<void>((resolve) => socket.write(body, () => resolve()));
  return socket;
}

describe('stalled request bodies (issue 15, item 7)', () => {
  it(`${STALLED} stalled 1 MiB POSTs cost at most maxConnections bodies, and are all dropped at the deadline`, async () => {
    // A limit on connections is what bounds the bodies held (the default has none, as ws).
    server = await ServerProcess.start({ options: { maxConnections: IXWEBSOCKET_MAX_CONNECTIONS }, bodySize: true });
    const port = server.port;
    const before = await server.memory();
    const body = Buffer.alloc(SENT_BYTES, 0x61);
    const stalled: net.Socket[] = [];
    await runPool(STALLED, 20, async () => {
      stalled.push(await stall(port, body));
    });
    // None is kept past handshakeTimeoutMs (3 s by default; Node alone waits 300 s).
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, DROP_BOUND_MS)));
    await Promise.race([Promise.all(stalled.map((s) => (s.destroyed ? undefined : once(s, 'close')))), bound]);
    clearTimeout(timer);
    // Peak over the whole run.
    const after = await server.memory();
    // Before: every stalled body was kept (+300 MiB). Now at most maxConnections of them at a time.
    expect(after.maxRss - before.maxRss).toBeLessThan(IXWEBSOCKET_MAX_CONNECTIONS * DEFAULT_MAX_HTTP_BODY * 1.25 + 32 * MiB);
    expect(stalled.filter((s) => !s.destroyed)).toHaveLength(0);
    expect((await server.state()).requests).toBe(0);
  }, 60_000);
});
