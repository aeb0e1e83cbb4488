// Messages sent once (docs/protocol.md): a messaging client numbers its msgs, keeps them until
// acknowledged and sends them again after a reconnect; the server takes each once. In virtual
// time against scripted frames, then over loopback with connections cut while messages flow.
import { TestScheduler } from 'rxjs/testing';
import { json, WebSocketClient, type UndeliveredMessage } from 'rxws';
import { fakeConnect, type FakeScript, type FakeSocket } from 'rxws/testing';
import { serve, type MessageServer } from 'rxws/server';
import { envelopeScript } from '../helpers/envelope-script';

jest.setTimeout(30_000);

const sentOn = (socket: FakeSocket): unknown[] => socket.sent.map((frame) => JSON.parse(String(frame)));
const welcome = (acks: boolean): object => ({ k: 'welcome', v: 1, session: 'S1234567', maxInFlight: 256, dedupWindowMs: 60000, ...(acks ? { acks } : {}) });

describe('a messaging client numbers its messages and sends the unacknowledged ones again', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });
  const server = (marbles: string, frames: Record<string, object> = {}): FakeScript => envelopeScript(testScheduler, marbles, frames);
  const start = (...scripts: FakeScript[]) => {
    const connect = fakeConnect(...scripts);
    const client = new WebSocketClient({ url: 'ws://x', connect, codec: json(), messaging: { session: 'S1234567' }, reconnect: { minWaitMs: 1, maxWaitMs: 1 }, scheduler: testScheduler });
    const undelivered: UndeliveredMessage<unknown>[] = [];
    client.undelivered$.subscribe((u) => undelivered.push(u));
    return { connect, client, undelivered };
  };

  it('after a drop, the messages not acknowledged go first on the next connection, with their ids, before new ones; acknowledged ones do not', () => {
    const { connect, client, undelivered } = start(server('-o-w---a--c|', { w: welcome(true), a: { k: 'ack', id: 2 } }), server('-o-w', { w: welcome(true) }));
    testScheduler.run(() => {
      client.start();
      for (const [frame, body] of [[3, 'one'], [4, 'two'], [5, 'three'], [8, 'four']] as const) testScheduler.schedule(() => client.send(body), frame);
      testScheduler.schedule(() => client.send('five'), 20); // a new one, after those sent again
    });
    expect(sentOn(connect.tries[0].socket)).toEqual([
      { k: 'hello', v: 1, session: 'S1234567' },
      { k: 'msg', id: 1, body: 'one' },
      { k: 'msg', id: 2, body: 'two' },
      { k: 'msg', id: 3, body: 'three' },
      { k: 'msg', id: 4, body: 'four' },
    ]);
    expect(sentOn(connect.tries[1].socket)).toEqual([
      { k: 'hello', v: 1, session: 'S1234567' },
      { k: 'msg', id: 3, body: 'three' },
      { k: 'msg', id: 4, body: 'four' },
      { k: 'msg', id: 5, body: 'five' },
    ]);
    expect(undelivered).toEqual([]); // nothing given up: the layer sends them again itself
  });

  it('a server that does not acknowledge (no acks in welcome) gets plain messages, as before acknowledgements', () => {
    const { connect, client } = start(server('-o-w--c|', { w: welcome(false) }), server('-o'));
    testScheduler.run(() => {
      client.start();
      testScheduler.schedule(() => client.send('before welcome'), 1);
      testScheduler.schedule(() => client.send('after welcome'), 4);
    });
    expect(sentOn(connect.tries[0].socket).slice(1)).toEqual([{ k: 'msg', id: 1, body: 'before welcome' }, { k: 'msg', body: 'after welcome' }]);
    expect(sentOn(connect.tries[1].socket)).toEqual([{ k: 'hello', v: 1, session: 'S1234567' }]);
  });
});

describe('messages sent once, over loopback, with connections cut while they flow', () => {
  let server: MessageServer<unknown, unknown> | undefined;
  let client: WebSocketClient<unknown, unknown> | undefined;
  afterEach(async () => {
    client?.stop();
    await server?.close();
  });

  it('every message arrives once and in order, whatever the cuts', async () => {
    const TOTAL = 3000;
    const CUTS = 15;
    server = serve({ host: '127.0.0.1', port: 0, codec: json(), messaging: true });
    const got: number[] = [];
    let cuts = 0;
    server.connections$.subscribe((conn) =>
      conn.messages$.subscribe((m) => {
        got.push(m.data as number);
        // Cut the connection from the server side now and then, in the middle of the flow.
        if (got.length % Math.floor(TOTAL / (CUTS + 1)) === 0 && cuts < CUTS) {
          cuts++;
          conn.raw.terminate();
        }
      }),
    );
    const { port } = await server.listening;
    client = new WebSocketClient<unknown, unknown>({ url: `ws://127.0.0.1:${port}`, codec: json(), messaging: true, queue: { maxMessages: TOTAL }, reconnect: { minWaitMs: 1, maxWaitMs: 20 } });
    const undelivered: unknown[] = [];
    client.undelivered$.subscribe((u) => undelivered.push(u.data));
    client.start();
    let sent = 0;
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`only ${new Set(got).size} of ${TOTAL} distinct messages arrived (${cuts} cuts)`)), 20_000);
      const tick = setInterval(() => {
        for (let i = 0; i < 50 && sent < TOTAL; i++) if (client?.send(sent)) sent++;
        if (new Set(got).size === TOTAL) {
          clearInterval(tick);
          clearTimeout(deadline);
          resolve();
        }
      }, 1);
    });
    expect(cuts).toBe(CUTS);
    expect(got).toEqual(Array.from({ length: TOTAL }, (_, i) => i)); // once each, in order
    expect(undelivered).toEqual([]);
  });
});
