// The message layer leaves nothing behind: no timer per request, nothing after stop() and close().
import { firstValueFrom, filter, interval, lastValueFrom, take, toArray } from 'rxjs';
import { json, WebSocketClient } from 'rxws';
import { serve } from 'rxws/server';
import { RequestRunner, type Run, type RunTarget } from '../../src/messages/handlers';
import { extraResources, runPool, settledHeap, snapshot, waitFor } from '../leaks/probe';

describe('message layer: no leaks', () => {
  it('1000 requests (values, streams, cancelled, timed out) leave no timer while idle, and nothing after stop() and close()', async () => {
    const before = snapshot();
    const server = serve({ host: '127.0.0.1', port: 0, codec: json(), messaging: { handlers: { echo: (b) => b, ticks: () => interval(1).pipe(take(3)), hang: () => new Promise(() => undefined) } } });
    const { port } = await server.listening;
    const client = new WebSocketClient({ url: `ws://127.0.0.1:${port}`, codec: json(), messaging: true });
    const opened = firstValueFrom(client.events$.pipe(filter((e) => e.type === 'open')));
    client.start();
    await opened;
    await runPool(1000, 20, async (i) => {
      switch (i % 4) {
        case 0: await lastValueFrom(client.request('echo', i)); break;
        case 1: await lastValueFrom(client.request('ticks').pipe(toArray())); break;
        case 2: await lastValueFrom(client.request('ticks').pipe(take(1))); break; // cancelled after one value
        default: await lastValueFrom(client.request('hang', undefined, { timeoutMs: 5 })).catch(() => undefined);
      }
    });
    // Idle: the client has no request waiting, so no timer of its own; the server at most its one sweep.
    const idle = extraResources(before, snapshot());
    expect(idle.Timeout ?? 0).toBeLessThanOrEqual(1);
    client.stop();
    await server.close();
    await waitFor(() => Object.keys(extraResources(before, snapshot())).length === 0);
    expect(extraResources(before, snapshot())).toEqual({});
  });

  it('a request the client acknowledged (acked) is garbage at once: the de-duplication window does not hold it until it passes', async () => {
    const runner = new RequestRunner<null>({ handlers: { echo: (b) => b } }); // a 60 s window
    const conn: RunTarget = { runs: new Map<number, Run>(), send: () => true };
    let body: object | undefined = { reply: 'kept for a re-sent request' };
    const reply = new WeakRef(body);
    runner.request({ k: 'req', id: 1, target: 'echo', body }, conn, 'session-w', null);
    body = undefined;
    runner.request({ k: 'req', id: 2, target: 'echo', body: 2, acked: 2 }, conn, 'session-w', null); // request 1 has ended at the client
    expect(runner.remembered).toBe(1);
    // A WeakRef keeps its target to the end of the job that made it: collect in the next one.
    await new Promise((resolve) => setImmediate(resolve));
    settledHeap();
    expect(reply.deref()).toBeUndefined();
    runner.dispose();
  });
});
