// The npm peers `ws` and `faye-websocket`, behind one small interface so the same interop
// scenarios run against both: an echo server with in-band commands (as peers/ws_server.py),
// and a client.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

/** The parts of faye-websocket these tests use (the package ships no types). */
interface FayeMessageEvent {
  data: string | Buffer;
}
interface FayeCloseEvent {
  code: number;
  reason: string;
}
interface FayeSocket {
  protocol: string;
  readyState: number;
  send(data: string | Buffer): boolean;
  ping(message: string, callback: () => void): boolean;
  close(code?: number, reason?: string): void;
  on(event: 'open', listener: () => void): void;
  on(event: 'message', listener: (e: FayeMessageEvent) => void): void;
  on(event: 'close', listener: (e: FayeCloseEvent) => void): void;
  on(event: 'error', listener: (e: { message: string }) => void): void;
}
interface FayeModule {
  new (request: http.IncomingMessage, socket: Socket, body: Buffer, protocols?: string[], options?: { maxLength?: number }): FayeSocket;
  isWebSocket(request: http.IncomingMessage): boolean;
  Client: new (url: string, protocols?: string[], options?: { maxLength?: number }) => FayeSocket;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Faye = require('faye-websocket') as FayeModule;

export type PeerName = 'ws' | 'faye-websocket';

/** What a server-side connection reports, tagged with the request path so tests tell connections apart. */
export interface PeerRecord {
  path: string;
  event: 'connection' | 'closed' | 'binary';
  protocol?: string;
  code?: number;
  reason?: string;
  length?: number;
  sha256?: string;
}

/** One server-side connection of a peer, whatever the library. */
interface PeerConnection {
  protocol: string;
  send(data: string | Buffer): void;
  close(code: number, reason: string): void;
  /** Pings, and calls back when the pong arrives. */
  ping(payload: string, onPong: () => void): void;
}

/** Echoes messages; runs "cmd:close CODE REASON", "cmd:ping PAYLOAD" and "cmd:info" like the Python peer. */
function serveEcho(conn: PeerConnection, message: string | Buffer): void {
  if (typeof message !== 'string' || !message.startsWith('cmd:')) {
    conn.send(message);
    return;
  }
  const [name, ...rest] = message.slice(4).split(' ');
  const argument = rest.join(' ');
  if (name === 'close') conn.close(Number(rest[0]), rest.slice(1).join(' '));
  else if (name === 'ping') conn.ping(argument, () => conn.send(`pong:${argument}`));
  else if (name === 'info') conn.send(JSON.stringify({ subprotocol: conn.protocol }));
  else conn.send(`error:unknown command ${name}`);
}

/** A peer echo server on 127.0.0.1 and a free port. */
export interface PeerServer {
  readonly name: PeerName;
  readonly url: string;
  /** Resolves with the record of `path` once it is reported. */
  record(path: string, event: PeerRecord['event']): Promise<PeerRecord>;
  close(): Promise<void>;
}

/** Collects PeerRecords and lets a test await the one it needs. */
export function recorder(): { add(r: PeerRecord): void; find(path: string, event: PeerRecord['event']): Promise<PeerRecord> } {
  const records: PeerRecord[] = [];
  const waiters = new Set<() => void>();
  return {
    add(r) {
      records.push(r);
      for (const wake of waiters) wake();
    },
    find(path, event) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = records.find((r) => r.path === path && r.event === event);
          if (found) {
            done();
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`the peer server reported no '${event}' for ${path} within 10 s`));
        }, 10_000);
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

export interface PeerServerOptions {
  protocols: string[];
  maxPayload: number;
  /** ws only: accept permessage-deflate (faye-websocket needs an extra package for it). Default off. */
  perMessageDeflate?: boolean;
}

