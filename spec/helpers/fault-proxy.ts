// A loopback TCP proxy for fault injection: it forwards bytes between a client and a target
// port, and on demand pauses them (half-open network), drops them (black hole), delays them,
// cuts a connection after so many bytes (mid-frame, mid-TLS-handshake) or resets everything.
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';

export type Direction = 'toServer' | 'toClient';

interface Pipe {
  client: net.Socket;
  server: net.Socket;
  /** Bytes each direction may still forward before the cut (Infinity: no cut). */
  budget: Record<Direction, number>;
  /** Chunks held back by `delay`, in order. */
  delayed: Record<Direction, Array<{ at: number; data: Buffer; thenCut: boolean }>>;
  timers: Record<Direction, NodeJS.Timeout | undefined>;
}

export interface FaultProxy {
  readonly port: number;
  /** `ws://127.0.0.1:<port><path>` (or `wss:` with `secure`). */
  url(path?: string, secure?: boolean): string;
  /** Connections currently open through the proxy. */
  readonly openConnections: number;
  /** Connections accepted so far. */
  readonly acceptedConnections: number;
  /** Resolves when the proxy has accepted `n` connections in all. */
  accepted(n: number): Promise<void>;
  /** Stops reading in both directions: bytes wait (TCP backpressure) until `resume()`. */
  pause(): void;
  resume(): void;
  /** Reads and discards everything in both directions until `stopDropping()`. */
  drop(): void;
  stopDropping(): void;
  /** Forwards each chunk after `ms` (0 = at once), keeping order. */
  delay(ms: number): void;
  /** After `bytes` more bytes in `direction` (on open and new connections), cut the connection. */
  cutAfter(bytes: number, direction: Direction, how?: 'reset' | 'close'): void;
  /** Cancels `cutAfter` for open and new connections. */
  clearCut(): void;
  /** New connections are closed at once (the target looks down) until `acceptAgain()`. */
  refuse(): void;
  acceptAgain(): void;
  /** Resets (RST) every open connection. */
  resetAll(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<FaultProxy> {
  const pipes = new Set<Pipe>();
  let paused = false;
  let dropping = false;
  let delayMs = 0;
  let cut: { bytes: number; direction: Direction; how: 'reset' | 'close' } | undefined;
  let refusing = false;
  let accepted = 0;
  const acceptWaiters: Array<{ n: number; resolve: () => void }> = [];

  const kill = (pipe: Pipe, how: 'reset' | 'close'): void => {
    for (const s of [pipe.client, pipe.server]) {
      if (how === 'reset' && !s.destroyed && s.readyState !== 'opening') s.resetAndDestroy();
      else s.destroy();
    }
  };

  const write = (pipe: Pipe, direction: Direction, data: Buffer, thenCut: boolean): void => {
    const to = direction === 'toServer' ? pipe.server : pipe.client;
    if (to.destroyed) return;
    const how = cut?.how ?? 'reset';
    if (!thenCut) to.write(data);
    else if (data.length) to.write(data, () => kill(pipe, how));
    else kill(pipe, how);
  };

  // Delayed chunks wait in a FIFO per direction, so turning the delay off never reorders bytes.
  const drain = (pipe: Pipe, direction: Direction): void => {
    const queue = pipe.delayed[direction];
    while (queue.length && queue[0].at <= Date.now()) {
      const item = queue.shift()!;
      write(pipe, direction, item.data, item.thenCut);
    }
    pipe.timers[direction] = queue.length ? setTimeout(() => drain(pipe, direction), queue[0].at - Date.now()) : undefined;
  };

  const forward = (pipe: Pipe, direction: Direction, chunk: Buffer): void => {
    if (dropping) return;
    let data = chunk;
    let thenCut = false;
    const budget = pipe.budget[direction];
    if (data.length >= budget) {
      data = chunk.subarray(0, budget);
      pipe.budget[direction] = 0;
      thenCut = true;
    } else if (budget !== Infinity) {
      pipe.budget[direction] -= data.length;
    }
    const queue = pipe.delayed[direction];
    if (delayMs === 0 && queue.length === 0) return write(pipe, direction, data, thenCut);
    queue.push({ at: Date.now() + delayMs, data, thenCut });
    if (pipe.timers[direction] === undefined) pipe.timers[direction] = setTimeout(() => drain(pipe, direction), delayMs);
  };

  const server = net.createServer((client) => {
    client.on('error', () => undefined);
    if (refusing) {
      client.destroy();
      return;
    }
    accepted++;
    for (const w of acceptWaiters.filter((x) => accepted >= x.n)) {
      acceptWaiters.splice(acceptWaiters.indexOf(w), 1);
      w.resolve();
    }
    const upstream = net.connect({ port: targetPort, host: targetHost });
    upstream.on('error', () => undefined);
    const budget = { toServer: Infinity, toClient: Infinity };
    if (cut) budget[cut.direction] = cut.bytes;
    const pipe: Pipe = {
      client,
      server: upstream,
      budget,
      delayed: { toServer: [], toClient: [] },
      timers: { toServer: undefined, toClient: undefined },
    };
    pipes.add(pipe);
    client.on('data', (chunk: Buffer) => forward(pipe, 'toServer', chunk));
    upstream.on('data', (chunk: Buffer) => forward(pipe, 'toClient', chunk));
    // An orderly end is passed on; an error or close tears down the other side.
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    const done = (): void => {
      if (!pipes.delete(pipe)) return;
      clearTimeout(pipe.timers.toServer);
      clearTimeout(pipe.timers.toClient);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', done);
    upstream.on('close', done);
    if (paused) {
      client.pause();
      upstream.pause();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    port,
    url: (path = '/', secure = false) => `${secure ? 'wss' : 'ws'}://127.0.0.1:${port}${path}`,
    get openConnections() {
      return pipes.size;
    },
    get acceptedConnections() {
      return accepted;
    },
    accepted: (n) => (accepted >= n ? Promise.resolve() : new Promise((resolve) => acceptWaiters.push({ n, resolve }))),
    pause() {
      paused = true;
      for (const p of pipes) {
        p.client.pause();
        p.server.pause();
      }
    },
    resume() {
      paused = false;
      for (const p of pipes) {
        p.client.resume();
        p.server.resume();
      }
    },
    drop: () => void (dropping = true),
    stopDropping: () => void (dropping = false),
    delay: (ms) => void (delayMs = ms),
    cutAfter(bytes, direction, how = 'reset') {
      cut = { bytes, direction, how };
      for (const p of pipes) p.budget[direction] = bytes;
    },
    clearCut() {
      cut = undefined;
      for (const p of pipes) p.budget = { toServer: Infinity, toClient: Infinity };
    },
    refuse: () => void (refusing = true),
    acceptAgain: () => void (refusing = false),
    resetAll() {
      for (const p of [...pipes]) kill(p, 'reset');
    },
    async close() {
      for (const p of [...pipes]) kill(p, 'close');
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
