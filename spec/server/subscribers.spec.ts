import { once } from 'node:events';
import { config, filter, firstValueFrom, lastValueFrom, take, toArray, type ObservableNotification } from 'rxjs';
import type { WebSocketEvent } from 'rxws';
import { flushIo } from '../helpers/observe';
import { closeAll, nextConnection, start, wsClient } from './peers';

// RxJS reports here any notification sent to a subscriber that has already unsubscribed or
// completed: the connection must send none.
let stopped: ObservableNotification<unknown>[] = [];
beforeEach(() => {
  stopped = [];
  config.onStoppedNotification = (notification) => stopped.push(notification);
});
afterEach(async () => {
  config.onStoppedNotification = null;
  await closeAll();
});

const describeEvent = (e: WebSocketEvent): string => (e.type === 'message' ? `message ${String(e.data)}` : e.type);

/** A server, one client and its connection; `echoed()` resolves once the server has seen `n` messages. */
async function connected() {
  const { server, url } = await start();
  const accepted = nextConnection(server);
  const client = await wsClient(url);
  const connection = await accepted;
  // lastValueFrom: firstValueFrom unsubscribes before toArray completes, which RxJS reports as a stopped notification.
  const seen = (n: number) => lastValueFrom(connection.messages$.pipe(take(n), toArray()));
  return { client, connection, seen };
}

describe('ServerConnection subscribers', () => {
  it('a subscriber that unsubscribes gets nothing more; the others get every event, and completion', async () => {
    const { client, connection, seen } = await connected();
    const log = { a: [] as string[], b: [] as string[], c: [] as string[], d: [] as string[] };
    const a = connection.messages$.subscribe((e) => log.a.push(describeEvent(e)));
    const b = connection.messages$.subscribe({ next: (e) => log.b.push(describeEvent(e)), complete: () => log.b.push('complete') });
    const c = connection.events$.subscribe((e) => log.c.push(describeEvent(e)));
    let first = seen(1);
    client.send('one');
    await first;
    a.unsubscribe();
    c.unsubscribe();
    first = seen(2);
    client.send('two');
    client.send('three');
    await first;
    const d = connection.events$.subscribe({ next: (e) => log.d.push(describeEvent(e)), complete: () => log.d.push('complete') });
    first = seen(1);
    client.send('four');
    await first;
    client.close(1000);
    await once(client, 'close');
    await lastValueFrom(connection.events$);
    await flushIo();
    expect(log.a).toEqual(['message one']);
    expect(log.c).toEqual(['open', 'message one']);
    expect(log.b).toEqual(['message one', 'message two', 'message three', 'message four', 'complete']);
    expect(log.d).toEqual(['open', 'message four', 'close', 'complete']);
    expect([a.closed, b.closed, c.closed, d.closed]).toEqual([true, true, true, true]);
    expect(stopped).toEqual([]);
  });

  it('a subscriber that leaves during the replay (take(1) of events$) gets only the open event', async () => {
    const { client, connection, seen } = await connected();
    const opened = await lastValueFrom(connection.events$.pipe(take(1), toArray()));
    expect(opened.map(describeEvent)).toEqual(['open']);
    const next = seen(1);
    client.send('after');
    expect((await next).map(describeEvent)).toEqual(['message after']);
    await flushIo();
    expect(stopped).toEqual([]);
  });

  it('events$ and messages$ work however often they are read', async () => {
    const { client, connection } = await connected();
    const twice = Promise.all([
      firstValueFrom(connection.messages$),
      firstValueFrom(connection.messages$),
      firstValueFrom(connection.events$.pipe(filter((e) => e.type === 'message'))),
    ]);
    client.send('x');
    expect((await twice).map(describeEvent)).toEqual(['message x', 'message x', 'message x']);
  });
});
