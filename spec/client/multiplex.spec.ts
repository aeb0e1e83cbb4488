import { TestScheduler } from 'rxjs/testing';
import { WebSocketClient, type WebSocketEvent } from 'rxws';
import { binaryMessage, closeEvent, fakeConnect, openEvent, textMessage, type FakeScript } from 'rxws/testing';

interface Tick {
  symbol: string;
  price: number;
}

describe('WebSocketClient.multiplex() (RxJS WebSocketSubject shape)', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });
  const server = (marbles: string, messages: Record<string, Tick | string> = {}): FakeScript => (socket) => {
    const values: Record<string, WebSocketEvent> = { o: openEvent({ socket }), c: closeEvent({ code: 1006, wasClean: false }), b: binaryMessage(new Uint8Array([1]), socket) };
    for (const [key, m] of Object.entries(messages)) values[key] = textMessage(typeof m === 'string' ? m : JSON.stringify(m), socket);
    return testScheduler.createColdObservable<WebSocketEvent>(marbles, values);
  };
  const acme = { symbol: 'ACME', price: 1 };
  const other = { symbol: 'OTHER', price: 2 };
  const acme2 = { symbol: 'ACME', price: 3 };
  const ticks = (client: WebSocketClient) =>
    client.multiplex<Tick>(() => ({ subscribe: 'ACME' }), () => ({ unsubscribe: 'ACME' }), (t) => t.symbol === 'ACME');

  it('sends subMsg on subscribe and after every reconnect, filters messages, sends unsubMsg on unsubscribe', () => {
    const connect = fakeConnect(server('-o-ab-c|', { a: acme, b: other }), server('-o-a', { a: acme2 }));
    const client = new WebSocketClient({ url: 'ws://x', connect });
    testScheduler.run(({ expectObservable }) => {
      client.start();
      expectObservable(ticks(client), '--^ 10ms !').toBe('---a 5ms b', { a: acme, b: acme2 });
    });
    expect(connect.tries[0].socket.sent).toEqual(['{"subscribe":"ACME"}']); // subscribed at frame 2, while open
    expect(connect.tries[1].socket.sent).toEqual(['{"subscribe":"ACME"}', '{"unsubscribe":"ACME"}']);
  });

  it('each subscription sends its own messages, as RxJS does (no refcounting)', () => {
    const connect = fakeConnect(server('-o'));
    const client = new WebSocketClient({ url: 'ws://x', connect });
    testScheduler.run(({ expectObservable }) => {
      client.start();
      expectObservable(ticks(client), '--^-!');
      expectObservable(ticks(client), '--^--!');
    });
    expect(connect.tries[0].socket.sent).toEqual(['{"subscribe":"ACME"}', '{"subscribe":"ACME"}', '{"unsubscribe":"ACME"}', '{"unsubscribe":"ACME"}']);
  });

  it('a message the deserializer cannot read errors the Observable with what to do', () => {
    const connect = fakeConnect(server('-o-x', { x: 'not json' }), server('-o'));
    const client = new WebSocketClient({ url: 'ws://x', connect });
    testScheduler.run(({ expectObservable }) => {
      client.start();
      expectObservable(ticks(client)).toBe('---#', undefined, expect.objectContaining({ message: expect.stringMatching(/^multiplex: a message is not JSON .*pass options\.deserializer/) }));
    });
  });

  it('custom serializer and deserializer (binary frames)', () => {
    const connect = fakeConnect(server('-o-b'));
    const client = new WebSocketClient({ url: 'ws://x', connect });
    testScheduler.run(({ expectObservable }) => {
      client.start();
      const bytes$ = client.multiplex<number>(() => 's', () => 'u', () => true, { serializer: (v) => `<${String(v)}>`, deserializer: (e) => (e.data as Uint8Array)[0] });
      expectObservable(bytes$, '^ 5ms !').toBe('---b', { b: 1 });
    });
    expect(connect.tries[0].socket.sent).toEqual(['<s>', '<u>']);
  });
});
