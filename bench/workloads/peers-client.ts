// The other peers of the benchmark, client side: socket.io (websocket transport only) and the
// kernel's limit, a plain `net.Socket` echo without WebSocket framing, writing once per message
// or once per event-loop turn (corked). They run the same EchoRun bookkeeping as rxws and ws.
import net from 'node:net';
import type { Socket as SocketIoClient } from 'socket.io-client';
import { EchoRun, type EchoParams, type EchoResult } from './echo-run';
import { runHandshakes, type HandshakeParams, type HandshakeResult } from './handshakes';
import { makePayload } from './payload';

/** socket.io-client against a socket.io server that emits each `echo` event back. */
export async function echoSocketIo(params: EchoParams): Promise<EchoResult> {
  const { io } = await import('socket.io-client');
  const payload = makePayload(params.size, params.binary);
  const run = new EchoRun(params);
  const sockets: SocketIoClient[] = [];
  let open = 0;
  for (let i = 0; i < params.connections; i++) {
    const socket = io(params.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(socket);
    socket.on('echo', (data: string | Uint8Array | ArrayBuffer) => {
      if (run.reply(typeof data === 'string' ? data.length : data.byteLength)) socket.emit('echo', payload);
    });
    socket.once('connect', () => {
      if (++open === params.connections) {
        const first = run.start();
        for (const s of sockets) for (let j = 0; j < first && run.take(); j++) s.emit('echo', payload);
      }
    });
    socket.on('connect_error', (err) => run.fail(err));
    socket.on('disconnect', (reason) => run.fail(new Error(`socket.io disconnected during the run: ${reason}`)));
  }
  try {
    return await run.done;
  } finally {
    for (const s of sockets) {
      s.removeAllListeners('disconnect');
      s.close();
    }
  }
}

/**
 * The kernel's limit: fixed-size messages on a TCP socket (the first 4 bytes tell the server
 * the size). `corked`: the messages of one turn go out in one write, as rxws does.
 */
export async function echoNet(params: EchoParams & { corked: boolean }): Promise<EchoResult> {
  const { port, hostname } = new URL(params.url);
  const message = Buffer.from(makePayload(params.size, true) as Buffer);
  const run = new EchoRun(params);
  const socket = net.connect(Number(port), hostname);
  socket.setNoDelay(true);
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };
  const send = (): void => {
    if (params.corked && !corked) {
      corked = true;
      socket.cork();
      queueMicrotask(uncork);
    }
    socket.write(message);
  };
  let pending = 0;
  socket.on('data', (chunk: Buffer) => {
    pending += chunk.length;
    while (pending >= params.size) {
      pending -= params.size;
      if (run.reply(params.size)) send();
    }
  });
  socket.on('error', (err) => run.fail(err));
  socket.once('connect', () => {
    const size = Buffer.alloc(4);
    size.writeUInt32BE(params.size);
    socket.write(size);
    const first = run.start();
    for (let i = 0; i < first && run.take(); i++) send();
  });
  try {
    return await run.done;
  } finally {
    socket.destroy();
  }
}

function openCloseSocketIo(io: typeof import('socket.io-client').io, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: 10_000 });
    socket.once('connect', () => socket.close());
    socket.once('disconnect', () => resolve());
    socket.once('connect_error', reject);
  });
}

/** Handshakes (open, then close) with socket.io-client, `parallel` chains, as handshakes.ts does for rxws and ws. */
export async function handshakesSocketIo(params: HandshakeParams): Promise<HandshakeResult> {
  const { io } = await import('socket.io-client');
  return runHandshakes(params, (url) => openCloseSocketIo(io, url));
}
