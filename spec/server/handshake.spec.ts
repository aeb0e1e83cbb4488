import { once } from 'node:events';
import net from 'node:net';
import { connect, WebSocketError } from 'rxws';
import type { UpgradeRequest } from 'rxws/server';
import { checkUpgradeRequest, chooseProtocol, parseOfferedProtocols, refusalOf } from '../../src/server/handshake';
import { record } from '../helpers/observe';
import { closeAll, nextConnection, rawExchange, start, upgradeRequest, wsClient } from './peers';

afterEach(closeAll);

const request = (offeredProtocols: string[]): UpgradeRequest => ({
  url: '/',
  headers: {},
  remoteAddress: '127.0.0.1',
  remotePort: 1,
  offeredProtocols,
});

async function refusal(url: string, protocols?: string[]): Promise<WebSocketError> {
  const rec = await record(connect(url, { protocols }));
  expect(rec.error).toBeInstanceOf(WebSocketError);
  return rec.error as WebSocketError;
}

describe('handshake policy (pure)', () => {
  it.each([
    [{ method: 'POST', headers: {} }, 405],
    [{ method: 'GET', headers: { upgrade: 'h2c' } }, 400],
    [{ method: 'GET', headers: { upgrade: 'websocket' } }, 400],
    [{ method: 'GET', headers: { upgrade: 'websocket', 'sec-websocket-key': 'short' } }, 400],
    [{ method: 'GET', headers: { upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '8' } }, 426],
  ])('refuses %j with %i', (req, status) => {
    expect(checkUpgradeRequest(req)?.status).toBe(status);
  });

  it('accepts a well-formed request', () => {
    const headers = { upgrade: 'WebSocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' };
    expect(checkUpgradeRequest({ method: 'GET', headers })).toBeUndefined();
  });

  it('parses offered subprotocols and rejects malformed lists', () => {
    expect(parseOfferedProtocols(undefined)).toEqual([]);
    expect(parseOfferedProtocols('a, b.v2,c')).toEqual(['a', 'b.v2', 'c']);
    expect(parseOfferedProtocols('a, a')).toBeUndefined();
    expect(parseOfferedProtocols('a b')).toBeUndefined();
  });

  it('chooses by server preference, by function, or refuses with the supported list', () => {
    expect(chooseProtocol(['x', 'b', 'a'], request(['a', 'b']))).toEqual({ protocol: 'b' });
    expect(chooseProtocol(['x'], request([]))).toEqual({ protocol: '' });
    expect(chooseProtocol(['x'], request(['a']))).toMatchObject({ status: 400, reason: expect.stringContaining('supported: x') });
    expect(chooseProtocol((offered) => offered.at(-1) ?? false, request(['a', 'b']))).toEqual({ protocol: 'b' });
    expect(() => chooseProtocol(() => 'zzz', request(['a']))).toThrow(/did not offer/);
  });

  it("a function answering '' accepts a client that offered subprotocols without one (RFC 6455 §4.1)", () => {
    expect(chooseProtocol(() => '', request(['a', 'b']))).toEqual({ protocol: '' });
    expect(chooseProtocol(() => '', request([]))).toEqual({ protocol: '' });
  });

  it('maps authorize results to refusals', () => {
    expect(refusalOf(true)).toBeUndefined();
    expect(refusalOf(undefined)).toBeUndefined();
    expect(refusalOf(false)).toEqual({ status: 403, reason: 'Forbidden' });
    expect(refusalOf({ status: 401, reason: 'no token' })).toEqual({ status: 401, reason: 'no token' });
    expect(() => refusalOf({ status: 200 })).toThrow(/400..599/);
  });
});

