// The test side of spec/scale/history-instance.ts: instances in child processes (killed with
// SIGKILL when asked), and rxws clients that follow a channel through every reconnect.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { WebSocketClient, type ChannelGap } from 'rxws';
import type { HistoryInstanceReport, HistoryInstanceRequest } from './history-instance';

const ROOT = path.resolve(__dirname, '../..');
const START_TIMEOUT_MS = 20_000;

/** One server instance in its own process. */
export class HistoryInstance {
  port = 0;
  private nextId = 0;
  private readonly answers = new Map<number, (r: HistoryInstanceReport) => void>();

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (r: HistoryInstanceReport) => {
      if ('id' in r) {
        this.answers.get(r.id)?.(r);
        this.answers.delete(r.id);
      }
    });
  }

  static async start(name: string, env: Record<string, string>): Promise<HistoryInstance> {
    const child = fork(path.join(__dirname, 'history-instance.ts'), [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...env },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const instance = new HistoryInstance(name, child);
    const listening = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`instance ${name} did not listen within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      child.on('message', (r: HistoryInstanceReport) => {
        if ('event' in r) {
          instance.port = r.port;
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`instance ${name} exited with ${String(code)} while starting`));
      });
    });
    await listening;
    return instance;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** publishStored(channel, body) in the instance: the position, or a rejection with its message. */
  publish(channel: string, body: unknown): Promise<{ epoch: string; offset: number }> {
    return this.request({ op: 'publish', channel, body }) as Promise<{ epoch: string; offset: number }>;
  }

  /** Cuts every client connection of the instance (they reconnect). */
  drop(): Promise<unknown> {
    return this.request({ op: 'drop' });
  }

  /** A crash: SIGKILL, no goodbye to anyone. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    const exited = once(this.child, 'exit');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    this.request({ op: 'close' }).catch(() => undefined);
    await exited;
    clearTimeout(timer);
  }

  private request(request: Omit<HistoryInstanceRequest, 'id'> & Partial<HistoryInstanceRequest>): Promise<unknown> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      if (!this.alive) return reject(new Error(`instance ${this.name} is dead`));
      this.answers.set(id, (r) => ('ok' in r && r.ok ? resolve(r.value) : reject(new Error('message' in r ? r.message : 'failed'))));
      this.child.send({ ...request, id } as HistoryInstanceRequest);
    });
  }
}

/** A WebSocketClient following one channel, on whichever live instance `pick` gives before each try. */
export class Follower {
  readonly client: WebSocketClient;
  readonly bodies: number[] = [];
  readonly gaps: ChannelGap[] = [];
  opens = 0;
  /** subok answers received (one per (re)subscription). */
  subscribed = 0;
  private waiters: Array<() => void> = [];

  constructor(pick: () => string, channel: string) {
    this.client = new WebSocketClient({ url: pick, reconnect: { minWaitMs: 5, maxWaitMs: 100 }, closeTimeoutMs: 200 });
    this.client.events$.subscribe((e) => e.type === 'open' && this.opens++);
    this.client.channelGaps$.subscribe((g) => this.gaps.push(g));
    this.client.channelEvents<number>(channel).subscribe((e) => {
      if (e.type === 'publication') this.bodies.push(e.data);
      else if (e.type === 'subscribed') this.subscribed++;
      const waiting = this.waiters;
      this.waiters = [];
      for (const w of waiting) w();
    });
    this.client.start();
  }

  /** Resolves once `n` has arrived (bounded by `ms`). */
  until(test: () => boolean, ms: number, what: string): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms (got ${this.bodies.length}, last ${this.bodies.at(-1)}, gaps ${JSON.stringify(this.gaps)})`)), ms);
      const check = (): void => {
        if (!test()) return void this.waiters.push(check);
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  /** Resolves once the client is open (bounded). */
  async opened(ms = 10_000): Promise<void> {
    await firstValueFrom(this.client.state$.pipe(filter((s) => s.status === 'open'), timeout({ first: ms })));
  }

  stop(): void {
    this.client.stop();
  }
}

/** 1, 2, … n. */
export const upTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
