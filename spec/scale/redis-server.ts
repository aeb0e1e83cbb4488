// A throwaway redis-server for tests: loopback, a free port, no persistence. Stopped by the caller.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';

const BINARY = process.env.REDIS_SERVER ?? 'redis-server';
const READY = /Ready to accept connections/;
const START_TIMEOUT_MS = 10_000;

/** Throws a clear error when redis-server cannot be run. */
export function assertRedisServerInstalled(): void {
  const probe = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `The scale-out tests need a real Redis: '${BINARY}' could not be run (${probe.error?.message ?? `exit ${probe.status}`}). ` +
        "Install it (Debian/Ubuntu: apt-get install redis-server; .ci/run does) or set REDIS_SERVER to its path.",
    );
  }
}

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released for redis-server). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A redis-server process on 127.0.0.1:`port`. */
export class RedisServer {
  private process: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts one on a free port (a new port when the chosen one was taken meanwhile). */
  static async start(): Promise<RedisServer> {
    assertRedisServerInstalled();
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const server = new RedisServer(await freePort());
      try {
        await server.restart();
        return server;
      } catch (e) {
        lastError = e;
      }
    }
    throw lastError;
  }

  /** Starts (again) on the same port; resolves on "Ready to accept connections". */
  async restart(): Promise<void> {
    if (this.process !== undefined) throw new Error('redis-server is already running');
    const child = spawn(BINARY, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process = child;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`redis-server did not get ready within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
      const fail = (e: Error): void => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        this.process = undefined;
        reject(e);
      };
      child.on('error', fail);
      child.on('exit', (code) => fail(new Error(`redis-server exited with ${code} before it was ready:\n${output}`)));
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (READY.test(output)) {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          child.removeAllListeners('error');
          resolve();
        }
      });
    });
    child.stdout?.resume();
    child.stderr?.resume();
  }

  /** Kills it (SIGKILL, as a crash) and resolves when it has exited. */
  async stop(): Promise<void> {
    const child = this.process;
    if (child === undefined) return;
    this.process = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
}
