// The server side of the workloads, run in the server host process: a raw `ws` echo server
// (the peer of the client-side workloads), and the app server under test for the server-side
// workloads: rxws `serve()` or a raw `ws` WebSocketServer, each doing what an app typically does
// (listen to every connection's messages).
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { rxwsServer } from '../lib/rxws';
import { nowMs } from '../lib/stats';
import { makePayload } from './payload';
import { SOCKET_IO_CONNECT, SOCKET_IO_WS_PATH, socketIoServer } from './peer-servers';

/**
 * rxws-events: rxws with the app subscribed to `events$` instead of `messages$` (no `filter`
 * operator); raw-corked: raw ws whose broadcast loop corks every socket for the turn;
 * socketio: a socket.io server (its clients connect to SOCKET_IO_WS_PATH and send SOCKET_IO_CONNECT).
 */
export type Variant = 'rxws' | 'rxws-events' | 'raw' | 'raw-corked' | 'socketio';

interface AppServer {
  readonly port: number;
  connections(): number;
  /** Sends `data` to every open connection. */
  broadcast(data: string | Buffer): void;
  close(): Promise<void>;
}

let echo: WebSocketServer | undefined;
let app: AppServer | undefined;

/** Starts (once) the raw ws echo server: each message is sent back in its own mode. */
export async function startEcho(): Promise<{ port: number }> {
  if (!echo) {
    echo = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    echo.on('connection', (ws) => {
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      ws.on('error', () => undefined);
    });
    await once(echo, 'listening');
  }
  return { port: (echo.address() as AddressInfo).port };
}

/** When the raw app server accepted each connection (for the reconnect storm), bounded. */
let acceptTimesMs: number[] = [];
const MAX_ACCEPT_TIMES = 100_000;

async function startRaw(port: number, corked: boolean): Promise<AppServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false });
  const noop = (): void => undefined;
  let corkedTurn = false;
  acceptTimesMs = [];
  wss.on('connection', (ws) => {
    if (acceptTimesMs.length < MAX_ACCEPT_TIMES) acceptTimesMs.push(nowMs());
    ws.on('message', noop);
    ws.on('error', noop);
  });
  await once(wss, 'listening');
  return {
    port: (wss.address() as AddressInfo).port,
    connections: () => wss.clients.size,
    // The plain loop every ws user writes: one send (one socket write) per client per message;
    // corked, the turn's messages to a client leave in one write (uncorked by a microtask).
    broadcast: corked
      ? (data) => {
          if (!corkedTurn) {
            corkedTurn = true;
            for (const ws of wss.clients) (ws as unknown as { _socket: Socket })._socket.cork();
            queueMicrotask(() => {
              corkedTurn = false;
              for (const ws of wss.clients) (ws as unknown as { _socket: Socket })._socket.uncork();
            });
          }
          for (const ws of wss.clients) ws.send(data);
        }
      : (data) => {
          for (const ws of wss.clients) ws.send(data);
        },
    close: async () => {
      // Stop listening first, so that no client reconnects before the server is gone.
      const closed = new Promise<void>((resolve) => wss.close(() => resolve()));
      for (const ws of wss.clients) ws.terminate();
      await closed;
    },
  };
}

async function startRxws(port: number, viaEvents: boolean): Promise<AppServer> {
  const { serve } = rxwsServer();
  const server = serve({ host: '127.0.0.1', port, maxConnections: 1_000_000 });
  let open = 0;
  const observer = { complete: () => open-- };
  server.connections$.subscribe((connection) => {
    open++;
    (viaEvents ? connection.events$ : connection.messages$).subscribe(observer);
  });
  const address = await server.listening;
  return {
    port: address.port,
    connections: () => open,
    broadcast: (data) => server.broadcast(data),
    close: () => server.close(),
  };
}

/** The socket.io app: listens to every client's messages, broadcasts with `io.emit`. */
async function startSocketIo(): Promise<AppServer> {
  let open = 0;
  const noop = (): void => undefined;
  const io = await socketIoServer((socket) => {
    open++;
    socket.on('message', noop);
    socket.on('disconnect', () => open--);
  });
  return { port: io.port, connections: () => open, broadcast: (data) => io.emit('m', data), close: () => io.close() };
}

/**
 * Starts the app server under test (closing the previous one) on `port` (0: any); `path` and
 * `hello` are what a raw ws client must use to be a client of it (socket.io's).
 */
export async function startApp(variant: Variant, port = 0): Promise<{ port: number; path: string; hello?: string }> {
  await stopApp();
  if (variant === 'socketio') {
    app = await startSocketIo();
    return { port: app.port, path: SOCKET_IO_WS_PATH, hello: SOCKET_IO_CONNECT };
  }
  app = variant === 'raw' || variant === 'raw-corked' ? await startRaw(port, variant === 'raw-corked') : await startRxws(port, variant === 'rxws-events');
  return { port: app.port, path: '' };
}

export async function stopApp(): Promise<void> {
  const closing = app;
  app = undefined;
  if (closing) await closing.close();
}

/** Waits until the app server counts `n` open connections. */
export async function awaitConnections(n: number, maxMs: number): Promise<{ connections: number }> {
  const deadlineMs = nowMs() + maxMs;
  while (!app || app.connections() < n) {
    if (nowMs() > deadlineMs) throw new Error(`the server saw ${app?.connections() ?? 0} of ${n} connections within ${maxMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { connections: app.connections() };
}

/**
 * Broadcasts `messages` messages of `size` bytes, `burst` of them per event-loop turn (messages
 * arriving together, as from a chat room or a feed); resolves with the start time.
 */
export async function broadcast(messages: number, burst: number, size: number): Promise<{ startMs: number }> {
  const server = app;
  if (!server) throw new Error('broadcast: no app server is running');
  const payload = makePayload(size, false);
  const startMs = nowMs();
  for (let sent = 0; sent < messages; ) {
    for (let i = 0; i < burst && sent < messages; i++, sent++) server.broadcast(payload);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { startMs };
}

/** Heap and RSS after full garbage collections (the host runs with --expose-gc). */
export async function memory(): Promise<{ heapUsed: number; rss: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('memory: start the host with --expose-gc');
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

/** The most connections the raw app server accepted within any `windowMs` (the storm's peak load). */
export function peakAccepts(windowMs: number): { peak: number } {
  let peak = 0;
  for (let lo = 0, hi = 0; hi < acceptTimesMs.length; hi++) {
    while (acceptTimesMs[hi] - acceptTimesMs[lo] > windowMs) lo++;
    peak = Math.max(peak, hi - lo + 1);
  }
  return { peak };
}
