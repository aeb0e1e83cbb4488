// `npx tsx bench/scale-out.ts`: broadcast deliveries per second to 1000 clients served by one
// process, against the same clients spread over two processes joined by the Redis adapter (a
// real redis-server started here on loopback and stopped at the end). Clients live in this process;
// each server runs in its own child process. Bounded: every phase has a time limit.
// Options: --clients=N (1000) --messages=N (1000) --size=BYTES (64) --trials=N (3).
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import WebSocket from 'ws';
import { redisAdapter } from 'rxws/redis';
import { serve, type WebSocketServer } from 'rxws/server';
import { RedisServer } from '../spec/scale/redis-server';

const PHASE_TIMEOUT_MS = 60_000;
const CHUNK = 20; // broadcasts per event-loop turn, so batches form as in a busy server

type HostCommand = { type: 'run'; messages: number; size: number } | { type: 'usage' } | { type: 'stop' };
type HostReport = { type: 'listening'; port: number } | { type: 'sent'; local: number } | { type: 'usage'; cpuMs: number };

/** A server host (child process): broadcasts on command, in chunks of CHUNK per turn. */
async function runHost(): Promise<void> {
  const url = process.env.REDIS_URL;
  const adapter = url ? redisAdapter({ url }) : undefined;
  const server: WebSocketServer = serve({ host: '127.0.0.1', port: 0, maxConnections: 100_000, adapter });
  const { port } = await server.listening;
  await adapter?.ready;
  process.send?.({ type: 'listening', port } satisfies HostReport);
  let cpuAtStart = process.cpuUsage();
  process.on('message', async (command: HostCommand) => {
    if (command.type === 'usage') {
      const { user, system } = process.cpuUsage(cpuAtStart);
      process.send?.({ type: 'usage', cpuMs: (user + system) / 1000 } satisfies HostReport);
      return;
    }
    if (command.type === 'stop') {
      await server.close();
      process.exit(0);
    }
    if (command.type !== 'run') return;
    cpuAtStart = process.cpuUsage();
    const payload = 'x'.repeat(command.size);
    let local = 0;
    for (let i = 0; i < command.messages; i++) {
      local += server.broadcast(payload);
      if (i % CHUNK === CHUNK - 1) await new Promise((resolve) => setImmediate(resolve));
    }
    process.send?.({ type: 'sent', local } satisfies HostReport);
  });
}

interface Args {
  clients: number;
  messages: number;
  size: number;
  trials: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { clients: 1000, messages: 1000, size: 64, trials: 3 };
  for (const a of argv) {
    const m = /^--(clients|messages|size|trials)=(\d+)$/.exec(a);
    if (!m || Number(m[2]) < 1) throw new Error(`unknown or bad option '${a}'. Options: --clients=N --messages=N --size=BYTES --trials=N (all >= 1)`);
    args[m[1] as keyof Args] = Number(m[2]);
  }
  return args;
}

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${PHASE_TIMEOUT_MS} ms`)), PHASE_TIMEOUT_MS)));
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

class HostProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(redisUrl: string | undefined): Promise<HostProcess> {
    const child = fork(__filename, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, SCALE_OUT_HOST: '1', REDIS_URL: redisUrl ?? '' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const [report] = (await within(once(child, 'message'), 'host start')) as [HostReport];
    if (report.type !== 'listening') throw new Error(`host said ${report.type} before listening`);
    return new HostProcess(child, report.port);
  }

  /** CPU time (user + system, ms) the host spent since its last 'run' command. */
  async cpuMs(): Promise<number> {
    const answer = new Promise<number>((resolve) => {
      const onReport = (report: HostReport): void => {
        if (report.type !== 'usage') return;
        this.child.off('message', onReport);
        resolve(report.cpuMs);
      };
      this.child.on('message', onReport);
    });
    this.child.send({ type: 'usage' } satisfies HostCommand);
    return within(answer, 'host usage');
  }

  async stop(): Promise<void> {
    const exited = once(this.child, 'exit');
    this.child.send({ type: 'stop' } satisfies HostCommand);
    await within(exited, 'host stop');
  }
}

/** Clients that count messages; resolve `done` when they have all received `expected` in total. */
class Clients {
  private sockets: WebSocket[] = [];
  private received = 0;
  private expected = 0;
  private finished: (() => void) | undefined;

  async open(ports: number[], count: number): Promise<void> {
    for (let i = 0; i < count; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, count - i) }, async (_, j) => {
          const ws = new WebSocket(`ws://127.0.0.1:${ports[(i + j) % ports.length]}/`);
          ws.on('message', this.onMessage);
          this.sockets.push(ws);
          await once(ws, 'open');
        }),
      );
    }
  }

  expect(total: number): Promise<void> {
    this.received = 0;
    this.expected = total;
    return new Promise((resolve) => (this.finished = resolve));
  }

  private readonly onMessage = (): void => {
    if (++this.received === this.expected) this.finished?.();
  };

  close(): void {
    for (const ws of this.sockets) ws.terminate();
  }
}

