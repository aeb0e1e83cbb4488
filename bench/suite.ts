// The workloads of `npm run bench`: what each trial does, and which rows it feeds.
import type { BenchConfig } from './lib/config';
import type { Host } from './lib/host';
import { atLeast, atMost, atMostPlus, type Metrics, type RowSpec } from './lib/report';
import { nowMs } from './lib/stats';
import { historyBroadcast, historyReplay } from './workloads/history';
import type { EchoPeer } from './workloads/peer-servers';

export interface BenchContext {
  cfg: BenchConfig;
  client: Host;
  server: Host;
  /** URL of the raw ws echo server (server host), the peer of the client-side workloads. */
  echoUrl: string;
  /** Starts a fresh server host (for clean memory figures); the caller kills it. */
  freshServer(openFiles: number): Promise<Host>;
  /** The micro-benchmark host (started on first use). */
  micro(): Promise<Host>;
  /** URL of the echo server of another peer (server host; socket.io's on its own), started on first use. */
  echoPeerUrl(peer: EchoPeer): Promise<string>;
  /**
   * The hosts a variant runs on: `client` and `server`, except socket.io, which gets a pair of its
   * own (started on first use). A process that has served socket.io runs ws's 64 KiB echo at about
   * 0.65× afterwards (measured: 19k → 13k msgs/s, a fresh client does not bring it back), so its
   * code never runs in the hosts that measure ws and rxws.
   */
  hostsFor(variant: string): Promise<{ client: Host; server: Host }>;
  /** A client host and a raw ws echo server whose ws masks in JavaScript (WS_NO_BUFFER_UTIL), started on first use. */
  jsMasking(): Promise<{ client: Host; echoUrl: string }>;
}

export interface Workload {
  id: string;
  /** Variants run one after the other in each round: A B A B … */
  variants: readonly string[];
  rows: RowSpec[];
  trials?(cfg: BenchConfig): number;
  trial(ctx: BenchContext, variant: string): Promise<Metrics>;
}

const RXWS_RAW = ['rxws', 'raw'] as const;
const url = (port: number): string => `ws://127.0.0.1:${port}`;

/** Throughput (the goal) and the client's CPU time per message (steadier on a busy machine). */
function echoRows(label: string, goal = atLeast(0.95)): RowSpec[] {
  return [
    { label, unit: 'msgs/s', metric: 'msgsPerSec', a: 'rxws', b: 'raw', goal },
    { label: `${label}: client CPU per message`, unit: 'µs', metric: 'cpuUsPerMsg', a: 'rxws', b: 'raw', digits: 2 },
  ];
}

/**
 * The echo variants: rxws = connect() against the raw ws echo server, raw = a ws client against
 * it, rxws-both = connect() against serve(), socketio = socket.io on both ends, net / net-corked =
 * the kernel's limit (TCP, no WebSocket framing, one write per message / per turn), raw-js = ws
 * on both ends with JavaScript masking (no bufferutil).
 */
async function echoTarget(ctx: BenchContext, variant: string): Promise<{ client: Host; url: string }> {
  switch (variant) {
    case 'rxws-both':
      return { client: ctx.client, url: await ctx.echoPeerUrl('rxws') };
    case 'socketio':
      return { client: (await ctx.hostsFor(variant)).client, url: await ctx.echoPeerUrl(variant) };
    case 'net':
    case 'net-corked':
      return { client: ctx.client, url: await ctx.echoPeerUrl(variant) };
    case 'raw-js': {
      const { client, echoUrl } = await ctx.jsMasking();
      return { client, url: echoUrl };
    }
    default:
      return { client: ctx.client, url: ctx.echoUrl };
  }
}

const bothEnds = (label: string): RowSpec => ({ label: `${label}: rxws ↔ rxws (connect() ↔ serve()) vs ws ↔ ws`, unit: 'msgs/s', metric: 'msgsPerSec', a: 'rxws-both', b: 'raw', goal: atLeast(0.95) });
const jsMasking = (label: string): RowSpec => ({
  label: `${label}: ws ↔ ws with JavaScript masking vs with bufferutil`,
  unit: 'msgs/s',
  metric: 'msgsPerSec',
  a: 'raw-js',
  b: 'raw',
});

