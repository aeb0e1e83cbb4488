// Issue 15 item 12: when a hostile server breaks the protocol, the client's close event reports
// the code ws actually sent in its close frame (read from the error), not 1002 or 1006.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { filter, lastValueFrom, toArray } from 'rxjs';
import WebSocket, { WebSocketServer } from 'ws';
import { connect, type WebSocketCloseEvent, type WebSocketEvent } from 'rxws';
import { closeCodeOf, encodeFrame, Opcode, startRawServer, type Frame, type RawServer } from '../helpers/raw-peer';

async function closeOf(events$: ReturnType<typeof connect>): Promise<WebSocketCloseEvent> {
  const events = await lastValueFrom(events$.pipe(filter((e: WebSocketEvent) => e.type === 'close'), toArray()));
  return events[0] as WebSocketCloseEvent;
}

describe('close events report the code sent on the wire', () => {
  let raw: RawServer;

  beforeEach(async () => {
    raw = await startRawServer();
  });

  afterEach(async () => {
    await raw.close();
  });

  /** The close frame the client sent, read by the raw peer. */
  async function clientCloseFrame(peer: Awaited<ReturnType<RawServer['nextPeer']>>): Promise<Frame | undefined> {
    for (let i = 0; i < 20_100; i++) {
      const frame = await peer.next();
      if (frame === undefined || frame.opcode === Opcode.CLOSE) return frame;
    }
    return undefined;
  }

  it('a frame announcing 2^53 bytes: 1009 on the wire and in the event', async () => {
    const closed = closeOf(connect(raw.url));
    const peer = await raw.nextPeer();
    const head = Buffer.alloc(10);
    head[0] = 0x82;
    head[1] = 127;
    head.writeBigUInt64BE(2n ** 53n, 2);
    await peer.write(head);
    const frame = await clientCloseFrame(peer);
    expect(frame && closeCodeOf(frame)).toBe(1009);
    const close = await closed;
    expect(close).toMatchObject({ code: 1009, remote: false, wasClean: false });
    expect(close.reason).toMatch(/payload length > 2\^53 - 1/);
  });

  it('20000 fragments of one message: 1008 on the wire and in the event', async () => {
    const closed = closeOf(connect(raw.url));
    const peer = await raw.nextPeer();
    const fragments = [encodeFrame({ opcode: Opcode.TEXT, payload: 'a', fin: false }, undefined)];
    for (let i = 1; i < 20_000; i++) fragments.push(encodeFrame({ opcode: Opcode.CONTINUATION, payload: 'a', fin: false }, undefined));
    await peer.write(Buffer.concat(fragments));
    const frame = await clientCloseFrame(peer);
    expect(frame && closeCodeOf(frame)).toBe(1008);
    const close = await closed;
    expect(close).toMatchObject({ code: 1008, remote: false, wasClean: false });
    expect(close.reason).toMatch(/Too many message fragments/);
  });
});

describe('close events after bad permessage-deflate data', () => {
  let server: WebSocketServer;
  let url: string;
  let serverSaw: Promise<number>;

  beforeEach(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: true });
    await once(server, 'listening');
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    serverSaw = new Promise((resolve) => {
      server.on('connection', (ws: WebSocket) => {
        ws.on('close', (code: number) => resolve(code));
        // A compressed (RSV1) frame whose payload is not deflate data, written under ws's sender.
        const socket = (ws as unknown as { _socket: { write(b: Buffer): void } })._socket;
        socket.write(encodeFrame({ opcode: Opcode.TEXT, rsv: 4, payload: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x13]) }, undefined));
      });
    });
  });

  afterEach(async () => {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  it('1007 on the wire and in the event, with a reason naming the compression', async () => {
    const close = await closeOf(connect(url, { perMessageDeflate: true }));
    expect(await serverSaw).toBe(1007);
    expect(close).toMatchObject({ code: 1007, remote: false, wasClean: false });
    expect(close.reason).toMatch(/^Invalid permessage-deflate data: /);
  });
});

describe('a ping flood', () => {
  let raw: RawServer;

  beforeEach(async () => {
    raw = await startRawServer();
  });

  afterEach(async () => {
    await raw.close();
  });

  it('ends the connection with a close event saying why, not a bare "Abnormal closure"', async () => {
    const closed = closeOf(connect(raw.url));
    const peer = await raw.nextPeer();
    // 200 pings in one write: ws answers each with a pong and drops the peer past 60 unwritten.
    const pings = Array.from({ length: 200 }, () => encodeFrame({ opcode: Opcode.PING, payload: 'x'.repeat(125) }, undefined));
    await peer.write(Buffer.concat(pings));
    const close = await closed;
    expect(close).toMatchObject({ code: 1006, remote: false, wasClean: false });
    expect(close.reason).toMatch(/ping flood \(the peer sent 60 pings without reading the pongs/);
  });
});
