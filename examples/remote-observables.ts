// Remote Observables: a server's handlers answer requests with a value, a Promise or an
// Observable; a client subscribes to them as if they were local, and unsubscribing stops them.
// Run: npx tsx examples/remote-observables.ts
import { finalize, firstValueFrom, interval, lastValueFrom, map, take, toArray } from 'rxjs';
import { json, MessageError, WebSocketClient } from 'rxws';
import { serve } from 'rxws/server';

export async function main(log: (line: string) => void = console.log): Promise<void> {
  let stopped!: () => void;
  const tickerStopped = new Promise<void>((resolve) => (stopped = resolve));
  const server = serve({
    host: '127.0.0.1',
    port: 0,
    codec: json(),
    messaging: {
      handlers: {
        add: (body) => (body as number[]).reduce((a, b) => a + b, 0),
        countdown: (body) => interval(10).pipe(take(Number(body)), map((i) => Number(body) - i)),
        ticker: () => interval(10).pipe(finalize(() => stopped())),
        withdraw: async () => Promise.reject(Object.assign(new Error('Not enough funds'), { code: 'NO_FUNDS', data: { balance: 0 } })),
      },
    },
  });
  const { port } = await server.listening;
  const client = new WebSocketClient({ url: `ws://127.0.0.1:${port}`, codec: json(), messaging: true });
  client.start();

  log(`add: ${await firstValueFrom(client.request<number>('add', [1, 2, 3]))}`);
  log(`countdown: ${(await lastValueFrom(client.request<number>('countdown', 3).pipe(toArray()))).join(' ')}`);
  const ticks = await lastValueFrom(client.request<number>('ticker').pipe(take(2), toArray())); // take(2) unsubscribes
  await tickerStopped;
  log(`ticker: ${ticks.join(' ')}, then stopped on the server`);
  try {
    await firstValueFrom(client.request('withdraw', 100));
  } catch (e) {
    const error = e as MessageError;
    log(`withdraw: ${error.code} ${error.message} ${JSON.stringify(error.data)}`);
  }
  client.stop();
  await server.close();
}

if (require.main === module) void main();
