import { WebSocketClient, type SocketHandle, type UndeliveredMessage } from 'rxws';
import { serve, type ServerConnection, type WebSocketServer } from 'rxws/server';
import { EventLog, waitFor } from './events';
import { guardProcess, type CrashGuard } from './guard';

// A peer that stops reading: the client's messages pile up in ws and Node, the kernel takes
// what fits, and the client's end of the connection is destroyed (as ws's close timeout does
// after a keepAlive ping timeout). What the kernel took reaches the peer once it reads again;
// what never left the process is requeued (send queue) or reported (undelivered$). Nothing is
// lost silently and nothing arrives twice. (A reset of the peer's end would also lose what the
// kernels held: bytes written are not bytes received; see docs/reliability.md.)
const MESSAGES = 400;
const SIZE = 32 * 1024; // 12.5 MiB in all: far more than loopback's socket buffers hold

const message = (seq: number): string => `${seq}:`.padEnd(SIZE, 'x');
const seqOf = (data: unknown): number => Number(String(data).split(':')[0]);

describe('faults: messages in flight when a connection dies', () => {
  let server: WebSocketServer;
  let port: number;
  let client: WebSocketClient | undefined;
  let log: EventLog | undefined;
  let guard: CrashGuard;
  /** What the server received, per connection in accept order. */
  let received: number[][];
  let connections: ServerConnection[];

  beforeEach(async () => {
    guard = guardProcess();
    received = [];
    connections = [];
    server = serve({ port: 0, host: '127.0.0.1', maxPayload: 2 * SIZE });
    server.connections$.subscribe((connection) => {
      const mine: number[] = [];
      received.push(mine);
      connections.push(connection);
      connection.messages$.subscribe((m) => mine.push(seqOf(m.data)));
      // The first connection's peer stops reading at once: nothing it is sent is read.
      if (connections.length === 1) connection.ws.pause();
    });
    ({ port } = await server.listening);
  });
  afterEach(async () => {
    client?.stop();
    log?.dispose();
    client = log = undefined;
    await server.close();
    guard.dispose();
    expect(guard.problems).toEqual([]);
  });

  const startClient = (queue: boolean): { client: WebSocketClient; log: EventLog; undelivered: UndeliveredMessage[] } => {
    const url = `ws://127.0.0.1:${port}/`;
    const c = new WebSocketClient({
      url,
      queue: queue ? { maxMessages: MESSAGES } : undefined,
      reconnect: queue ? { minWaitMs: 1, maxWaitMs: 5 } : false,
    });
    const undelivered: UndeliveredMessage[] = [];
    c.undelivered$.subscribe((u) => undelivered.push(u));
    log = new EventLog(c.events$);
    client = c;
    c.start();
    return { client: c, log, undelivered };
  };

  /** Sends every message on the open connection, lets the kernel fill up, destroys the client's end, then lets the peer read again. */
  const sendAllThenKill = async (client: WebSocketClient, log: EventLog): Promise<void> => {
    const { socket } = await log.nth('open', 1);
    for (let seq = 0; seq < MESSAGES; seq++) expect(client.send(message(seq))).toBe(true);
    // The kernel took what fit while sending; the rest waits in Node and ws.
    expect(socket.bufferedAmount).toBeGreaterThan((MESSAGES / 2) * SIZE);
    await new Promise<void>((resolve) => setImmediate(resolve));
    (socket as SocketHandle & { terminate(): void }).terminate();
    const close = await log.nth('close', 1);
    expect(close).toMatchObject({ code: 1006, reason: 'Abnormal closure' });
    connections[0].ws.resume(); // the kernel's bytes now reach the server, then the connection ends
  };

  it('with the send queue: what never left is requeued and delivered once, in order, on the next connection', async () => {
    const { client, log, undelivered } = startClient(true);
    await sendAllThenKill(client, log);
    await log.nth('open', 2);
    const maybeSent = undelivered.map((u) => seqOf(u.data));
    await waitFor(() => received.flat().length + maybeSent.length >= MESSAGES, 10_000);
    const [first, second] = received;
    // Some went out before the peer stopped reading, most did not: the test shows both paths.
    expect(first.length).toBeGreaterThan(0);
    expect(second.length).toBeGreaterThan(MESSAGES / 2);
    // The only reports with a queue are writes cut short as the socket was destroyed.
    expect(undelivered.every((u) => u.maybeSent)).toBe(true);
    const all = Array.from({ length: MESSAGES }, (_, i) => i);
    expect([...first, ...maybeSent, ...second]).toEqual(all);
    expect(client.queuedMessages).toBe(0);
  }, 20_000);

  it('without a queue: undelivered$ reports exactly the messages that never reached the peer, in order', async () => {
    const { client, log, undelivered } = startClient(false);
    await sendAllThenKill(client, log);
    await waitFor(() => connections[0].readyState === 3, 10_000);
    const [first] = received;
    expect(first.length).toBeGreaterThan(0);
    expect(undelivered.length).toBeGreaterThan(MESSAGES / 2);
    const reported = undelivered.map((u) => seqOf(u.data));
    expect([...first, ...reported]).toEqual(Array.from({ length: MESSAGES }, (_, i) => i));
    const notSent = undelivered.filter((u) => !u.maybeSent);
    expect(notSent[0].reason).toMatch(/^Not sent: the connection closed \(1006 Abnormal closure\) before it was written, and there is no send queue$/);
    // At most the one write Node had under way is in doubt, and it comes first.
    expect(undelivered.findIndex((u) => !u.maybeSent)).toBe(undelivered.length - notSent.length);
  }, 20_000);
});
