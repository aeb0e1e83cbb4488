// Requests and streamed replies, both sides: rxws `WebSocketClient.request()` against a
// `serve()` with handlers, and socket.io's `emitWithAck` (websocket transport only) against a
// socket.io server doing the same work. The streamed reply: rxws's Observable handler of 1000
// values; socket.io emits 1000 events, then acknowledges.
import { once } from 'node:events';
import type { Server as SocketIoServer } from 'socket.io';
import { rxwsClient, rxwsServer } from '../lib/rxws';
import { nowMs } from '../lib/stats';

export type RequestVariant = 'rxws' | 'socketio';

export interface RequestParams {
  variant: RequestVariant;
  url: string;
  /** 'echo': the body comes back as the reply; 'stream': a reply of `streamValues` values. */
  mode: 'echo' | 'stream';
  /** Requests to complete (the run stops earlier at `maxMs`). */
  count: number;
  inFlight: number;
  streamValues: number;
  maxMs: number;
}

export interface RequestResult {
  requestsPerSec: number;
  valuesPerSec: number;
  requests: number;
}

const BODY = { n: 0, text: 'sixteen bytes..!' };

let app: { port: number; close(): Promise<void> } | undefined;

/** Starts the request server of `variant` (rxws serve() with handlers, or socket.io). */
export async function startRequestServer(variant: RequestVariant): Promise<{ port: number }> {
  await stopRequestServer();
  if (variant === 'rxws') {
    const { serve } = rxwsServer();
    const { json } = rxwsClient();
    const { range } = await import('rxjs');
    const server = serve({ host: '127.0.0.1', port: 0, codec: json(), messaging: { handlers: { echo: (b) => b, stream: (n) => range(0, n as number) } } });
    const { port } = await server.listening;
    app = { port, close: () => server.close() };
  } else {
    const { Server } = await import('socket.io');
    const io: SocketIoServer = new Server({ transports: ['websocket'], serveClient: false });
    io.on('connection', (socket) => {
      socket.on('echo', (body: unknown, ack: (reply: unknown) => void) => ack(body));
      socket.on('stream', (n: number, ack: (reply: unknown) => void) => {
        for (let i = 0; i < n; i++) socket.emit('value', i);
        ack('done');
      });
    });
    const httpServer = (await import('node:http')).createServer();
    io.attach(httpServer);
    httpServer.listen(0, '127.0.0.1');
    await once(httpServer, 'listening');
    const address = httpServer.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    app = { port, close: () => new Promise<void>((resolve) => io.close(() => resolve())) };
  }
  return { port: app.port };
}

export async function stopRequestServer(): Promise<void> {
  const current = app;
  app = undefined;
  await current?.close();
}

/** Keeps `inFlight` requests going until `count` are done or `maxMs` has passed. */
async function drive(params: RequestParams, one: () => Promise<number>): Promise<RequestResult> {
  const deadline = nowMs() + params.maxMs;
  const start = nowMs();
  let started = 0;
  let done = 0;
  let values = 0;
  const lane = async (): Promise<void> => {
    while (started < params.count && nowMs() < deadline) {
      started++;
      values += await one();
      done++;
    }
  };
  await Promise.all(Array.from({ length: params.inFlight }, lane));
  const seconds = (nowMs() - start) / 1000;
  return { requestsPerSec: done / seconds, valuesPerSec: values / seconds, requests: done };
}

/** Client side through rxws: one WebSocketClient, `request()` per request. */
export async function requestsRxws(params: RequestParams): Promise<RequestResult> {
  const { WebSocketClient, json } = rxwsClient();
  const { firstValueFrom, filter, lastValueFrom, count } = await import('rxjs');
  const client = new WebSocketClient({ url: params.url, codec: json(), messaging: { maxInFlight: params.inFlight }, reconnect: false });
  const opened = firstValueFrom(client.events$.pipe(filter((e) => e.type === 'open')));
  client.start();
  await opened;
  try {
    const one = params.mode === 'echo'
      ? () => lastValueFrom(client.request('echo', BODY)).then(() => 1)
      : () => lastValueFrom(client.request('stream', params.streamValues).pipe(count()));
    return await drive(params, one);
  } finally {
    client.stop();
  }
}

/** Client side through socket.io-client, websocket transport only: `emitWithAck` per request. */
export async function requestsSocketIo(params: RequestParams): Promise<RequestResult> {
  const { io } = await import('socket.io-client');
  const socket = io(params.url, { transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => socket.once('connect', () => resolve()).once('connect_error', reject));
  let received = 0;
  socket.on('value', () => received++);
  try {
    const one = params.mode === 'echo'
      ? () => socket.emitWithAck('echo', BODY).then(() => 1)
      : async () => {
          const before = received;
          await socket.emitWithAck('stream', params.streamValues);
          // Events and the ack travel in order on one connection: every value has come.
          return received - before;
        };
    return await drive(params, one);
  } finally {
    socket.close();
  }
}
