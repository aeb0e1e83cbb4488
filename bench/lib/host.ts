// The parent side of a bench host: a child Node process that runs one side of a workload
// (clients or server), driven by commands over IPC. Every call has a deadline, and every
// host is killed when the orchestrator exits, fails or is interrupted.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface HostOptions {
  /** Shown in errors. */
  label: string;
  /** Extra Node flags (e.g. --expose-gc). */
  nodeFlags?: string[];
  /** Open-file limit to set in the child's shell before Node starts (`ulimit -n`). */
  openFiles?: number;
  /** How long the host may take to start. */
  startTimeoutMs?: number;
  /** Extra environment variables (e.g. WS_NO_BUFFER_UTIL=1). */
  env?: Record<string, string>;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

const live = new Set<ChildProcess>();

function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

export class Host {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private exitReason: string | undefined;

  private constructor(
    readonly label: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (raw) => this.onMessage(raw as { id: number; result?: unknown; error?: string }));
    child.on('exit', (code, signal) => {
      live.delete(child);
      this.exitReason = `bench host '${label}' exited (code ${code}, signal ${signal})`;
      for (const [, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error(this.exitReason));
      }
      this.pending.clear();
    });
  }

  /** Starts `script` (a built .cjs host program) in a child Node process and waits until it is ready. */
  static async start(script: string, options: HostOptions): Promise<Host> {
    const nodeArgs = [...(options.nodeFlags ?? []), script];
    // `exec` keeps one process (the pid is Node's) and the IPC channel passes through the shell.
    const limit = options.openFiles ? `ulimit -n ${options.openFiles} 2>/dev/null; ` : '';
    const child = spawn('/bin/sh', ['-c', `${limit}exec "$0" "$@"`, process.execPath, ...nodeArgs], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      cwd: path.resolve(__dirname, '..', '..'),
      env: { ...process.env, ...options.env },
    });
    live.add(child);
    const host = new Host(options.label, child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        host.kill();
        reject(new Error(`bench host '${options.label}' did not start within ${options.startTimeoutMs ?? 30_000} ms`));
      }, options.startTimeoutMs ?? 30_000);
      host.pending.set(0, { resolve: () => resolve(), reject, timer });
    });
    return host;
  }

  /** Runs a command in the host; rejects when it fails, the host dies, or `timeoutMs` passes. */
  call<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<T> {
    if (this.exitReason) return Promise.reject(new Error(this.exitReason));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`bench host '${this.label}': '${cmd}' took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.child.send({ id, cmd, args });
    });
  }

  /** Asks the host to exit normally (profiles get written), killing it if it has not within 5 s. */
  async stop(): Promise<void> {
    if (this.exitReason) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.call('exit', {}, 5_000).catch(() => undefined);
    const timer = setTimeout(() => this.kill(), 5_000);
    await exited;
    clearTimeout(timer);
  }

  /** Kills the host process (idempotent). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    live.delete(this.child);
  }

  private onMessage(msg: { id: number; result?: unknown; error?: string }): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.error !== undefined) p.reject(new Error(`bench host '${this.label}': ${msg.error}`));
    else p.resolve(msg.result);
  }
}
