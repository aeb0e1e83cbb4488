import { once } from 'node:events';
import net from 'node:net';
import WebSocket from 'ws';
import { serve, type ServeOptions, type ServerConnection, type WebSocketServer } from 'rxws/server';

/** A server on 127.0.0.1 and a free port, with its ws:// URL. */
export interface Started {
  server: WebSocketServer;
  port: number;
  url: string;
}

/** Servers and clients made by a test, closed by `closeAll()` in afterEach. */
const servers = new Set<WebSocketServer>();
const clients = new Set<WebSocket | net.Socket>();

export async function start(options: ServeOptions = {}): Promise<Started> {
  const server = serve({ host: '127.0.0.1', port: 0, ...options });
  servers.add(server);
  const { port } = await server.listening;
  return { server, port, url: `ws://127.0.0.1:${port}` };
}

/** A `ws` client, opened (rejects when the upgrade fails). */
export async function wsClient(url: string, protocols?: string[], options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, protocols, options);
  clients.add(ws);
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return ws;
}

/** Resolves with [code, reason] when `ws` closes. */
/** Messages a client receives, as strings (binary as hex). */
export function inbox(ws: WebSocket): string[] {
  const got: string[] = [];
  ws.on('message', (data: Buffer, isBinary: boolean) => got.push(isBinary ? `0x${data.toString('hex')}` : data.toString()));
  return got;
}

/** Resolves once `ws` has received `text`. */
export function received(ws: WebSocket, text: string): Promise<void> {
  return new Promise((resolve) => ws.on('message', (d: Buffer) => d.toString() === text && resolve()));
}

export async function closed(ws: WebSocket): Promise<[number, string]> {
  if (ws.readyState === WebSocket.CLOSED) throw new Error('already closed');
  const [code, reason] = (await once(ws, 'close')) as [number, Buffer];
  return [code, reason.toString()];
}

/** Sends raw bytes on a fresh TCP connection; resolves with everything received until the server closes. */
export async function rawExchange(port: number, data: string | Buffer): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  clients.add(socket);
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write(data);
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  await once(socket, 'close');
  return Buffer.concat(chunks).toString('latin1');
}

/** A raw TCP connection that has completed a WebSocket upgrade (for sending hand-made frames). */
export async function rawWebSocket(port: number): Promise<{ socket: net.Socket; received: () => Buffer }> {
  const socket = net.connect(port, '127.0.0.1');
  clients.add(socket);
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write(upgradeRequest());
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  while (!Buffer.concat(chunks).includes('\r\n\r\n')) await once(socket, 'data');
  return { socket, received: () => Buffer.concat(chunks) };
}

/** A valid upgrade request head, with header lines overridden or removed (value null). */
export function upgradeRequest(overrides: Record<string, string | null> = {}, requestLine = 'GET / HTTP/1.1'): string {
  const headers: Record<string, string | null> = {
    Host: '127.0.0.1',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
    ...overrides,
  };
  const lines = Object.entries(headers).filter(([, v]) => v !== null).map(([k, v]) => `${k}: ${v}`);
  return `${requestLine}\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/** A masked client frame (RFC 6455 §5.2) with payloads under 126 bytes. */
export function clientFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | payload.length]), mask, masked]);
}

/** The next connection the server accepts. */
export function nextConnection(server: WebSocketServer): Promise<ServerConnection> {
  return new Promise((resolve) => {
    const sub = server.connections$.subscribe((c) => {
      sub.unsubscribe();
      resolve(c);
    });
  });
}

export async function closeAll(): Promise<void> {
  for (const c of clients) {
    if (c instanceof WebSocket) c.terminate();
    else c.destroy();
  }
  clients.clear();
  await Promise.all([...servers].map((s) => s.close()));
  servers.clear();
}
