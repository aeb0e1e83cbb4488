import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The built CLI, run as users run it. */
export const CLI_PATH = path.resolve(__dirname, '../../dist/cli.cjs');

/** Fails with a clear message when the CLI has not been built. */
export function requireBuiltCli(): void {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run \`npm run build\` first (\`npm test\` does it)`);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running `rxws` process whose output lines can be awaited. */
export class CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<CliResult>;
  private waiters: Array<() => void> = [];

  constructor(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
    this.child = spawn(process.execPath, [CLI_PATH, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...options.env },
    });
    this.child.stdout.setEncoding('utf8').on('data', (text: string) => this.append('stdout', text));
    this.child.stderr.setEncoding('utf8').on('data', (text: string) => this.append('stderr', text));
    this.child.stdin.on('error', () => undefined); // the process may exit before reading all input
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve({ code, stdout: this.stdout, stderr: this.stderr })));
  }

  /** Resolves with the first match of `pattern` on stdout (bounded by `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms; stdout: ${this.stdout} stderr: ${this.stderr}`));
      }, timeoutMs);
      const check = (): void => {
        const match = this.stdout.match(pattern);
        if (!match) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(match);
      };
      this.waiters.push(check);
      check();
    });
  }

  send(line: string): void {
    this.child.stdin.write(line + '\n');
  }

  end(): void {
    this.child.stdin.end();
  }

  /** Waits for the exit, bounded; kills the process if it does not exit in time. */
  async result(timeoutMs = 15_000): Promise<CliResult> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<CliResult>((_, reject) => {
      timer = setTimeout(() => {
        this.kill();
        reject(new Error(`rxws did not exit within ${timeoutMs} ms; stdout: ${this.stdout} stderr: ${this.stderr}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, bound]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  private append(stream: 'stdout' | 'stderr', text: string): void {
    this[stream] += text;
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** Every process a spec started, killed in afterEach. */
export class CliProcesses {
  private readonly all: CliProcess[] = [];

  start(args: readonly string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }): CliProcess {
    const proc = new CliProcess(args, options);
    this.all.push(proc);
    return proc;
  }

  /** Runs to completion, feeding `input` on stdin. */
  run(args: readonly string[], input = '', options?: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult> {
    const proc = this.start(args, options);
    proc.child.stdin.end(input);
    return proc.result(options?.timeoutMs);
  }

  /** Starts a server command on port 0 and resolves with its URL once it listens. */
  async server(args: readonly string[], options?: { cwd?: string }): Promise<{ proc: CliProcess; url: string; port: number }> {
    const proc = this.start([...args, '--port', '0'], options);
    const match = await proc.waitFor(/listening on ((?:ws|wss|http|https):\/\/[^\s]+:(\d+))/);
    return { proc, url: match[1], port: Number(match[2]) };
  }

  async killAll(): Promise<void> {
    for (const proc of this.all.splice(0)) {
      proc.kill();
      await proc.exited;
    }
  }
}