function echo(id: string, size: number, binary: boolean, inFlight: number, count: (c: BenchConfig) => number, variants: readonly string[], rows: RowSpec[]): Workload {
  return {
    id,
    variants,
    rows,
    trial: async (ctx, variant) => {
      const { client, url: target } = await echoTarget(ctx, variant);
      const r = await client.call<{ msgsPerSec: number; cpuUsPerMsg: number }>(
        'echo',
        { variant, url: target, size, binary, connections: 1, inFlight, count: count(ctx.cfg), maxMs: ctx.cfg.echo.maxMs },
        ctx.cfg.echo.maxMs + 30_000,
      );
      return { msgsPerSec: r.msgsPerSec, cpuUsPerMsg: r.cpuUsPerMsg };
    },
  };
}

const ECHO_32 = 'echo, 1 connection, 32 B text, 1000 in flight';
const ECHO_1K = 'echo, 1 KiB binary, 100 in flight';
const ECHO_64K = 'echo, 64 KiB binary, 16 in flight';
const ECHO_1M = 'echo, 1 MiB binary, 4 in flight';

const echoWorkloads: Workload[] = [
  echo('echo-32-text', 32, false, 1000, (c) => c.echo.count32, ['rxws', 'raw', 'rxws-both', 'socketio', 'net', 'net-corked'], [
    // connect() against a raw ws server: rxws corks its end only.
    ...echoRows(ECHO_32, atLeast(1.1)),
    { ...bothEnds(ECHO_32), goal: atLeast(2.5) },
    { label: `${ECHO_32}: rxws ↔ rxws vs socket.io ↔ socket.io`, unit: 'msgs/s', metric: 'msgsPerSec', a: 'rxws-both', b: 'socketio', goal: atLeast(2.0) },
    { label: `${ECHO_32}: socket.io ↔ socket.io vs ws ↔ ws`, unit: 'msgs/s', metric: 'msgsPerSec', a: 'socketio', b: 'raw' },
    { label: `${ECHO_32}: kernel limit, TCP echo, one write per message, vs ws ↔ ws`, unit: 'msgs/s', metric: 'msgsPerSec', a: 'net', b: 'raw' },
    { label: `${ECHO_32}: kernel limit, TCP echo, writes corked per turn, vs ws ↔ ws`, unit: 'msgs/s', metric: 'msgsPerSec', a: 'net-corked', b: 'raw' },
  ]),
  echo('echo-1k-binary', 1024, true, 100, (c) => c.echo.count1k, ['rxws', 'raw', 'rxws-both', 'raw-js'], [...echoRows(ECHO_1K), bothEnds(ECHO_1K), jsMasking(ECHO_1K)]),
  echo('echo-64k-binary', 64 * 1024, true, 16, (c) => c.echo.count64k, ['rxws', 'raw', 'rxws-both', 'raw-js'], [...echoRows(ECHO_64K), bothEnds(ECHO_64K), jsMasking(ECHO_64K)]),
  echo('echo-1m-binary', 1024 * 1024, true, 4, (c) => c.echo.count1m, ['rxws', 'raw', 'rxws-both'], [...echoRows(ECHO_1M), bothEnds(ECHO_1M)]),
];

const roundTrip: Workload = {
  id: 'round-trip',
  variants: ['rxws', 'raw', 'rxws-both'],
  rows: [
    { label: 'round trip, 32 B, one at a time: p50', unit: 'µs', metric: 'p50Us', a: 'rxws', b: 'raw', goal: atMost(1.05), digits: 1 },
    { label: 'round trip, 32 B, one at a time: p99', unit: 'µs', metric: 'p99Us', a: 'rxws', b: 'raw', goal: atMost(1.05), digits: 1 },
    { label: 'round trip, 32 B, one at a time, rxws ↔ rxws: p50', unit: 'µs', metric: 'p50Us', a: 'rxws-both', b: 'raw', goal: atMost(1.05), digits: 1 },
    { label: 'round trip, 32 B, one at a time, rxws ↔ rxws: p99', unit: 'µs', metric: 'p99Us', a: 'rxws-both', b: 'raw', goal: atMost(1.05), digits: 1 },
  ],
  trial: async (ctx, variant) => {
    const { count, maxMs } = ctx.cfg.roundTrip;
    const target = variant === 'rxws-both' ? await ctx.echoPeerUrl('rxws') : ctx.echoUrl;
    const r = await ctx.client.call<{ p50Us: number; p99Us: number }>('roundTrip', { variant, url: target, size: 32, count, maxMs }, maxMs + 30_000);
    return { p50Us: r.p50Us, p99Us: r.p99Us };
  },
};

