import { TestScheduler } from 'rxjs/testing';
import type { WebSocketEvent, WriteError } from 'rxws';
import { closeEvent, fakeConnect, FakeSocket, openEvent } from 'rxws/testing';

describe('rxws/testing: write reports', () => {
  const reports = (): { log: string[]; cb: (name: string) => (err?: WriteError) => void } => {
    const log: string[] = [];
    return { log, cb: (name) => (err) => log.push(err ? `${name}: ${err.maybeSent ? 'maybe ' : ''}${err.message}` : `${name}: written`) };
  };

  it('FakeSocket reports each message written during send by default', () => {
    const { log, cb } = reports();
    const socket = new FakeSocket();
    socket.send('a', cb('a'));
    expect(log).toEqual(['a: written']);
    expect(socket.unconfirmedWrites).toBe(0);
  });

  it('with autoConfirmWrites: false, confirmWrites and failWrites report in send order', () => {
    const { log, cb } = reports();
    const socket = new FakeSocket({ autoConfirmWrites: false });
    socket.send('a', cb('a'));
    socket.send('b'); // no callback: still counted in order
    socket.send('c', cb('c'));
    socket.send('d', cb('d'));
    expect(log).toEqual([]);
    expect(socket.unconfirmedWrites).toBe(4);
    socket.confirmWrites(2);
    expect(log).toEqual(['a: written']);
    socket.failWrites(Object.assign(new Error('cut'), { maybeSent: true }));
    expect(log).toEqual(['a: written', 'c: maybe cut', 'd: maybe cut']);
    socket.close();
    expect(socket.send('e', cb('e'))).toBe(false);
    expect(log).toHaveLength(3); // a refused message is never reported
  });

  it('switching autoConfirmWrites back on keeps the order: later messages wait behind unconfirmed ones', () => {
    const { log, cb } = reports();
    const socket = new FakeSocket({ autoConfirmWrites: false });
    socket.send('a', cb('a'));
    socket.autoConfirmWrites = true;
    socket.send('b', cb('b'));
    expect(log).toEqual([]);
    socket.confirmWrites();
    expect(log).toEqual(['a: written', 'b: written']);
  });

  it('fakeConnect fails the unconfirmed writes of a connection before its close event, as a real socket does', () => {
    const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const { log, cb } = reports();
    const connect = fakeConnect((socket) => {
      socket.autoConfirmWrites = false;
      return testScheduler.createColdObservable<WebSocketEvent>('-o--c', { o: openEvent({ socket }), c: closeEvent({ code: 1006 }) });
    });
    testScheduler.run(({ cold }) => {
      connect('ws://x').subscribe((e) => log.push(e.type));
      cold('--a').subscribe(() => connect.tries[0].socket.send('a', cb('a')));
    });
    expect(log).toEqual(['open', 'a: The connection closed before this message was written', 'close']);
  });

  it('fakeConnect fails them on a local close and on unsubscribe too', () => {
    const { log, cb } = reports();
    const connect = fakeConnect((socket) => {
      socket.autoConfirmWrites = false;
      return new TestScheduler(() => undefined).createColdObservable<WebSocketEvent>('');
    });
    const sub = connect('ws://x').subscribe((e) => log.push(e.type));
    const first = connect.tries[0].socket;
    first.readyState = 1;
    first.send('a', cb('a'));
    first.close(4000);
    sub.unsubscribe();
    const sub2 = connect('ws://x').subscribe();
    const second = connect.tries[1].socket;
    second.readyState = 1;
    second.send('b', cb('b'));
    sub2.unsubscribe();
    expect(log).toEqual(['a: The connection closed before this message was written', 'close', 'b: The connection closed before this message was written']);
  });
});
