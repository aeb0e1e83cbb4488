// The client's resume logic (docs/channels.md, History) in virtual time: the position it keeps per
// channel, `resume` on every resubscription, and gaps told in place, never skipped silently.
import { TestScheduler } from 'rxjs/testing';
import { WebSocketClient, type ChannelEvent, type ChannelGap } from 'rxws';
import { fakeConnect, type FakeScript, type FakeSocket } from 'rxws/testing';
import { envelopeScript } from '../helpers/envelope-script';

const sentOn = (socket: FakeSocket): unknown[] => socket.sent.map((frame) => JSON.parse(String(frame)));
const pub = (offset: number, body: string, epoch = 'E'): object => ({ k: 'pub', channel: 'news', body, epoch, offset });

describe('WebSocketClient channels with history', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });
  /** A connection that plays `marbles` of server frames (`o` open, `c` drop with 1006). */
  const server = (marbles: string, frames: Record<string, object> = {}): FakeScript => envelopeScript(testScheduler, marbles, frames);
  const client = (...scripts: FakeScript[]) => {
    const connect = fakeConnect(...scripts);
    return { connect, client: new WebSocketClient({ url: 'ws://x', connect, reconnect: { minWaitMs: 1, maxWaitMs: 1 }, scheduler: testScheduler }) };
  };

  it('resubscribes from the last position received; a recovered replay goes on with no gap', () => {
    const { connect, client: c } = client(
      server('-o-s-a-b-c|', { s: { k: 'subok', id: 1, channel: 'news', epoch: 'E', offset: 0 }, a: pub(1, 'a'), b: pub(2, 'b') }),
      server('-o-s-r-l', { s: { k: 'subok', id: 2, channel: 'news', recovered: true, epoch: 'E', offset: 3 }, r: pub(3, 'missed'), l: pub(4, 'live') }),
    );
    testScheduler.run(({ expectObservable }) => {
      expectObservable(c.channel<string>('news'), '^ 30ms !').toBe('-----a-b 6ms r-l', { a: 'a', b: 'b', r: 'missed', l: 'live' });
      expectObservable(c.channelGaps$, '^ 30ms !').toBe('');
      c.start();
    });
    expect(sentOn(connect.tries[0].socket)).toEqual([{ k: 'sub', id: 1, channel: 'news' }]);
    expect(sentOn(connect.tries[1].socket)).toEqual([{ k: 'sub', id: 2, channel: 'news', resume: { epoch: 'E', offset: 2 } }, { k: 'unsub', channel: 'news' }]);
  });

  it('resumes from the position of subok when no publication came before the drop', () => {
    const { connect, client: c } = client(server('-o-s-c|', { s: { k: 'subok', id: 1, channel: 'news', epoch: 'E', offset: 41 } }), server('-o'));
    testScheduler.run(({ expectObservable }) => {
      expectObservable(c.channel('news'), '^ 20ms !').toBe('');
      c.start();
    });
    expect(sentOn(connect.tries[1].socket)[0]).toEqual({ k: 'sub', id: 2, channel: 'news', resume: { epoch: 'E', offset: 41 } });
  });

  it('recovered: false is a gap, in place on channelEvents and on channelGaps$, before the live publications', () => {
    const { client: c } = client(
      server('-o-s-a-c|', { s: { k: 'subok', id: 1, channel: 'news', epoch: 'E', offset: 0 }, a: pub(1, 'a') }),
      server('-o-s----l', { s: { k: 'subok', id: 2, channel: 'news', recovered: false, epoch: 'E', offset: 9 }, l: pub(10, 'live') }),
    );
    const gap: ChannelGap = { type: 'gap', channel: 'news', reason: 'not-recovered', previous: { epoch: 'E', offset: 1 }, current: { epoch: 'E', offset: 9 }, missed: 8 };
    const events: Record<string, ChannelEvent<string>> = {
      s: { type: 'subscribed', channel: 'news', position: { epoch: 'E', offset: 0 }, recovered: undefined },
      a: { type: 'publication', channel: 'news', data: 'a', position: { epoch: 'E', offset: 1 } },
      g: gap,
      t: { type: 'subscribed', channel: 'news', position: { epoch: 'E', offset: 9 }, recovered: false },
      l: { type: 'publication', channel: 'news', data: 'live', position: { epoch: 'E', offset: 10 } },
    };
    testScheduler.run(({ expectObservable }) => {
      expectObservable(c.channelEvents<string>('news'), '^ 30ms !').toBe('---s-a 4ms (gt)-l', events);
      expectObservable(c.channelGaps$, '^ 30ms !').toBe('----------g', { g: gap });
      c.start();
    });
  });

  it('a publication it already has is dropped; skipped offsets and a new epoch are gaps before the publication', () => {
    const { client: c } = client(
      server('-o-s-a-d-k-e', {
        s: { k: 'subok', id: 1, channel: 'news', epoch: 'E', offset: 0 },
        a: pub(1, 'a'),
        d: pub(1, 'a again'),
        k: pub(5, 'after a skip'),
        e: pub(1, 'new epoch', 'F'),
      }),
    );
    const skipped: ChannelGap = { type: 'gap', channel: 'news', reason: 'skipped', previous: { epoch: 'E', offset: 1 }, current: { epoch: 'E', offset: 4 }, missed: 3 };
    const changed: ChannelGap = { type: 'gap', channel: 'news', reason: 'epoch-changed', previous: { epoch: 'E', offset: 5 }, current: { epoch: 'F', offset: 0 }, missed: undefined };
    testScheduler.run(({ expectObservable }) => {
      expectObservable(c.channel<string>('news'), '^ 20ms !').toBe('-----a---k-e', { a: 'a', k: 'after a skip', e: 'new epoch' });
      expectObservable(c.channelGaps$, '^ 20ms !').toBe('---------k-e', { k: skipped, e: changed });
      c.start();
    });
  });

  it('forgets the position when the last subscriber leaves: a new subscription starts live, without resume', () => {
    const { connect, client: c } = client(server('-o-s-a', { s: { k: 'subok', id: 1, channel: 'news', epoch: 'E', offset: 0 }, a: pub(1, 'a') }));
    testScheduler.run(({ expectObservable }) => {
      expectObservable(c.channel('news'), '^ 10ms !').toBe('-----a', { a: 'a' });
      expectObservable(c.channel('news'), '12ms ^ 5ms !').toBe('');
      c.start();
    });
    expect(sentOn(connect.tries[0].socket)).toEqual([
      { k: 'sub', id: 1, channel: 'news' },
      { k: 'unsub', channel: 'news' },
      { k: 'sub', id: 2, channel: 'news' },
      { k: 'unsub', channel: 'news' },
    ]);
  });
});
