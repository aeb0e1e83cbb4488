// A fleet of identical raw `ws` clients, for the server-side workloads (broadcast, idle
// memory, handshakes against the server): the clients stay the same, only the server changes.
import WebSocket from 'ws';
import { nowMs } from '../lib/stats';

export interface FleetParams {
  url: string;
  /** A first message each client sends once open (socket.io's namespace connect). */
  hello?: string;
  clients: number;
  /** Handshakes in progress at once while the fleet opens. */
  parallel: number;
  maxMs: number;
}

let fleet: WebSocket[] = [];
let delivered = 0;
let lastDeliveryMs = 0;

function onMessage(): void {
  delivered++;
  lastDeliveryMs = nowMs();
}

function openOne(url: string, timeoutMs: number, hello: string | undefined): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
    ws.on('error', (err) => reject(err));
    ws.on('message', onMessage);
    ws.once('open', () => {
      if (hello !== undefined) ws.send(hello);
      resolve(ws);
    });
    fleet.push(ws);
  });
}

/** Opens the fleet; resolves with how long opening took. */
export async function openFleet(params: FleetParams): Promise<{ clients: number; openMs: number }> {
  await closeFleet();
  const startMs = nowMs();
  const deadlineMs = startMs + params.maxMs;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < params.clients) {
      if (nowMs() > deadlineMs) throw new Error(`opened only ${next} of ${params.clients} clients within ${params.maxMs} ms`);
      next++;
      await openOne(params.url, params.maxMs, params.hello);
    }
  };
  await Promise.all(Array.from({ length: Math.min(params.parallel, params.clients) }, lane));
  return { clients: fleet.length, openMs: nowMs() - startMs };
}

/** Zeroes the delivery count (call before the server starts sending). */
export function resetDeliveries(): void {
  delivered = 0;
  lastDeliveryMs = 0;
}

/** Waits until the fleet received `total` messages; resolves with the time of the last one. */
export async function awaitDeliveries(total: number, maxMs: number): Promise<{ delivered: number; lastDeliveryMs: number }> {
  const deadlineMs = nowMs() + maxMs;
  while (delivered < total) {
    if (nowMs() > deadlineMs) throw new Error(`only ${delivered} of ${total} messages arrived within ${maxMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return { delivered, lastDeliveryMs };
}

/** Closes every client of the fleet at once (no closing handshake). */
export async function closeFleet(): Promise<void> {
  const closing = fleet;
  fleet = [];
  for (const ws of closing) {
    ws.removeAllListeners();
    ws.on('error', () => undefined);
    ws.terminate();
  }
}
