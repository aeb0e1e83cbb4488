import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CERTIFICATE_SET_FILES, generateCertificate, TlsConfigError, writeCertificateSet, type CertificatePair } from 'rxws/tls';

const DAY_MS = 86_400_000;

describe('generateCertificate()', () => {
  let ca: CertificatePair;
  let leafKey: string; // shared by the certificates below that do not test key generation: keeps the file fast
  beforeAll(() => {
    ca = generateCertificate({ commonName: 'spec CA', kind: 'ca', organization: 'rxws' });
    leafKey = generateCertificate({ commonName: 'key holder', issuer: ca }).key;
  });

  it('makes a self-signed CA that can sign', () => {
    const x = new X509Certificate(ca.cert);
    expect(x.ca).toBe(true);
    expect(x.subject).toBe('CN=spec CA\nO=rxws');
    expect(x.issuer).toBe(x.subject);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkPrivateKey(createPrivateKey(ca.key))).toBe(true);
  });

  it('makes a server certificate with DNS and IP SANs, signed by the issuer, valid for serverAuth', () => {
    const pair = generateCertificate({ commonName: 'localhost', altNames: ['localhost', '*.example.test', '127.0.0.1', '::1'], issuer: ca });
    const x = new X509Certificate(pair.cert);
    expect(x.ca).toBe(false);
    expect(x.subjectAltName).toBe('DNS:localhost, DNS:*.example.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(x.checkIssued(new X509Certificate(ca.cert))).toBe(true);
    expect(x.verify(new X509Certificate(ca.cert).publicKey)).toBe(true);
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(x.checkHost('localhost')).toBe('localhost');
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x.checkIP('10.0.0.1')).toBeUndefined();
  });

  it('names the common name as the only SAN of a server certificate by default', () => {
    const x = new X509Certificate(generateCertificate({ commonName: 'api.test', issuer: ca, key: leafKey }).cert);
    expect(x.subjectAltName).toBe('DNS:api.test');
  });

  it('makes a client certificate for clientAuth', () => {
    const x = new X509Certificate(generateCertificate({ commonName: 'alice', kind: 'client', issuer: ca, key: leafKey }).cert);
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(x.subjectAltName).toBeUndefined();
  });

  it('honours days and notBefore, so an expired certificate can be made', () => {
    const notBefore = new Date(Date.now() - 10 * DAY_MS);
    const x = new X509Certificate(generateCertificate({ commonName: 'old', issuer: ca, notBefore, days: 1, key: leafKey }).cert);
    expect(new Date(x.validTo).getTime()).toBeLessThan(Date.now());
    expect(Math.round((new Date(x.validTo).getTime() - new Date(x.validFrom).getTime()) / DAY_MS)).toBe(1);
    const fresh = new X509Certificate(generateCertificate({ commonName: 'new', issuer: ca, days: 30, key: leafKey }).cert);
    expect(new Date(fresh.validFrom).getTime()).toBeLessThanOrEqual(Date.now());
    expect(Math.round((new Date(fresh.validTo).getTime() - Date.now()) / DAY_MS)).toBe(30);
  });

  it('certifies an existing key when given one, and gives each certificate its own serial', () => {
    const a = generateCertificate({ commonName: 'a', issuer: ca, key: leafKey });
    const b = generateCertificate({ commonName: 'b', issuer: ca, key: leafKey });
    expect(b.key).toBe(leafKey);
    expect(new X509Certificate(b.cert).checkPrivateKey(createPrivateKey(leafKey))).toBe(true);
    expect(new X509Certificate(a.cert).serialNumber).not.toBe(new X509Certificate(b.cert).serialNumber);
  });

  it.each([
    [{ commonName: '' }, /commonName must be a non-empty string/],
    [{ commonName: 'x', days: 0 }, /days must be a positive number/],
    [{ commonName: 'x', altNames: ['bad name!'] }, /altNames: "bad name!" is neither a DNS name nor an IP address/],
    [{ commonName: 'x', keyBits: 512 }, /keyBits must be an integer of at least 1024/],
    [{ commonName: 'x', key: 'not a key' }, /key must be an unencrypted RSA private key in PEM/],
    [{ commonName: 'x', issuer: { cert: 'nope', key: 'nope' } }, /issuer\.cert must be a PEM certificate/],
  ])('refuses %j with a clear error', (options, message) => {
    expect(() => generateCertificate(options)).toThrow(TlsConfigError);
    expect(() => generateCertificate(options)).toThrow(message);
  });

  it('refuses an issuer that is not a CA, or whose key does not match', () => {
    const leaf = generateCertificate({ commonName: 'leaf', issuer: ca, key: leafKey });
    expect(() => generateCertificate({ commonName: 'x', issuer: leaf })).toThrow(/issuer\.cert is not a CA certificate/);
    expect(() => generateCertificate({ commonName: 'x', issuer: { cert: ca.cert, key: leaf.key } })).toThrow(/issuer\.key is not the private key of issuer\.cert/);
  });
});

describe('writeCertificateSet()', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'rxws-set-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a CA, a server pair for the hosts and a client pair, keys readable by the owner only', () => {
    const target = path.join(dir, 'nested', 'certs');
    const set = writeCertificateSet(target, { hosts: ['app.test', '10.1.2.3'], days: 7 });
    for (const files of Object.values(CERTIFICATE_SET_FILES)) {
      expect(existsSync(path.join(target, files.cert))).toBe(true);
      expect(statSync(path.join(target, files.key)).mode & 0o777).toBe(0o600);
    }
    expect(set.server.certFile).toBe(path.join(target, 'server.pem'));
    const caCert = new X509Certificate(set.ca.cert);
    const server = new X509Certificate(set.server.cert);
    const client = new X509Certificate(set.client.cert);
    expect(caCert.ca).toBe(true);
    expect(server.subjectAltName).toBe('DNS:app.test, IP Address:10.1.2.3');
    expect(server.checkIssued(caCert) && client.checkIssued(caCert)).toBe(true);
    expect(client.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(Math.round((new Date(server.validTo).getTime() - Date.now()) / DAY_MS)).toBe(7);
  });

  it('refuses to overwrite existing files unless asked', () => {
    writeFileSync(path.join(dir, 'ca-key.pem'), 'precious');
    expect(() => writeCertificateSet(dir)).toThrow(/ca-key\.pem' already exists; pass overwrite: true/);
    const set = writeCertificateSet(dir, { overwrite: true });
    expect(new X509Certificate(set.server.cert).subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
  });
});
