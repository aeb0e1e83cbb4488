// The resume scenario of `npm run soak`: WebSocketClients (codec json, messaging) follow a channel
// with history and send numbered messages, through a fault proxy that resets, pauses, delays and
// refuses; the server publishes numbered publications all along. Counts, both ways: what was lost
// (not received and not told as a gap), what came twice, what came out of order. Goal: 0 / 0 / 0.
import { json, WebSocketClient } from 'rxws';
import { channels, memoryHistory, serve } from 'rxws/server';
import { startFaultProxy, type FaultProxy } from '../spec/helpers/fault-proxy';

/** What one client saw of the channel, and what it sent. */
class Follower {
  readonly client: WebSocketClient<unknown, unknown>;
  readonly got: number[] = [];
  /** Offsets told missed by a gap (not lost: the app was told). */
  toldMissed = 0;
  sent = 0;
  /** The offset when it first subscribed: it follows the publications after it. */
  start: number | undefined;

  constructor(readonly id: number, url: string) {
    this.client = new WebSocketClient<unknown, unknown>({
      url,
      codec: json(),
      messaging: true,
      queue: { maxMessages: 100_000 },
      reconnect: { minWaitMs: 10, maxWaitMs: 250 },
      keepAlive: { intervalMs: 400, timeoutMs: 400 },
      closeTimeoutMs: 200,
    });
    this.client.channelEvents<number>('feed').subscribe((e) => {
      if (e.type === 'publication') this.got.push(e.data);
      else if (e.type === 'subscribed') this.start ??= e.position?.offset ?? 0;
      else if (e.type === 'gap' && e.missed !== undefined) this.toldMissed += e.missed;
    });
    this.client.start();
  }

  sendOne(): void {
    if (this.client.send({ from: this.id, seq: this.sent })) this.sent++;
  }
}

const hold = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function fault(proxy: FaultProxy, kind: number): Promise<string> {
  switch (kind) {
    case 0:
      proxy.resetAll();
      return 'reset';
    case 1:
      proxy.pause(); // longer than the keep-alive timeout: a half-open network
      await hold(1200);
      proxy.resume();
      return 'pause';
    case 2:
      proxy.delay(30);
      await hold(800);
      proxy.delay(0);
      return 'delay';
    default:
      proxy.refuse();
      proxy.resetAll();
      await hold(400);
      proxy.acceptAgain();
      return 'refuse';
  }
}

/** Runs the scenario for `seconds` with `clientCount` clients; prints the counts; resolves true when all are 0. */
export async function resumeSoak(seconds: number, clientCount: number): Promise<boolean> {
  const server = serve({ port: 0, host: '127.0.0.1', codec: json(), messaging: true });
  const hub = channels(server, { history: memoryHistory({ maxMessages: 1_000_000, maxBytes: 256 * 1024 * 1024 }) });
  const received = new Map<number, number[]>();
  server.connections$.subscribe((c) =>
    c.messages$.subscribe((m) => {
      const { from, seq } = m.data as { from: number; seq: number };
      let list = received.get(from);
      if (list === undefined) received.set(from, (list = []));
      list.push(seq);
    }),
  );
  const proxy = await startFaultProxy((await server.listening).port);
  const followers = Array.from({ length: clientCount }, (_, id) => new Follower(id, proxy.url()));
  console.log(`\nresume: ${seconds} s, ${clientCount} clients on a channel with history, numbered messages both ways, faults every ~1.5 s`);

  let published = 0;
  const traffic = setInterval(() => {
    for (let i = 0; i < 5; i++) hub.publish('feed', ++published);
    for (const f of followers) f.sendOne();
  }, 5);
  const faults: Record<string, number> = {};
  const endAt = Date.now() + seconds * 1000;
  while (Date.now() < endAt) {
    await hold(500 + Math.random() * 1500);
    const name = await fault(proxy, Math.floor(Math.random() * 4));
    faults[name] = (faults[name] ?? 0) + 1;
  }
  clearInterval(traffic);

  // Drain, bounded: every client open, every publication in, every message acknowledged.
  const drainEnd = Date.now() + 15_000;
  const sentTotal = (): number => followers.reduce((n, f) => n + f.sent, 0);
  const receivedTotal = (): number => [...received.values()].reduce((n, l) => n + new Set(l).size, 0);
  while (Date.now() < drainEnd) {
    const done = followers.every((f) => f.client.readyState === 1 && new Set(f.got).size + f.toldMissed >= published - (f.start ?? 0)) && receivedTotal() >= sentTotal();
    if (done) break;
    await hold(100);
  }

  let lost = 0;
  let duplicated = 0;
  let reordered = 0;
  let told = 0;
  for (const f of followers) {
    const seen = new Set(f.got);
    duplicated += f.got.length - seen.size;
    for (let i = 1; i < f.got.length; i++) if (f.got[i] < f.got[i - 1]) reordered++;
    told += f.toldMissed;
    lost += Math.max(0, published - (f.start ?? 0) - seen.size - f.toldMissed);
    const mine = received.get(f.id) ?? [];
    const distinct = new Set(mine);
    duplicated += mine.length - distinct.size;
    for (let i = 1; i < mine.length; i++) if (mine[i] < mine[i - 1]) reordered++;
    lost += f.sent - distinct.size;
  }
  console.log(`faults injected: ${Object.entries(faults).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`published: ${published} to each of ${clientCount} clients; sent by the clients: ${sentTotal()}, received by the server: ${receivedTotal()}`);
  console.log(`lost: ${lost}, duplicated: ${duplicated}, out of order: ${reordered} (told as gaps, not lost: ${told})`);
  for (const f of followers) f.client.stop();
  hub.close();
  await proxy.close();
  await server.close();
  const ok = lost === 0 && duplicated === 0 && reordered === 0;
  console.log(ok ? 'resume OK' : 'resume FAIL: messages lost, duplicated or reordered across reconnects');
  return ok;
}
