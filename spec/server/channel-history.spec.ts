// channels(server, { history }) against a raw `ws` peer speaking docs/protocol.md by hand: the
// positions, a resume (subok, the missed publications, then live ones), `recovered: false`, and
// the race between a replay and live publications, played step by step with a store the test drives.
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { channels, memoryHistory, serve, type HistoryEntry, type HistoryFollower, type HistoryRead, type HistoryStore, type Position, type WebSocketServer } from 'rxws/server';

jest.setTimeout(20_000);

type Frame = Record<string, unknown>;

/** A raw client: envelopes as JSON text; waits for a frame that matches. */
class RawPeer {
  readonly frames: Frame[] = [];
  private waiters: Array<{ match: (f: Frame) => boolean; resolve: () => void }> = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame);
      this.waiters = this.waiters.filter((w) => !(this.frames.some(w.match) && (w.resolve(), true)));
    });
  }

  static async open(url: string): Promise<RawPeer> {
    const peer = new RawPeer(new WebSocket(url));
    await once(peer.ws, 'open');
    return peer;
  }

  send(envelope: object): void {
    this.ws.send(JSON.stringify(envelope));
  }

  /** Resolves once a frame matching `partial` has come (now or before). */
  got(partial: Frame): Promise<void> {
    const match = (f: Frame): boolean => Object.entries(partial).every(([k, v]) => JSON.stringify(f[k]) === JSON.stringify(v));
    if (this.frames.some(match)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** The bodies of the publications received, in order. */
  bodies(): unknown[] {
    return this.frames.filter((f) => f.k === 'pub').map((f) => f.body);
  }
}

let server: WebSocketServer | undefined;
const peers: RawPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.ws.terminate();
  await server?.close();
  server = undefined;
});

async function start(history: HistoryStore): Promise<{ hub: ReturnType<typeof channels>; url: string }> {
  server = serve({ host: '127.0.0.1', port: 0 });
  const hub = channels(server, { history });
  const { port } = await server.listening;
  return { hub, url: `ws://127.0.0.1:${port}` };
}

async function peer(url: string): Promise<RawPeer> {
  const p = await RawPeer.open(url);
  peers.push(p);
  return p;
}

describe('channels() with memoryHistory()', () => {
  it('subok carries the position; publications carry theirs', async () => {
    const { hub, url } = await start(memoryHistory());
    const p = await peer(url);
    p.send({ k: 'sub', id: 1, channel: 'news' });
    await p.got({ k: 'subok' });
    const { epoch } = p.frames[0] as { epoch: string };
    expect(p.frames[0]).toEqual({ k: 'subok', id: 1, channel: 'news', epoch, offset: 0 });
    expect(hub.publish('news', 'one')).toBe(1);
    await expect(hub.publishStored('news', 'two')).resolves.toEqual({ epoch, offset: 2 });
    await p.got({ body: 'two' });
    expect(p.frames.slice(1)).toEqual([
      { k: 'pub', channel: 'news', body: 'one', epoch, offset: 1 },
      { k: 'pub', channel: 'news', body: 'two', epoch, offset: 2 },
    ]);
  });

  it('a resume gets subok recovered, the missed publications in order, then live ones: no gap, no duplicate', async () => {
    const { hub, url } = await start(memoryHistory());
    const first = await peer(url);
    first.send({ k: 'sub', id: 1, channel: 'news' });
    await first.got({ k: 'subok' });
    hub.publish('news', 'm1');
    await first.got({ body: 'm1' });
    const { epoch } = first.frames[1] as { epoch: string };
    first.ws.terminate();
    for (let i = 2; i <= 5; i++) hub.publish('news', `m${i}`);
    const back = await peer(url);
    back.send({ k: 'sub', id: 2, channel: 'news', resume: { epoch, offset: 1 } });
    await back.got({ body: 'm5' });
    hub.publish('news', 'm6');
    await back.got({ body: 'm6' });
    expect(back.frames[0]).toEqual({ k: 'subok', id: 2, channel: 'news', recovered: true, epoch, offset: 5 });
    expect(back.frames.slice(1).map((f) => [f.body, f.offset])).toEqual([['m2', 2], ['m3', 3], ['m4', 4], ['m5', 5], ['m6', 6]]);
  });

  it('a resume from before what is kept gets recovered: false with the position now, then live publications', async () => {
    const { hub, url } = await start(memoryHistory({ maxMessages: 2 }));
    const position = await hub.publishStored('news', 'm1');
    for (let i = 2; i <= 4; i++) hub.publish('news', `m${i}`);
    const p = await peer(url);
    p.send({ k: 'sub', id: 1, channel: 'news', resume: position });
    await p.got({ k: 'subok' });
    hub.publish('news', 'm5');
    await p.got({ body: 'm5' });
    expect(p.frames).toEqual([
      { k: 'subok', id: 1, channel: 'news', recovered: false, epoch: position?.epoch, offset: 4 },
      { k: 'pub', channel: 'news', body: 'm5', epoch: position?.epoch, offset: 5 },
    ]);
  });

  it('resuming from another epoch (a restarted server) is recovered: false', async () => {
    const { hub, url } = await start(memoryHistory());
    hub.publish('news', 'm1');
    const p = await peer(url);
    p.send({ k: 'sub', id: 1, channel: 'news', resume: { epoch: 'from-before-restart', offset: 7 } });
    await p.got({ k: 'subok' });
    expect(p.frames[0]).toMatchObject({ recovered: false, offset: 1 });
  });

  it('refuses a history that is not a store, naming what is missing', () => {
    server = serve({ host: '127.0.0.1', port: 0 });
    expect(() => channels(server as WebSocketServer, { history: { append: () => undefined } as unknown as HistoryStore })).toThrow(
      'channels(): history must be a history store such as memoryHistory() (rxws/server) or redisHistory() (rxws/redis); missing read, close',
    );
  });
});

