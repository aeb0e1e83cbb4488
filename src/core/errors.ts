/** What every rxws error is made from: one constructor shape for every class below. */
export interface RxwsErrorInit<Code extends string = string> {
  /** What went wrong, for code to switch on: UPPER_SNAKE_CASE. */
  readonly code: Code;
  /** What went wrong, for people (also the `message`): what happened and, where it helps, what to do. */
  readonly reason: string;
  /** The underlying error (Node's, OpenSSL's, node-redis's …), when there is one. */
  readonly cause?: unknown;
}

/**
 * The base of every error rxws makes: a machine `code`, a human `reason` and an optional `cause`.
 * Each entry point has its subclass (`WebSocketError`, `MessageError`, `HttpError`, `ServeError`,
 * `ServeOptionsError`, `TlsConfigError`, `RedisAdapterError`): `instanceof` says where an error
 * came from, `code` what it is. docs/architecture.md says where a bad option surfaces.
 *
 * @example
 * import { RxwsError } from 'rxws';
 * function describe(e: unknown): string {
 *   return e instanceof RxwsError ? `${e.name} ${e.code}: ${e.reason}` : String(e);
 * }
 */
export class RxwsError<Code extends string = string> extends Error {
  override readonly name: string = 'RxwsError';
  /** What went wrong, for code to switch on. */
  readonly code: Code;
  /** What went wrong, for people: the same text as `message`. */
  readonly reason: string;

  constructor(init: RxwsErrorInit<Code>) {
    super(init.reason, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.reason = init.reason;
  }
}

/**
 * Machine-readable causes of a connection that could not be opened (or, for `PROTOCOL`,
 * was refused by rxws itself). Switch on `error.code`; show `error.reason` to people.
 */
export type WebSocketErrorCode =
  | 'INVALID_URL'
  | 'UNSUPPORTED_SCHEME'
  | 'INVALID_OPTIONS'
  | 'DNS_FAILURE'
  | 'CONNECTION_REFUSED'
  | 'CONNECTION_RESET'
  | 'NETWORK_ERROR'
  | 'HANDSHAKE_TIMEOUT'
  | 'UNEXPECTED_STATUS'
  | 'INVALID_ACCEPT'
  | 'PROTOCOL_MISMATCH'
  | 'HANDSHAKE_FAILED'
  | 'TLS_UNTRUSTED_CERTIFICATE'
  | 'TLS_HOSTNAME_MISMATCH'
  | 'TLS_CERTIFICATE_EXPIRED'
  | 'TLS_CLIENT_CERTIFICATE_REQUIRED'
  | 'TLS_HANDSHAKE_FAILED'
  /** The proxy could not be reached (refused, DNS, reset, TLS to an https:// proxy): the reason has its address. */
  | 'PROXY_UNREACHABLE'
  /** The proxy wants credentials, or refused the ones in its URL (HTTP 407, SOCKS5 authentication). */
  | 'PROXY_AUTH_REQUIRED'
  /** The proxy would not open a tunnel to the target: its CONNECT status line, or the SOCKS reply code. */
  | 'PROXY_REFUSED'
  /** The handshake deadline passed before the proxy opened the tunnel. */
  | 'PROXY_HANDSHAKE_TIMEOUT'
  /** The proxy broke off its handshake or answered in a protocol other than its scheme's. */
  | 'PROXY_FAILED'
  | 'RETRIES_EXHAUSTED'
  /** A `WebSocketClient` parameter function (url, headers, protocols) threw, rejected or gave nothing. */
  | 'PARAMETER_FAILED';

export interface WebSocketErrorInit extends RxwsErrorInit<WebSocketErrorCode> {
  url?: string;
  httpStatus?: number;
  headers?: Record<string, string>;
}

/**
 * Why a connection could not be opened: refused, DNS, TLS, handshake timeout, an HTTP status
 * other than 101, an invalid upgrade answer, or a bad URL.
 *
 * @example
 * connect('ws://127.0.0.1:9').subscribe({
 *   error: (e: WebSocketError) => console.error(e.code, e.reason, e.httpStatus),
 * });
 */
export class WebSocketError extends RxwsError<WebSocketErrorCode> {
  override readonly name = 'WebSocketError';
  /**
   * The server's HTTP status when it answered the upgrade with something other than 101, or an
   * HTTP proxy's answer to CONNECT (407 …) for the PROXY_ codes; else 0.
   */
  readonly httpStatus: number;
  /** The server's response headers (lower-case keys) when `httpStatus` is set. */
  readonly headers: Record<string, string>;
  /** The URL that was being opened, when known. */
  readonly url: string;

  constructor(init: WebSocketErrorInit) {
    super(init);
    this.httpStatus = init.httpStatus ?? 0;
    this.headers = init.headers ?? {};
    this.url = init.url ?? '';
  }
}
