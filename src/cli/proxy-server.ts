import type { Command } from 'commander';
import { connect, isValidCloseCode, type SendData, type SocketHandle } from '../index';
import type { ServerConnection } from '../server/index';
import { addServerFlags, clientTls, DEFAULT_URL, withSnakeCaseAliases, type ServerFlags } from './common';
import { runServer } from './server-runner';
import type { Output } from './output';

interface ProxyFlags extends ServerFlags {
  remoteHost: string;
}

/** A close code that may be sent on (1005 and 1006 only describe what happened). */
const relayable = (code: number): number => (isValidCloseCode(code) ? code : 1000);

/** Joins the upstream base URL and the client's path and query. */
export function upstreamUrl(base: string, requestUrl: string): string {
  return base.replace(/\/+$/, '') + (requestUrl.startsWith('/') ? requestUrl : '/' + requestUrl);
}

function relay(client: ServerConnection, flags: ProxyFlags, out: Output): void {
  const pending: SendData[] = [];
  let upstream: SocketHandle | undefined;
  const target = upstreamUrl(flags.remoteHost, client.request.url);
  const protocols = client.request.protocol ? [client.request.protocol] : undefined;
  const subscription = connect(target, { protocols, tls: clientTls(flags) }).subscribe({
    next: (event) => {
      if (event.type === 'open') {
        upstream = event.socket;
        for (const data of pending.splice(0)) upstream.send(data);
      } else if (event.type === 'message') {
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
      if (upstream) upstream.send(event.data);
      else pending.push(event.data);
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
    .option('--remote-host <url>', 'upstream ws:// or wss:// base URL (the client path is appended)', DEFAULT_URL);
  addServerFlags(cmd);
  withSnakeCaseAliases(cmd).action((flags: ProxyFlags) => runServer(flags, { onConnection: (connection, _server, out) => relay(connection, flags, out) }));
}
