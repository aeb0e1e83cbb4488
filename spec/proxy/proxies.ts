// Real proxies for the proxy specs, each started on 127.0.0.1 and a free port with a temp
// config, and stopped (process killed, folder removed) by `stop()`: tinyproxy for HTTP CONNECT
// (optionally with Basic auth) and microsocks for SOCKS5 (optionally with user/password).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFaultProxy } from '../helpers/fault-proxy';

/** A proxy process on loopback. */
export interface TestProxy {
  readonly port: number;
  /** The proxy's URL, with credentials when it requires them. */
  readonly url: string;
  /** Kills the proxy at once (SIGKILL): its open tunnels end without a close frame. */
  kill(): Promise<void>;
  /** Starts the proxy again on the same port, after `kill()`. */
  restart(): Promise<void>;
  /** Kills it and removes its folder: call in afterEach. */
  stop(): Promise<void>;
}

/** Which Debian package holds each binary, for the one-line "install it" failure. */
const PACKAGES: Record<string, string> = { tinyproxy: 'tinyproxy', microsocks: 'microsocks', danted: 'dante-server', squid: 'squid', openssl: 'openssl' };
/** Where Debian's squid keeps its Basic auth helper. */
const SQUID_NCSA_AUTH = '/usr/lib/squid/basic_ncsa_auth';
/** How long a proxy may take to accept connections before the test fails. */
const START_DEADLINE_MS = 10_000;

/** Throws one line saying what to install when `name` is not on the PATH. */
export function requireBinary(name: string): void {
  const found = spawnSync('sh', ['-c', 'command -v "$0"', name], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error(`${name} is not installed: run \`apt-get install -y ${PACKAGES[name] ?? name}\` (the proxy specs start it on loopback)`);
}

/** A port nobody listens on right now (bound to port 0, then released for the proxy to take). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once 127.0.0.1:port accepts a connection; rejects when the process exits or the deadline passes. */
async function acceptsConnections(port: number, child: ChildProcess, stderr: () => string, host: string): Promise<void> {
  const deadline = Date.now() + START_DEADLINE_MS;
  let exited = false;
  child.once('exit', () => (exited = true));
  for (let attempt = 0; attempt < 1000; attempt++) {
    if (exited) throw new Error(`the proxy exited before accepting connections: ${stderr().trim()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = netConnect(port, host);
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) break;
    // The process is starting: ask again on the next turn of the event loop after I/O.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the proxy did not accept connections on port ${port} within ${START_DEADLINE_MS} ms: ${stderr().trim()}`);
}

async function startProcess(
  name: string,
  argsFor: (port: number) => string[],
  url: (port: number) => string,
  dir?: string,
  port?: number,
  signal: NodeJS.Signals = 'SIGKILL',
  host = '127.0.0.1',
): Promise<TestProxy> {
  requireBinary(name);
  const chosen = port ?? (await freePort(host));
  let child: ChildProcess | undefined;
  let stderr = '';
  const launch = async (): Promise<void> => {
    stderr = '';
    const started = spawn(name, argsFor(chosen), { stdio: ['ignore', 'ignore', 'pipe'] });
    started.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child = started;
    await acceptsConnections(chosen, started, () => stderr, host);
  };
  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill(signal);
    await exited;
  };
  try {
    await launch();
  } catch (err) {
    await kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port: chosen,
    url: url(chosen),
    kill,
    restart: launch,
    stop: async () => {
      await kill();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Credentials a proxy requires. */
export interface ProxyCredentials {
  user: string;
  password: string;
}

/**
 * tinyproxy (HTTP CONNECT) on 127.0.0.1. It allows CONNECT to every port (no ConnectPort line)
 * from 127.0.0.1, and with `auth` requires Basic credentials (407 otherwise).
 */
export async function startTinyproxy(auth?: ProxyCredentials): Promise<TestProxy> {
  requireBinary('tinyproxy');
  const dir = mkdtempSync(path.join(tmpdir(), 'rxws-tinyproxy-'));
  const port = await freePort();
  const config = path.join(dir, 'tinyproxy.conf');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 600',
      'MaxClients 64',
      'Allow 127.0.0.1',
      'LogLevel Error',
      `LogFile "${path.join(dir, 'tinyproxy.log')}"`,
      'DisableViaHeader Yes',
      ...(auth ? [`BasicAuth ${auth.user} ${auth.password}`] : []),
      '',
    ].join('\n'),
  );
  const credentials = auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.password)}@` : '';
  return startProcess('tinyproxy', () => ['-d', '-c', config], (p) => `http://${credentials}127.0.0.1:${p}`, dir, port);
}

