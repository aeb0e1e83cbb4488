// `npm run soak [-- --seconds N --clients N]`: mixed traffic from WebSocketClients (send queue,
// reconnect, keepAlive) to an rxws echo server through a fault proxy that resets, pauses
// (half-open), delays and refuses connections. Prints the counts of messages sent, received
// and lost, and exits 1 if a message rxws promises to deliver was lost, duplicated or reordered.
//
// The promise: a message sent while disconnected is queued and written on the next open; a
// message a dying connection never wrote goes back to the queue; every message written to a
// connection that stays up arrives once, in order; a message the connection died in the middle
// of writing is reported on undelivered$ (maybe sent). What the OS had taken when a connection
// died may be lost without a report (TCP does not tell): counted apart as "lost in flight".
// Then the resume scenario (bench/soak-resume.ts): channel history and messages sent once,
// where the goal is 0 lost and 0 duplicated both ways.
import { WebSocketClient, type UndeliveredMessage, type WebSocketEvent } from 'rxws';
import { serve, type ServerConnection } from 'rxws/server';
import { startFaultProxy, type FaultProxy } from '../spec/helpers/fault-proxy';
import { resumeSoak } from './soak-resume';

interface Args {
  seconds: number;
  clients: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { seconds: 120, clients: 8 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=');
    const value = Number(inline ?? argv[++i]);
    if ((flag !== '--seconds' && flag !== '--clients') || !(value > 0)) {
      console.error(`usage: npm run soak -- [--seconds N] [--clients N]  (got '${argv.slice(0, i + 1).join(' ')}')`);
      process.exit(2);
    }
    args[flag === '--seconds' ? 'seconds' : 'clients'] = value;
  }
  return args;
}

/** What one client sent, and over which connection each message went. */
class Sender {
  readonly client: WebSocketClient;
  seq = 0;
  refused = 0;
  queuedWhileDown = 0;
  /** Messages a dying connection never wrote, put back in the queue by the client. */
  requeued = 0;
  echoes = 0;
  /** Connection number (1, 2, …) each message was written to; 0 while still queued. */
  readonly connectionOf: number[] = [];
  readonly died = new Set<number>();
  /** Messages reported on undelivered$: maybe sent (cut short), or not sent (queue full). */
  readonly maybeSent = new Set<number>();
  readonly notSent = new Set<number>();
  private connection = 0;
  private readonly waiting: number[] = [];

  constructor(readonly id: number, url: string) {
    this.client = new WebSocketClient({
      url,
      queue: { maxMessages: 100_000 },
      reconnect: { minWaitMs: 10, maxWaitMs: 250 },
      keepAlive: { intervalMs: 400, timeoutMs: 400 },
      closeTimeoutMs: 200,
    });
    this.client.events$.subscribe((e) => this.onEvent(e));
    this.client.undelivered$.subscribe((u) => this.onUndelivered(u));
    this.client.start();
  }

  private onEvent(e: WebSocketEvent): void {
    if (e.type === 'open') {
      this.connection++;
      // The client flushed its queue into this connection just before emitting open.
      for (const seq of this.waiting.splice(0)) this.connectionOf[seq] = this.connection;
    } else if (e.type === 'close') {
      this.died.add(this.connection);
      // The client requeued what this connection never wrote before emitting close.
      this.requeued += this.client.queuedMessages - this.waiting.length;
    } else if (e.type === 'message') {
      this.echoes++;
    }
  }

  private onUndelivered(u: UndeliveredMessage): void {
    const [, seq] = tagOf(u.data as string | Uint8Array);
    (u.maybeSent ? this.maybeSent : this.notSent).add(seq);
  }

  /** Sends one message: text or binary, 0 B to 32 KiB, carrying (client id, sequence number). */
  sendOne(): void {
    const seq = this.seq;
    const size = Math.random() < 0.9 ? Math.floor(Math.random() * 256) : Math.floor(Math.random() * 32 * 1024);
    const queuedBefore = this.client.queuedMessages;
    let data: string | Uint8Array;
    if (seq % 2) {
      data = `${this.id}:${seq}:`.padEnd(size + 8, 'x');
    } else {
      const bytes = new Uint8Array(8 + size);
      new DataView(bytes.buffer).setUint32(0, this.id);
      new DataView(bytes.buffer).setUint32(4, seq);
      data = bytes;
    }
    if (!this.client.send(data)) {
      this.refused++;
      return;
    }
    this.seq++;
    if (this.client.queuedMessages > queuedBefore) {
      this.queuedWhileDown++;
      this.connectionOf[seq] = 0;
      this.waiting.push(seq);
    } else {
      this.connectionOf[seq] = this.connection;
    }
  }
}

