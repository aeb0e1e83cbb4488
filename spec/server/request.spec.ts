// `connection.request` is made from a compact copy on first read (src/server/kept-request.ts):
// whenever it is read, it says what the handshake said.
import { once } from 'node:events';
import net from 'node:net';
import { firstValueFrom, toArray } from 'rxjs';
import type { WebSocketEvent } from 'rxws';
import type { ServerConnection, UpgradeRequest } from 'rxws/server';
import { SharedStrings } from '../../src/server/kept-request';
import { closeAll, closed, nextConnection, start, upgradeRequest, wsClient } from './peers';

const rawSockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of rawSockets.splice(0)) s.destroy();
  await closeAll();
});

/** Resolves when the connection has closed (its events$ completed), without reading `request`. */
function ended(conn: ServerConnection): Promise<WebSocketEvent[]> {
  return firstValueFrom(conn.events$.pipe(toArray()));
}

/** A raw TCP client that sends `head` and waits for the 101. */
async function rawUpgrade(port: number, head: string): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  rawSockets.push(socket);
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write(head);
  const [chunk] = (await once(socket, 'data')) as [Buffer];
  expect(chunk.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
  return socket;
}

describe('connection.request', () => {
  it('is readable after the client has closed, when nobody read it before', async () => {
    const { server, url } = await start({ protocols: ['chat.v1'] });
    const accepted = nextConnection(server);
    const ws = await wsClient(`${url}/room/7?x=1`, ['chat.v1'], { headers: { 'X-Token': 'abc' } });
    const localPort = (ws as unknown as { _socket: net.Socket })._socket.localPort;
    const conn = await accepted;
    const done = ended(conn);
    ws.close(1000);
    await closed(ws);
    await done;
    expect(conn.request).toMatchObject({ url: '/room/7?x=1', remoteAddress: '127.0.0.1', remotePort: localPort, protocol: 'chat.v1' });
    expect(conn.request.headers['x-token']).toBe('abc');
    expect(conn.request.headers['sec-websocket-protocol']).toBe('chat.v1');
    expect(conn.request.headers['sec-websocket-key']).toMatch(/^[+/0-9A-Za-z]{22}==$/);
  });

  it('keeps the peer address and port of a client that reset the connection', async () => {
    const { server, port } = await start();
    const accepted = nextConnection(server);
    const socket = await rawUpgrade(port, upgradeRequest());
    const conn = await accepted;
    const done = ended(conn);
    const localPort = socket.localPort;
    socket.resetAndDestroy();
    const events = await done;
    expect(events.at(-1)).toMatchObject({ type: 'close', code: 1006 });
    expect(conn.request.remoteAddress).toBe('127.0.0.1');
    expect(conn.request.remotePort).toBe(localPort);
  });

  it('holds the headers exactly as Node gave them to authorize: repeated ones joined, order kept', async () => {
    let seen: UpgradeRequest['headers'] | undefined;
    const { server, port } = await start({
      authorize: (request) => {
        seen = { ...request.headers };
        return true;
      },
    });
    const accepted = nextConnection(server);
    const key = 'dGhlIHNhbXBsZSBub25jZQ==';
    const head =
      'GET /odd?q=%22x%22 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Multi: a\r\nUpgrade: websocket\r\nX-Multi: b\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Key: ${key}\r\nCookie: a=1\r\nCookie: b=2\r\nX-Quoted: "sec-websocket-key":"${key}"\r\n` +
      'X-Latin1: caf\xe9 \\ end\r\nSec-WebSocket-Version: 13\r\n\r\n';
    await rawUpgrade(port, head);
    const conn = await accepted;
    expect(seen).toBeDefined();
    expect(conn.request.headers).toEqual(seen);
    expect(Object.keys(conn.request.headers)).toEqual(Object.keys(seen!));
    expect(conn.request.headers['x-multi']).toBe('a, b');
    expect(conn.request.headers['x-quoted']).toBe(`"sec-websocket-key":"${key}"`);
    expect(conn.request.url).toBe('/odd?q=%22x%22');
  });

  it('is the same object on every read, and the open event carries its url and headers', async () => {
    const { server, url } = await start();
    const accepted = nextConnection(server);
    await wsClient(`${url}/a`, undefined, { headers: { 'X-Two': ['1', '2'] as unknown as string } });
    const conn = await accepted;
    const open = await firstValueFrom(conn.events$);
    expect(open).toMatchObject({ type: 'open', url: '/a', protocol: '' });
    const request = conn.request;
    expect(conn.request).toBe(request);
    expect(open.type === 'open' && open.headers).toEqual({ ...request.headers });
    expect(request.headers['x-two']).toBe('1, 2');
  });

  it('gives each of two clients with the same request its own key and port', async () => {
    const { server, url } = await start();
    const conns: ServerConnection[] = [];
    const both = new Promise<void>((resolve) => server.connections$.subscribe((c) => conns.push(c) === 2 && resolve()));
    const a = await wsClient(`${url}/same`);
    const b = await wsClient(`${url}/same`);
    await both;
    const portOf = (ws: unknown): number | undefined => (ws as { _socket: net.Socket })._socket.localPort;
    const [first, second] = conns;
    expect(first.request.headers['sec-websocket-key']).not.toBe(second.request.headers['sec-websocket-key']);
    expect([first.request.remotePort, second.request.remotePort]).toEqual([portOf(a), portOf(b)]);
    expect({ ...first.request.headers, 'sec-websocket-key': '' }).toEqual({ ...second.request.headers, 'sec-websocket-key': '' });
  });
});

describe('SharedStrings', () => {
  it('returns the text it was given, and stays within its capacity', () => {
    const strings = new SharedStrings(4);
    for (let i = 0; i < 10; i++) expect(strings.share(`head ${i}`)).toBe(`head ${i}`);
    expect(strings.size).toBe(4);
    expect(strings.share('head 9')).toBe('head 9');
    expect(strings.size).toBe(4);
  });

  it('does not keep texts over 4 KiB', () => {
    const strings = new SharedStrings(4);
    const long = 'x'.repeat(4 * 1024 + 1);
    expect(strings.share(long)).toBe(long);
    expect(strings.size).toBe(0);
  });
});