/** microsocks (SOCKS5) on `host` (127.0.0.1 or ::1); with `auth` it requires that user name and password. */
export async function startMicrosocks(auth?: ProxyCredentials, scheme: 'socks5' | 'socks5h' = 'socks5h', host = '127.0.0.1'): Promise<TestProxy> {
  const credentials = auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.password)}@` : '';
  const authArgs = auth ? ['-u', auth.user, '-P', auth.password] : [];
  const shown = host.includes(':') ? `[${host}]` : host;
  return startProcess(
    'microsocks',
    (p) => ['-i', host, '-p', String(p), ...authArgs],
    (p) => `${scheme}://${credentials}${shown}:${p}`,
    undefined,
    undefined,
    'SIGKILL',
    host,
  );
}

/**
 * dante (danted) on 127.0.0.1 without authentication: it speaks SOCKS4, SOCKS4a and SOCKS5, so
 * `scheme` picks what the URL asks for. Stopped with SIGTERM so that its worker processes exit too.
 */
export async function startDante(scheme: 'socks4' | 'socks4a' | 'socks5'): Promise<TestProxy> {
  requireBinary('danted');
  const dir = mkdtempSync(path.join(tmpdir(), 'rxws-dante-'));
  const port = await freePort();
  const config = path.join(dir, 'danted.conf');
  writeFileSync(
    config,
    [
      'logoutput: stderr',
      `internal: 127.0.0.1 port = ${port}`,
      'external: 127.0.0.1',
      'clientmethod: none',
      'socksmethod: none',
      'user.privileged: root',
      'user.unprivileged: nobody',
      'client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }',
      'socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 command: connect }',
      '',
    ].join('\n'),
  );
  return startProcess('danted', () => ['-f', config, '-N', '1', '-p', path.join(dir, 'danted.pid')], (p) => `${scheme}://127.0.0.1:${p}`, dir, port, 'SIGTERM');
}

/**
 * squid (HTTP CONNECT) on 127.0.0.1, no cache, allowing CONNECT to every port from 127.0.0.1;
 * with `auth`, Basic credentials checked by its basic_ncsa_auth helper (407 otherwise).
 */
export async function startSquid(auth?: ProxyCredentials): Promise<TestProxy> {
  requireBinary('squid');
  const dir = mkdtempSync(path.join(tmpdir(), 'rxws-squid-'));
  chmodSync(dir, 0o777); // squid, started as root, writes its log as the 'proxy' user
  const port = await freePort();
  const config = path.join(dir, 'squid.conf');
  const authLines: string[] = [];
  if (auth) {
    requireBinary('openssl');
    const hash = spawnSync('openssl', ['passwd', '-apr1', auth.password], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(path.join(dir, 'passwd'), `${auth.user}:${hash}\n`, { mode: 0o644 });
    authLines.push(
      `auth_param basic program ${SQUID_NCSA_AUTH} ${path.join(dir, 'passwd')}`,
      'auth_param basic realm rxws-tests',
      'acl authenticated proxy_auth REQUIRED',
      'http_access deny !authenticated',
    );
  }
  writeFileSync(
    config,
    [
      `http_port 127.0.0.1:${port}`,
      `pid_filename ${path.join(dir, 'squid.pid')}`,
      `cache_log ${path.join(dir, 'cache.log')}`,
      `coredump_dir ${dir}`,
      'access_log none',
      'cache deny all',
      'shutdown_lifetime 0 seconds',
      'acl loopback src 127.0.0.1/32',
      'http_access deny !loopback',
      ...authLines,
      'http_access allow loopback',
      'http_access deny all',
      '',
    ].join('\n'),
  );
  const credentials = auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.password)}@` : '';
  return startProcess('squid', () => ['-N', '-f', config], (p) => `http://${credentials}127.0.0.1:${p}`, dir, port, 'SIGTERM');
}

/** A byte-for-byte TCP forwarder in front of a proxy that counts connections: proof a client used the proxy. */
export interface CountedProxy {
  /** The proxy's URL (scheme and credentials) at the forwarder's port. */
  readonly url: string;
  /** Connections the forwarder has accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

/** Puts a counting forwarder (spec/helpers/fault-proxy.ts) in front of `proxy`. */
export async function countConnections(proxy: TestProxy): Promise<CountedProxy> {
  const front = await startFaultProxy(proxy.port);
  const url = new URL(proxy.url);
  url.port = String(front.port);
  return {
    url: url.href.replace(/\/$/, ''),
    get accepted() {
      return front.acceptedConnections;
    },
    close: () => front.close(),
  };
}

/** A TLS front (Node `tls` server) that unwraps each connection and forwards it to `proxy`: an https:// proxy. */
export async function startTlsFront(proxy: TestProxy, cert: string, key: string): Promise<{ readonly port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createTlsServer({ cert, key }, (clear) => {
    const upstream = netConnect(proxy.port, '127.0.0.1');
    for (const s of [clear, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    clear.pipe(upstream).pipe(clear);
    clear.on('close', () => upstream.destroy());
    upstream.on('close', () => clear.destroy());
  });
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
