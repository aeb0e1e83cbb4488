// A real third-party client, Python's `websockets` (spec/interop/peers/ws_client.py), against rxws's server.
import { PythonClient, requirePythonWebsockets } from './python-peer';
import { startRxwsEchoServer, type RxwsEchoServer } from './rxws-server';

const MIB = 1024 * 1024;
const MAX_PAYLOAD = 16 * MIB;

describe('Python websockets client ↔ rxws server', () => {
  let python: PythonClient;
  let plain: RxwsEchoServer;
  let deflating: RxwsEchoServer;
  let path = '';
  let serial = 0;

  beforeAll(async () => {
    requirePythonWebsockets();
    const common = { protocols: ['chat.v1', 'chat.v2'], maxPayload: MAX_PAYLOAD };
    [python, plain, deflating] = await Promise.all([
      PythonClient.start(),
      startRxwsEchoServer(common),
      startRxwsEchoServer({ ...common, perMessageDeflate: true }),
    ]);
  });
  beforeEach(() => {
    path = `/conn-${++serial}`;
  });
  afterAll(async () => {
    await Promise.all([python?.kill(), plain?.close(), deflating?.close()]);
  });

  /** Connects the Python client to `server` on this test's path. */
  function connectPython(server: RxwsEchoServer, options: Record<string, unknown> = {}) {
    return python.request('connect', { url: server.url + path, max_size: MAX_PAYLOAD, ...options });
  }

  describe('messages', () => {
    it('text: a UTF-8 message comes back as the same string', async () => {
      const { conn } = await connectPython(plain);
      await python.request('send', { conn, text: 'héllo, wörld ✓ 🚀' });
      expect(await python.request('recv', { conn })).toMatchObject({ kind: 'text', text: 'héllo, wörld ✓ 🚀' });
      await python.request('close', { conn });
    });

    it('binary: a 16 MiB message reaches rxws intact and comes back intact', async () => {
      const { conn } = await connectPython(plain);
      const sent = await python.request('send', { conn, random_bytes: MAX_PAYLOAD });
      const atServer = await plain.record(path, 'binary');
      expect(atServer).toMatchObject({ length: MAX_PAYLOAD, sha256: sent.sha256 });
      expect(await python.request('recv', { conn })).toMatchObject({ kind: 'binary', length: MAX_PAYLOAD, sha256: sent.sha256 });
      await python.request('close', { conn });
    });

    it('a text message Python sends in several fragments reaches rxws as one message', async () => {
      const { conn } = await connectPython(plain);
      await python.request('send', { conn, fragments: ['one ', 'twö ', 'three ', '🚀'] });
      expect(await python.request('recv', { conn })).toMatchObject({ kind: 'text', text: 'one twö three 🚀' });
      await python.request('close', { conn });
    });

    it('a message over the server\'s maxPayload is refused with close code 1009', async () => {
      const { conn } = await connectPython(plain, { max_size: MAX_PAYLOAD * 2 });
      await python.request('send', { conn, random_bytes: MAX_PAYLOAD + 1 }).catch(() => undefined);
      expect(await python.request('wait_closed', { conn })).toMatchObject({ code: 1009 });
    });
  });

  describe('subprotocol negotiation', () => {
    it('agrees on the server\'s preferred protocol among those offered', async () => {
      const { conn, subprotocol } = await connectPython(plain, { subprotocols: ['x.unknown', 'chat.v2', 'chat.v1'] });
      expect(subprotocol).toBe('chat.v1');
      expect(await plain.record(path, 'connection')).toMatchObject({ protocol: 'chat.v1' });
      await python.request('close', { conn });
    });

    it('refuses the upgrade when none of the offered protocols is supported', async () => {
      await expect(connectPython(plain, { subprotocols: ['x.unknown'] })).rejects.toThrow(/400/);
    });

    it('accepts a client that offers no protocol, with none', async () => {
      const { conn, subprotocol } = await connectPython(plain);
      expect(subprotocol).toBeNull();
      expect(await plain.record(path, 'connection')).toMatchObject({ protocol: '' });
      await python.request('close', { conn });
    });
  });

  describe('ping/pong', () => {
    it('a ping from Python is answered by rxws\'s server', async () => {
      const { conn } = await connectPython(plain);
      await expect(python.request('ping', { conn, data: 'are you there?' })).resolves.toBeDefined();
      await python.request('close', { conn });
    });

    it('a ping from rxws\'s server is answered by Python with the same data', async () => {
      const { conn } = await connectPython(plain);
      await python.request('send', { conn, text: 'cmd:ping tick-9' });
      expect(await python.request('recv', { conn })).toMatchObject({ text: 'pong:tick-9' });
      await python.request('close', { conn });
    });
  });

  describe('close codes and reasons', () => {
    it('Python closes with 4001 and a reason: rxws reports both', async () => {
      const { conn } = await connectPython(plain);
      const answer = await python.request('close', { conn, code: 4001, reason: 'client says bye ✓' });
      expect(answer).toMatchObject({ code: 4001, reason: 'client says bye ✓' });
      expect(await plain.record(path, 'closed')).toMatchObject({ code: 4001, reason: 'client says bye ✓' });
    });

    it('rxws closes with 4002 and a reason: Python receives both', async () => {
      const { conn } = await connectPython(plain);
      await python.request('send', { conn, text: 'cmd:close 4002 server says bye' });
      expect(await python.request('wait_closed', { conn })).toMatchObject({ code: 4002, reason: 'server says bye' });
      expect(await plain.record(path, 'closed')).toMatchObject({ code: 4002, reason: 'server says bye' });
    });
  });

  describe('per-message deflate', () => {
    it('is negotiated when both enable it, and messages still round-trip', async () => {
      const { conn, extensions } = await connectPython(deflating, { deflate: true });
      expect(extensions).toEqual(['permessage-deflate']);
      const text = 'compress me '.repeat(100_000);
      await python.request('send', { conn, text });
      expect(await python.request('recv', { conn })).toMatchObject({ text });
      const sent = await python.request('send', { conn, random_bytes: 256 * 1024 });
      expect(await python.request('recv', { conn })).toMatchObject({ sha256: sent.sha256 });
      await python.request('close', { conn });
    });

    it('is not used when the server does not enable it (rxws default is off)', async () => {
      const { conn, extensions } = await connectPython(plain, { deflate: true });
      expect(extensions).toEqual([]);
      await python.request('send', { conn, text: 'x'.repeat(4096) });
      expect(await python.request('recv', { conn })).toMatchObject({ text: 'x'.repeat(4096) });
      await python.request('close', { conn });
    });

    it('is not used when only the server enables it', async () => {
      const { conn, extensions } = await connectPython(deflating);
      expect(extensions).toEqual([]);
      await python.request('close', { conn });
    });
  });
});