describe('handshake control', () => {
  describe('subprotocols', () => {
    it('answers with the first of the server preferences that the client offered', async () => {
      const { url, server } = await start({ protocols: ['v3', 'v2', 'v1'] });
      const accepted = nextConnection(server);
      const ws = await wsClient(url, ['v1', 'v2']);
      expect(ws.protocol).toBe('v2');
      expect((await accepted).request.protocol).toBe('v2');
    });

    it('lets a function choose from the offered list and the request', async () => {
      const { url } = await start({ protocols: (offered, req) => (req.url === '/legacy' ? offered[0] : offered.at(-1) ?? false) });
      expect((await wsClient(`${url}/legacy`, ['a', 'b'])).protocol).toBe('a');
      expect((await wsClient(`${url}/new`, ['a', 'b'])).protocol).toBe('b');
    });

    it('refuses with 400 naming the supported ones when none offered is supported', async () => {
      const { url } = await start({ protocols: ['chat.v2'] });
      const err = await refusal(url, ['chat.v1']);
      expect(err.httpStatus).toBe(400);
      expect(err.reason).toContain('None of the offered subprotocols (chat.v1) is supported (supported: chat.v2)');
    });

    it('accepts a client that offers none, without a subprotocol', async () => {
      const { url } = await start({ protocols: ['chat.v2'] });
      expect((await wsClient(url)).protocol).toBe('');
    });
  });

  describe('authorize', () => {
    it('refuses with 401, the reason and headers, seen by the rxws client as httpStatus 401', async () => {
      const { url } = await start({
        authorize: (req) => (req.headers.authorization === 'Bearer good' ? true : { status: 401, reason: 'Missing or bad token', headers: { 'WWW-Authenticate': 'Bearer' } }),
      });
      const err = await refusal(url);
      expect(err.code).toBe('UNEXPECTED_STATUS');
      expect(err.httpStatus).toBe(401);
      expect(err.reason).toContain('Missing or bad token');
      expect(err.headers['www-authenticate']).toBe('Bearer');
      const ok = await wsClient(url, undefined, { headers: { Authorization: 'Bearer good' } });
      expect(ok.readyState).toBe(1);
    });

    it('refuses with 403 on false, and waits for an async answer', async () => {
      const seen: UpgradeRequest[] = [];
      const { url } = await start({
        authorize: async (req) => {
          seen.push(req);
          await new Promise((resolve) => setImmediate(resolve));
          return !req.url.startsWith('/private');
        },
      });
      expect((await refusal(`${url}/private`)).httpStatus).toBe(403);
      expect((await wsClient(`${url}/public`)).readyState).toBe(1);
      expect(seen[0]).toMatchObject({ url: '/private', remoteAddress: '127.0.0.1', offeredProtocols: [] });
    });

    it('answers 500 when authorize throws, reports it on errors$, and keeps serving', async () => {
      const { url, server } = await start({
        authorize: (req) => {
          if (req.url === '/boom') throw new Error('database down');
          return true;
        },
      });
      const errors: unknown[] = [];
      server.errors$.subscribe((e) => errors.push(e));
      const err = await refusal(`${url}/boom`);
      expect(err.httpStatus).toBe(500);
      expect(err.reason).not.toContain('database down');
      expect(errors).toEqual([{ source: 'authorize', error: expect.objectContaining({ message: 'database down' }) }]);
      expect((await wsClient(`${url}/fine`)).readyState).toBe(1);
    });
  });

  describe('limits', () => {
    it('refuses the connection over maxConnections with 503 and a reason, then accepts again once one left', async () => {
      const { url } = await start({ maxConnections: 2 });
      const a = await wsClient(url);
      await wsClient(url);
      const err = await refusal(url);
      expect(err.httpStatus).toBe(503);
      expect(err.reason).toContain('limit of 2 connections');
      a.close();
      await once(a, 'close');
      let third;
      for (let i = 0; i < 50 && third === undefined; i++) third = await wsClient(url).catch(() => undefined);
      expect(third?.readyState).toBe(1);
    });

    it('drops a client that sends half a request within handshakeTimeoutMs', async () => {
      const { port, url } = await start({ handshakeTimeoutMs: 200 });
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      await once(socket, 'connect');
      socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n');
      const started = Date.now();
      await once(socket, 'close');
      expect(Date.now() - started).toBeLessThan(5_000);
      // A complete handshake still works.
      expect((await wsClient(url)).readyState).toBe(1);
    });
  });

  describe('bad requests get the right answer and the server keeps serving', () => {
    it.each([
      ['a wrong method', upgradeRequest({}, 'POST / HTTP/1.1'), /^HTTP\/1\.1 405 [^]*Allow: GET[^]*must use GET/],
      ['a missing key', upgradeRequest({ 'Sec-WebSocket-Key': null }), /^HTTP\/1\.1 400 [^]*Sec-WebSocket-Key/],
      ['a bad key', upgradeRequest({ 'Sec-WebSocket-Key': 'not-base64!' }), /^HTTP\/1\.1 400 [^]*Sec-WebSocket-Key/],
      ['an unsupported version', upgradeRequest({ 'Sec-WebSocket-Version': '8' }), /^HTTP\/1\.1 426 [^]*Sec-WebSocket-Version: 13[^]*version 13/],
      ['a bad subprotocol list', upgradeRequest({ 'Sec-WebSocket-Protocol': 'a b' }), /^HTTP\/1\.1 400 [^]*Sec-WebSocket-Protocol/],
      ['garbage', 'NOT HTTP AT ALL\r\n\r\n', /^HTTP\/1\.1 400/],
    ])('%s', async (_name, raw, expected) => {
      const { port, url } = await start();
      expect(await rawExchange(port, raw)).toMatch(expected);
      expect((await wsClient(url)).readyState).toBe(1);
    });
  });
});
