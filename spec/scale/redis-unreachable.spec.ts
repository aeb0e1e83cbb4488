import { filter, firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { redisAdapter, RedisAdapterError } from 'rxws/redis';
import { closeAll, start } from '../server/peers';
import { freePort } from './redis-server';

afterEach(closeAll);

describe('Redis adapter without a Redis', () => {
  it('reports each failed try, fails publishes fast, and gives up after maxRetries', async () => {
    const port = await freePort(); // nothing listens there
    const adapter = redisAdapter({ url: `redis://127.0.0.1:${port}`, reconnect: { maxRetries: 2, maxWaitMs: 50 } });
    const { server } = await start({ adapter });
    const statuses = lastValueFrom(adapter.status$.pipe(toArray()));
    const codes: string[] = [];
    server.errors$.subscribe((e) => codes.push((e.error as RedisAdapterError).code));
    const gaveUp = firstValueFrom(server.errors$.pipe(filter((e) => e.error instanceof RedisAdapterError && e.error.code === 'GAVE_UP')));
    const failed = await server.publish('anyone?').catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(RedisAdapterError);
    expect((failed as RedisAdapterError).code).toBe('OFFLINE');
    const { error } = await gaveUp;
    expect((error as Error).message).toMatch(new RegExp(`Gave up connecting to Redis at redis://127.0.0.1:${port}: .*ECONNREFUSED`));
    await expect(adapter.ready).rejects.toMatchObject({ code: 'GAVE_UP' });
    expect(await statuses).toEqual(['connecting', 'closed']);
    expect(codes.filter((c) => c === 'CONNECTION').length).toBeGreaterThanOrEqual(2);
    expect(codes.filter((c) => c === 'GAVE_UP')).toHaveLength(1);
    await expect(server.publish('still?')).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
