import { once } from 'node:events';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket, TlsOptions } from 'node:tls';
import { WebSocketServer } from 'ws';

/** A plain `https` + `ws` echo server (no rxws code), the peer of the TLS client tests. */
export interface WssPeer {
  readonly port: number;
  /** `wss://HOST:PORT` with the host as given (IPv6 in brackets). */
  url(host?: string): string;
  /** TLS errors the server saw (e.g. a client that refused its certificate). */
  readonly tlsErrors: Error[];
  /** The SNI name of each TLS connection, `false` when the client sent none. */
  readonly servernames: Array<string | false>;
  readonly server: https.Server;
  close(): Promise<void>;
}

/** Starts an echo server on `host` (default 127.0.0.1), port 0, with Node TLS options. */
export async function startWssPeer(tls: TlsOptions, host = '127.0.0.1'): Promise<WssPeer> {
  const server = https.createServer(tls);
  const sockets = new Set<Socket>();
  const tlsErrors: Error[] = [];
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const servernames: Array<string | false> = [];
  server.on('tlsClientError', (err) => tlsErrors.push(err));
  server.on('secureConnection', (socket: TLSSocket) => servernames.push(socket.servername ?? false));
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    port,
    tlsErrors,
    servernames,
    server,
    url: (name = host) => `wss://${name.includes(':') ? `[${name}]` : name}:${port}`,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      for (const socket of sockets) socket.destroy();
      wss.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
