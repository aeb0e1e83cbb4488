// The client side of the history workloads, in the client host: raw `ws` subscribers speaking
// the channel frames of docs/protocol.md (the same clients for every server variant).
import WebSocket from 'ws';
import { nowMs } from '../lib/stats';

let fleet: WebSocket[] = [];
let delivered = 0;
let lastDeliveryMs = 0;
let subscribed = 0;

function onMessage(data: WebSocket.RawData): void {
  // A pub frame starts with {"k":"pub"; anything else (subok) is counted apart.
  const text = data.toString();
  if (text.startsWith('{"k":"pub"')) {
    delivered++;
    lastDeliveryMs = nowMs();
  } else if (text.startsWith('{"k":"subok"')) {
    subscribed++;
  }
}

/** Opens `clients` connections, each subscribing to `channel` (from `resume`, if given); resolves once all have subok. */
export async function openSubscribers(url: string, clients: number, parallel: number, channel: string, maxMs: number): Promise<{ clients: number }> {
  await closeSubscribers();
  const deadlineMs = nowMs() + maxMs;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < clients) {
      if (nowMs() > deadlineMs) throw new Error(`opened only ${next} of ${clients} subscribers within ${maxMs} ms`);
      next++;
      const ws = await openSubscriber(url);
      ws.send(JSON.stringify({ k: 'sub', id: 1, channel }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, clients) }, lane));
  while (subscribed < clients) {
    if (nowMs() > deadlineMs) throw new Error(`only ${subscribed} of ${clients} subscriptions were answered within ${maxMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return { clients: fleet.length };
}

/** Opens a raw ws subscriber of the fleet, its frames counted by `onMessage`. */
async function openSubscriber(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  fleet.push(ws);
  ws.on('message', onMessage);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

export function resetChannelDeliveries(): void {
  delivered = 0;
  lastDeliveryMs = 0;
}

/** Waits until `total` publications arrived; resolves with the time of the last one. */
export async function awaitChannelDeliveries(total: number, maxMs: number): Promise<{ lastDeliveryMs: number }> {
  const deadlineMs = nowMs() + maxMs;
  while (delivered < total) {
    if (nowMs() > deadlineMs) throw new Error(`only ${delivered} of ${total} publications arrived within ${maxMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return { lastDeliveryMs };
}

/** One client resumes `channel` from (epoch, 0) and counts the `expected` replayed publications; resolves with the rate. */
export async function replay(url: string, channel: string, epoch: string, expected: number, maxMs: number): Promise<{ msgsPerSec: number }> {
  await closeSubscribers();
  const ws = await openSubscriber(url);
  const startMs = nowMs();
  ws.send(JSON.stringify({ k: 'sub', id: 1, channel, resume: { epoch, offset: 0 } }));
  const { lastDeliveryMs: endMs } = await awaitChannelDeliveries(expected, maxMs);
  return { msgsPerSec: (expected * 1000) / (endMs - startMs) };
}

export async function closeSubscribers(): Promise<void> {
  const closing = fleet;
  fleet = [];
  delivered = 0;
  subscribed = 0;
  for (const ws of closing) {
    ws.removeAllListeners();
    ws.on('error', () => undefined);
    ws.terminate();
  }
}
