// TlsOptions (IXWebSocket's certFile / keyFile / caFile / ciphers / disableHostnameValidation)
// to Node's TLS options: the one resolver used by connect, WebSocketClient, serve and httpRequest.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { createSecureContext, type ConnectionOptions, type SecureContext, type TlsOptions as NodeTlsOptions } from 'node:tls';
import { RxwsError, type RxwsErrorInit } from '../core/errors';
import type { TlsOptions } from '../core/options';
import { systemRootCertificates } from './system-roots';

const PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----';
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
/** How many client secure contexts are kept: one per distinct (roots, pair, ciphers). */
const CONTEXT_CACHE_SIZE = 32;

/**
 * Thrown when TLS options cannot be used: names the option and what to do.
 *
 * @example
 * try { resolveServerTls({ certFile: 'server.pem' }); }
 * catch (e) { if (e instanceof TlsConfigError) console.error(e.message); } // "tls.certFile was given without tls.keyFile ..."
 */
export class TlsConfigError extends RxwsError<'INVALID_OPTIONS'> {
  override readonly name = 'TlsConfigError';
  constructor(init: RxwsErrorInit<'INVALID_OPTIONS'>);
  /** @deprecated Pass `{ code: 'INVALID_OPTIONS', reason }`, the shape of every rxws error. */
  constructor(reason: string);
  constructor(init: RxwsErrorInit<'INVALID_OPTIONS'> | string) {
    super(typeof init === 'string' ? { code: 'INVALID_OPTIONS', reason: init } : init);
  }
}

/** A TlsConfigError (code INVALID_OPTIONS) with `reason`. */
export function tlsConfigError(reason: string, cause?: unknown): TlsConfigError {
  return new TlsConfigError({ code: 'INVALID_OPTIONS', reason, cause });
}

/** What a value is, for an error message: `number`, `object`, `null`. */
function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/** Reads a PEM option: the value itself when it is PEM text, else the file it names. */
function readPem(value: string, option: string, expected: RegExp | string, what: string): string {
  if (typeof value !== 'string') {
    throw tlsConfigError(`tls.${option} must be a string (a PEM file path or the PEM text itself), got ${typeName(value)}`);
  }
  if (value.trim() === '') {
    throw tlsConfigError(`tls.${option} is empty: pass a PEM file path or the PEM text itself`);
  }
  const inline = value.includes('-----BEGIN ');
  let text = value;
  if (!inline) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? String(err);
      throw tlsConfigError(`tls.${option}: cannot read '${value}' (${why}); pass a readable PEM file path or the PEM text itself`);
    }
  }
  const found = typeof expected === 'string' ? text.includes(expected) : expected.test(text);
  if (!found) {
    const source = inline ? 'the PEM text given' : `'${value}'`;
    throw tlsConfigError(`tls.${option}: ${source} holds no ${what} (no PEM block of that kind found)`);
  }
  return text;
}

function keyPair(tls: TlsOptions): { cert?: string; key?: string } {
  if (tls.certFile === undefined && tls.keyFile === undefined) return {};
  if (tls.certFile === undefined || tls.keyFile === undefined) {
    const missing = tls.certFile === undefined ? 'certFile' : 'keyFile';
    const given = missing === 'certFile' ? 'keyFile' : 'certFile';
    throw tlsConfigError(`tls.${given} was given without tls.${missing}: a certificate and its private key go together; pass both`);
  }
  return {
    cert: readPem(tls.certFile, 'certFile', PEM_CERTIFICATE, 'certificate'),
    key: readPem(tls.keyFile, 'keyFile', PEM_PRIVATE_KEY, 'private key'),
  };
}

type Roots = { kind: 'system' } | { kind: 'none' } | { kind: 'pem'; pem: string };

const checkedRoots = new Set<string>();
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Parses every certificate of a caFile: OpenSSL skips a block it cannot read (the roots silently
 * shrink, so every peer would be untrusted later), so a corrupt one is refused here, at startup.
 */
