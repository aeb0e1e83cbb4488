import { map, merge } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { WebSocketClient, type UndeliveredMessage, type WebSocketEvent } from 'rxws';
import { closeEvent, fakeConnect, openEvent, type FakeScript } from 'rxws/testing';

// Messages a connection dies with before writing them: back to the queue, or reported.
describe('WebSocketClient: messages in flight when a connection dies', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });
  const cold = (marbles: string, values?: Record<string, WebSocketEvent>) => testScheduler.createColdObservable<WebSocketEvent>(marbles, values);
  /** A connection whose socket reports nothing written until the test says so. */
  const slow = (marbles: string): FakeScript => (socket) => {
    socket.autoConfirmWrites = false;
    return cold(marbles, { o: openEvent({ socket }), c: closeEvent({ code: 1006, reason: 'Abnormal closure: read ECONNRESET', wasClean: false }) });
  };
  const opens: FakeScript = (socket) => cold('-o', { o: openEvent({ socket }) });
  const record = (client: WebSocketClient): UndeliveredMessage[] => {
    const out: UndeliveredMessage[] = [];
    client.undelivered$.subscribe((u) => out.push(u));
    return out;
  };

  it('with a queue: unwritten messages go back to the head of the queue, in order, and are sent once after the next open', () => {
    const connect = fakeConnect(slow('-o----c'), opens);
    const client = new WebSocketClient({ url: 'ws://x', connect, queue: { maxMessages: 10 }, reconnect: { minWaitMs: 1, maxWaitMs: 1 } });
    const undelivered = record(client);
    let queuedAtClose = -1;
    client.events$.subscribe((e) => e.type === 'close' && (queuedAtClose = client.queuedMessages));
    testScheduler.run(({ cold: c }) => {
      // 1: open; 2-4: a, b, c sent; 5: a written; 6: closed (1006); 7: d sent while down; 8: reopened.
      c('s-abcw--d').subscribe((step) => {
        if (step === 's') client.start();
        else if (step === 'w') connect.tries[0].socket.confirmWrites(1);
        else client.send(step);
      });
    });
    expect(connect.tries[0].socket.sent).toEqual(['a', 'b', 'c']);
    expect(queuedAtClose).toBe(2);
    expect(connect.tries[1].socket.sent).toEqual(['b', 'c', 'd']);
    expect(undelivered).toEqual([]);
    expect(client.queuedMessages).toBe(0);
  });

  it('with a queue: requeued messages go before messages queued while the socket was closing', () => {
    const connect = fakeConnect(slow('-o---c'), opens);
    const client = new WebSocketClient({ url: 'ws://x', connect, queue: { maxMessages: 10 }, reconnect: { minWaitMs: 1, maxWaitMs: 1 } });
    testScheduler.run(({ cold: c }) => {
      c('s-abx').subscribe((step) => {
        if (step === 's') client.start();
        else if (step === 'x') {
          connect.tries[0].socket.readyState = 2; // closing: the socket refuses, the client queues
          client.send('x');
        } else client.send(step);
      });
    });
    expect(connect.tries[0].socket.sent).toEqual(['a', 'b']);
    expect(connect.tries[1].socket.sent).toEqual(['a', 'b', 'x']);
  });

  it('without a queue: unwritten messages are reported on undelivered$, in order, before the close event', () => {
    const connect = fakeConnect(slow('-o---c'));
    const client = new WebSocketClient({ url: 'ws://x', connect, reconnect: false });
    testScheduler.run(({ cold: c, expectObservable }) => {
      c('s-abw').subscribe((step) => {
        if (step === 's') client.start();
        else if (step === 'w') connect.tries[0].socket.confirmWrites(1);
        else client.send(step);
      });
      const both = merge(
        client.events$.pipe(map((e) => e.type)),
        client.undelivered$.pipe(map((u) => `undelivered ${String(u.data)}`)),
      );
      expectObservable(both, '^ 10ms !').toBe('-o---(uc)', { o: 'open', u: 'undelivered b', c: 'close' });
    });
  });

  it('without a queue: the report says what happened and that the message never left', () => {
    const connect = fakeConnect(slow('-o--c'));
    const client = new WebSocketClient({ url: 'ws://x', connect, reconnect: false });
    const undelivered = record(client);
    testScheduler.run(({ cold: c }) => {
      c('s-a').subscribe((step) => (step === 's' ? client.start() : client.send(step)));
    });
    expect(undelivered).toEqual([{
      data: 'a',
      maybeSent: false,
      reason: 'Not sent: the connection closed (1006 Abnormal closure: read ECONNRESET) before it was written, and there is no send queue',
    }]);
  });

  it('with a full queue: the oldest unwritten messages that fit are requeued, the rest reported', () => {
    const connect = fakeConnect(slow('-o----c'), opens);
    const client = new WebSocketClient({ url: 'ws://x', connect, queue: { maxMessages: 2 }, reconnect: { minWaitMs: 1, maxWaitMs: 1 } });
    const undelivered = record(client);
    testScheduler.run(({ cold: c }) => {
      c('s-abcd').subscribe((step) => (step === 's' ? client.start() : client.send(step)));
    });
    expect(undelivered.map((u) => [u.data, u.maybeSent, u.reason.endsWith('the send queue is full (maxMessages 2)')])).toEqual([
      ['c', false, true],
      ['d', false, true],
    ]);
    expect(connect.tries[1].socket.sent).toEqual(['a', 'b']);
  });

  it('a message cut short as the connection died is reported as maybe sent and never requeued', () => {
    const connect = fakeConnect(slow('-o---c'), opens);
    const client = new WebSocketClient({ url: 'ws://x', connect, queue: { maxMessages: 10 }, reconnect: { minWaitMs: 1, maxWaitMs: 1 } });
    const undelivered = record(client);
    testScheduler.run(({ cold: c }) => {
      c('s-abx').subscribe((step) => {
        if (step === 's') client.start();
        else if (step === 'x') connect.tries[0].socket.failWrites(Object.assign(new Error('cut'), { maybeSent: true }));
        else client.send(step);
      });
    });
    expect(undelivered.map((u) => [u.data, u.maybeSent])).toEqual([['a', true], ['b', true]]);
    expect(undelivered[0].reason).toMatch(/^Maybe not delivered: the connection closed \(1006 .*\) while it was being written/);
    expect(connect.tries[1].socket.sent).toEqual([]);
  });

  it('stop(): with a queue, unwritten messages wait for the next start(); without, they are reported', () => {
    const queued = fakeConnect(slow('-o'), opens);
    const withQueue = new WebSocketClient({ url: 'ws://x', connect: queued, queue: { maxMessages: 10 } });
    const plain = fakeConnect(slow('-o'));
    const withoutQueue = new WebSocketClient({ url: 'ws://x', connect: plain });
    const undelivered = record(withoutQueue);
    testScheduler.run(({ cold: c }) => {
      c('s-at-r').subscribe((step) => {
        for (const client of step === 'r' ? [withQueue] : [withQueue, withoutQueue]) {
          if (step === 's' || step === 'r') client.start();
          else if (step === 't') client.stop();
          else client.send(step);
        }
      });
    });
    expect(queued.tries[1].socket.sent).toEqual(['a']);
    expect(undelivered.map((u) => [u.data, u.reason])).toEqual([['a', 'Not sent: the connection closed (1000) before it was written, and there is no send queue']]);
  });

  it('a write reported after its connection ended is ignored: the next connection is not confused', () => {
    const connect = fakeConnect(slow('-o--c'), slow('-o'));
    const client = new WebSocketClient({ url: 'ws://x', connect, queue: { maxMessages: 10 }, reconnect: { minWaitMs: 1, maxWaitMs: 1 } });
    let lateCallback: (() => void) | undefined;
    testScheduler.run(({ cold: c }) => {
      // 1: open; 2: keep the first socket's write callback; 3: a sent; 4: closed, a requeued;
      // 5: reopened, a re-sent; 6: b sent; 7: the first socket reports a written, too late.
      c('s-ga--bl').subscribe((step) => {
        if (step === 's') client.start();
        else if (step === 'g') {
          const socket = connect.tries[0].socket;
          const send = socket.send.bind(socket);
          socket.send = (data, onWritten) => {
            lateCallback = () => onWritten?.();
            return send(data, onWritten);
          };
        } else if (step === 'l') lateCallback?.();
        else client.send(step);
      });
    });
    expect(connect.tries[0].socket.sent).toEqual(['a']);
    expect(connect.tries[1].socket.sent).toEqual(['a', 'b']);
    client.stop();
    expect(client.queuedMessages).toBe(2); // a and b, neither reported written by the second socket
    expect(connect.tries[2]).toBeUndefined();
  });

  it('the example of docs/client.md: fake writes held, then failed by the close', () => {
    const connect = fakeConnect(
      (socket) => {
        socket.autoConfirmWrites = false;
        return testScheduler.createColdObservable('-o--c', { o: openEvent({ socket }), c: closeEvent({ code: 1006 }) });
      },
      (socket) => testScheduler.createColdObservable('-o', { o: openEvent({ socket }) }),
    );
    const client = new WebSocketClient({ url: 'ws://x', connect, queue: { maxMessages: 10 }, reconnect: { minWaitMs: 1, maxWaitMs: 1 } });
    testScheduler.run(({ cold: c }) => {
      c('s-ab').subscribe((step) => (step === 's' ? client.start() : client.send(step)));
    });
    expect(connect.tries[1].socket.sent).toEqual(['a', 'b']);
  });
});
