// The names and shapes ../shared/API.md fixes, checked on the public entries as users import them.
import { isObservable } from 'rxjs';
import * as rxws from 'rxws';
import * as http from 'rxws/http';
import * as server from 'rxws/server';
import * as redis from 'rxws/redis';
import * as testing from 'rxws/testing';
import * as tls from 'rxws/tls';

describe('the API contract', () => {
  it('rxws exports connect, the operators, WebSocketClient, WebSocketError and backoffDelay', () => {
    for (const name of ['connect', 'reconnect', 'keepAlive', 'selectProtocol', 'backoffDelay', 'WebSocketClient', 'WebSocketError'] as const) {
      expect(typeof rxws[name]).toBe('function');
    }
    expect(isObservable(rxws.connect('ws://127.0.0.1:1'))).toBe(true);
    expect(rxws.backoffDelay(1, {})).toBe(100);
  });

  it('WebSocketClient has events$, messages$, start, stop, send, url and readyState', () => {
    const client = new rxws.WebSocketClient({ url: 'ws://127.0.0.1:1/a', reconnect: false });
    expect(isObservable(client.events$)).toBe(true);
    expect(isObservable(client.messages$)).toBe(true);
    expect(client.send('x')).toBe(false);
    expect(client.readyState).toBe(3);
    client.url = 'ws://127.0.0.1:1/b';
    expect(client.url).toBe('ws://127.0.0.1:1/b');
    expect(typeof client.start).toBe('function');
    expect(typeof client.stop).toBe('function');
  });

  it('a WebSocketError carries reason, httpStatus and code', () => {
    const err = new rxws.WebSocketError({ code: 'UNEXPECTED_STATUS', reason: 'no', httpStatus: 401 });
    expect(err).toBeInstanceOf(Error);
    expect([err.reason, err.httpStatus, err.code]).toEqual(['no', 401, 'UNEXPECTED_STATUS']);
  });

  it('every entry point\'s error extends RxwsError: code, reason (the message) and cause, one constructor shape', () => {
    const cause = new Error('underneath');
    const errors = [
      new rxws.WebSocketError({ code: 'DNS_FAILURE', reason: 'r', cause }),
      new rxws.MessageError({ code: 'TIMEOUT', reason: 'r', cause }),
      new http.HttpError({ code: 'CANNOT_CONNECT', reason: 'r', cause }),
      new server.ServeError({ code: 'ADDRESS_IN_USE', reason: 'r', cause }),
      new server.ServeOptionsError({ code: 'INVALID_OPTIONS', reason: 'r', cause }),
      new tls.TlsConfigError({ code: 'INVALID_OPTIONS', reason: 'r', cause }),
      new redis.RedisAdapterError({ code: 'OFFLINE', reason: 'r', cause }),
    ];
    for (const e of errors) {
      expect(e).toBeInstanceOf(rxws.RxwsError);
      expect(e).toBeInstanceOf(Error);
      expect([e.reason, e.message, e.cause, /^[A-Z][A-Z_]+$/.test(e.code)]).toEqual(['r', 'r', cause, true]);
    }
    expect(errors.map((e) => e.name)).toEqual(['WebSocketError', 'MessageError', 'HttpError', 'ServeError', 'ServeOptionsError', 'TlsConfigError', 'RedisAdapterError']);
  });

  it('a bad option throws the entry point\'s error with code INVALID_OPTIONS, or errors the Observable with it', async () => {
    expect(() => server.serve({ port: -1 })).toThrow(expect.objectContaining({ name: 'ServeOptionsError', code: 'INVALID_OPTIONS' }));
    expect(() => tls.resolveClientTls({ certFile: '/nonexistent/cert.pem', keyFile: '/nonexistent/key.pem' }, 'localhost')).toThrow(
      expect.objectContaining({ name: 'TlsConfigError', code: 'INVALID_OPTIONS' }),
    );
    const failure = await new Promise<unknown>((resolve) => rxws.connect('ws://127.0.0.1:1', { handshakeTimeoutMs: -1 }).subscribe({ error: resolve }));
    expect(failure).toMatchObject({ name: 'WebSocketError', code: 'INVALID_OPTIONS' });
    const httpFailure = await new Promise<unknown>((resolve) => http.httpRequest('http://127.0.0.1:1/', { timeoutMs: -1 }).subscribe({ error: resolve }));
    expect(httpFailure).toMatchObject({ name: 'HttpError', code: 'INVALID_OPTIONS' });
    expect(() => redis.redisAdapter({ publishTimeoutMs: -1 })).toThrow(expect.objectContaining({ name: 'RedisAdapterError', code: 'INVALID_OPTIONS' }));
    const client = new rxws.WebSocketClient({ url: 'ws://127.0.0.1:1', codec: rxws.json(), messaging: true, reconnect: false });
    const requestFailure = await new Promise<unknown>((resolve) => client.request('add', undefined, { timeoutMs: -1 }).subscribe({ error: resolve }));
    expect(requestFailure).toMatchObject({ name: 'MessageError', code: 'INVALID_OPTIONS' });
  });

  it('rxws/server serves with listening, connections$, clients, broadcast and close', async () => {
    const s = server.serve({ port: 0 });
    const address = await s.listening;
    expect(address.host).toBe('127.0.0.1');
    expect(address.port).toBeGreaterThan(0);
    expect(isObservable(s.connections$)).toBe(true);
    expect(s.clients.size).toBe(0);
    expect(s.broadcast('nobody')).toBe(0);
    await s.close();
    for (const name of ['staticFiles', 'redirect', 'echoRequest'] as const) expect(typeof server[name]).toBe('function');
  });

  it('rxws exports the codecs and MessageError; WebSocketClient has request(), rxws/server MessageConnection, rxws/testing fakeMessageServer', () => {
    for (const name of ['json', 'msgpack', 'text', 'binary', 'decodeEvents', 'MessageError', 'readEnvelope'] as const) expect(typeof rxws[name]).toBe('function');
    const client = new rxws.WebSocketClient({ url: 'ws://127.0.0.1:1/a', reconnect: false, codec: rxws.json(), messaging: true });
    expect(isObservable(client.request('x'))).toBe(true);
    expect(typeof server.MessageConnection).toBe('function');
    expect(typeof testing.fakeMessageServer).toBe('function');
    expect(typeof testing.envelopeMessage).toBe('function');
  });

  it('channel history: rxws/server memoryHistory, rxws/redis redisHistory; WebSocketClient channelEvents() and channelGaps$; ChannelServer publishStored', async () => {
    const redis = await import('rxws/redis');
    expect(typeof server.memoryHistory).toBe('function');
    expect(typeof redis.redisHistory).toBe('function');
    expect(server.memoryHistory().shared).toBe(false);
    const client = new rxws.WebSocketClient({ url: 'ws://127.0.0.1:1/a', reconnect: false });
    expect(isObservable(client.channelEvents('news'))).toBe(true);
    expect(isObservable(client.channelGaps$)).toBe(true);
    const s = server.serve({ port: 0 });
    const hub = server.channels(s, { history: server.memoryHistory() });
    expect(typeof hub.publishStored).toBe('function');
    hub.close();
    await s.close();
  });

  it('rxws/http exports httpRequest and HttpError', () => {
    expect(isObservable(http.httpRequest('http://127.0.0.1:1/'))).toBe(true);
    expect(typeof http.HttpError).toBe('function');
  });

  it('rxws/tls exports the resolvers and generateCertificate', () => {
    for (const name of ['resolveClientTls', 'resolveServerTls', 'generateCertificate'] as const) expect(typeof tls[name]).toBe('function');
    expect(tls.resolveClientTls({ caFile: 'NONE' }, 'localhost').rejectUnauthorized).toBe(false);
  });

  it('rxws/testing exports a fake connect and event factories', () => {
    expect(typeof testing.fakeConnect).toBe('function');
    expect(testing.closeEvent({ code: 1000 })).toMatchObject({ type: 'close', code: 1000 });
  });
});
