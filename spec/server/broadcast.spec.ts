import { filter, firstValueFrom } from 'rxjs';
import type WebSocket from 'ws';
import type { WebSocketCloseEvent, WebSocketEvent } from 'rxws';
import type { ServerConnection } from 'rxws/server';
import { flushIo } from '../helpers/observe';
import { closeAll, nextConnection, start, wsClient } from './peers';

afterEach(closeAll);

const isClose = (e: WebSocketEvent): e is WebSocketCloseEvent => e.type === 'close';

/** Resolves with the first `count` messages `ws` receives, as strings (binary as hex). */
function collect(ws: WebSocket, count: number): Promise<string[]> {
  const got: string[] = [];
  return new Promise((resolve) => {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      got.push(isBinary ? `0x${data.toString('hex')}` : data.toString());
      if (got.length === count) resolve(got);
    });
  });
}

async function clients(url: string, n: number, options?: WebSocket.ClientOptions): Promise<WebSocket[]> {
  return Promise.all(Array.from({ length: n }, () => wsClient(url, undefined, options)));
}

describe('broadcast()', () => {
  it('reaches every client in order (50 clients x 100 messages)', async () => {
    const { server, url } = await start();
    const all = await clients(url, 50);
    const received = all.map((ws) => collect(ws, 100));
    const expected = Array.from({ length: 100 }, (_, i) => `msg ${i}`);
    for (let i = 0; i < 100; i++) {
      expect(server.broadcast(expected[i])).toBe(50);
      if (i % 10 === 9) await flushIo(); // spread over several batches
    }
    for (const got of await Promise.all(received)) expect(got).toEqual(expected);
  });

  it('sends text as text and bytes as binary, small and large (header and payload apart)', async () => {
    const { server, url } = await start();
    const [ws] = await clients(url, 1);
    const got = collect(ws, 4);
    const big = Buffer.alloc(200_000, 7);
    server.broadcast('héllo');
    server.broadcast(new Uint8Array([1, 2, 3]));
    server.broadcast(big);
    server.broadcast(new Uint8Array([9]).buffer);
    const messages = await got;
    expect(messages[0]).toBe('héllo');
    expect(messages[1]).toBe('0x010203');
    expect(messages[2]).toBe(`0x${big.toString('hex')}`);
    expect(messages[3]).toBe('0x09');
  });

  it('reaches only the connections the filter accepts, and returns how many', async () => {
    const { server, url } = await start();
    const conns: ServerConnection[] = [];
    server.connections$.subscribe((c) => conns.push(c));
    const all = await clients(url, 4);
    const received = all.map((ws) => collect(ws, 2));
    expect(server.broadcast('odd', (c) => c.id % 2 === 1)).toBe(2);
    expect(server.broadcast('even', (c) => c.id % 2 === 0)).toBe(2);
    expect(server.broadcast('all')).toBe(4);
    const got = await Promise.all(received);
    for (let i = 0; i < 4; i++) expect(got[i]).toEqual([conns[i].id % 2 === 1 ? 'odd' : 'even', 'all']);
  });

  it('keeps order with a connection\'s own send() and close()', async () => {
    const { server, url } = await start();
    const accepted = nextConnection(server);
    const [ws] = await clients(url, 1);
    const conn = await accepted;
    const got = collect(ws, 4);
    server.broadcast('b1');
    conn.send('s1');
    server.broadcast('b2');
    server.broadcast('b3', (c) => c !== undefined);
    const closedWith = new Promise<number>((resolve) => ws.once('close', resolve));
    conn.close(4000);
    expect(await got).toEqual(['b1', 's1', 'b2', 'b3']);
    expect(await closedWith).toBe(4000);
  });

  it('falls back to a per-client send for permessage-deflate clients, in order with the others', async () => {
    const { server, url } = await start({ perMessageDeflate: true });
    const [plain] = await clients(url, 1, { perMessageDeflate: false });
    const [deflated] = await clients(url, 1, { perMessageDeflate: true });
    expect(deflated.extensions).toContain('permessage-deflate');
    const a = collect(plain, 3);
    const b = collect(deflated, 3);
    server.broadcast('one');
    server.broadcast('x'.repeat(5000));
    server.broadcast('three');
    const expected = ['one', 'x'.repeat(5000), 'three'];
    expect(await a).toEqual(expected);
    expect(await b).toEqual(expected);
  });

  it('closes a client that does not read with 1008 "client too slow", while the others keep receiving', async () => {
    const { server, url } = await start({ maxBufferedAmount: 256 * 1024, closeTimeoutMs: 100 });
    const conns: ServerConnection[] = [];
    server.connections$.subscribe((c) => conns.push(c));
    const [reader, stalled] = await clients(url, 2);
    let readerCount = 0;
    reader.on('message', () => readerCount++);
    // Stop reading: the kernel buffers fill, then the server's bufferedAmount grows.
    (stalled as unknown as { _socket: { pause(): void } })._socket.pause();
    const slowClose = firstValueFrom(conns[1].events$.pipe(filter(isClose)));
    const chunk = Buffer.alloc(64 * 1024, 1);
    let sent = 0;
    while (conns[1].readyState === 1 && sent < 2_000) {
      server.broadcast(chunk);
      sent++;
      await flushIo();
    }
    expect(await slowClose).toMatchObject({ code: 1008, reason: 'client too slow', remote: false });
    expect(conns[0].readyState).toBe(1);
    const last = new Promise<void>((resolve) => reader.on('message', (d: Buffer) => d.length === 4 && resolve()));
    server.broadcast('done');
    await last;
    expect(readerCount).toBe(sent + 1);
  });

  it('closes a client that does not read when send() finds too much already waiting', async () => {
    const { server, url } = await start({ maxBufferedAmount: 128 * 1024, closeTimeoutMs: 100 });
    const accepted = nextConnection(server);
    const [stalled] = await clients(url, 1);
    const conn = await accepted;
    (stalled as unknown as { _socket: { pause(): void } })._socket.pause();
    const closeEvent = firstValueFrom(conn.events$.pipe(filter(isClose)));
    const chunk = Buffer.alloc(64 * 1024, 1);
    let accepted2 = 0;
    for (let i = 0; i < 2_000 && conn.send(chunk); i++) {
      accepted2++;
      await flushIo();
    }
    expect(conn.send('more')).toBe(false);
    expect(accepted2).toBeGreaterThan(0);
    expect(await closeEvent).toMatchObject({ code: 1008, reason: 'client too slow' });
  });
});
