// X.509 certificates for development and tests, built with node-forge. Node's `crypto` can make
// keys and read certificates (X509Certificate) but cannot build or sign one, so the certificate
// structure comes from node-forge; the RSA key pair comes from Node (native OpenSSL), which is
// ~10x faster than node-forge's pure-JS key generation.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';
import { tlsConfigError } from './resolve';

/** What a certificate is for: a CA signs others; a server or client certificate proves an identity. */
export type CertificateKind = 'ca' | 'server' | 'client';

/** A certificate and its private key, both PEM. */
export interface CertificatePair {
  cert: string;
  key: string;
}

/** Options of `generateCertificate`. Only `commonName` is required. */
export interface CertificateOptions {
  /** The subject's common name (CN), e.g. `'localhost'` or `'rxws test CA'`. */
  commonName: string;
  /**
   * Subject alternative names: DNS names (`'localhost'`, `'*.example.test'`) and IP literals
   * (`'127.0.0.1'`, `'::1'`), which become IP SANs. Default for a server: `[commonName]`;
   * else none.
   */
  altNames?: readonly string[];
  /** Validity in days from `notBefore`. Default `DEFAULT_CERTIFICATE_DAYS` (365). */
  days?: number;
  /** Start of validity. Default: one minute ago (tolerates small clock skew). A date far enough in the past makes an expired certificate. */
  notBefore?: Date;
  /** The CA that signs the certificate. Default: none, the certificate is self-signed. */
  issuer?: CertificatePair;
  /** `'ca'`, `'server'` (default; extKeyUsage serverAuth) or `'client'` (extKeyUsage clientAuth). */
  kind?: CertificateKind;
  /** The subject's organization (O). Default none. */
  organization?: string;
  /** RSA modulus size of a new key. Default `DEFAULT_KEY_BITS` (2048). */
  keyBits?: number;
  /** An existing RSA private key (PEM) to certify instead of making a new one: renewals, or several certificates of one key. */
  key?: string;
}

/** Default validity of a generated certificate, in days. */
export const DEFAULT_CERTIFICATE_DAYS = 365;
/** Default RSA key size of a generated certificate, in bits. */
export const DEFAULT_KEY_BITS = 2048;
/** How far before "now" a certificate's validity starts by default, in ms: absorbs clock skew between peers. */
const DEFAULT_BACKDATE_MS = 60_000;
const DAY_MS = 86_400_000;

// OpenSSL checks DNS SANs as host names; wildcards only as the whole left-most label.
const DNS_NAME = /^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function fail(message: string): never {
  throw tlsConfigError(`generateCertificate: ${message}`);
}

function validate(options: CertificateOptions): void {
  if (typeof options.commonName !== 'string' || options.commonName.trim() === '') fail('commonName must be a non-empty string');
  const days = options.days ?? DEFAULT_CERTIFICATE_DAYS;
  if (!Number.isFinite(days) || days <= 0) fail(`days must be a positive number, got ${days}`);
  if (options.notBefore !== undefined && Number.isNaN(options.notBefore.getTime?.())) fail('notBefore must be a valid Date');
  const bits = options.keyBits ?? DEFAULT_KEY_BITS;
  if (!Number.isInteger(bits) || bits < 1024) fail(`keyBits must be an integer of at least 1024, got ${bits}`);
  for (const name of options.altNames ?? []) {
    if (typeof name !== 'string' || (!isIP(name) && !DNS_NAME.test(name))) {
      fail(`altNames: ${JSON.stringify(name)} is neither a DNS name nor an IP address`);
    }
  }
  if (options.kind !== undefined && !['ca', 'server', 'client'].includes(options.kind)) {
    fail(`kind must be 'ca', 'server' or 'client', got ${JSON.stringify(options.kind)}`);
  }
}

/** A new RSA key from Node's native OpenSSL: ~0.2 s for 2048 bits, where node-forge's pure JS takes seconds. */
function newPrivateKey(bits: number): string {
  return generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  }).privateKey;
}

function parseKey(pem: string, option: string): forge.pki.rsa.PrivateKey {
  try {
    return forge.pki.privateKeyFromPem(pem);
  } catch (err) {
    return fail(`${option} must be an unencrypted RSA private key in PEM (node-forge signs with RSA only): ${(err as Error).message}`);
  }
}

