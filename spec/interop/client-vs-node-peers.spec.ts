// rxws's client against the npm peers `ws` and `faye-websocket`, the same scenarios for each.
import { randomBytes } from 'node:crypto';
import { WebSocketError, type ConnectOptions } from 'rxws';
import { bytesOf, openClient, textOf, type EventQueue } from './event-queue';
import { startPeerServer, type PeerName, type PeerServer } from './node-peers';

const MIB = 1024 * 1024;
const MAX_PAYLOAD = 16 * MIB;
const PEERS: PeerName[] = ['ws', 'faye-websocket'];

describe.each(PEERS)('rxws client ↔ %s server', (peer) => {
  let server: PeerServer;
  let queue: EventQueue | undefined;
  let path = '';
  let serial = 0;

  beforeAll(async () => {
    server = await startPeerServer(peer, { protocols: ['chat.v1', 'chat.v2'], maxPayload: MAX_PAYLOAD });
  });
  beforeEach(() => {
    path = `/conn-${++serial}`;
  });
  afterEach(() => queue?.unsubscribe());
  afterAll(() => server?.close());

  async function open(options: ConnectOptions = {}) {
    const client = await openClient(server.url + path, options);
    queue = client.queue;
    return client;
  }

  it('text: a UTF-8 message comes back as the same string', async () => {
    const { open: o, queue: q } = await open();
    o.socket.send('héllo, wörld ✓ 🚀');
    expect(textOf(await q.message())).toBe('héllo, wörld ✓ 🚀');
  });

  it('binary: a 16 MiB message comes back byte for byte', async () => {
    const { open: o, queue: q } = await open({ maxPayload: MAX_PAYLOAD });
    const payload = randomBytes(MAX_PAYLOAD);
    o.socket.send(payload);
    const echo = await q.message(20_000);
    expect(echo.wireSize).toBe(MAX_PAYLOAD);
    expect(Buffer.from(bytesOf(echo)).equals(payload)).toBe(true);
  });

  it('subprotocol: agrees on the protocol both offer', async () => {
    const { open: o, queue: q } = await open({ protocols: ['x.unknown', 'chat.v2'] });
    expect(o.protocol).toBe('chat.v2');
    o.socket.send('cmd:info');
    expect(JSON.parse(textOf(await q.message()))).toEqual({ subprotocol: 'chat.v2' });
    expect(await server.record(path, 'connection')).toMatchObject({ protocol: 'chat.v2' });
  });

  it('subprotocol: none in common opens with protocol \'\' (as browsers do)', async () => {
    const { open: o } = await open({ protocols: ['x.unknown'] });
    expect(o.protocol).toBe('');
    o.socket.close();
  });

  it('subprotocol: none in common fails with PROTOCOL_MISMATCH under requireProtocol', async () => {
    const error = await open({ protocols: ['x.unknown'], requireProtocol: true }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(WebSocketError);
    expect(error).toMatchObject({ code: 'PROTOCOL_MISMATCH' });
  });

  it('ping from rxws: the pong carries the same data', async () => {
    const { open: o, queue: q } = await open();
    o.socket.ping('are you there?');
    expect(Buffer.from((await q.take('pong')).data).toString()).toBe('are you there?');
  });

  it('ping from the peer: rxws answers and reports a ping event', async () => {
    const { open: o, queue: q } = await open();
    o.socket.send('cmd:ping tick-7');
    expect(Buffer.from((await q.take('ping')).data).toString()).toBe('tick-7');
    expect(textOf(await q.message())).toBe('pong:tick-7');
  });

  it('close from rxws: the peer receives code 4001 and the reason', async () => {
    const { open: o, queue: q } = await open();
    o.socket.close(4001, 'client says bye');
    expect(await q.close()).toMatchObject({ code: 4001, reason: 'client says bye', remote: false, wasClean: true });
    expect(await server.record(path, 'closed')).toMatchObject({ code: 4001, reason: 'client says bye' });
  });

  it('close from the peer: rxws reports code 4002 and the reason, remote and clean', async () => {
    const { open: o, queue: q } = await open();
    o.socket.send('cmd:close 4002 server says bye ✓');
    expect(await q.close()).toMatchObject({ code: 4002, reason: 'server says bye ✓', remote: true, wasClean: true });
  });
});

describe('rxws client ↔ ws server: per-message deflate', () => {
  let server: PeerServer;
  let queue: EventQueue | undefined;

  beforeAll(async () => {
    server = await startPeerServer('ws', { protocols: [], maxPayload: MAX_PAYLOAD, perMessageDeflate: true });
  });
  afterEach(() => queue?.unsubscribe());
  afterAll(() => server?.close());

  it('is negotiated when both enable it, and messages still round-trip', async () => {
    const { open: o, queue: q } = await openClient(server.url + '/deflate', { perMessageDeflate: true });
    queue = q;
    expect(o.headers['sec-websocket-extensions']).toMatch(/^permessage-deflate/);
    const text = 'compress me '.repeat(100_000);
    o.socket.send(text);
    const echo = await q.message();
    expect(textOf(echo)).toBe(text);
    const bytes = randomBytes(256 * 1024);
    o.socket.send(bytes);
    expect(Buffer.from(bytesOf(await q.message())).equals(bytes)).toBe(true);
  });

  it('is not used when only the server enables it (rxws default is off)', async () => {
    const { open: o, queue: q } = await openClient(server.url + '/plain');
    queue = q;
    expect(o.headers['sec-websocket-extensions']).toBeUndefined();
  });
});