function checkRoots(pem: string, source: string): string {
  // Per connection: parse a given set of roots once (bounded like the contexts).
  if (checkedRoots.has(pem)) return pem;
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) {
    throw tlsConfigError(`tls.caFile: ${source} has a BEGIN CERTIFICATE line but no complete certificate (no END CERTIFICATE)`);
  }
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch (err) {
      const why = (err as Error).message.replace(/^error:[0-9A-F]+:/, '');
      throw tlsConfigError(`tls.caFile: certificate ${i + 1} of ${blocks.length} in ${source} is corrupt (${why}); pass the CA's PEM file as issued`);
    }
  });
  if (checkedRoots.size >= CONTEXT_CACHE_SIZE) checkedRoots.clear();
  checkedRoots.add(pem);
  return pem;
}

function roots(caFile: string | undefined): Roots {
  if (caFile === undefined || caFile === 'SYSTEM') return { kind: 'system' };
  if (caFile === 'NONE') return { kind: 'none' };
  if (typeof caFile !== 'string') {
    throw tlsConfigError(`tls.caFile must be a string: 'SYSTEM', 'NONE', PEM text or a PEM file path, got ${typeName(caFile)}`);
  }
  if (caFile.includes(PEM_CERTIFICATE)) return { kind: 'pem', pem: checkRoots(caFile, 'the PEM text given') };
  return { kind: 'pem', pem: checkRoots(readPem(caFile, 'caFile', PEM_CERTIFICATE, 'certificate'), `'${caFile}'`) };
}

let warnedNoVerification = false;

/** `caFile: 'NONE'` on a client: says once per process that peers are not verified. */
function warnNoVerification(): void {
  if (warnedNoVerification) return;
  warnedNoVerification = true;
  process.emitWarning(
    "tls.caFile is 'NONE': server certificates are not verified, so anyone on the path can read and change the traffic. Use it in tests only; pass the server's CA as tls.caFile instead.",
    { type: 'SecurityWarning', code: 'RXWS_TLS_NO_VERIFY' },
  );
}

interface ContextInput {
  ca?: string | readonly string[];
  cert?: string;
  key?: string;
  ciphers?: string;
}

/** Says which option OpenSSL refused, by trying the options one at a time (error path only). */
function diagnose(input: ContextInput, err: Error): TlsConfigError {
  const attempt = (opts: ContextInput): boolean => {
    try {
      createSecureContext(opts as NodeTlsOptions);
      return true;
    } catch {
      return false;
    }
  };
  const detail = err.message.replace(/^error:[0-9A-F]+:/, '');
  if (input.ciphers && !attempt({ ciphers: input.ciphers })) {
    return tlsConfigError(`tls.ciphers '${input.ciphers}' selects no cipher OpenSSL supports (${detail}); use an OpenSSL cipher list such as 'ECDHE-RSA-AES128-GCM-SHA256'`);
  }
  if (input.ca && !attempt({ ca: input.ca })) return tlsConfigError(`tls.caFile holds a certificate OpenSSL cannot read (${detail})`);
  if (input.cert && !attempt({ cert: input.cert })) return tlsConfigError(`tls.certFile holds a certificate OpenSSL cannot read (${detail})`);
  if (input.key && !attempt({ key: input.key })) return tlsConfigError(`tls.keyFile holds a private key OpenSSL cannot read (${detail}); encrypted keys are not supported`);
  if (/key values mismatch/i.test(err.message)) return tlsConfigError('tls.keyFile is not the private key of the certificate in tls.certFile: pass the matching pair');
  return tlsConfigError(`TLS options cannot be used: ${detail}`);
}

function buildContext(input: ContextInput): SecureContext {
  try {
    return createSecureContext(input as NodeTlsOptions);
  } catch (err) {
    throw diagnose(input, err as Error);
  }
}

// Node builds a SecureContext per connection from plain options (~3 ms, ~40 ms with the system
// roots); a cached one makes that once per distinct configuration. Keyed by content, so a
// rotated certificate file is picked up by the next connection.
const contexts = new Map<string, SecureContext>();

