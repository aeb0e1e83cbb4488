import { filter, firstValueFrom, take, tap, toArray } from 'rxjs';
import { connect, WebSocketError, type ConnectOptions, type LookupFunction, type WebSocketEvent, type WebSocketMessageEvent } from 'rxws';
import { useTestCertificates, type TestCertificate } from '../helpers/certs';
import { record } from '../helpers/observe';
import { startWsServer, type TestWsServer } from '../helpers/ws-server';
import { startWssPeer, type WssPeer } from './wss-peer';

const isMessage = (e: WebSocketEvent): e is WebSocketMessageEvent => e.type === 'message';

/** Resolves every name to 127.0.0.1, so tests can use names without DNS. */
const loopback: LookupFunction = (_host, options, callback) => {
  if ((options as { all?: boolean }).all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

/** Opens a connection, sends 'ping' and resolves with the echoed text (then closes). */
async function echo(url: string, options: ConnectOptions = {}): Promise<string> {
  const events = await firstValueFrom(
    connect(url, { lookup: loopback, handshakeTimeoutMs: 10_000, ...options }).pipe(
      tap((e) => e.type === 'open' && e.socket.send('ping')),
      filter((e) => e.type === 'open' || isMessage(e)),
      take(2),
      toArray(),
    ),
  );
  expect(events.map((e) => e.type)).toEqual(['open', 'message']);
  return (events[1] as WebSocketMessageEvent).data as string;
}

async function failure(url: string, options: ConnectOptions = {}): Promise<WebSocketError> {
  const rec = await record(connect(url, { lookup: loopback, handshakeTimeoutMs: 10_000, ...options }));
  expect(rec.values).toEqual([]);
  expect(rec.error).toBeInstanceOf(WebSocketError);
  return rec.error as WebSocketError;
}

describe('connect() over wss (peer: https + ws)', () => {
  const certs = useTestCertificates();
  let peer: WssPeer | undefined;
  let plain: TestWsServer | undefined;
  const serveWith = async (pair: TestCertificate, host?: string): Promise<WssPeer> => {
    peer = await startWssPeer({ cert: pair.cert, key: pair.key }, host);
    return peer;
  };
  afterEach(async () => {
    await peer?.close();
    await plain?.close();
    peer = plain = undefined;
  });

  describe('caFile', () => {
    it('trusts the CA given as a file path', async () => {
      const { url } = await serveWith(certs().server);
      expect(await echo(url('localhost'), { tls: { caFile: certs().ca.certFile } })).toBe('ping');
    });

    it('trusts the CA given as PEM text', async () => {
      const { url } = await serveWith(certs().server);
      expect(await echo(url('localhost'), { tls: { caFile: certs().ca.cert } })).toBe('ping');
    });

    it("accepts any certificate with 'NONE': self-signed, wrong host, expired", async () => {
      for (const pair of [certs().selfSigned, certs().wrongHost, certs().expired]) {
        const { url } = await serveWith(pair);
        expect(await echo(url('localhost'), { tls: { caFile: 'NONE' } })).toBe('ping');
        await peer?.close();
        peer = undefined;
      }
    });

    it("refuses a self-signed server with the default 'SYSTEM' trust, saying so", async () => {
      const { url } = await serveWith(certs().selfSigned);
      for (const tls of [undefined, { caFile: 'SYSTEM' }]) {
        const err = await failure(url('localhost'), { tls });
        expect(err.code).toBe('TLS_UNTRUSTED_CERTIFICATE');
        expect(err.reason).toMatch(/certificate of localhost on port \d+ is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT.*tls\.caFile/);
      }
    });

    it("refuses a server signed by a private CA with 'SYSTEM'", async () => {
      const { url } = await serveWith(certs().server);
      const err = await failure(url('localhost'));
      expect(err.code).toBe('TLS_UNTRUSTED_CERTIFICATE');
      expect(err.reason).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    });

    it('refuses a server presenting a client certificate (no serverAuth purpose)', async () => {
      peer = await startWssPeer({ cert: certs().client.cert, key: certs().client.key });
      const err = await failure(peer.url('localhost'), { tls: { caFile: certs().ca.cert, disableHostnameValidation: true } });
      expect(err.code).toBe('TLS_UNTRUSTED_CERTIFICATE');
      expect(err.reason).toMatch(/is not made for a server \(INVALID_PURPOSE.*serverAuth/);
    });

    it('refuses a server whose certificate comes from another CA than caFile', async () => {
      const { url } = await serveWith(certs().server);
      const err = await failure(url('localhost'), { tls: { caFile: certs().otherCa.cert } });
      expect(err.code).toBe('TLS_UNTRUSTED_CERTIFICATE');
    });
  });

  describe('host names', () => {
    it('refuses a certificate that does not name the host, naming it', async () => {
      const { url } = await serveWith(certs().wrongHost);
      const err = await failure(url('localhost'), { tls: { caFile: certs().ca.cert } });
      expect(err.code).toBe('TLS_HOSTNAME_MISMATCH');
      expect(err.reason).toMatch(/does not name 'localhost'.*wrong-host\.test.*disableHostnameValidation/);
    });

    it('accepts it with disableHostnameValidation', async () => {
      const { url } = await serveWith(certs().wrongHost);
      expect(await echo(url('localhost'), { tls: { caFile: certs().ca.cert, disableHostnameValidation: true } })).toBe('ping');
    });

    it('still verifies the chain with disableHostnameValidation', async () => {
      const { url } = await serveWith(certs().selfSigned);
      const err = await failure(url('localhost'), { tls: { disableHostnameValidation: true } });
      expect(err.code).toBe('TLS_UNTRUSTED_CERTIFICATE');
    });

    it('checks an IPv4 literal against the IP SANs', async () => {
      const { url } = await serveWith(certs().server);
      expect(await echo(url('127.0.0.1'), { tls: { caFile: certs().ca.cert } })).toBe('ping');
      await peer?.close();
      const dnsOnly = await serveWith(certs().dnsOnly);
      const err = await failure(dnsOnly.url('127.0.0.1'), { tls: { caFile: certs().ca.cert } });
      expect(err.code).toBe('TLS_HOSTNAME_MISMATCH');
      expect(err.reason).toContain("does not name '127.0.0.1'");
    });

    it('checks an IPv6 literal against the IP SANs', async () => {
      const { url } = await serveWith(certs().server, '::1');
      expect(await echo(url('::1'), { tls: { caFile: certs().ca.cert } })).toBe('ping');
      await peer?.close();
      const dnsOnly = await serveWith(certs().dnsOnly, '::1');
      const err = await failure(dnsOnly.url('::1'), { tls: { caFile: certs().ca.cert } });
      expect(err.code).toBe('TLS_HOSTNAME_MISMATCH');
    });

    it('sends SNI for a host name and none for an IP literal', async () => {
      const { url, servernames } = await serveWith(certs().server);
      await echo(url('localhost'), { tls: { caFile: certs().ca.cert } });
      await echo(url('127.0.0.1'), { tls: { caFile: certs().ca.cert } });
      expect(servernames).toEqual(['localhost', false]);
    });
  });

  it('refuses an expired certificate, saying so', async () => {
    const { url } = await serveWith(certs().expired);
    for (const tls of [{ caFile: certs().ca.cert }, { caFile: certs().ca.cert, disableHostnameValidation: true }]) {
      const err = await failure(url('localhost'), { tls });
      expect(err.code).toBe('TLS_CERTIFICATE_EXPIRED');
      expect(err.reason).toMatch(/certificate of localhost on port \d+ has expired/);
    }
  });

  it('reports a wss:// connection to a plain ws:// server as a TLS handshake failure', async () => {
    plain = await startWsServer();
    const err = await failure(plain.url.replace('ws:', 'wss:'), { tls: { caFile: 'NONE' } });
    expect(err.code).toBe('TLS_HANDSHAKE_FAILED');
    expect(err.reason).toMatch(/did not answer in TLS/);
  });

  describe('ciphers (TLS 1.2 peer offering one cipher)', () => {
    const serveOneCipher = async (): Promise<WssPeer> => {
      const { server } = certs();
      peer = await startWssPeer({ cert: server.cert, key: server.key, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' });
      return peer;
    };

    it('connects when tls.ciphers includes it', async () => {
      const { url } = await serveOneCipher();
      expect(await echo(url('localhost'), { tls: { caFile: certs().ca.cert, ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' } })).toBe('ping');
    });

    it('fails with a reason naming tls.ciphers when it does not', async () => {
      const { url } = await serveOneCipher();
      const err = await failure(url('localhost'), { tls: { caFile: certs().ca.cert, ciphers: 'ECDHE-RSA-AES256-GCM-SHA384' } });
      expect(err.code).toBe('TLS_HANDSHAKE_FAILED');
      expect(err.reason).toMatch(/no cipher or protocol version in common \(check tls\.ciphers\)/);
    });
  });

  describe('unusable options are INVALID_OPTIONS errors naming the option, before any connection', () => {
    it.each([
      [{ certFile: 'client.pem' }, /tls\.certFile was given without tls\.keyFile/],
      [{ caFile: '/nonexistent/ca.pem' }, /tls\.caFile: cannot read '\/nonexistent\/ca\.pem' \(ENOENT\)/],
      [{ caFile: 'NONE', ciphers: 'NOT-A-CIPHER' }, /tls\.ciphers 'NOT-A-CIPHER' selects no cipher/],
    ])('%j', async (tls, reason) => {
      const { url, servernames } = await serveWith(certs().server);
      const err = await failure(url('localhost'), { tls });
      expect(err.code).toBe('INVALID_OPTIONS');
      expect(err.reason).toMatch(reason);
      expect(servernames).toEqual([]);
    });
  });
});
