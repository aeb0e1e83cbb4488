import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateCertificate, type CertificatePair } from './certificates';
import { tlsConfigError } from './resolve';

/** The file names `writeCertificateSet` (and `rxws gencert`) writes, by role. */
export const CERTIFICATE_SET_FILES = {
  ca: { cert: 'ca.pem', key: 'ca-key.pem' },
  server: { cert: 'server.pem', key: 'server-key.pem' },
  client: { cert: 'client.pem', key: 'client-key.pem' },
} as const;

/** Default server names of a certificate set: the loopback host in all its spellings. */
export const DEFAULT_CERTIFICATE_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1'];

/** Options of `writeCertificateSet`. All optional. */
export interface CertificateSetOptions {
  /** DNS names and IP literals of the server certificate; the first is its common name. Default `DEFAULT_CERTIFICATE_HOSTS`. */
  hosts?: readonly string[];
  /** Validity in days of all three certificates. Default 365. */
  days?: number;
  /** Replace existing files. Default false: an existing file is an error, so keys are never lost by accident. */
  overwrite?: boolean;
}

/** A certificate pair and the files it was written to. */
export interface WrittenCertificatePair extends CertificatePair {
  certFile: string;
  keyFile: string;
}

/** What `writeCertificateSet` made: a CA, a server pair and a client pair signed by it. */
export interface CertificateSet {
  dir: string;
  ca: WrittenCertificatePair;
  server: WrittenCertificatePair;
  client: WrittenCertificatePair;
}

type Role = keyof typeof CERTIFICATE_SET_FILES;

function write(dir: string, role: Role, pair: CertificatePair): WrittenCertificatePair {
  const certFile = path.join(dir, CERTIFICATE_SET_FILES[role].cert);
  const keyFile = path.join(dir, CERTIFICATE_SET_FILES[role].key);
  writeFileSync(certFile, pair.cert);
  writeFileSync(keyFile, pair.key, { mode: 0o600 });
  chmodSync(keyFile, 0o600); // an overwritten file keeps its old mode: private keys are for the owner only
  return { ...pair, certFile, keyFile };
}

/**
 * Writes a development CA, a server certificate for `hosts` and a client certificate (both
 * signed by the CA) into `dir` (created if needed), as PEM files named by
 * `CERTIFICATE_SET_FILES`; private keys get mode 0600. What `rxws gencert` does.
 *
 * @example
 * const set = writeCertificateSet('./certs', { hosts: ['localhost', '127.0.0.1'] });
 * serve({ port: 8443, tls: { certFile: set.server.certFile, keyFile: set.server.keyFile, caFile: set.ca.certFile } });
 * connect('wss://localhost:8443', { tls: { caFile: set.ca.certFile, certFile: set.client.certFile, keyFile: set.client.keyFile } });
 */
export function writeCertificateSet(dir: string, options: CertificateSetOptions = {}): CertificateSet {
  const hosts = options.hosts ?? DEFAULT_CERTIFICATE_HOSTS;
  if (hosts.length === 0) throw tlsConfigError('writeCertificateSet: hosts is empty; name at least one DNS name or IP address of the server');
  if (!options.overwrite) {
    const roles = Object.values(CERTIFICATE_SET_FILES).flatMap((f) => [f.cert, f.key]);
    const existing = roles.map((f) => path.join(dir, f)).find((f) => existsSync(f));
    if (existing) throw tlsConfigError(`writeCertificateSet: '${existing}' already exists; pass overwrite: true to replace it`);
  }
  const days = options.days;
  const ca = generateCertificate({ commonName: 'rxws development CA', kind: 'ca', days });
  const server = generateCertificate({ commonName: hosts[0], altNames: hosts, kind: 'server', days, issuer: ca });
  const client = generateCertificate({ commonName: 'rxws client', kind: 'client', days, issuer: ca });
  mkdirSync(dir, { recursive: true });
  return { dir, ca: write(dir, 'ca', ca), server: write(dir, 'server', server), client: write(dir, 'client', client) };
}
