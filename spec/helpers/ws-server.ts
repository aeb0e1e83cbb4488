import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type ServerOptions, type WebSocket } from 'ws';

/** A real `ws` server on 127.0.0.1 and a free port, closed by `close()` (call it in afterEach). */
export interface TestWsServer {
  readonly wss: WebSocketServer;
  readonly port: number;
  readonly url: string;
  /** The next connection the server accepts. */
  nextConnection(): Promise<WebSocket>;
  close(): Promise<void>;
}

export async function startWsServer(options: ServerOptions = {}): Promise<TestWsServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  await once(wss, 'listening');
  const { port } = wss.address() as AddressInfo;
  return {
    wss,
    port,
    url: `ws://127.0.0.1:${port}`,
    nextConnection: async () => (await once(wss, 'connection'))[0] as WebSocket,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** An echo server: every message is sent back in its own mode. */
export async function startEchoServer(options: ServerOptions = {}): Promise<TestWsServer> {
  const server = await startWsServer(options);
  server.wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  return server;
}
