import { RedisServer } from '../spec/scale/redis-server';
import { main } from './cluster-broadcast';

jest.setTimeout(60_000);

describe('the cluster broadcast example', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(() => redis?.stop());

  it('two workers share one port; every client gets each worker\'s broadcast exactly once', async () => {
    const lines: string[] = [];
    const { clients } = await main({ workers: 2, clients: 6, redisUrl: redis.url, execArgv: ['--import', 'tsx'], log: (l) => lines.push(l) });
    expect(lines[0]).toMatch(/^2 workers listening on ws:\/\/127\.0\.0\.1:\d+, joined through redis:\/\/127\.0\.0\.1:\d+$/);
    expect(new Set(clients.map((c) => c.worker)).size).toBe(2);
    for (const c of clients) {
      expect(c.received).toEqual([`welcome from ${c.worker}`, 'hello from the first worker', 'bye from the last worker']);
    }
    // Each worker reports the clients it holds itself; Redis reports both instances.
    const on = (worker: string): number => clients.filter((c) => c.worker === worker).length;
    expect(lines.filter((l) => / broadcast "/.test(l))).toEqual([
      `worker 1 broadcast "hello from the first worker": ${on('worker 1')} local clients, 2 instances`,
      `worker 2 broadcast "bye from the last worker": ${on('worker 2')} local clients, 2 instances`,
    ]);
  });
});