/**
 * A shared store the test drives: reads are answered when `releaseReads()` is called (with what
 * the store held when they were asked), and the follower is told its start and its entries when
 * `startFollower()` and `flushFollower()` are called: so every interleaving of a replay with
 * live publications can be played in order.
 */
class SteppedStore implements HistoryStore {
  readonly shared = true;
  readonly epoch = 'E';
  readonly entries: HistoryEntry[] = [];
  private reads: Array<() => void> = [];
  private asked: Array<() => void> = [];
  private follower: HistoryFollower | undefined;
  private followed = 0;

  /** Resolves once a read is waiting to be answered. */
  readAsked(): Promise<void> {
    return this.reads.length > 0 ? Promise.resolve() : new Promise((resolve) => this.asked.push(resolve));
  }

  append(_channel: string, body: string | Uint8Array): Promise<Position> {
    this.entries.push({ epoch: this.epoch, offset: this.entries.length + 1, body });
    return Promise.resolve({ epoch: this.epoch, offset: this.entries.length });
  }

  read(_channel: string, after: Position | undefined, limit: number): Promise<HistoryRead> {
    const top = this.entries.length;
    const entries = after === undefined ? [] : this.entries.slice(after.offset, after.offset + limit);
    const answer = new Promise<HistoryRead>((resolve) => this.reads.push(() => resolve({ recovered: true, entries, position: { epoch: this.epoch, offset: top } })));
    for (const tell of this.asked.splice(0)) tell();
    return answer;
  }

  follow(_channel: string, follower: HistoryFollower): () => void {
    this.follower = follower;
    return () => (this.follower = undefined);
  }

  releaseReads(): void {
    for (const answer of this.reads.splice(0)) answer();
  }

  /** The follower starts after `offset`. */
  startFollower(offset: number): void {
    this.followed = offset;
    this.follower?.position({ epoch: this.epoch, offset });
  }

