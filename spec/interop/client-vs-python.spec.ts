// rxws's client against a real third-party server: Python's `websockets` (spec/interop/peers/ws_server.py).
import { randomBytes } from 'node:crypto';
import { WebSocketError, type ConnectOptions } from 'rxws';
import { bytesOf, openClient, textOf, type EventQueue } from './event-queue';
import { requirePythonWebsockets, startPythonServer, type PythonServer } from './python-peer';

const MIB = 1024 * 1024;
const MAX_PAYLOAD = 16 * MIB;

describe('rxws client ↔ Python websockets server', () => {
  let deflating: PythonServer;
  let plain: PythonServer;
  let queue: EventQueue | undefined;

  beforeAll(async () => {
    requirePythonWebsockets();
    const common = ['--subprotocols', 'chat.v1,chat.v2', '--max-size', String(MAX_PAYLOAD)];
    [deflating, plain] = await Promise.all([startPythonServer([...common, '--deflate']), startPythonServer(common)]);
  });
  afterEach(() => queue?.unsubscribe());
  afterAll(async () => {
    await Promise.all([deflating?.proc.kill(), plain?.proc.kill()]);
  });

  let path = '';
  let serial = 0;
  beforeEach(() => {
    path = `/conn-${++serial}`;
  });

  /** Opens an rxws client on this test's own path; the queue is unsubscribed after the test. */
  async function open(server: PythonServer, options: ConnectOptions = {}) {
    const client = await openClient(server.url + path, options);
    queue = client.queue;
    return client;
  }

  /** What the Python server reports about this test's connection once it closed. */
  const closedOn = (server: PythonServer) => server.proc.take((line) => line.event === 'closed' && line.path === path, `the close of ${path}`);

  describe('messages', () => {
    it('text: a UTF-8 message comes back as the same string', async () => {
      const { open: o, queue: q } = await open(plain);
      o.socket.send('héllo, wörld ✓ 🚀');
      expect(textOf(await q.message())).toBe('héllo, wörld ✓ 🚀');
    });

    it('binary: small and empty messages come back byte for byte', async () => {
      const { open: o, queue: q } = await open(plain);
      o.socket.send(new Uint8Array([0, 1, 2, 254, 255]));
      o.socket.send(new Uint8Array(0));
      expect(Array.from(bytesOf(await q.message()))).toEqual([0, 1, 2, 254, 255]);
      expect(bytesOf(await q.message()).byteLength).toBe(0);
    });

    it('binary: a 16 MiB message comes back byte for byte', async () => {
      const { open: o, queue: q } = await open(plain, { maxPayload: MAX_PAYLOAD });
      const payload = randomBytes(MAX_PAYLOAD);
      o.socket.send(payload);
      const echo = await q.message(20_000);
      expect(echo.wireSize).toBe(MAX_PAYLOAD);
      expect(Buffer.from(bytesOf(echo)).equals(payload)).toBe(true);
    });

    it('a text message Python sends in several fragments arrives as one message', async () => {
      const { open: o, queue: q } = await open(plain);
      o.socket.send('cmd:fragments one twö three 🚀');
      const message = await q.message();
      expect(textOf(message)).toBe('one twö three 🚀');
      expect(message.wireSize).toBe(Buffer.byteLength('one twö three 🚀'));
    });

    it('a message over the server\'s max_size is refused with close code 1009', async () => {
      const { open: o, queue: q } = await open(plain);
      o.socket.send(new Uint8Array(MAX_PAYLOAD + 1));
      const close = await q.close();
      expect(close).toMatchObject({ code: 1009, remote: true });
    });
  });

  describe('subprotocol negotiation', () => {
    it('agrees on the protocol both offer', async () => {
      const { open: o, queue: q } = await open(plain, { protocols: ['x.unknown', 'chat.v2'] });
      expect(o.protocol).toBe('chat.v2');
      expect(o.socket.protocol).toBe('chat.v2');
      o.socket.send('cmd:info');
      expect(JSON.parse(textOf(await q.message())).subprotocol).toBe('chat.v2');
    });

    it('opens with protocol \'\' when the server accepts none of the offered ones (as browsers do)', async () => {
      const { open: o } = await open(plain, { protocols: ['x.unknown'] });
      expect(o.protocol).toBe('');
      o.socket.close();
    });

    it('requireProtocol: fails with PROTOCOL_MISMATCH when the server accepts none of the offered ones', async () => {
      // Python answers without a Sec-WebSocket-Protocol header.
      const error = await open(plain, { protocols: ['x.unknown'], requireProtocol: true }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(WebSocketError);
      expect(error).toMatchObject({ code: 'PROTOCOL_MISMATCH', reason: expect.stringContaining('subprotocol') });
    });
  });

  describe('ping/pong', () => {
    it('a ping from rxws is answered with a pong carrying the same data', async () => {
      const { open: o, queue: q } = await open(plain);
      expect(o.socket.ping('are you there?')).toBe(true);
      const pong = await q.take('pong');
      expect(Buffer.from(pong.data).toString()).toBe('are you there?');
    });

    it('a ping from Python is answered by rxws and reported as a ping event', async () => {
      const { open: o, queue: q } = await open(plain);
      o.socket.send('cmd:ping tick-42');
      const ping = await q.take('ping');
      expect(Buffer.from(ping.data).toString()).toBe('tick-42');
      // Python sends this only after its pong waiter resolved.
      expect(textOf(await q.message())).toBe('pong:tick-42');
    });
  });

  describe('close codes and reasons', () => {
    it('rxws closes with 4001 and a reason: Python receives both', async () => {
      const { open: o, queue: q } = await open(plain);
      o.socket.close(4001, 'client says bye');
      expect(await q.close()).toMatchObject({ code: 4001, reason: 'client says bye', remote: false, wasClean: true });
      expect(await closedOn(plain)).toMatchObject({ code: 4001, reason: 'client says bye' });
    });

    it('Python closes with 4002 and a reason: rxws reports both, remote and clean', async () => {
      const { open: o, queue: q } = await open(plain);
      o.socket.send('cmd:close 4002 server says bye ✓');
      expect(await q.close()).toMatchObject({ code: 4002, reason: 'server says bye ✓', remote: true, wasClean: true });
      await closedOn(plain);
    });

    it('Python closes with 1001 (going away): rxws completes after the close event', async () => {
      const { open: o, queue: q } = await open(plain);
      o.socket.send('cmd:close 1001 restarting');
      expect(await q.close()).toMatchObject({ code: 1001, reason: 'restarting', remote: true });
      await closedOn(plain);
    });
  });

  describe('per-message deflate', () => {
    it('is negotiated when both enable it, and messages still round-trip', async () => {
      const { open: o, queue: q } = await open(deflating, { perMessageDeflate: true });
      expect(o.headers['sec-websocket-extensions']).toMatch(/^permessage-deflate/);
      o.socket.send('cmd:info');
      expect(JSON.parse(textOf(await q.message())).extensions).toEqual(['permessage-deflate']);
      const text = 'compress me '.repeat(100_000);
      o.socket.send(text);
      expect(textOf(await q.message())).toBe(text);
      const bytes = randomBytes(256 * 1024);
      o.socket.send(bytes);
      expect(Buffer.from(bytesOf(await q.message())).equals(bytes)).toBe(true);
    });

    it('is not used when only the server enables it (rxws default is off)', async () => {
      const { open: o, queue: q } = await open(deflating);
      expect(o.headers['sec-websocket-extensions']).toBeUndefined();
      o.socket.send('cmd:info');
      expect(JSON.parse(textOf(await q.message())).extensions).toEqual([]);
    });

    it('is not used when only rxws enables it', async () => {
      const { open: o, queue: q } = await open(plain, { perMessageDeflate: true });
      expect(o.headers['sec-websocket-extensions']).toBeUndefined();
      o.socket.send('x'.repeat(4096));
      expect(textOf(await q.message())).toBe('x'.repeat(4096));
    });
  });
});
