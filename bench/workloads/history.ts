// The history workloads of `npm run bench` (docs/scale-out.md, Resumable delivery: the cost):
// channel broadcasts with an in-memory history and with Redis Streams against none, in the same
// run; and how fast a client that missed 100k publications gets them replayed.
import { RedisServer } from '../../spec/scale/redis-server';
import type { BenchConfig } from '../lib/config';
import { atLeast, type Metrics } from '../lib/report';
import type { BenchContext, Workload } from '../suite';

const sizes = (cfg: BenchConfig) =>
  cfg.quick
    ? { clients: 20, messages: 20, burst: 10, missed: 2_000, maxMs: 20_000 }
    : { clients: cfg.broadcast.clients, messages: cfg.broadcast.messages, burst: cfg.broadcast.burst, missed: 100_000, maxMs: 120_000 };

/** One redis-server for the run, started on first use (loopback, no persistence), killed at exit. */
let redis: Promise<RedisServer> | undefined;
function redisUrl(): Promise<string> {
  redis ??= RedisServer.start().then((server) => {
    process.on('exit', () => void server.stop());
    return server;
  });
  return redis.then((server) => server.url);
}

const url = (port: number): string => `ws://127.0.0.1:${port}`;
const serverCpu = async (ctx: BenchContext): Promise<number> => (await ctx.server.call<{ cpuUs: number }>('cpu')).cpuUs;

export const historyBroadcast: Workload = {
  id: 'broadcast-history',
  variants: ['none', 'memory', 'redis'],
  rows: [
    { label: 'channel broadcast, 32 B to 1000 subscribers: in-memory history vs none', unit: 'deliveries/s', metric: 'deliveriesPerSec', a: 'memory', b: 'none', goal: atLeast(0.9) },
    { label: 'channel broadcast, 32 B to 1000 subscribers: Redis Streams history vs none', unit: 'deliveries/s', metric: 'deliveriesPerSec', a: 'redis', b: 'none' },
    { label: 'channel broadcast: server CPU per delivery, in-memory history vs none', unit: 'ns', metric: 'serverNsPerDelivery', a: 'memory', b: 'none' },
    { label: 'channel broadcast: server CPU per delivery, Redis Streams history vs none', unit: 'ns', metric: 'serverNsPerDelivery', a: 'redis', b: 'none' },
  ],
  trial: async (ctx, variant): Promise<Metrics> => {
    const { clients, messages, burst, maxMs } = sizes(ctx.cfg);
    const { port } = await ctx.server.call<{ port: number }>('startChannelApp', { variant, redisUrl: variant === 'redis' ? await redisUrl() : '', maxMessages: 10_000 }, 30_000);
    try {
      await ctx.client.call('openSubscribers', { url: url(port), clients, parallel: 50, channel: 'bench', maxMs }, maxMs + 10_000);
      await ctx.client.call('resetChannelDeliveries');
      const cpuBefore = await serverCpu(ctx);
      const { startMs } = await ctx.server.call<{ startMs: number }>('channelBroadcast', { messages, burst, size: 32 }, maxMs);
      const total = clients * messages;
      const { lastDeliveryMs } = await ctx.client.call<{ lastDeliveryMs: number }>('awaitChannelDeliveries', { total, maxMs }, maxMs + 10_000);
      const cpuUs = (await serverCpu(ctx)) - cpuBefore;
      return { deliveriesPerSec: (total * 1000) / (lastDeliveryMs - startMs), serverNsPerDelivery: (cpuUs * 1000) / total };
    } finally {
      await ctx.client.call('closeSubscribers');
      await ctx.server.call('stopChannelApp', {}, 30_000);
    }
  },
};

export const historyReplay: Workload = {
  id: 'replay-history',
  variants: ['memory', 'redis'],
  rows: [
    { label: 'replay of 100k missed publications (32 B) to a resuming client: in-memory history', unit: 'msgs/s', metric: 'msgsPerSec', a: 'memory' },
    { label: 'replay of 100k missed publications (32 B) to a resuming client: Redis Streams', unit: 'msgs/s', metric: 'msgsPerSec', a: 'redis' },
  ],
  trial: async (ctx, variant): Promise<Metrics> => {
    const { missed, maxMs } = sizes(ctx.cfg);
    const { port } = await ctx.server.call<{ port: number }>('startChannelApp', { variant, redisUrl: variant === 'redis' ? await redisUrl() : '', maxMessages: missed }, 30_000);
    try {
      const { last } = await ctx.server.call<{ last: { epoch: string; offset: number } }>('fillHistory', { count: missed, size: 32, inFlight: 500 }, maxMs);
      const r = await ctx.client.call<{ msgsPerSec: number }>('replay', { url: url(port), channel: 'bench', epoch: last.epoch, expected: missed, maxMs }, maxMs + 10_000);
      return { msgsPerSec: r.msgsPerSec };
    } finally {
      await ctx.client.call('closeSubscribers');
      await ctx.server.call('stopChannelApp', {}, 30_000);
    }
  },
};
