import { filter, firstValueFrom, take, tap, toArray } from 'rxjs';
import { connect, WebSocketError, type ConnectOptions, type WebSocketMessageEvent } from 'rxws';
import { serve, type ServerConnection, type WebSocketServer } from 'rxws/server';
import { TlsConfigError, type TlsOptions } from 'rxws/tls';
import { useTestCertificates } from '../helpers/certs';
import { startWssPeer, type WssPeer } from './wss-peer';
import { record } from '../helpers/observe';

describe('mutual TLS: rxws serve() with tls.caFile, rxws connect()', () => {
  const certs = useTestCertificates();
  let server: WebSocketServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** An echo server requiring client certificates signed by the test CA; resolves with its wss:// URL. */
  async function startServer(tls: Partial<TlsOptions> = {}): Promise<{ url: string; accepted: ServerConnection[] }> {
    const { server: pair, ca } = certs();
    server = serve({ port: 0, host: '127.0.0.1', tls: { certFile: pair.certFile, keyFile: pair.keyFile, caFile: ca.certFile, ...tls } });
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

  it('refuses a client without a certificate with a reason saying one is required', async () => {
    const { url, accepted } = await startServer();
    const err = await failure(url, { tls: { caFile: certs().ca.cert } });
    expect(err.code).toBe('TLS_CLIENT_CERTIFICATE_REQUIRED');
    expect(err.reason).toMatch(/requires a client certificate.*tls\.certFile and tls\.keyFile/);
    expect(accepted).toHaveLength(0);
  });

  it('refuses a client whose certificate comes from another CA: a reset whose reason points at the client certificate', async () => {
    const { url, accepted } = await startServer();
    const { ca, strangerClient } = certs();
    const err = await failure(url, { tls: { caFile: ca.cert, certFile: strangerClient.certFile, keyFile: strangerClient.keyFile } });
    expect(err.code).toBe('CONNECTION_RESET');
    expect(err.reason).toMatch(/reset by the peer.*does not accept the one sent.*tls\.certFile/);
    expect(accepted).toHaveLength(0);
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