/** Reads (client id, sequence number) back from a message. */
function tagOf(data: string | Uint8Array): [number, number] {
  if (typeof data === 'string') {
    const [id, seq] = data.split(':');
    return [Number(id), Number(seq)];
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return [view.getUint32(0), view.getUint32(4)];
}

/** The server side: echoes, and checks each client's sequence numbers arrive once and in order. */
class Receiver {
  readonly received = new Map<number, Set<number>>();
  readonly lastSeq = new Map<number, number>();
  duplicates = 0;
  reordered = 0;
  total = 0;

  accept(connection: ServerConnection): void {
    connection.messages$.subscribe((m) => {
      const [id, seq] = tagOf(m.data);
      const seen = this.received.get(id) ?? new Set<number>();
      this.received.set(id, seen);
      if (seen.has(seq)) this.duplicates++;
      if (seq < (this.lastSeq.get(id) ?? -1)) this.reordered++;
      seen.add(seq);
      this.lastSeq.set(id, seq);
      this.total++;
      connection.send(m.data);
    });
  }
}

const FAULTS = ['reset', 'pause', 'delay', 'refuse', 'server-close'] as const;
type Fault = (typeof FAULTS)[number];

async function injectFault(fault: Fault, proxy: FaultProxy, clients: ReadonlySet<ServerConnection>): Promise<void> {
  const hold = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  switch (fault) {
    case 'reset':
      proxy.resetAll();
      break;
    case 'pause': // longer than the keep-alive timeout: a half-open network
      proxy.pause();
      await hold(1200);
      proxy.resume();
      break;
    case 'delay':
      proxy.delay(30);
      await hold(1000);
      proxy.delay(0);
      break;
    case 'refuse':
      proxy.refuse();
      proxy.resetAll();
      await hold(500);
      proxy.acceptAgain();
      break;
    case 'server-close': {
      const all = [...clients];
      all[Math.floor(Math.random() * all.length)]?.close(1012, 'restarting');
      break;
    }
  }
}

async function main(): Promise<void> {
  const { seconds, clients: clientCount } = parseArgs(process.argv.slice(2));
  const server = serve({ port: 0, host: '127.0.0.1', maxConnections: clientCount * 4 });
  const receiver = new Receiver();
  server.connections$.subscribe((c) => receiver.accept(c));
  const proxy = await startFaultProxy((await server.listening).port);
  const senders = Array.from({ length: clientCount }, (_, id) => new Sender(id, proxy.url()));
  const faults: Record<Fault, number> = { reset: 0, pause: 0, delay: 0, refuse: 0, 'server-close': 0 };
  const endAt = Date.now() + seconds * 1000;
  console.log(`soak: ${seconds} s, ${clientCount} clients, faults every ~1.5 s: ${FAULTS.join(', ')}`);

  const traffic = setInterval(() => {
    for (const s of senders) for (let i = 0; i < 5; i++) s.sendOne();
  }, 5);
  let lastReport = Date.now();
  while (Date.now() < endAt) {
    await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 2000));
    const fault = FAULTS[Math.floor(Math.random() * FAULTS.length)];
    faults[fault]++;
    await injectFault(fault, proxy, server.clients);
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      console.log(`  ${Math.round((endAt - Date.now()) / 1000)} s left: sent ${senders.reduce((n, s) => n + s.seq, 0)}, received ${receiver.total}`);
    }
  }
  clearInterval(traffic);

  // Drain: no more faults; wait (bounded) until every client is open with an empty queue and
  // the server has stopped receiving.
  const drainEnd = Date.now() + 15_000;
  let lastTotal = -1;
  while (Date.now() < drainEnd) {
    const settled = senders.every((s) => s.client.readyState === 1 && s.client.queuedMessages === 0) && receiver.total === lastTotal;
    if (settled) break;
    lastTotal = receiver.total;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  let sent = 0;
  let received = 0;
  let lostInFlight = 0;
  let lostPromised = 0;
  let reportedMaybe = 0;
  let reportedNotSent = 0;
  let stillQueued = 0;
  for (const s of senders) {
    const got = receiver.received.get(s.id) ?? new Set<number>();
    sent += s.seq;
    received += got.size;
    stillQueued += s.client.queuedMessages;
    for (let seq = 0; seq < s.seq; seq++) {
      if (got.has(seq)) continue;
      const connection = s.connectionOf[seq];
      if (s.maybeSent.has(seq)) reportedMaybe++;
      else if (s.notSent.has(seq)) reportedNotSent++;
      else if (connection > 0 && s.died.has(connection)) lostInFlight++;
      else lostPromised++;
    }
  }
  const lines = [
    `faults injected: ${Object.entries(faults).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `sent:      ${sent} (queued while disconnected: ${senders.reduce((n, s) => n + s.queuedWhileDown, 0)}, refused by a full queue: ${senders.reduce((n, s) => n + s.refused, 0)}, ` +
      `requeued after their connection died unwritten: ${senders.reduce((n, s) => n + s.requeued, 0)})`,
    `received:  ${received} by the server, ${senders.reduce((n, s) => n + s.echoes, 0)} echoes by the clients`,
    `lost:      ${lostPromised + lostInFlight + reportedMaybe + reportedNotSent} (reported on undelivered$: ${reportedMaybe} maybe sent, ${reportedNotSent} not sent; ` +
      `in flight, taken by the OS before the connection died: ${lostInFlight}; that rxws promises to deliver: ${lostPromised}, still queued: ${stillQueued})`,
    `duplicates: ${receiver.duplicates}, out of order: ${receiver.reordered}`,
  ];
  console.log(lines.join('\n'));

  for (const s of senders) s.client.stop();
  await proxy.close();
  await server.close();
  const failed = lostPromised > 0 || receiver.duplicates > 0 || receiver.reordered > 0;
  console.log(failed ? 'FAIL: rxws lost, duplicated or reordered messages it promises to deliver' : 'OK');
  // Then resumable delivery (channel history, messages sent once), for half the time, at most a minute.
  const resumed = await resumeSoak(Math.min(60, Math.max(5, Math.round(seconds / 2))), clientCount);
  process.exit(failed || !resumed ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
