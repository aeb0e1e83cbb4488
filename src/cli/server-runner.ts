import { IXWEBSOCKET_MAX_CONNECTIONS, serve, type ServeOptions, type ServerConnection, type WebSocketServer } from '../server/index';
import { formatUrl, listenHost, serverTls, type ServerFlags } from './common';
import { interrupted } from './lifetime';
import { Output } from './output';

const acceptWithoutProtocol = (): string => '';

/** What a server command adds to `serve()`: options, and what to do with each connection. */
export interface ServerRecipe {
  options?: Omit<ServeOptions, 'host' | 'port' | 'tls'>;
  /** `ws` for WebSocket servers, `http` for httpd (printed in the listening line). */
  scheme?: 'ws' | 'http';
  onConnection?(connection: ServerConnection, server: WebSocketServer, out: Output): void;
}

/**
 * Starts a server from the common flags, prints `listening on ws://HOST:PORT` (the real port when
 * --port 0), logs connections, and runs until Ctrl-C / SIGTERM, then closes every connection (1001).
 */
export async function runServer(flags: ServerFlags, recipe: ServerRecipe): Promise<void> {
  const out = new Output({ json: flags.json });
  const tls = serverTls(flags);
  const signal = interrupted();
  // Like IXWebSocket's servers, accept a client that offers subprotocols without picking one, unless the command names its own.
  const perMessageDeflate = flags.perMessageDeflate === true && flags.disablePerMessageDeflate !== true;
  // IXWebSocket's limit of 128 clients, as the ws tool this CLI mirrors.
  const server = serve({
    protocols: acceptWithoutProtocol,
    perMessageDeflate,
    maxConnections: IXWEBSOCKET_MAX_CONNECTIONS,
    ...recipe.options,
    host: listenHost(flags),
    port: flags.port,
    tls,
  });
  try {
    const { host, port } = await server.listening;
    const scheme = (recipe.scheme ?? 'ws') + (tls ? 's' : '');
    const url = formatUrl(scheme, host, port);
    out.event('listening', 'green', `on ${url}`, { url, host, port });
    const connections = server.connections$.subscribe((connection) => {
      const { id, request } = connection;
      const from = `${formatUrl('tcp', request.remoteAddress, request.remotePort).slice(6)}`;
      if (!flags.quiet) out.event('connected', 'cyan', `#${id} from ${from} ${out.safe(request.url)}${request.protocol ? ` (protocol: ${out.safe(request.protocol)})` : ''}`, {
        id,
        remoteAddress: request.remoteAddress,
        remotePort: request.remotePort,
        url: request.url,
        protocol: request.protocol,
      });
      connection.events$.subscribe((event) => {
        if (event.type === 'close' && !flags.quiet) {
          out.event('disconnected', 'yellow', `#${id} ${event.code}${event.reason ? ' ' + out.safe(event.reason) : ''}`, { id, code: event.code, reason: event.reason });
        }
      });
      recipe.onConnection?.(connection, server, out);
    });
    const errors = server.errors$.subscribe(({ source, error }) => {
      const reason = error instanceof Error ? error.message : String(error);
      out.event('server-error', 'red', `${source}: ${reason}`, { source, reason });
    });
    await signal.promise;
    connections.unsubscribe();
    errors.unsubscribe();
  } finally {
    signal.dispose();
    await server.close();
  }
  out.event('stopped', 'yellow', '', {});
}
