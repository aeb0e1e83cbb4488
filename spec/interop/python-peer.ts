// Runs the Python `websockets` peers of spec/interop/peers/*.py as child processes that talk
// JSON lines over stdin/stdout.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** The Debian interpreter: python3-websockets is installed for it, not for other Pythons on PATH. */
export const PYTHON = '/usr/bin/python3';
const PEERS = path.join(__dirname, 'peers');
const DEFAULT_WAIT_MS = 15_000;

/** The installed `websockets` version; throws a clear error when the peer is missing. */
export function requirePythonWebsockets(python = PYTHON): string {
  const probe = spawnSync(python, ['-c', 'import websockets; print(websockets.__version__)'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `The Python interop peer is missing: ${python} with the 'websockets' module is needed ` +
        `(as root: apt-get install -y python3-websockets). ${probe.error?.message ?? probe.stderr.trim()}`,
    );
  }
  return probe.stdout.trim();
}

type Json = Record<string, unknown>;

/** One Python peer process; its stdout lines are parsed as JSON and queued. */
export class PythonProcess {
  private readonly lines: Json[] = [];
  private readonly waiters = new Set<() => void>();
  private stderr = '';
  private exited = false;

  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as Json);
      } catch {
        this.stderr += `(stdout) ${line}\n`;
      }
      for (const wake of this.waiters) wake();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    child.on('exit', () => {
      this.exited = true;
      for (const wake of this.waiters) wake();
    });
  }

  static spawn(script: string, args: string[] = []): PythonProcess {
    return new PythonProcess(spawn(PYTHON, ['-u', path.join(PEERS, script), ...args], { stdio: 'pipe' }));
  }

  /** Takes (removes) the first line that matches, waiting up to `timeoutMs` for it. */
  take(predicate: (line: Json) => boolean, what: string, timeoutMs = DEFAULT_WAIT_MS): Promise<Json> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const index = this.lines.findIndex(predicate);
        if (index >= 0) {
          done();
          resolve(this.lines.splice(index, 1)[0]);
        } else if (this.exited) {
          done();
          reject(new Error(`Python peer exited while waiting for ${what}. stderr: ${this.stderr.trim() || '(empty)'}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`Python peer did not report ${what} within ${timeoutMs} ms. stderr: ${this.stderr.trim() || '(empty)'}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Takes the next `{"event": name}` line. */
  event(name: string, timeoutMs?: number): Promise<Json> {
    return this.take((line) => line.event === name, `event '${name}'`, timeoutMs);
  }

  write(obj: Json): void {
    this.child.stdin.write(JSON.stringify(obj) + '\n');
  }

  async kill(): Promise<void> {
    if (this.exited) return;
    const exit = once(this.child, 'exit');
    this.child.stdin.end();
    this.child.kill('SIGKILL');
    await exit;
  }
}

/** spec/interop/peers/ws_server.py, listening on 127.0.0.1 and a free port. */
export interface PythonServer {
  readonly proc: PythonProcess;
  readonly port: number;
  readonly url: string;
}

export async function startPythonServer(args: string[] = []): Promise<PythonServer> {
  const proc = PythonProcess.spawn('ws_server.py', args);
  const listening = await proc.event('listening');
  const port = Number(listening.port);
  return { proc, port, url: `ws://127.0.0.1:${port}` };
}

/** spec/interop/peers/ws_client.py: a Python client answering one request at a time. */
export class PythonClient {
  private nextId = 1;
  private constructor(readonly proc: PythonProcess) {}

  static async start(): Promise<PythonClient> {
    const proc = PythonProcess.spawn('ws_client.py', ['--timeout', '10']);
    await proc.event('ready');
    return new PythonClient(proc);
  }

  /** Sends one request and resolves with its answer; an `error` answer rejects. */
  async request(op: string, params: Json = {}): Promise<Json> {
    const id = this.nextId++;
    this.proc.write({ id, op, ...params });
    const answer = await this.proc.take((line) => line.id === id, `the answer to '${op}'`);
    if (typeof answer.error === 'string') throw new Error(`Python client '${op}' failed: ${answer.error}`);
    return answer;
  }

  kill(): Promise<void> {
    return this.proc.kill();
  }
}
