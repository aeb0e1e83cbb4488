// Two rxws server instances in separate processes, one Redis between them (a real redis-server
// started here on 127.0.0.1 and a free port), clients on both.
import { randomBytes } from 'node:crypto';
import { Client, Instance, InstanceError } from './instances';
import { RedisServer } from './redis-server';

jest.setTimeout(60_000);

let redis: RedisServer;
let a: Instance;
let b: Instance;
let clients: Client[] = [];

beforeAll(async () => {
  redis = await RedisServer.start();
  const channel = `rxws-test-${randomBytes(4).toString('hex')}`;
  [a, b] = await Promise.all([Instance.start('A', redis.url, channel), Instance.start('B', redis.url, channel)]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.stop();
});

afterEach(() => {
  for (const c of clients) c.ws.terminate();
  clients = [];
});

async function open(instance: Instance, topics = ''): Promise<Client> {
  const client = await Client.open(`${instance.url}/?topics=${topics}`);
  clients.push(client);
  return client;
}

let fences = 0;
/**
 * Waits until everything published so far has reached every client, echoes included: fences
 * from A, then B, then A, each published once the previous one is confirmed by Redis. Redis keeps
 * each connection's order, so an instance that (wrongly) delivered its own broadcast again
 * would have done it before the next fence from the other instance arrived.
 */
async function settle(): Promise<void> {
  const marks = [a, b, a].map((instance) => ({ instance, mark: `fence:${++fences}` }));
  for (const { instance, mark } of marks) await instance.publish(mark);
  await Promise.all(clients.flatMap((c) => marks.map(({ mark }) => c.received(mark))));
}

describe('Redis adapter across two processes', () => {
  it('a broadcast from either instance reaches every client of both exactly once, text and binary', async () => {
    const onA = [await open(a), await open(a)];
    const onB = [await open(b), await open(b)];
    const big = randomBytes(100_000);
    await expect(a.publish('from A')).resolves.toEqual({ local: 2, instances: 2 });
    await expect(b.publish(new Uint8Array([0, 1, 255]))).resolves.toEqual({ local: 2, instances: 2 });
    await expect(a.broadcast('héllo ✓ 🎉')).resolves.toBe(2);
    await expect(b.publish(big)).resolves.toEqual({ local: 2, instances: 2 });
    await settle();
    const expected = ['from A', '0x0001ff', 'héllo ✓ 🎉', `0x${big.toString('hex')}`].sort();
    for (const c of [...onA, ...onB]) {
      expect(c.messages()).toEqual(expected);
      expect(c.got.filter((m) => m.startsWith('fence:'))).toHaveLength(3);
    }
  });

  it('topics select on both instances; several topics reach a member once; leave stops it', async () => {
    const red = await open(a, 'red');
    const redBlue = await open(a, 'red,blue');
    const redOnB = await open(b, 'red');
    const none = await open(b);
    await expect(a.publish('to red', { topic: 'red' })).resolves.toEqual({ local: 2, instances: 2 });
    await expect(b.publish('to red or blue', { topic: ['red', 'blue'] })).resolves.toEqual({ local: 1, instances: 2 });
    const left = redBlue.received('left:red');
    redBlue.ws.send('leave:red');
    await left;
    await expect(b.publish('to red after leave', { topic: 'red' })).resolves.toEqual({ local: 1, instances: 2 });
    await settle();
    expect(red.messages()).toEqual(['to red', 'to red after leave', 'to red or blue']);
    expect(redBlue.messages()).toEqual(['left:red', 'to red', 'to red or blue']);
    expect(redOnB.messages()).toEqual(['to red', 'to red after leave', 'to red or blue']);
    expect(none.messages()).toEqual([]);
  });

  it('a chat message reaches the topic on both instances except its sender', async () => {
    const sender = await open(a, 'room');
    const sameInstance = await open(a, 'room');
    const otherInstance = await open(b, 'room');
    const outside = await open(b, 'lobby');
    const heard = Promise.all([sameInstance.received('hi: there'), otherInstance.received('hi: there')]);
    sender.ws.send('chat:room:hi: there');
    await heard;
    await settle();
    expect(sender.messages()).toEqual([]);
    expect(sameInstance.messages()).toEqual(['hi: there']);
    expect(otherInstance.messages()).toEqual(['hi: there']);
    expect(outside.messages()).toEqual([]);
  });

  it('while Redis is down a broadcast reports the failure; after it restarts broadcasts flow again', async () => {
    const onA = await open(a);
    const onB = await open(b);
    await redis.stop();
    await Promise.all([a.statusIs('reconnecting'), b.statusIs('reconnecting')]);

    const failed = await a.publish('during outage').catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(InstanceError);
    expect(failed).toMatchObject({ code: 'OFFLINE', message: expect.stringContaining('is down (reconnecting)') });
    const reported = b.errorWith('OFFLINE');
    await expect(b.broadcast('also during outage')).resolves.toBe(1);
    await reported;
    await Promise.all([onA.received('during outage'), onB.received('also during outage')]);

    await redis.restart();
    await Promise.all([a.statusIs('ready'), b.statusIs('ready')]);
    await expect(a.publish('after restart')).resolves.toEqual({ local: 1, instances: 2 });
    await expect(b.publish('from B after restart')).resolves.toEqual({ local: 1, instances: 2 });
    await settle();
    expect(onA.messages()).toEqual(['after restart', 'during outage', 'from B after restart']);
    expect(onB.messages()).toEqual(['after restart', 'also during outage', 'from B after restart']);
  });
});