  flushFollower(): void {
    for (; this.followed < this.entries.length; this.followed++) this.follower?.entry(this.entries[this.followed]);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('channels() with a shared store: a replay meets live publications', () => {
  /** Publishes `bodies` and lets the store take them. */
  const publish = async (hub: ReturnType<typeof channels>, ...bodies: string[]): Promise<void> => {
    for (const body of bodies) await hub.publishStored('feed', body);
  };

  /** Publishes `bodies`, then a peer resumes 'feed' from `offset`; resolves once the store was asked to read. */
  const resumeWhileReading = async (offset: number, ...bodies: string[]) => {
    const store = new SteppedStore();
    const { hub, url } = await start(store);
    await publish(hub, ...bodies);
    const p = await peer(url);
    p.send({ k: 'sub', id: 1, channel: 'feed', resume: { epoch: 'E', offset } });
    await store.readAsked();
    return { store, hub, p };
  };

  it('publications that come while the replay is being read are held and sent after it, once', async () => {
    const { store, hub, p } = await resumeWhileReading(1, 'm1', 'm2', 'm3');
    store.startFollower(3);
    await publish(hub, 'm4', 'm5');
    store.flushFollower(); // m4, m5 arrive live before the replay (m2, m3) is answered
    store.releaseReads();
    await p.got({ body: 'm5' });
    await publish(hub, 'm6');
    store.flushFollower();
    await p.got({ body: 'm6' });
    expect(p.frames[0]).toEqual({ k: 'subok', id: 1, channel: 'feed', recovered: true, epoch: 'E', offset: 3 });
    expect(p.bodies()).toEqual(['m2', 'm3', 'm4', 'm5', 'm6']);
  });

  it('a follower behind the replay: going live waits until it has caught up, so nothing comes twice', async () => {
    const { store, hub, p } = await resumeWhileReading(1, 'm1', 'm2', 'm3');
    store.startFollower(1); // started before the read, which saw m2 and m3
    store.releaseReads();
    await p.got({ body: 'm3' });
    await publish(hub, 'm4');
    store.flushFollower(); // m2, m3 (already replayed) and m4
    await p.got({ body: 'm4' });
    await publish(hub, 'm5');
    store.flushFollower();
    await p.got({ body: 'm5' });
    expect(p.bodies()).toEqual(['m2', 'm3', 'm4', 'm5']);
  });

  it('an unsub during the replay cancels it: nothing is sent, the connection never joins', async () => {
    const { store, hub, p } = await resumeWhileReading(0, 'm1');
    p.send({ k: 'unsub', channel: 'feed' });
    // A ping is answered after the frames before it were read: the unsub has been taken.
    p.ws.ping();
    await once(p.ws, 'pong');
    store.startFollower(1);
    store.releaseReads();
    await publish(hub, 'm2');
    store.flushFollower();
    // Frames the server sent before this pong would have come before it.
    p.ws.ping();
    await once(p.ws, 'pong');
    expect(p.frames).toEqual([]);
    expect([...(server as WebSocketServer).clients].map((c) => [...c.topics])).toEqual([[]]);
  });
});

describe('a replay larger than the socket may buffer', () => {
  it('is paced by the writes: 20,000 publications reach a client whose server buffers at most 64 KiB, in order, with no 1008', async () => {
    const count = 20_000;
    server = serve({ host: '127.0.0.1', port: 0, maxBufferedAmount: 64 * 1024 });
    const hub = channels(server, { history: memoryHistory({ maxMessages: count, maxBytes: 64 * 1024 * 1024 }) });
    const { port } = await server.listening;
    let last: Position | undefined;
    for (let i = 1; i <= count; i++) last = await hub.publishStored('big', `${i}`.padStart(64, '.'));
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    await once(ws, 'open');
    const offsets: number[] = [];
    const ended = new Promise<string>((resolve) => {
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as Frame;
        if (frame.k === 'pub') offsets.push(frame.offset as number);
        if (offsets.length === count) resolve('all');
      });
      ws.on('close', (code, reason) => resolve(`closed ${code} ${String(reason)}`));
    });
    ws.send(JSON.stringify({ k: 'sub', id: 1, channel: 'big', resume: { epoch: last!.epoch, offset: 0 } }));
    expect(await ended).toBe('all');
    expect(offsets.every((offset, i) => offset === i + 1)).toBe(true);
    ws.terminate();
  });
});
