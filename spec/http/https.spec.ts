import type { RequestListener } from 'node:http';
import { HttpError, httpRequest } from 'rxws/http';
import { generateCertificate, type CertificatePair } from '../../src/tls/certificates';
import { record } from '../helpers/observe';
import { responseOf, startHttpsServer, type TestHttpServer } from './servers';

describe('httpRequest(): https', () => {
  let ca: CertificatePair;
  let good: CertificatePair;
  let wrongName: CertificatePair;
  let expired: CertificatePair;
  let server: TestHttpServer;
  const hello: RequestListener = (req, res) => res.end(`hello ${req.method} ${req.url}`);

  beforeAll(() => {
    ca = generateCertificate({ commonName: 'rxws http test CA', kind: 'ca' });
    good = generateCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'], issuer: ca });
    wrongName = generateCertificate({ commonName: 'elsewhere.test', altNames: ['elsewhere.test'], issuer: ca });
    const longAgo = new Date(Date.now() - 10 * 86_400_000);
    expired = generateCertificate({ commonName: 'localhost', altNames: ['127.0.0.1'], issuer: ca, notBefore: longAgo, days: 1 });
  });
  afterEach(async () => server?.close());

  const failure = async (url: string, options: Parameters<typeof httpRequest>[1]): Promise<HttpError> => {
    const rec = await record(httpRequest(url, options));
    expect(rec.error).toBeInstanceOf(HttpError);
    return rec.error as HttpError;
  };

  it('requests over TLS with the CA given as tls.caFile (PEM text)', async () => {
    server = await startHttpsServer(hello, good.cert, good.key);
    const response = await responseOf(httpRequest(server.url + '/s', { method: 'POST', body: 'x', tls: { caFile: ca.cert } }));
    expect(response.status).toBe(200);
    expect(response.text()).toBe('hello POST /s');
  });

  it('fails with TLS_UNTRUSTED_CERTIFICATE against the system roots', async () => {
    server = await startHttpsServer(hello, good.cert, good.key);
    const err = await failure(server.url, {});
    expect(err.code).toBe('TLS_UNTRUSTED_CERTIFICATE');
    expect(err.reason).toMatch(/pass its CA as tls.caFile/);
  });

  it('accepts any certificate with caFile NONE', async () => {
    server = await startHttpsServer(hello, wrongName.cert, wrongName.key);
    expect((await responseOf(httpRequest(server.url, { tls: { caFile: 'NONE' } }))).status).toBe(200);
  });

  it('fails with TlsHostnameMismatch, and passes with disableHostnameValidation', async () => {
    server = await startHttpsServer(hello, wrongName.cert, wrongName.key);
    expect((await failure(server.url, { tls: { caFile: ca.cert } })).code).toBe('TLS_HOSTNAME_MISMATCH');
    const lax = await responseOf(httpRequest(server.url, { tls: { caFile: ca.cert, disableHostnameValidation: true } }));
    expect(lax.status).toBe(200);
    // A connection kept alive without the name check must not serve a request that wants it.
    expect((await failure(server.url, { tls: { caFile: ca.cert } })).code).toBe('TLS_HOSTNAME_MISMATCH');
  });

  it('fails with TlsCertificateExpired for an expired certificate', async () => {
    server = await startHttpsServer(hello, expired.cert, expired.key);
    expect((await failure(server.url, { tls: { caFile: ca.cert } })).code).toBe('TLS_CERTIFICATE_EXPIRED');
  });

  it('reuses one TLS connection for sequential requests', async () => {
    server = await startHttpsServer(hello, good.cert, good.key);
    for (let i = 0; i < 3; i++) await responseOf(httpRequest(`${server.url}/${i}`, { tls: { caFile: ca.cert } }));
    expect(server.connections).toBe(1);
  });

  it('reports an unreadable tls.caFile as Invalid', async () => {
    const err = await failure('https://127.0.0.1:9/', { tls: { caFile: '/nonexistent/ca.pem' } });
    expect(err.code).toBe('INVALID_OPTIONS');
    expect(err.reason).toMatch(/tls.caFile: cannot read/);
  });
});
