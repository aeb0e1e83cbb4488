import type { IncomingMessage } from 'node:http';
import { filter, firstValueFrom, take, tap, toArray } from 'rxjs';
import { connect, WebSocketError, type ConnectOptions, type WebSocketMessageEvent } from 'rxws';
import { HttpError, httpRequest, type HttpResponseEvent } from 'rxws/http';
import { serve, type IncomingHttpRequest, type ServeOptions, type ServerConnection, type UpgradeRequest, type WebSocketServer } from 'rxws/server';
import { generateCertificate, TlsConfigError, type TlsOptions } from 'rxws/tls';
import { useTestCertificates } from '../helpers/certs';
import { startWssPeer, type WssPeer } from './wss-peer';
import { record } from '../helpers/observe';

describe('mutual TLS: rxws serve() with tls.caFile, rxws connect() and httpRequest()', () => {
  const certs = useTestCertificates();
  let server: WebSocketServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** An echo server requiring client certificates signed by the test CA; resolves with its wss:// URL. */
  async function startServer(tls: Partial<TlsOptions> = {}, hooks: Partial<ServeOptions> = {}): Promise<{ url: string; accepted: ServerConnection[] }> {
    const { server: pair, ca } = certs();
    server = serve({ port: 0, host: '127.0.0.1', tls: { certFile: pair.certFile, keyFile: pair.keyFile, caFile: ca.certFile, ...tls }, ...hooks });
    const accepted: ServerConnection[] = [];
    server.connections$.subscribe((connection) => {
      accepted.push(connection);
      connection.messages$.subscribe((m) => connection.send(m.data));
    });
    const { port } = await server.listening;
    return { url: `wss://127.0.0.1:${port}`, accepted };
  }

  const clientTls = (): TlsOptions => ({ caFile: certs().ca.cert, certFile: certs().client.certFile, keyFile: certs().client.keyFile });

  async function echo(url: string, options: ConnectOptions): Promise<string> {
    const events = await firstValueFrom(
      connect(url, { handshakeTimeoutMs: 10_000, ...options }).pipe(
        tap((e) => e.type === 'open' && e.socket.send('hello')),
        filter((e): e is WebSocketMessageEvent => e.type === 'message'),
        take(1),
        toArray(),
      ),
    );
    return events[0].data as string;
  }

  async function failure(url: string, options: ConnectOptions): Promise<WebSocketError> {
    const rec = await record(connect(url, { handshakeTimeoutMs: 10_000, ...options }));
    expect(rec.values).toEqual([]);
    expect(rec.error).toBeInstanceOf(WebSocketError);
    return rec.error as WebSocketError;
  }

  it('accepts a client with a certificate signed by caFile and exposes it on connection.request', async () => {
    const { url, accepted } = await startServer();
    expect(await echo(url, { tls: clientTls() })).toBe('hello');
    expect(accepted).toHaveLength(1);
    const certificate = accepted[0].request.certificate;
    expect(certificate?.subject).toMatchObject({ CN: 'rxws test client', O: 'rxws tests' });
    expect(certificate?.issuer).toMatchObject({ CN: 'rxws test CA' });
    expect(certificate?.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('accepts the client pair given as PEM text', async () => {
    const { url } = await startServer({ caFile: certs().ca.cert });
    const { ca, client } = certs();
    expect(await echo(url, { tls: { caFile: ca.cert, certFile: client.cert, keyFile: client.key } })).toBe('hello');
  });

  /** A client certificate signed by the test CA that expired a week ago. */
  const expiredClient = (): TlsOptions => {
    const { ca, client } = certs();
    const longAgo = new Date(Date.now() - 10 * 86_400_000);
    const expired = generateCertificate({ commonName: 'rxws expired client', kind: 'client', issuer: ca, key: client.key, notBefore: longAgo, days: 1 });
    return { caFile: ca.cert, certFile: expired.cert, keyFile: expired.key };
  };

  /** The clients a server requiring certificates must refuse, with what the 403 reason says. */
  const refusedClients = (): Array<[string, TlsOptions, RegExp]> => {
    const { ca, strangerClient } = certs();
    return [
      ['without a certificate', { caFile: ca.cert }, /Client certificate required: .*tls\.certFile and tls\.keyFile/],
      [
        'with a certificate from another CA',
        { caFile: ca.cert, certFile: strangerClient.certFile, keyFile: strangerClient.keyFile },
        /Client certificate not trusted: UNABLE_TO_VERIFY_LEAF_SIGNATURE; present one signed by a CA this server trusts/,
      ],
      ['with an expired certificate', expiredClient(), /Client certificate expired: CERT_HAS_EXPIRED/],
    ];
  };

  it('refuses a client without a certificate with 403 and a reason saying one is required', async () => {
    const { url, accepted } = await startServer();
    const err = await failure(url, { tls: { caFile: certs().ca.cert } });
    expect(err.code).toBe('UNEXPECTED_STATUS');
    expect(err.httpStatus).toBe(403);
    expect(err.reason).toMatch(/got 403 status connecting to wss:\/\/127\.0\.0\.1:\d+\/: Client certificate required: .*tls\.certFile and tls\.keyFile/);
    expect(accepted).toHaveLength(0);
  });

  it('refuses a client whose certificate comes from another CA with 403 naming the verification error', async () => {
    const { url, accepted } = await startServer();
    const { ca, strangerClient } = certs();
    const err = await failure(url, { tls: { caFile: ca.cert, certFile: strangerClient.certFile, keyFile: strangerClient.keyFile } });
    expect(err.code).toBe('UNEXPECTED_STATUS');
    expect(err.httpStatus).toBe(403);
    expect(err.reason).toMatch(/Client certificate not trusted: UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    expect(accepted).toHaveLength(0);
  });

  it('refuses an expired client certificate with 403 saying it expired', async () => {
    const { url, accepted } = await startServer();
    const err = await failure(url, { tls: expiredClient() });
    expect(err.httpStatus).toBe(403);
    expect(err.reason).toMatch(/Client certificate expired: CERT_HAS_EXPIRED/);
    expect(accepted).toHaveLength(0);
  });

  it('lets no unverified client reach authorize, connections$ or onRequest, by WebSocket or plain HTTP', async () => {
    const authorized: UpgradeRequest[] = [];
    const requests: IncomingHttpRequest[] = [];
    const { url, accepted } = await startServer(
      {},
      {
        authorize: (request) => void authorized.push(request),
        onRequest: (request) => {
          requests.push(request);
          return { status: 200, body: 'secret' };
        },
      },
    );
    const httpsUrl = url.replace('wss:', 'https:') + '/page';
    for (const [name, tls, reason] of refusedClients()) {
      const err = await failure(url, { tls });
      expect([name, err.httpStatus, err.reason]).toEqual([name, 403, expect.stringMatching(reason)]);
      const response = await firstValueFrom(httpRequest(httpsUrl, { tls }).pipe(filter((e): e is HttpResponseEvent => e.type === 'response')));
      expect([name, response.status, response.text()]).toEqual([name, 403, expect.stringMatching(reason)]);
    }
    expect(authorized).toEqual([]);
    expect(accepted).toEqual([]);
    expect(requests).toEqual([]);
    // The same server lets a verified client through, with its certificate.
    expect(await echo(url, { tls: clientTls() })).toBe('hello');
    const response = await firstValueFrom(httpRequest(httpsUrl, { tls: clientTls() }).pipe(filter((e): e is HttpResponseEvent => e.type === 'response')));
    expect([response.status, response.text()]).toEqual([200, 'secret']);
    expect(authorized.map((r) => r.certificate?.subject.CN)).toEqual(['rxws test client']);
    expect(accepted.map((c) => c.request.certificate?.subject.CN)).toEqual(['rxws test client']);
    expect(requests.map((r) => r.url)).toEqual(['/page']);
  });

  it('without caFile the server asks for no certificate, and a client certificate is not exposed', async () => {
    const { url, accepted } = await startServer({ caFile: 'SYSTEM' });
    expect(await echo(url, { tls: { caFile: certs().ca.cert } })).toBe('hello');
    expect(accepted[0].request.certificate).toBeUndefined();
  });

  it('serve() refuses unusable tls options at startup, naming the option', () => {
    const { server: pair, client } = certs();
    expect(() => serve({ port: 0, tls: { certFile: pair.certFile } })).toThrow(/tls\.certFile was given without tls\.keyFile/);
    expect(() => serve({ port: 0, tls: { certFile: pair.certFile, keyFile: client.keyFile } })).toThrow(TlsConfigError);
  });

  describe('against a plain Node https + ws server rejecting in TLS (requestCert, rejectUnauthorized)', () => {
    let peer: WssPeer | undefined;
    afterEach(async () => {
      await peer?.close();
      peer = undefined;
    });

    it('a client certificate from another CA gets a reset whose reason points at the client certificate', async () => {
      const { server: pair, ca, strangerClient } = certs();
      peer = await startWssPeer({ cert: pair.cert, key: pair.key, ca: ca.cert, requestCert: true, rejectUnauthorized: true });
      const err = await failure(peer.url(), { tls: { caFile: ca.cert, certFile: strangerClient.certFile, keyFile: strangerClient.keyFile } });
      expect(err.code).toBe('CONNECTION_RESET');
      expect(err.reason).toMatch(/reset by the peer.*does not accept the one sent.*tls\.certFile/);
    });

    it('httpRequest: a client certificate from another CA fails with a reason pointing at the client certificate', async () => {
      const { server: pair, ca, strangerClient } = certs();
      peer = await startWssPeer({ cert: pair.cert, key: pair.key, ca: ca.cert, requestCert: true, rejectUnauthorized: true });
      const tls = { caFile: ca.cert, certFile: strangerClient.certFile, keyFile: strangerClient.keyFile };
      const rec = await record(httpRequest(peer.url().replace('wss:', 'https:') + '/', { tls }));
      expect(rec.error).toBeInstanceOf(HttpError);
      const err = rec.error as HttpError;
      expect(err.code).toBe('READ_FAILED');
      expect(err.reason).toMatch(/broke before a response arrived .*; a server that requires client certificates does this when it does not accept the one sent: check that tls\.certFile/);
      // Without one offered, the server's TLS 1.3 alert names the missing certificate.
      const none = await record(httpRequest(peer.url().replace('wss:', 'https:') + '/', { tls: { caFile: ca.cert } }));
      expect((none.error as HttpError).code).toBe('TLS_CLIENT_CERTIFICATE_REQUIRED');
    });

    it('httpRequest: a reset without a client certificate offered gets no client-certificate hint', async () => {
      const { server: pair, ca } = certs();
      peer = await startWssPeer({ cert: pair.cert, key: pair.key });
      peer.server.on('request', (req: IncomingMessage) => req.socket.destroy());
      const rec = await record(httpRequest(peer.url().replace('wss:', 'https:') + '/', { tls: { caFile: ca.cert } }));
      expect((rec.error as HttpError).code).toBe('READ_FAILED');
      expect((rec.error as HttpError).reason).toMatch(/broke before a response arrived/);
      expect((rec.error as HttpError).reason).not.toMatch(/client certificate/);
    });

    it('a missing client certificate is named by the TLS 1.3 alert', async () => {
      const { server: pair, ca } = certs();
      peer = await startWssPeer({ cert: pair.cert, key: pair.key, ca: ca.cert, requestCert: true, rejectUnauthorized: true });
      const err = await failure(peer.url(), { tls: { caFile: ca.cert } });
      expect(err.code).toBe('TLS_CLIENT_CERTIFICATE_REQUIRED');
      expect(err.reason).toMatch(/requires a client certificate.*tls\.certFile and tls\.keyFile/);
    });
  });

  describe('against a TLS 1.2 server (plain https + ws, requestCert)', () => {
    let peer: WssPeer | undefined;
    afterEach(async () => {
      await peer?.close();
      peer = undefined;
    });

    it('a missing client certificate is a handshake failure whose reason names it as a likely cause', async () => {
      const { server: pair, ca } = certs();
      peer = await startWssPeer({ cert: pair.cert, key: pair.key, ca: ca.cert, requestCert: true, rejectUnauthorized: true, maxVersion: 'TLSv1.2' });
      const err = await failure(peer.url(), { tls: { caFile: ca.cert } });
      expect(err.code).toBe('TLS_HANDSHAKE_FAILED');
      expect(err.reason).toMatch(/requires a client certificate.*ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE/);
    });

    it('accepts the client pair', async () => {
      const { server: pair, ca } = certs();
      peer = await startWssPeer({ cert: pair.cert, key: pair.key, ca: ca.cert, requestCert: true, rejectUnauthorized: true, maxVersion: 'TLSv1.2' });
      expect(await echo(peer.url(), { tls: clientTls() })).toBe('hello');
    });
  });
});
