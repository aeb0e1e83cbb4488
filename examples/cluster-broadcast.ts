// One logical server on one port, N node:cluster workers, joined by Redis pub/sub: a client
// connected to any worker gets a broadcast made by any other. Ends by itself.
// Run: npx tsx examples/cluster-broadcast.ts            (needs a Redis at $REDIS_URL, default redis://127.0.0.1:6379)
//      WORKERS=4 npx tsx examples/cluster-broadcast.ts
import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import WebSocket from 'ws';
import { redisAdapter } from 'rxws/redis';
import { serve } from 'rxws/server';

/** Messages between the primary and its workers. */
type ToWorker = { type: 'publish'; text: string } | { type: 'stop' };
type ToPrimary = { type: 'ready'; port: number } | { type: 'published'; local: number; instances: number } | { type: 'failed'; reason: string };

/** A worker: one rxws server with the Redis adapter, on the port the cluster shares. */
async function runWorker(): Promise<void> {
  const adapter = redisAdapter({ url: process.env.REDIS_URL, reconnect: { maxRetries: 5 } });
  // Port 0 in a cluster: the primary picks one free port and every worker shares it.
  const server = serve({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0), adapter });
  const worker = cluster.worker?.id ?? 0;
  server.connections$.subscribe((conn) => conn.send(`welcome from worker ${worker}`));
  server.errors$.subscribe(({ source, error }) => console.error(`worker ${worker}: ${source}: ${String(error)}`));
  const { port } = await server.listening;
  await adapter.ready.catch((e: Error) => {
    console.error(`worker ${worker}: ${e.message}`);
    process.exit(1);
  });
  process.send?.({ type: 'ready', port } satisfies ToPrimary);
  process.on('message', (message: ToWorker) => {
    if (message.type === 'stop') {
      void server.close().then(() => process.exit(0));
      return;
    }
    server.publish(message.text).then(
      ({ local, instances }) => process.send?.({ type: 'published', local, instances } satisfies ToPrimary),
      (e: Error) => process.send?.({ type: 'failed', reason: e.message } satisfies ToPrimary),
    );
  });
}

/** Options of `main`. */
export interface ClusterDemoOptions {
  /** Workers to start. Default 2 (or $WORKERS). */
  workers?: number;
  /** Clients to connect (spread over the workers by the cluster). Default 3 per worker. */
  clients?: number;
  /** The Redis every worker uses. Default $REDIS_URL, else redis://127.0.0.1:6379. */
  redisUrl?: string;
  /** Node flags for the workers (e.g. ['--import', 'tsx'] when the primary is not run by tsx). */
  execArgv?: string[];
  log?: (line: string) => void;
}

/** What the run saw: for each client, the worker it landed on and what it received. */
export interface ClusterDemoResult {
  port: number;
  clients: { worker: string; received: string[] }[];
}

/** The primary: starts the workers, connects clients, has two workers broadcast, stops everything. */
export async function main(options: ClusterDemoOptions = {}): Promise<ClusterDemoResult> {
  const log = options.log ?? console.log;
  const count = options.workers ?? Number(process.env.WORKERS ?? 2);
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  cluster.setupPrimary({ exec: __filename, ...(options.execArgv ? { execArgv: options.execArgv } : {}) });
  const workers: Worker[] = Array.from({ length: count }, () => cluster.fork({ REDIS_URL: redisUrl, PORT: '0' }));
  const sockets: WebSocket[] = [];
  try {
    const ports = await Promise.all(workers.map((w) => next(w, 'ready')));
    const port = ports[0].port;
    log(`${count} workers listening on ws://127.0.0.1:${port}, joined through ${redisUrl}`);

    const clients = await Promise.all(Array.from({ length: options.clients ?? 3 * count }, () => openClient(port, sockets)));
    for (const [i, c] of clients.entries()) log(`client ${i}: ${c.received[0]}`);

    // Each broadcast goes to the clients of every worker. The second is sent once Redis has taken
    // the first, so a client that got the second has got everything the first would bring.
    for (const [w, text] of [[0, 'hello from the first worker'], [count - 1, 'bye from the last worker']] as const) {
      workers[w].send({ type: 'publish', text } satisfies ToWorker);
      const result = await next(workers[w], 'published', 'failed');
      if (result.type === 'failed') throw new Error(`worker ${workers[w].id} could not broadcast: ${result.reason}`);
      log(`worker ${workers[w].id} broadcast "${text}": ${result.local} local clients, ${result.instances} instances`);
    }
    await Promise.all(clients.map((c) => c.got('bye from the last worker')));
    for (const [i, c] of clients.entries()) log(`client ${i} (${c.worker}) received ${JSON.stringify(c.received.slice(1))}`);
    return { port, clients: clients.map(({ worker, received }) => ({ worker, received })) };
  } finally {
    for (const ws of sockets) ws.terminate();
    await Promise.all(
      workers.map(async (w) => {
        if (w.process.exitCode !== null || w.process.signalCode !== null) return;
        const exited = once(w, 'exit');
        w.send({ type: 'stop' } satisfies ToWorker);
        await exited;
      }),
    );
  }
}

/** The next message of `types` from `worker`; rejects if it exits first. */
function next<T extends ToPrimary['type']>(worker: Worker, ...types: T[]): Promise<Extract<ToPrimary, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: ToPrimary): void => {
      if (!(types as string[]).includes(m.type)) return;
      cleanup();
      resolve(m as Extract<ToPrimary, { type: T }>);
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new Error(`worker ${worker.id} exited with ${code}; is Redis running at the URL given?`));
    };
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('exit', onExit);
  });
}

interface DemoClient {
  worker: string;
  received: string[];
  got(text: string): Promise<void>;
}

/** A client that waits for its welcome, so it knows which worker it is connected to. */
async function openClient(port: number, sockets: WebSocket[]): Promise<DemoClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
  sockets.push(ws);
  const received: string[] = [];
  const waiting = new Map<string, () => void>();
  ws.on('message', (data: Buffer) => {
    const text = data.toString();
    received.push(text);
    waiting.get(text)?.();
  });
  const got = (text: string): Promise<void> => (received.includes(text) ? Promise.resolve() : new Promise((resolve) => waiting.set(text, resolve)));
  await once(ws, 'message'); // the welcome
  return { worker: received[0].replace('welcome from ', ''), received, got };
}

if (cluster.isWorker) {
  void runWorker();
} else if (require.main === module) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
