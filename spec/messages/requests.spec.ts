import { WebSocket } from 'ws';
import { finalize, firstValueFrom, interval, map, Observable, Subject, take, toArray, filter } from 'rxjs';
import { json, msgpack, MessageError, WebSocketClient, type Codec } from 'rxws';
import { serve, type MessageConnection, type MessageServer, type RequestHandlers } from 'rxws/server';
import { record } from '../helpers/observe';

type Conn = MessageConnection<unknown, unknown>;

describe('requests and replies (real sockets)', () => {
  let server: MessageServer<unknown, unknown> | undefined;
  let client: WebSocketClient<unknown, unknown> | undefined;
  const raws: WebSocket[] = [];
  afterEach(async () => {
    client?.stop();
    for (const ws of raws.splice(0)) ws.terminate();
    await server?.close();
    server = client = undefined;
  });

  async function start(handlers: RequestHandlers<Conn>, codec: Codec<unknown, unknown> = json(), extra: { maxInFlight?: number; maxPayload?: number } = {}) {
    server = serve({ host: '127.0.0.1', port: 0, codec, maxPayload: extra.maxPayload, messaging: { handlers, maxInFlight: extra.maxInFlight } });
    const { port } = await server.listening;
    client = new WebSocketClient({ url: `ws://127.0.0.1:${port}`, codec, messaging: true, reconnect: { minWaitMs: 5, maxWaitMs: 20 } });
    client.start();
    return port;
  }

  it('a handler value is the one reply value, then completion', async () => {
    await start({ add: (b) => (b as { a: number; b: number }).a + (b as { a: number; b: number }).b });
    expect(await record(client!.request<number>('add', { a: 2, b: 3 }))).toEqual({ values: [5], completed: true });
  });

  it('a Promise reply, over MessagePack', async () => {
    await start({ later: async (b) => `got ${String(b)}` }, msgpack());
    expect(await record(client!.request('later', 7))).toEqual({ values: ['got 7'], completed: true });
  });

  it('an Observable reply streams every value in order and completes at the client', async () => {
    await start({ count: (n) => interval(1).pipe(take(n as number)) });
    expect(await record(client!.request('count', 50))).toEqual({ values: Array.from({ length: 50 }, (_, i) => i), completed: true });
  });

  it("carries the server's error across with its code, message and data", async () => {
    await start({
      pay: () => Promise.reject(Object.assign(new Error('Not enough funds'), { code: 'NO_FUNDS', data: { balance: 3 } })),
      boom: () => { throw new Error('kaput'); },
    });
    const paid = await record(client!.request('pay', 10));
    expect(paid.error).toBeInstanceOf(MessageError);
    expect(paid.error).toMatchObject({ code: 'NO_FUNDS', message: 'Not enough funds', data: { balance: 3 } });
    expect((await record(client!.request('boom'))).error).toMatchObject({ code: 'HANDLER_FAILED', message: 'kaput' });
  });

  it('an unknown target errors with UNKNOWN_TARGET naming the known ones', async () => {
    await start({ add: () => 0 });
    expect((await record(client!.request('nope'))).error).toMatchObject({ code: 'UNKNOWN_TARGET', message: "No handler for target 'nope'; the server has: add" });
  });

  it('unsubscribing before the end cancels the handler on the server', async () => {
    let stopped!: () => void;
    const torn = new Promise<void>((resolve) => (stopped = resolve));
    const started = new Subject<void>();
    await start({ forever: () => new Observable<number>((s) => { started.next(); s.next(1); }).pipe(finalize(() => stopped())) });
    const got: unknown[] = [];
    const whenStarted = firstValueFrom(started);
    const subscription = client!.request('forever').subscribe((v) => got.push(v));
    await whenStarted;
    subscription.unsubscribe();
    await torn; // the server tore the handler's Observable down
  });

  it('past maxInFlight on the server, a request errors with TOO_MANY_REQUESTS', async () => {
    await start({ hang: () => new Observable<never>() }, json(), { maxInFlight: 2 });
    client!.request('hang').subscribe({ error: () => undefined });
    client!.request('hang').subscribe({ error: () => undefined });
    expect((await record(client!.request('hang'))).error).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
  });

  it('a request body over maxPayload closes with 1009; with no retries it errors with CONNECTION_LOST', async () => {
    await start({ echo: (b) => b }, json(), { maxPayload: 1024 });
    const closes = firstValueFrom(client!.events$.pipe(filter((e) => e.type === 'close')));
    const result = await record(client!.request('echo', 'x'.repeat(4096), { retries: 0 }));
    expect((await closes).type === 'close' && (await closes)).toMatchObject({ code: 1009 });
    expect(result.error).toMatchObject({ code: 'CONNECTION_LOST' });
  });

  describe('across a forced reconnect', () => {
    it('a request whose connection died is sent again with the same id and its handler runs once', async () => {
      let runs = 0;
      let answer!: (v: string) => void;
      const running = new Subject<void>();
      await start({
        gated: () => {
          runs++;
          running.next();
          return new Promise<string>((resolve) => (answer = resolve));
        },
      });
      const connections: Conn[] = [];
      server!.connections$.subscribe((c) => connections.push(c));
      const whenRunning = firstValueFrom(running);
      const reply = record(client!.request<string>('gated', null));
      await whenRunning;
      const second = firstValueFrom(server!.connections$);
      [...server!.clients][0].close(1012, 'restarting');
      await second;
      // the re-sent request reaches the new connection (welcome and req follow the hello in order)
      await firstValueFrom(client!.events$.pipe(filter((e) => e.type === 'open')));
      answer('done once');
      expect(await reply).toEqual({ values: ['done once'], completed: true });
      expect(runs).toBe(1);
    });

    it('a streamed reply goes on after the reconnect with no value lost or repeated', async () => {
      const values = new Subject<number>();
      const running = new Subject<void>();
      let runs = 0;
      await start({ feed: () => (runs++, running.next(), values.asObservable()) });
      const whenRunning = firstValueFrom(running);
      const got: number[] = [];
      const first = new Subject<void>();
      const done = new Promise<void>((resolve, reject) =>
        client!.request<number>('feed').subscribe({ next: (v) => (got.push(v), got.length === 2 && first.next()), complete: resolve, error: reject }),
      );
      const whenTwo = firstValueFrom(first);
      await whenRunning;
      values.next(0);
      values.next(1);
      await whenTwo;
      const second = firstValueFrom(server!.connections$);
      const closed = firstValueFrom(client!.events$.pipe(filter((e) => e.type === 'close')));
      [...server!.clients][0].close(1012, 'restarting');
      await closed;
      values.next(2); // emitted while the client is away: kept for it
      values.next(3);
      await second;
      await firstValueFrom(client!.events$.pipe(filter((e) => e.type === 'open')));
      values.next(4);
      values.complete();
      await done;
      expect(got).toEqual([0, 1, 2, 3, 4]);
      expect(runs).toBe(1);
    });
  });

  describe('bad payloads', () => {
    async function rawPeer(port: number): Promise<{ ws: WebSocket; next: () => Promise<unknown> }> {
      const ws = new WebSocket(`ws://127.0.0.1:${port}`);
      raws.push(ws);
      const inbox: unknown[] = [];
      const waiters: Array<() => void> = [];
      ws.on('message', (d) => {
        inbox.push(JSON.parse(d.toString()));
        waiters.splice(0).forEach((w) => w());
      });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const next = async (): Promise<unknown> => {
        while (inbox.length === 0) await new Promise<void>((r) => waiters.push(r));
        return inbox.shift();
      };
      return { ws, next };
    }

    it('an undecodable frame gets an err DECODE_FAILED (no id) and the connection goes on', async () => {
      const port = await start({ add: () => 1 });
      const seen = firstValueFrom(server!.connections$.pipe(take(2), toArray()).pipe(map((c) => c[1])));
      const peer = await rawPeer(port);
      const conn = await seen;
      const decodeErrors = firstValueFrom(conn.events$.pipe(filter((e) => e.type === 'decodeError')));
      peer.ws.send('{oops');
      expect(await peer.next()).toMatchObject({ k: 'err', code: 'DECODE_FAILED' });
      expect(await decodeErrors).toMatchObject({ error: { code: 'DECODE_FAILED', raw: '{oops' } });
      peer.ws.send(JSON.stringify({ k: 'req', id: 1, target: 'add' }));
      expect(await peer.next()).toEqual({ k: 'res', id: 1, body: 1 });
    });

    it('an envelope of the wrong shape gets INVALID_ENVELOPE naming the field', async () => {
      const port = await start({});
      const peer = await rawPeer(port);
      peer.ws.send(JSON.stringify({ k: 'req', id: 'one', target: 'x' }));
      expect(await peer.next()).toMatchObject({ k: 'err', code: 'INVALID_ENVELOPE', message: expect.stringContaining('"req" needs "id"') });
    });

    it('a sub with no channels is refused with CHANNEL_REFUSED; an extension can take it', async () => {
      const port = await start({});
      const peer = await rawPeer(port);
      peer.ws.send(JSON.stringify({ k: 'sub', id: 1, channel: 'news' }));
      expect(await peer.next()).toEqual({ k: 'err', id: 1, code: 'CHANNEL_REFUSED', message: "This server has no channels; 'news' cannot be subscribed" });
      const closedConnections: number[] = [];
      const withChannels = serve({
        host: '127.0.0.1',
        port: 0,
        codec: json(),
        messaging: {
          extensions: [{
            receive: (e, _conn, send) => e.k === 'sub' && send({ k: 'subok', id: e.id, channel: e.channel }),
            closed: (conn) => closedConnections.push(conn.id),
          }],
        },
      });
      try {
        const other = await rawPeer((await withChannels.listening).port);
        other.ws.send(JSON.stringify({ k: 'sub', id: 2, channel: 'news' }));
        expect(await other.next()).toEqual({ k: 'subok', id: 2, channel: 'news' });
      } finally {
        await withChannels.close();
      }
      expect(closedConnections).toEqual([1]);
    });

    it('a reply for an unknown id is ignored by the client, which goes on', async () => {
      const wss = new (await import('ws')).WebSocketServer({ host: '127.0.0.1', port: 0 });
      await new Promise((r) => wss.once('listening', r));
      wss.on('connection', (ws) => {
        ws.on('message', (d) => {
          const e = JSON.parse(d.toString()) as { k: string; id: number };
          if (e.k !== 'req') return;
          ws.send(JSON.stringify({ k: 'res', id: 999, body: 'stray' }));
          ws.send(JSON.stringify({ k: 'res', id: e.id, body: 'mine' }));
        });
      });
      try {
        const port = (wss.address() as { port: number }).port;
        client = new WebSocketClient({ url: `ws://127.0.0.1:${port}`, codec: json(), messaging: true });
        client.start();
        expect(await record(client.request('x'))).toEqual({ values: ['mine'], completed: true });
      } finally {
        client?.stop();
        for (const c of wss.clients) c.terminate();
        await new Promise((r) => wss.close(r));
      }
    });
  });
});
