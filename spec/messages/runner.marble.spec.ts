import { Observable, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Envelope } from 'rxws';
import { RequestRunner, type Run, type RunTarget } from '../../src/messages/handlers';

/** A connection side that records what the runner sent. */
function target(): RunTarget & { sent: Envelope[] } {
  const sent: Envelope[] = [];
  return { sent, runs: new Map<number, Run>(), send: (e) => (sent.push(e), true) };
}

describe('RequestRunner (marble): the de-duplication window', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('a re-sent (session, id) within dedupWindowMs gets the kept ending; after it, the handler runs again', () => {
    let runs = 0;
    const runner = new RequestRunner<null>({ handlers: { once: () => ++runs }, dedupWindowMs: 100, scheduler: testScheduler });
    const first = target();
    const second = target();
    const third = target();
    testScheduler.run(({ cold }) => {
      runner.request({ k: 'req', id: 1, target: 'once' }, first, 'session-a', null);
      cold('50ms a 99ms b').subscribe((step) => runner.request({ k: 'req', id: 1, target: 'once' }, step === 'a' ? second : third, 'session-a', null));
    });
    expect(first.sent).toEqual([{ k: 'res', id: 1, body: 1 }]);
    expect(second.sent).toEqual([{ k: 'res', id: 1, body: 1 }]);
    expect(third.sent).toEqual([{ k: 'res', id: 1, body: 2 }]);
    expect(runs).toBe(2);
  });

  it('a req carrying acked lets the server forget the finished requests of that session below it', () => {
    const runner = new RequestRunner<null>({ handlers: { echo: (b) => b }, scheduler: testScheduler });
    const conn = target();
    runner.request({ k: 'req', id: 1, target: 'echo', body: 1 }, conn, 'session-e', null);
    runner.request({ k: 'req', id: 2, target: 'echo', body: 2 }, conn, 'session-e', null);
    expect(runner.remembered).toBe(2);
    runner.request({ k: 'req', id: 3, target: 'echo', body: 3, acked: 3 }, conn, 'session-e', null);
    expect(runner.remembered).toBe(1); // only id 3, which the client has not acknowledged yet
    runner.dispose();
  });

  it('a session that never sends acked keeps at most 4 x maxInFlight requests, forgetting the oldest ended first', () => {
    const runner = new RequestRunner<null>({ handlers: { echo: (b) => b }, maxInFlight: 2, scheduler: testScheduler });
    const conn = target();
    for (let id = 1; id <= 20; id++) runner.request({ k: 'req', id, target: 'echo', body: id }, conn, 'session-f', null);
    expect(runner.remembered).toBe(8);
    runner.request({ k: 'req', id: 20, target: 'echo' }, conn, 'session-f', null); // still known: not run again
    expect(conn.sent.at(-1)).toEqual({ k: 'res', id: 20, body: 20 });
    runner.dispose();
  });

  it('a running request whose client went away is stopped when the window passes, and forgotten', () => {
    let stopped = 0;
    const runner = new RequestRunner<null>({ dedupWindowMs: 100, scheduler: testScheduler, handlers: { hang: () => new Observable<never>(() => () => stopped++) } });
    const conn = target();
    const remembered: number[] = [];
    testScheduler.run(({ cold }) => {
      runner.request({ k: 'req', id: 1, target: 'hang' }, conn, 'session-b', null);
      cold('3ms x').subscribe(() => runner.closed(conn));
      cold('102ms y 2ms z').subscribe(() => remembered.push(runner.remembered));
    });
    expect(remembered).toEqual([1, 0]); // still kept at 102 ms, forgotten at 103 ms (closed at 3 + 100)
    expect(stopped).toBe(1);
  });

  it('each remembered request is forgotten at its own time; one taken back meanwhile waits for its client to leave again', () => {
    let stopped = 0;
    const runner = new RequestRunner<null>({ dedupWindowMs: 100, scheduler: testScheduler, handlers: { echo: (b) => b, hang: () => new Observable<never>(() => () => stopped++) } });
    const conn = target();
    const other = target();
    const remembered: Array<[number, number]> = [];
    testScheduler.run(({ cold }) => {
      runner.request({ k: 'req', id: 1, target: 'echo', body: 1 }, conn, 'session-g', null); // ended at 0: forgotten at 100
      runner.request({ k: 'req', id: 2, target: 'hang' }, conn, 'session-g', null);
      cold('10ms x').subscribe(() => runner.closed(conn)); // id 2 waits for its client from 10: until 110
      cold('20ms x').subscribe(() => runner.request({ k: 'req', id: 3, target: 'echo', body: 3 }, other, 'session-g', null)); // until 120
      cold('50ms x').subscribe(() => runner.request({ k: 'req', id: 2, target: 'hang' }, other, 'session-g', null)); // taken back
      cold('130ms x').subscribe(() => runner.closed(other)); // id 2 alone again from 130: until 230
      for (const at of [99, 101, 111, 119, 121, 229, 231]) cold(`${at}ms x`).subscribe(() => remembered.push([at, runner.remembered]));
    });
    expect(remembered).toEqual([[99, 3], [101, 2], [111, 2], [119, 2], [121, 1], [229, 1], [231, 0]]);
    expect(stopped).toBe(1);
    expect(other.sent).toEqual([{ k: 'res', id: 3, body: 3 }]);
  });

  it('requests forgotten through acked leave the window at once: the timer then goes on with the ones left', () => {
    const runner = new RequestRunner<null>({ dedupWindowMs: 100, scheduler: testScheduler, handlers: { echo: (b) => b } });
    const conn = target();
    const remembered: Array<[number, number]> = [];
    testScheduler.run(({ cold }) => {
      runner.request({ k: 'req', id: 1, target: 'echo' }, conn, 'session-h', null); // until 100
      cold('30ms x').subscribe(() => runner.request({ k: 'req', id: 2, target: 'echo' }, conn, 'session-h', null)); // until 130
      cold('40ms x').subscribe(() => runner.request({ k: 'req', id: 3, target: 'echo', acked: 2 }, conn, 'session-h', null)); // forgets 1; 3 until 140
      cold('60ms x').subscribe(() => runner.request({ k: 'req', id: 1, target: 'echo' }, conn, 'session-h', null)); // forgotten: runs again, until 160
      for (const at of [41, 129, 131, 139, 141, 159, 161]) cold(`${at}ms x`).subscribe(() => remembered.push([at, runner.remembered]));
    });
    expect(remembered).toEqual([[41, 2], [129, 3], [131, 2], [139, 2], [141, 1], [159, 1], [161, 0]]);
  });

  it('a client that comes back gets the values it missed, in order, then the live ones', () => {
    const conn = target();
    const back = target();
    testScheduler.run(({ cold }) => {
      const runner = new RequestRunner<null>({ maxBufferedValues: 2, scheduler: testScheduler, handlers: { feed: () => cold('-a-b-c-d-e|') } });
      runner.request({ k: 'req', id: 1, target: 'feed' }, conn, 'session-c', null);
      cold('--x').subscribe(() => runner.closed(conn)); // after value a
      cold('6ms y').subscribe(() => runner.request({ k: 'req', id: 1, target: 'feed', from: 1 }, back, 'session-c', null));
    });
    expect(conn.sent).toEqual([{ k: 'next', id: 1, n: 0, body: 'a' }]);
    expect(back.sent).toEqual([
      { k: 'next', id: 1, n: 1, body: 'b' },
      { k: 'next', id: 1, n: 2, body: 'c' },
      { k: 'next', id: 1, n: 3, body: 'd' },
      { k: 'next', id: 1, n: 4, body: 'e' },
      { k: 'done', id: 1 },
    ]);
  });

  it.each([
    [2, [
      { k: 'next', id: 1, n: 2, body: 'c' },
      { k: 'next', id: 1, n: 3, body: 'd' },
      { k: 'err', id: 1, code: 'BUFFER_OVERFLOW', message: 'More than 2 reply values waited for the client to come back (maxBufferedValues); the request was stopped' },
    ]],
    [1, [{ k: 'err', id: 1, code: 'REPLAY_LOST', message: 'Reply values 1 to 1 are no longer kept (maxBufferedValues 2); send a new request' }]],
  ])('past maxBufferedValues while the client is away the handler stops with BUFFER_OVERFLOW (client back with from=%i)', (from, expected) => {
    let values = 0;
    const conn = target();
    const back = target();
    testScheduler.run(({ cold }) => {
      const runner = new RequestRunner<null>({ maxBufferedValues: 2, scheduler: testScheduler, handlers: { feed: () => cold('-a-b-c-d-e|').pipe(tap(() => values++)) } });
      runner.request({ k: 'req', id: 1, target: 'feed' }, conn, 'session-d', null);
      cold('--x').subscribe(() => runner.closed(conn)); // after value a; b, c, d wait: d is one too many
      cold('8ms y').subscribe(() => runner.request({ k: 'req', id: 1, target: 'feed', from }, back, 'session-d', null));
    });
    expect(values).toBe(4); // e (9 ms) never came: the handler was stopped at d
    expect(back.sent).toEqual(expected);
  });
});
