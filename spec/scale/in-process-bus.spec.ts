import { firstValueFrom, take, toArray } from 'rxjs';
import type WebSocket from 'ws';
import { InProcessBus, ServeOptionsError, serve, type AdapterHost, type AdapterMessage, type BroadcastAdapter, type ServerConnection, type WebSocketServer } from 'rxws/server';
import { closeAll, inbox, received, start, wsClient } from '../server/peers';

afterEach(closeAll);

interface Instance {
  server: WebSocketServer;
  ws: WebSocket[];
  conns: ServerConnection[];
  got: string[][];
}

async function instance(adapter: BroadcastAdapter, clients: number): Promise<Instance> {
  const { server, url } = await start({ adapter });
  const conns: ServerConnection[] = [];
  server.connections$.subscribe((c) => conns.push(c));
  const ws: WebSocket[] = [];
  for (let i = 0; i < clients; i++) ws.push(await wsClient(url));
  return { server, ws, conns, got: ws.map(inbox) };
}

/** A marker from each instance, awaited at every client: everything broadcast before has arrived. */
async function settle(...instances: Instance[]): Promise<void> {
  const everyone = instances.flatMap((i) => i.ws);
  for (const [n, i] of instances.entries()) {
    const all = Promise.all(everyone.map((w) => received(w, `.${n}`)));
    i.server.broadcast(`.${n}`);
    await all;
  }
}

const messages = (got: string[][]): string[][] => got.map((g) => g.filter((m) => !m.startsWith('.')));

/** An adapter whose publish fails, to see how the server reports it. */
function failingAdapter(): BroadcastAdapter & { closed: boolean } {
  return {
    closed: false,
    attach: (_host: AdapterHost) => undefined,
    publish: (_m: AdapterMessage) => Promise.reject(new Error('transport down')),
    close() {
      this.closed = true;
      return Promise.resolve();
    },
  };
}

describe('InProcessBus', () => {
  it('makes two servers one: a broadcast from either reaches every client once', async () => {
    const bus = new InProcessBus();
    const a = await instance(bus.adapter(), 2);
    const b = await instance(bus.adapter(), 2);
    expect(a.server.broadcast('from a')).toBe(2);
    expect(b.server.broadcast(new Uint8Array([0xff, 0]))).toBe(2);
    await settle(a, b);
    for (const got of messages([...a.got, ...b.got])) expect(got).toEqual(['from a', '0xff00']);
  });

  it('carries topics to the other server; except only applies where the connection lives', async () => {
    const bus = new InProcessBus();
    const a = await instance(bus.adapter(), 2);
    const b = await instance(bus.adapter(), 2);
    a.conns[0].join('room');
    a.conns[1].join('room');
    b.conns[0].join('room');
    expect(a.server.broadcast('hi', { topic: 'room', except: a.conns[0] })).toBe(1);
    await settle(a, b);
    expect(messages(a.got)).toEqual([[], ['hi']]);
    expect(messages(b.got)).toEqual([['hi'], []]);
  });

  it('keeps a broadcast with a filter function on its own server', async () => {
    const bus = new InProcessBus();
    const a = await instance(bus.adapter(), 1);
    const b = await instance(bus.adapter(), 1);
    expect(a.server.broadcast('local', () => true)).toBe(1);
    await settle(a, b);
    expect(messages(a.got)).toEqual([['local']]);
    expect(messages(b.got)).toEqual([[]]);
  });

  it('publish() resolves with the local count and the instances reached', async () => {
    const bus = new InProcessBus();
    const a = await instance(bus.adapter(), 2);
    await instance(bus.adapter(), 1);
    await expect(a.server.publish('x')).resolves.toEqual({ local: 2, instances: 2 });
    const alone = await instance(bus.adapter(), 0);
    await a.server.close();
    await expect(alone.server.publish('y')).resolves.toEqual({ local: 0, instances: 2 });
  });

  it('without an adapter, publish() resolves at once with one instance', async () => {
    const { server, url } = await start();
    await wsClient(url);
    await expect(server.publish('solo', { topic: 'none' })).resolves.toEqual({ local: 0, instances: 1 });
    await expect(server.publish('solo')).resolves.toEqual({ local: 1, instances: 1 });
  });

  it('refuses an adapter used by two servers', async () => {
    const adapter = new InProcessBus().adapter();
    await start({ adapter });
    expect(() => serve({ port: 0, adapter })).toThrow(/already serves a server/);
  });
});

describe('a failing adapter', () => {
  it('publish() rejects with its error, after the local clients got the message', async () => {
    const a = await instance(failingAdapter(), 1);
    await expect(a.server.publish('hello')).rejects.toThrow('transport down');
    await settle(a);
    expect(messages(a.got)).toEqual([['hello']]);
  });

  it('broadcast() still returns the local count and reports the failure on errors$', async () => {
    const a = await instance(failingAdapter(), 1);
    const errors = firstValueFrom(a.server.errors$.pipe(take(2), toArray()));
    expect(a.server.broadcast('one')).toBe(1);
    expect(a.server.broadcast('two', { topic: 't' })).toBe(0);
    const reported = await errors;
    expect(reported.map((e) => [e.source, (e.error as Error).message])).toEqual([
      ['adapter', 'transport down'],
      ['adapter', 'transport down'],
    ]);
  });

  it('is closed with the server; publish() after close() rejects', async () => {
    const adapter = failingAdapter();
    const { server } = await start({ adapter });
    await server.close();
    expect(adapter.closed).toBe(true);
    await expect(server.publish('late')).rejects.toThrow(/the server is closed/);
  });

  it('serve() rejects something that is not an adapter with a ServeOptionsError', () => {
    expect(() => serve({ port: 0, adapter: { attach() {} } as unknown as BroadcastAdapter })).toThrow(ServeOptionsError);
    expect(() => serve({ port: 0, adapter: {} as BroadcastAdapter })).toThrow(/missing attach, publish, close/);
  });
});