const multi: Workload = {
  id: 'echo-100-connections',
  variants: RXWS_RAW,
  rows: echoRows('echo, 100 connections, 32 B, 10 in flight each'),
  trial: async (ctx, variant) => {
    const { connections, inFlight, count, maxMs } = ctx.cfg.multi;
    const r = await ctx.client.call<{ msgsPerSec: number; cpuUsPerMsg: number }>(
      'echo',
      { variant, url: ctx.echoUrl, size: 32, binary: false, connections, inFlight, count, maxMs },
      maxMs + 30_000,
    );
    return { msgsPerSec: r.msgsPerSec, cpuUsPerMsg: r.cpuUsPerMsg };
  },
};

/** What startApp answers: the port, and the path and first message a raw ws client of it uses. */
type AppAddress = { port: number; path: string; hello?: string };

const broadcast: Workload = {
  id: 'broadcast',
  variants: ['rxws', 'raw', 'raw-corked', 'socketio'],
  rows: [
    {
      label: 'server broadcast, 32 B to 1000 clients (rxws broadcast() vs plain ws send loop)',
      unit: 'deliveries/s',
      metric: 'deliveriesPerSec',
      a: 'rxws',
      b: 'raw',
      goal: atLeast(3.0),
    },
    { label: 'server broadcast, 32 B to 1000 clients: rxws vs a ws send loop corked per turn', unit: 'deliveries/s', metric: 'deliveriesPerSec', a: 'rxws', b: 'raw-corked', goal: atLeast(1.5) },
    { label: 'server broadcast, 32 B to 1000 clients: socket.io io.emit() vs plain ws send loop', unit: 'deliveries/s', metric: 'deliveriesPerSec', a: 'socketio', b: 'raw' },
    { label: 'server broadcast, 32 B to 1000 clients: server CPU per delivery', unit: 'ns', metric: 'serverNsPerDelivery', a: 'rxws', b: 'raw' },
  ],
  trial: async (ctx, variant) => {
    const { clients, messages, burst } = ctx.cfg.broadcast;
    const { client, server } = await ctx.hostsFor(variant);
    const { port, path, hello } = await server.call<AppAddress>('startApp', { variant });
    try {
      await client.call('openFleet', { url: url(port) + path, hello, clients, parallel: 50, maxMs: 60_000 }, 70_000);
      await server.call('awaitConnections', { connections: clients, maxMs: 10_000 }, 15_000);
      await client.call('resetDeliveries');
      const cpuBefore = await serverCpu(server);
      const { startMs } = await server.call<{ startMs: number }>('broadcast', { messages, burst, size: 32 }, 60_000);
      const total = clients * messages;
      const { lastDeliveryMs } = await client.call<{ lastDeliveryMs: number }>('awaitDeliveries', { total, maxMs: 60_000 }, 70_000);
      const cpuUs = (await serverCpu(server)) - cpuBefore;
      return { deliveriesPerSec: (total * 1000) / (lastDeliveryMs - startMs), serverNsPerDelivery: (cpuUs * 1000) / total };
    } finally {
      await client.call('closeFleet');
      await server.call('stopApp');
    }
  },
};

const handshakeRows = (label: string, side: 'client' | 'server'): RowSpec[] => {
  const socketIo = `handshakes (open + close), 50 in parallel: socket.io ↔ socket.io vs ws (${side} side measured)`;
  return [
    { label, unit: 'handshakes/s', metric: 'perSec', a: 'rxws', b: 'raw', goal: atLeast(0.95) },
    { label: `${label}: ${side} CPU per handshake`, unit: 'µs', metric: 'cpuUsPerHandshake', a: 'rxws', b: 'raw', goal: atMost(1.0), digits: 0 },
    { label: socketIo, unit: 'handshakes/s', metric: 'perSec', a: 'socketio', b: 'raw' },
    { label: `${socketIo}: ${side} CPU per handshake`, unit: 'µs', metric: 'cpuUsPerHandshake', a: 'socketio', b: 'raw', digits: 0 },
  ];
};
const RXWS_RAW_SOCKETIO = ['rxws', 'raw', 'socketio'] as const;

/** CPU time a server host has used so far (µs). */
const serverCpu = async (server: Host): Promise<number> => (await server.call<{ cpuUs: number }>('cpu')).cpuUs;

