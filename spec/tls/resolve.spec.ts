import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { resolveClientTls, resolveServerTls, TlsConfigError } from 'rxws/tls';
import { useTestCertificates } from '../helpers/certs';

describe('resolveClientTls()', () => {
  const certs = useTestCertificates();

  it("verifies by default ('SYSTEM') and sends SNI for a host name", () => {
    const out = resolveClientTls(undefined, 'example.test');
    expect(out.rejectUnauthorized).toBe(true);
    expect(out.servername).toBe('example.test');
    expect(out.checkServerIdentity).toBeUndefined();
    expect(out.secureContext).toBeDefined();
  });

  it.each(['127.0.0.1', '::1', '[::1]'])('sends no SNI for the IP literal %s (RFC 6066 §3)', (host) => {
    expect(resolveClientTls({}, host).servername).toBeUndefined();
  });

  it("'NONE' turns verification off", () => {
    expect(resolveClientTls({ caFile: 'NONE' }, 'localhost').rejectUnauthorized).toBe(false);
  });

  it('reads caFile from PEM text or a file, keeping the roots in the options (https.Agent pools by them)', () => {
    const { ca } = certs();
    expect(resolveClientTls({ caFile: ca.cert }, 'localhost').ca).toBe(ca.cert);
    expect(resolveClientTls({ caFile: ca.certFile }, 'localhost').ca).toBe(ca.cert);
  });

  it('reuses one secure context per configuration', () => {
    const { ca, client } = certs();
    const tls = { caFile: ca.certFile, certFile: client.certFile, keyFile: client.keyFile };
    expect(resolveClientTls(tls, 'a.test').secureContext).toBe(resolveClientTls(tls, 'b.test').secureContext);
    expect(resolveClientTls(tls, 'a.test').secureContext).not.toBe(resolveClientTls({ caFile: ca.certFile }, 'a.test').secureContext);
  });

  it('disableHostnameValidation skips only the name check; the chain is still verified', () => {
    const out = resolveClientTls({ disableHostnameValidation: true }, 'localhost');
    expect(out.rejectUnauthorized).toBe(true);
    expect(out.checkServerIdentity?.('localhost', {} as never)).toBeUndefined();
  });

  it.each([
    [{ certFile: 'c.pem' }, /tls\.certFile was given without tls\.keyFile/],
    [{ keyFile: 'k.pem' }, /tls\.keyFile was given without tls\.certFile/],
    [{ caFile: '/nonexistent/roots.pem' }, /tls\.caFile: cannot read '\/nonexistent\/roots\.pem' \(ENOENT\)/],
    [{ caFile: '' }, /tls\.caFile is empty/],
    [{ ciphers: 'NO-SUCH-CIPHER' }, /tls\.ciphers 'NO-SUCH-CIPHER' selects no cipher/],
  ])('refuses %j naming the option', (tls, message) => {
    expect(() => resolveClientTls(tls, 'localhost')).toThrow(TlsConfigError);
    expect(() => resolveClientTls(tls, 'localhost')).toThrow(message);
  });

  it('refuses files of the wrong kind, a key that does not match, and an unreadable file', () => {
    const { ca, client, server, dir } = certs();
    expect(() => resolveClientTls({ caFile: ca.keyFile }, 'x')).toThrow(/tls\.caFile: '.*ca-key\.pem' holds no certificate/);
    expect(() => resolveClientTls({ certFile: client.keyFile, keyFile: client.keyFile }, 'x')).toThrow(/tls\.certFile: .* holds no certificate/);
    expect(() => resolveClientTls({ certFile: client.certFile, keyFile: client.certFile }, 'x')).toThrow(/tls\.keyFile: .* holds no private key/);
    expect(() => resolveClientTls({ certFile: client.certFile, keyFile: server.keyFile }, 'x')).toThrow(
      /tls\.keyFile is not the private key of the certificate in tls\.certFile/,
    );
    const locked = path.join(dir, 'locked.pem');
    writeFileSync(locked, ca.cert, { mode: 0o000 });
    chmodSync(locked, 0o000);
    // root can read anything: then the file is simply accepted.
    if (process.getuid?.() === 0) expect(resolveClientTls({ caFile: locked }, 'x').ca).toBe(ca.cert);
    else expect(() => resolveClientTls({ caFile: locked }, 'x')).toThrow(/cannot read '.*locked\.pem' \(EACCES\)/);
  });
});

describe('resolveServerTls()', () => {
  const certs = useTestCertificates();

  it('needs a certificate and key', () => {
    expect(() => resolveServerTls({})).toThrow(/A TLS server needs tls\.certFile and tls\.keyFile/);
    expect(() => resolveServerTls({ keyFile: certs().server.keyFile })).toThrow(/tls\.keyFile was given without tls\.certFile/);
  });

  it('asks for no client certificate without caFile roots, so browsers connect normally', () => {
    const { server } = certs();
    for (const caFile of [undefined, 'SYSTEM', 'NONE']) {
      const out = resolveServerTls({ certFile: server.certFile, keyFile: server.keyFile, caFile });
      expect(out.requestCert).toBeUndefined();
      expect(out.cert).toBe(server.cert);
    }
  });

  it('requires and verifies client certificates when caFile names roots (mutual TLS)', () => {
    const { server, ca } = certs();
    const out = resolveServerTls({ certFile: server.certFile, keyFile: server.keyFile, caFile: ca.certFile, ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' });
    expect(out).toMatchObject({ ca: ca.cert, requestCert: true, rejectUnauthorized: true, ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' });
  });

  it('fails at startup when the key does not match the certificate', () => {
    const { server, client } = certs();
    expect(() => resolveServerTls({ certFile: server.certFile, keyFile: client.keyFile })).toThrow(/not the private key of the certificate/);
  });
});
