import { TestBed } from '@angular/core/testing';
import { timer } from 'rxjs';
import { WebSocketError } from 'rxws';
import { fakeConnect, openEvent, textMessage, type FakeConnect } from 'rxws/testing';
import { describeState } from './app';
import { feedUrlFor, LIVE_FEED_CONFIG, LIVE_FEED_CONNECT, LiveFeedService, type ConnectionState } from './live-feed.service';
import { runMarbles } from './testing/run-marbles';

const URL = 'ws://feed.test/feed';

const refused = new WebSocketError({ code: 'CONNECTION_REFUSED', reason: 'connection refused' });

function setUp(connect: FakeConnect, keepAliveMs = 1_000): LiveFeedService {
  TestBed.configureTestingModule({
    providers: [
      { provide: LIVE_FEED_CONFIG, useValue: { url: URL, keepAliveMs, maxMessages: 2 } },
      { provide: LIVE_FEED_CONNECT, useValue: connect },
    ],
  });
  return TestBed.inject(LiveFeedService);
}

describe('LiveFeedService', () => {
  it('shows connecting, a refused try with its retry count, then open; stop() closes', () => {
    runMarbles(({ cold, expectObservable }) => {
      const connect = fakeConnect(
        () => cold('-#', undefined, refused),
        (socket) => cold('-o', { o: openEvent({ socket, url: URL }) }),
      );
      const feed = setUp(connect);
      const states: Record<string, ConnectionState> = {
        c: { status: 'connecting' },
        r: { status: 'reconnecting', retries: 1, waitTimeMs: 100, reason: 'connection refused' },
        o: { status: 'open', url: URL },
        s: { status: 'stopped' },
      };
      feed.start();
      timer(500).subscribe(() => feed.stop());
      expectObservable(feed.state$).toBe('cr 100ms o 397ms s', states);
    });
  });

  it('keeps the latest messages, newest last', () => {
    runMarbles(({ cold, expectObservable }) => {
      const connect = fakeConnect((socket) =>
        cold('o-a-b-c', { o: openEvent({ socket }), a: textMessage('one', socket), b: textMessage('two', socket), c: textMessage('three', socket) }),
      );
      const feed = setUp(connect);
      feed.start();
      timer(10).subscribe(() => feed.stop());
      expectObservable(feed.messages$).toBe('e-a-b-c', { e: [], a: ['one'], b: ['one', 'two'], c: ['two', 'three'] });
    });
  });

  it('after a drop, reconnects at once and shows the close code', () => {
    let connect: FakeConnect | undefined;
    runMarbles(({ cold, expectObservable }) => {
      connect = fakeConnect(
        (socket) => cold('o---c', { o: openEvent({ socket, url: URL }), c: { type: 'close', code: 1001, reason: 'going away', remote: true, wasClean: true } }),
        (socket) => cold('--o', { o: openEvent({ socket, url: URL }) }),
      );
      const feed = setUp(connect);
      feed.start();
      timer(10).subscribe(() => feed.stop());
      expectObservable(feed.state$).toBe('(co)d-o 3ms s', {
        c: { status: 'connecting' },
        o: { status: 'open', url: URL },
        d: { status: 'reconnecting', retries: 0, waitTimeMs: 0, reason: 'closed with 1001' },
        s: { status: 'stopped' },
      });
    });
    expect(connect?.tries.length).toBe(2);
  });

  it('a marble test that forgets stop() fails with a hint instead of running forever', () => {
    TestBed.resetTestingModule();
    let feed: LiveFeedService | undefined;
    const forgetful = () =>
      runMarbles(({ cold, expectObservable }) => {
        // No pong ever: keepAlive closes with 1011, reconnect opens again, for ever.
        feed = setUp(fakeConnect((socket) => cold('o', { o: openEvent({ socket }) })));
        feed.start();
        expectObservable(feed.state$).toBe('c');
      }, { maxFrames: 20_000 });
    expect(forgetful).toThrow(/never completed.*Call stop\(\)/);
    feed?.stop();
  });
});

describe('describeState', () => {
  it('says the retry count and the wait while reconnecting', () => {
    expect(describeState({ status: 'reconnecting', retries: 3, waitTimeMs: 400, reason: 'connection refused' })).toBe(
      'reconnecting: retry 3, next in 400 ms (connection refused)',
    );
    expect(describeState({ status: 'reconnecting', retries: 0, waitTimeMs: 0, reason: 'closed with 1001' })).toBe('reconnecting (closed with 1001)');
  });
});

describe('feedUrlFor', () => {
  it('uses wss on https pages and the page host', () => {
    expect(feedUrlFor({ protocol: 'https:', host: 'example.com:8443' })).toBe('wss://example.com:8443/feed');
    expect(feedUrlFor({ protocol: 'http:', host: '127.0.0.1:4000' })).toBe('ws://127.0.0.1:4000/feed');
  });
});
