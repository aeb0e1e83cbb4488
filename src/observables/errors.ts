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
  | 'RETRIES_EXHAUSTED'
  /** A `WebSocketClient` parameter function (url, headers, protocols) threw, rejected or gave nothing. */
  | 'PARAMETER_FAILED';

export interface WebSocketErrorInit {
  code: WebSocketErrorCode;
  reason: string;
  url?: string;
  httpStatus?: number;
  headers?: Record<string, string>;
  cause?: unknown;
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
export class WebSocketError extends Error {
  override readonly name = 'WebSocketError';
  /** What went wrong, for code to switch on. */
  readonly code: WebSocketErrorCode;
  /** What went wrong, for people: names the host, port, status or certificate problem. */
  readonly reason: string;
  /** The server's HTTP status when it answered the upgrade with something other than 101; else 0. */
  readonly httpStatus: number;
  /** The server's response headers (lower-case keys) when `httpStatus` is set. */
  readonly headers: Record<string, string>;
  /** The URL that was being opened, when known. */
  readonly url: string;

  constructor(init: WebSocketErrorInit) {
    super(init.reason, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.reason = init.reason;
    this.httpStatus = init.httpStatus ?? 0;
    this.headers = init.headers ?? {};
    this.url = init.url ?? '';
  }
}
