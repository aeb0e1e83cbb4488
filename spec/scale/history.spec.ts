// Resumable delivery across processes: three rxws instances with channels on redisHistory(), one
// real redis-server (started here on 127.0.0.1, no persistence), rxws clients that reconnect to
// whichever instance is alive. Each test counts exactly: every publication once, in order, or an
// explicit gap.
import { randomBytes } from 'node:crypto';
import { Follower, HistoryInstance, upTo } from './history-instances';
import { RedisServer } from './redis-server';

jest.setTimeout(60_000);

let redis: RedisServer;
let env: Record<string, string>;
let instances: HistoryInstance[] = [];
let followers: Follower[] = [];
let turn = 0;

/** The next live instance, round robin: where a client (re)connects. */
const pick = (): string => {
  const alive = instances.filter((i) => i.alive);
  return alive[turn++ % alive.length].url;
};

beforeAll(async () => {
  redis = await RedisServer.start();
  env = { REDIS_URL: redis.url, HISTORY_PREFIX: `rxws-test-${randomBytes(4).toString('hex')}:` };
  instances = await Promise.all(['A', 'B', 'C'].map((name) => HistoryInstance.start(name, env)));
});

afterAll(async () => {
  await Promise.all(instances.map((i) => i.stop()));
  await redis?.stop();
});

afterEach(() => {
  for (const f of followers) f.stop();
  followers = [];
});

const channelName = (): string => `feed-${randomBytes(3).toString('hex')}`;

async function follow(count: number, channel: string): Promise<Follower[]> {
  const made = Array.from({ length: count }, () => new Follower(pick, channel));
  followers.push(...made);
  await Promise.all(made.map((f) => f.until(() => f.subscribed > 0, 10_000, 'subscribed')));
  return made;
}

/** Publishes 1 … `count` from `from`, in order, a few at a time, spread over about `spreadMs`. */
async function flow(from: () => HistoryInstance, channel: string, count: number, spreadMs: number, onProgress?: (n: number) => Promise<void> | void): Promise<void> {
  const batch = 10;
  const pauseMs = spreadMs / (count / batch);
  for (let n = 1; n <= count; n += batch) {
    const publisher = from();
    await Promise.all(upTo(Math.min(batch, count - n + 1)).map((i) => publisher.publish(channel, n + i - 1)));
    await onProgress?.(n + batch - 1);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

async function allGot(fs: Follower[], expected: number[], what: string): Promise<void> {
  await Promise.all(fs.map((f) => f.until(() => f.bodies.length >= expected.length, 20_000, what)));
  for (const f of fs) {
    expect(f.bodies).toEqual(expected);
    expect(f.gaps).toEqual([]);
  }
}

describe('redisHistory() across three instances in separate processes', () => {
  it('clients that reconnect 100 times to any instance while messages flow get every one once, in order', async () => {
    const channel = channelName();
    const fs = await follow(5, channel);
    const opensBefore = fs.reduce((n, f) => n + f.opens, 0);
    const reconnects = (): number => fs.reduce((n, f) => n + f.opens, 0) - opensBefore;
    let dropping = true;
    const dropper = (async () => {
      // Cut one instance's clients at a time until 100 reconnects have happened.
      for (let round = 0; dropping && round < 1000 && reconnects() < 100; round++) {
        await instances[round % instances.length].drop();
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    const total = 2000;
    await flow(() => instances[0], channel, total, 3000, async (n) => {
      // Keep the flow going until the reconnects are done, then let it finish.
      if (n >= total - 10 && reconnects() < 100) await dropper;
    });
    dropping = false;
    await dropper;
    expect(reconnects()).toBeGreaterThanOrEqual(100);
    await allGot(fs, upTo(total), 'every publication');
  });

  it('instances killed with SIGKILL mid-stream: their clients resume on the others and miss nothing', async () => {
    const channel = channelName();
    const fs = await follow(6, channel);
    const total = 1500;
    const publisher = instances.find((i) => i.alive) as HistoryInstance;
    await flow(() => publisher, channel, total, 2500, async (n) => {
      if (n === 500 || n === 1000) {
        const victim = instances.find((i) => i.alive && i !== publisher) as HistoryInstance;
        await victim.kill();
        instances.push(await HistoryInstance.start(`${victim.name}'`, env)); // a replacement joins meanwhile
      }
    });
    expect(instances.filter((i) => !i.alive)).toHaveLength(2);
    await allGot(fs, upTo(total), 'every publication after the kills');
  });

  it('a Redis restart without persistence: publishing fails while it is down, then clients are told the epoch changed', async () => {
    const channel = channelName();
    const fs = await follow(4, channel);
    const publisher = instances.find((i) => i.alive) as HistoryInstance;
    await flow(() => publisher, channel, 200, 200);
    await allGot(fs, upTo(200), 'before the restart');
    await redis.stop();
    await expect(publisher.publish(channel, -1)).rejects.toThrow(/Redis|connection|closed|down/i);
    await redis.restart();
    // The instances reconnect by themselves: publish 201 until Redis takes it (bounded).
    let first: { epoch: string; offset: number } | undefined;
    for (let attempt = 0; attempt < 100 && first === undefined; attempt++) {
      first = await publisher.publish(channel, 201).catch(() => undefined);
      if (first === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(first?.offset).toBe(1); // a new history: a new epoch, counted from 1
    for (let n = 202; n <= 300; n++) await publisher.publish(channel, n);
    await Promise.all(fs.map((f) => f.until(() => f.bodies.length >= 300, 20_000, 'after the restart')));
    for (const f of fs) {
      expect(f.bodies).toEqual(upTo(300));
      expect(f.gaps).toEqual([{ type: 'gap', channel, reason: 'epoch-changed', previous: { epoch: expect.any(String), offset: 200 }, current: { epoch: first?.epoch, offset: 0 }, missed: undefined }]);
      expect(f.gaps[0].previous.epoch).not.toBe(first?.epoch);
    }
  });

  it('history trimmed under a client that fell behind: recovered false with what is known, then live', async () => {
    const small = await HistoryInstance.start('small', { ...env, HISTORY_MAX_MESSAGES: '20' });
    instances.push(small);
    try {
      const channel = channelName();
      const slow = new Follower(() => small.url, channel);
      followers.push(slow);
      await slow.until(() => slow.subscribed > 0, 10_000, 'subscribed');
      for (let n = 1; n <= 10; n++) await small.publish(channel, n);
      await slow.until(() => slow.bodies.length >= 10, 10_000, 'the first ten');
      slow.stop(); // away: what happens now is more than the history keeps
      let last = { epoch: '', offset: 0 };
      for (let n = 11; n <= 100; n++) last = await small.publish(channel, n);
      slow.client.start();
      await slow.until(() => slow.gaps.length > 0, 10_000, 'the gap');
      for (let n = 101; n <= 110; n++) await small.publish(channel, n);
      await slow.until(() => slow.bodies.length >= 20, 10_000, 'the live ones');
      expect(slow.bodies).toEqual([...upTo(10), ...upTo(10).map((n) => n + 100)]);
      expect(slow.gaps).toEqual([{ type: 'gap', channel, reason: 'not-recovered', previous: { epoch: last.epoch, offset: 10 }, current: last, missed: 90 }]);
    } finally {
      await small.stop();
    }
  });
});
