// serve()'s connections cork per turn (corkWrites, default on): the frames sent to a client in
// one turn leave in one socket write, in order, with their write reports and a close after them.
import type WebSocket from 'ws';
import { serve, ServeOptionsError, type ServeOptions, type ServerConnection } from 'rxws/server';
import { countWrites } from '../helpers/writes';
import { closeAll, closed, nextConnection, start, wsClient } from './peers';

afterEach(closeAll);

const MESSAGES = 100;

/** Resolves with the first `n` text messages `ws` receives. */
function collect(ws: WebSocket, n: number): Promise<string[]> {
  const got: string[] = [];
  return new Promise((resolve) => ws.on('message', (data: Buffer) => got.push(data.toString()) === n && resolve(got)));
}

async function pair(options: ServeOptions = {}): Promise<{ conn: ServerConnection; client: WebSocket }> {
  const { server, url } = await start(options);
  const accepted = nextConnection(server);
  const client = await wsClient(url);
  return { conn: await accepted, client };
}

const expected = Array.from({ length: MESSAGES }, (_, i) => `m${i}`);

describe('serve(): writes corked per turn (corkWrites)', () => {
  it('sends the messages of one turn to a client in one socket write (100 writes with corkWrites: false)', async () => {
    for (const corkWrites of [true, false]) {
      const { conn, client } = await pair({ corkWrites });
      const counter = countWrites(conn.stream);
      const got = collect(client, MESSAGES);
      for (const m of expected) conn.send(m);
      expect(await got).toEqual(expected);
      expect(counter.writes).toBe(corkWrites ? 1 : MESSAGES);
    }
  });

  it('an echo server writes at most once per read of the socket, however many messages a read held', async () => {
    const { conn, client } = await pair();
    const counter = countWrites(conn.stream);
    let reads = 0;
    conn.stream.on('data', () => reads++);
    conn.messages$.subscribe((m) => conn.send(m.data));
    const got = collect(client, MESSAGES);
    for (const m of expected) client.send(m);
    expect(await got).toEqual(expected);
    expect(reads).toBeGreaterThan(0);
    expect(counter.writes).toBeLessThanOrEqual(reads);
  });

  it('reports writes in send order, after the turn', async () => {
    const { conn, client } = await pair();
    const reports: number[] = [];
    const all = new Promise<void>((resolve) => {
      for (let i = 0; i < MESSAGES; i++) conn.send(expected[i], (err) => (err === undefined ? reports.push(i) : reports.push(-1)) === MESSAGES && resolve());
    });
    expect(conn.bufferedAmount).toBeGreaterThanOrEqual(MESSAGES * 4);
    expect(reports).toEqual([]);
    const got = collect(client, MESSAGES);
    await all;
    expect(reports).toEqual(expected.map((_, i) => i));
    expect(await got).toEqual(expected);
  });

  it('a close in the same turn goes after the sends and a queued broadcast: the client gets them all, then the close', async () => {
    const { server, url } = await start();
    const accepted = nextConnection(server);
    const client = await wsClient(url);
    const conn = await accepted;
    const got = collect(client, MESSAGES + 1);
    const closing = closed(client);
    server.broadcast('all');
    for (const m of expected) conn.send(m);
    conn.close(4000, 'done');
    expect(await got).toEqual(['all', ...expected]);
    expect(await closing).toEqual([4000, 'done']);
  });

  it('refuses a corkWrites that is not a boolean', () => {
    expect(() => serve({ port: 0, corkWrites: 1 as unknown as boolean })).toThrow(ServeOptionsError);
    expect(() => serve({ port: 0, corkWrites: 1 as unknown as boolean })).toThrow('corkWrites must be true or false, got 1');
  });
});
