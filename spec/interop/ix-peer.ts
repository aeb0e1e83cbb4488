// IXWebSocket's `ws` tool as a real peer: built once per machine by ../shared/peers/build-ixwebsocket.sh.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** The script that builds IXWebSocket's `ws` and prints its path. */
export const IX_BUILD_SCRIPT = path.resolve(__dirname, '../../../shared/peers/build-ixwebsocket.sh');

/**
 * The path of the built `ws` binary, where `build-ixwebsocket.sh` puts it (its cache, named after the
 * tarball beside it). Throws one line saying what to run when it is not built: a test never builds
 * it (3-5 minutes) and never skips.
 */
export function requireIxWs(script = IX_BUILD_SCRIPT): string {
  const missing = `IXWebSocket's ws peer is missing: run ${script} once (it builds and caches the ws tool, 3-5 minutes)`;
  const dir = path.dirname(script);
  if (!existsSync(script)) throw new Error(missing);
  const tarball = readdirSync(dir).find((name) => /^ixwebsocket-.*\.tar\.gz$/.test(name));
  if (!tarball) throw new Error(missing);
  const cache = process.env.RXWS_PEERS_CACHE ?? path.join(homedir(), '.cache/rxws-peers');
  const bin = path.join(cache, tarball.replace(/\.tar\.gz$/, ''), 'build/ws/ws');
  if (!existsSync(bin)) throw new Error(missing);
  return bin;
}

/** A running `ws` process; IXWebSocket logs to stdout, both streams are kept together in `output`. */
export class IxProcess {
  readonly child: ChildProcessWithoutNullStreams;
  output = '';
  readonly exited: Promise<{ code: number | null; output: string }>;
  private waiters: Array<() => void> = [];

  constructor(bin: string, args: readonly string[], options: { cwd?: string } = {}) {
    this.child = spawn(bin, [...args], { cwd: options.cwd });
    for (const stream of [this.child.stdout, this.child.stderr]) stream.setEncoding('utf8').on('data', (text: string) => this.append(text));
    this.child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve({ code, output: this.output })));
  }

  /** Resolves with the first match of `pattern` in the output (bounded by `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`ws: no output matching ${pattern} within ${timeoutMs} ms; output: ${this.output.slice(-2000)}`));
      }, timeoutMs);
      const check = (): void => {
        const match = this.output.match(pattern);
        if (!match) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(match);
      };
      this.waiters.push(check);
      check();
    });
  }

  /** Waits for the exit, bounded; kills the process if it does not exit in time. */
  async result(timeoutMs = 15_000): Promise<{ code: number | null; output: string }> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.kill();
        reject(new Error(`ws did not exit within ${timeoutMs} ms; output: ${this.output.slice(-2000)}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, bound]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private append(text: string): void {
    this.output += text;
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** The TCP ports process `pid` listens on, read from /proc (IXWebSocket does not print the port `--port 0` picked). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]);
    } catch {
      // the descriptor closed while we looked
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9 && cols[3] === '0A' && inodes.has(cols[9])) ports.push(parseInt(cols[1].split(':')[1], 16));
    }
  }
  return ports;
}

/** Every `ws` process a spec started, killed in afterEach. */
export class IxProcesses {
  private readonly all: IxProcess[] = [];
  constructor(private readonly bin: string) {}

  start(args: readonly string[], options?: { cwd?: string }): IxProcess {
    const proc = new IxProcess(this.bin, args, options);
    this.all.push(proc);
    return proc;
  }

  /** Starts a server command on port 0 and resolves with its port once it listens (polled, bounded). */
  async server(args: readonly string[], options?: { cwd?: string; timeoutMs?: number }): Promise<{ proc: IxProcess; port: number }> {
    const proc = this.start([...args, '--port', '0'], options);
    const deadline = Date.now() + (options?.timeoutMs ?? 5000);
    for (let tries = 0; tries < 500 && Date.now() < deadline; tries++) {
      if (proc.child.exitCode !== null) break;
      const [port] = listeningPorts(proc.child.pid ?? -1);
      if (port) return { proc, port };
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`ws ${args.join(' ')} did not listen; output: ${proc.output.slice(-2000)}`);
  }

  async killAll(): Promise<void> {
    for (const proc of this.all.splice(0)) {
      proc.kill();
      await proc.exited;
    }
  }
}
