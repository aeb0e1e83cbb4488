// channels() against a peer that is not rxws: a plain `ws` client speaking the frames of
// docs/protocol.md by hand, as a client in another language would.
import { once } from 'node:events';
import { firstValueFrom, type Subscription } from 'rxjs';
import { WebSocket } from 'ws';
import { channels, serve, type ServerConnection, type WebSocketServer } from 'rxws/server';

jest.setTimeout(20_000);

/** A raw client: sends envelopes as JSON text, and waits for the next envelope of a kind. */
class RawPeer {
  readonly frames: Array<Record<string, unknown>> = [];
  private waiters: Array<{ k: string; resolve: (e: Record<string, unknown>) => void }> = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const envelope = JSON.parse(String(data)) as Record<string, unknown>;
      this.frames.push(envelope);
      const waiter = this.waiters.find((w) => w.k === envelope.k);
      if (waiter !== undefined) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(envelope);
      }
    });
  }

  static async open(url: string): Promise<RawPeer> {
    const ws = new WebSocket(url);
    const peer = new RawPeer(ws);
    await once(ws, 'open');
    return peer;
  }

  send(envelope: object): void {
    this.ws.send(JSON.stringify(envelope));
  }

  next(k: string): Promise<Record<string, unknown>> {
    return new Promise((resolve) => this.waiters.push({ k, resolve }));
  }
}

/** A promise with its resolve function, for an authorizer that answers when the test says. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('channels() (rxws/server) with a raw peer', () => {
  let server: WebSocketServer | undefined;
  const peers: RawPeer[] = [];
  const subscriptions: Subscription[] = [];
  afterEach(async () => {
    for (const s of subscriptions.splice(0)) s.unsubscribe();
    for (const p of peers.splice(0)) p.ws.terminate();
    await server?.close();
    server = undefined;
  });

  async function start(options: Parameters<typeof channels>[1] = {}) {
    server = serve({ host: '127.0.0.1', port: 0 });
    const connections: ServerConnection[] = [];
    subscriptions.push(server.connections$.subscribe((c) => connections.push(c)));
    const hub = channels(server, options);
    const { port } = await server.listening;
    const open = async () => {
      const peer = await RawPeer.open(`ws://127.0.0.1:${port}`);
      peers.push(peer);
      return peer;
    };
    return { hub, open, connections };
  }

  it('sub is answered with subok and joins the topic; pub frames follow; unsub leaves', async () => {
    const { hub, open, connections } = await start();
    const peer = await open();
    const ok = peer.next('subok');
    peer.send({ k: 'sub', id: 5, channel: 'room:1' });
    expect(await ok).toEqual({ k: 'subok', id: 5, channel: 'room:1' });
    expect([...connections[0].topics]).toEqual(['room:1']);
    const pub = peer.next('pub');
    expect(hub.publish('room:1', { text: 'hi' })).toBe(1);
    expect(await pub).toEqual({ k: 'pub', channel: 'room:1', body: { text: 'hi' } });
    const left = firstValueFrom(connections[0].messages$);
    peer.send({ k: 'unsub', channel: 'room:1' });
    await left;
    expect(connections[0].topics.size).toBe(0);
    expect(hub.publish('room:1', 'nobody')).toBe(0);
  });

  it('an unsub while the authorizer is still deciding: no subok, no join, even when it then says yes', async () => {
    const verdict = deferred<boolean>();
    const asked: string[] = [];
    const { open, connections } = await start({ authorize: (_c, name) => (asked.push(name), name === 'slow' ? verdict.promise : true) });
    const peer = await open();
    const seen = firstValueFrom(connections[0].messages$);
    peer.send({ k: 'sub', id: 1, channel: 'slow' });
    await seen;
    const unsubSeen = firstValueFrom(connections[0].messages$);
    peer.send({ k: 'unsub', channel: 'slow' });
    await unsubSeen;
    verdict.resolve(true);
    await verdict.promise;
    // A later sub, answered at once, shows the connection is still served and that nothing came before its answer.
    const ok = peer.next('subok');
    peer.send({ k: 'sub', id: 2, channel: 'slow2' });
    expect(await ok).toEqual({ k: 'subok', id: 2, channel: 'slow2' });
    expect(peer.frames).toEqual([{ k: 'subok', id: 2, channel: 'slow2' }]);
    expect(connections[0].topics.has('slow')).toBe(false);
    expect(asked).toEqual(['slow', 'slow2']);
  });

  it('a connection that closes while its authorizer decides is left alone when the verdict comes', async () => {
    const verdict = deferred<boolean>();
    const { open, connections } = await start({ authorize: () => verdict.promise });
    const peer = await open();
    const seen = firstValueFrom(connections[0].messages$);
    peer.send({ k: 'sub', id: 1, channel: 'late' });
    await seen;
    peer.ws.close();
    await new Promise<void>((resolve) => connections[0].events$.subscribe({ complete: resolve }));
    verdict.resolve(true);
    await verdict.promise;
    expect(connections[0].topics.size).toBe(0);
  });

  it('frames that are not sub/unsub envelopes are left to the application', async () => {
    const { open, connections } = await start();
    const peer = await open();
    const appFrames: unknown[] = [];
    subscriptions.push(connections[0].messages$.subscribe((m) => appFrames.push(m.data)));
    const ok = peer.next('subok');
    peer.ws.send('hello, not JSON');
    peer.send({ k: 'sub', channel: 'no-id' }); // not a valid envelope: ignored, not answered
    peer.send({ k: 'sub', id: 3, channel: 'fine' });
    expect(await ok).toEqual({ k: 'subok', id: 3, channel: 'fine' });
    expect(peer.frames).toEqual([{ k: 'subok', id: 3, channel: 'fine' }]);
    expect(appFrames).toHaveLength(3);
  });

  it('bad options and names are clear errors', async () => {
    const { hub } = await start();
    expect(() => hub.publish('', 'x')).toThrow(/publish\(\): a channel name must be a non-empty string of at most 256 characters/);
    expect(() => channels(server as WebSocketServer, { authorize: 'yes' as unknown as () => boolean })).toThrow(/authorize must be a function/);
  });
});
