// Issue 15, server items 7, 13, 14, 15, 16: hostile HTTP and upgrade requests.
import { once } from 'node:events';
import net from 'node:net';
import { echoRequest, type ServerErrorEvent, type WebSocketServer } from 'rxws/server';
import { requestTarget } from '../../src/server/request-target';
import { closeAll, nextConnection, start, upgradeRequest, wsClient } from '../server/peers';

/** Longest a test waits for the server to drop a socket: far below Node's own 60–300 s timeouts. */
const DROP_BOUND_MS = 5_000;

const sockets = new Set<net.Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await closeAll();
});

/** A raw TCP client that records what it receives. */
async function raw(port: number): Promise<{ socket: net.Socket; received: () => string; until: (text: string | RegExp) => Promise<string> }> {
  const socket = net.connect(port, '127.0.0.1');
  sockets.add(socket);
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const received = (): string => Buffer.concat(chunks).toString('latin1');
  const until = async (text: string | RegExp): Promise<string> => {
    const has = (): boolean => (typeof text === 'string' ? received().includes(text) : text.test(received()));
    while (!has()) {
      if (socket.destroyed) throw new Error(`closed before ${String(text)}; got ${JSON.stringify(received())}`);
      await Promise.race([once(socket, 'data'), once(socket, 'close')]);
    }
    return received();
  };
  return { socket, received, until };
}