const handshakesClient: Workload = {
  id: 'handshakes-client',
  variants: RXWS_RAW_SOCKETIO,
  rows: handshakeRows('handshakes (open + close), 50 in parallel: client connect() vs ws client', 'client'),
  trial: async (ctx, variant) => {
    const { parallel, count, maxMs } = ctx.cfg.handshakes;
    const target = variant === 'socketio' ? await ctx.echoPeerUrl('socketio') : ctx.echoUrl;
    const { client } = await ctx.hostsFor(variant);
    const r = await client.call<{ perSec: number; cpuUsPerHandshake: number }>(
      'handshakes',
      { variant, url: target, parallel, count, maxMs },
      maxMs + 30_000,
    );
    return { perSec: r.perSec, cpuUsPerHandshake: r.cpuUsPerHandshake };
  },
};

const handshakesServer: Workload = {
  id: 'handshakes-server',
  variants: RXWS_RAW_SOCKETIO,
  rows: handshakeRows('handshakes (open + close), 50 in parallel: serve() vs WebSocketServer', 'server'),
  trial: async (ctx, variant) => {
    const { parallel, count, maxMs } = ctx.cfg.handshakes;
    const { client, server } = await ctx.hostsFor(variant);
    const { port } = await server.call<AppAddress>('startApp', { variant });
    try {
      const cpuBefore = await serverCpu(server);
      // Raw ws clients, except for socket.io's server, whose clients are socket.io's.
      const r = await client.call<{ perSec: number; handshakes: number }>(
        'handshakes',
        { variant: variant === 'socketio' ? 'socketio' : 'raw', url: url(port), parallel, count, maxMs },
        maxMs + 30_000,
      );
      const cpuUs = (await serverCpu(server)) - cpuBefore;
      return { perSec: r.perSec, cpuUsPerHandshake: cpuUs / r.handshakes };
    } finally {
      await server.call('stopApp');
    }
  },
};

const idleMemory: Workload = {
  id: 'idle-memory',
  // The app listens to each connection's messages: raw ws with a 'message' listener, rxws
  // through messages$ (and, for comparison, through events$, which skips RxJS's filter).
  variants: ['rxws', 'raw', 'rxws-events', 'socketio'],
  trials: (cfg) => cfg.idle.trials,
  rows: [
    { label: 'memory per idle connection, server side: heap (app on messages$)', unit: 'B', metric: 'heapPerConn', a: 'rxws', b: 'raw', goal: atMostPlus(256, 'B') },
    { label: 'memory per idle connection, server side: heap (app on events$)', unit: 'B', metric: 'heapPerConn', a: 'rxws-events', b: 'raw', goal: atMostPlus(256, 'B') },
    { label: 'memory per idle connection, server side: RSS (app on messages$)', unit: 'B', metric: 'rssPerConn', a: 'rxws', b: 'raw' },
    { label: 'memory per idle connection, server side: heap, socket.io vs ws', unit: 'B', metric: 'heapPerConn', a: 'socketio', b: 'raw' },
  ],
  trial: async (ctx, variant) => {
    const n = ctx.cfg.idle.connections;
    const server = await ctx.freshServer(n + 512);
    try {
      const { port, path, hello } = await server.call<AppAddress>('startApp', { variant });
      const before = await server.call<{ heapUsed: number; rss: number }>('memory');
      await ctx.client.call('openFleet', { url: url(port) + path, hello, clients: n, parallel: 100, maxMs: 120_000 }, 130_000);
      await server.call('awaitConnections', { connections: n, maxMs: 20_000 }, 25_000);
      const after = await server.call<{ heapUsed: number; rss: number }>('memory');
      return { heapPerConn: (after.heapUsed - before.heapUsed) / n, rssPerConn: (after.rss - before.rss) / n, connections: n };
    } finally {
      await ctx.client.call('closeFleet');
      server.kill();
    }
  },
};

function stormTrial(jitter: string) {
  return async (ctx: BenchContext): Promise<Metrics> => {
    const { clients, downMs } = ctx.cfg.storm;
    const { port } = await ctx.server.call<{ port: number }>('startApp', { variant: 'raw' });
    try {
      await ctx.client.call('openStorm', { url: url(port), clients, jitter, maxMs: 60_000 }, 70_000);
      const downAtMs = nowMs();
      await ctx.server.call('stopApp');
      await ctx.client.call('awaitStormClosed', { maxMs: 10_000 }, 15_000);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, downAtMs + downMs - nowMs())));
      await ctx.server.call('startApp', { variant: 'raw', port });
      const upAtMs = nowMs();
      const r = await ctx.client.call<{ lastOpenMs: number; failedTries: number }>('awaitStormOpen', { maxMs: 60_000 }, 70_000);
      const { peak } = await ctx.server.call<{ peak: number }>('peakAccepts', { windowMs: 100 });
      return { afterUpMs: r.lastOpenMs - upAtMs, afterDownMs: r.lastOpenMs - downAtMs, failedTries: r.failedTries, peakAcceptsPer100Ms: peak };
    } finally {
      await ctx.client.call('closeStorm');
      await ctx.server.call('stopApp');
    }
  };
}

