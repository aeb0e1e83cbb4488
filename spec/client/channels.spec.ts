import { TestScheduler } from 'rxjs/testing';
import { MessageError, WebSocketClient, type WebSocketEvent } from 'rxws';
import { fakeConnect, openEvent, textMessage, type FakeScript, type FakeSocket } from 'rxws/testing';
import { envelopeScript } from '../helpers/envelope-script';

/** The envelopes a fake socket was sent, decoded. */
const sentOn = (socket: FakeSocket): unknown[] => socket.sent.map((frame) => JSON.parse(String(frame)));
const frame = (envelope: object): string => JSON.stringify(envelope);

describe('WebSocketClient.channel()', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });
  /** A connection that opens at frame 1 and then plays `marbles` of server frames (`o` open, `c` drop with 1006). */
  const server = (marbles: string, frames: Record<string, object> = {}): FakeScript => envelopeScript(testScheduler, marbles, frames);

  it('refcounts: the first subscriber sends sub, the last to leave sends unsub; all share the publications', () => {
    const connect = fakeConnect(server('-o-a-p--q', { a: { k: 'subok', id: 1, channel: 'news' }, p: { k: 'pub', channel: 'news', body: 'p1' }, q: { k: 'pub', channel: 'news', body: 'p2' } }));
    const client = new WebSocketClient({ url: 'ws://x', connect });
    testScheduler.run(({ expectObservable }) => {
      const news = client.channel<string>('news');
      client.start();
      expectObservable(news, '--^----!').toBe('-----p', { p: 'p1' });
      expectObservable(news, '--^--------!').toBe('-----p--q', { p: 'p1', q: 'p2' });
    });
    expect(sentOn(connect.tries[0].socket)).toEqual([
      { k: 'sub', id: 1, channel: 'news' },
      { k: 'unsub', channel: 'news' }, // once, when the second subscriber left at frame 11
    ]);
  });

  it('subscribes on the next open when subscribed before start, and again after every reconnect', () => {
    const connect = fakeConnect(
      server('-o-p-c|', { p: { k: 'pub', channel: 'news', body: 'before drop' } }),
      server('-o-p', { p: { k: 'pub', channel: 'news', body: 'after reconnect' } }),
    );
    const client = new WebSocketClient({ url: 'ws://x', connect });
    testScheduler.run(({ expectObservable }) => {
      expectObservable(client.channel<string>('news'), '^ 20ms !').toBe('---a 4ms b', { a: 'before drop', b: 'after reconnect' });
      testScheduler.schedule(() => client.start());
    });
    expect(sentOn(connect.tries[0].socket)).toEqual([{ k: 'sub', id: 1, channel: 'news' }]);
    expect(sentOn(connect.tries[1].socket)).toEqual([{ k: 'sub', id: 2, channel: 'news' }, { k: 'unsub', channel: 'news' }]);
  });

  it('a refusal errors the channel with CHANNEL_REFUSED and the reason; other ids and channels are left alone', () => {
    const connect = fakeConnect(server('-o-xr', {
      x: { k: 'err', id: 7, code: 'CHANNEL_REFUSED', message: 'not this one' },
      r: { k: 'err', id: 1, code: 'CHANNEL_REFUSED', message: "Channel 'admin' refused: admins only", data: { need: 'admin' } },
    }));
    const client = new WebSocketClient({ url: 'ws://x', connect });
    const refused = new MessageError({ code: 'CHANNEL_REFUSED', message: "Channel 'admin' refused: admins only", data: { need: 'admin' } });
    testScheduler.run(({ expectObservable }) => {
      client.start();
      expectObservable(client.channel('admin')).toBe('----#', undefined, refused);
    });
    expect(sentOn(connect.tries[0].socket)).toEqual([{ k: 'sub', id: 1, channel: 'admin' }]); // no unsub after a refusal
  });

  it('a refusal on a reconnect (say, the token expired) errors the channel then', () => {
    const connect = fakeConnect(
      server('-o-a-c|', { a: { k: 'subok', id: 1, channel: 'news' } }),
      server('-o-r', { r: { k: 'err', id: 2, code: 'CHANNEL_REFUSED', message: 'token expired' } }),
    );
    const client = new WebSocketClient({ url: 'ws://x', connect });
    testScheduler.run(({ expectObservable }) => {
      client.start();
      const error = new MessageError({ code: 'CHANNEL_REFUSED', message: 'token expired' });
      expectObservable(client.channel('news')).toBe('--------#', undefined, error);
    });
  });

  it('ignores frames that are not envelopes and publications of channels nobody subscribed', () => {
    const connect = fakeConnect((socket) =>
      testScheduler.createColdObservable<WebSocketEvent>('-omnp', {
        o: openEvent({ socket }), m: textMessage('plain text, not JSON', socket),
        n: textMessage(frame({ k: 'pub', channel: 'other', body: 'no' }), socket), p: textMessage(frame({ k: 'pub', channel: 'news', body: 'yes' }), socket),
      }),
    );
    const client = new WebSocketClient({ url: 'ws://x', connect });
    testScheduler.run(({ expectObservable }) => {
      client.start();
      expectObservable(client.channel('news'), '^ 10ms !').toBe('----y', { y: 'yes' });
    });
  });

  it('once the last subscriber has left, a reconnect subscribes nothing', () => {
    const connect = fakeConnect(server('-o-c|'), server('-o'));
    const client = new WebSocketClient({ url: 'ws://x', connect });
    testScheduler.run(({ expectObservable }) => {
      client.start();
      expectObservable(client.channel('news'), '^-!');
    });
    expect(sentOn(connect.tries[0].socket)).toEqual([{ k: 'sub', id: 1, channel: 'news' }, { k: 'unsub', channel: 'news' }]);
    expect(sentOn(connect.tries[1].socket)).toEqual([]);
  });

  it('refuses a bad name at once with a TypeError', () => {
    const client = new WebSocketClient({ url: 'ws://x', connect: fakeConnect(server('-o')) });
    expect(() => client.channel('')).toThrow(/channel\(\): a channel name must be a non-empty string of at most 256 characters, got ""/);
    expect(() => client.channel('x'.repeat(257))).toThrow(TypeError);
  });
});
