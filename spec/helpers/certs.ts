// Certificates for TLS tests, made at test time (no keys are committed).
//
//   import { useTestCertificates } from '../helpers/certs';
//   const certs = useTestCertificates();          // inside describe(): beforeAll makes them, afterAll deletes the folder
//   // then, in a test:
//   const { server, ca } = certs();
//   https.createServer({ cert: server.cert, key: server.key });            // PEM strings
//   connect(url, { tls: { caFile: ca.certFile } });                        // or file paths
//
// Or `createTestCertificates()` / `removeTestCertificates(set)` to manage the lifetime yourself.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateCertificate, type CertificateOptions, type CertificatePair } from 'rxws/tls';

/** A certificate and key as PEM text (`cert`, `key`) and as files in the set's folder (`certFile`, `keyFile`). */
export interface TestCertificate extends CertificatePair {
  certFile: string;
  keyFile: string;
}

/** Every certificate a TLS test needs. Server certificates name localhost, 127.0.0.1 and ::1 unless said otherwise. */
export interface TestCertificates {
  /** The temporary folder holding the files. */
  dir: string;
  /** The test CA ("rxws test CA"): pass `ca.cert` or `ca.certFile` as `tls.caFile`. */
  ca: TestCertificate;
  /** Server certificate signed by `ca`, CN localhost, SANs DNS:localhost, IP:127.0.0.1, IP:::1. */
  server: TestCertificate;
  /** Client certificate (extKeyUsage clientAuth) signed by `ca`, subject CN "rxws test client", O "rxws tests". */
  client: TestCertificate;
  /** Like `server`, but expired (valid from 10 days ago for 1 day). */
  expired: TestCertificate;
  /** Signed by `ca`, but for `wrong-host.test` only: a hostname mismatch for loopback. */
  wrongHost: TestCertificate;
  /** Self-signed, for localhost / 127.0.0.1 / ::1: refused by `caFile: 'SYSTEM'`. */
  selfSigned: TestCertificate;
  /** Server certificate for `localhost` only (no IP SANs): a mismatch when connecting to 127.0.0.1. */
  dnsOnly: TestCertificate;
  /** A second CA, unrelated to `ca`. */
  otherCa: TestCertificate;
  /** Client certificate signed by `otherCa`: refused by a server trusting only `ca`. */
  strangerClient: TestCertificate;
}

/** The names every loopback server certificate carries. */
export const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
const DAY_MS = 86_400_000;

/**
 * Makes the whole set (about a second: RSA key generation dominates, so the server-side
 * certificates share one key and the client-side ones another) and writes it to a new temp folder.
 */
export function createTestCertificates(): TestCertificates {
  const dir = mkdtempSync(path.join(tmpdir(), 'rxws-certs-'));
  const save = (name: string, pair: CertificatePair): TestCertificate => {
    const certFile = path.join(dir, `${name}.pem`);
    const keyFile = path.join(dir, `${name}-key.pem`);
    writeFileSync(certFile, pair.cert);
    writeFileSync(keyFile, pair.key, { mode: 0o600 });
    return { ...pair, certFile, keyFile };
  };
  const ca = generateCertificate({ commonName: 'rxws test CA', kind: 'ca' });
  const server = generateCertificate({ commonName: 'localhost', altNames: LOOPBACK_NAMES, issuer: ca });
  const leaf = (options: Omit<CertificateOptions, 'key'>): CertificatePair => generateCertificate({ ...options, key: server.key });
  const client = generateCertificate({ commonName: 'rxws test client', organization: 'rxws tests', kind: 'client', issuer: ca });
  const otherCa = generateCertificate({ commonName: 'rxws other CA', kind: 'ca' });
  return {
    dir,
    ca: save('ca', ca),
    server: save('server', server),
    client: save('client', client),
    expired: save('expired', leaf({ commonName: 'localhost', altNames: LOOPBACK_NAMES, issuer: ca, notBefore: new Date(Date.now() - 10 * DAY_MS), days: 1 })),
    wrongHost: save('wrong-host', leaf({ commonName: 'wrong-host.test', altNames: ['wrong-host.test'], issuer: ca })),
    selfSigned: save('self-signed', leaf({ commonName: 'localhost', altNames: LOOPBACK_NAMES })),
    dnsOnly: save('dns-only', leaf({ commonName: 'localhost', altNames: ['localhost'], issuer: ca })),
    otherCa: save('other-ca', otherCa),
    strangerClient: save('stranger-client', generateCertificate({ commonName: 'stranger', kind: 'client', issuer: otherCa, key: client.key })),
  };
}

/** Deletes the set's folder. */
export function removeTestCertificates(set: TestCertificates): void {
  rmSync(set.dir, { recursive: true, force: true });
}

/**
 * Registers jest hooks: the set is made once in `beforeAll` and its folder deleted in
 * `afterAll`. Call it inside `describe`; read the set with the returned getter inside tests.
 */
export function useTestCertificates(): () => TestCertificates {
  let set: TestCertificates | undefined;
  beforeAll(() => {
    set = createTestCertificates();
  });
  afterAll(() => {
    if (set) removeTestCertificates(set);
  });
  return () => {
    if (!set) throw new Error('useTestCertificates(): the certificates exist only inside tests (after beforeAll)');
    return set;
  };
}