function parseIssuer(issuer: CertificatePair): { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey } {
  let cert: forge.pki.Certificate;
  try {
    cert = forge.pki.certificateFromPem(issuer.cert);
  } catch (err) {
    return fail(`issuer.cert must be a PEM certificate with an RSA key (a CA made by generateCertificate({ kind: 'ca' }) fits): ${(err as Error).message}`);
  }
  const key = parseKey(issuer.key, 'issuer.key');
  const publicKey = cert.publicKey as forge.pki.rsa.PublicKey;
  if (publicKey.n.compareTo(key.n) !== 0) fail('issuer.key is not the private key of issuer.cert: pass the CA\'s matching pair');
  const constraints = cert.getExtension('basicConstraints') as { cA?: boolean } | undefined;
  if (!constraints?.cA) fail("issuer.cert is not a CA certificate (basicConstraints cA is not set): make one with generateCertificate({ kind: 'ca' })");
  return { cert, key };
}

/** A positive 128-bit serial number, as hex (RFC 5280 §4.1.2.2: unique per issuer, at most 20 octets). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

function subjectAltNames(names: readonly string[]): object[] {
  // GeneralName types (RFC 5280 §4.2.1.6): 2 = dNSName, 7 = iPAddress.
  return names.map((name) => (isIP(name) ? { type: 7, ip: name } : { type: 2, value: name }));
}

function extensions(kind: CertificateKind, altNames: readonly string[], authorityKeyId: string | undefined): object[] {
  const out: object[] = [];
  if (kind === 'ca') {
    out.push(
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    );
  } else {
    out.push(
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: kind === 'server', clientAuth: kind === 'client' },
    );
  }
  if (altNames.length > 0) out.push({ name: 'subjectAltName', altNames: subjectAltNames(altNames) });
  out.push({ name: 'subjectKeyIdentifier' });
  if (authorityKeyId !== undefined) out.push({ name: 'authorityKeyIdentifier', keyIdentifier: authorityKeyId });
  return out;
}

/** The issuer's key identifier (bytes), so that verifiers can find it by its subjectKeyIdentifier. */
function keyIdentifierOf(cert: forge.pki.Certificate): string {
  const ext = cert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | undefined;
  if (ext?.subjectKeyIdentifier) return forge.util.hexToBytes(ext.subjectKeyIdentifier);
  return cert.generateSubjectKeyIdentifier().getBytes();
}

/**
 * Makes an RSA key pair and an X.509 v3 certificate (SHA-256), self-signed or signed by
 * `issuer`: a CA, a server certificate with DNS and IP SANs, or a client certificate. For
 * development and tests; production certificates come from a real CA.
 *
 * @example
 * const ca = generateCertificate({ commonName: 'dev CA', kind: 'ca' });
 * const server = generateCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1', '::1'], issuer: ca });
 * const client = generateCertificate({ commonName: 'alice', kind: 'client', issuer: ca });
 * // An expired one, for tests:
 * const old = generateCertificate({ commonName: 'localhost', issuer: ca, notBefore: new Date(Date.now() - 10 * 86_400_000), days: 1 });
 */
export function generateCertificate(options: CertificateOptions): CertificatePair {
  validate(options);
  const kind = options.kind ?? 'server';
  const issuer = options.issuer === undefined ? undefined : parseIssuer(options.issuer);
  const altNames = options.altNames ?? (kind === 'server' ? [options.commonName] : []);
  const privateKey = options.key ?? newPrivateKey(options.keyBits ?? DEFAULT_KEY_BITS);
  const key = parseKey(privateKey, 'key');
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = serialNumber();
  const notBefore = options.notBefore ?? new Date(Date.now() - DEFAULT_BACKDATE_MS);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + (options.days ?? DEFAULT_CERTIFICATE_DAYS) * DAY_MS);
  const subject: forge.pki.CertificateField[] = [{ name: 'commonName', value: options.commonName }];
  if (options.organization) subject.push({ name: 'organizationName', value: options.organization });
  cert.setSubject(subject);
  cert.setIssuer(issuer ? issuer.cert.subject.attributes : subject);
  cert.setExtensions(extensions(kind, altNames, issuer ? keyIdentifierOf(issuer.cert) : undefined));
  cert.sign(issuer ? issuer.key : key, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privateKey };
}
