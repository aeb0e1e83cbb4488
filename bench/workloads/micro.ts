// Micro-benchmark of the per-message path, in one process and without the network: a message
// is injected into an open `ws` socket exactly where ws's receiver delivers it
// (`ws.emit('message', data, isBinary)`), and the time and the heap allocated per message are
// measured up to the application's callback. rxws: `connect()`'s subscriber, or a server
// connection's `events$`; raw: a ws 'message' listener doing what an application must (decode
// text). The difference is what the reactive layer costs per message.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { PerformanceObserver } from 'node:perf_hooks';
import WebSocket, { WebSocketServer } from 'ws';
import type { WebSocketEvent } from 'rxws';
import { rxwsClient, rxwsServer } from '../lib/rxws';
import { makePayload } from './payload';

export interface MicroParams {
  path: 'connect' | 'server';
  variant: 'rxws' | 'raw';
  size: number;
  binary: boolean;
  messages: number;
}

/** What the application does with each message, the same for both variants. */
let consumed = 0;
const onRxwsEvent = (e: WebSocketEvent): void => {
  if (e.type === 'message') consumed += e.data.length;
};
const onRawMessage = (data: Buffer, isBinary: boolean): void => {
  consumed += (isBinary ? data : data.toString()).length;
};

// Server-side ws sockets, captured where ws hands them their TCP socket (both servers use ws).
let lastServerSocket: WebSocket | undefined;
const proto = WebSocket.prototype as unknown as { setSocket(this: WebSocket, ...args: unknown[]): void };
const setSocket = proto.setSocket;
proto.setSocket = function (this: WebSocket, ...args: unknown[]) {
  if ((this as unknown as { _isServer: boolean })._isServer) lastServerSocket = this;
  return setSocket.apply(this, args);
};

let gcStarts: number[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcStarts.push(entry.startTime);
}).observe({ entryTypes: ['gc'] });

const targets = new Map<string, WebSocket>();
let peer: WebSocketServer | undefined;

async function peerUrl(): Promise<string> {
  if (!peer) {
    peer = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(peer, 'listening');
  }
  return `ws://127.0.0.1:${(peer.address() as AddressInfo).port}`;
}

/** The `ws` socket whose 'message' events reach the listener under test (opened once, reused). */
async function target(path: MicroParams['path'], variant: MicroParams['variant']): Promise<WebSocket> {
  const key = `${path}/${variant}`;
  const known = targets.get(key);
  if (known) return known;
  let ws: WebSocket;
  if (path === 'connect' && variant === 'raw') {
    ws = new WebSocket(await peerUrl());
    ws.on('message', onRawMessage);
    await once(ws, 'open');
  } else if (path === 'connect') {
    const { connect } = rxwsClient();
    const url = await peerUrl();
    ws = await new Promise<WebSocket>((resolve, reject) => {
      // connect() wraps ws; its socket handle keeps the ws instance as `ws`.
      connect(url).subscribe({
        next: (e) => {
          if (e.type !== 'open') return onRxwsEvent(e);
          const inner = (e.socket as unknown as { ws?: WebSocket }).ws;
          if (inner instanceof WebSocket) resolve(inner);
          else reject(new Error('micro: the connect() socket handle no longer exposes its ws instance as `ws`'));
        },
        error: reject,
      });
    });
  } else {
    ws = await serverTarget(variant);
  }
  targets.set(key, ws);
  return ws;
}

async function serverTarget(variant: MicroParams['variant']): Promise<WebSocket> {
  lastServerSocket = undefined;
  let port: number;
  if (variant === 'raw') {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    wss.on('connection', (ws) => ws.on('message', onRawMessage));
    await once(wss, 'listening');
    port = (wss.address() as AddressInfo).port;
  } else {
    const { serve } = rxwsServer();
    const server = serve({ host: '127.0.0.1', port: 0 });
    server.connections$.subscribe((c) => c.events$.subscribe(onRxwsEvent));
    port = (await server.listening).port;
  }
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  await once(client, 'open');
  // The server has accepted once the client is open; give its connection handlers a turn.
  await new Promise((resolve) => setImmediate(resolve));
  if (!lastServerSocket) throw new Error('micro: no server-side ws socket was captured');
  return lastServerSocket;
}

function injectAll(ws: WebSocket, data: Buffer, binary: boolean, n: number): void {
  for (let i = 0; i < n; i++) ws.emit('message', data, binary);
}

/** Nanoseconds and heap bytes per message; a window with a garbage collection in it is retried smaller. */
export async function micro(params: MicroParams): Promise<{ nsPerMsg: number; bytesPerMsg: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('micro: start the host with --expose-gc');
  const ws = await target(params.path, params.variant);
  const payload = makePayload(params.size, true) as Buffer;
  if (!params.binary) payload.fill(0x78);
  injectAll(ws, payload, params.binary, Math.min(20_000, params.messages)); // warm-up: JIT-compile the path
  let n = params.messages;
  for (let attempt = 0; attempt < 4; attempt++, n = Math.floor(n / 2)) {
    gc();
    gc();
    await new Promise((resolve) => setTimeout(resolve, 5));
    gcStarts = [];
    const heapBefore = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    injectAll(ws, payload, params.binary, n);
    const t1 = performance.now();
    const heapAfter = process.memoryUsage().heapUsed;
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (gcStarts.some((t) => t >= t0 && t <= t1)) continue;
    // Heap bytes are whole objects: round off the few bytes that measuring itself leaves.
    return { nsPerMsg: ((t1 - t0) * 1e6) / n, bytesPerMsg: Math.round((heapAfter - heapBefore) / n) };
  }
  throw new Error('micro: every measured window had a garbage collection in it (run the host with a large --min-semi-space-size)');
}

/** Keeps the consumed total observable so the listeners' work cannot be optimised away. */
export function consumedTotal(): number {
  return consumed;
}
