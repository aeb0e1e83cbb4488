import type { Observable } from 'rxjs';

/** The client certificate of a mutual-TLS connection (`tls.caFile` roots on the server). */
export interface ClientCertificate {
  /** Subject fields by short name (`CN`, `O`, `OU` …); repeated fields joined with ', '. */
  readonly subject: Readonly<Record<string, string>>;
  /** Issuer fields by short name, as `subject`. */
  readonly issuer: Readonly<Record<string, string>>;
  /** Subject alternative names as Node reports them, e.g. `'DNS:client.local, IP Address:127.0.0.1'`; '' if none. */
  readonly subjectAltName: string;
  /** Serial number in upper-case hex. */
  readonly serialNumber: string;
  /** SHA-256 fingerprint, colon-separated upper-case hex (`'AB:CD:…'`). */
  readonly fingerprint256: string;
  readonly validFrom: Date;
  readonly validTo: Date;
}

/** What the server knows about an upgrade request before it is accepted (given to `authorize` and `protocols`). */
export interface UpgradeRequest {
  /** The request target: path and query, e.g. `/chat?room=1`. */
  readonly url: string;
  /** Request headers with lower-case keys (repeated headers joined as Node does). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Subprotocols the client offered, in its order; empty when none. */
  readonly offeredProtocols: readonly string[];
  /** The client certificate, when the server requires one (`tls.caFile` roots). */
  readonly certificate?: ClientCertificate;
}

/** The handshake request of an accepted connection. */
export interface ConnectionRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The negotiated subprotocol, '' if none. */
  readonly protocol: string;
  /** The client certificate, when the server requires one (`tls.caFile` roots). */
  readonly certificate?: ClientCertificate;
}

/**
 * An HTTP answer that refuses an upgrade before it happens, e.g.
 * `{ status: 401, reason: 'Missing token', headers: { 'WWW-Authenticate': 'Bearer' } }`.
 * The reason is sent as the plain-text body; clients report it (rxws: in `WebSocketError.reason`).
 */
export interface UpgradeRefusal {
  /** An HTTP error status, 400–599. */
  readonly status: number;
  readonly reason?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What `authorize` returns: `true` (or nothing) accepts, `false` refuses with 403, a refusal refuses with its status. */
export type AuthorizeResult = boolean | void | UpgradeRefusal;

/** A plain HTTP request received by the server. */
export interface HttpRequest {
  readonly method: string;
  /** The request target: path and query, as sent. */
  readonly url: string;
  /** Request headers with lower-case keys. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The request body (empty for GET). */
  readonly body: Uint8Array;
  readonly remoteAddress: string;
}

/** The answer to a plain HTTP request. */
export interface HttpResponse {
  /** HTTP status, 100–599. */
  readonly status: number;
  readonly headers?: Readonly<Record<string, string | number | readonly string[]>>;
  /**
   * A string is sent as UTF-8 (with `text/plain; charset=utf-8` unless a Content-Type is given).
   * A stream (any async iterable of bytes, e.g. `fs.createReadStream(file)`) is written as it
   * comes, at the pace the client reads; give its Content-Length if you know it, else it is sent
   * chunked. A stream that fails midway ends the response early.
   */
  readonly body?: string | Uint8Array | AsyncIterable<Uint8Array>;
}

/** Answers plain HTTP requests: with a response, a Promise of one, or an Observable whose first value is used. */
export type HttpHandler = (request: HttpRequest) => HttpResponse | Promise<HttpResponse> | Observable<HttpResponse>;

/** A failure inside the server that did not stop it, reported on `errors$`. */
export interface ServerErrorEvent {
  /** Where it happened. */
  readonly source: 'onRequest' | 'authorize' | 'protocols' | 'server' | 'adapter' | 'history';
  readonly error: unknown;
}

/**
 * Whom `broadcast` and `publish` reach. With an adapter, `topic` travels to the other instances
 * and selects there too; `except` names a connection of this server, so it only applies here.
 *
 * @example
 * conn.messages$.subscribe((m) => server.broadcast(m.data, { topic: 'room:42', except: conn }));
 */
export interface BroadcastOptions {
  /** Only connections that joined this topic (or one of these topics; each connection gets it once). Default: all. */
  readonly topic?: string | readonly string[];
  /** Not to this connection (or the connection with this id), e.g. the sender of a chat message. */
  readonly except?: { readonly id: number } | number;
}

/** What `server.publish` resolves with. */
export interface PublishResult {
  /** Connections of this server the message was queued for. */
  readonly local: number;
  /**
   * Server instances the message reached, this one included: 1 without an adapter; with Redis,
   * the subscribers that PUBLISH reported (instances whose Redis connection was up).
   */
  readonly instances: number;
}
