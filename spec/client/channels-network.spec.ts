// Channels on real sockets: rxws's client against rxws's server on loopback.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { filter, firstValueFrom, from, Subject, switchMap, take, toArray, type Observable, type Subscription } from 'rxjs';
import { json, MessageError, WebSocketClient, type WebSocketClientOptions, type WebSocketErrorEvent } from 'rxws';
import { redisAdapter } from 'rxws/redis';
import { channels, serve, type BroadcastAdapter, type ChannelsOptions, type ServerConnection, type WebSocketServer } from 'rxws/server';
import { RedisServer } from '../scale/redis-server';
import type { PublisherReport, PublisherRequest } from './channel-publisher';

jest.setTimeout(30_000);

/** Resolves with the client's next frame of envelope kind `k` (e.g. `subok`). */
function nextEnvelope(client: WebSocketClient, k: string): Promise<unknown> {
  return firstValueFrom(client.messages$.pipe(filter((m) => typeof m.data === 'string' && m.data.startsWith('{') && (JSON.parse(m.data) as { k?: unknown }).k === k)));
}

describe('channels on a real network', () => {
  const servers: WebSocketServer[] = [];
  const clients: WebSocketClient[] = [];
  const subscriptions: Subscription[] = [];
  let redis: RedisServer | undefined;
  afterEach(async () => {
    for (const s of subscriptions.splice(0)) s.unsubscribe();
    for (const c of clients.splice(0)) c.stop();
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await redis?.stop();
    redis = undefined;
  });

  async function start(options: ChannelsOptions = {}, port = 0, adapter?: BroadcastAdapter) {
    const server = serve({ host: '127.0.0.1', port, adapter });
    servers.push(server);
    const hub = channels(server, options);
    // Every envelope kind the server receives, with its connection (subscribed at emission, as channels() is).
    const kinds$ = new Subject<{ conn: ServerConnection; k?: unknown; id?: unknown }>();
    subscriptions.push(server.connections$.subscribe((conn) =>
      conn.messages$.subscribe((m) => typeof m.data === 'string' && m.data.startsWith('{') && kinds$.next({ conn, ...(JSON.parse(m.data) as { k?: unknown; id?: unknown }) })),
    ));
    const address = await server.listening;
    return { server, hub, kinds$, url: `ws://127.0.0.1:${address.port}`, port: address.port };
  }

  function client(options: WebSocketClientOptions): WebSocketClient {
    const c = new WebSocketClient({ reconnect: { minWaitMs: 10, maxWaitMs: 50 }, ...options });
    clients.push(c);
    return c;
  }

  function collect<T>(source: Observable<T>, count: number): Promise<T[]> {
    return firstValueFrom(source.pipe(take(count), toArray()));
  }

  it('a publication reaches the subscribers only; the last unsubscribe leaves the topic', async () => {
    const { hub, kinds$, url } = await start();
    const unsubscribed = firstValueFrom(kinds$.pipe(filter((e) => e.k === 'unsub')));
    const alice = client({ url });
    const bob = client({ url });
    const news = collect(alice.channel<{ n: number }>('news'), 2);
    const accepted = nextEnvelope(alice, 'subok');
    const bobMessages: unknown[] = [];
    subscriptions.push(bob.messages$.subscribe((m) => bobMessages.push(m.data)));
    const bobOpen = firstValueFrom(bob.events$.pipe(filter((e) => e.type === 'open')));
    alice.start();
    bob.start();
    await Promise.all([accepted, bobOpen]);
    expect(hub.publish('news', { n: 1 })).toBe(1);
    expect(hub.publish('news', { n: 2 })).toBe(1);
    expect(await news).toEqual([{ n: 1 }, { n: 2 }]);
    expect(bobMessages).toEqual([]);
    // news ended with take(2): the channel's last subscriber left, so the client sent unsub.
    const { conn } = await unsubscribed;
    expect(conn.topics.has('news')).toBe(false);
    expect(hub.publish('news', { n: 3 })).toBe(0);
  });

  it('a refused channel errors with the reason; an accepted one on the same client goes on', async () => {
    const { hub, url } = await start({ authorize: (_conn, name) => !name.startsWith('admin:') || { reason: 'admins only' } });
    const c = client({ url });
    const refusal = firstValueFrom(c.channel('admin:logs')).catch((e: unknown) => e);
    const open = firstValueFrom(c.channel<string>('public'));
    const accepted = nextEnvelope(c, 'subok');
    c.start();
    const error = await refusal;
    expect(error).toBeInstanceOf(MessageError);
    expect(error).toMatchObject({ code: 'CHANNEL_REFUSED', message: "Channel 'admin:logs' refused: admins only" });
    await accepted;
    hub.publish('public', 'still here');
    expect(await open).toBe('still here');
  });

  it('an authorizer answering later (Promise or Observable), or failing, is awaited or refuses', async () => {
    const failures: unknown[] = [];
    const { hub, url } = await start({
      authorize: (_conn, name) => {
        if (name === 'ok') return from(Promise.resolve(true)); // an Observable verdict
        return Promise.resolve().then(() => {
          if (name === 'broken') throw new Error('database down');
          return false;
        });
      },
      onError: (e) => failures.push(e),
    });
    const c = client({ url });
    const broken = firstValueFrom(c.channel('broken')).catch((e: unknown) => e);
    const no = firstValueFrom(c.channel('no')).catch((e: unknown) => e);
    const ok = firstValueFrom(c.channel('ok'));
    const accepted = nextEnvelope(c, 'subok');
    c.start();
    expect(await broken).toMatchObject({ code: 'CHANNEL_REFUSED', message: "Channel 'broken' refused: the server could not decide (its authorizer failed)" });
    expect(await no).toMatchObject({ code: 'CHANNEL_REFUSED', message: "Channel 'no' refused: not allowed" });
    await accepted;
    hub.publish('ok', 1);
    expect(await ok).toBe(1);
    expect(failures).toEqual([new Error('database down')]);
  });

  it('a channel survives a server restart: the client subscribes again on the new server', async () => {
    const first = await start();
    const c = client({ url: first.url });
    const values: string[] = [];
    const two = new Promise<void>((resolve) => subscriptions.push(c.channel<string>('ticks').subscribe((v) => values.push(v) === 2 && resolve())));
    const accepted = nextEnvelope(c, 'subok');
    c.start();
    await accepted;
    first.hub.publish('ticks', 'before');
    await firstValueFrom(c.messages$);
    const dropped = firstValueFrom(c.events$.pipe(filter((e) => e.type === 'close')));
    const reaccepted = nextEnvelope(c, 'subok');
    await first.server.close();
    await dropped;
    const second = await start({}, first.port);
    await reaccepted;
    second.hub.publish('ticks', 'after');
    await two;
    expect(values).toEqual(['before', 'after']);
  });

  it('an expired token is replaced on the next try, and the channel authorizer sees the fresh one', async () => {
    const tokens = ['expired', 'fresh'];
    const server = serve({
      host: '127.0.0.1', port: 0,
      authorize: (request) => request.headers.authorization === 'Bearer fresh' || { status: 401, reason: 'token expired' },
    });
    servers.push(server);
    const hub = channels(server, { authorize: (conn) => conn.request.headers.authorization === 'Bearer fresh' });
    const { port } = await server.listening;
    const c = client({ url: `ws://127.0.0.1:${port}`, headers: () => Promise.resolve({ authorization: `Bearer ${tokens.shift() ?? 'none'}` }) });
    const refusedTry = firstValueFrom(c.events$.pipe(filter((e): e is WebSocketErrorEvent => e.type === 'error')));
    const value = firstValueFrom(c.channel<string>('private'));
    const accepted = nextEnvelope(c, 'subok');
    c.start();
    expect(await refusedTry).toMatchObject({ httpStatus: 401, retries: 1 });
    await accepted;
    hub.publish('private', 'for fresh eyes');
    expect(await value).toBe('for fresh eyes');
    expect(tokens).toEqual([]);
  });

  it('a client with a codec and the message layer (requests) uses the same channels, ids shared with requests', async () => {
    const { hub, kinds$, url } = await start({ authorize: (_conn, name) => name !== 'closed' || { reason: 'closed for today' } });
    const c = new WebSocketClient({ url, codec: json(), messaging: true, reconnect: { minWaitMs: 10, maxWaitMs: 50 } });
    clients.push(c as unknown as WebSocketClient);
    const news = firstValueFrom(c.channel<{ headline: string }>('news'));
    const refusal = firstValueFrom(c.channel('closed')).catch((e: unknown) => e);
    const subs = firstValueFrom(kinds$.pipe(filter((e) => e.k === 'sub'), take(2), toArray()));
    c.request('anything').subscribe().unsubscribe(); // takes id 1 before any connection
    const plain: unknown[] = [];
    subscriptions.push(c.messages$.subscribe((m) => plain.push(m.data)));
    c.start();
    expect((await subs).map((e) => e.id)).toEqual([2, 3]);
    expect(await refusal).toMatchObject({ code: 'CHANNEL_REFUSED', message: "Channel 'closed' refused: closed for today" });
    hub.publish('news', { headline: 'typed' });
    expect(await news).toEqual({ headline: 'typed' });
    expect(plain).toEqual([]); // channel envelopes are taken by the layer, not shown as messages
  });

  it('a server with a codec and handlers (serve({ codec, messaging })) serves channels and requests side by side', async () => {
    const server = serve({ host: '127.0.0.1', port: 0, codec: json(), messaging: { handlers: { double: (body) => 2 * (body as number) } } });
    servers.push(server as unknown as WebSocketServer);
    const hub = channels(server);
    const { port } = await server.listening;
    const c = new WebSocketClient({ url: `ws://127.0.0.1:${port}`, codec: json(), messaging: true });
    clients.push(c as unknown as WebSocketClient);
    const news = firstValueFrom(c.channel<string>('news'));
    const accepted = firstValueFrom(server.raw.connections$.pipe(switchMap((conn) => conn.messages$), filter((m) => String(m.data).includes('"sub"'))));
    c.start();
    expect(await firstValueFrom(c.request<number>('double', 21))).toBe(42);
    await accepted; // channels() has answered it (it reads each frame before this test does)
    hub.publish('news', 'both work');
    expect(await news).toBe('both work');
  });

  it('across instances through the Redis adapter: published on B, received by a subscriber on A', async () => {
    redis = await RedisServer.start();
    const channel = `rxws-channels-${randomBytes(4).toString('hex')}`;
    const adapterA = redisAdapter({ url: redis.url, channel });
    const adapterB = redisAdapter({ url: redis.url, channel });
    const a = await start({}, 0, adapterA);
    const b = await start({}, 0, adapterB);
    await Promise.all([firstValueFrom(adapterA.status$.pipe(filter((s) => s === 'ready'))), firstValueFrom(adapterB.status$.pipe(filter((s) => s === 'ready')))]);
    const c = client({ url: a.url });
    const value = firstValueFrom(c.channel<{ from: string }>('cluster'));
    const accepted = nextEnvelope(c, 'subok');
    c.start();
    await accepted;
    expect(b.hub.publish('cluster', { from: 'B' })).toBe(0); // no subscriber on B itself
    expect(await value).toEqual({ from: 'B' });
  });

  it('across processes through Redis: published by an instance in another process, received by a subscriber here', async () => {
    redis = await RedisServer.start();
    const channel = `rxws-channels-${randomBytes(4).toString('hex')}`;
    const adapter = redisAdapter({ url: redis.url, channel });
    const here = await start({}, 0, adapter);
    const child = fork(path.join(__dirname, 'channel-publisher.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, REDIS_URL: redis.url, REDIS_CHANNEL: channel },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = once(child, 'exit');
    try {
      const reports = new Subject<PublisherReport>();
      child.on('message', (r: PublisherReport) => reports.next(r));
      await Promise.all([firstValueFrom(reports.pipe(filter((r) => r.event === 'ready'))), firstValueFrom(adapter.status$.pipe(filter((s) => s === 'ready')))]);
      const c = client({ url: here.url });
      const values = firstValueFrom(c.channel<{ n: number }>('orders').pipe(take(2), toArray()));
      const accepted = firstValueFrom(here.kinds$.pipe(filter((e) => e.k === 'sub')));
      c.start();
      await accepted;
      const published = firstValueFrom(reports.pipe(filter((r) => r.event === 'published'), take(2), toArray()));
      child.send({ op: 'publish', name: 'orders', body: { n: 1 } } satisfies PublisherRequest);
      child.send({ op: 'publish', name: 'orders', body: { n: 2 } } satisfies PublisherRequest);
      expect(await values).toEqual([{ n: 1 }, { n: 2 }]);
      expect(await published).toEqual([{ event: 'published', local: 0 }, { event: 'published', local: 0 }]);
      child.send({ op: 'close' } satisfies PublisherRequest);
      await exited;
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    }
  });
});