const stormRows = (jitter: string, label: string): RowSpec[] => [
  { label: `reconnect storm, 1000 clients, server down 1 s, ${label}: all open again`, unit: 'ms', metric: 'afterUpMs', a: jitter },
  { label: `reconnect storm, ${label}: failed tries (all clients)`, unit: 'tries', metric: 'failedTries', a: jitter },
  { label: `reconnect storm, ${label}: peak handshakes accepted in 100 ms`, unit: 'conns', metric: 'peakAcceptsPer100Ms', a: jitter },
];

const storm: Workload = {
  id: 'reconnect-storm',
  variants: ['none', 'full'],
  trials: (cfg) => cfg.storm.trials,
  rows: [...stormRows('none', 'no jitter'), ...stormRows('full', 'full jitter')],
  trial: (ctx, variant) => stormTrial(variant)(ctx),
};

function micro(id: string, label: string, path: 'connect' | 'server', size: number, binary: boolean): Workload {
  return {
    id,
    variants: RXWS_RAW,
    trials: (cfg) => cfg.micro.trials,
    rows: [
      { label: `per-message path, ${label}: time`, unit: 'ns/msg', metric: 'nsPerMsg', a: 'rxws', b: 'raw', digits: 0 },
      { label: `per-message path, ${label}: allocated`, unit: 'B/msg', metric: 'bytesPerMsg', a: 'rxws', b: 'raw', digits: 0 },
    ],
    trial: async (ctx, variant) => {
      const host = await ctx.micro();
      return host.call<Metrics>('micro', { path, variant, size, binary, messages: ctx.cfg.micro.messages }, 60_000);
    },
  };
}

const RXWS_SOCKETIO = ['rxws', 'socketio'] as const;

function requestWorkload(id: string, mode: 'echo' | 'stream', rows: RowSpec[]): Workload {
  return {
    id,
    variants: RXWS_SOCKETIO,
    rows,
    trial: async (ctx, variant) => {
      const { count, inFlight, streams, streamValues, maxMs } = ctx.cfg.requests;
      const { client, server } = await ctx.hostsFor(variant);
      const { port } = await server.call<{ port: number }>('startRequestServer', { variant });
      try {
        const params = mode === 'echo' ? { count, inFlight } : { count: streams, inFlight: 1 };
        const r = await client.call<{ requestsPerSec: number; valuesPerSec: number }>(
          'requests',
          { variant, url: url(port), mode, streamValues, maxMs, ...params },
          maxMs + 30_000,
        );
        return { requestsPerSec: r.requestsPerSec, valuesPerSec: r.valuesPerSec };
      } finally {
        await server.call('stopRequestServer');
      }
    },
  };
}

const requests = requestWorkload('requests', 'echo', [
  { label: 'request/reply (JSON body), 100 in flight: request() vs socket.io emitWithAck', unit: 'round trips/s', metric: 'requestsPerSec', a: 'rxws', b: 'socketio', goal: atLeast(2.0) },
]);

const streamedReply = requestWorkload('streamed-reply', 'stream', [
  { label: 'streamed reply of 1000 values: request() Observable vs socket.io emits + ack', unit: 'values/s', metric: 'valuesPerSec', a: 'rxws', b: 'socketio', goal: atLeast(2.0) },
]);

/** Every workload, in the order they run. */
export const WORKLOADS: Workload[] = [
  ...echoWorkloads,
  roundTrip,
  multi,
  broadcast,
  handshakesClient,
  handshakesServer,
  idleMemory,
  storm,
  requests,
  streamedReply,
  historyBroadcast,
  historyReplay,
  micro('micro-connect-text', 'connect(), 32 B text', 'connect', 32, false),
  micro('micro-connect-binary', 'connect(), 1 KiB binary', 'connect', 1024, true),
  micro('micro-server-text', 'serve() events$, 32 B text', 'server', 32, false),
];
