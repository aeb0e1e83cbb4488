import { once } from 'node:events';
import http, { type IncomingMessage, type RequestListener } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';
import { lastValueFrom, toArray, type Observable } from 'rxjs';
import type { HttpEvent, HttpResponseEvent } from 'rxws/http';

/** A loopback HTTP(S) server for one test, counting the TCP connections it accepts. */
export interface TestHttpServer {
  readonly url: string;
  readonly server: http.Server;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Open server-side sockets. */
  readonly sockets: Set<Socket>;
  close(): Promise<void>;
}

function track(server: net.Server, origin: string): TestHttpServer {
  const sockets = new Set<Socket>();
  let connections = 0;
  server.on(server instanceof https.Server ? 'secureConnection' : 'connection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A client that gives up mid-request makes the server's request stream error: expected here.
  server.on('request', (req: IncomingMessage) => req.on('error', () => undefined));
  server.on('clientError', (_err: Error, socket: Socket) => socket.destroy());
  return {
    url: origin,
    server: server as http.Server,
    get connections() {
      return connections;
    },
    sockets,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function listen(server: net.Server, scheme: string): Promise<TestHttpServer> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return track(server, `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

/** Starts a node:http server on 127.0.0.1, port 0. */
export function startHttpServer(handler: RequestListener): Promise<TestHttpServer> {
  return listen(http.createServer(handler), 'http');
}

/** Starts a node:https server on 127.0.0.1, port 0, with the given PEM certificate and key. */
export function startHttpsServer(handler: RequestListener, cert: string, key: string): Promise<TestHttpServer> {
  return listen(https.createServer({ cert, key }, handler), 'https');
}

/** Starts a raw TCP server whose sockets are given to `onSocket` (for hand-written HTTP). */
export function startRawServer(onSocket: (socket: Socket) => void): Promise<TestHttpServer> {
  return listen(net.createServer((socket) => {
    socket.on('error', () => undefined);
    onSocket(socket);
  }), 'http');
}

/** The request body, whole. */
export async function readAll(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** All events of a request that must succeed. */
export function allEvents(events$: Observable<HttpEvent>): Promise<HttpEvent[]> {
  return lastValueFrom(events$.pipe(toArray()));
}

/** The `response` event of a request that must succeed. */
export async function responseOf(events$: Observable<HttpEvent>): Promise<HttpResponseEvent> {
  const events = await allEvents(events$);
  const last = events[events.length - 1];
  if (last?.type !== 'response') throw new Error(`no response event: ${events.map((e) => e.type).join(', ')}`);
  return last;
}

/** The types of events, in order, with runs of one type collapsed (progress, chunks). */
export function eventOrder(events: readonly HttpEvent[]): string[] {
  return events.map((e) => e.type).filter((type, i, all) => type !== all[i - 1]);
}
