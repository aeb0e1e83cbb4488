// What the server knows of a WebSocket upgrade request, and how it refuses one.
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
