// Issue 15 item 17: bad TLS options fail at startup with a TlsConfigError that says what is
// wrong: a corrupt CA certificate, a caFile that is not a string; caFile 'NONE' warns once.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { connect, WebSocketError } from 'rxws';
import { lastValueFrom } from 'rxjs';
import { resolveClientTls, resolveServerTls, TlsConfigError, type TlsOptions } from 'rxws/tls';
import { useTestCertificates } from '../helpers/certs';

/** `pem` with one base64 line in its body replaced: still PEM-shaped, no longer a certificate. */
function corrupt(pem: string): string {
  const lines = pem.trim().split('\n');
  lines[3] = 'A'.repeat(lines[3].length);
  lines[4] = '!!!' + lines[4].slice(3);
  return lines.join('\n') + '\n';
}

describe('TLS options from a hostile or careless config', () => {
  const certs = useTestCertificates();

  it('a corrupt PEM CA (text or file) is refused by resolveClientTls and resolveServerTls, naming the certificate', () => {
    const { ca, otherCa, server, dir } = certs();
    const bad = ca.cert + corrupt(otherCa.cert);
    const file = path.join(dir, 'corrupt-ca.pem');
    writeFileSync(file, bad);
    for (const caFile of [bad, file]) {
      expect(() => resolveClientTls({ caFile }, 'localhost')).toThrow(TlsConfigError);
      expect(() => resolveClientTls({ caFile }, 'localhost')).toThrow(/tls.caFile: certificate 2 of 2 in .* is corrupt/);
      expect(() => resolveServerTls({ certFile: server.certFile, keyFile: server.keyFile, caFile })).toThrow(/tls.caFile: certificate 2 of 2/);
    }
    expect(() => resolveClientTls({ caFile: ca.cert + otherCa.cert }, 'localhost')).not.toThrow();
  });

  it('a PEM CA cut short (no END line) is refused', () => {
    const { ca } = certs();
    const cut = ca.cert.slice(0, ca.cert.indexOf('-----END'));
    expect(() => resolveClientTls({ caFile: cut }, 'localhost')).toThrow(/no complete certificate/);
  });

  it('connect() fails with INVALID_OPTIONS carrying that reason, before any connection', async () => {
    const { ca } = certs();
    const err = await lastValueFrom(connect('wss://127.0.0.1:9', { tls: { caFile: corrupt(ca.cert) } })).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(WebSocketError);
    expect(err).toMatchObject({ code: 'INVALID_OPTIONS' });
    expect((err as WebSocketError).reason).toMatch(/tls.caFile: certificate 1 of 1 in the PEM text given is corrupt/);
  });

  it.each([42, {}, null, ['ca.pem']])('caFile %p says which type it expects', (caFile) => {
    const tls = { caFile } as unknown as TlsOptions;
    expect(() => resolveClientTls(tls, 'localhost')).toThrow(/tls.caFile must be a string: 'SYSTEM', 'NONE', PEM text or a PEM file path, got /);
  });

  it('certFile and keyFile of another type say what they expect', () => {
    const { server } = certs();
    expect(() => resolveServerTls({ certFile: 42, keyFile: server.keyFile } as unknown as TlsOptions)).toThrow(/tls.certFile must be a string \(a PEM file path or the PEM text itself\), got number/);
  });

  it("caFile 'NONE' emits one SecurityWarning per process, however many connections use it", () => {
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      for (let i = 0; i < 3; i++) resolveClientTls({ caFile: 'NONE' }, 'localhost');
      expect(emitWarning).toHaveBeenCalledTimes(1);
      const [message, options] = emitWarning.mock.calls[0] as [string, { type: string; code: string }];
      expect(message).toMatch(/tls.caFile is 'NONE': server certificates are not verified/);
      expect(options).toEqual({ type: 'SecurityWarning', code: 'RXWS_TLS_NO_VERIFY' });
    } finally {
      emitWarning.mockRestore();
    }
  });
});
