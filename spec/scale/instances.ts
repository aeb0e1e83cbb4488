// The test side of spec/scale/instance.ts: rxws server instances in child processes, and clients.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import WebSocket from 'ws';
import type { SendData } from 'rxws';
import type { BroadcastOptions } from 'rxws/server';
import type { InstanceReport, InstanceRequest } from './instance';

const ROOT = path.resolve(__dirname, '../..');
const START_TIMEOUT_MS = 20_000;

type Waiter = (report: InstanceReport) => boolean;

/** A failed request, with the RedisAdapterError code the instance saw. */
export class InstanceError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** One server instance in its own process. */
export class Instance {
  port = 0;
  status = '';
  readonly errors: { code: string; message: string }[] = [];
  private nextId = 0;
  private waiters: Waiter[] = [];

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (report: InstanceReport) => {
      if ('event' in report) {
        if (report.event === 'listening') this.port = report.port;
        else if (report.event === 'status') this.status = report.status;
        else this.errors.push({ code: report.code, message: report.message });
      }
      this.waiters = this.waiters.filter((w) => !w(report));
    });
  }

  /** Starts an instance on `redisUrl` and resolves once it listens and its adapter is ready. */
  static async start(name: string, redisUrl: string, channel: string): Promise<Instance> {
    const child = fork(path.join(__dirname, 'instance.ts'), [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, REDIS_URL: redisUrl, REDIS_CHANNEL: channel },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const instance = new Instance(name, child);
    const exited = once(child, 'exit').then(([code]) => Promise.reject(new Error(`instance ${name} exited with ${String(code)} while starting`)));
    exited.catch(() => undefined);
    await withTimeout(Promise.race([instance.statusIs('ready'), exited]), START_TIMEOUT_MS, `instance ${name} did not get ready`);
    await withTimeout(Promise.race([instance.until((r) => 'event' in r && r.event === 'listening', () => instance.port > 0), exited]), START_TIMEOUT_MS, `instance ${name} did not listen`);
    return instance;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Resolves when the adapter's status is (or becomes) `status`. */
  statusIs(status: string): Promise<void> {
    return this.until((r) => 'event' in r && r.event === 'status' && r.status === status, () => this.status === status);
  }

  /** Resolves with the next error the server reports with `code` (or one already reported). */
  errorWith(code: string): Promise<void> {
    return this.until((r) => 'event' in r && r.event === 'error' && r.code === code, () => this.errors.some((e) => e.code === code));
  }

  /** `server.publish(data, options)` in the instance: its result, or an InstanceError with the code. */
  publish(data: SendData, options?: BroadcastOptions): Promise<unknown> {
    return this.request({ op: 'publish', data, options });
  }

  /** `server.broadcast(data, options)` in the instance: the local count. */
  broadcast(data: SendData, options?: BroadcastOptions): Promise<unknown> {
    return this.request({ op: 'broadcast', data, options });
  }

  /** Closes the server and ends the process. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    try {
      await withTimeout(this.request({ op: 'close' }), 5_000, `instance ${this.name} did not close`);
    } catch {
      this.child.kill('SIGKILL');
    }
    await exited;
  }

  private request(request: InstanceRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never): Promise<unknown> {
    const id = ++this.nextId;
    const answered = new Promise<unknown>((resolve, reject) => {
      this.waiters.push((r) => {
        if (!('id' in r) || r.id !== id) return false;
        if (r.ok) resolve(r.value);
        else reject(new InstanceError(r.code, r.message));
        return true;
      });
    });
    this.child.send({ ...request, id } as InstanceRequest);
    return answered;
  }

  private until(matches: Waiter, already: () => boolean): Promise<void> {
    if (already()) return Promise.resolve();
    return new Promise((resolve) =>
      this.waiters.push((r) => {
        if (!matches(r)) return false;
        resolve();
        return true;
      }),
    );
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A WebSocket client with everything it received (text as is, binary as `0x` + hex). */
export class Client {
  readonly got: string[] = [];
  private listeners: ((m: string) => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const m = isBinary ? `0x${data.toString('hex')}` : data.toString();
      this.got.push(m);
      for (const l of this.listeners) l(m);
    });
  }

  static async open(url: string): Promise<Client> {
    const ws = new WebSocket(url);
    ws.on('error', () => undefined);
    const client = new Client(ws);
    await once(ws, 'open');
    return client;
  }

  /** Resolves when `message` has arrived (now or before). */
  received(message: string): Promise<void> {
    if (this.got.includes(message)) return Promise.resolve();
    return new Promise((resolve) => {
      const l = (m: string): void => {
        if (m !== message) return;
        this.listeners = this.listeners.filter((x) => x !== l);
        resolve();
      };
      this.listeners.push(l);
    });
  }

  /** What it received, less the fence markers, sorted (order across instances is not defined). */
  messages(): string[] {
    return this.got.filter((m) => !m.startsWith('fence:')).sort();
  }
}
