// connect()'s socket corks per turn (corkWrites, default on): the frames sent in one turn leave
// in one socket write (a few growing ones past 4 KiB), with the same order, write reports,
// bufferedAmount and close as uncorked.
import type { WebSocket as WsWebSocket } from 'ws';
import { connect, type ConnectOptions, type SocketHandle, type WebSocketEvent, type WebSocketOpenEvent } from 'rxws';
import { firstMatch } from '../helpers/observe';
import { countWrites } from '../helpers/writes';
import { startWsServer, type TestWsServer } from '../helpers/ws-server';

const isOpen = (e: WebSocketEvent): e is WebSocketOpenEvent => e.type === 'open';
const MESSAGES = 100;

/** The net.Socket under connect()'s socket handle. */
const netSocketOf = (socket: SocketHandle): object => (socket as unknown as { ws: { _socket: object } }).ws._socket;

describe('connect(): writes corked per turn (corkWrites)', () => {
  let server: TestWsServer;
  let done: (() => void) | undefined;
  afterEach(async () => {
    done?.();
    done = undefined;
    await server.close();
  });

  const open = async (options?: ConnectOptions): Promise<{ socket: SocketHandle; peer: WsWebSocket }> => {
    const peer = server.nextConnection();
    const { value, subscription } = firstMatch(connect(server.url, options), isOpen);
    done = () => subscription.unsubscribe();
    return { socket: (await value).socket, peer: await peer };
  };

  const received = (peer: WsWebSocket, n: number): Promise<string[]> =>
    new Promise((resolve) => {
      const got: string[] = [];
      peer.on('message', (data: Buffer) => got.push(data.toString()) === n && resolve(got));
    });

  it('sends the messages of one turn in one socket write (100 writes with corkWrites: false)', async () => {
    server = await startWsServer();
    for (const corkWrites of [true, false]) {
      const { socket, peer } = await open({ corkWrites });
      const counter = countWrites(netSocketOf(socket));
      const got = received(peer, MESSAGES);
      for (let i = 0; i < MESSAGES; i++) socket.send(`m${i}`);
      expect(await got).toEqual(Array.from({ length: MESSAGES }, (_, i) => `m${i}`));
      if (corkWrites) expect(counter.writes).toBe(1);
      else expect(counter.writes).toBe(MESSAGES);
      done?.();
    }
  });

  it('does not hold a large message: what the turn corked before it is written first, then it, then the rest', async () => {
    server = await startWsServer();
    const { socket, peer } = await open();
    const counter = countWrites(netSocketOf(socket));
    const large = 'L'.repeat(32 * 1024);
    const expected = [...Array.from({ length: 10 }, (_, i) => `a${i}`), large, ...Array.from({ length: 10 }, (_, i) => `b${i}`)];
    const got = received(peer, expected.length);
    for (const message of expected) socket.send(message);
    expect(await got).toEqual(expected);
    // The ten before it in one write, the large one in its own, the ten after it in one.
    expect(counter.writes).toBe(3);
  });

  it('keeps the order of messages and write reports, and counts held bytes in bufferedAmount', async () => {
    server = await startWsServer();
    const { socket, peer } = await open();
    const got = received(peer, MESSAGES);
    const reports: string[] = [];
    const allReported = new Promise<void>((resolve) => {
      for (let i = 0; i < MESSAGES; i++) {
        socket.send(`m${i}`, (err) => {
          reports.push(err === undefined ? `m${i}` : `m${i} ${err.message}`);
          if (i === MESSAGES - 1) resolve();
        });
      }
    });
    // Held until the turn ends: 100 frames of 2 + 2-3 bytes payload (+ 4 mask bytes each).
    expect(socket.bufferedAmount).toBeGreaterThanOrEqual(MESSAGES * 8);
    expect(reports).toEqual([]);
    await allReported;
    expect(reports).toEqual(Array.from({ length: MESSAGES }, (_, i) => `m${i}`));
    expect(socket.bufferedAmount).toBe(0);
    expect(await got).toHaveLength(MESSAGES);
  });

  it('a close in the same turn as the sends goes after them: the peer gets every message, then the close', async () => {
    server = await startWsServer();
    const { socket, peer } = await open();
    const got = received(peer, MESSAGES);
    const closed = new Promise<{ code: number; reason: string; messages: number }>((resolve) => {
      let messages = 0;
      peer.on('message', () => messages++);
      peer.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString(), messages }));
    });
    for (let i = 0; i < MESSAGES; i++) socket.send(`m${i}`);
    socket.close(4001, 'bye');
    expect(await got).toHaveLength(MESSAGES);
    expect(await closed).toEqual({ code: 4001, reason: 'bye', messages: MESSAGES });
  });

  it('terminate() in the same turn still writes what was sent before it', async () => {
    server = await startWsServer();
    const { socket, peer } = await open();
    const readBeforeClose = new Promise<number>((resolve) => {
      let messages = 0;
      peer.on('message', () => messages++);
      peer.on('close', () => resolve(messages));
    });
    for (let i = 0; i < MESSAGES; i++) socket.send(`m${i}`);
    (socket as SocketHandle & { terminate(): void }).terminate();
    expect(await readBeforeClose).toBe(MESSAGES);
  });

  it('a turn of more than 4 KiB is written as it goes, in writes growing from 4 KiB (the peer starts on the first)', async () => {
    server = await startWsServer();
    const { socket, peer } = await open();
    const counter = countWrites(netSocketOf(socket));
    // 1000 frames of 106 bytes (2 header, 4 mask, 100 payload): 106,000 bytes in one turn.
    const messages = Array.from({ length: 1000 }, (_, i) => `${i}`.padEnd(100, '.'));
    const frame = 106;
    const got = received(peer, messages.length);
    for (const m of messages) socket.send(m);
    const duringTurn = counter.sizes.slice();
    expect(await got).toEqual(messages);
    // Written before the turn ended: once 4 KiB were held, then once 8 KiB more were.
    expect(duringTurn.length).toBeGreaterThanOrEqual(2);
    expect(duringTurn[0]).toBe(Math.ceil(4096 / frame) * frame);
    expect(duringTurn[1]).toBe(Math.ceil(8192 / frame) * frame);
    // Every byte once, in a handful of writes (each at most 64 KiB and one frame), not 1000.
    expect(counter.sizes.reduce((a, b) => a + b, 0)).toBe(messages.length * frame);
    expect(counter.writes).toBeLessThanOrEqual(6);
    expect(Math.max(...counter.sizes)).toBeLessThan(64 * 1024 + frame);
  });

  it('refuses a corkWrites that is not a boolean, with INVALID_OPTIONS', async () => {
    server = await startWsServer();
    const failed = new Promise<unknown>((resolve) => connect(server.url, { corkWrites: 'yes' as unknown as boolean }).subscribe({ error: resolve }));
    expect(await failed).toMatchObject({ code: 'INVALID_OPTIONS', reason: 'corkWrites must be true or false, got "yes"' });
  });
});