interface Setup {
  name: string;
  processes: number;
  redis: boolean;
}

interface Trial {
  deliveriesPerSecond: number;
  /** Server CPU (all hosts) per 1000 deliveries, in ms. */
  serverCpuMsPer1000: number;
}

/** One trial: the first host broadcasts `messages` to all clients. */
async function trial(setup: Setup, args: Args, redisUrl: string): Promise<Trial> {
  const hosts = await Promise.all(Array.from({ length: setup.processes }, () => HostProcess.start(setup.redis ? redisUrl : undefined)));
  const clients = new Clients();
  try {
    await within(clients.open(hosts.map((h) => h.port), args.clients), 'connecting clients');
    const total = args.clients * args.messages;
    const delivered = clients.expect(total);
    const started = process.hrtime.bigint();
    hosts[0].child.send({ type: 'run', messages: args.messages, size: args.size } satisfies HostCommand);
    await within(delivered, `${setup.name}: ${total} deliveries`);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = (await Promise.all(hosts.map((h) => h.cpuMs()))).reduce((a, b) => a + b, 0);
    return { deliveriesPerSecond: total / seconds, serverCpuMsPer1000: (cpu / total) * 1000 };
  } finally {
    clients.close();
    await Promise.all(hosts.map((h) => h.stop()));
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const redis = await RedisServer.start();
  const setups: Setup[] = [
    { name: '1 process', processes: 1, redis: false },
    { name: '1 process + Redis adapter', processes: 1, redis: true },
    { name: '2 processes + Redis adapter', processes: 2, redis: true },
  ];
  const results = new Map<string, Trial[]>(setups.map((s) => [s.name, []]));
  try {
    // Interleaved (A B C A B C …) so drift in the machine's load touches every setup alike.
    for (let t = 0; t < args.trials; t++) for (const s of setups) results.get(s.name)?.push(await trial(s, args, redis.url));
  } finally {
    await redis.stop();
  }
  console.log(`scale-out broadcast: ${args.clients} clients, ${args.messages} messages of ${args.size} B from one process, median of ${args.trials}`);
  console.log('setup                          deliveries/s   vs 1 process   server CPU ms / 1000 deliveries');
  const rate = (name: string): number => median((results.get(name) ?? []).map((r) => r.deliveriesPerSecond));
  const base = rate(setups[0].name);
  for (const s of setups) {
    const m = rate(s.name);
    const cpu = median((results.get(s.name) ?? []).map((r) => r.serverCpuMsPer1000));
    console.log(`${s.name.padEnd(30)} ${Math.round(m).toLocaleString('en-US').padStart(12)}   ${`${(m / base).toFixed(2)}x`.padStart(12)}   ${cpu.toFixed(2).padStart(10)}`);
  }
  console.log('Clients run in this one process: on a small machine they, not the servers, set the pace.');
}

if (process.env.SCALE_OUT_HOST === '1') {
  void runHost();
} else {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
