// An rxws server in its own process, so a test can measure what hostile clients cost it
// (RSS and Buffer memory), driven over IPC by spec/hostile/server-process.ts.
import type { Socket } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { serve, staticFiles, type HttpHandler, type ServeOptions, type ServerConnection } from 'rxws/server';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

/** What the test asks of the child. */
export type ChildRequest = { id: number; op: 'memory' | 'state' | 'subscribe' | 'close' };

/** Memory after full collections, in bytes. */
export interface ChildMemory {
  rss: number;
  arrayBuffers: number;
  /** The highest RSS the process has had so far. */
  maxRss: number;
}

/** What the server holds. */
export interface ChildState {
  connections: number;
  /** Connections whose socket stopped reading. */
  paused: number;
  /** Plain HTTP requests answered. */
  requests: number;
  /** Bytes read from all connections' sockets. */
  bytesRead: number;
  /** Messages delivered to subscribers (after `subscribe`). */
  messages: number;
  messageBytes: number;
}

/** What the child reports: answers, and `listening` once. */
export type ChildReport = { id: number; value: ChildMemory | ChildState | null } | { event: 'listening'; port: number };

/** How the test configures the child (JSON in HOSTILE_SERVER). */
export interface ChildConfig {
  options: Omit<ServeOptions, 'onRequest' | 'authorize' | 'protocols' | 'adapter' | 'tls'>;
  /** Serve this directory with staticFiles. */
  staticRoot?: string;
  /** Answer every request 200 with the body size. */
  bodySize?: boolean;
}

const config = JSON.parse(process.env.HOSTILE_SERVER ?? '{}') as ChildConfig;
let requests = 0;
const bodySize: HttpHandler = (req) => {
  requests++;
  return { status: 200, body: String(req.body.byteLength) };
};
const onRequest = config.staticRoot !== undefined ? staticFiles(config.staticRoot) : config.bodySize === true ? bodySize : undefined;
const server = serve({ host: '127.0.0.1', port: 0, ...config.options, onRequest });
const connections = new Set<ServerConnection>();
let messages = 0;
let messageBytes = 0;
server.connections$.subscribe((c) => connections.add(c));

function memory(): ChildMemory {
  for (let i = 0; i < 3; i++) collectGarbage();
  const { rss, arrayBuffers } = process.memoryUsage();
  return { rss, arrayBuffers, maxRss: process.resourceUsage().maxRSS * 1024 };
}

function state(): ChildState {
  let paused = 0;
  let bytesRead = 0;
  for (const c of connections) {
    // ws's isPaused is the server's own pause (socket.isPaused() also shows ws's short back-pressure pauses).
    if (c.ws.isPaused) paused++;
    bytesRead += (c.stream as Socket).bytesRead;
  }
  return { connections: server.clients.size, requests, paused, bytesRead, messages, messageBytes };
}

const send = (report: ChildReport): void => {
  process.send?.(report);
};

process.on('message', (request: ChildRequest) => {
  switch (request.op) {
    case 'memory':
      return send({ id: request.id, value: memory() });
    case 'state':
      return send({ id: request.id, value: state() });
    case 'subscribe':
      for (const c of connections) {
        c.messages$.subscribe((m) => {
          messages++;
          messageBytes += m.wireSize;
        });
      }
      return send({ id: request.id, value: null });
    case 'close':
      void server.close().then(() => {
        send({ id: request.id, value: null });
        process.disconnect();
      });
  }
});

void server.listening.then(({ port }) => send({ event: 'listening', port }));
