import { TestBed } from '@angular/core/testing';
import { merge, timer, type Observable } from 'rxjs';
import { WebSocketError, type ConnectionState, type WebSocketEvent } from 'rxws';
import { closeEvent, fakeConnect, fakeMessageServer, openEvent, textMessage, type FakeConnect, type FakeSocket } from 'rxws/testing';
import { describeClientState } from './app';
import { deskUrlFor, NEWS_DESK_CONFIG, NEWS_DESK_CONNECT, NewsDeskService, type Headline } from './news-desk.service';
import { runMarbles } from './testing/run-marbles';

const URL = 'ws://desk.test/desk';
const refused = new WebSocketError({ code: 'CONNECTION_REFUSED', reason: 'connection refused' });

function setUp(connect: FakeConnect): NewsDeskService {
  TestBed.configureTestingModule({
    providers: [
      { provide: NEWS_DESK_CONFIG, useValue: { url: URL, maxHeadlines: 2 } },
      { provide: NEWS_DESK_CONNECT, useValue: connect },
    ],
  });
  return TestBed.inject(NewsDeskService);
}

/** A `pub` frame of the headlines channel, as the server sends it (docs/protocol.md). */
const pub = (socket: FakeSocket, headline: Headline): WebSocketEvent => textMessage(JSON.stringify({ k: 'pub', channel: 'headlines', body: headline }), socket);
/** The channel envelopes the desk sent on a socket. */
const channelFrames = (socket: FakeSocket): unknown[] =>
  socket.sent.map((frame) => JSON.parse(String(frame)) as { k: string; channel?: string }).filter((e) => e.k === 'sub' || e.k === 'unsub').map(({ k, channel }) => ({ k, channel }));

const one: Headline = { id: 1, title: 'one' };
const two: Headline = { id: 2, title: 'two' };
const three: Headline = { id: 3, title: 'three' };

describe('NewsDeskService', () => {
  it("shows the client's own states: connecting, a refused try with its wait, open, closed on stop()", () => {
    const states: ConnectionState[] = [];
    runMarbles(({ cold }) => {
      const connect = fakeConnect(
        () => cold('-#', undefined, refused),
        (socket) => cold('-o', { o: openEvent({ socket, url: URL }) }),
      );
      const desk = setUp(connect);
      desk.state$.subscribe((s) => states.push(s));
      desk.start();
      timer(5_000).subscribe(() => desk.stop());
    });
    expect(states.map(describeClientState)).toEqual([
      'closed',
      'connecting…',
      'reconnecting: retry 1, next in 100 ms (connection refused)',
      'reconnecting (connection refused)',
      'open',
      'closed',
    ]);
  });

  it('keeps the latest headlines across a reconnect: the channel is subscribed again by itself', () => {
    let connect: FakeConnect | undefined;
    runMarbles(({ cold, expectObservable }) => {
      const server = (marbles: string, values: Record<string, Headline>) => (socket: FakeSocket): Observable<WebSocketEvent> => {
        const frames: Record<string, WebSocketEvent> = { o: openEvent({ socket, url: URL }), c: closeEvent({ code: 1001, reason: 'restart', wasClean: true }) };
        for (const [key, headline] of Object.entries(values)) frames[key] = pub(socket, headline);
        return merge(fakeMessageServer({})(socket), cold(marbles, frames));
      };
      connect = fakeConnect(server('--a-b-c|', { a: one, b: two }), server('--x', { x: three }));
      const desk = setUp(connect);
      desk.start();
      timer(20).subscribe(() => desk.stop());
      expectObservable(desk.headlines$).toBe('e-a-b 3ms x', { e: [], a: [one], b: [one, two], x: [two, three] });
    });
    expect(connect?.tries.length).toBe(2);
    expect(channelFrames(connect!.tries[0].socket)).toEqual([{ k: 'sub', channel: 'headlines' }]);
    expect(channelFrames(connect!.tries[1].socket)[0]).toEqual({ k: 'sub', channel: 'headlines' });
  });

  it("streams the countdown request's values from the server, then completes", () => {
    runMarbles(({ cold, expectObservable }) => {
      const asked: unknown[] = [];
      const countdown = (body: unknown) => {
        asked.push(body);
        return cold('-a-b-c|', { a: 3, b: 2, c: 1 });
      };
      const connect = fakeConnect(fakeMessageServer({ countdown }));
      const desk = setUp(connect);
      desk.start();
      timer(50).subscribe(() => desk.stop());
      expectObservable(desk.countdown(3)).toBe('-a-b-c|', { a: 3, b: 2, c: 1 });
      timer(49).subscribe(() => expect(asked).toEqual([{ from: 3 }]));
    });
  });
});

describe('describeClientState', () => {
  it("says the retry count, the wait and the last error's reason while reconnecting", () => {
    const lastError = { reason: 'connection refused', httpStatus: 0, closeCode: 1006 };
    expect(describeClientState({ status: 'reconnecting', retries: 2, nextTryInMs: 400, lastError, protocol: '' })).toBe(
      'reconnecting: retry 2, next in 400 ms (connection refused)',
    );
    expect(describeClientState({ status: 'open', retries: 0, nextTryInMs: 0, lastError: undefined, protocol: 'v1' })).toBe('open (v1)');
  });
});

describe('deskUrlFor', () => {
  it('uses the page host (wss on https), unless the page names a desk with ?desk=', () => {
    expect(deskUrlFor({ protocol: 'https:', host: 'example.com', search: '' })).toBe('wss://example.com/desk');
    expect(deskUrlFor({ protocol: 'http:', host: '127.0.0.1:4000', search: '?desk=ws%3A%2F%2F127.0.0.1%3A4001%2Fdesk' })).toBe('ws://127.0.0.1:4001/desk');
  });
});
