// What `caFile: 'SYSTEM'` trusts. Node 20 trusts only the Mozilla roots compiled into it
// (`tls.rootCertificates`), not the operating system's store, so a CA an administrator added
// with `update-ca-certificates` would be refused. IXWebSocket's SYSTEM means the OS store, so
// rxws trusts both: Node's roots plus the certificates of the OS bundle that Node lacks.
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

/**
 * Where OpenSSL-based systems keep their trust bundle, first readable one wins:
 * Debian/Ubuntu/Alpine, Fedora/RHEL, openSUSE, macOS/BSD. `SSL_CERT_FILE` (OpenSSL's variable) overrides.
 */
export const SYSTEM_CA_BUNDLES: readonly string[] = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/ssl/cert.pem',
];

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function pemBlocks(text: string): string[] {
  return text.match(PEM_BLOCK) ?? [];
}

function readIfPresent(file: string | undefined): string {
  if (!file) return '';
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function osBundle(): string {
  const override = process.env.SSL_CERT_FILE;
  if (override) return readIfPresent(override);
  for (const file of SYSTEM_CA_BUNDLES) {
    const text = readIfPresent(file);
    if (text) return text;
  }
  return '';
}

let cached: readonly string[] | null | undefined;

/**
 * The roots `caFile: 'SYSTEM'` trusts when they differ from Node's default store: Node's
 * compiled-in roots, the certificates of the OS bundle that Node lacks, and `NODE_EXTRA_CA_CERTS`
 * (which Node drops as soon as `ca` is set explicitly). `null` when the OS bundle adds nothing
 * (Node's own store is then used as is). Read once per process: parsing ~300 roots costs ~40 ms,
 * so callers cache the secure context too.
 */
export function systemRootCertificates(): readonly string[] | null {
  if (cached !== undefined) return cached;
  const known = new Set(rootCertificates.map((pem) => pem.replace(/\s+/g, '')));
  const extra = [...pemBlocks(osBundle()), ...pemBlocks(readIfPresent(process.env.NODE_EXTRA_CA_CERTS))].filter((pem) => {
    const normalized = pem.replace(/\s+/g, '');
    if (known.has(normalized)) return false;
    known.add(normalized);
    return true;
  });
  cached = extra.length === 0 ? null : [...rootCertificates, ...extra];
  return cached;
}
