// The echo servers of the benchmark's other peers, run in the server host: rxws serve() (for
// rxws on both ends), socket.io (websocket transport only), and a plain TCP echo (the kernel's
// limit: no WebSocket framing) writing once per message or once per event-loop turn. Each is
// started once and kept for the run, as the raw ws echo server is.
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { rxwsServer } from '../lib/rxws';
import { startEcho } from './servers';

export type EchoPeer = 'ws' | 'rxws' | 'socketio' | 'net' | 'net-corked';

const started = new Map<EchoPeer, Promise<{ port: number }>>();

/** Starts (once) the echo server of `peer`; resolves with its port. */
export function startEchoPeer(peer: EchoPeer): Promise<{ port: number }> {
  let server = started.get(peer);
  if (server === undefined) {
    server = startPeer(peer);
    started.set(peer, server);
  }
  return server;
}

function startPeer(peer: EchoPeer): Promise<{ port: number }> {
  switch (peer) {
    case 'ws':
      return startEcho();
    case 'rxws':
      return startRxwsEcho();
    case 'socketio':
      return startSocketIoEcho();
    case 'net':
      return startNetEcho(false);
    case 'net-corked':
      return startNetEcho(true);
    default:
      throw new Error(`unknown echo peer '${String(peer)}'`);
  }
}

/** rxws serve(): each message is sent back as it came (text or bytes), with the defaults. */
async function startRxwsEcho(): Promise<{ port: number }> {
  const { serve } = rxwsServer();
  const server = serve({ host: '127.0.0.1', port: 0 });
  server.connections$.subscribe((conn) => conn.messages$.subscribe((m) => conn.send(m.data)));
  return { port: (await server.listening).port };
}

/** A socket.io server on its own port (websocket transport only, no compression). */
export interface SocketIoApp {
  readonly port: number;
  /** Emits `event` to every client (socket.io's broadcast). */
  emit(event: string, data: unknown): void;
  close(): Promise<void>;
}

/** The path and the first message of a raw WebSocket client of a socket.io server (Engine.IO 4, namespace '/'). */
export const SOCKET_IO_WS_PATH = '/socket.io/?EIO=4&transport=websocket';
export const SOCKET_IO_CONNECT = '40';

export async function socketIoServer(onConnection: (socket: import('socket.io').Socket) => void): Promise<SocketIoApp> {
  const { Server } = await import('socket.io');
  const io = new Server({ transports: ['websocket'], serveClient: false, perMessageDeflate: false });
  io.on('connection', onConnection);
  const httpServer = http.createServer();
  io.attach(httpServer);
  httpServer.listen(0, '127.0.0.1');
  await once(httpServer, 'listening');
  return {
    port: (httpServer.address() as AddressInfo).port,
    emit: (event, data) => void io.emit(event, data),
    close: () => new Promise<void>((resolve) => io.close(() => resolve())),
  };
}

async function startSocketIoEcho(): Promise<{ port: number }> {
  const { port } = await socketIoServer((socket) => {
    socket.on('echo', (data: unknown) => socket.emit('echo', data));
  });
  return { port };
}

/**
 * A TCP echo of fixed-size messages (the client's first 4 bytes give the size): each message is
 * written back on its own, or, `corked`, the messages of one read in one write.
 */
async function startNetEcho(corked: boolean): Promise<{ port: number }> {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    let size = 0;
    let held: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      held = held.length === 0 ? chunk : Buffer.concat([held, chunk]);
      if (size === 0) {
        if (held.length < 4) return;
        size = held.readUInt32BE(0);
        held = held.subarray(4);
      }
      if (corked) socket.cork();
      let at = 0;
      for (; at + size <= held.length; at += size) socket.write(held.subarray(at, at + size));
      if (corked) socket.uncork();
      held = held.subarray(at);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port };
}
