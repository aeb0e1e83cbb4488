// The server side of the history workloads, in the server host: channels() with no history, an
// in-memory history or Redis Streams, publishing to a channel the fleet subscribed to.
import type { HistoryStore } from 'rxws/server';
import { rxwsRedis, rxwsServer } from '../lib/rxws';
import { nowMs } from '../lib/stats';
import { makePayload } from './payload';

export type HistoryVariant = 'none' | 'memory' | 'redis';

interface ChannelApp {
  publish(body: unknown): void;
  publishStored(body: unknown): Promise<unknown>;
  close(): Promise<void>;
}

let app: ChannelApp | undefined;
export const CHANNEL = 'bench';

/** Starts serve() + channels() with the variant's history; `redisUrl` for 'redis'. */
export async function startChannelApp(variant: HistoryVariant, redisUrl: string, maxMessages: number): Promise<{ port: number }> {
  await stopChannelApp();
  const { serve, channels, memoryHistory } = rxwsServer();
  const server = serve({ host: '127.0.0.1', port: 0, maxConnections: 1_000_000 });
  server.connections$.subscribe(() => undefined);
  let history: HistoryStore | undefined;
  if (variant === 'memory') history = memoryHistory({ maxMessages, maxBytes: 1024 * 1024 * 1024 });
  else if (variant === 'redis') {
    const store = rxwsRedis().redisHistory({ url: redisUrl, maxMessages, prefix: `bench:${process.pid}:${Date.now()}:` });
    await store.ready;
    history = store;
  }
  const hub = channels(server, { history });
  const { port } = await server.listening;
  app = {
    publish: (body) => hub.publish(CHANNEL, body),
    publishStored: (body) => hub.publishStored(CHANNEL, body),
    close: async () => {
      hub.close();
      await server.close();
      await history?.close();
    },
  };
  return { port };
}

export async function stopChannelApp(): Promise<void> {
  const closing = app;
  app = undefined;
  await closing?.close();
}

/** Publishes `messages` bodies of `size` characters, `burst` per event-loop turn; resolves with the start time. */
export async function channelBroadcast(messages: number, burst: number, size: number): Promise<{ startMs: number }> {
  const current = app;
  if (!current) throw new Error('channelBroadcast: no channel app is running');
  const body = String(makePayload(size, false));
  const startMs = nowMs();
  for (let sent = 0; sent < messages; ) {
    for (let i = 0; i < burst && sent < messages; i++, sent++) current.publish(body);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { startMs };
}

/** Publishes `count` bodies into the history, `inFlight` at a time; resolves when all are stored. */
export async function fillHistory(count: number, size: number, inFlight: number): Promise<{ last: unknown }> {
  const current = app;
  if (!current) throw new Error('fillHistory: no channel app is running');
  const body = String(makePayload(size, false));
  let last: unknown;
  for (let n = 0; n < count; n += inFlight) {
    const batch = Array.from({ length: Math.min(inFlight, count - n) }, () => current.publishStored(body));
    last = (await Promise.all(batch)).at(-1);
  }
  return { last };
}
