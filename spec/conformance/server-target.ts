// rxws's server (serve) as the side under test: a raw client connects and the server echoes
// every message it receives.
import type { PerMessageDeflateOptions, WebSocketCloseEvent } from 'rxws';
import { serve, type ServerConnection, type WebSocketServer } from 'rxws/server';
import { connectRawClient } from '../helpers/raw-peer';
import type { Opened, Target } from './runner';

export interface ServerTarget extends Target {
  close(): Promise<void>;
}

interface EchoServer {
  server: WebSocketServer;
  port: number;
  next: Array<(accepted: { closeEvent: Promise<WebSocketCloseEvent | undefined> }) => void>;
}

async function startEchoServer(maxPayload: number | undefined, perMessageDeflate: PerMessageDeflateOptions | undefined): Promise<EchoServer> {
  const server = serve({ port: 0, host: '127.0.0.1', ...(maxPayload ? { maxPayload } : {}), ...(perMessageDeflate ? { perMessageDeflate } : {}) });
  const echo: EchoServer = { server, port: (await server.listening).port, next: [] };
  server.connections$.subscribe((connection: ServerConnection) => {
    const closeEvent = new Promise<WebSocketCloseEvent | undefined>((resolve) => {
      connection.events$.subscribe({
        next: (e) => {
          if (e.type === 'message') connection.send(e.data);
          else if (e.type === 'close') resolve(e);
        },
        error: () => resolve(undefined),
        complete: () => resolve(undefined),
      });
    });
    echo.next.shift()?.({ closeEvent }); // wrapped: resolving with a bare promise would wait for it
  });
  return echo;
}

export function serverTarget(): ServerTarget {
  // One server per set of options, reused by every case that needs it.
  const servers = new Map<string, Promise<EchoServer>>();
  return {
    name: 'server',
    async open({ maxPayload, deflate }): Promise<Opened> {
      const key = JSON.stringify([maxPayload ?? 0, deflate?.server ?? null]);
      if (!servers.has(key)) servers.set(key, startEchoServer(maxPayload, deflate?.server));
      const echo = await servers.get(key)!;
      let onAccepted!: (accepted: { closeEvent: Promise<WebSocketCloseEvent | undefined> }) => void;
      const accepted = new Promise<{ closeEvent: Promise<WebSocketCloseEvent | undefined> }>((resolve) => echo.next.push((onAccepted = resolve)));
      const peer = await connectRawClient(echo.port, '127.0.0.1', '/', { extensions: deflate?.offer }).catch((err: unknown) => {
        echo.next.splice(echo.next.indexOf(onAccepted), 1); // refused: no connection will take it
        throw err;
      });
      const { closeEvent } = await accepted;
      return { peer, closeEvent, dispose: () => undefined };
    },
    async close() {
      for (const echo of servers.values()) await (await echo).server.close();
    },
  };
}
