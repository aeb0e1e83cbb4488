import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { connect, isValidCloseCode, type SendData, type SocketHandle } from '../index';
import type { ServerConnection } from '../server/index';
import { addServerFlags, clientTls, DEFAULT_URL, listenHost, withSnakeCaseAliases, type ServerFlags } from './common';
import { CliError, ExitCode } from './errors';
import { addIxFlags, type IxFlags } from './ix-flags';
import { describePayload, type Output } from './output';
import { runServer } from './server-runner';

interface ProxyFlags extends ServerFlags, IxFlags {
  remoteHost: string;
  configPath?: string;
  verbose?: boolean;
}

/**
 * The most a client may send before its upstream connection is open; past it the client is closed
 * with 1013 (Try Again Later), so a hanging upstream handshake cannot make the proxy buffer without bound.
 */
const PENDING_MAX_BYTES = 4 * 1024 * 1024;

/** A close code that may be sent on (1005 and 1006 only describe what happened). */
const relayable = (code: number): number => (isValidCloseCode(code) ? code : 1000);

const sizeOf = (data: SendData): number => (typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength);

/** Joins the upstream base URL and the client's path and query. */
function upstreamUrl(base: string, requestUrl: string): string {
  return base.replace(/\/+$/, '') + (requestUrl.startsWith('/') ? requestUrl : '/' + requestUrl);
}

/**
 * Reads `--config-path`: one mapping a line, `HOST:URL` (IXWebSocket's layout) or `HOST URL`,
 * where HOST is the client's Host header (`echo.local:8008`) and URL the upstream base URL.
 * The URL is found by its scheme, so a HOST with a port and a URL with a port both work.
 */
function parseUpstreamMap(text: string, file = 'config'): Map<string, string> {
  const map = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^(.+?)[\s:]+(wss?:\/\/\S+)$/.exec(line);
    if (!match) throw new CliError(`${file} line ${index + 1}: expected 'HOST:ws://upstream', got '${line}'`, ExitCode.usage);
    map.set(match[1].toLowerCase(), match[2]);
  });
  return map;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Whether `url` names the address the proxy itself listens on (its defaults do: 127.0.0.1:8008 both). */
function pointsAtItself(url: string, host: string, port: number): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  const targetPort = Number(target.port || (target.protocol === 'wss:' ? 443 : 80));
  const sameHost = target.hostname === host || (LOOPBACK.has(target.hostname) && LOOPBACK.has(host)) || host === '0.0.0.0' || host === '::';
  return port !== 0 && targetPort === port && sameHost;
}

function relay(client: ServerConnection, flags: ProxyFlags, upstreams: Map<string, string>, out: Output): void {
  const pending: SendData[] = [];
  let pendingBytes = 0;
  let upstream: SocketHandle | undefined;
  const base = upstreams.get(String(client.request.headers.host ?? '').toLowerCase()) ?? flags.remoteHost;
  const target = upstreamUrl(base, client.request.url);
  const protocols = client.request.protocol ? [client.request.protocol] : undefined;
  const verbose = (direction: string, data: string | Uint8Array): void => {
    if (flags.verbose) out.event(direction, 'gray', `#${client.id} ${out.safe(describePayload(data))}`, { id: client.id, data });
  };
  const subscription = connect(target, { protocols, tls: clientTls(flags) }).subscribe({
    next: (event) => {
      if (event.type === 'open') {
        upstream = event.socket;
        for (const data of pending.splice(0)) upstream.send(data);
        pendingBytes = 0;
      } else if (event.type === 'message') {
        verbose('downstream', event.data);
        client.send(event.data);
      } else if (event.type === 'close') {
        client.close(relayable(event.code), event.reason);
      }
    },
    error: (err: { reason?: string }) => {
      out.event('upstream-error', 'red', `#${client.id} ${target}: ${err.reason ?? String(err)}`, { id: client.id, url: target, reason: err.reason });
      client.close(1011, 'Upstream unavailable');
    },
  });
  client.events$.subscribe((event) => {
    if (event.type === 'message') {
      verbose('upstream', event.data);
      if (upstream) return void upstream.send(event.data);
      pendingBytes += sizeOf(event.data);
      if (pendingBytes > PENDING_MAX_BYTES) {
        pending.length = 0;
        out.event('upstream-error', 'red', `#${client.id} ${target}: not open yet and the client sent more than ${PENDING_MAX_BYTES} bytes`, { id: client.id, url: target });
        subscription.unsubscribe();
        client.close(1013, 'Upstream not ready');
        return;
      }
      pending.push(event.data);
    } else if (event.type === 'close') {
      if (upstream && upstream.readyState === 1) upstream.close(relayable(event.code), event.reason);
      else subscription.unsubscribe();
    }
  });
}

/** `rxws proxy-server`: a WebSocket reverse proxy; each client gets its own upstream connection. */
export function registerProxyServer(program: Command): void {
  const cmd = program
    .command('proxy-server')
    .alias('proxy_server')
    .description('WebSocket reverse proxy: each client gets an upstream connection; messages and closes are relayed')
    .option('--remote-host <url>', 'upstream ws:// or wss:// base URL (the client path is appended)', DEFAULT_URL)
    .option('--config-path <file>', "per-Host upstreams: lines 'HOST:ws://upstream' (the client's Host header picks one; else --remote-host)")
    .option('-v, --verbose', 'print every relayed message');
  addServerFlags(cmd);
  addIxFlags(cmd);
  withSnakeCaseAliases(cmd).action((flags: ProxyFlags) => {
    if (pointsAtItself(flags.remoteHost, listenHost(flags), flags.port)) {
      throw new CliError(`--remote-host ${flags.remoteHost} is this proxy's own address: give the URL of the server to proxy to (or another --port)`, ExitCode.usage);
    }
    const upstreams = flags.configPath ? parseUpstreamMap(readFileSync(flags.configPath, 'utf8'), flags.configPath) : new Map<string, string>();
    return runServer(flags, { onConnection: (connection, _server, out) => relay(connection, flags, upstreams, out) });
  });
}
