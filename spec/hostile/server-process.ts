// The test side of spec/hostile/server-child.ts: an rxws server in a child process.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { ChildConfig, ChildMemory, ChildReport, ChildRequest, ChildState } from './server-child';

const ROOT = path.resolve(__dirname, '../..');
const ANSWER_TIMEOUT_MS = 20_000;

/** A server in its own process: its memory is measured apart from the clients'. */
export class ServerProcess {
  private nextId = 0;
  private readonly waiting = new Map<number, (value: ChildReport) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (report: ChildReport) => {
      if ('id' in report) this.waiting.get(report.id)?.(report);
    });
  }

  static async start(config: ChildConfig): Promise<ServerProcess> {
    const child = fork(path.join(__dirname, 'server-child.ts'), [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, HOSTILE_SERVER: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const listening = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the server process did not listen in time')), ANSWER_TIMEOUT_MS);
      child.on('message', (r: ChildReport) => {
        if ('event' in r) {
          clearTimeout(timer);
          resolve(r.port);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the server process exited with ${String(code)}`));
      });
    });
    try {
      return new ServerProcess(child, await listening);
    } catch (e) {
      child.kill();
      throw e;
    }
  }

  memory(): Promise<ChildMemory> {
    return this.ask('memory') as Promise<ChildMemory>;
  }

  state(): Promise<ChildState> {
    return this.ask('state') as Promise<ChildState>;
  }

  async subscribe(): Promise<void> {
    await this.ask('subscribe');
  }

  /** Polls the server's state until `condition` holds, for at most `timeoutMs`. */
  async waitForState(condition: (s: ChildState) => boolean, timeoutMs = 20_000): Promise<ChildState> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.state();
      if (condition(s)) return s;
      if (Date.now() > deadline) throw new Error(`server state not reached in time: ${JSON.stringify(s)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    try {
      await this.ask('close');
    } catch {
      this.child.kill();
    }
    await exited;
  }

  private ask(op: ChildRequest['op']): Promise<unknown> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`the server process did not answer '${op}' in time`));
      }, ANSWER_TIMEOUT_MS);
      this.waiting.set(id, (report) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve('value' in report ? report.value : undefined);
      });
      this.child.send({ id, op } satisfies ChildRequest);
    });
  }
}
