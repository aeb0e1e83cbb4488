// The npm clients `ws` and `faye-websocket` against rxws's server, the same scenarios for each.
import { createHash, randomBytes } from 'node:crypto';
import { openPeerClient, type PeerClient, type PeerName } from './node-peers';
import { startRxwsEchoServer, type RxwsEchoServer } from './rxws-server';

const MIB = 1024 * 1024;
const MAX_PAYLOAD = 16 * MIB;
const PEERS: PeerName[] = ['ws', 'faye-websocket'];

describe.each(PEERS)('%s client ↔ rxws server', (peer) => {
  let server: RxwsEchoServer;
  let client: PeerClient | undefined;
  let path = '';
  let serial = 0;

  beforeAll(async () => {
    server = await startRxwsEchoServer({ protocols: ['chat.v1', 'chat.v2'], maxPayload: MAX_PAYLOAD });
  });
  beforeEach(() => {
    path = `/conn-${++serial}`;
  });
  afterEach(() => {
    client?.terminate();
    client = undefined;
  });
  afterAll(() => server?.close());

  async function open(protocols: string[] = []): Promise<PeerClient> {
    client = await openPeerClient(peer, server.url + path, protocols, MAX_PAYLOAD);
    return client;
  }

  it('text: a UTF-8 message comes back as the same string', async () => {
    const c = await open();
    c.send('héllo, wörld ✓ 🚀');
    expect(await c.nextMessage()).toBe('héllo, wörld ✓ 🚀');
  });

  it('binary: a 16 MiB message reaches rxws intact and comes back intact', async () => {
    const c = await open();
    const payload = randomBytes(MAX_PAYLOAD);
    c.send(payload);
    const sha256 = createHash('sha256').update(payload).digest('hex');
    expect(await server.record(path, 'binary')).toMatchObject({ length: MAX_PAYLOAD, sha256 });
    const echo = await c.nextMessage();
    expect(Buffer.isBuffer(echo) && echo.equals(payload)).toBe(true);
  });

  it('subprotocol: the server\'s preferred protocol among those offered is chosen', async () => {
    const c = await open(['x.unknown', 'chat.v2', 'chat.v1']);
    expect(c.protocol).toBe('chat.v1');
    expect(await server.record(path, 'connection')).toMatchObject({ protocol: 'chat.v1' });
  });

  it('subprotocol: none in common is refused at the upgrade', async () => {
    await expect(open(['x.unknown'])).rejects.toThrow(/400|closed before open/);
  });

  it('ping from the client: rxws answers with a pong', async () => {
    const c = await open();
    await expect(c.ping('are you there?')).resolves.toBeUndefined();
  });

  it('ping from rxws: the client answers with a pong carrying the same data', async () => {
    const c = await open();
    c.send('cmd:ping tick-3');
    expect(await c.nextMessage()).toBe('pong:tick-3');
  });

  it('close from the client: rxws reports code 4001 and the reason', async () => {
    const c = await open();
    c.close(4001, 'client says bye ✓');
    expect(await c.closed).toMatchObject({ code: 4001 });
    expect(await server.record(path, 'closed')).toMatchObject({ code: 4001, reason: 'client says bye ✓' });
  });

  it('close from rxws: the client receives code 4002 and the reason', async () => {
    const c = await open();
    c.send('cmd:close 4002 server says bye');
    expect(await c.closed).toMatchObject({ code: 4002, reason: 'server says bye' });
  });
});

describe('ws client ↔ rxws server: per-message deflate', () => {
  let plain: RxwsEchoServer;
  let deflating: RxwsEchoServer;
  let client: PeerClient | undefined;

  beforeAll(async () => {
    [plain, deflating] = await Promise.all([
      startRxwsEchoServer({ maxPayload: MAX_PAYLOAD }),
      startRxwsEchoServer({ maxPayload: MAX_PAYLOAD, perMessageDeflate: true }),
    ]);
  });
  afterEach(() => client?.terminate());
  afterAll(async () => {
    await Promise.all([plain?.close(), deflating?.close()]);
  });

  it('is negotiated when both enable it, and messages still round-trip', async () => {
    client = await openPeerClient('ws', deflating.url + '/deflate', [], MAX_PAYLOAD, true);
    expect(client.extensions).toMatch(/^permessage-deflate/);
    const text = 'compress me '.repeat(100_000);
    client.send(text);
    expect(await client.nextMessage()).toBe(text);
    const bytes = randomBytes(256 * 1024);
    client.send(bytes);
    const echo = await client.nextMessage();
    expect(Buffer.isBuffer(echo) && echo.equals(bytes)).toBe(true);
  });

  it('is not used when the server does not enable it (rxws default is off)', async () => {
    client = await openPeerClient('ws', plain.url + '/plain', [], MAX_PAYLOAD, true);
    expect(client.extensions).toBe('');
    client.send('x'.repeat(4096));
    expect(await client.nextMessage()).toBe('x'.repeat(4096));
  });
});
