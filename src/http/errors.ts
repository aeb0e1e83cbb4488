import { CLIENT_CERTIFICATE_RESET_HINT, describeNetworkError } from '../core/network-errors';
import { RxwsError, type RxwsErrorInit } from '../core/errors';
import type { TlsOptions } from '../core/options';
import { ProxyError } from '../proxy/errors';

/**
 * Machine-readable causes of a failed HTTP request, in the one spelling of rxws's codes
 * (UPPER_SNAKE_CASE): a failure `connect()` can meet too (DNS, TLS, proxy, options) has the same
 * code as its WebSocketError. Switch on `error.code`; show `error.reason` to people.
 */
export type HttpErrorCode =
  /** The URL could not be parsed, has no host, or its scheme is not http: / https:. */
  | 'INVALID_URL'
  /** The options cannot be used (conflicting bodies, bad method or header, bad TLS files…). */
  | 'INVALID_OPTIONS'
  | 'DNS_FAILURE'
  /** Refused, unreachable, or the connection failed before a request could be sent. */
  | 'CANNOT_CONNECT'
  | 'TLS_UNTRUSTED_CERTIFICATE'
  | 'TLS_HOSTNAME_MISMATCH'
  | 'TLS_CERTIFICATE_EXPIRED'
  | 'TLS_CLIENT_CERTIFICATE_REQUIRED'
  | 'TLS_HANDSHAKE_FAILED'
  /** `connectTimeoutMs`, `transferTimeoutMs` or `timeoutMs` ran out: `reason` names which. */
  | 'TIMEOUT'
  /** The connection broke while the request was being written. */
  | 'SEND_FAILED'
  /** The connection broke, or the response was malformed, while it was being read. */
  | 'READ_FAILED'
  | 'TOO_MANY_REDIRECTS'
  /** The response body could not be decoded (gzip, deflate or br), or the request body not gzipped. */
  | 'DECODING_FAILED'
  /** The response body (decoded) is over `maxBodyBytes`: raise it, or read with `stream: true`. */
  | 'BODY_TOO_LARGE'
  /** `options.signal` was aborted. (Unsubscribing cancels silently, as in RxJS.) */
  | 'CANCELLED'
  /** The proxy could not be reached: the reason has its address. */
  | 'PROXY_UNREACHABLE'
  /** The proxy wants credentials or refused the ones in its URL (407; SOCKS5 authentication): `status` is 407. */
  | 'PROXY_AUTH_REQUIRED'
  /** The proxy would not open a tunnel to the target: its CONNECT status (in `status`) or SOCKS reply code. */
  | 'PROXY_REFUSED'
  /** `connectTimeoutMs` ran out before the proxy opened the tunnel. */
  | 'PROXY_HANDSHAKE_TIMEOUT'
  /** The proxy broke off its handshake or answered in another protocol. */
  | 'PROXY_FAILED';

export interface HttpErrorInit extends RxwsErrorInit<HttpErrorCode> {
  url?: string;
  status?: number;
}

/**
 * Why an HTTP request produced no response. An HTTP status >= 400 is not an error: it is a
 * normal `response` event.
 *
 * @example
 * httpRequest('http://127.0.0.1:9/').subscribe({
 *   error: (e: HttpError) => console.error(e.code, e.reason), // CANNOT_CONNECT, "Unable to connect…"
 * });
 */
export class HttpError extends RxwsError<HttpErrorCode> {
  override readonly name = 'HttpError';
  /** The HTTP status of the response being read when it failed; 0 when there was none. */
  readonly status: number;
  /** The URL of the request that failed (after any redirects followed so far). */
  readonly url: string;

  constructor(init: HttpErrorInit) {
    super(init);
    this.status = init.status ?? 0;
    this.url = init.url ?? '';
  }
}

/** The codes a TLS failure has in connect() and httpRequest() alike. */
const TLS_CODES: ReadonlySet<string> = new Set<HttpErrorCode>([
  'TLS_UNTRUSTED_CERTIFICATE',
  'TLS_HOSTNAME_MISMATCH',
  'TLS_CERTIFICATE_EXPIRED',
  'TLS_CLIENT_CERTIFICATE_REQUIRED',
  'TLS_HANDSHAKE_FAILED',
]);

/** A failure at the proxy as an HttpError, with the same reason `connect` gives. */
export function proxyFailure(err: ProxyError, url: string): HttpError {
  return new HttpError({ code: err.code, url, status: err.status, cause: err, reason: err.reason });
}

/** Where a request was when its connection failed: decides SEND_FAILED vs READ_FAILED. */
export type ExchangeStage = 'connecting' | 'sending' | 'awaitingResponse' | 'readingBody';

/**
 * Maps a Node network / TLS / parser error to an HttpError with the wording `connect` uses.
 * `tls` is the request's: a reset before any response, after offering a client certificate, says
 * that the server may not have accepted that certificate.
 */
export function networkFailure(err: unknown, target: URL, stage: ExchangeStage, status = 0, tls?: TlsOptions): HttpError {
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
  const base = { url: target.href, status, cause: err };
  if (err instanceof ProxyError) return proxyFailure(err, target.href);
  const errno = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof errno === 'string' && errno.startsWith('HPE_')) {
    return new HttpError({ ...base, code: 'READ_FAILED', reason: `Malformed HTTP response from ${target.href}: ${message} (${errno})` });
  }
  const clientCertificate = target.protocol === 'https:' && tls?.certFile !== undefined;
  const described = describeNetworkError(err, host, port, { clientCertificate });
  if (described.code === 'DNS_FAILURE') return new HttpError({ ...base, code: 'DNS_FAILURE', reason: described.reason });
  if (TLS_CODES.has(described.code)) return new HttpError({ ...base, code: described.code as HttpErrorCode, reason: described.reason });
  if (stage === 'connecting') return new HttpError({ ...base, code: 'CANNOT_CONNECT', reason: described.reason });
  // A Node TLS server checks the client certificate after the handshake: a refusal is a reset then.
  const hint = clientCertificate && stage !== 'readingBody' && described.code === 'CONNECTION_RESET' ? CLIENT_CERTIFICATE_RESET_HINT : '';
  if (stage === 'sending') {
    return new HttpError({ ...base, code: 'SEND_FAILED', reason: `Sending the request to ${target.href} failed: ${message}${hint}` });
  }
  const when = stage === 'awaitingResponse' ? 'before a response arrived' : 'while the response body was being read';
  return new HttpError({ ...base, code: 'READ_FAILED', reason: `The connection to ${host} on port ${port} broke ${when} (${message})${hint}` });
}