/** Resolves with the time the server took to close `socket`; rejects past `boundMs`. */
async function closedWithin(socket: net.Socket, boundMs: number): Promise<number> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the server did not drop the socket within ${boundMs} ms`)), boundMs);
  });
  try {
    if (!socket.destroyed) await Promise.race([once(socket, 'close'), bound]);
  } finally {
    clearTimeout(timer);
  }
  return Date.now() - started;
}

const GET = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

/** Tries `attempt` until it resolves, at most `times` times (the server notices a close a little later). */
async function eventually<T>(attempt: () => Promise<T>, times = 50): Promise<T> {
  let last: unknown;
  for (let i = 0; i < times; i++) {
    try {
      return await attempt();
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

function errorsOf(server: WebSocketServer): ServerErrorEvent[] {
  const errors: ServerErrorEvent[] = [];
  server.errors$.subscribe((e) => errors.push(e));
  return errors;
}

describe('every request on a kept-alive socket has a deadline (item 7)', () => {
  it('drops a client that sends half a second request head after a first answered one', async () => {
    const { port } = await start({ handshakeTimeoutMs: 200 });
    const client = await raw(port);
    client.socket.write(GET);
    await client.until(/^HTTP\/1\.1 426[^]*\r\n\r\n[^]*WebSocket server/);
    client.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await closedWithin(client.socket, DROP_BOUND_MS);
  });

  it('answers 408 to a client whose onRequest body stalls, and closes the socket', async () => {
    let handled = 0;
    const { port } = await start({ handshakeTimeoutMs: 200, onRequest: () => ({ status: 200, body: String(++handled) }) });
    const client = await raw(port);
    client.socket.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n0123456789');
    await closedWithin(client.socket, DROP_BOUND_MS);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 [^]*Connection: close[^]*did not arrive in time$/);
    expect(handled).toBe(0);
  });

  it('keeps a socket whose requests come in time, and waits for a handler slower than the deadline', async () => {
    let answerFirst: (() => void) | undefined;
    const onRequest = (): Promise<{ status: number; body: string }> | { status: number; body: string } =>
      answerFirst === undefined ? new Promise((resolve) => (answerFirst = () => resolve({ status: 200, body: 'late' }))) : { status: 200, body: 'next' };
    const { port } = await start({ handshakeTimeoutMs: 300, onRequest });
    const client = await raw(port);
    const idle = await raw(port);
    client.socket.write(GET);
    // The idle socket's drop proves the deadline has passed; the server, not the client, is late.
    await closedWithin(idle.socket, DROP_BOUND_MS);
    expect(answerFirst).toBeDefined();
    answerFirst?.();
    await client.until(/^HTTP\/1\.1 200[^]*late$/);
    client.socket.write(GET);
    await client.until(/late[^]*HTTP\/1\.1 200[^]*next$/);
    expect(client.socket.destroyed).toBe(false);
  });
});

describe('plain HTTP sockets count in maxConnections (item 7)', () => {
  it('refuses an upgrade and a request with 503 while kept-alive HTTP sockets hold the slots, and frees a slot when one leaves', async () => {
    const { port, url } = await start({ maxConnections: 2, handshakeTimeoutMs: 10_000, onRequest: () => ({ status: 200, body: 'ok' }) });
    const a = await raw(port);
    const b = await raw(port);
    a.socket.write(GET);
    b.socket.write(GET);
    await a.until('ok');
    await b.until('ok');
    await expect(wsClient(url)).rejects.toThrow('status 503');
    const c = await raw(port);
    c.socket.write(GET);
    expect(await c.until(/\r\n\r\n[^]*limit of 2/)).toMatch(/^HTTP\/1\.1 503 [^]*Retry-After: 1/);
    a.socket.destroy();
    expect((await eventually(() => wsClient(url))).readyState).toBe(1);
  });
});

describe('authorize and maxConnections (item 13)', () => {
  it('frees the slot of a client that leaves while authorize is still pending', async () => {
    let calls = 0;
    const authorize = (): Promise<boolean> | boolean => (++calls === 1 ? new Promise<boolean>(() => undefined) : true);
    const { port, url } = await start({ maxConnections: 1, handshakeTimeoutMs: 10_000, authorize });
    const first = await raw(port);
    first.socket.write(upgradeRequest());
    for (let i = 0; i < 100 && calls === 0; i++) await new Promise((r) => setImmediate(r));
    expect(calls).toBe(1);
    first.socket.destroy();
    expect((await eventually(() => wsClient(url))).readyState).toBe(1);
  });

  it('answers 503 when authorize does not settle within handshakeTimeoutMs, and reports it', async () => {
    const { port, server } = await start({ handshakeTimeoutMs: 200, authorize: () => new Promise<boolean>(() => undefined) });
    const errors = errorsOf(server);
    const client = await raw(port);
    client.socket.write(upgradeRequest());
    await closedWithin(client.socket, DROP_BOUND_MS);
    expect(client.received()).toMatch(/^HTTP\/1\.1 503 [^]*could not decide/);
    expect(errors).toEqual([{ source: 'authorize', error: expect.objectContaining({ message: expect.stringMatching(/did not settle within handshakeTimeoutMs \(200 ms\)/) }) }]);
  });
});

describe('a GET pipelined before an upgrade (item 14)', () => {
  it('writes the 200 before the 101, then the connection works', async () => {
    const { port, server } = await start({ onRequest: async () => ({ status: 200, body: 'first' }) });
    const accepted = nextConnection(server);
    const client = await raw(port);
    client.socket.write(GET + upgradeRequest());
    const got = await client.until(/HTTP\/1\.1 101[^]*\r\n\r\n/);
    expect(got.indexOf('HTTP/1.1 200')).toBeGreaterThanOrEqual(0);
    expect(got.indexOf('HTTP/1.1 200')).toBeLessThan(got.indexOf('HTTP/1.1 101'));
    expect((await accepted).request.url).toBe('/');
  });
});

describe('absolute-form request targets (item 15)', () => {
  it.each([
    ['/chat?room=1', '/chat?room=1'],
    ['http://evil/admin', '/admin'],
    ['HTTP://evil:8080/admin?x=1', '/admin?x=1'],
    ['http://evil', '/'],
    ['http://evil?x=1', '/?x=1'],
    ['wss://evil/chat', '/chat'],
  ])('%s is seen as %s', (target, path) => {
    expect(requestTarget(target)).toBe(path);
  });

  it.each(['*', 'evil/admin', 'ftp://evil/x', 'http://', ''])('%j is refused with 400', (target) => {
    expect(requestTarget(target)).toEqual(expect.objectContaining({ status: 400 }));
  });

  it('gives onRequest and authorize the path and query only', async () => {
    const seen: string[] = [];
    const { port, server } = await start({
      onRequest: echoRequest(),
      authorize: (req) => {
        seen.push(req.url);
        return true;
      },
    });
    const http = await raw(port);
    http.socket.write('GET http://evil/admin?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await http.until(/\}$/)).toContain('"url":"/admin?x=1"');
    const accepted = nextConnection(server);
    const ws = await raw(port);
    ws.socket.write(upgradeRequest({}, 'GET http://evil/chat HTTP/1.1'));
    await ws.until('HTTP/1.1 101');
    expect((await accepted).request.url).toBe('/chat');
    expect(seen).toEqual(['/chat']);
  });

  it('answers 400 to OPTIONS * and to an upgrade whose target is not a path', async () => {
    const { port } = await start({ onRequest: echoRequest() });
    const a = await raw(port);
    a.socket.write('OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await a.until(/\r\n\r\n[^]*must be a path/)).toMatch(/^HTTP\/1\.1 400 /);
    const b = await raw(port);
    b.socket.write(upgradeRequest({}, 'GET ftp://evil/chat HTTP/1.1'));
    expect(await b.until(/\r\n\r\n[^]*must be a path/)).toMatch(/^HTTP\/1\.1 400 /);
  });
});

describe('a client that leaves mid-body (item 16)', () => {
  it('is not reported on errors$ as an onRequest failure', async () => {
    let handled = 0;
    const onRequest = (): { status: number; body: string } => {
      handled++;
      return { status: 200, body: 'ok' };
    };
    const { port, server } = await start({ maxConnections: 1, onRequest });
    const errors = errorsOf(server);
    const leaving = await raw(port);
    leaving.socket.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n0123456789');
    // Its slot shows when the server has seen the request; wait for that, then leave.
    const probe = await raw(port);
    probe.socket.write(GET);
    await probe.until(/^HTTP\/1\.1 503/);
    leaving.socket.destroy();
    // Once the slot is free again the server has handled the departure (and reported it, if it would).
    await eventually(async () => {
      const next = await raw(port);
      next.socket.write(GET);
      const answer = await next.until(/\r\n\r\n/);
      if (!answer.startsWith('HTTP/1.1 200')) throw new Error(answer);
    });
    expect(errors).toEqual([]);
    expect(handled).toBe(1);
  });
});