/** `rootsId` names the roots in the cache key: the PEM itself, or a word for the (large, fixed) system set. */
function cachedContext(input: ContextInput, rootsId: string): SecureContext {
  const id = JSON.stringify([rootsId, input.cert ?? null, input.key ?? null, input.ciphers ?? null]);
  const hit = contexts.get(id);
  if (hit) return hit;
  const context = buildContext(input);
  if (contexts.size >= CONTEXT_CACHE_SIZE) contexts.delete(contexts.keys().next().value as string);
  contexts.set(id, context);
  return context;
}

/** A host name for SNI, or undefined for an IP literal (RFC 6066 §3: literal addresses are not sent). */
function sniName(host: string): string | undefined {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === '' || isIP(bare) !== 0 ? undefined : bare;
}

/**
 * Node client TLS options (for `tls.connect`, `https.request`, `ws`) from rxws `TlsOptions`:
 * verification on unless `caFile: 'NONE'`, SNI for host names, hostname/IP-SAN checking unless
 * `disableHostnameValidation` (the chain is verified either way). The options carry a cached
 * `secureContext`, and also the user's `ca`/`cert`/`key`/`ciphers` so that an `https.Agent`
 * keys its socket pool by them. Throws `TlsConfigError` for unusable options.
 *
 * @example
 * import tls from 'node:tls';
 * const socket = tls.connect({ host: 'localhost', port: 8443, ...resolveClientTls({ caFile: 'ca.pem' }, 'localhost') });
 */
export function resolveClientTls(tls: TlsOptions | undefined, servername: string): ConnectionOptions {
  const opts = tls ?? {};
  const pair = keyPair(opts);
  const trust = roots(opts.caFile);
  if (trust.kind === 'none') warnNoVerification();
  const ca = trust.kind === 'pem' ? trust.pem : trust.kind === 'system' ? systemRootCertificates() ?? undefined : undefined;
  const out: ConnectionOptions = {
    secureContext: cachedContext({ ca, ...pair, ciphers: opts.ciphers }, trust.kind === 'pem' ? trust.pem : trust.kind),
    rejectUnauthorized: trust.kind !== 'none',
    ...pair,
  };
  if (trust.kind === 'pem') out.ca = trust.pem;
  if (opts.ciphers) out.ciphers = opts.ciphers;
  const sni = sniName(servername);
  if (sni !== undefined) out.servername = sni;
  if (opts.disableHostnameValidation) out.checkServerIdentity = () => undefined;
  return out;
}

/**
 * Node server TLS options (for `https.createServer`, `tls.createServer`) from rxws `TlsOptions`.
 * `certFile` and `keyFile` are required. A `caFile` naming roots (PEM or path) makes client
 * certificates required and verified against them (mutual TLS): `requestCert` and
 * `rejectUnauthorized`, so a server built on these options alone never lets an unverified client
 * through (Node drops it after the handshake, without an alert). `serve()` uses these options with
 * `rejectUnauthorized: false` instead and answers such a client 403 with the reason.
 * `SYSTEM` and `NONE` ask for no client certificate, so browsers connect normally. Throws
 * `TlsConfigError` for unusable options.
 *
 * @example
 * import https from 'node:https';
 * const server = https.createServer(resolveServerTls({ certFile: 'server.pem', keyFile: 'server.key', caFile: 'ca.pem' }));
 */
export function resolveServerTls(tls: TlsOptions): NodeTlsOptions {
  const pair = keyPair(tls ?? {});
  if (pair.cert === undefined || pair.key === undefined) {
    throw tlsConfigError('A TLS server needs tls.certFile and tls.keyFile (its certificate and private key)');
  }
  const trust = roots(tls.caFile);
  const out: NodeTlsOptions = { cert: pair.cert, key: pair.key };
  if (trust.kind === 'pem') {
    out.ca = trust.pem;
    out.requestCert = true;
    out.rejectUnauthorized = true;
  }
  if (tls.ciphers) out.ciphers = tls.ciphers;
  // Fail at startup, naming the option, rather than on the first connection.
  buildContext({ ca: out.ca as string | undefined, cert: pair.cert, key: pair.key, ciphers: tls.ciphers });
  return out;
}