export async function startPeerServer(name: PeerName, options: PeerServerOptions): Promise<PeerServer> {
  const log = recorder();
  const http1 = http.createServer((_req, res) => res.writeHead(426).end());
  const sockets = new Set<Socket>();
  http1.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const accept = (path: string, conn: PeerConnection, onMessage: (listener: (m: string | Buffer) => void) => void): void => {
    log.add({ path, event: 'connection', protocol: conn.protocol });
    onMessage((m) => serveEcho(conn, m));
  };
  if (name === 'ws') {
    const wss = new WebSocketServer({
      server: http1,
      maxPayload: options.maxPayload,
      perMessageDeflate: options.perMessageDeflate ?? false,
      handleProtocols: (offered) => options.protocols.find((p) => offered.has(p)) ?? false,
    });
    wss.on('connection', (ws, req) => {
      const path = req.url ?? '';
      ws.on('close', (code, reason) => log.add({ path, event: 'closed', code, reason: reason.toString() }));
      accept(path, {
        protocol: ws.protocol,
        send: (data) => ws.send(data),
        close: (code, reason) => ws.close(code, reason),
        ping: (payload, onPong) => {
          ws.once('pong', onPong);
          ws.ping(payload);
        },
      }, (listener) => ws.on('message', (data: Buffer, isBinary) => listener(isBinary ? data : data.toString())));
    });
  } else {
    http1.on('upgrade', (req: http.IncomingMessage, socket: Socket, body: Buffer) => {
      if (!Faye.isWebSocket(req)) return socket.destroy();
      const path = req.url ?? '';
      const ws = new Faye(req, socket, body, options.protocols, { maxLength: options.maxPayload });
      ws.on('open', () => {
        ws.on('close', (e) => log.add({ path, event: 'closed', code: e.code, reason: e.reason }));
        accept(path, {
          protocol: ws.protocol,
          send: (data) => ws.send(data),
          close: (code, reason) => ws.close(code, reason),
          ping: (payload, onPong) => ws.ping(payload, onPong),
        }, (listener) => ws.on('message', (e) => listener(e.data)));
      });
    });
  }
  http1.listen(0, '127.0.0.1');
  await once(http1, 'listening');
  const { port } = http1.address() as AddressInfo;
  return {
    name,
    url: `ws://127.0.0.1:${port}`,
    record: log.find,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => http1.close(resolve));
    },
  };
}

/** A peer client connection, as events a test can await. */
export interface PeerClient {
  readonly protocol: string;
  /** The negotiated extensions header value ('' if none). */
  readonly extensions: string;
  send(data: string | Buffer): void;
  close(code: number, reason: string): void;
  ping(payload: string): Promise<void>;
  /** The next message: text as a string, binary as a Buffer. */
  nextMessage(): Promise<string | Buffer>;
  /** The close code and reason the peer was sent (or 1006). */
  readonly closed: Promise<{ code: number; reason: string }>;
  terminate(): void;
}

function queueOf<T>(): { push(v: T): void; next(what: string): Promise<T> } {
  const items: T[] = [];
  const waiters: Array<(v: T) => void> = [];
  return {
    push: (v) => (waiters.length ? waiters.shift()!(v) : items.push(v)),
    next: (what) =>
      items.length
        ? Promise.resolve(items.shift()!)
        : new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no ${what} within 10 s`)), 10_000);
            waiters.push((v) => {
              clearTimeout(timer);
              resolve(v);
            });
          }),
  };
}

/** Opens a peer client connection and waits for it to be open; rejects with the peer's own error. */
export async function openPeerClient(
  name: PeerName,
  url: string,
  protocols: string[],
  maxPayload: number,
  perMessageDeflate = false,
): Promise<PeerClient> {
  const messages = queueOf<string | Buffer>();
  if (name === 'ws') {
    const ws = new WebSocket(url, protocols, { maxPayload, perMessageDeflate });
    ws.on('message', (data: Buffer, isBinary) => messages.push(isBinary ? data : data.toString()));
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.on('error', () => undefined);
    return {
      protocol: ws.protocol,
      extensions: ws.extensions,
      send: (data) => ws.send(data),
      close: (code, reason) => ws.close(code, reason),
      ping: (payload) => new Promise((resolve) => {
        ws.once('pong', () => resolve());
        ws.ping(payload);
      }),
      nextMessage: () => messages.next('message from the rxws server'),
      closed,
      terminate: () => ws.terminate(),
    };
  }
  const ws = new Faye.Client(url, protocols, { maxLength: maxPayload });
  ws.on('message', (e) => messages.push(e.data));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (e) => resolve({ code: e.code, reason: e.reason })));
  await new Promise<void>((resolve, reject) => {
    ws.on('open', resolve);
    ws.on('error', (e) => reject(new Error(`faye-websocket: ${e.message}`)));
    void closed.then((e) => reject(new Error(`faye-websocket closed before open: ${e.code} ${e.reason}`)));
  });
  return {
    protocol: ws.protocol,
    extensions: '',
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
    ping: (payload) => new Promise((resolve) => ws.ping(payload, resolve)),
    nextMessage: () => messages.next('message from the rxws server'),
    closed,
    terminate: () => ws.close(),
  };
}
