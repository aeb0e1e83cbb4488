import { readFileSync } from 'node:fs';
import type { ConnectionOptions, TlsOptions as NodeTlsOptions } from 'node:tls';
import type { TlsOptions } from '../observables/options';

const PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----';

/** Thrown when TLS options cannot be used: says which option and what to do. */
export class TlsConfigError extends Error {
  override readonly name = 'TlsConfigError';
}

function readPem(value: string, option: string): string {
  if (value.includes('-----BEGIN ')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new TlsConfigError(`tls.${option}: cannot read '${value}' (${why}); pass a readable PEM file path or the PEM text itself`);
  }
}

function keyPair(tls: TlsOptions): Pick<NodeTlsOptions, 'cert' | 'key'> {
  if (tls.certFile === undefined && tls.keyFile === undefined) return {};
  if (tls.certFile === undefined || tls.keyFile === undefined) {
    const missing = tls.certFile === undefined ? 'certFile' : 'keyFile';
    const given = missing === 'certFile' ? 'keyFile' : 'certFile';
    throw new TlsConfigError(`tls.${given} was given without tls.${missing}: a certificate and its key go together`);
  }
  return { cert: readPem(tls.certFile, 'certFile'), key: readPem(tls.keyFile, 'keyFile') };
}

/** The roots named by `caFile`: undefined for `SYSTEM` (Node's bundle), null for `NONE`. */
function roots(caFile: string | undefined): string | undefined | null {
  if (caFile === undefined || caFile === 'SYSTEM') return undefined;
  if (caFile === 'NONE') return null;
  if (caFile.includes(PEM_CERTIFICATE)) return caFile;
  return readPem(caFile, 'caFile');
}

/** Node client TLS options (for `tls.connect`, `https.request`, `ws`) from rxws `TlsOptions`. */
export function resolveClientTls(tls: TlsOptions | undefined, servername: string): ConnectionOptions {
  const opts = tls ?? {};
  const ca = roots(opts.caFile);
  const out: ConnectionOptions = { ...keyPair(opts), rejectUnauthorized: ca !== null };
  if (ca) out.ca = ca;
  if (opts.ciphers) out.ciphers = opts.ciphers;
  // SNI must be a host name, never an IP literal (RFC 6066 §3).
  if (!/^[\d.]+$/.test(servername) && !servername.includes(':')) out.servername = servername;
  if (opts.disableHostnameValidation) out.checkServerIdentity = () => undefined;
  return out;
}

/** Node server TLS options from rxws `TlsOptions`; `caFile` roots make client certificates required. */
export function resolveServerTls(tls: TlsOptions): NodeTlsOptions {
  const pair = keyPair(tls);
  if (pair.cert === undefined) {
    throw new TlsConfigError('A TLS server needs tls.certFile and tls.keyFile');
  }
  const ca = roots(tls.caFile);
  const out: NodeTlsOptions = { ...pair };
  if (ca) {
    out.ca = ca;
    out.requestCert = true;
    out.rejectUnauthorized = true;
  }
  if (tls.ciphers) out.ciphers = tls.ciphers;
  return out;
}
