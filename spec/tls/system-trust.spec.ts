import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { rootCertificates } from 'node:tls';
import { filter, firstValueFrom, take, tap } from 'rxjs';
import { connect, WebSocketError, type WebSocketMessageEvent } from 'rxws';
import { systemRootCertificates } from 'rxws/tls';
import { useTestCertificates } from '../helpers/certs';
import { record } from '../helpers/observe';
import { startWssPeer, type WssPeer } from './wss-peer';

// 'SYSTEM' trusts the OS bundle as well as Node's compiled-in roots. The OS bundle is located
// once per process (module), so this file points SSL_CERT_FILE (OpenSSL's variable) at a bundle
// holding the test CA before anything reads it, as an administrator's update-ca-certificates would.
describe("caFile 'SYSTEM' includes the operating system's trust bundle", () => {
  const certs = useTestCertificates();
  const saved = process.env.SSL_CERT_FILE;
  let peer: WssPeer | undefined;
  beforeAll(() => {
    const bundle = path.join(certs().dir, 'os-bundle.crt');
    writeFileSync(bundle, `${rootCertificates[0]}\n${certs().ca.cert}`);
    process.env.SSL_CERT_FILE = bundle;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.SSL_CERT_FILE;
    else process.env.SSL_CERT_FILE = saved;
  });
  afterEach(async () => {
    await peer?.close();
    peer = undefined;
  });

  it("lists Node's roots, then the bundle's certificates Node lacks (and NODE_EXTRA_CA_CERTS), once each", () => {
    const roots = systemRootCertificates() ?? [];
    expect(roots.slice(0, rootCertificates.length)).toEqual(rootCertificates);
    expect(roots.slice(rootCertificates.length)).toContain(certs().ca.cert.trim());
    expect(roots.slice(rootCertificates.length)).not.toContain(rootCertificates[0]);
    expect(new Set(roots.map((pem) => pem.replace(/\s+/g, ''))).size).toBe(roots.length);
  });

  it('connects to a server signed by a CA of the OS bundle with the default trust', async () => {
    peer = await startWssPeer({ cert: certs().server.cert, key: certs().server.key });
    const message = await firstValueFrom(
      connect(peer.url(), { handshakeTimeoutMs: 10_000 }).pipe(
        tap((e) => e.type === 'open' && e.socket.send('trusted')),
        filter((e): e is WebSocketMessageEvent => e.type === 'message'),
        take(1),
      ),
    );
    expect(message.data).toBe('trusted');
  });

  it('still refuses a self-signed server', async () => {
    peer = await startWssPeer({ cert: certs().selfSigned.cert, key: certs().selfSigned.key });
    const rec = await record(connect(peer.url(), { handshakeTimeoutMs: 10_000 }));
    expect(rec.error).toBeInstanceOf(WebSocketError);
    expect((rec.error as WebSocketError).code).toBe('TLS_UNTRUSTED_CERTIFICATE');
  });
});
