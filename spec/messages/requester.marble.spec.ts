import { TestScheduler } from 'rxjs/testing';
import { MessageError, type Envelope } from 'rxws';
import { Requester } from '../../src/messages/requests';

describe('Requester (marble)', () => {
  let testScheduler: TestScheduler;
  let sent: Envelope[];
  const link = (e: Envelope) => (sent.push(e), true);
  beforeEach(() => {
    sent = [];
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('errors with REQUEST_TIMEOUT after timeoutMs and sends cancel', () => {
    const requester = new Requester({ scheduler: testScheduler });
    testScheduler.run(({ expectObservable }) => {
      requester.opened(link);
      expectObservable(requester.request('slow', 1, { timeoutMs: 100 })).toBe('100ms #', undefined, new MessageError({ code: 'REQUEST_TIMEOUT', message: "No reply to 'slow' (request 1) within 100 ms" }));
    });
    expect(sent).toEqual([{ k: 'req', id: 1, target: 'slow', body: 1 }, { k: 'cancel', id: 1 }]);
    expect(requester.size).toBe(0); // the timeout cleaned the pending id
  });

  it('emits the reply and completes before the timeout, leaving nothing pending', () => {
    const requester = new Requester({ scheduler: testScheduler });
    testScheduler.run(({ expectObservable, cold }) => {
      requester.opened(link);
      cold('30ms a').subscribe(() => requester.receive({ k: 'res', id: 1, body: 5 }));
      expectObservable(requester.request('add', { a: 2, b: 3 }, { timeoutMs: 100 })).toBe('30ms (r|)', { r: 5 });
    });
    expect(requester.size).toBe(0);
  });

  it('streams next values in order, ignores replayed ones, and completes on done', () => {
    testScheduler.run(({ expectObservable, cold }) => {
      const requester = new Requester({ scheduler: testScheduler });
      requester.opened(link);
      const feed: Record<string, Envelope> = {
        a: { k: 'next', id: 1, n: 0, body: 'x' },
        b: { k: 'next', id: 1, n: 1, body: 'y' },
        r: { k: 'next', id: 1, n: 0, body: 'x' }, // a replay: already delivered
        d: { k: 'done', id: 1 },
      };
      cold('-a-b-r-d', feed).subscribe((e) => requester.receive(e));
      expectObservable(requester.request('feed')).toBe('-a-b---|', { a: 'x', b: 'y' });
    });
  });

  it('unsubscribing before the reply sends cancel once, and a late reply is ignored', () => {
    testScheduler.run(({ expectObservable, cold }) => {
      const requester = new Requester({ scheduler: testScheduler });
      requester.opened(link);
      cold('----a').subscribe(() => requester.receive({ k: 'res', id: 1, body: 'late' }));
      expectObservable(requester.request('slow'), '^-- !').toBe('');
    });
    expect(sent).toEqual([{ k: 'req', id: 1, target: 'slow' }, { k: 'cancel', id: 1 }]);
  });

  it('a request sent on a connection that dies is sent again on the next one (same id, from = values received) while retries remain', () => {
    testScheduler.run(({ expectObservable, cold }) => {
      const requester = new Requester({ scheduler: testScheduler });
      requester.opened(link);
      cold('-a-c--o-r').subscribe((step) => {
        if (step === 'a') requester.receive({ k: 'next', id: 1, n: 0, body: 'first' });
        if (step === 'c') requester.closed('the connection closed');
        if (step === 'o') requester.opened(link);
        if (step === 'r') requester.receive({ k: 'res', id: 1, body: 'ignored: already had value 0' });
      });
      expectObservable(requester.request('feed', undefined, { retries: 1 })).toBe('-a------|', { a: 'first' });
    });
    expect(sent).toEqual([{ k: 'req', id: 1, target: 'feed' }, { k: 'req', id: 1, target: 'feed', from: 1 }]);
  });

  it('with no retries left, a dying connection errors the request with CONNECTION_LOST', () => {
    testScheduler.run(({ expectObservable, cold }) => {
      const requester = new Requester({ scheduler: testScheduler });
      requester.opened(link);
      cold('-c-o-c').subscribe((step) => (step === 'c' ? requester.closed('the connection closed') : requester.opened(link)));
      expectObservable(requester.request('x', undefined, { retries: 1 })).toBe('-----#', undefined, new MessageError({ code: 'CONNECTION_LOST', message: "Request 1 to 'x': the connection closed before its reply ended, and it has no retries left" }));
    });
    expect(sent.map((e) => e.k)).toEqual(['req', 'req']);
  });

  it('a request made while disconnected waits for the next connection, timed from request()', () => {
    testScheduler.run(({ expectObservable, cold }) => {
      const requester = new Requester({ scheduler: testScheduler });
      cold('--o').subscribe(() => requester.opened(link));
      cold('----r').subscribe(() => requester.receive({ k: 'res', id: 1, body: 'ok' }));
      expectObservable(requester.request('x', undefined, { timeoutMs: 10 })).toBe('----(a|)', { a: 'ok' });
    });
    expect(sent).toEqual([{ k: 'req', id: 1, target: 'x' }]);
  });

  it('a request carries acked: the lowest id still waiting, so the server can forget the ones that ended', () => {
    const requester = new Requester({ scheduler: testScheduler });
    requester.opened(link);
    const quiet = { error: () => undefined };
    requester.request('a').subscribe(quiet);
    requester.receive({ k: 'res', id: 1, body: 1 });
    const waiting = requester.request('b').subscribe(quiet);
    requester.request('c').subscribe(quiet);
    expect(sent.filter((e) => e.k === 'req')).toEqual([
      { k: 'req', id: 1, target: 'a' },
      { k: 'req', id: 2, target: 'b', acked: 2 },
      { k: 'req', id: 3, target: 'c', acked: 2 },
    ]);
    waiting.unsubscribe();
    requester.failAll(new MessageError({ code: 'CANCELLED', message: 'test over' }));
  });

  it("a request's own scheduler times it out (the requester's default scheduler is not used)", () => {
    const requester = new Requester(); // asyncScheduler by default
    testScheduler.run(({ expectObservable }) => {
      requester.opened(link);
      expectObservable(requester.request('x', undefined, { timeoutMs: 10, scheduler: testScheduler })).toBe('10ms #', undefined, new MessageError({ code: 'REQUEST_TIMEOUT', message: "No reply to 'x' (request 1) within 10 ms" }));
    });
    expect(requester.size).toBe(0);
  });

  it("an err for an id no request has is not taken (a channel's handler may know it); a request's err is", () => {
    const requester = new Requester({ scheduler: testScheduler });
    requester.opened(link);
    const errors: unknown[] = [];
    requester.request('x').subscribe({ error: (e) => errors.push(e) });
    expect(requester.receive({ k: 'err', id: 99, code: 'CHANNEL_REFUSED', message: 'no' })).toBe(false);
    expect(requester.receive({ k: 'err', id: 1, code: 'NO_FUNDS', message: 'none left' })).toBe(true);
    expect(errors).toEqual([new MessageError({ code: 'NO_FUNDS', message: 'none left' })]);
  });

  it('past maxInFlight, request() errors at once with TOO_MANY_REQUESTS and sends nothing', () => {
    testScheduler.run(({ expectObservable }) => {
      const requester = new Requester({ scheduler: testScheduler, maxInFlight: 1 });
      requester.opened(link);
      requester.request('a').subscribe({ error: () => undefined });
      expectObservable(requester.request('b')).toBe('#', undefined, new MessageError({ code: 'TOO_MANY_REQUESTS', message: '1 requests already wait for a reply (maxInFlight 1); wait for some to end, or raise maxInFlight' }));
    });
    expect(sent.filter((e) => e.k === 'req').map((e) => e.k === 'req' && e.target)).toEqual(['a']);
  });

  it('refuses a bad target or timeout with a MessageError (INVALID_OPTIONS) that says what to pass', () => {
    const requester = new Requester();
    const errors: unknown[] = [];
    requester.request('').subscribe({ error: (e) => errors.push(e) });
    requester.request('x', undefined, { timeoutMs: -1 }).subscribe({ error: (e) => errors.push(e) });
    expect(errors.map(String)).toEqual([
      'MessageError: request(): target must be a string of 1 to 256 characters, got ""',
      'MessageError: request(): timeoutMs must be a finite number of milliseconds from 1 to 2147483647 (about 24.8 days), got -1',
    ]);
    expect(errors).toEqual([expect.objectContaining({ code: 'INVALID_OPTIONS' }), expect.objectContaining({ code: 'INVALID_OPTIONS' })]);
  });
});
